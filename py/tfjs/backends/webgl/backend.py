"""The webgl backend object: context, program cache, texture pool, uploads, readbacks, fallbacks, stats.

Every GPU step goes through :meth:`WebGLBackend.run`: a program (compiled once per key), input tensors,
an output shape, integer and float parameters (uniforms). Data layout: a tensor of n float32 values lives
in an RGBA32F texture of w x h texels, element i in texel i // 4, channel i % 4, texel t at (t % w, t // w).
"""

from __future__ import annotations

import math
import time
import warnings
import weakref
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from .. import Backend
from ...errors import TfjsError
from .tensor import F32, GPUTensor, Texture

MAX_WIDTH = 4096
SMALL = 1024          # all-CPU inputs up to this many elements: run the cpu kernel, no upload
MAX_EXACT_INDEX = 1 << 24
POOL_MAX_BYTES = 256 << 20        # free textures kept for reuse; past this, released textures are deleted
INDEX_CACHE_MAX_BYTES = 64 << 20  # index maps of layout ops (least recently used go first)
INDEX_CACHE_MAX = 512


class WebGLError(TfjsError):
    """The WebGL backend cannot go on (no context, context lost, missing float render targets)."""


class NotOnGPU(Exception):
    """A webgl kernel declines these inputs/attributes; the op runs on the cpu kernel instead."""


HEADER = """#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
out vec4 o;
"""


def program_source(ntex: int, nparams: int, nfloats: int, body: str, helpers: str = "") -> str:
    """A fragment shader: ui[0] output width, ui[1] output size, ui[2 + k] width of input k, then params;
    uinv[k] is 1 / (width, height) of input k.

    Inputs are read with ``texture()`` at texel centres (nearest filtering: the exact texel) rather than
    ``texelFetch``: under SwiftShader a sampled read costs about two thirds of a fetch. Sampling inside
    branches and loops is exact too: textures have one mip level and nearest filtering, so the level of
    detail (undefined there) selects nothing. ``T{k}(ivec2)`` reads texel (x, y), ``X{k}(t)`` texel t of
    the flat layout, ``S{k}(i)`` element i, ``B{k}(t)`` texel t of a one-row texture."""
    lines = [HEADER, f"uniform int ui[{2 + ntex + max(nparams, 1)}];", f"uniform float uf[{max(nfloats, 1)}];"]
    if ntex:
        lines.append(f"uniform vec2 uinv[{ntex}];")
    for k in range(ntex):
        lines.append(f"uniform sampler2D t{k};")
        lines.append(f"vec4 T{k}(ivec2 c) {{ return texture(t{k}, (vec2(c) + 0.5) * uinv[{k}]); }}")
        lines.append(f"vec4 X{k}(int t) {{ int w = ui[{2 + k}]; return T{k}(ivec2(t % w, t / w)); }}")
        lines.append(f"float S{k}(int i) {{ return X{k}(i >> 2)[i & 3]; }}")
        lines.append(f"vec4 B{k}(int t) {{ return T{k}(ivec2(t, 0)); }}  // a one-row texture")
    lines.append(f"#define P(j) ui[{2 + ntex} + (j)]")
    lines.append("#define NOUT ui[1]")
    lines.append(helpers)
    lines.append("void main() {\n  int t = int(gl_FragCoord.y) * ui[0] + int(gl_FragCoord.x);\n  int i0 = t * 4;\n"
                 "  vec4 r = vec4(0.0);\n" + body + "\n  o = r;\n}")
    return "\n".join(lines)


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


class WebGLBackend(Backend):
    """Kernels on WebGL2 with tensors that stay on the GPU; ops it has no kernel for run on the cpu kernels."""

    def __init__(self, context=None, cpu: Backend | None = None):
        super().__init__("webgl")
        from ...platform import webgl as glplat

        self.generation = 0
        self._gl = None
        try:
            self._gl = context or glplat.create_context()
        except glplat.WebGLUnavailable as e:
            raise WebGLError(f"The webgl backend is not available: {e}. Use tf.set_backend('cpu').") from None
        from .. import find_backend

        self.cpu = cpu or find_backend("cpu")
        self.programs: dict[Any, tuple[int, int]] = {}
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
        self.gl_kernels: dict[str, Callable] = {}
        from . import kernels

        kernels.register(self)
        for name in self.cpu.kernels:
            self.kernels[name] = self._dispatcher(name)
        for name in self.gl_kernels:
            self.kernels[name] = self._dispatcher(name)

    # ------------------------------------------------------------------ registry surface
    def gpu_ops(self) -> list[str]:
        """Op names with a WebGL kernel (the rest run on the cpu kernel, with transfers)."""
        return sorted(self.gl_kernels)

    def _dispatcher(self, name: str) -> Callable:
        gl_kernel = self.gl_kernels.get(name)
        cpu_kernel = self.cpu.kernels.get(name)

        def run(*args, **attrs):
            self._check_alive()
            if gl_kernel is not None and (_any_gpu(args) or not _small(args)):
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

    # ------------------------------------------------------------------ profiling
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

    def empty_pool(self) -> None:
        for ids in self._pool.values():
            for tid in ids:
                self._gl.delete_texture(tid)
        self._pool.clear()
        self._pool_bytes = 0

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

    # ------------------------------------------------------------------ textures
    def _tex_dims(self, n: int, width: int | None = None) -> tuple[int, int]:
        texels = max(1, -(-n // 4))
        w = min(texels, MAX_WIDTH) if width is None else width
        h = -(-texels // w)
        if h > self._gl.max_texture_size:
            raise NotOnGPU()
        return w, h

    def _alloc(self, n: int, width: int | None = None) -> Texture:
        w, h = self._tex_dims(n, width)
        ids = self._pool.get((w, h))
        if ids:
            tid = ids.pop()
            self._pool_bytes -= w * h * 16
        else:
            tid = self._gl.create_texture(w, h)
        self._in_use += 1
        return Texture(self, tid, w, h)

    def _release_texture(self, tex: Texture) -> None:
        tex.backend = None
        if self.disposed or tex.generation != self.generation:
            return
        self._in_use -= 1
        if self.lost:
            return
        nbytes = tex.w * tex.h * 16
        if tex.discard or self._pool_bytes + nbytes > POOL_MAX_BYTES:
            self._gl.delete_texture(tex.id)
            return
        self._pool.setdefault((tex.w, tex.h), []).append(tex.id)
        self._pool_bytes += nbytes

    def reshape(self, x: GPUTensor, shape) -> GPUTensor:
        return GPUTensor(self, shape, x.texture)

    # ------------------------------------------------------------------ transfers
    def upload(self, value, width: int | None = None) -> GPUTensor:
        """A GPU tensor for a numpy value (float32). Read-only arrays are uploaded once and cached.
        ``width``: the texture's width in texels (default: as wide as allowed), e.g. a matrix row per texture
        row, so that a shader steps along its columns and rows without dividing."""
        if isinstance(value, GPUTensor):
            return value
        arr = value if isinstance(value, np.ndarray) else np.asarray(value)
        if arr.dtype != F32:
            if arr.dtype.kind not in "biuf":
                raise NotOnGPU()
            arr = arr.astype(F32)
        key, root = _cache_key(arr)
        if key is not None and width is not None:
            key = key + (width,)
        if key is not None:
            tex = self._uploads.get(key)
            if tex is not None:
                return GPUTensor(self, arr.shape, tex)
        if arr.size > MAX_EXACT_INDEX * 4:
            raise NotOnGPU()
        tex = self._alloc(arr.size, width)
        flat = np.ascontiguousarray(arr).reshape(-1)
        t0 = time.perf_counter() if self.profile is not None else 0.0
        self._gl.upload(tex.id, tex.w, tex.h, flat)
        if self.profile is not None:
            self._time("upload", t0)
        self.stats.uploads += 1
        self.stats.upload_bytes += flat.nbytes
        tag = self._fallback_products.get(id(value)) if isinstance(value, np.ndarray) else None
        if tag is not None and tag[0]() is value:
            entry = self.stats.fallbacks.get(tag[1])
            if entry is not None:
                entry["uploads"] += 1
        if key is not None:
            self._remember(key, root, tex)
        return GPUTensor(self, arr.shape, tex)

    def from_pixels(self, source, width: int, height: int, num_channels: int) -> GPUTensor:
        """A [height, width, num_channels] tensor of an image source's pixel values (0..255): the browser
        copies the pixels from the element into a texture, one program keeps the first channels."""
        self._check_alive()
        if max(width, height) > self._gl.max_texture_size or width > MAX_WIDTH:
            raise NotOnGPU()
        tex = self._alloc(width * height * 4, width)
        self._gl.upload_pixels(tex.id, width, height, source)
        rgba = GPUTensor(self, (height, width, 4), tex)
        body = """  int C = P(0);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int p = i / C;
    r[q] = floor(X0(p)[i - p * C] * 255.0 + 0.5);
  }"""
        return self.run(("from_pixels",), lambda: program_source(1, 1, 0, body), [rgba],
                        (height, width, num_channels), params=(num_channels,))

    def upload_derived(self, arr: np.ndarray, tag, make: Callable[[np.ndarray], np.ndarray], shape,
                       width: int | None = None) -> GPUTensor:
        """A GPU tensor of ``make(arr)`` (a re-laid copy of a weight: transposed, zero-padded) of ``shape``;
        for a read-only ``arr`` made and uploaded once, cached under arr's key and ``tag`` (forgotten with
        arr)."""
        key, root = _cache_key(arr) if isinstance(arr, np.ndarray) else (None, None)
        if key is not None:
            key = key + ("derived", tag, width)
            tex = self._uploads.get(key)
            if tex is not None:
                return GPUTensor(self, tuple(shape), tex)
        value = np.ascontiguousarray(make(np.asarray(arr)), dtype=F32)
        if value.shape != tuple(shape):
            raise ValueError(f"upload_derived: made {value.shape}, expected {tuple(shape)}")
        t = self.upload(value, width=width)
        if key is not None:
            self._remember(key, root, t.texture)
        return t

    def _remember(self, key, root, tex):
        self._uploads[key] = tex
        rid = id(root)
        entry = self._owners.get(rid)
        if entry is None:
            def forget(_ref, rid=rid, backend=weakref.ref(self)):
                b = backend()
                if b is not None:
                    ent = b._owners.pop(rid, None)
                    if ent is not None:
                        for k in ent[1]:
                            tex = b._uploads.pop(k, None)
                            if tex is not None:
                                tex.discard = True
            try:
                ref = weakref.ref(root, forget)
            except TypeError:
                del self._uploads[key]
                return
            entry = self._owners[rid] = (ref, [])
        entry[1].append(key)

    def freeze(self, arrays) -> None:
        """Mark float arrays read-only (model weights): from then on they are uploaded once and cached."""
        for a in arrays:
            if not (isinstance(a, np.ndarray) and a.dtype == F32):
                continue
            # a view's whole buffer too (a dequantized weight is a reshape of a fresh array): the upload
            # cache keys on a read-only root
            root = a
            while isinstance(root.base, np.ndarray):
                root = root.base
            for arr in ((a, root) if root is not a and root.size == a.size else (a,)):
                if arr.flags.writeable:
                    try:
                        arr.flags.writeable = False
                    except ValueError:
                        pass

    def _download(self, t: GPUTensor) -> np.ndarray:
        self._check_alive()
        tex = t.texture
        t0 = time.perf_counter() if self.profile is not None else 0.0
        out = self._gl.read(tex.id, tex.w, t.size)
        if self.profile is not None:
            self._time("readback", t0)
        self.stats.downloads += 1
        self.stats.download_bytes += out.nbytes
        return out.reshape(t.shape)

    # ------------------------------------------------------------------ programs
    def program(self, key, make_source: Callable[[], str], ntex: int) -> int:
        entry = self.programs.get(key)
        if entry is None:
            t0 = time.perf_counter()
            pid = self._gl.compile(make_source(), ntex)
            self.compile_ms += (time.perf_counter() - t0) * 1000
            entry = self.programs[key] = (pid, ntex)
        return entry[0]

    def run(self, key, make_source: Callable[[], str], inputs: list[GPUTensor], out_shape, params=(),
            floats=(), label: str | None = None) -> GPUTensor:
        """Run a program over the output texels and return the output tensor."""
        texs = [x.texture for x in inputs]
        pid = self.program(key, make_source, len(texs))
        n = 1
        for d in out_shape:
            n *= int(d)
        out = self._alloc(n, self.out_width(out_shape))
        ints = [out.w, n] + [t.w for t in texs] + [int(p) for p in params]
        profiling = self.profile is not None
        if profiling:
            label = label or str(key[0] if isinstance(key, tuple) else key)
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

    def out_width(self, shape) -> int | None:
        """The texture width of a pass's output of this shape. Channels a multiple of 4: one pixel (the last
        axis, C / 4 texels) per texture row, so that shaders address pixels and channels as (x, y) without
        dividing; ``pixel_rows`` tells whether a texture is laid out so. Else about square (see _out_width)."""
        n = 1
        for d in shape:
            n *= int(d)
        c = int(shape[-1]) if len(shape) else 1
        if c % 4 == 0 and c >= 16 and c <= 4 * MAX_WIDTH and n:
            # pixels past the max texture height: a few pixels per row (pp, a power of 2 dividing the pixel
            # count), each row still one run of whole pixels (see pixels_per_row)
            pix, pp = n // c, 1
            while pix > pp * self._gl.max_texture_size and pix % (2 * pp) == 0 and 2 * pp * c <= 4 * MAX_WIDTH \
                    and pp < 8:
                pp *= 2
            if pix <= pp * self._gl.max_texture_size:
                return pp * (c >> 2)
        return _out_width(n)

    @staticmethod
    def pixels_per_row(tex, c: int) -> int:
        """How many whole pixels of c channels (c % 4 == 0) each row of a texture holds when its width is a
        multiple of c / 4 (a power of 2 up to 8), else 0: the layout out_width gives channels-last outputs."""
        q = c >> 2
        if q <= 0 or tex.w % q:
            return 0
        pp = tex.w // q
        return pp if pp in (1, 2, 4, 8) else 0

    def _materialize(self, t: GPUTensor) -> Texture:
        plan = t._plan
        if plan is None:
            raise WebGLError("a GPU tensor has neither a texture nor a pending producer")
        return plan.execute(self, t.shape).texture

    # ------------------------------------------------------------------ index maps (layout ops)
    def index_map(self, key, make: Callable[[], np.ndarray]) -> GPUTensor:
        """A cached GPU tensor of source indices (as floats) for a layout op on one input shape."""
        entry = self._index_cache.get(key)
        if entry is not None:
            self._index_cache.move_to_end(key)
            return entry
        idx = make()
        if idx.size and (idx.max() >= MAX_EXACT_INDEX):
            raise NotOnGPU()
        arr = idx.astype(F32)
        arr.flags.writeable = False
        t = self.upload(arr)
        self._index_cache[key] = t
        self._index_bytes += t.texture.w * t.texture.h * 16
        while len(self._index_cache) > 1 and (len(self._index_cache) > INDEX_CACHE_MAX or
                                              self._index_bytes > INDEX_CACHE_MAX_BYTES):
            _, old = self._index_cache.popitem(last=False)
            self._index_bytes -= old.texture.w * old.texture.h * 16
        return t

    # ------------------------------------------------------------------ models
    def layers_run(self, model, run, inputs, masks):
        """Run a layers model's graph with GPU tensors flowing between layers; numpy outputs."""
        self._check_alive()
        self.freeze(w.value for w in model.weights)
        depth = getattr(self, "_layers_depth", 0)
        self._layers_depth = depth + 1
        try:
            outs, out_masks = run(inputs, masks)
        finally:
            self._layers_depth = depth
        if depth == 0:
            outs = [_host_copy(o) for o in outs]
            out_masks = [_host_copy(m) for m in out_masks]
        return outs, out_masks

    def graph_outputs(self, results):
        """A graph model's results as numpy arrays (one readback each)."""
        return _host_copy(results)

    def release_arrays(self, arrays) -> None:
        """Forget the cached uploads of these arrays (a disposed model's weights): their textures are freed."""
        for a in arrays:
            if not isinstance(a, np.ndarray):
                continue
            root = a
            while isinstance(root.base, np.ndarray):
                root = root.base
            entry = self._owners.pop(id(root), None)
            if entry is not None:
                for k in entry[1]:
                    tex = self._uploads.pop(k, None)
                    if tex is not None:
                        tex.discard = True  # its GL texture is deleted once no tensor uses it



class _Tag:
    __slots__ = ("arr", "op", "__weakref__")

    def __init__(self, arr, op):
        self.arr = arr
        self.op = op


def _out_width(n: int) -> int | None:
    """The width of a pass's output texture: about square, so that the output has many rows. A software
    rasterizer (SwiftShader) shares a draw between its threads by rows of pixels: a one-row output runs on
    one thread. Big outputs keep the widest layout (they have rows enough)."""
    texels = -(-n // 4)
    if texels <= 64 or texels > MAX_WIDTH * 64:
        return None
    w = -(-math.isqrt(texels - 1) // 4) * 4 + 4
    return min(w, MAX_WIDTH)


def _cache_key(arr: np.ndarray):
    if arr.flags.writeable:
        return None, None
    root = arr
    while isinstance(root.base, np.ndarray):
        root = root.base
    if root.flags.writeable:
        return None, None
    iface = arr.__array_interface__
    return (id(root), iface["data"][0], arr.shape, arr.strides, arr.dtype.str), root


def _any_gpu(args) -> bool:
    for a in args:
        if isinstance(a, GPUTensor):
            return True
        if isinstance(a, (list, tuple)) and _any_gpu(a):
            return True
    return False


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
    return value


def create_webgl_backend() -> WebGLBackend:
    return WebGLBackend()
