"""Reductions and scans: sum, mean, prod, max, min, any, all, argMax, argMin, logSumExp, moments, norm,
euclideanNorm, cumsum, cumprod. ``axis`` None reduces every axis; negative axes count from the end."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import kernel_names as K
from ..errors import InvalidArgumentError
from ..ops.dispatch import run
from .arithmetic import _bool
from .convert import convert, dtype_of, parse_axis


def _axes(x, axis):
    axes = parse_axis(axis, x.ndim)
    return axes if x.ndim else None


def sum(x, axis=None, keep_dims=False):  # noqa: A001
    """tf.sum(x, axis?, keepDims=false): bool sums as int32."""
    x = convert(x, "x", "sum")
    if dtype_of(x) == "bool":
        x = convert(x, "x", "sum", "int32")
    return run(K.Sum, x, axis=_axes(x, axis), keep_dims=keep_dims)


def mean(x, axis=None, keep_dims=False):
    """tf.mean(x, axis?, keepDims=false): float32."""
    x = convert(x, "x", "mean", "float32")
    return run(K.Mean, x, axis=_axes(x, axis), keep_dims=keep_dims)


def prod(x, axis=None, keep_dims=False):
    """tf.prod(x, axis?, keepDims=false): bool products as int32."""
    x = convert(x, "x", "prod")
    if dtype_of(x) == "bool":
        x = convert(x, "x", "prod", "int32")
    return run(K.Prod, x, axis=_axes(x, axis), keep_dims=keep_dims)


def max(x, axis=None, keep_dims=False):  # noqa: A001
    """tf.max(x, axis?, keepDims=false)."""
    x = convert(x, "x", "max")
    return run(K.Max, x, axis=_axes(x, axis), keep_dims=keep_dims)


def min(x, axis=None, keep_dims=False):  # noqa: A001
    """tf.min(x, axis?, keepDims=false)."""
    x = convert(x, "x", "min")
    return run(K.Min, x, axis=_axes(x, axis), keep_dims=keep_dims)


def any(x, axis=None, keep_dims=False):  # noqa: A001
    """tf.any(x, axis?, keepDims=false): x is bool."""
    x = _bool(x, "x", "any")
    return run(K.Any, x, axis=_axes(x, axis), keep_dims=keep_dims)


def all(x, axis=None, keep_dims=False):  # noqa: A001
    """tf.all(x, axis?, keepDims=false): x is bool."""
    x = _bool(x, "x", "all")
    return run(K.All, x, axis=_axes(x, axis), keep_dims=keep_dims)


def arg_max(x, axis=0):
    """tf.argMax(x, axis=0): int32 positions of the largest values (the first on ties)."""
    x = convert(x, "x", "argMax")
    return run(K.ArgMax, x, axis=parse_axis(axis, x.ndim)[0])


def arg_min(x, axis=0):
    """tf.argMin(x, axis=0): int32 positions of the smallest values (the first on ties)."""
    x = convert(x, "x", "argMin")
    return run(K.ArgMin, x, axis=parse_axis(axis, x.ndim)[0])


def log_sum_exp(x, axis=None, keep_dims=False):
    """tf.logSumExp(x, axis?, keepDims=false): log(sum(exp(x - m))) + m, m the max along the axes."""
    x = convert(x, "x", "logSumExp", "float32")
    axes = _axes(x, axis)
    m = run(K.Max, x, axis=axes, keep_dims=True)
    s = run(K.Sum, run(K.Exp, run(K.Sub, x, m)), axis=axes, keep_dims=keep_dims)
    m = m if keep_dims else run(K.Reshape, m, shape=list(np.shape(s)))
    return run(K.Add, run(K.Log, s), m)


class Moments(NamedTuple):
    mean: object
    variance: object


def moments(x, axes=None, keep_dims=False):
    """tf.moments(x, axes?, keepDims=false): (mean, variance), as a named tuple."""
    x = convert(x, "x", "moments", "float32")
    ax = _axes(x, axes)
    m = run(K.Mean, x, axis=ax, keep_dims=True)
    var = run(K.Mean, run(K.Square, run(K.Sub, x, m)), axis=ax, keep_dims=keep_dims)
    return Moments(m if keep_dims else run(K.Reshape, m, shape=list(np.shape(var))), var)


def euclidean_norm(x, axis=None, keep_dims=False):
    """tf.euclideanNorm(x, axis?, keepDims=false)."""
    return norm(x, "euclidean", axis, keep_dims)


def norm(x, ord="euclidean", axis=None, keep_dims=False):  # noqa: A002
    """tf.norm(x, ord='euclidean', axis?, keepDims=false): vector norms 1, 2, inf, -inf, 'euclidean' and any
    p; matrix norms 1, inf, 'fro', 'euclidean' over two axes."""
    x = convert(x, "x", "norm")
    if x.ndim == 0:
        x = run(K.Reshape, x, shape=[1])
    axes = parse_axis(axis, x.ndim)
    a = run(K.Abs, x)
    if axis is None:
        a, axes = run(K.Reshape, a, shape=[-1]), [0]
    if len(axes) == 1:
        if ord in ("euclidean", "fro", 2):
            out = run(K.Sqrt, run(K.Sum, run(K.Square, a), axis=axes, keep_dims=keep_dims))
        elif ord == 1:
            out = run(K.Sum, a, axis=axes, keep_dims=keep_dims)
        elif ord == np.inf:
            out = run(K.Max, a, axis=axes, keep_dims=keep_dims)
        elif ord == -np.inf:
            out = run(K.Min, a, axis=axes, keep_dims=keep_dims)
        else:
            raise InvalidArgumentError(f"Error in norm: invalid ord value: {ord}")
    elif len(axes) == 2:
        if ord == 1:
            out = run(K.Max, run(K.Sum, a, axis=[axes[0]], keep_dims=True), axis=[axes[1]], keep_dims=True)
        elif ord == np.inf:
            out = run(K.Max, run(K.Sum, a, axis=[axes[1]], keep_dims=True), axis=[axes[0]], keep_dims=True)
        elif ord in ("fro", "euclidean"):
            out = run(K.Sqrt, run(K.Sum, run(K.Square, a), axis=axes, keep_dims=True))
        else:
            raise InvalidArgumentError(f"Error in norm: invalid ord value: {ord}")
        if not keep_dims:
            out = run(K.Squeeze, out, axis=axes)
    else:
        raise InvalidArgumentError(f"Error in norm: invalid axis: {axis}")
    if keep_dims and axis is None:
        out = run(K.Reshape, out, shape=[1] * x.ndim)
    return out


def _scan(kernel, js_name):
    def op(x, axis=0, exclusive=False, reverse=False):
        x = convert(x, "x", js_name)
        if dtype_of(x) == "bool":
            x = convert(x, "x", js_name, "int32")
        return run(kernel, x, axis=parse_axis(axis, x.ndim)[0], exclusive=exclusive, reverse=reverse)
    op.__name__ = js_name
    op.__doc__ = f"tf.{js_name}(x, axis=0, exclusive=false, reverse=false)."
    return op


cumsum = _scan(K.Cumsum, "cumsum")
cumprod = _scan(K.Cumprod, "cumprod")
