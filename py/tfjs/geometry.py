"""Geometry shared by kernels of every backend and by gradients: padding and output sizes of windows
(convolution, pooling), and the source coordinates of image resizing. Pure arithmetic on sizes, no arrays
of data, no backend: cpu, webgl and the gradients import it, so no backend reads another's insides.
"""

from __future__ import annotations

import numpy as np


def same_or_valid_pads(in_sizes, ksizes, strides, dilations, pad):
    """(before, after) pads and output sizes per spatial dim, as TF computes them; ``pad`` 'same', 'valid'
    or explicit [(before, after), ...] per spatial dim."""
    pads, outs = [], []
    for i, (size, k, s, d) in enumerate(zip(in_sizes, ksizes, strides, dilations)):
        eff = (k - 1) * d + 1
        if isinstance(pad, str):
            mode = pad.lower()
            if mode == "same":
                out = -(-size // s)
                total = max((out - 1) * s + eff - size, 0)
                pads.append((total // 2, total - total // 2))
            elif mode == "valid":
                out = (size - eff) // s + 1 if size >= eff else 0
                pads.append((0, 0))
            else:
                raise ValueError(f"Unknown padding mode {pad!r}: expected 'same', 'valid' or explicit pads")
        else:
            before, after = pad[i]
            out = (size + before + after - eff) // s + 1
            pads.append((int(before), int(after)))
        outs.append(max(out, 0))
    return pads, outs


def resize_ratio(in_size: int, out_size: int, align_corners: bool) -> float:
    """Input pixels per output pixel along one axis of an image resize."""
    if align_corners and out_size > 1:
        return (in_size - 1) / (out_size - 1)
    return in_size / out_size


def resize_source(in_size: int, out_size: int, align_corners: bool, half_pixel_centers: bool) -> np.ndarray:
    """The (fractional) source coordinate of each output pixel along one axis, as TF.js computes it."""
    ratio = resize_ratio(in_size, out_size, align_corners)
    dst = np.arange(out_size, dtype=np.float64)
    return (dst + 0.5) * ratio - 0.5 if half_pixel_centers else dst * ratio


__all__ = ["same_or_valid_pads", "resize_ratio", "resize_source"]
