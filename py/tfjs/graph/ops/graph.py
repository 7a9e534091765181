"""graph: PlaceholderWithDefault Placeholder Const Identity IdentityN Snapshot Rank Size Shape ShapeN Print
NoOp StopGradient FakeQuantWithMinMaxVars (and the debug ops Assert, CheckNumerics)."""

from __future__ import annotations

import numpy as np

from ..registry import op
from ..values import GraphExecutionError
from ._util import scalar

I32 = np.int32


@op("Placeholder", "PlaceholderV2")
def placeholder(node, ins, ex):
    raise GraphExecutionError(f"{node.describe()} is a model input and was given no value")


@op("Const")
def const(node, ins, ex):
    return ex._const_value(node)


@op("PlaceholderWithDefault", "Identity", "Snapshot", "StopGradient", "CheckNumerics")
def identity(node, ins, ex):
    return ins[0]


@op("IdentityN")
def identity_n(node, ins, ex):
    return list(ins)


@op("Print")
def print_(node, ins, ex):
    return ins[0]


@op("NoOp", "Assert")
def no_op(node, ins, ex):
    return []


@op("Rank")
def rank(node, ins, ex):
    return np.asarray(np.ndim(ins[0]), I32)


@op("Size")
def size(node, ins, ex):
    return np.asarray(np.size(ins[0]), I32)


@op("Shape")
def shape(node, ins, ex):
    return np.asarray(np.shape(ins[0]), I32)


@op("ShapeN")
def shape_n(node, ins, ex):
    return [np.asarray(np.shape(x), I32) for x in ins]


@op("FakeQuantWithMinMaxVars")
def fake_quant(node, ins, ex):
    x, lo, hi = np.asarray(ins[0], np.float32), float(scalar(ins[1])), float(scalar(ins[2]))
    bits = int(node.attr("num_bits", 8))
    qmin = 1.0 if node.attr("narrow_range", False) else 0.0
    qmax = float(2 ** bits - 1)
    scale = (hi - lo) / (qmax - qmin)
    zp = qmin - lo / scale
    nudged_zp = float(np.clip(np.floor(zp + 0.5), qmin, qmax))
    nmin, nmax = (qmin - nudged_zp) * scale, (qmax - nudged_zp) * scale
    clamped = np.clip(x, nmin, nmax)
    return (np.floor((clamped - nmin) / scale + 0.5) * scale + nmin).astype(np.float32)
