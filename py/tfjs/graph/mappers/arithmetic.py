"""arithmetic: Add AddV2 AddN BiasAdd Sub RealDiv Div DivNoNan FloorDiv Mul Maximum Minimum Pow
SquaredDifference Mod FloorMod."""

from __future__ import annotations

import numpy as np

from ...ops import graph_extra as gx
from ..registry import op
from ._util import data_format


def _binary(kernel):
    def mapper(node, ins, ex):
        return gx.binary(kernel, ins[0], ins[1])
    return mapper


for _tf, _kernel in (("Add", "Add"), ("AddV2", "Add"), ("Sub", "Sub"), ("Mul", "Mul"),
                     ("Maximum", "Maximum"), ("Minimum", "Minimum"), ("Pow", "Pow"),
                     ("SquaredDifference", "SquaredDifference")):
    op(_tf, category="arithmetic")(_binary(_kernel))


@op("AddN")
def add_n(node, ins, ex):
    return gx.add_n(list(ins))


@op("BiasAdd")
def bias_add(node, ins, ex):
    x, bias = ins
    if data_format(node).startswith("nc") and np.ndim(x) > 2:
        bias = np.reshape(bias, (-1,) + (1,) * (np.ndim(x) - 2))
    return gx.binary("Add", x, bias)


@op("RealDiv", "Div")
def div(node, ins, ex):
    return gx.divide(ins[0], ins[1])


@op("DivNoNan")
def div_no_nan(node, ins, ex):
    return gx.div_no_nan(ins[0], ins[1])


@op("FloorDiv")
def floor_div(node, ins, ex):
    return gx.floor_div(ins[0], ins[1])


@op("FloorMod", "Mod")
def floor_mod(node, ins, ex):
    return gx.floor_mod(ins[0], ins[1])
