"""What the end-to-end tests and the benchmarks share: the app server and the Chromium launch."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = Path(os.environ.get("TFJS_DIST_DIR", ROOT / "dist"))
CHROMIUM = "/usr/bin/chromium"
# Headless Chromium on a closed network, as root; WebGL and WebGPU on SwiftShader.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic", "--enable-unsafe-swiftshader", "--enable-unsafe-webgpu",
]

sys.path.insert(0, str(ROOT / "py"))


class AppServer:
    """The app server (the same one `build.py serve` runs), in a thread of this process, on a free port."""

    def __init__(self, dist: Path = DIST, host: str = "127.0.0.1", store_dir: Path | None = None,
                 token: str = "test-token", store=None):
        import tempfile

        import uvicorn

        from tfjs_server.app import bind_socket, create_app, server_config
        from tfjs_server.store import ModelStore

        self._store_tmp = None
        if store is None:
            if store_dir is None:
                self._store_tmp = tempfile.TemporaryDirectory(prefix="tfjs-store-")
                store_dir = Path(self._store_tmp.name)
            store = ModelStore(store_dir, token=token)
        self.store = store
        self.token = store.token
        self.app = create_app(dist, self.store)
        self._socket = bind_socket(host, 0)
        self.url = f"http://{host}:{self._socket.getsockname()[1]}/"
        self._server = uvicorn.Server(server_config(self.app))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        daemon=True, name="app-server")

    def __enter__(self) -> "AppServer":
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the app server did not start")
            time.sleep(0.02)
        return self

    def stored_file(self, name: str, file: str) -> bytes:
        """A file of a model's current version, as it was uploaded (model.json unrewritten)."""
        import json
        import urllib.request

        with urllib.request.urlopen(f"{self.url}api/models") as r:
            version = {m["name"]: m["version"] for m in json.load(r)}[name]
        with urllib.request.urlopen(f"{self.url}api/models/{name}/versions/{version}/{file}") as r:
            return r.read()

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        if self._store_tmp is not None:
            self._store_tmp.cleanup()


def launch_args() -> dict:
    return {"executable_path": CHROMIUM, "args": list(CHROMIUM_ARGS), "headless": True}


BOOT_JS = "async () => { await globalThis.tfjsReady; return globalThis.tfjsReadyMs; }"

# Runs Python in the page and returns its result converted to plain JS (dicts become objects).
RUN_PY_JS = """async (code) => {
  const py = await globalThis.tfjsReady;
  const result = await py.runPythonAsync(code);
  if (result && typeof result.toJs === "function") {
    const value = result.toJs({dict_converter: Object.fromEntries, create_pyproxies: false});
    result.destroy();
    return value;
  }
  return result;
}"""


def run_py(page, code: str):
    """Run Python code in the booted page; the value of its last expression comes back (JSON-able)."""
    return page.evaluate(RUN_PY_JS, code)


def run_async(awaitable):
    """Run a coroutine to completion under CPython from a test, in a thread of its own.

    Playwright's sync API keeps an event loop running in the main thread, so asyncio.run() cannot be
    called there once a browser test ran.
    """
    import asyncio
    import concurrent.futures

    async def main():
        return await awaitable

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def add_reference_tfjs(page, wasm: bool = False) -> str:
    """Load the real TF.js (npm @tensorflow/tfjs, copied to dist/reference/) into the page as global `tf`.

    With wasm=True the wasm backend is loaded too (not selected). Returns TF.js's version.
    """
    page.add_script_tag(url="reference/tf.min.js")
    if wasm:
        page.add_script_tag(url="reference/tf-backend-wasm.min.js")
        page.evaluate("tf.wasm.setWasmPaths(new URL('reference/', location.href).href)")
    return page.evaluate("tf.version.tfjs")
