"""The wasm backend object: the kernel table, the packed-weight cache, cpu fallbacks and their report.

Tensors are plain numpy arrays: in the page the kernel module shares Pyodide's memory, so a wasm kernel reads
and writes numpy buffers in place and an op without a wasm kernel runs the cpu kernel on the same arrays,
with nothing to download or upload. :meth:`WasmBackend.fallback_report` lists those ops.
"""

from __future__ import annotations

import time
from typing import Callable

from .. import Backend
from ...errors import TfjsError
from . import kernels as K


class WasmError(TfjsError):
    """The wasm backend cannot start here (no SIMD128, no kernel module, not in the page)."""


def _kernel_table(host, packed) -> dict[str, Callable]:
    def binary(op):
        return lambda a, b: K.binary(host, op, a, b)

    def unary(activation):
        return lambda x: K.unary(host, activation, x)

    def matmul(a, b, transpose_a=False, transpose_b=False):
        return K.matmul(host, packed, a, b, transpose_a, transpose_b)

    table = {
        "Conv2D": lambda x, f, strides=1, pad="valid", dilations=1: K.conv2d(host, packed, x, f, strides, pad,
                                                                              dilations),
        "DepthwiseConv2dNative": lambda x, f, strides=1, pad="valid", dilations=1: K.depthwise2d(
            host, x, f, strides, pad, dilations),
        "MaxPool": lambda x, ksize, strides, pad: K.pool2d(host, x, ksize, strides, pad, "max"),
        "AvgPool": lambda x, ksize, strides, pad: K.pool2d(host, x, ksize, strides, pad, "avg"),
        "Mean": lambda x, axis=None, keep_dims=False: K.mean(host, x, axis, keep_dims),
        "MatMul": matmul, "BatchMatMul": matmul,
        "Relu": unary("relu"), "Relu6": unary("relu6"), "Sigmoid": unary("sigmoid"),
        "LeakyRelu": lambda x, alpha=0.2: K.unary(host, "leakyrelu", x, alpha),
        "Elu": lambda x, alpha=1.0: K.unary(host, "elu", x, alpha),
        "Prelu": lambda x, alpha: K.unary(host, "prelu", x, 0.0, alpha),
        "Softmax": lambda x, axis=-1: K.softmax(host, x, axis),
        "FusedBatchNorm": lambda x, mean, variance, offset=None, scale=None, variance_epsilon=1e-3: K.batch_norm(
            host, x, mean, variance, offset, scale, variance_epsilon),
        "ResizeBilinear": lambda x, size, align_corners=False, half_pixel_centers=False: K.resize_bilinear(
            host, x, size, align_corners, half_pixel_centers),
    }
    table.update({op: binary(op) for op in K.BINARY})
    return table


class WasmBackend(Backend):
    """Kernels in a WebAssembly SIMD128 module over the interpreter's own memory; the rest on cpu kernels."""

    def __init__(self, host=None, cpu: Backend | None = None):
        super().__init__("wasm")
        if host is None:
            from ...platform import wasm as wasmplat
            from .host import Host

            try:
                host = Host(wasmplat.kernel_exports())
            except wasmplat.WasmUnavailable as e:
                raise WasmError(f"The wasm backend is not available: {e}. Use tf.set_backend('cpu').") from None
        from .. import find_backend

        self.host = host
        self.cpu = cpu or find_backend("cpu")
        self.packed = K.Packed(host)
        self.wasm_kernels = _kernel_table(host, self.packed)
        self.fallbacks: dict[str, dict[str, float]] = {}
        self.wasm_calls = 0
        self.profile: dict[str, list[float]] | None = None   # {op (or "op (cpu)"): [ms, ...]} while profiling
        for name in set(self.cpu.kernels) | set(self.wasm_kernels):
            self.kernels[name] = self._dispatcher(name)

    def wasm_ops(self) -> list[str]:
        """Op names with a wasm kernel (the others, and inputs a kernel does not claim, run on cpu kernels)."""
        return sorted(self.wasm_kernels)

    def _dispatcher(self, name: str) -> Callable:
        wasm_kernel = self.wasm_kernels.get(name)
        cpu_kernel = self.cpu.kernels.get(name)

        def run(*args, **attrs):
            if wasm_kernel is not None:
                t0 = time.perf_counter()
                try:
                    out = wasm_kernel(*args, **attrs)
                except K.NotInWasm:
                    pass
                else:
                    self.wasm_calls += 1
                    if self.profile is not None:
                        self.profile.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
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
        """Ops that ran on the cpu kernel (no wasm kernel, or inputs it does not claim): calls and time spent."""
        return {k: {"calls": int(v["calls"]), "ms": round(v["ms"], 3)} for k, v in sorted(self.fallbacks.items())}

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
        """Drop the packed weights (they are packed again on next use)."""
        self.packed.clear()

    def memory(self) -> dict:
        from ...platform import wasm as wasmplat
        from ...platform import webgl as glplat

        return {"backend": "wasm", "numTensors": 0, "numPackedWeights": len(self.packed),
                "numBytesInWasmHeap": wasmplat.memory_bytes(), "numJsRefs": glplat.js_refs()}


def create_wasm_backend() -> WasmBackend:
    return WasmBackend()
