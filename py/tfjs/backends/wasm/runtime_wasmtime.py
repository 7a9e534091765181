"""The kernel module under CPython through wasmtime (PyPI), for fast kernel tests without a browser.

The module imports its memory; here that is a wasmtime memory of our own, viewed as one numpy byte array.
Arrays the kernels read or write are placed in it (``empty`` hands out views of it, ``addr`` copies an array
in when it is not there yet). Allocation is a bump pointer: :meth:`WasmtimeHost.reset` frees everything.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np

from .host import Host

PAGE = 65536
ALIGN = 64
RESERVED = 1024  # address 0 stays unused, so that a null pointer means "no argument"


class WasmtimeHost(Host):
    def __init__(self, wasm_path: str | Path, max_bytes: int = 1 << 30):
        import wasmtime

        self._wt = wasmtime
        self.store = wasmtime.Store()
        self.max_pages = max_bytes // PAGE
        self.memory = wasmtime.Memory(self.store, wasmtime.MemoryType(wasmtime.Limits(16, self.max_pages)))
        module = wasmtime.Module.from_file(self.store.engine, str(wasm_path))
        instance = wasmtime.Instance(self.store, module, [self.memory])
        self._exports = instance.exports(self.store)
        super().__init__(None)
        self._top = RESERVED
        self._view()

    def _view(self):
        size = self.memory.data_len(self.store)
        ptr = ctypes.addressof(self.memory.data_ptr(self.store).contents)
        if getattr(self, "_base", ptr) != ptr:  # wasmtime reserves the whole 32-bit space: never expected
            raise RuntimeError("the wasmtime memory moved when it grew; earlier arrays are no longer valid")
        self._base = ptr
        self._bytes = np.frombuffer((ctypes.c_ubyte * size).from_address(ptr), np.uint8)

    def call(self, name: str, *args):
        return self._exports[name](self.store, *[float(a) if isinstance(a, (float, np.floating)) else int(a)
                                                 for a in args])

    def reset(self) -> None:
        self._top = RESERVED

    def empty(self, shape, dtype=np.float32) -> np.ndarray:
        dtype = np.dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64))
        nbytes = max(count * dtype.itemsize, 1)
        start = -(-self._top // ALIGN) * ALIGN
        end = start + nbytes
        have = self.memory.data_len(self.store)
        if end > have:
            pages = -(-(end - have) // PAGE)
            if have // PAGE + pages > self.max_pages:
                raise MemoryError(f"wasmtime host: {end} bytes needed, at most {self.max_pages * PAGE}")
            self.memory.grow(self.store, pages)
            self._view()
        self._top = end
        return self._bytes[start:start + count * dtype.itemsize].view(dtype).reshape(shape)

    def owns(self, array: np.ndarray) -> bool:
        ptr = array.ctypes.data
        return self._base <= ptr < self._base + len(self._bytes)

    def addr(self, array: np.ndarray) -> int:
        if not self.owns(array):
            raise ValueError("array is not in the module's memory")
        return array.ctypes.data - self._base
