"""Convolutions of the cpu backend (channels-last, any number of spatial dims).

Regular convolutions gather patches (im2col) and multiply by the filter with one matrix product
(``gemm.matmul2d``: sgemm when scipy imports); 1x1 stride-1 convolutions skip the patch gathering.
Depthwise convolutions and pooling walk the kernel taps, one strided view per tap.
"""

from __future__ import annotations

import math

import numpy as np

from ... import kernel_names as K
from ...geometry import same_or_valid_pads
from .gemm import matmul2d

F32 = np.float32


def _tuple(value, n, what):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"{what}: expected {n} values, got {list(value)}")
    return value


def _pad_input(x, pads, value=0.0):
    if not any(b or a for b, a in pads):
        return x
    return np.pad(x, [(0, 0)] + [tuple(p) for p in pads] + [(0, 0)], constant_values=value)


def _tap_view(xp, offsets, outs, strides):
    """xp[:, o0 : o0 + (out0-1)*s0+1 : s0, ..., :] for one kernel tap."""
    index = (slice(None),) + tuple(slice(o, o + (n - 1) * s + 1, s) for o, n, s in zip(offsets, outs, strides))
    return xp[index + (slice(None),)]


def _taps(ksizes, dilations):
    for tap in np.ndindex(*ksizes):
        yield tap, tuple(t * d for t, d in zip(tap, dilations))


def conv_nd(x, filt, strides=1, pad="valid", dilations=1):
    """Convolution of x [N, *spatial, Cin] with filt [*k, Cin, Cout]."""
    x = np.asarray(x, F32)
    filt = np.asarray(filt, F32)
    n = x.ndim - 2
    ksizes = filt.shape[:n]
    strides = _tuple(strides, n, "strides")
    dilations = _tuple(dilations, n, "dilations")
    cin, cout = filt.shape[n], filt.shape[n + 1]
    if x.shape[-1] != cin:
        raise ValueError(f"Conv: input has {x.shape[-1]} channels but the filter expects {cin} "
                         f"(input shape {list(x.shape)}, filter shape {list(filt.shape)})")
    pads, outs = same_or_valid_pads(x.shape[1:-1], ksizes, strides, dilations, pad)
    batch = x.shape[0]
    if math.prod(outs) == 0 or batch == 0:
        return np.zeros((batch, *outs, cout), F32)
    if all(k == 1 for k in ksizes) and not any(b or a for b, a in pads):
        xs = x[(slice(None),) + tuple(slice(None, None, s) for s in strides)] if any(s > 1 for s in strides) else x
        cols = xs.reshape(-1, cin)
        return matmul2d(cols, filt.reshape(cin, cout)).reshape(batch, *outs, cout)
    xp = _pad_input(x, pads)
    ntaps = math.prod(ksizes)
    cols = np.empty((batch, *outs, ntaps, cin), F32)
    for t, (tap, offsets) in enumerate(_taps(ksizes, dilations)):
        cols[..., t, :] = _tap_view(xp, offsets, outs, strides)
    out = matmul2d(cols.reshape(-1, ntaps * cin), filt.reshape(ntaps * cin, cout))
    return out.reshape(batch, *outs, cout)


def depthwise_conv_nd(x, filt, strides=1, pad="valid", dilations=1):
    """Depthwise convolution of x [N, *spatial, C] with filt [*k, C, M]: output channels C*M (c*M + m)."""
    x = np.asarray(x, F32)
    filt = np.asarray(filt, F32)
    n = x.ndim - 2
    ksizes = filt.shape[:n]
    channels, mult = filt.shape[n], filt.shape[n + 1]
    if x.shape[-1] != channels:
        raise ValueError(f"DepthwiseConv2dNative: input has {x.shape[-1]} channels but the filter expects "
                         f"{channels} (input shape {list(x.shape)}, filter shape {list(filt.shape)})")
    strides = _tuple(strides, n, "strides")
    dilations = _tuple(dilations, n, "dilations")
    pads, outs = same_or_valid_pads(x.shape[1:-1], ksizes, strides, dilations, pad)
    xp = _pad_input(x, pads)
    acc = np.zeros((x.shape[0], *outs, channels, mult), F32) if mult > 1 else np.zeros((x.shape[0], *outs, channels), F32)
    for tap, offsets in _taps(ksizes, dilations):
        view = _tap_view(xp, offsets, outs, strides)
        w = filt[tap]
        if mult > 1:
            acc += view[..., None] * w
        else:
            acc += view * w[:, 0]
    return acc.reshape(x.shape[0], *outs, channels * mult)


def conv_transpose_nd(dy, filt, output_shape, strides=1, pad="valid"):
    """Transposed convolution (Conv2DBackpropInput): dy [N, *in, Cin], filt [*k, Cout, Cin]."""
    dy = np.asarray(dy, F32)
    filt = np.asarray(filt, F32)
    n = dy.ndim - 2
    ksizes = filt.shape[:n]
    cout, cin = filt.shape[n], filt.shape[n + 1]
    if dy.shape[-1] != cin:
        raise ValueError(f"Conv2DBackpropInput: input has {dy.shape[-1]} channels but the filter expects {cin} "
                         f"(input shape {list(dy.shape)}, filter shape {list(filt.shape)})")
    strides = _tuple(strides, n, "strides")
    out_sizes = list(output_shape[1:1 + n])
    pads, ins = same_or_valid_pads(out_sizes, ksizes, strides, (1,) * n, pad)
    in_sizes = dy.shape[1:-1]
    if list(ins) != list(in_sizes):
        raise ValueError(f"Conv2DBackpropInput: output shape {list(output_shape)} gives input sizes {ins} "
                         f"but the input has sizes {list(in_sizes)}")
    batch = dy.shape[0]
    ntaps = math.prod(ksizes)
    w = np.moveaxis(filt.reshape(ntaps, cout, cin), -1, 0).reshape(cin, ntaps * cout)
    cols = matmul2d(dy.reshape(-1, cin), w).reshape(batch, *in_sizes, ntaps, cout)
    canvas_sizes = [max((i - 1) * s + k, o + p[0]) for i, s, k, o, p in
                    zip(in_sizes, strides, ksizes, out_sizes, pads)]
    canvas = np.zeros((batch, *canvas_sizes, cout), F32)
    for t, (tap, offsets) in enumerate(_taps(ksizes, (1,) * n)):
        index = (slice(None),) + tuple(slice(o, o + (i - 1) * s + 1, s) for o, i, s in
                                        zip(offsets, in_sizes, strides))
        canvas[index] += cols[..., t, :]
    crop = (slice(None),) + tuple(slice(p[0], p[0] + o) for p, o in zip(pads, out_sizes))
    return np.ascontiguousarray(canvas[crop])


def pool_nd(x, ksize, strides, pad, mode):
    """Max or average pooling of x [N, *spatial, C]; averages count only the real (unpadded) cells."""
    x = np.asarray(x, F32)
    n = x.ndim - 2
    ksize = _tuple(ksize, n, "pool size")
    strides = _tuple(strides, n, "strides")
    pads, outs = same_or_valid_pads(x.shape[1:-1], ksize, strides, (1,) * n, pad)
    if mode == "max":
        xp = _pad_input(x, pads, -np.inf)
        acc = None
        for tap, offsets in _taps(ksize, (1,) * n):
            view = _tap_view(xp, offsets, outs, strides)
            acc = view.copy() if acc is None else np.maximum(acc, view, out=acc)
        return acc
    xp = _pad_input(x, pads, 0.0)
    acc = np.zeros((x.shape[0], *outs, x.shape[-1]), F32)
    for tap, offsets in _taps(ksize, (1,) * n):
        acc += _tap_view(xp, offsets, outs, strides)
    if any(b or a for b, a in pads):
        ones = _pad_input(np.ones((1, *x.shape[1:-1], 1), F32), pads, 0.0)
        count = np.zeros((1, *outs, 1), F32)
        for tap, offsets in _taps(ksize, (1,) * n):
            count += _tap_view(ones, offsets, outs, strides)
        return acc / count
    return acc / F32(math.prod(ksize))


def batch_norm(x, mean, variance, offset=None, scale=None, variance_epsilon=1e-3):
    x = np.asarray(x, F32)
    inv = F32(1) / np.sqrt(np.asarray(variance, F32) + F32(variance_epsilon))
    if scale is not None:
        inv = inv * np.asarray(scale, F32)
    out = (x - np.asarray(mean, F32)) * inv
    if offset is not None:
        out += np.asarray(offset, F32)
    return out.astype(F32, copy=False)


KERNELS = {
    K.Conv2D: conv_nd, K.Conv3D: conv_nd,
    K.DepthwiseConv2dNative: depthwise_conv_nd,
    K.Conv2DBackpropInput: conv_transpose_nd, K.Conv3DBackpropInputV2: conv_transpose_nd,
    K.MaxPool: lambda x, ksize, strides, pad: pool_nd(x, ksize, strides, pad, "max"),
    K.AvgPool: lambda x, ksize, strides, pad: pool_nd(x, ksize, strides, pad, "avg"),
    K.MaxPool3D: lambda x, ksize, strides, pad: pool_nd(x, ksize, strides, pad, "max"),
    K.AvgPool3D: lambda x, ksize, strides, pad: pool_nd(x, ksize, strides, pad, "avg"),
    K.FusedBatchNorm: batch_norm,
}
