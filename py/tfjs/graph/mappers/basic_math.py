"""basic_math: elementwise functions and activations."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...ops import graph_extra as gx
from ..registry import op
from ._util import scalar

_FLOAT_OPS = {
    "Ceil": ops.ceil, "Floor": ops.floor, "Round": ops.round, "Exp": ops.exp, "Log": ops.log, "Sqrt": ops.sqrt,
    "Rsqrt": ops.rsqrt, "Sin": ops.sin, "Cos": ops.cos, "Tanh": ops.tanh, "Sigmoid": ops.sigmoid,
    "Softplus": ops.softplus, "Expm1": ops.expm1, "Log1p": ops.log1p, "Reciprocal": ops.reciprocal,
    "Erf": ops.erf, "Selu": ops.selu, "Relu6": ops.relu6, "Elu": ops.elu,
    "Acos": gx.acos, "Asin": gx.asin, "Atan": gx.atan, "Cosh": gx.cosh, "Sinh": gx.sinh, "Tan": gx.tan,
    "Asinh": gx.asinh, "Acosh": gx.acosh, "Atanh": gx.atanh, "IsNan": gx.is_nan, "IsFinite": gx.is_finite,
    "IsInf": gx.is_inf, "ComplexAbs": gx.complex_abs, "Real": gx.real, "Imag": gx.imag,
}


def _float_mapper(fn):
    def mapper(node, ins, ex):
        return fn(ins[0])
    return mapper


for _name, _fn in _FLOAT_OPS.items():
    op(_name, category="basic_math")(_float_mapper(_fn))


def _typed_mapper(kernel):
    def mapper(node, ins, ex):
        return gx.unary(kernel, ins[0])
    return mapper


for _name in ("Abs", "Neg", "Square", "Sign", "Relu"):
    op(_name, category="basic_math")(_typed_mapper(_name))


@op("ClipByValue")
def clip_by_value(node, ins, ex):
    x, lo, hi = ins
    if np.size(lo) != 1 or np.size(hi) != 1:
        return gx.binary("Minimum", gx.binary("Maximum", x, lo), hi)
    return ops.clip_by_value(x, float(scalar(lo)), float(scalar(hi)))


@op("LeakyRelu")
def leaky_relu(node, ins, ex):
    return ops.leaky_relu(ins[0], node.attr("alpha", 0.2))


@op("Prelu")
def prelu(node, ins, ex):
    return ops.prelu(ins[0], ins[1])


@op("Atan2")
def atan2(node, ins, ex):
    return gx.atan2(ins[0], ins[1])


@op("Complex")
def complex_(node, ins, ex):
    return gx.complex(ins[0], ins[1])
