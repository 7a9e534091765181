"""creation: Fill LinSpace OneHot Ones OnesLike RandomStandardNormal RandomUniform RandomUniformInt Range
TruncatedNormal Zeros ZerosLike Multinomial."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...ops import graph_extra as gx
from ..attrs import NUMPY_DTYPES
from ..registry import op
from ._util import ints, scalar


def _np_dtype(dtype):
    return NUMPY_DTYPES.get(dtype or "float32", np.float32)


@op("Fill")
def fill(node, ins, ex):
    dims, value = ins
    return gx.fill(ints(dims), np.asarray(value))


@op("LinSpace")
def linspace(node, ins, ex):
    return gx.linspace(scalar(ins[0]), scalar(ins[1]), int(scalar(ins[2])))


@op("OneHot")
def one_hot(node, ins, ex):
    indices, depth, on, off = ins
    on, off = np.asarray(on), np.asarray(off)
    out = ops.one_hot(indices, int(scalar(depth)), float(scalar(on)), float(scalar(off)))
    axis = int(node.attr("axis", -1))
    if axis != -1:
        out = np.moveaxis(out, -1, axis)
    return np.ascontiguousarray(out).astype(on.dtype, copy=False)


@op("Ones", "Zeros")
def ones_zeros(node, ins, ex):
    # Ones and Zeros are TF.js's own ops (not TF's): their dtype is the attr T, as in TF.js's op list.
    value = np.asarray(1 if node.op == "Ones" else 0, _np_dtype(node.attr("T", "float32")))
    return gx.fill(ints(ins[0]), value)


@op("OnesLike", "ZerosLike")
def like(node, ins, ex):
    # x's shape and dtype only: a tensor on a device stays there (its values are never read)
    return (gx.ones_like if node.op == "OnesLike" else gx.zeros_like)(ins[0])


@op("RandomUniform")
def random_uniform(node, ins, ex):
    return gx.random_uniform(ints(ins[0]), 0.0, 1.0, node.attr("dtype", "float32"), node.attr("seed") or None)


@op("RandomUniformInt")
def random_uniform_int(node, ins, ex):
    return gx.random_uniform(ints(ins[0]), scalar(ins[1]), scalar(ins[2]), "int32", node.attr("seed") or None)


@op("RandomStandardNormal", "TruncatedNormal")
def random_normal(node, ins, ex):
    return gx.random_normal(ints(ins[0]), 0.0, 1.0, node.op == "TruncatedNormal", node.attr("seed") or None)


@op("Multinomial")
def multinomial(node, ins, ex):
    return gx.multinomial(ins[0], int(scalar(ins[1])), node.attr("seed") or None)


@op("Range")
def range_(node, ins, ex):
    start, limit, delta = ins
    dtype = node.attr("Tidx") or ("int32" if np.asarray(start).dtype.kind in "iu" else "float32")
    return gx.range_(scalar(start), scalar(limit), scalar(delta), dtype)
