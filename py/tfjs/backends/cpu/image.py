"""Image resizing kernels (NHWC), with TF.js's source-coordinate rules."""

from __future__ import annotations

import numpy as np

from ... import kernel_names as K
from ...geometry import resize_source

F32 = np.float32


def resize_bilinear(x, size, align_corners=False, half_pixel_centers=False):
    x = np.asarray(x, F32)
    _, h, w, _ = x.shape
    out_h, out_w = size
    rows, cols = [], []
    for in_size, out_size, acc in ((h, out_h, rows), (w, out_w, cols)):
        src = resize_source(in_size, out_size, align_corners, half_pixel_centers)
        low = np.maximum(np.floor(src), 0).astype(np.int64)
        high = np.minimum(np.ceil(src).astype(np.int64), in_size - 1)
        frac = (src - low).astype(F32)
        acc.extend([np.minimum(low, in_size - 1), high, frac])
    r0, r1, rf = rows
    c0, c1, cf = cols
    top = x[:, r0]
    bottom = x[:, r1]
    tl, tr = top[:, :, c0], top[:, :, c1]
    bl, br = bottom[:, :, c0], bottom[:, :, c1]
    cf = cf[None, None, :, None]
    rf = rf[None, :, None, None]
    t = tl + (tr - tl) * cf
    b = bl + (br - bl) * cf
    return (t + (b - t) * rf).astype(F32)


def resize_nearest(x, size, align_corners=False, half_pixel_centers=False):
    x = np.asarray(x, F32)
    _, h, w, _ = x.shape
    idx = []
    for in_size, out_size in ((h, size[0]), (w, size[1])):
        src = resize_source(in_size, out_size, align_corners, half_pixel_centers)
        if half_pixel_centers:
            src = np.maximum(src, 0) + 0.0
        near = np.floor(src + 0.5) if align_corners else np.floor(src + (0.5 if half_pixel_centers else 0.0))  # Math.round
        idx.append(np.minimum(near.astype(np.int64), in_size - 1))
    return x[:, idx[0]][:, :, idx[1]]


KERNELS = {K.ResizeBilinear: resize_bilinear, K.ResizeNearestNeighbor: resize_nearest}
