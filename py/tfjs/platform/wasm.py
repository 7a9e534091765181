"""The page's wasm kernel module: loaded by the app's boot script (web/boot.js) into Pyodide's own memory.

``globalThis.tfjsWasmKernels`` is ``{exports, memory, file}`` when the module is up, ``{error}`` when it is not
(no SIMD128 in this browser, no module in the build, Pyodide started by someone else's code). Under CPython
there is no such module: numpy with BLAS is the fast path there.
"""

from __future__ import annotations

from ..errors import TfjsError
from . import IN_PYODIDE, is_browser, js


class WasmUnavailable(TfjsError):
    """The wasm kernel module is not available in this runtime; the message says why."""


def kernel_exports():
    """The kernel module's exports (a JsProxy), or :class:`WasmUnavailable` naming the reason."""
    if not is_browser():
        where = "CPython" if not IN_PYODIDE else "Pyodide outside a page"
        raise WasmUnavailable(f"the wasm backend runs only in the page (this is {where}; the cpu backend "
                              "uses numpy and BLAS here)")
    state = getattr(js, "tfjsWasmKernels", None)
    if state is None:
        raise WasmUnavailable("the page did not load the wasm kernel module (tfjsWasmKernels is not set: "
                              "Pyodide was not started by the app's boot script)")
    error = getattr(state, "error", None)
    if error:
        raise WasmUnavailable(str(error))
    return state.exports


def available() -> bool:
    try:
        kernel_exports()
    except WasmUnavailable:
        return False
    return True


def memory_bytes() -> int:
    """The size of the memory the kernels share with Pyodide, in bytes (its high-water mark: it never shrinks)."""
    state = getattr(js, "tfjsWasmKernels", None)
    if state is None or getattr(state, "memory", None) is None:
        return 0
    return int(state.memory.buffer.byteLength)
