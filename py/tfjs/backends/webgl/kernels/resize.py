"""Image resizing of the webgl backend: ResizeBilinear, CropAndResize (ResizeNearestNeighbor is a layout
kernel)."""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ....geometry import resize_source
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import F32
from ..textures import MAX_EXACT_INDEX
from .base import IMAGES, KernelBase, float32_first, register


class ResizeKernels(KernelBase):
    """Image resizing of the webgl backend: ResizeBilinear, CropAndResize."""

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

    def crop_and_resize(self, image, boxes, box_ind, crop_size, method="bilinear", extrapolation_value=0.0):
        """Crops of host boxes: the sample rows and columns of each box are worked out on the host (in float64,
        as the cpu kernel does) into two small tables, one texel per row / column of a crop: (first source row
        of the image's batch entry, second source row, weight of the second, inside the image), the same for
        columns. A sample outside the image is ``extrapolation_value``. Boxes on the GPU are read (4 values a
        box; the image stays on the GPU)."""
        nb, h, w, c = np.shape(image)
        boxes = np.asarray(boxes, F32).astype(np.float64).reshape(-1, 4)
        box_ind = np.asarray(box_ind).astype(np.int64).reshape(-1)
        ch, cw = int(crop_size[0]), int(crop_size[1])
        n = boxes.shape[0]
        if n == 0 or ch < 1 or cw < 1 or n * ch * cw * c >= MAX_EXACT_INDEX or box_ind.shape[0] != n:
            raise NotOnGPU()
        valid = (box_ind >= 0) & (box_ind < nb)
        ty = _samples(boxes[:, 0], boxes[:, 2], h, ch, method, np.where(valid, box_ind, 0) * h, valid)
        tx = _samples(boxes[:, 1], boxes[:, 3], w, cw, method, np.zeros(n, np.int64), valid)
        body = """  int W = P(0); int C = P(1); int CH = P(2); int CW = P(3);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int cc = i % C; int pix = i / C; int ox = pix % CW; int oy = (pix / CW) % CH; int b = pix / (CW * CH);
    vec4 sy = X1(b * CH + oy); vec4 sx = X2(b * CW + ox);
    int y0 = int(sy.x); int y1 = int(sy.y); int x0 = int(sx.x); int x1 = int(sx.y);
    float tl = S0((y0 * W + x0) * C + cc); float tr = S0((y0 * W + x1) * C + cc);
    float bl = S0((y1 * W + x0) * C + cc); float br = S0((y1 * W + x1) * C + cc);
    float tp = tl + (tr - tl) * sx.z; float bt = bl + (br - bl) * sx.z;
    r[q] = sy.w * sx.w > 0.5 ? tp + (bt - tp) * sy.z : uf[0];
  }"""
        x = self.g(image)
        return Plan(("crop_and_resize",), body, [x, self.b.upload(ty), self.b.upload(tx)], [w, c, ch, cw],
                    [float(extrapolation_value)], c).execute(self.b, (n, ch, cw, c))


def _samples(lo, hi, size, out, method, offset, valid):
    """One texel per (box, output row): (first source row + offset, second + offset, weight, inside), the
    cpu kernel's sample positions along one axis."""
    if out > 1:
        pos = lo[:, None] * (size - 1) + np.arange(out)[None, :] * ((hi - lo) * (size - 1) / (out - 1))[:, None]
    else:
        pos = (0.5 * (lo + hi) * (size - 1))[:, None]
    inside = (pos >= 0) & (pos <= size - 1) & valid[:, None]
    if method == "nearest":
        first = second = np.clip(np.floor(pos + 0.5), 0, size - 1)
        frac = np.zeros_like(pos)
    else:
        pc = np.clip(pos, 0, size - 1)
        first, second = np.floor(pc), np.ceil(pc)
        frac = (pc - first).astype(F32)
    table = np.stack([first + offset[:, None], second + offset[:, None], frac, inside], axis=-1)
    return np.ascontiguousarray(table.astype(F32))


def _crop_inputs(image, boxes, box_ind, crop_size, method="bilinear", *args, **attrs) -> bool:
    """A float32 image; at most 4096 boxes; bilinear or nearest sampling."""
    return np.ndim(image) == 4 and float32_first(image) and np.size(boxes) <= 4 * 4096 and \
        method in ("bilinear", "nearest")


def _float32_image(x, *args, **attrs) -> bool:
    return np.ndim(x) == 4 and float32_first(x)


def _register() -> None:
    register(K.ResizeBilinear, lambda b: ResizeKernels(b).resize_bilinear, IMAGES, supports=_float32_image)
    register(K.CropAndResize, lambda b: ResizeKernels(b).crop_and_resize, IMAGES, supports=_crop_inputs)


_register()
