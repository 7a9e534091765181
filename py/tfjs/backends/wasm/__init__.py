"""The wasm backend: SIMD128 kernels of our own (wasm/kernels/*.c) in a WebAssembly module, in the page.

    import tfjs as tf
    tf.set_backend("wasm")                   # in the page; a clear error (and still cpu) where it cannot run
    y = model.predict(x)                     # conv, matmul, depthwise, pooling ... run in the module
    tf.backends.wasm.current().fallback_report()   # ops that ran on the cpu kernel instead

The module shares Pyodide's memory, so numpy arrays are its tensors: no copies between ops. Under CPython the
backend is not registered (numpy with BLAS is the fast path there); the kernels can still be run there
through wasmtime (:mod:`tfjs.backends.wasm.runtime_wasmtime`) for tests.
"""

from __future__ import annotations

from ...platform import is_browser
from ..manager import register_backend
from . import registration
from .backend import WasmBackend, WasmError, create_wasm_backend
from .kernels import NotInWasm


def current() -> WasmBackend:
    """The wasm backend instance (started if needed)."""
    from ..manager import find_backend

    return find_backend("wasm")


registration.register()  # the kernels are listed everywhere (registered_ops("wasm")); the backend runs in the page

if is_browser():  # pragma: no cover - exercised by the end-to-end tests in Chromium
    from ...platform import wasm as _wasmplat

    # the default where the kernel module is up (SIMD128 present); otherwise offered below cpu, so that
    # choosing it gives the reason it cannot start
    register_backend("wasm", create_wasm_backend, priority=2 if _wasmplat.available() else -1)

__all__ = ["WasmBackend", "WasmError", "NotInWasm", "current", "create_wasm_backend"]
