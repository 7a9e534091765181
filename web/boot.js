// Boots the page: Pyodide from ./pyodide/, numpy, the tfjs wheel (with micropip, same origin), then tfjs.
// globalThis.tfjsReady resolves to the Pyodide instance once `tfjs` is imported, or rejects with the boot
// error, which is also shown on the page.
"use strict";

(() => {
  const STEPS = [
    "Loading the Python runtime (Pyodide)",
    "Loading numpy and micropip",
    "Installing the tfjs package",
    "Importing tfjs",
  ];
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

  async function httpStatus(url) {
    try {
      const response = await fetch(url, { method: "HEAD", cache: "no-store" });
      return response.ok ? null : `HTTP ${response.status} ${response.statusText}`.trim();
    } catch (e) {
      return `unreachable (${e.message})`;
    }
  }

  function showDetail(message) {
    $("boot-detail").textContent = message;
  }

  async function boot() {
    const here = new URL(".", location.href);
    const infoResponse = await fetch(new URL("build-info.json", here));
    if (!infoResponse.ok) {
      throw new Error(`build-info.json: HTTP ${infoResponse.status} (is dist/ built?)`);
    }
    const info = await infoResponse.json();

    showStep(0);
    const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", here).href, stdout: console.log });
    const loadOptions = { messageCallback: showDetail, errorCallback: showDetail };
    showStep(1);
    await pyodide.loadPackage(["numpy", "micropip"], loadOptions);
    showStep(2);
    const wheelUrl = new URL(info.wheel, here).href;
    const micropip = pyodide.pyimport("micropip");
    try {
      await micropip.install(wheelUrl);
    } catch (error) {
      const status = await httpStatus(wheelUrl);
      const { last, full } = summary(error);
      throw new Error(`${wheelUrl}: ${status || last}\n\n${full}`);
    } finally {
      micropip.destroy();
    }
    showStep(3);
    const versions = pyodide.runPython(`
import numpy, pyodide_js, tfjs
f"Pyodide {pyodide_js.version} \u00b7 numpy {numpy.__version__} \u00b7 tfjs {tfjs.__version__}"
`);
    return { pyodide, versions };
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

  globalThis.tfjsReady = boot().then(
    ({ pyodide, versions }) => {
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
})();
