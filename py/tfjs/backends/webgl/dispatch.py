"""Dispatch and profiling of the webgl backend: each op runs its webgl kernel when the registry's predicate
accepts the inputs (or the cpu kernel, with the transfers counted as a fallback), every GPU pass runs through
:meth:`DispatchMixin.run`, and passes, uploads and readbacks are timed while profiling.
"""

from __future__ import annotations

import time
import weakref
from typing import Callable

import numpy as np

from ..registry import kernel_configs
from .errors import NotOnGPU
from .tensor import F32, GPUTensor

SMALL = 1024          # all-CPU inputs up to this many elements: run the cpu kernel, no upload


class Stats:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fallbacks: dict[str, dict[str, int]] = {}
        self.uploads = 0
        self.upload_bytes = 0
        self.downloads = 0
        self.download_bytes = 0
        self.programs_run = 0
        self.cpu_small = 0

    def fallback(self, op: str, downloads: int):
        entry = self.fallbacks.setdefault(op, {"calls": 0, "downloads": 0, "uploads": 0})
        entry["calls"] += 1
        entry["downloads"] += downloads


class DispatchMixin:
    """Kernel dispatch, GPU passes and profiling of :class:`~.backend.WebGLBackend`."""

    def _dispatcher(self, name: str) -> Callable:
        gl_kernel = self.gl_kernels.get(name)
        config = kernel_configs("webgl").get(name)
        supports = config.supports if config is not None else None
        dtypes = frozenset(config.dtypes) if config is not None else frozenset(("float32",))
        generator = config is not None and config.generator
        cpu_kernel = self.cpu.kernels.get(name)

        def run(*args, **attrs):
            self._check_alive()
            if gl_kernel is not None and (generator or _any_gpu(args) or not _small(args)) \
                    and _gpu_dtypes_in(args, dtypes) \
                    and (supports is None or supports(*args, **attrs)):
                try:
                    return gl_kernel(*args, **attrs)
                except NotOnGPU:
                    pass
            if cpu_kernel is None:
                from ...errors import UnsupportedError

                raise UnsupportedError(f"Op '{name}' has no kernel in the 'webgl' backend or the 'cpu' backend")
            if not _any_gpu(args):
                self.stats.cpu_small += 1
                return cpu_kernel(*args, **attrs)
            downloads = [0]
            host_args = _host(args, downloads)
            t0 = time.perf_counter() if self.profile is not None else 0.0
            out = cpu_kernel(*host_args, **attrs)
            self.stats.fallback(name, downloads[0])
            for arr in (out if isinstance(out, (list, tuple)) else [out]):
                if isinstance(arr, np.ndarray) and arr.dtype == F32 and arr.size > SMALL:
                    key = id(arr)
                    products = self._fallback_products
                    products[key] = (weakref.ref(arr, lambda _r, key=key: products.pop(key, None)), name)
            if self.profile is not None:
                self._time(f"{name} (cpu fallback)", t0)
            return out

        run.__name__ = f"webgl_{name}"
        return run

    def run(self, source: str, inputs: list[GPUTensor], out_shape, params=(), floats=(),
            label: str = "pass", key=None) -> GPUTensor:
        """Run the program of ``source`` over the output texels and return the output tensor; ``label`` names
        the pass in profiles, ``key`` what the program computes (see ``program``)."""
        texs = [x.texture for x in inputs]
        pid = self.program(source, len(texs), key)
        n = 1
        for d in out_shape:
            n *= int(d)
        out = self._alloc(n, self.out_width(out_shape))
        ints = [out.w, n] + [t.w for t in texs] + [int(p) for p in params]
        profiling = self.profile is not None
        if profiling:
            if self.has_timer_query:
                self._profile_labels.append(label)
            else:  # wall time of this pass alone: its inputs are ready before, its output written after
                for tex in texs:
                    self._gl.sync(tex.id)
                t0 = time.perf_counter()
        self._gl.run(pid, out.id, out.w, out.h, [t.id for t in texs], ints, [float(f) for f in floats])
        if profiling and not self.has_timer_query:
            self._gl.sync(out.id)
            self._time(label, t0)
        self.stats.programs_run += 1
        return GPUTensor(self, out_shape, out)

    @property
    def has_timer_query(self) -> bool:
        return bool(self._gl is not None and self._gl.has_timer_query)

    def start_profile(self) -> None:
        """Time every GPU pass as it runs, without changing what runs (epilogues stay fused): GPU time from
        EXT_disjoint_timer_query_webgl2 where the context has it, else wall time from the pass's inputs being
        ready to its output being written (a one-texel readback on each side: gl.finish() does not wait for
        SwiftShader). Fallbacks (cpu kernel), uploads and readbacks are timed as wall time."""
        self.profile = {}
        self._profile_labels = []
        self._gl.set_profiling(True)

    async def stop_profile(self) -> dict:
        """The profile since :meth:`start_profile`: {"timer": "gpu" | "wall", "ops": {label: [ms, ...]}}."""
        import asyncio

        prof, labels = self.profile or {}, self._profile_labels
        self.profile = None
        self._profile_labels = []
        self._gl.set_profiling(False)
        timer = "wall"
        if self.has_timer_query:
            self.finish()
            times = None
            for _ in range(200):  # query results arrive on a later turn of the event loop
                times = self._gl.query_times()
                if times is not None:
                    break
                await asyncio.sleep(0.005)
            if times and len(times) == len(labels):
                timer = "gpu"
                for label, ms in zip(labels, times):
                    prof.setdefault(label, []).append(ms)
        return {"timer": timer, "ops": prof}

    def _time(self, label: str, t0: float) -> None:
        self.profile.setdefault(label, []).append((time.perf_counter() - t0) * 1000)


def _any_gpu(args) -> bool:
    for a in args:
        if isinstance(a, GPUTensor):
            return True
        if isinstance(a, (list, tuple)) and _any_gpu(a):
            return True
    return False


def _gpu_dtypes_in(args, dtypes) -> bool:
    """Every GPU tensor among the inputs has a dtype the kernel takes (its registry ``dtypes``): a bool or int32
    tensor reaches only the kernels written for it, the others read it back (as its dtype) and run on the cpu."""
    for a in args:
        if isinstance(a, GPUTensor):
            if a.dtype.name not in dtypes:
                return False
        elif isinstance(a, (list, tuple)) and not _gpu_dtypes_in(a, dtypes):
            return False
    return True


def _small(args) -> bool:
    for a in args:
        if isinstance(a, np.ndarray):
            if a.size > SMALL:
                return False
        elif isinstance(a, (list, tuple)) and a and isinstance(a[0], np.ndarray) and not _small(a):
            return False
    return True


def _host(args, counter):
    out = []
    for a in args:
        if isinstance(a, GPUTensor):
            if a._host is None:
                counter[0] += 1
            out.append(a.numpy())
        elif isinstance(a, list):
            out.append(_host(a, counter))
        elif isinstance(a, tuple):
            out.append(tuple(_host(a, counter)))
        else:
            out.append(a)
    return out


def _host_copy(value):
    if isinstance(value, GPUTensor):
        return np.array(value.numpy())
    if isinstance(value, list):
        return [_host_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_host_copy(v) for v in value)
    return value
