"""BitwiseAnd of the webgl backend: int32 operands (held as float32 values, so at most 2^24 in magnitude) ANDed
as 32-bit two's complement integers in the shader. The AND of two integers in [-2^24, 2^24] lies in that range
too, so the result is exact; larger host values go to the cpu kernel. Like the other binary kernels it joins a
pending producer's pass as an epilogue step.
"""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..tensor import I32, GPUTensor
from .base import register
from .elementwise import EXACT_INT, ElementwiseKernels


class BitwiseKernels(ElementwiseKernels):
    """BitwiseAnd of the webgl backend."""

    def bitwise_and(self, a, b):  # int32 operands: see _int32_operands
        out = self.binary("BitwiseAnd:int")(a, b)
        out.dtype = I32
        return out


def _exact_int32(v) -> bool:
    """A GPU int32 tensor, or host int32 values at most 2^24 in magnitude."""
    if isinstance(v, GPUTensor):
        return v.dtype == I32
    a = np.asarray(v)
    return a.dtype == I32 and (a.size == 0 or int(np.max(np.abs(a.astype(np.int64)))) <= EXACT_INT)


def _int32_operands(a, b, *args, **attrs) -> bool:
    """Both operands int32 (TF.js's BitwiseAnd takes int32 only) that a float32 holds exactly."""
    return _exact_int32(a) and _exact_int32(b)


def _register() -> None:
    register(K.BitwiseAnd, lambda b: BitwiseKernels(b).bitwise_and, ("matrix", "broadcast", "large"),
             supports=_int32_operands, dtypes=("int32",))


_register()
