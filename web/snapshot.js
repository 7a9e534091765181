// A memory snapshot of a booted Pyodide (numpy loaded, tfjs imported), so that a later visit restores it instead
// of starting Python, loading numpy and importing tfjs again.
//
// Pyodide 0.27 can snapshot its linear memory (loadPyodide({_makeSnapshot}) / makeMemorySnapshot() /
// loadPyodide({_loadSnapshot})), but only for the core: numpy's extension modules are separate wasm instances
// (side modules) whose code, function-table slots and GOT entries live outside the linear memory. So the
// snapshot here also records, for each side module, the memory and table base it was loaded at, every function
// table slot above the core's own (which function, by module and export name), every GOT value and the dlopen
// handles; and the files of site-packages. Restoring instantiates each side module again at its recorded bases
// (through Emscripten's "already placed" dso handle path), puts the table and GOT back as they were, and only
// then copies the memory back, which also undoes what the side modules' data initialisation wrote.
//
// The snapshot is kept in IndexedDB (one record, replaced by each full boot) and is used only by a page whose key
// (a digest of what the snapshot depends on: see boot.js) is the one in its header.
// globalThis.tfjsSnapshot: { watch, make, encode, seal, decode, loadScript, restore, load, store, clear, remember,
// key }.
"use strict";

(() => {
  const MAGIC = "TFJSSNAP";
  const FORMAT = 1;
  const DB_NAME = "tfjs-snapshot";
  const DB_STORE = "snapshots";
  const RECORD = "page";

  // Marks tfjs-snapshot:<step> on the way through a restore, for the page-ready benchmark.
  const mark = (step) => performance.mark(`tfjs-snapshot:${step}`);

  // Side modules are instantiated with a "GOT.mem" import; their env proxy answers __memory_base and __table_base.
  function watch() {
    const loads = [];
    const original = WebAssembly.instantiate;
    WebAssembly.instantiate = function (source, imports, ...rest) {
      const result = original.call(WebAssembly, source, imports, ...rest);
      if (imports && imports["GOT.mem"] && imports.env) {
        const load = { memoryBase: imports.env.__memory_base, tableBase: imports.env.__table_base, instance: null };
        loads.push(load);
        result.then((r) => { load.instance = r.instance || r; }, () => {});
      }
      return result;
    };
    return { loads, release: () => { WebAssembly.instantiate = original; } };
  }

  function walkFiles(FS, root) {
    const files = [];
    const visit = (dir) => {
      for (const name of FS.readdir(dir)) {
        if (name === "." || name === "..") continue;
        const path = `${dir}/${name}`;
        const mode = FS.stat(path).mode;
        if (FS.isDir(mode)) visit(path);
        else if (FS.isFile(mode)) files.push({ path, data: FS.readFile(path) });
      }
    };
    visit(root);
    return files;
  }

  // The state outside the linear memory that a restore must rebuild (see the top of this file).
  function describeLinking(pyodide, watched, tableAtStart) {
    const M = pyodide._module;
    const byName = M.LDSO.loadedLibsByName;
    const names = Object.keys(byName).filter((n) => n !== "__main__" && n.startsWith("/"));
    const libs = [];
    for (const load of watched.loads) {
      if (!load.instance) throw new Error("a side module was still loading when the snapshot was made");
      const fn = Object.values(load.instance.exports).find((v) => typeof v === "function");
      const path = names.find((n) => fn && Object.values(byName[n].exports).includes(fn));
      if (!path) throw new Error("a side module is not among the loaded libraries");
      const aliases = Object.keys(byName).filter((n) => byName[n] === byName[path]);
      const meta = M.getDylinkMetadata(M.FS.readFile(path));
      libs.push({ path, aliases, memoryBase: load.memoryBase, tableBase: load.tableBase,
        memorySize: meta.memorySize, tableSize: meta.tableSize });
    }
    const placed = new Set(libs.map((lib) => byName[lib.path]));
    const unplaced = Object.keys(byName).find((n) => n !== "__main__" && !placed.has(byName[n]));
    if (unplaced) throw new Error(`${unplaced} was loaded where its bases could not be seen`);
    const owner = new Map();
    for (const [name, fn] of Object.entries(byName.__main__.exports)) {
      if (typeof fn === "function" && !owner.has(fn)) owner.set(fn, [-1, name]);
    }
    libs.forEach((lib, index) => {
      for (const [name, fn] of Object.entries(byName[lib.path].exports)) {
        if (typeof fn === "function" && !owner.has(fn)) owner.set(fn, [index, name]);
      }
    });
    const inRegion = (i) => libs.some((l) => i >= l.tableBase && i < l.tableBase + l.tableSize);
    const table = [];
    for (let i = tableAtStart; i < M.wasmTable.length; i++) {
      if (inRegion(i)) continue;
      const fn = M.wasmTable.get(i);
      if (fn === null) continue;
      const who = owner.get(fn);
      if (!who) throw new Error(`function table slot ${i} holds a function that no library exports`);
      table.push([i, who[0], who[1]]);
    }
    const got = {};
    for (const [name, global] of Object.entries(M.GOT)) got[name] = global.value;
    const handles = [];
    for (const [handle, dso] of Object.entries(M.LDSO.loadedLibsByHandle)) {
      if (Number(handle) !== 0) handles.push([Number(handle), dso.name]);
    }
    return { libs, table, tableAtStart, tableLength: M.wasmTable.length, got, handles };
  }

  // Pyodide's snapshot checks that its hiwire slot 6 still serialises as {}; it is the loadedPackages object,
  // which holds the packages loaded by then. The check is given that object itself (and the restore puts the
  // new page's loadedPackages there).
  function withLoadedPackagesSlot(API, slot, fn) {
    const expected = API.getExpectedKeys;
    API.getExpectedKeys = function () {
      const keys = expected.call(API);
      if (keys.length !== 7) throw new Error(`Pyodide expects ${keys.length} fixed hiwire entries, not 7`);
      keys[6] = slot();
      return keys;
    };
    try {
      return fn();
    } finally {
      API.getExpectedKeys = expected;
    }
  }

  // The snapshot of a booted Pyodide (numpy loaded, tfjs imported), as bytes: header (JSON), memory, the files of
  // site-packages.
  function make(pyodide, watched, tableAtStart, key) {
    const M = pyodide._module;
    const API = pyodide._api;
    pyodide.runPython("import gc; gc.collect()");
    const linking = describeLinking(pyodide, watched, tableAtStart);
    if (M.__hiwire_get(6) !== pyodide.loadedPackages) {
      throw new Error("Pyodide's hiwire slot 6 is not loadedPackages");
    }
    // The page booted without _makeSnapshot (whose globals proxy breaks DOM getters): the flag is only set for
    // this call. JS objects Python still holds are found again by their global name.
    const serializer = (value) => {
      const name = Object.getOwnPropertyNames(globalThis).find((n) => {
        try { return globalThis[n] === value; } catch { return false; }
      });
      if (name === undefined) throw new Error("Python holds a JS object that is not a global");
      return { global: name };
    };
    const flag = API.config._makeSnapshot;
    API.config._makeSnapshot = true;
    let memory;
    try {
      memory = withLoadedPackagesSlot(API, () => pyodide.loadedPackages,
        () => pyodide.makeMemorySnapshot({ serializer }));
    } finally {
      API.config._makeSnapshot = flag;
    }
    const sitePackages = API.sitepackages;
    const files = walkFiles(M.FS, sitePackages);
    let offset = 0;
    const index = files.map((f) => {
      const entry = [f.path, offset, f.data.length];
      offset += f.data.length;
      return entry;
    });
    const header = {
      format: FORMAT, key, pyodide: pyodide.version, loadedPackages: { ...pyodide.loadedPackages },
      files: index, filesLength: offset, memoryLength: memory.length, ...linking,
    };
    return encode(header, files.map((f) => f.data), memory);
  }

  // Layout: "TFJSSNAP", format (u32), header length (u32), SHA-256 of all that follows the header (32 bytes, set
  // by seal()), the header (JSON), then Pyodide's snapshot (16-byte aligned) and the files.
  const PREFIX = 48;
  const headLengthOf = (jsonLength) => Math.ceil((PREFIX + jsonLength) / 16) * 16;

  function encode(header, fileData, memory) {
    const json = new TextEncoder().encode(JSON.stringify(header));
    const headLength = headLengthOf(json.length);
    const total = headLength + header.filesLength + memory.length;
    const out = new Uint8Array(total);
    out.set(new TextEncoder().encode(MAGIC), 0);
    const view = new DataView(out.buffer);
    view.setUint32(8, FORMAT, true);
    view.setUint32(12, json.length, true);
    out.set(json, PREFIX);
    out.set(memory, headLength); // Pyodide reads its part as 32-bit words: it comes first, 16-byte aligned
    let at = headLength + memory.length;
    for (const data of fileData) {
      out.set(data, at);
      at += data.length;
    }
    return out;
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }

  // Writes the digest of the snapshot's body into its prefix.
  async function seal(bytes) {
    const jsonLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
    bytes.set(await sha256(bytes.subarray(headLengthOf(jsonLength))), 16);
    return bytes;
  }

  // {header, files: Map(path -> Uint8Array view), memory: Uint8Array view, verified: Promise (rejects when the
  // body's digest is not the one sealed in)}; an Error naming what is wrong.
  function decode(bytes, key) {
    if (bytes.length < PREFIX) throw new Error(`snapshot is ${bytes.length} bytes, too short for its header`);
    const magic = new TextDecoder().decode(bytes.subarray(0, 8));
    if (magic !== MAGIC) throw new Error(`snapshot starts with ${JSON.stringify(magic)}, not ${MAGIC}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const format = view.getUint32(8, true);
    if (format !== FORMAT) throw new Error(`snapshot format ${format}, expected ${FORMAT}`);
    const jsonLength = view.getUint32(12, true);
    if (PREFIX + jsonLength > bytes.length) {
      throw new Error(`snapshot header of ${jsonLength} bytes runs past its end`);
    }
    let header;
    try {
      header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX, PREFIX + jsonLength)));
    } catch (e) {
      throw new Error(`snapshot header is not JSON (${e.message})`);
    }
    if (header.key !== key) throw new Error(`snapshot was made for ${header.key}, this page is ${key}`);
    const headLength = headLengthOf(jsonLength);
    const expected = headLength + header.filesLength + header.memoryLength;
    if (bytes.length !== expected) throw new Error(`snapshot is ${bytes.length} bytes, its header says ${expected}`);
    const memory = bytes.subarray(headLength, headLength + header.memoryLength);
    const filesAt = headLength + header.memoryLength;
    const files = new Map();
    for (const [path, offset, size] of header.files) {
      if (offset + size > header.filesLength) throw new Error(`snapshot file ${path} runs past the file section`);
      files.set(path, bytes.subarray(filesAt + offset, filesAt + offset + size));
    }
    const sealed = bytes.slice(16, PREFIX);
    const verified = sha256(bytes.subarray(headLength)).then((digest) => {
      if (!digest.every((b, i) => b === sealed[i])) {
        throw new Error("snapshot body does not match its SHA-256 (damaged in storage)");
      }
    });
    verified.catch(() => {}); // awaited by restore()
    return { header, files, memory, verified };
  }

  // Instantiates the side modules again at their recorded bases and puts the table, GOT and dlopen handles back,
  // before Pyodide copies the memory in (which overwrites what the modules' data initialisation wrote).
  function relink(M, header, modules) {
    if (M.wasmTable.length !== header.tableAtStart) {
      throw new Error(`function table has ${M.wasmTable.length} slots before linking, ` +
        `the snapshot ${header.tableAtStart}`);
    }
    const sp = M.stackSave();
    const handle = M.stackAlloc(64);
    const dsos = [];
    try {
      header.libs.forEach((lib, i) => {
        M.HEAPU8.fill(0, handle, handle + 64);
        M.HEAPU8[handle + 8] = 1; // "placed": loadWebAssemblyModule then takes the bases below
        M.HEAPU32[(handle + 12) >> 2] = lib.memoryBase;
        M.HEAP32[(handle + 16) >> 2] = lib.memorySize;
        M.HEAPU32[(handle + 20) >> 2] = lib.tableBase;
        M.HEAP32[(handle + 24) >> 2] = lib.tableSize;
        const flags = { loadAsync: false, nodelete: true, allowUndefined: true, global: false };
        const exports = M.loadWebAssemblyModule(modules[i], flags, lib.path, {}, handle);
        const dso = M.newDSO(lib.path, undefined, exports);
        dso.refcount = Infinity;
        dso.global = false;
        for (const alias of lib.aliases) M.LDSO.loadedLibsByName[alias] = dso;
        dsos.push(dso);
      });
    } finally {
      M.stackRestore(sp);
    }
    if (M.wasmTable.length < header.tableLength) M.wasmTable.grow(header.tableLength - M.wasmTable.length);
    const mainExports = M.LDSO.loadedLibsByName.__main__.exports;
    for (const [slot, lib, name] of header.table) {
      const fn = lib < 0 ? mainExports[name] : dsos[lib].exports[name];
      if (typeof fn !== "function") throw new Error(`function table slot ${slot}: ${name} is not exported`);
      if (M.wasmTable.get(slot) !== fn) M.setWasmTableEntry(slot, fn);
    }
    for (const [name, value] of Object.entries(header.got)) {
      if (!M.GOT[name]) M.GOT[name] = new WebAssembly.Global({ value: "i32", mutable: true });
      M.GOT[name].value = value;
    }
    const byPath = new Map(header.libs.map((lib, i) => [lib.path, dsos[i]]));
    for (const [h, name] of header.handles) {
      const dso = byPath.get(name) || M.LDSO.loadedLibsByName[name];
      if (!dso) throw new Error(`dlopen handle ${h} names ${name}, which the snapshot did not load`);
      M.LDSO.loadedLibsByHandle[h] = dso;
    }
  }

  // Pyodide's pyodide.asm.js as a classic script, once: started by the page at once (while the snapshot is read),
  // so that the restore finds it in; loadPyodide skips loading it when it is there.
  let scriptLoad = null;
  function loadScript(indexURL) {
    if (typeof globalThis._createPyodideModule === "function") return Promise.resolve();
    scriptLoad ||= new Promise((resolve, reject) => {
      const url = `${indexURL}pyodide.asm.js`;
      const script = document.createElement("script");
      script.src = url;
      script.crossOrigin = "anonymous"; // as index.html preloads it
      script.onload = resolve;
      script.onerror = () => reject(new Error(`${url} did not load`));
      document.head.appendChild(script);
    });
    return scriptLoad;
  }

  // A Pyodide restored from decoded snapshot parts; options go to loadPyodide.
  async function restore(parts, options) {
    const { header, files, memory, verified } = parts;
    const compiled = Promise.all(header.libs.map((lib) => {
      const data = files.get(lib.path);
      if (!data) throw new Error(`snapshot lacks the file of ${lib.path}`);
      return WebAssembly.compile(data);
    }));
    await loadScript(options.indexURL);
    mark("script");
    const modules = await compiled;
    mark("compiled");
    const create = globalThis._createPyodideModule;
    let failure = null;
    globalThis._createPyodideModule = async (settings) => {
      globalThis._createPyodideModule = create;
      const M = await create(settings);
      const API = M.API;
      const restoreMemory = API.restoreSnapshot;
      API.restoreSnapshot = function (snapshot) {
        try {
          mark("instantiated");
          relink(M, header, modules);
          mark("linked");
        } catch (e) {
          failure = e;
          throw e;
        }
        const config = restoreMemory.call(API, snapshot);
        mark("memory");
        const expected = API.getExpectedKeys;
        API.getExpectedKeys = function () {
          API.getExpectedKeys = expected;
          const keys = expected.call(API);
          keys[6] = API.public_api.loadedPackages;
          return keys;
        };
        return config;
      };
      return M;
    };
    const fsInit = (FS) => {
      mark("files");
      for (const [path, data] of files) {
        FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
        FS.writeFile(path, data);
      }
    };
    let pyodide;
    try {
      const _snapshotDeserializer = (saved) => globalThis[saved.global];
      // Pyodide awaits the memory only once its own script is in: the digest is checked meanwhile.
      const checkedMemory = verified.then(() => memory);
      pyodide = await loadPyodide({ ...options, _loadSnapshot: checkedMemory, fsInit, _snapshotDeserializer });
    } catch (e) {
      throw failure || e;
    } finally {
      globalThis._createPyodideModule = create;
    }
    mark("python");
    Object.assign(pyodide.loadedPackages, header.loadedPackages);
    // Every restore starts from the same memory: the random generators seeded at import are seeded afresh
    // (in a namespace of their own: __main__ stays as the snapshot left it).
    const scope = pyodide.globals.get("dict")();
    try {
      pyodide.runPython(`
import random, sys
import numpy as np
random.seed()
np.random.seed()
for module in list(sys.modules.values()):
    for value in list(getattr(module, "__dict__", {}).values()):
        if isinstance(value, np.random.Generator):
            value.bit_generator.state = type(value.bit_generator)().state
`, { globals: scope });
    } finally {
      scope.destroy();
    }
    mark("reseeded");
    return pyodide;
  }

  // The database, or null when it does not exist and `create` is false (a first visit creates nothing by
  // looking: the upgrade is aborted).
  function openDb(create) {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      let absent = false;
      request.onupgradeneeded = () => {
        if (create) {
          request.result.createObjectStore(DB_STORE);
        } else {
          absent = true;
          request.transaction.abort();
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = (event) => {
        if (absent) {
          event.preventDefault();
          resolve(null);
        } else {
          reject(request.error);
        }
      };
    });
  }

  function transact(mode, fn) {
    return openDb(mode === "readwrite").then((db) => db && new Promise((resolve, reject) => {
      const tx = db.transaction(DB_STORE, mode);
      const request = fn(tx.objectStore(DB_STORE));
      tx.oncomplete = () => { db.close(); resolve(request.result); };
      tx.onerror = tx.onabort = () => { db.close(); reject(tx.error); };
    }));
  }

  // The stored snapshot's bytes, or null.
  async function load() {
    const blob = await transact("readonly", (s) => s.get(RECORD));
    if (!blob) return null;
    const bytes = new Uint8Array(await blob.arrayBuffer());
    mark("read");
    return bytes;
  }

  function store(bytes) {
    return transact("readwrite", (s) => s.put(new Blob([bytes]), RECORD));
  }

  async function key(parts) {
    const text = new TextEncoder().encode(JSON.stringify(parts));
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", text));
    return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function clear() {
    return transact("readwrite", (s) => s.delete(RECORD));
  }

  // Makes the snapshot now (synchronously: Python must not run in between) and stores it in the background;
  // resolves to true once stored, or false after a console warning saying why not.
  function remember(pyodide, watched, tableAtStart, snapshotKey) {
    let bytes;
    try {
      bytes = make(pyodide, watched, tableAtStart, snapshotKey);
    } catch (e) {
      console.warn(`tfjs: no snapshot of this boot for the next visit: ${e.message}`);
      return Promise.resolve(false);
    }
    return seal(bytes).then(store).then(() => true, (e) => {
      console.warn(`tfjs: the snapshot for the next visit could not be stored: ${e && e.message}`);
      return false;
    });
  }

  globalThis.tfjsSnapshot = {
    watch, make, encode, seal, decode, loadScript, restore, load, store, clear, remember, key,
  };
})();
