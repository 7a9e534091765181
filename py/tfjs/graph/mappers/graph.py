"""graph: PlaceholderWithDefault Placeholder Const Identity IdentityN Snapshot Rank Size Shape ShapeN Print
NoOp StopGradient FakeQuantWithMinMaxVars (and the debug ops Assert, CheckNumerics)."""

from __future__ import annotations

import numpy as np

from ..registry import op
from ..values import GraphExecutionError

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
    # TF.js's converter passes the input through unchanged (it ignores the quantization), so a converted
    # quantization-aware model gives TF.js's numbers here; the conformance suite checks exactly this.
    return ins[0]
