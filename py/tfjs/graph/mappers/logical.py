"""logical: Equal NotEqual Greater GreaterEqual Less LessEqual LogicalAnd LogicalNot LogicalOr Select
SelectV2 BitwiseAnd."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...ops import graph_extra as gx
from ..registry import op

_COMPARE = {"Equal": ops.equal, "NotEqual": ops.not_equal, "Greater": ops.greater,
            "GreaterEqual": ops.greater_equal, "Less": ops.less, "LessEqual": getattr(ops, "less_equal", None),
            "LogicalAnd": ops.logical_and, "LogicalOr": ops.logical_or}


def _compare(name):
    def mapper(node, ins, ex):
        fn = _COMPARE[name]
        if fn is None:
            return gx.compare(name, ins[0], ins[1])
        return fn(ins[0], ins[1])
    return mapper


for _name in _COMPARE:
    op(_name, category="logical")(_compare(_name))


@op("LogicalNot")
def logical_not(node, ins, ex):
    return ops.logical_not(ins[0])


@op("Select", "SelectV2")
def select(node, ins, ex):
    cond, a, b = ins
    if getattr(cond, "dtype", None) != np.bool_:  # a bool condition on a device stays there
        cond = np.asarray(cond, bool)
    if node.op == "Select" and np.ndim(cond) == 1 and np.ndim(a) > 1:
        cond = cond.reshape((-1,) + (1,) * (np.ndim(a) - 1))
    return gx.select(cond, a, b)


@op("BitwiseAnd")
def bitwise_and(node, ins, ex):
    return gx.bitwise_and(ins[0], ins[1])
