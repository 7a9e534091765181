"""matrices: _FusedMatMul MatMul BatchMatMul BatchMatMulV2 Transpose Einsum MatrixBandPart."""

from __future__ import annotations

from ... import ops
from ...ops import graph_extra as gx
from ..registry import op
from ._util import ints, scalar
from .convolution import apply_fused


def _matmul(node, a, b):
    ta = bool(node.attr("transpose_a", False) or node.attr("adj_x", False))
    tb = bool(node.attr("transpose_b", False) or node.attr("adj_y", False))
    return ops.matmul(a, b, ta, tb)


@op("MatMul", "BatchMatMul", "BatchMatMulV2")
def matmul(node, ins, ex):
    return _matmul(node, ins[0], ins[1])


@op("_FusedMatMul")
def fused_matmul(node, ins, ex):
    return apply_fused(node, _matmul(node, ins[0], ins[1]), ins[2:])


@op("Transpose")
def transpose(node, ins, ex):
    return ops.transpose(ins[0], ints(ins[1]))


@op("Einsum")
def einsum(node, ins, ex):
    return gx.einsum(node.str_attr("equation", keep_case=True), *ins)


@op("MatrixBandPart")
def matrix_band_part(node, ins, ex):
    return gx.matrix_band_part(ins[0], int(scalar(ins[1])), int(scalar(ins[2])))
