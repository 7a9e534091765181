"""reduction: Bincount DenseBincount Max Mean Min Sum All Any ArgMax ArgMin Prod Cumprod Cumsum."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...ops import graph_extra as gx
from ..registry import op
from ._util import axis_list, scalar

_REDUCE = {"Max": ops.max, "Min": ops.min, "Sum": ops.sum, "Prod": ops.prod, "All": ops.all, "Any": ops.any}


def _reduce(name):
    def mapper(node, ins, ex):
        x = np.asarray(ins[0])
        axes = tuple(axis_list(ins[1], x.ndim)) if len(ins) > 1 else None
        keep = bool(node.attr("keep_dims", False))
        if axes == ():
            return x
        out = _REDUCE[name](x, axes, keep)
        if name in ("Max", "Min", "Sum", "Prod"):
            dtype = np.int32 if x.dtype == np.bool_ and name in ("Sum", "Prod") else x.dtype
            return np.asarray(out).astype(dtype, copy=False)
        return out
    return mapper


for _name in _REDUCE:
    op(_name, category="reduction")(_reduce(_name))


@op("Mean")
def mean(node, ins, ex):
    x = np.asarray(ins[0])
    axes = tuple(axis_list(ins[1], x.ndim))
    keep = bool(node.attr("keep_dims", False))
    if axes == ():
        return x
    if x.dtype.kind in "iu":
        count = int(np.prod([x.shape[a] for a in axes]))
        return gx.divide(np.asarray(ops.sum(x, axes, keep)).astype(np.int32), np.asarray(count, np.int32))
    return ops.mean(x, axes, keep)


@op("ArgMax", "ArgMin")
def arg(node, ins, ex):
    x = np.asarray(ins[0])
    axis = int(scalar(ins[1])) % max(x.ndim, 1)
    return (ops.arg_max if node.op == "ArgMax" else ops.arg_min)(x, axis)


@op("Cumsum", "Cumprod")
def cumulative(node, ins, ex):
    fn = gx.cumsum if node.op == "Cumsum" else gx.cumprod
    return fn(ins[0], int(scalar(ins[1])), bool(node.attr("exclusive", False)), bool(node.attr("reverse", False)))


@op("Bincount")
def bincount(node, ins, ex):
    x, size, weights = ins
    return gx.bincount(x, int(scalar(size)), weights)


@op("DenseBincount")
def dense_bincount(node, ins, ex):
    x, size, weights = ins
    return gx.dense_bincount(x, int(scalar(size)), weights, bool(node.attr("binary_output", False)))
