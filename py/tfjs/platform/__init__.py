"""The one module that touches the JavaScript FFI.

Everything else in the package asks this module whether it runs in a browser and uses its helpers to
move bytes and objects across the boundary. Under CPython the module imports cleanly; the helpers that
need a browser raise :class:`~tfjs.errors.BrowserOnlyError` saying so.
"""

from __future__ import annotations

import sys
from typing import Any

from ..errors import BrowserOnlyError

IN_PYODIDE = sys.platform == "emscripten"

if IN_PYODIDE:  # pragma: no cover - exercised by the end-to-end tests in Chromium
    import js  # type: ignore[import-not-found]
    import pyodide.ffi as ffi  # type: ignore[import-not-found]
    import pyodide_js  # type: ignore[import-not-found]
else:
    js = ffi = pyodide_js = None


def is_browser() -> bool:
    """True when running under Pyodide in a page or a web worker (not under CPython or Node)."""
    if not IN_PYODIDE:
        return False
    return hasattr(js, "document") or hasattr(js, "WorkerGlobalScope")


def require_browser(feature: str) -> None:
    """Raise a clear error naming ``feature`` unless running in a browser."""
    if not is_browser():
        where = f"CPython {sys.version.split()[0]}" if not IN_PYODIDE else "Pyodide outside a browser"
        raise BrowserOnlyError(f"{feature} is only available in a web browser (Pyodide in a page); "
                               f"this is {where}.")


def _browser_module():
    require_browser("The JavaScript bridge")
    return js


def to_uint8array(data: Any):
    """Copy a Python buffer (bytes, bytearray, memoryview, contiguous numpy array) into a new JS Uint8Array.

    One copy: the typed array is allocated on the JS side and filled straight from the Python buffer.
    """
    jsmod = _browser_module()
    view = memoryview(data)
    if not view.contiguous:
        view = memoryview(view.tobytes())
    view = view.cast("B")
    out = jsmod.Uint8Array.new(view.nbytes)
    if view.nbytes:
        out.assign(view)
    return out


def to_array_buffer(data: Any):
    """Copy a Python buffer into a new JS ArrayBuffer (one copy)."""
    return to_uint8array(data).buffer


def to_bytes(js_data: Any) -> bytes:
    """Copy a JS ArrayBuffer, TypedArray or DataView into Python bytes (one copy)."""
    jsmod = _browser_module()
    if isinstance(js_data, (bytes, bytearray, memoryview)):
        return bytes(js_data)
    if js_data.constructor.name == "ArrayBuffer":
        js_data = jsmod.Uint8Array.new(js_data)
    elif js_data.constructor.name != "Uint8Array":
        js_data = jsmod.Uint8Array.new(js_data.buffer, js_data.byteOffset, js_data.byteLength)
    return js_data.to_bytes()


def to_js(value: Any) -> Any:
    """Convert Python data to JS, turning dicts into plain objects (what web APIs expect), not Maps."""
    _browser_module()
    return ffi.to_js(value, dict_converter=js.Object.fromEntries, create_pyproxies=False)


def to_py(value: Any) -> Any:
    """Convert a JS value (object, array, primitive) to Python data (dict, list, ...)."""
    if IN_PYODIDE and isinstance(value, ffi.JsProxy):
        return value.to_py()
    return value


async def load_packages(names: list[str] | str) -> None:
    """Load Pyodide packages served beside the page (e.g. scipy, loaded on demand: it is large).

    Under CPython the packages are imported from the environment, so this only checks they import.
    """
    names = [names] if isinstance(names, str) else list(names)
    if IN_PYODIDE:
        await pyodide_js.loadPackage(to_js(names))
        return
    import importlib

    for name in names:
        importlib.import_module(name)
