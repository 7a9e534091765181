"""Mirroring and rotating images on the webgl backend: FlipLeftRight (an index-map gather, as the layout
kernels), RotateWithOffset (one pass through a table of source pixels). The source pixel of each output pixel
comes from the cpu kernel's own rule, computed once per image size and angle in float64 on the host, so the
GPU picks exactly the pixels the cpu kernel picks (a rounding tie decided in float32 would not)."""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ...cpu.image import flip_left_right, rotation_fill, rotation_source
from ..errors import NotOnGPU
from ..fusion import Plan
from ..textures import MAX_EXACT_INDEX
from .base import IMAGES, float32_first, register
from .layout import ANY, LayoutKernels


class ImageGeometryKernels(LayoutKernels):
    """FlipLeftRight and RotateWithOffset of the webgl backend."""

    def flip(self, image):
        return self.layout(K.FlipLeftRight, flip_left_right)(image)

    def rotate(self, image, radians, fill_value=0.0, center=0.5):
        x = self.g(image)
        if len(x.shape) != 4:
            raise NotOnGPU()  # the cpu kernel names the rank
        nb, h, w, c = x.shape
        fill = rotation_fill(fill_value, c, x.dtype)  # its errors (a bad [r, g, b]) are the cpu kernel's
        if x.size >= MAX_EXACT_INDEX:
            raise NotOnGPU()
        ctr = tuple(float(v) for v in np.reshape(center, -1))
        src = self.b.index_map(("RotateWithOffset", h, w, float(radians), ctr),
                               lambda: rotation_source(h, w, radians, center).astype(np.float64))
        floats = [float(v) for v in fill.astype(np.float64)] + [0.0] * (4 - c)
        body = """  for (int q = 0; q < 4; q++) {
    int e = i0 + q;
    int ch = e % P(0); int pix = e / P(0); int p = pix % P(1); int n = pix / P(1);
    int j = int(S1(min(p, P(1) - 1)));
    r[q] = j < 0 ? uf[min(ch, 3)] : S0((n * P(1) + j) * P(0) + ch);
  }"""
        out = Plan(("rotate",), body, [x, src], [c, h * w], floats, c).execute(self.b, x.shape)
        out.dtype = x.dtype
        return out


def _image_with_few_channels(image, *args, **attrs) -> bool:
    """RotateWithOffset: a float32 (or GPU) image of rank 4 with at most 4 channels (a fill value each)."""
    return float32_first(image) and np.ndim(image) == 4 and np.shape(image)[-1] <= 4


def _register() -> None:
    register(K.FlipLeftRight, lambda b: ImageGeometryKernels(b).flip, IMAGES + ("large",), supports=float32_first,
             dtypes=ANY)
    register(K.RotateWithOffset, lambda b: ImageGeometryKernels(b).rotate, ("image", "large"),
             supports=_image_with_few_channels, dtypes=ANY)


_register()
