"""Where the wasm kernels run: a module's exports and the memory they address.

A host gives the kernels three things: ``call(name, *args)`` (an export of the module), ``addr(array)`` (the
byte address, in the module's memory, of a C-contiguous float32/int32 array already there) and
``empty(shape, dtype)`` (a new array in that memory).

In the page the module imports Pyodide's own ``WebAssembly.Memory`` (see tfjs.platform.wasm): every numpy
array already lives in it, ``addr`` is the array's data pointer and ``empty`` is ``np.empty``; no activation
is ever copied. :class:`WasmtimeHost` runs the same module under CPython (wasmtime from PyPI) over a memory of
its own, for the kernel tests.
"""

from __future__ import annotations

import numpy as np


class Host:
    """The page's host: the module shares the interpreter's memory, so addresses are numpy data pointers."""

    def __init__(self, exports):
        self.exports = exports
        self._fns: dict[str, object] = {}
        self.tables: dict[tuple, tuple] = {}  # per-model tables the kernels derive once (batch-norm factors)
        self.calls: dict[tuple, tuple] = {}   # convolutions' prepared calls (kernels.py), per weights and shapes

    def call(self, name: str, *args):
        fn = self._fns.get(name)
        if fn is None:
            fn = self._fns[name] = getattr(self.exports, name)
        return fn(*args)

    def addr(self, array: np.ndarray) -> int:
        return array.__array_interface__["data"][0]

    def empty(self, shape, dtype=np.float32) -> np.ndarray:
        return np.empty(shape, dtype)

    def owns(self, array: np.ndarray) -> bool:
        return True
