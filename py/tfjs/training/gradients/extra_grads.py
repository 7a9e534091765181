"""Gradients of the graph-model ops TF.js has gradients for: Acosh, Asinh, Atanh, BatchToSpaceND, SpaceToBatchND,
BroadcastTo, Cumsum, Dilation2D, FloorDiv, Mod (our kernel: FloorMod), LRN, MirrorPad, ComplexAbs (and Complex,
so a gradient reaches the real and imaginary parts a complex64 array was made from).

These ops are called with their parameters positionally (``gx.mirror_pad(x, paddings, mode)``) or as keyword
attributes; :func:`_arg` reads either.
"""

from __future__ import annotations

import numpy as np

from ... import kernel_names as K
from ...backends.registry import get_kernel_config
from ...geometry import same_or_valid_pads
from .registry import register, unbroadcast

F32 = np.float32


def _cpu(op: str):
    """The cpu (numpy) kernel of an op: gradients compute on host arrays."""
    return get_kernel_config("cpu", op).fn


def _arg(inputs, attrs, index: int, name: str, default=None):
    if len(inputs) > index:
        return inputs[index]
    return attrs.get(name, default)


def _rest(inputs, n: int = 1) -> list:
    return [None] * (len(inputs) - n)


def _f(x):
    return np.asarray(x, F32)


# ------------------------------------------------------------------------------------------------ unary math

@register(K.Acosh)
def _acosh(dy, inputs, attrs, y, need):
    x = _f(inputs[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        return [dy / np.sqrt(np.square(x) - F32(1))]


@register(K.Asinh)
def _asinh(dy, inputs, attrs, y, need):
    x = _f(inputs[0])
    return [dy / np.sqrt(np.square(x) + F32(1))]


@register(K.Atanh)
def _atanh(dy, inputs, attrs, y, need):
    x = _f(inputs[0])
    with np.errstate(divide="ignore"):
        return [dy / (F32(1) - np.square(x))]


# ------------------------------------------------------------------------------------------------ binary

@register(K.FloorDiv)
def _floor_div(dy, inputs, attrs, y, need):
    """TF.js's FloorDiv gradient: that of a / b (floor's own derivative, zero almost everywhere, is not used)."""
    a, b = np.asarray(inputs[0]), np.asarray(inputs[1])
    af, bf = a.astype(F32), b.astype(F32)
    dy = _f(dy)
    with np.errstate(divide="ignore", invalid="ignore"):
        da = unbroadcast(dy / bf, a.shape) if need[0] else None
        db = -unbroadcast(dy * af, b.shape) / np.square(bf) if need[1] else None
    return [da, db]


@register(K.FloorMod, "Mod")
def _mod(dy, inputs, attrs, y, need):
    """a mod b = a - b * floor(a / b): d/da = 1, d/db = -floor(a / b)."""
    a, b = _f(inputs[0]), _f(inputs[1])
    dy = _f(dy)
    da = unbroadcast(dy, a.shape) if need[0] else None
    with np.errstate(divide="ignore", invalid="ignore"):
        db = unbroadcast(dy * -np.floor(a / b), b.shape) if need[1] else None
    return [da, db]


# ------------------------------------------------------------------------------------------------ complex

@register(K.ComplexAbs)
def _complex_abs(dy, inputs, attrs, y, need):
    """d|z| = z / |z| (as a complex gradient: d/d re + i d/d im), 0 where z is 0."""
    z = np.asarray(inputs[0]).astype(np.complex64)
    r = np.abs(z)
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = np.where(r > 0, z / np.where(r > 0, r, 1), 0).astype(np.complex64)
    return [(_f(dy) * unit).astype(np.complex64)]


@register(K.Complex)
def _complex(dy, inputs, attrs, y, need):
    g = np.asarray(dy).astype(np.complex64)
    re, im = np.asarray(inputs[0]), np.asarray(inputs[1])
    return [unbroadcast(g.real.astype(F32), re.shape) if need[0] else None,
            unbroadcast(g.imag.astype(F32), im.shape) if need[1] else None]


# ------------------------------------------------------------------------------------------------ layout

@register(K.BroadcastTo)
def _broadcast_to(dy, inputs, attrs, y, need):
    return [unbroadcast(dy, np.shape(inputs[0]))] + _rest(inputs)


@register(K.SpaceToBatchND)
def _space_to_batch(dy, inputs, attrs, y, need):
    block = _arg(inputs, attrs, 1, "block_shape")
    paddings = _arg(inputs, attrs, 2, "paddings")
    return [_cpu(K.BatchToSpaceND)(_f(dy), block, paddings)] + _rest(inputs)


@register(K.BatchToSpaceND)
def _batch_to_space(dy, inputs, attrs, y, need):
    block = _arg(inputs, attrs, 1, "block_shape")
    crops = _arg(inputs, attrs, 2, "crops")
    return [_cpu(K.SpaceToBatchND)(_f(dy), block, crops)] + _rest(inputs)


@register(K.MirrorPad)
def _mirror_pad(dy, inputs, attrs, y, need):
    """Each padded element adds its gradient to the element it mirrors ('reflect' leaves the edge out,
    'symmetric' repeats it)."""
    paddings = _arg(inputs, attrs, 1, "paddings")
    mode = str(_arg(inputs, attrs, 2, "mode", "reflect")).lower()
    shift = 0 if mode == "symmetric" else 1
    g = _f(dy)
    for axis, (p0, p1) in enumerate(paddings):
        p0, p1 = int(p0), int(p1)
        if not p0 and not p1:
            continue
        n = g.shape[axis] - p0 - p1
        moved = np.moveaxis(g, axis, 0)
        core = moved[p0:p0 + n].copy()
        for i in range(p0):       # padded position i mirrors source p0 - 1 - i (symmetric) or p0 - i (reflect)
            core[p0 - 1 - i + shift] += moved[i]
        for j in range(p1):       # the j-th after the end mirrors n - 1 - j (symmetric) or n - 2 - j (reflect)
            core[n - 1 - j - shift] += moved[p0 + n + j]
        g = np.moveaxis(core, 0, axis)
    return [np.ascontiguousarray(g)] + _rest(inputs)


@register(K.Cumsum)
def _cumsum(dy, inputs, attrs, y, need):
    """The adjoint of a cumulative sum is the cumulative sum the other way, with the same exclusivity."""
    x = np.asarray(inputs[0])
    axis = int(_arg(inputs, attrs, 1, "axis", 0))
    exclusive = bool(_arg(inputs, attrs, 2, "exclusive", False))
    reverse = bool(_arg(inputs, attrs, 3, "reverse", False))
    g = _f(dy)
    axis = axis % g.ndim if g.ndim else 0
    if not reverse:          # y_i = sum_{k<=i} x_k  =>  dx_k = sum_{i>=k} dy_i: a reversed cumsum
        g = np.flip(g, axis)
    out = np.cumsum(g, axis=axis, dtype=F32)
    if exclusive:
        out = np.concatenate([np.zeros_like(np.take(out, [0], axis=axis)),
                              np.take(out, np.arange(g.shape[axis] - 1), axis=axis)], axis=axis)
    if not reverse:
        out = np.flip(out, axis)
    return [np.ascontiguousarray(out.reshape(x.shape))] + _rest(inputs)


# ------------------------------------------------------------------------------------------------ nn

def _pair(v):
    if isinstance(v, (list, tuple)):
        return (int(v[0]), int(v[-1])) if len(v) <= 2 else (int(v[1]), int(v[2]))
    return (int(v), int(v))


@register(K.Dilation2D)
def _dilation2d(dy, inputs, attrs, y, need):
    """Each output is the max over the window of x + filter: its gradient goes to the first tap (row-major)
    that reaches the max, to the input element and to the filter element of that tap."""
    x, filt = _f(inputs[0]), _f(inputs[1])
    strides = _pair(_arg(inputs, attrs, 2, "strides", 1))
    rates = _pair(_arg(inputs, attrs, 3, "rates", 1))
    pad = _arg(inputs, attrs, 4, "pad", "valid")
    kh, kw, c = filt.shape
    n, h, w, _ = x.shape
    pads, outs = same_or_valid_pads((h, w), (kh, kw), strides, rates, pad)
    xp = np.pad(x, [(0, 0), pads[0], pads[1], (0, 0)], constant_values=-np.inf)
    best = np.full((n, outs[0], outs[1], c), -np.inf, F32)
    tap = np.zeros(best.shape, np.int64)
    views = []
    for i in range(kh):
        for j in range(kw):
            oy, ox = i * rates[0], j * rates[1]
            ys, xs = slice(oy, oy + (outs[0] - 1) * strides[0] + 1, strides[0]), \
                slice(ox, ox + (outs[1] - 1) * strides[1] + 1, strides[1])
            v = xp[:, ys, xs, :] + filt[i, j]
            better = v > best
            best = np.where(better, v, best)
            tap = np.where(better, i * kw + j, tap)
            views.append((ys, xs))
    g = _f(dy)
    dxp = np.zeros(xp.shape, F32) if need[0] else None
    dfilt = np.zeros(filt.shape, F32) if need[1] else None
    for t, (ys, xs) in enumerate(views):
        gt = np.where(tap == t, g, F32(0))
        if dxp is not None:
            dxp[:, ys, xs, :] += gt
        if dfilt is not None:
            dfilt[t // kw, t % kw] = gt.sum(axis=(0, 1, 2))
    dx = dxp[:, pads[0][0]:pads[0][0] + h, pads[1][0]:pads[1][0] + w, :] if dxp is not None else None
    return [None if dx is None else np.ascontiguousarray(dx), dfilt] + _rest(inputs, 2)


@register(K.LRN)
def _lrn(dy, inputs, attrs, y, need):
    """y_j = x_j N_j^-beta with N_j = bias + alpha sum_{|k-j|<=r} x_k^2 (channels, innermost):
    dx_j = dy_j N_j^-beta - 2 alpha beta x_j sum_{|i-j|<=r} dy_i x_i N_i^(-beta-1)."""
    x = np.asarray(inputs[0], np.float64)
    r = int(_arg(inputs, attrs, 1, "depth_radius", 5))
    bias = float(_arg(inputs, attrs, 2, "bias", 1.0))
    alpha = float(_arg(inputs, attrs, 3, "alpha", 1.0))
    beta = float(_arg(inputs, attrs, 4, "beta", 0.5))
    c = x.shape[-1]
    lo = np.clip(np.arange(c) - r, 0, c)
    hi = np.clip(np.arange(c) + r + 1, 0, c)

    def window_sum(v):
        csum = np.concatenate([np.zeros(v.shape[:-1] + (1,)), np.cumsum(v, axis=-1)], axis=-1)
        return csum[..., hi] - csum[..., lo]

    norm = bias + alpha * window_sum(np.square(x))
    g = np.asarray(dy, np.float64)
    dx = g * np.power(norm, -beta) - 2 * alpha * beta * x * window_sum(g * x * np.power(norm, -beta - 1))
    return [dx.astype(F32)] + _rest(inputs)
