"""Uploads and readbacks of the webgl backend: numpy arrays to textures (read-only arrays, model weights, are
uploaded once and cached until the array is gone), derived copies of weights (transposed, padded), index maps
of layout ops, and downloads.
"""

from __future__ import annotations

import time
import weakref
from typing import Callable

import numpy as np

from .errors import NotOnGPU
from .program import program_source
from .tensor import BOOL, F32, I32, GPUTensor
from .textures import MAX_EXACT_INDEX, MAX_WIDTH

# Pixel values from an RGBA texture the browser filled (0..1 floats): the first C channels, times 255, rounded.
_FROM_PIXELS = """  int C = P(0);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int p = i / C;
    r[q] = floor(X0(p)[i - p * C] * 255.0 + 0.5);
  }"""

INDEX_CACHE_MAX_BYTES = 64 << 20  # index maps of layout ops (least recently used go first)
INDEX_CACHE_MAX = 512


class UploadsMixin:
    """Host <-> GPU transfers and the upload caches of :class:`~.backend.WebGLBackend`."""

    def upload(self, value, width: int | None = None) -> GPUTensor:
        """A GPU tensor for a numpy value (float32). Read-only arrays are uploaded once and cached.
        ``width``: the texture's width in texels (default: as wide as allowed), e.g. a matrix row per texture
        row, so that a shader steps along its columns and rows without dividing."""
        if isinstance(value, GPUTensor):
            return value
        arr = value if isinstance(value, np.ndarray) else np.asarray(value)
        # bool and int32 values are held as float32 and read back as their dtype
        dtype = arr.dtype if arr.dtype in (BOOL, I32) else F32
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
                return GPUTensor(self, arr.shape, tex, dtype=dtype)
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
        return GPUTensor(self, arr.shape, tex, dtype=dtype)

    def from_pixels(self, source, width: int, height: int, num_channels: int) -> GPUTensor | None:
        """A [height, width, num_channels] tensor of an image source's pixel values (0..255): the browser
        copies the pixels from the element into a texture, one program keeps the first channels."""
        self._check_alive()
        if max(width, height) > self._gl.max_texture_size or width > MAX_WIDTH:
            return None  # read on the host
        tex = self._alloc(width * height * 4, width)
        self._gl.upload_pixels(tex.id, width, height, source)
        rgba = GPUTensor(self, (height, width, 4), tex)
        return self.run(program_source(1, 1, 0, _FROM_PIXELS), [rgba], (height, width, num_channels),
                        params=(num_channels,), label="from_pixels")

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
