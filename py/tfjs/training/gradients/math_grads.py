"""Gradients of elementwise math, comparisons and reductions (TF.js's gradient formulas)."""

from __future__ import annotations

import math

import numpy as np

from ... import kernel_names as K
from .registry import register, unbroadcast

F32 = np.float32
SELU_SCALE = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


def _f(x):
    return np.asarray(x, F32)


def _unary(*names):
    """Register fn(dy, x, y, attrs) -> dx for unary ops."""
    def decorator(fn):
        def grad(dy, inputs, attrs, y, need):
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                return [fn(dy, _f(inputs[0]), y, attrs)]
        register(*names)(grad)
        return fn
    return decorator


@_unary(K.Abs)
def _abs(dy, x, y, a):
    return dy * np.sign(x)


@_unary(K.Neg)
def _neg(dy, x, y, a):
    return -dy


@_unary(K.Exp)
def _exp(dy, x, y, a):
    return dy * y


@_unary(K.Expm1)
def _expm1(dy, x, y, a):
    return dy * np.exp(x)


@_unary(K.Log)
def _log(dy, x, y, a):
    return dy / x


@_unary(K.Log1p)
def _log1p(dy, x, y, a):
    return dy / (x + F32(1))


@_unary(K.Sqrt)
def _sqrt(dy, x, y, a):
    return dy / (F32(2) * np.sqrt(x))


@_unary(K.Rsqrt)
def _rsqrt(dy, x, y, a):
    return dy / (F32(-2) * x * np.sqrt(x))


@_unary(K.Square)
def _square(dy, x, y, a):
    return dy * (F32(2) * x)


@_unary(K.Reciprocal)
def _reciprocal(dy, x, y, a):
    return -dy / (x * x)


@_unary(K.Sign, K.Floor, K.Ceil, K.Round, K.Step, K.IsNan, K.IsInf, K.IsFinite)
def _zero(dy, x, y, a):
    return np.zeros_like(dy, F32)


@_unary(K.Tanh)
def _tanh(dy, x, y, a):
    return dy * (F32(1) - y * y)


@_unary(K.Sin)
def _sin(dy, x, y, a):
    return dy * np.cos(x)


@_unary(K.Cos)
def _cos(dy, x, y, a):
    return -dy * np.sin(x)


@_unary(K.Relu)
def _relu(dy, x, y, a):
    return dy * (x > 0)


@_unary(K.Relu6)
def _relu6(dy, x, y, a):
    return dy * ((x > 0) & (x <= 6))


@_unary(K.Sigmoid)
def _sigmoid(dy, x, y, a):
    return dy * (y * (F32(1) - y))


@_unary(K.Softplus)
def _softplus(dy, x, y, a):
    return dy * (F32(1) / (F32(1) + np.exp(-x)))


@_unary(K.Elu)
def _elu(dy, x, y, a):
    alpha = F32(a.get("alpha", 1.0))
    return np.where(x > 0, dy, dy * (y + alpha))


@_unary(K.Selu)
def _selu(dy, x, y, a):
    return np.where(x > 0, dy * F32(SELU_SCALE), dy * F32(SELU_SCALE * SELU_ALPHA) * np.exp(x))


@_unary(K.Erf)
def _erf(dy, x, y, a):
    return dy * F32(2 / math.sqrt(math.pi)) * np.exp(-x * x)


@_unary(K.LeakyRelu)
def _leaky_relu(dy, x, y, a):
    return np.where(x > 0, dy, dy * F32(a.get("alpha", 0.2)))


@_unary(K.ClipByValue)
def _clip(dy, x, y, a):
    return np.where((x >= F32(a["clip_value_min"])) & (x <= F32(a["clip_value_max"])), dy, F32(0))


@_unary(K.Acos)
def _acos(dy, x, y, a):
    return -dy / np.sqrt(F32(1) - x * x)


@_unary(K.Asin)
def _asin(dy, x, y, a):
    return dy / np.sqrt(F32(1) - x * x)


@_unary(K.Atan)
def _atan(dy, x, y, a):
    return dy / (x * x + F32(1))


@_unary(K.Sinh)
def _sinh(dy, x, y, a):
    return dy * np.cosh(x)


@_unary(K.Cosh)
def _cosh(dy, x, y, a):
    return dy * np.sinh(x)


@_unary(K.Tan)
def _tan(dy, x, y, a):
    return dy / np.square(np.cos(x))


@_unary(K.Softmax)
def _softmax(dy, x, y, a):
    axis = a.get("axis", -1)
    return y * (dy - np.sum(dy * y, axis=axis, keepdims=True))


@_unary(K.LogSoftmax)
def _log_softmax(dy, x, y, a):
    axis = a.get("axis", -1)
    return dy - np.exp(y) * np.sum(dy, axis=axis, keepdims=True)


@register(K.Prelu)
def _prelu(dy, inputs, attrs, y, need):
    x, alpha = _f(inputs[0]), _f(inputs[1])
    pos = x > 0
    dx = np.where(pos, dy, dy * alpha) if need[0] else None
    da = unbroadcast(np.where(pos, F32(0), dy * x), alpha.shape) if need[1] else None
    return [dx, da]


def _binary(*names):
    """Register fn(dy, a, b, y) -> (da, db) (full shape) for broadcasting binary ops."""
    def decorator(fn):
        def grad(dy, inputs, attrs, y, need):
            a, b = np.asarray(inputs[0]), np.asarray(inputs[1])
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                da, db = fn(dy, a.astype(F32, copy=False), b.astype(F32, copy=False), y, need)
            return [unbroadcast(da, a.shape) if need[0] and da is not None else None,
                    unbroadcast(db, b.shape) if need[1] and db is not None else None]
        register(*names)(grad)
        return fn
    return decorator


@_binary(K.Add, "AddV2")
def _add(dy, a, b, y, need):
    return dy, dy


@_binary(K.Sub)
def _sub(dy, a, b, y, need):
    return dy, -dy


@_binary(K.Mul)
def _mul(dy, a, b, y, need):
    return (dy * b if need[0] else None), (dy * a if need[1] else None)


@_binary(K.RealDiv, "Div")
def _div(dy, a, b, y, need):
    return (dy / b if need[0] else None), (-dy * a / (b * b) if need[1] else None)


@_binary(K.Maximum)
def _maximum(dy, a, b, y, need):
    mask = a >= b
    return dy * mask, dy * ~mask


@_binary(K.Minimum)
def _minimum(dy, a, b, y, need):
    mask = a <= b
    return dy * mask, dy * ~mask


@_binary(K.Pow)
def _pow(dy, a, b, y, need):
    da = dy * b * np.power(a, b - F32(1)) if need[0] else None
    db = None
    if need[1]:
        loga = np.where(a > 0, np.log(np.where(a > 0, a, F32(1))), F32(0))
        db = dy * np.asarray(y, F32) * loga
    return da, db


@_binary(K.SquaredDifference)
def _squared_difference(dy, a, b, y, need):
    d = dy * F32(2) * (a - b)
    return d, -d


@_binary(K.Atan2)
def _atan2(dy, a, b, y, need):
    d = a * a + b * b
    return dy * b / d, -dy * a / d


@register(K.Select)
def _select(dy, inputs, attrs, y, need):
    cond = np.asarray(inputs[0], bool)
    a, b = np.asarray(inputs[1]), np.asarray(inputs[2])
    zero = F32(0)
    return [None, unbroadcast(np.where(cond, dy, zero), a.shape) if need[1] else None,
            unbroadcast(np.where(cond, zero, dy), b.shape) if need[2] else None]


@register(K.Cast)
def _cast(dy, inputs, attrs, y, need):
    x = np.asarray(inputs[0])
    return [dy if x.dtype.kind == "f" and np.asarray(y).dtype.kind == "f" else None]


@register(K.Greater, K.GreaterEqual, K.Less, K.LessEqual, K.Equal, K.NotEqual, K.LogicalAnd, K.LogicalOr,
          K.LogicalNot, K.ArgMax, K.ArgMin, K.OneHot, K.Fill, K.All, K.Any)
def _none(dy, inputs, attrs, y, need):
    return [None] * len(inputs)


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    return tuple(sorted(int(a) % ndim for a in axes)) if ndim else ()


def _expand(dy, axes, keep_dims):
    return dy if keep_dims else np.expand_dims(dy, axes) if axes else dy


@register(K.Sum)
def _sum(dy, inputs, attrs, y, need):
    x = np.asarray(inputs[0])
    axes = _axes(attrs.get("axis"), x.ndim)
    return [np.broadcast_to(_expand(dy, axes, attrs.get("keep_dims", False)), x.shape).astype(F32)]


@register(K.Mean)
def _mean(dy, inputs, attrs, y, need):
    x = np.asarray(inputs[0])
    axes = _axes(attrs.get("axis"), x.ndim)
    count = int(np.prod([x.shape[a] for a in axes])) if axes else 1
    g = _expand(dy, axes, attrs.get("keep_dims", False)) / F32(max(count, 1))
    return [np.broadcast_to(g, x.shape).astype(F32)]


@register(K.Max, K.Min)
def _max(dy, inputs, attrs, y, need):
    x = np.asarray(inputs[0], F32)
    axes = _axes(attrs.get("axis"), x.ndim)
    keep = attrs.get("keep_dims", False)
    yk = _expand(np.asarray(y), axes, keep)
    return [(_expand(dy, axes, keep) * (x == yk)).astype(F32)]


@register(K.Prod)
def _prod(dy, inputs, attrs, y, need):
    x = np.asarray(inputs[0], F32)
    axes = _axes(attrs.get("axis"), x.ndim)
    keep = attrs.get("keep_dims", False)
    yk = _expand(np.asarray(y, F32), axes, keep)
    with np.errstate(divide="ignore", invalid="ignore"):
        return [(_expand(dy, axes, keep) * yk / x).astype(F32)]


@register(K.AddN)
def _add_n(dy, inputs, attrs, y, need):
    return [[dy for _ in inputs[0]]]
