"""Image kernels (NHWC): resizing, with TF.js's source-coordinate rules; mirroring and rotating about a point
(nearest sampling), keeping the image's dtype."""

from __future__ import annotations

import math

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


def _image(op: str, image) -> np.ndarray:
    x = np.asarray(image)
    if x.ndim != 4:
        raise ValueError(f"{op}: the image must be rank 4 (batch, height, width, channels), got shape "
                         f"{list(x.shape)}")
    return x


def flip_left_right(image):
    """Each image mirrored along its width."""
    return np.ascontiguousarray(_image("FlipLeftRight", image)[:, :, ::-1, :])


def _round_half_up(v: np.ndarray) -> np.ndarray:
    """The nearest integer, halves toward +infinity (JavaScript's Math.round)."""
    r = np.floor(v)
    return r + (v - r >= 0.5)


def rotation_source(h: int, w: int, radians, center=0.5) -> np.ndarray:
    """For each output pixel (row-major over h x w) the flat index y * w + x of the pixel it takes, or -1 where
    that falls outside the image. The centre is ``center`` (a fraction, or [x, y] fractions) of the width and
    height; the source of output (x, y) is its rotation by ``radians`` about the centre, rounded to the nearest
    pixel (halves up), in float64 as TF.js computes it."""
    if isinstance(center, (list, tuple, np.ndarray)):
        c = [float(v) for v in np.asarray(center, np.float64).reshape(-1)]
        if len(c) != 2:
            raise ValueError(f"RotateWithOffset: center must be a number or [x, y], got {len(c)} values")
        fx, fy = c
    else:
        fx = fy = float(center)
    cx, cy = w * fx, h * fy
    s, co = math.sin(float(radians)), math.cos(float(radians))
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    with np.errstate(invalid="ignore"):
        sx = _round_half_up((xs - cx) * co - (ys - cy) * s + cx)
        sy = _round_half_up((xs - cx) * s + (ys - cy) * co + cy)
        inside = (sx >= 0) & (sx < w) & (sy >= 0) & (sy < h)
    src = np.where(inside, np.nan_to_num(sy) * w + np.nan_to_num(sx), -1.0)
    return src.astype(np.int64).reshape(-1)


def rotation_fill(fill_value, channels: int, dtype) -> np.ndarray:
    """The value of each channel where the source falls outside: ``fill_value`` everywhere, or [r, g, b]
    per channel (a fourth channel, alpha, gets 255), as the image's dtype (int32 truncates)."""
    if isinstance(fill_value, (list, tuple, np.ndarray)):
        rgb = [float(v) for v in np.asarray(fill_value, np.float64).reshape(-1)]
        if channels > 4 or len(rgb) < min(channels, 3):
            raise ValueError(f"RotateWithOffset: a per-channel fill_value ({len(rgb)} values) is for images of "
                             f"at most 4 channels with a value for each of the first 3, got {channels} channels")
        vals = [255.0 if ch == 3 else rgb[ch] for ch in range(channels)]
    else:
        vals = [float(fill_value)] * channels
    vals = np.asarray(vals, np.float64)
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        vals = np.trunc(vals)
    return vals.astype(dtype)


def rotate_with_offset(image, radians, fill_value=0.0, center=0.5):
    """Each image rotated by ``radians`` about ``center`` (nearest sampling); pixels from outside the image
    take ``fill_value``."""
    x = _image("RotateWithOffset", image)
    b, h, w, c = x.shape
    src = rotation_source(h, w, radians, center)
    fill = rotation_fill(fill_value, c, x.dtype)
    flat = x.reshape(b, h * w, c)
    out = flat[:, np.maximum(src, 0), :]
    out = np.where((src < 0)[None, :, None], fill[None, None, :], out)
    return out.reshape(x.shape).astype(x.dtype, copy=False)


KERNELS = {K.ResizeBilinear: resize_bilinear, K.ResizeNearestNeighbor: resize_nearest,
           K.FlipLeftRight: flip_left_right, K.RotateWithOffset: rotate_with_offset}
