"""Gradients of matrix products, convolutions, pooling, batch normalization and resizing (channels-last).

Convolution gradients gather patches as the forward kernel does (one matrix product for the filter gradient)
and scatter the patch gradients back tap by tap for the input gradient; the products run on the active
backend's matrix-product kernel (scipy's sgemm on the cpu backend when it imports).
"""

from __future__ import annotations

import math

import numpy as np

from ... import backends
from ... import kernel_names as K
from ...geometry import resize_source, same_or_valid_pads as _pads  # the forward kernels' geometry
from .registry import register, unbroadcast

F32 = np.float32


def _mm(a, b, ta=False, tb=False):
    return backends.get_kernel(K.BatchMatMul)(np.asarray(a, F32), np.asarray(b, F32), ta, tb)


def _tuple(v, n):
    return (int(v),) * n if isinstance(v, (int, np.integer)) else tuple(int(a) for a in v)


def _tap_index(offsets, outs, strides):
    return (slice(None),) + tuple(slice(o, o + (n - 1) * s + 1, s) for o, n, s in zip(offsets, outs, strides))


def _taps(ksizes, dilations):
    for tap in np.ndindex(*ksizes):
        yield tap, tuple(t * d for t, d in zip(tap, dilations))


def _geometry(x_shape, ksizes, strides, pad, dilations):
    n = len(x_shape) - 2
    strides, dilations = _tuple(strides, n), _tuple(dilations, n)
    pads, outs = _pads(x_shape[1:-1], ksizes, strides, dilations, pad)
    return n, strides, dilations, pads, outs


def _padded(x, pads, value=0.0):
    if not any(b or a for b, a in pads):
        return x
    return np.pad(x, [(0, 0)] + [tuple(p) for p in pads] + [(0, 0)], constant_values=value)


def _patches(x, ksizes, strides, dilations, pads, outs):
    xp = _padded(np.asarray(x, F32), pads)
    ntaps = math.prod(ksizes)
    cols = np.empty((x.shape[0], *outs, ntaps, x.shape[-1]), F32)
    for t, (tap, offsets) in enumerate(_taps(ksizes, dilations)):
        cols[..., t, :] = xp[_tap_index(offsets, outs, strides) + (slice(None),)]
    return cols


def _scatter_patches(dcols, x_shape, ksizes, strides, dilations, pads, outs):
    """The adjoint of _patches: patch gradients [B, *outs, ntaps, C] summed back into the input."""
    padded = [s + b + a for s, (b, a) in zip(x_shape[1:-1], pads)]
    canvas = np.zeros((x_shape[0], *padded, x_shape[-1]), F32)
    for t, (tap, offsets) in enumerate(_taps(ksizes, dilations)):
        canvas[_tap_index(offsets, outs, strides) + (slice(None),)] += dcols[..., t, :]
    crop = (slice(None),) + tuple(slice(b, b + s) for (b, _), s in zip(pads, x_shape[1:-1])) + (slice(None),)
    return canvas[crop]


def conv_backprop_input(dy, filt, x_shape, strides, pad, dilations):
    filt = np.asarray(filt, F32)
    n = len(x_shape) - 2
    ksizes = filt.shape[:n]
    n, strides, dilations, pads, outs = _geometry(x_shape, ksizes, strides, pad, dilations)
    cin, cout = filt.shape[n], filt.shape[n + 1]
    ntaps = math.prod(ksizes)
    dcols = _mm(np.reshape(dy, (-1, cout)), filt.reshape(ntaps * cin, cout), tb=True)
    dcols = dcols.reshape((x_shape[0], *outs, ntaps, cin))
    return _scatter_patches(dcols, x_shape, ksizes, strides, dilations, pads, outs)


def conv_backprop_filter(x, dy, filter_shape, strides, pad, dilations):
    x = np.asarray(x, F32)
    n = x.ndim - 2
    ksizes = tuple(filter_shape[:n])
    n, strides, dilations, pads, outs = _geometry(x.shape, ksizes, strides, pad, dilations)
    cols = _patches(x, ksizes, strides, dilations, pads, outs)
    cout = filter_shape[-1]
    dw = _mm(cols.reshape(-1, cols.shape[-2] * cols.shape[-1]), np.reshape(dy, (-1, cout)), ta=True)
    return dw.reshape(filter_shape)


@register(K.Conv2D, K.Conv3D)
def _conv(dy, inputs, attrs, y, need):
    x, filt = np.asarray(inputs[0], F32), np.asarray(inputs[1], F32)
    strides, pad, dil = attrs.get("strides", 1), attrs.get("pad", "valid"), attrs.get("dilations", 1)
    dx = conv_backprop_input(dy, filt, x.shape, strides, pad, dil) if need[0] else None
    dw = conv_backprop_filter(x, dy, filt.shape, strides, pad, dil) if need[1] else None
    return [dx, dw]


@register(K.Conv2DBackpropInput, K.Conv3DBackpropInputV2)
def _conv_transpose(dy, inputs, attrs, y, need):
    x, filt = np.asarray(inputs[0], F32), np.asarray(inputs[1], F32)
    strides, pad = attrs.get("strides", 1), attrs.get("pad", "valid")
    dx = None
    if need[0]:
        kernel = backends.get_kernel(K.Conv2D if x.ndim == 4 else K.Conv3D)
        dx = kernel(np.asarray(dy, F32), filt, strides=strides, pad=pad, dilations=1)
    dw = conv_backprop_filter(dy, x, filt.shape, strides, pad, 1) if need[1] else None
    return [dx, dw]


@register(K.DepthwiseConv2dNative)
def _depthwise(dy, inputs, attrs, y, need):
    x, filt = np.asarray(inputs[0], F32), np.asarray(inputs[1], F32)
    n = x.ndim - 2
    ksizes = filt.shape[:n]
    channels, mult = filt.shape[n], filt.shape[n + 1]
    n, strides, dilations, pads, outs = _geometry(x.shape, ksizes, attrs.get("strides", 1),
                                                  attrs.get("pad", "valid"), attrs.get("dilations", 1))
    dy4 = np.reshape(dy, (x.shape[0], *outs, channels, mult)).astype(F32, copy=False)
    xp = _padded(x, pads)
    dxp = np.zeros(xp.shape, F32) if need[0] else None
    dw = np.zeros(filt.shape, F32) if need[1] else None
    for tap, offsets in _taps(ksizes, dilations):
        index = _tap_index(offsets, outs, strides) + (slice(None),)
        if need[1]:
            view = xp[index]
            dw[tap] = np.einsum("pc,pcm->cm", view.reshape(-1, channels), dy4.reshape(-1, channels, mult))
        if need[0]:
            dxp[index] += (dy4 * filt[tap]).sum(axis=-1) if mult > 1 else dy4[..., 0] * filt[tap][:, 0]
    dx = None
    if need[0]:
        crop = (slice(None),) + tuple(slice(b, b + s) for (b, _), s in zip(pads, x.shape[1:-1])) + (slice(None),)
        dx = dxp[crop]
    return [dx, dw]


def _pool_grad(dy, x, y, attrs, mode):
    x = np.asarray(x, F32)
    n = x.ndim - 2
    ksize = _tuple(attrs["ksize"], n)
    strides = _tuple(attrs["strides"], n)
    pads, outs = _pads(x.shape[1:-1], ksize, strides, (1,) * n, attrs.get("pad", "valid"))
    dy = np.asarray(dy, F32)
    if mode == "max":
        xp = _padded(x, pads, -np.inf)
        dxp = np.zeros(xp.shape, F32)
        done = np.zeros(dy.shape, bool)
        for tap, offsets in _taps(ksize, (1,) * n):
            index = _tap_index(offsets, outs, strides) + (slice(None),)
            hit = (xp[index] == y) & ~done
            dxp[index] += dy * hit
            done |= hit
    else:
        dxp = np.zeros([x.shape[0]] + [s + b + a for s, (b, a) in zip(x.shape[1:-1], pads)] + [x.shape[-1]], F32)
        if any(b or a for b, a in pads):
            ones = _padded(np.ones((1, *x.shape[1:-1], 1), F32), pads, 0.0)
            count = np.zeros((1, *outs, 1), F32)
            for tap, offsets in _taps(ksize, (1,) * n):
                count += ones[_tap_index(offsets, outs, strides) + (slice(None),)]
            g = dy / count
        else:
            g = dy / F32(math.prod(ksize))
        for tap, offsets in _taps(ksize, (1,) * n):
            dxp[_tap_index(offsets, outs, strides) + (slice(None),)] += g
    crop = (slice(None),) + tuple(slice(b, b + s) for (b, _), s in zip(pads, x.shape[1:-1])) + (slice(None),)
    return dxp[crop]


@register(K.MaxPool, K.MaxPool3D)
def _max_pool(dy, inputs, attrs, y, need):
    return [_pool_grad(dy, inputs[0], y, attrs, "max")]


@register(K.AvgPool, K.AvgPool3D)
def _avg_pool(dy, inputs, attrs, y, need):
    return [_pool_grad(dy, inputs[0], y, attrs, "avg")]


@register(K.BatchMatMul, K.MatMul)
def _matmul(dy, inputs, attrs, y, need):
    a, b = np.asarray(inputs[0], F32), np.asarray(inputs[1], F32)
    ta, tb = attrs.get("transpose_a", False), attrs.get("transpose_b", False)
    dy = np.asarray(dy, F32)
    da = db = None
    if a.ndim == 2 and b.ndim == 2:
        if need[0]:
            da = _mm(b, dy, tb, True) if ta else _mm(dy, b, False, not tb)
        if need[1]:
            db = _mm(dy, a, True, ta) if tb else _mm(a, dy, not ta, False)
        return [da, db]
    sw = lambda m: np.swapaxes(m, -1, -2)  # noqa: E731
    a_op = sw(a) if ta else a
    b_op = sw(b) if tb else b
    if need[0]:
        g = np.matmul(dy, sw(b_op))
        da = unbroadcast(sw(g) if ta else g, a.shape)
    if need[1]:
        g = np.matmul(sw(a_op), dy)
        db = unbroadcast(sw(g) if tb else g, b.shape)
    return [da, db]


@register(K.FusedBatchNorm, "FusedBatchNormV3")
def _batch_norm(dy, inputs, attrs, y, need):
    x, mean, var = (np.asarray(v, F32) for v in inputs[:3])
    offset = inputs[3] if len(inputs) > 3 else None
    scale = inputs[4] if len(inputs) > 4 else None
    eps = F32(attrs.get("variance_epsilon", 1e-3))
    dy = np.asarray(dy, F32)
    inv = F32(1) / np.sqrt(var + eps)
    s = np.asarray(scale, F32) if scale is not None else F32(1)
    xc = x - mean
    dxhat = dy * s
    out = [None] * len(inputs)
    if need[0]:
        out[0] = unbroadcast(dxhat * inv, x.shape)
    if need[1]:
        out[1] = unbroadcast(-dxhat * inv, mean.shape)
    if need[2]:
        out[2] = unbroadcast(dxhat * xc * F32(-0.5) * inv * inv * inv, var.shape)
    if len(inputs) > 3 and offset is not None and need[3]:
        out[3] = unbroadcast(dy, np.shape(offset))
    if len(inputs) > 4 and scale is not None and need[4]:
        out[4] = unbroadcast(dy * xc * inv, np.shape(scale))
    return out


def _resize_indices(in_size, out_size, align_corners, half_pixel_centers):
    return resize_source(in_size, out_size, align_corners, half_pixel_centers)


@register(K.ResizeNearestNeighbor)
def _resize_nearest(dy, inputs, attrs, y, need):
    x = np.asarray(inputs[0])
    ac, hp = attrs.get("align_corners", False), attrs.get("half_pixel_centers", False)
    idx = []
    for in_size, out_size in ((x.shape[1], dy.shape[1]), (x.shape[2], dy.shape[2])):
        src = _resize_indices(in_size, out_size, ac, hp)
        if hp:
            src = np.maximum(src, 0) + 0.0
        near = np.floor(src + 0.5) if ac else np.floor(src + (0.5 if hp else 0.0))
        idx.append(np.minimum(near.astype(np.int64), in_size - 1))
    dx = np.zeros(x.shape, F32)
    np.add.at(dx, (slice(None), idx[0][:, None], idx[1][None, :]), np.asarray(dy, F32))
    return [dx]


@register(K.ResizeBilinear)
def _resize_bilinear(dy, inputs, attrs, y, need):
    x = np.asarray(inputs[0])
    ac, hp = attrs.get("align_corners", False), attrs.get("half_pixel_centers", False)
    parts = []
    for in_size, out_size in ((x.shape[1], dy.shape[1]), (x.shape[2], dy.shape[2])):
        src = _resize_indices(in_size, out_size, ac, hp)
        low = np.maximum(np.floor(src), 0).astype(np.int64)
        high = np.minimum(np.ceil(src).astype(np.int64), in_size - 1)
        frac = (src - low).astype(F32)
        parts.append((np.minimum(low, in_size - 1), high, frac))
    (r0, r1, rf), (c0, c1, cf) = parts
    dy = np.asarray(dy, F32)
    rf4, cf4 = rf[None, :, None, None], cf[None, None, :, None]
    dx = np.zeros(x.shape, F32)
    for rows, wr in ((r0, 1 - rf4), (r1, rf4)):
        for cols, wc in ((c0, 1 - cf4), (c1, cf4)):
            np.add.at(dx, (slice(None), rows[:, None], cols[None, :]), dy * wr * wc)
    return [dx]
