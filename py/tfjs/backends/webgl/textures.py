"""Textures of the webgl backend: sizes and layouts, allocation from a pool of free textures, release.

A tensor of n float32 values lives in an RGBA32F texture of w x h texels: element i in texel i // 4, channel
i % 4, texel t at (t % w, t // w). Outputs with channels a multiple of 4 keep a pixel per texture row (see
:meth:`TexturesMixin.out_width`).
"""

from __future__ import annotations

import math

from .errors import NotOnGPU, WebGLError
from .tensor import GPUTensor, Texture

MAX_WIDTH = 4096
MAX_EXACT_INDEX = 1 << 24         # float32 holds integers exactly up to here: the largest index a shader reads
POOL_MAX_BYTES = 256 << 20        # free textures kept for reuse; past this, released textures are deleted


class TexturesMixin:
    """Texture allocation and layout for :class:`~.backend.WebGLBackend` (its context ``_gl``, pool and
    generation)."""

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

    def empty_pool(self) -> None:
        for ids in self._pool.values():
            for tid in ids:
                self._gl.delete_texture(tid)
        self._pool.clear()
        self._pool_bytes = 0

    def reshape(self, x: GPUTensor, shape) -> GPUTensor:
        return GPUTensor(self, shape, x.texture, dtype=x.dtype)

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


def _out_width(n: int) -> int | None:
    """The width of a pass's output texture: about square, so that the output has many rows. A software
    rasterizer (SwiftShader) shares a draw between its threads by rows of pixels: a one-row output runs on
    one thread. Big outputs keep the widest layout (they have rows enough)."""
    texels = -(-n // 4)
    if texels <= 64 or texels > MAX_WIDTH * 64:
        return None
    w = -(-math.isqrt(texels - 1) // 4) * 4 + 4
    return min(w, MAX_WIDTH)
