"""The webgl backend object: its context, lifecycle and the contract's hooks (tfjs.backends.base).

Its parts live beside it: textures (allocation, pool, layouts), uploads (transfers and their caches),
program (the shader frame and the program cache keyed by source), dispatch (webgl kernel or cpu fallback,
GPU passes, profiling). The kernels are in :mod:`tfjs.backends.webgl.kernels`, one module per family,
registered with the kernel registry.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from ..base import Backend
from .dispatch import DispatchMixin, Stats, _host_copy
from .errors import WebGLError
from .program import ProgramsMixin
from .tensor import GPUTensor, Texture
from .textures import TexturesMixin
from .uploads import UploadsMixin


class WebGLBackend(DispatchMixin, ProgramsMixin, TexturesMixin, UploadsMixin, Backend):
    """Kernels on WebGL2 with tensors that stay on the GPU; ops it has no kernel for run on the cpu kernels."""

    reads_pixels = True  # from_pixels: the browser copies an image element straight into a texture

    def __init__(self, context=None, cpu: Backend | None = None):
        super().__init__("webgl")  # binds the registered webgl kernels (tfjs.backends.webgl.kernels)
        from ...platform import webgl as glplat

        self.generation = 0
        self._gl = None
        try:
            self._gl = context or glplat.create_context()
        except glplat.WebGLUnavailable as e:
            raise WebGLError(f"The webgl backend is not available: {e}. Use tf.set_backend('cpu').") from None
        from ..manager import find_backend

        self.cpu = cpu or find_backend("cpu")
        self.programs: dict[str, tuple[int, int, set]] = {}  # shader source -> (program, textures, keys)
        self.compile_ms = 0.0
        self._pool: dict[tuple[int, int], list[int]] = {}
        self._pool_bytes = 0
        self._in_use = 0
        self._tensors: "weakref.WeakSet[GPUTensor]" = weakref.WeakSet()
        self._uploads: dict[tuple, Texture] = {}
        self._owners: dict[int, tuple[Any, list]] = {}
        self._fallback_products: dict[int, tuple] = {}
        self._index_cache: "OrderedDict[Any, Any]" = OrderedDict()
        self._index_bytes = 0
        self.stats = Stats()
        # per-pass times while profiling: {label: [ms, ...]}; see start_profile / stop_profile
        self.profile: dict[str, list[float]] | None = None
        self._profile_labels: list[str] = []
        self.disposed = False
        self.lost = False
        self._model_depth = 0
        self.gl_kernels: dict[str, Callable] = self.kernels
        self.kernels = {}
        for name in self.cpu.kernels:
            self.kernels[name] = self._dispatcher(name)
        for name in self.gl_kernels:
            self.kernels[name] = self._dispatcher(name)

    # ------------------------------------------------------------------ registry surface
    def gpu_ops(self) -> list[str]:
        """Op names with a WebGL kernel (the rest run on the cpu kernel, with transfers)."""
        return sorted(self.gl_kernels)

    # ------------------------------------------------------------------ lifecycle
    def _check_alive(self):
        if self.lost or (not self.disposed and self._gl.is_lost()):
            if not self.lost:
                self.lost = True
                self.dispose()  # frees the JS side; tf.set_backend('webgl') then starts a new context
            raise WebGLError("The WebGL context was lost: the tensors on the GPU are gone. Call "
                             "tf.set_backend('webgl') again to start a new context (then load or re-run the "
                             "model), or tf.set_backend('cpu').")
        if self.disposed:
            raise WebGLError("The webgl backend was disposed; call tf.set_backend('webgl') for a new one")

    def finish(self):
        self._gl.finish()

    def _track(self, tensor: GPUTensor):
        self._tensors.add(tensor)

    def memory(self) -> dict:
        """Live tensors, textures (in use, pooled, and all the JS side holds: count and bytes), caches, and the
        JS objects Python references (``numJsRefs``: Pyodide's count of live JsProxies and runtime refs)."""
        from ...platform import webgl as glplat

        live = len(self._tensors)
        pooled = sum(len(v) for v in self._pool.values())
        gl = self._gl if self._gl is not None and self._gl._g is not None else None
        return {"backend": "webgl", "numTensors": live, "numTexturesInUse": self._in_use,
                "numTexturesPooled": pooled, "numBytesPooled": self._pool_bytes,
                "numTexturesInGPU": gl.live_textures() if gl else 0,
                "numBytesInGPU": gl.live_bytes() if gl else 0,
                "numPrograms": len(self.programs), "numUploadsCached": len(self._uploads),
                "numUploadOwners": len(self._owners), "numFallbackProducts": len(self._fallback_products),
                "numIndexMapsCached": len(self._index_cache), "numIndexMapBytes": self._index_bytes,
                "numJsListeners": gl.js_listeners() if gl else 0, "numJsRefs": glplat.js_refs()}

    def fallback_report(self) -> dict:
        """Ops that ran on the cpu kernel with GPU inputs: calls, downloads and uploads they cost."""
        return {k: dict(v) for k, v in sorted(self.stats.fallbacks.items())}

    def release_cached(self) -> None:
        """Free cached uploads (weights) and index maps; pooled textures too."""
        self._uploads.clear()
        self._owners.clear()
        self._index_cache.clear()
        self._index_bytes = 0
        self.empty_pool()

    def dispose(self) -> None:
        """Free every texture, program and JS object of this backend (tensors become unusable)."""
        if self.disposed:
            return
        self.release_cached()
        self.disposed = True
        self.generation += 1
        if self._gl is not None:
            self._gl.destroy()

    def lose_context(self) -> bool:
        """Simulate a WebGL context loss (tests)."""
        return self._gl.lose_context()

    # ------------------------------------------------------------------ the contract's model and report hooks
    def run_model(self, run, weights=()):
        """Run a model with GPU tensors flowing between its ops: the weights are frozen (uploaded once and
        cached), and the outputs read back once, unless this run is nested in another (a model as a layer)."""
        self._check_alive()
        self.freeze(weights)
        depth = self._model_depth
        self._model_depth = depth + 1
        try:
            out = run()
        finally:
            self._model_depth = depth
        return _host_copy(out) if depth == 0 else out

    def read(self, value) -> np.ndarray:
        return value.numpy() if isinstance(value, GPUTensor) else np.asarray(value)

    def compile_stats(self) -> dict:
        return {"programs": len(self.programs), "compile_ms": self.compile_ms}

    def release(self, arrays) -> None:
        self.release_arrays(arrays)


def create_webgl_backend() -> WebGLBackend:
    return WebGLBackend()
