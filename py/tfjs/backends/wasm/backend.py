"""The wasm backend object: the kernel table, the packed-weight cache, cpu fallbacks and their report.

Tensors are plain numpy arrays: in the page the kernel module shares Pyodide's memory, so a wasm kernel reads
and writes numpy buffers in place and an op without a wasm kernel runs the cpu kernel on the same arrays,
with nothing to download or upload. :meth:`WasmBackend.fallback_report` lists those ops.
"""

from __future__ import annotations

import time
from typing import Callable

from ...errors import TfjsError
from ..base import Backend
from . import kernels as K


class WasmError(TfjsError):
    """The wasm backend cannot start here (no SIMD128, no kernel module, not in the page)."""


class WasmBackend(Backend):
    """Kernels in a WebAssembly SIMD128 module over the interpreter's own memory; the rest on cpu kernels."""

    def __init__(self, host=None, cpu: Backend | None = None):
        if host is None:
            from ...platform import wasm as wasmplat
            from .host import Host

            try:
                host = Host(wasmplat.kernel_exports())
            except wasmplat.WasmUnavailable as e:
                raise WasmError(f"The wasm backend is not available: {e}. Use tf.set_backend('cpu').") from None
        from ..manager import find_backend

        self.host = host
        self.packed = K.Packed(host)
        super().__init__("wasm")  # binds the registered wasm kernels (registration.py) to this module
        self.cpu = cpu or find_backend("cpu")
        self.wasm_kernels = self.kernels
        self.kernels = {}
        self.fallbacks: dict[str, dict[str, float]] = {}
        self.wasm_calls = 0
        self.profile: dict[str, list[float]] | None = None   # {op (or "op (cpu)"): [ms, ...]} while profiling
        for name in set(self.cpu.kernels) | set(self.wasm_kernels):
            self.kernels[name] = self._dispatcher(name)

    def wasm_ops(self) -> list[str]:
        """Op names with a wasm kernel (the others, and inputs a kernel does not claim, run on cpu kernels)."""
        return sorted(self.wasm_kernels)

    def _dispatcher(self, name: str) -> Callable:
        from ..registry import get_kernel_config
        from .registration import REFERENCES

        wasm_kernel = self.wasm_kernels.get(name)
        config = get_kernel_config("wasm", name)
        supports = config.supports if config is not None else None
        cpu_kernel = self.cpu.kernels.get(name)
        if cpu_kernel is None and name in REFERENCES:
            cpu_kernel = REFERENCES[name](self.cpu)

        def run(*args, **attrs):
            if wasm_kernel is not None and (supports is None or supports(*args, **attrs)):
                profile = self.profile
                t0 = time.perf_counter() if profile is not None else 0.0
                try:
                    out = wasm_kernel(*args, **attrs)
                except K.NotInWasm:
                    pass
                else:
                    self.wasm_calls += 1
                    if profile is not None:
                        profile.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
                    return out
            if cpu_kernel is None:
                from ...errors import UnsupportedError

                raise UnsupportedError(f"Op '{name}' has no kernel in the 'wasm' backend or the 'cpu' backend")
            t0 = time.perf_counter()
            out = cpu_kernel(*args, **attrs)
            entry = self.fallbacks.setdefault(name, {"calls": 0, "ms": 0.0})
            entry["calls"] += 1
            ms = (time.perf_counter() - t0) * 1000
            entry["ms"] += ms
            if self.profile is not None:
                self.profile.setdefault(f"{name} (cpu)", []).append(ms)
            return out

        run.__name__ = f"wasm_{name}"
        return run

    def fallback_report(self) -> dict:
        """Ops that ran on the cpu kernel (no wasm kernel, or inputs it does not claim): calls and the time
        they took. Nothing moves: the cpu kernel reads the same buffers (downloads and uploads are 0)."""
        return {k: {"calls": int(v["calls"]), "downloads": 0, "uploads": 0, "ms": round(v["ms"], 3)}
                for k, v in sorted(self.fallbacks.items())}

    def release(self, arrays) -> None:
        """Forget the packed copies of these weights and the tables derived from them (a disposed model's)."""
        arrays = list(arrays)
        self.packed.release(arrays)
        ids = {id(a) for a in arrays}
        for table in (self.host.tables, self.host.calls):
            for key, (refs, _) in list(table.items()):
                if any(r is not None and id(r()) in ids for r in refs):
                    del table[key]

    def start_profile(self) -> None:
        """Time every op from now on (wall time of its kernel, wasm or cpu)."""
        self.profile = {}

    def stop_profile(self) -> dict:
        """{op: [ms, ...]} since :meth:`start_profile`; ops that ran on the cpu kernel are labelled "(cpu)"."""
        prof, self.profile = self.profile or {}, None
        return prof

    def reset_stats(self) -> None:
        self.fallbacks.clear()
        self.wasm_calls = 0

    def release_cached(self) -> None:
        """Drop the packed weights and the prepared calls that hold them (made again on next use)."""
        self.packed.clear()
        self.host.calls.clear()

    def memory(self) -> dict:
        from ...platform import wasm as wasmplat
        from ...platform import webgl as glplat

        return {"backend": "wasm", "numTensors": 0, "numPackedWeights": len(self.packed),
                "numDerivedTables": len(self.host.tables), "numPreparedCalls": len(self.host.calls),
                "numBytesInWasmHeap": wasmplat.memory_bytes(), "numJsRefs": glplat.js_refs()}


def create_wasm_backend() -> WasmBackend:
    return WasmBackend()
