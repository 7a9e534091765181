// Boots the page: Pyodide from ./pyodide/, numpy, the tfjs wheel (same origin), then tfjs.
// Everything that does not depend on Python starts at once: Pyodide's own files, build-info.json and the
// wheel download in parallel; the wheel is unpacked straight into site-packages (no installer to load).
// Python is not compiled here: build.py compiles it with Pyodide's own Python (tools/precompile.mjs).
// Pyodide starts from python_stdlib_pyc.zip (its standard library with bytecode beside the sources), and the
// bytecode of numpy, tfjs and the app (build-info.json's "bytecode") is unpacked before tfjs is imported.
// Each .pyc is hash-checked against its source, so bytecode that does not match is compiled again, not run.
// globalThis.tfjsReady resolves to the Pyodide instance once `tfjs` is imported, or rejects with the boot
// error, which is also shown on the page. Each step sets a performance mark tfjs-boot:<index>
// (globalThis.tfjsBootSteps names them) for the page-ready benchmark.
// Then the app starts: its Python (web/app/tfjs_app, packed by build.py into one zip named in
// build-info.json) is unpacked into Pyodide's file system and `tfjs_app.start()` runs; all UI logic is there.
// globalThis.tfjsApp resolves to the Pyodide instance once the app is up (its state: `tfjs_app.current`).
// A second visit restores a memory snapshot of the first one's boot (web/snapshot.js) instead of starting Python,
// loading numpy and importing tfjs again; globalThis.tfjsBootSource says which ("snapshot" or "full").
"use strict";

(() => {
  const STEPS = [
    "Loading the Python runtime (Pyodide)",
    "Loading numpy",
    "Installing the tfjs package",
    "Importing tfjs",
  ];
  globalThis.tfjsBootSteps = STEPS;
  const $ = (id) => document.getElementById(id);

  let current = "Reading build-info.json";

  function showStep(index) {
    current = STEPS[index];
    performance.mark(`tfjs-boot:${index}`);
    $("boot-step").textContent = `${current}\u2026 (${index + 1}/${STEPS.length})`;
    $("boot-progress").value = index / STEPS.length;
  }

  // A Python traceback's last line says what went wrong; the rest stays below it for whoever needs it.
  function summary(error) {
    const text = error && error.message ? error.message : String(error);
    const lines = text.trim().split("\n");
    return { last: lines[lines.length - 1], full: text.trim() };
  }

  function showDetail(message) {
    $("boot-detail").textContent = message;
  }

  // The wasm backend's kernel module shares Pyodide's memory, so that its kernels work in place on numpy
  // buffers. Pyodide creates that WebAssembly.Memory inside loadPyodide and passes it to the instantiation of
  // its own module as `env.memory`: it is caught there, and the hook removed once Pyodide is up.
  function catchPyodideMemory() {
    const caught = { memory: null };
    const originals = { instantiate: WebAssembly.instantiate, instantiateStreaming: WebAssembly.instantiateStreaming };
    const note = (imports) => {
      const memory = imports && imports.env && imports.env.memory;
      if (!caught.memory && memory instanceof WebAssembly.Memory) caught.memory = memory;
    };
    WebAssembly.instantiate = function (source, imports, ...rest) {
      note(imports);
      return originals.instantiate.call(WebAssembly, source, imports, ...rest);
    };
    if (originals.instantiateStreaming) {
      WebAssembly.instantiateStreaming = function (source, imports, ...rest) {
        note(imports);
        return originals.instantiateStreaming.call(WebAssembly, source, imports, ...rest);
      };
    }
    caught.release = () => Object.assign(WebAssembly, originals);
    return caught;
  }

  // globalThis.tfjsWasmKernels: {exports, memory} of the kernel module, or {error} saying why there is none
  // (read by tfjs.platform.wasm; the wasm backend is offered only with exports).
  async function loadKernels(info, bytesPromise, memory, pyodide) {
    try {
      if (!info.wasm) throw new Error("build-info.json names no wasm kernel module");
      if (!memory) throw new Error("Pyodide's WebAssembly.Memory was not seen while it started");
      const heap = pyodide._module && pyodide._module.HEAPU8;
      if (heap && heap.buffer !== memory.buffer) throw new Error("the memory seen is not Pyodide's heap");
      const bytes = await bytesPromise;
      if (!WebAssembly.validate(bytes)) {
        throw new Error("this browser's WebAssembly lacks SIMD128 (the kernel module does not validate)");
      }
      const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
      return { exports: instance.exports, memory, file: info.wasm.file };
    } catch (e) {
      return { error: e.message || String(e) };
    }
  }

  async function fetchBytes(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  async function fetchJson(url, hint) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}${hint}`);
    return response.json();
  }

  // The wheel's bytes, or the reason there are none (reported when the install step comes).
  async function fetchWheel(url) {
    try {
      const response = await fetch(url);
      if (!response.ok) return { url, error: `HTTP ${response.status} ${response.statusText}`.trim() };
      return { url, bytes: await response.arrayBuffer() };
    } catch (e) {
      return { url, error: `unreachable (${e.message})` };
    }
  }

  // The bytecode archive, or null (then Python compiles what it imports, as without it: slower, not wrong).
  async function fetchBytecode(info, here) {
    if (!info.bytecode) return null;
    const url = new URL(info.bytecode.file, here).href;
    try {
      return await fetchBytes(url);
    } catch (e) {
      console.warn(`${url}: ${e.message}; Python compiles the modules it imports instead`);
      return null;
    }
  }

  // What a memory snapshot of this boot depends on (web/snapshot.js): the page, build-info.json (Pyodide, the
  // package files, the app and kernel digests), the tfjs wheel's bytes and what the boot imports.
  const SNAPSHOT_RECIPE = "numpy, tfjs; format 1";
  async function snapshotKey(here, infoReady, wheelReady) {
    const [info, wheel] = await Promise.all([infoReady, wheelReady]);
    if (wheel.error) throw new Error(`${wheel.url}: ${wheel.error}`);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", wheel.bytes));
    const wheelSha = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    return globalThis.tfjsSnapshot.key({ page: here.href, info, wheelSha, recipe: SNAPSHOT_RECIPE });
  }

  // Pyodide restored from the snapshot an earlier visit stored, with numpy and tfjs already imported; null when
  // there is none, or (after a console warning, and the stored one dropped) when it does not fit or fails.
  async function restorePyodide(pyodideOptions, keyReady) {
    const snapshot = globalThis.tfjsSnapshot;
    let stored;
    try {
      stored = await snapshot.load();
    } catch (e) {
      console.warn(`tfjs: no stored snapshot could be read (${e && e.message}); booting in full`);
      return null;
    }
    if (!stored) return null;
    const caught = catchPyodideMemory();
    try {
      const parts = snapshot.decode(stored, await keyReady);
      showDetail("from the snapshot of an earlier visit");
      const pyodide = await snapshot.restore(parts, pyodideOptions);
      // A restored interpreter has to compute before the page relies on it.
      const check = pyodide.runPython("import numpy, tfjs; int(numpy.arange(5) @ numpy.ones(5, numpy.int64))");
      if (check !== 10) throw new Error(`the restored Python computes 0+1+2+3+4 = ${check}`);
      return { pyodide, memory: caught.memory };
    } catch (e) {
      console.warn(`tfjs: the stored snapshot was not used (${e && e.message}); booting in full`);
      snapshot.clear().catch(() => {});
      return null;
    } finally {
      caught.release();
    }
  }

  async function boot() {
    const here = new URL(".", location.href);
    const indexURL = new URL("pyodide/", here).href;
    // The standard library with bytecode (a restore must mount the same zip its memory was made with).
    const pyodideOptions = { indexURL, stdLibURL: `${indexURL}python_stdlib_pyc.zip`, stdout: console.log };
    showStep(0);
    const infoReady = fetchJson(new URL("build-info.json", here).href, " (is dist/ built?)");
    const wheelReady = infoReady.then((info) => fetchWheel(new URL(info.wheel, here).href));
    wheelReady.catch(() => {}); // an info failure is reported through infoReady
    const kernelBytes = infoReady.then((info) => (info.wasm ? fetchBytes(new URL(info.wasm.file, here).href) : null));
    kernelBytes.catch(() => {}); // an error is reported by loadKernels
    const snapshot = globalThis.tfjsSnapshot;
    const keyReady = snapshot ? snapshotKey(here, infoReady, wheelReady) : Promise.resolve(null);
    keyReady.catch(() => {}); // without a key there is no snapshot; the boot reports the cause itself
    const scriptReady = snapshot ? snapshot.loadScript(indexURL) : Promise.resolve();
    scriptReady.catch(() => {}); // loadPyodide then loads it itself and reports the failure
    const restored = snapshot ? await restorePyodide(pyodideOptions, keyReady) : null;
    let pyodide, info, memory, bytecodeReady;
    if (restored) {
      ({ pyodide, memory } = restored);
      info = await infoReady;
    } else {
      bytecodeReady = infoReady.then((info) => fetchBytecode(info, here)); // a restore holds its bytecode
      await scriptReady.catch(() => {});
      const caught = catchPyodideMemory();
      const pyodideReady = loadPyodide(pyodideOptions);
      try {
        [pyodide, info] = await Promise.all([pyodideReady, infoReady]);
      } finally {
        caught.release();
      }
      memory = caught.memory;
    }
    globalThis.tfjsWasmKernels = await loadKernels(info, kernelBytes, memory, pyodide);
    let remember = null;
    if (restored) {
      globalThis.tfjsBootSource = "snapshot";
      showStep(1);
      showStep(2);
    } else {
      globalThis.tfjsBootSource = "full";
      const loadOptions = { messageCallback: showDetail, errorCallback: showDetail };
      showStep(1);
      const watched = globalThis.tfjsSnapshot ? globalThis.tfjsSnapshot.watch() : null;
      const tableAtStart = pyodide._module.wasmTable.length;
      try {
        await pyodide.loadPackage(["numpy"], loadOptions);
      } finally {
        if (watched) watched.release();
      }
      showStep(2);
      const wheel = await wheelReady;
      if (wheel.error) throw new Error(`${wheel.url}: ${wheel.error}`);
      showDetail(`tfjs ${info.tfjs} (${Math.round(wheel.bytes.byteLength / 1024)} KiB)`);
      try {
        const sitePackages = pyodide.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
        pyodide.unpackArchive(wheel.bytes, "wheel", { extractDir: sitePackages });
        const bytecode = await bytecodeReady;
        if (bytecode) pyodide.unpackArchive(bytecode, "zip", { extractDir: "/" });
        pyodide.runPython("import importlib; importlib.invalidate_caches()");
      } catch (error) {
        const { last, full } = summary(error);
        throw new Error(`${wheel.url}: ${last}\n\n${full}`);
      }
      const key = await keyReady.catch(() => null);
      if (watched && key) remember = () => globalThis.tfjsSnapshot.remember(pyodide, watched, tableAtStart, key);
    }
    showStep(3);
    const versions = pyodide.runPython(`
import numpy, pyodide_js, tfjs
f"Pyodide {pyodide_js.version} \u00b7 numpy {numpy.__version__} \u00b7 tfjs {tfjs.__version__}"
`);
    return { pyodide, versions, info, remember };
  }

  const APP_DIR = "/home/pyodide/tfjs_app_src";

  async function startApp(pyodide, info) {
    if (!info.app) throw new Error("build-info.json names no app archive (rebuild with build.py)");
    const url = new URL(info.app.file, new URL(".", location.href)).href;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    pyodide.unpackArchive(await response.arrayBuffer(), "zip", { extractDir: APP_DIR });
    await pyodide.runPythonAsync(`
import sys
if ${JSON.stringify(APP_DIR)} not in sys.path:
    sys.path.insert(0, ${JSON.stringify(APP_DIR)})
import tfjs_app
await tfjs_app.start()
`);
    return pyodide;
  }

  function showAppError(error) {
    const box = $("app-error");
    box.textContent = `The app could not start: ${summary(error).full}`;
    box.hidden = false;
    $("app").dataset.state = "error";
  }

  function showReady(versions) {
    const section = $("boot");
    section.classList.add("ready");
    section.setAttribute("aria-busy", "false");
    $("boot-progress").value = 1;
    $("boot-step").textContent = "Ready";
    showDetail("");
    $("versions").textContent = versions;
    document.body.dataset.state = "ready";
  }

  function showError(error) {
    const section = $("boot");
    section.setAttribute("aria-busy", "false");
    $("boot-step").textContent = "The page could not start";
    const box = $("boot-error");
    box.textContent = `${current} failed: ${summary(error).full}`;
    box.hidden = false;
    document.body.dataset.state = "error";
  }

  let bootInfo = null;
  let rememberBoot = null;
  globalThis.tfjsReady = boot().then(
    ({ pyodide, versions, info, remember }) => {
      bootInfo = info;
      rememberBoot = remember;
      globalThis.tfjsReadyMs = performance.now(); // milliseconds since navigation started
      performance.mark(`tfjs-boot:${STEPS.length}`);
      showReady(versions);
      return pyodide;
    },
    (error) => {
      showError(error);
      throw error;
    },
  );

  // A full boot leaves a snapshot for the next visit: made here, before the app (or anything awaiting tfjsReady)
  // runs Python; stored in the background. globalThis.tfjsSnapshotStored resolves to whether it was stored.
  globalThis.tfjsSnapshotStored = globalThis.tfjsReady.then(() => (rememberBoot ? rememberBoot() : false), () => false);
  globalThis.tfjsApp = globalThis.tfjsReady.then(
    (pyodide) => startApp(pyodide, bootInfo).catch((error) => { showAppError(error); throw error; }));
  globalThis.tfjsApp.catch(() => {}); // a failure is shown on the page; awaiting tfjsApp still rejects
})();
