"""Image resizing of the webgl backend (ResizeBilinear; ResizeNearestNeighbor is a layout kernel)."""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ....geometry import resize_source
from ..fusion import Plan
from ..tensor import F32
from .base import IMAGES, KernelBase, float32_first, register


class ResizeKernels(KernelBase):
    """Image resizing of the webgl backend (ResizeBilinear; ResizeNearestNeighbor is a layout kernel)."""

    def resize_bilinear(self, x, size, align_corners=False, half_pixel_centers=False):

        nb, h, w, c = np.shape(x)
        oh, ow = int(size[0]), int(size[1])

        def table(in_size, out_size):
            src = resize_source(in_size, out_size, align_corners, half_pixel_centers)
            low = np.maximum(np.floor(src), 0).astype(np.int64)
            high = np.minimum(np.ceil(src).astype(np.int64), in_size - 1)
            frac = (src - low).astype(F32)
            return np.concatenate([np.minimum(low, in_size - 1).astype(np.float64), high.astype(np.float64),
                                   frac.astype(np.float64)])

        ty = self.b.index_map(("resize_y", h, oh, align_corners, half_pixel_centers), lambda: table(h, oh))
        tx = self.b.index_map(("resize_x", w, ow, align_corners, half_pixel_centers), lambda: table(w, ow))
        x = self.g(x)
        fast = c % 4 == 0
        if fast:
            body = """  int H = P(0); int W = P(1); int C = P(2); int OH = P(3); int OW = P(4);
  int cc = i0 % C; int pix = i0 / C; int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
  int y0 = int(S1(oy)); int y1 = int(S1(OH + oy)); float fy = S1(2 * OH + oy);
  int x0 = int(S2(ox)); int x1 = int(S2(OW + ox)); float fx = S2(2 * OW + ox);
  vec4 tl = X0((((nn * H + y0) * W + x0) * C + cc) >> 2); vec4 tr = X0((((nn * H + y0) * W + x1) * C + cc) >> 2);
  vec4 bl = X0((((nn * H + y1) * W + x0) * C + cc) >> 2); vec4 br = X0((((nn * H + y1) * W + x1) * C + cc) >> 2);
  vec4 tp = tl + (tr - tl) * fx; vec4 bt = bl + (br - bl) * fx;
  r = tp + (bt - tp) * fy;"""
        else:
            body = """  int H = P(0); int W = P(1); int C = P(2); int OH = P(3); int OW = P(4);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int cc = i % C; int pix = i / C; int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
    int y0 = int(S1(oy)); int y1 = int(S1(OH + oy)); float fy = S1(2 * OH + oy);
    int x0 = int(S2(ox)); int x1 = int(S2(OW + ox)); float fx = S2(2 * OW + ox);
    float tl = S0(((nn * H + y0) * W + x0) * C + cc); float tr = S0(((nn * H + y0) * W + x1) * C + cc);
    float bl = S0(((nn * H + y1) * W + x0) * C + cc); float br = S0(((nn * H + y1) * W + x1) * C + cc);
    float tp = tl + (tr - tl) * fx; float bt = bl + (br - bl) * fx;
    r[q] = tp + (bt - tp) * fy;
  }"""
        key = ("resize_bilinear", fast)
        return Plan(key, body, [x, ty, tx], [h, w, c, oh, ow], [], c).execute(self.b, (nb, oh, ow, c))


def _float32_image(x, *args, **attrs) -> bool:
    return np.ndim(x) == 4 and float32_first(x)


def _register() -> None:
    register(K.ResizeBilinear, lambda b: ResizeKernels(b).resize_bilinear, IMAGES, supports=_float32_image)


_register()
