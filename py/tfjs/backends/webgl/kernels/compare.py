"""Comparison, logical and selection kernels of the webgl backend: Equal, NotEqual, Greater, GreaterEqual, Less,
LessEqual, LogicalAnd, LogicalOr, LogicalNot, IsNan, IsInf, IsFinite (bool results, held as 0.0 / 1.0) and
Select (float32, int32 or bool branches; graph models map SelectV2 to it too). Like the other elementwise
kernels they join a pending producer's pass as epilogue steps.
"""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..fusion import Plan
from ..tensor import BOOL, F32, I32, GPUTensor
from .base import float32_first, register
from .elementwise import EXACT_INT, ElementwiseKernels


class CompareKernels(ElementwiseKernels):
    """Comparison, logical and selection kernels of the webgl backend."""

    def to_bool(self, kernel):
        def run(*args, **attrs):
            out = kernel(*args, **attrs)
            out.dtype = BOOL
            return out
        return run

    def select(self, cond, a, b):  # cond bool, branches of one dtype: see _select_inputs, the predicate
        out_shape = tuple(np.broadcast_shapes(np.shape(cond), np.shape(a), np.shape(b)))
        ins = [self.broadcast(v, out_shape) for v in (cond, a, b)]
        body = "  r = mix(X2(t), X1(t), notEqual(X0(t), vec4(0.0)));"
        return GPUTensor(self.b, out_shape, plan=Plan(("select",), body, ins, [], [],
                                                      out_shape[-1] if out_shape else 1), dtype=_dtype_of(a))


def _number(x) -> bool:
    """A GPU tensor, or a host array of float32 or bool, or of integers a float32 holds exactly."""
    if isinstance(x, GPUTensor):
        return True
    a = np.asarray(x)
    if a.dtype == F32 or a.dtype == BOOL:
        return True
    if a.dtype.kind in "iu":
        return a.size == 0 or int(np.max(np.abs(a.astype(np.int64)))) <= EXACT_INT
    return False


def _compare_inputs(a, b, *args, **attrs) -> bool:
    return _number(a) and _number(b)


def _bool(x) -> bool:
    return isinstance(x, GPUTensor) or np.asarray(x).dtype == BOOL


def _logical_inputs(*xs, **attrs) -> bool:
    return all(_bool(x) for x in xs)


def _dtype_of(x) -> np.dtype:
    return x.dtype if isinstance(x, GPUTensor) else np.asarray(x).dtype


def _select_inputs(cond, a, b, *args, **attrs) -> bool:
    """A bool condition and branches of one dtype: float32, bool, or int32 (host values below 2^24: int32 on
    the GPU is held as float32)."""
    if _dtype_of(cond) != BOOL:
        return False
    dt = _dtype_of(a)
    if _dtype_of(b) != dt or dt not in (F32, BOOL, I32):
        return False
    return dt != I32 or (_number(a) and _number(b))


def _register() -> None:
    compare = ("matrix", "image_c4", "broadcast", "large")
    for name in (K.Equal, K.NotEqual, K.Greater, K.GreaterEqual, K.Less, K.LessEqual):
        register(name, lambda b, name=name: (lambda k: k.to_bool(k.binary(name)))(CompareKernels(b)), compare,
                 supports=_compare_inputs, dtypes=("float32", "int32", "bool"))
    for name in (K.LogicalAnd, K.LogicalOr):
        register(name, lambda b, name=name: (lambda k: k.to_bool(k.binary(name)))(CompareKernels(b)),
                 ("matrix", "broadcast"), supports=_logical_inputs, dtypes=("bool",))
    register(K.LogicalNot, lambda b: (lambda k: k.to_bool(k.unary(K.LogicalNot)))(CompareKernels(b)),
             ("matrix", "large"), supports=_logical_inputs, dtypes=("bool",))
    for name in (K.IsNan, K.IsInf, K.IsFinite):
        register(name, lambda b, name=name: (lambda k: k.to_bool(k.unary(name)))(CompareKernels(b)),
                 ("matrix", "image_c4", "large"), supports=float32_first)
    register(K.Select, lambda b: CompareKernels(b).select, ("matrix", "broadcast", "large"),
             supports=_select_inputs, dtypes=("bool", "float32", "int32"))


_register()
