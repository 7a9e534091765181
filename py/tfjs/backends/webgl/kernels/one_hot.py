"""OneHot of the webgl backend: a depth axis of ``off_value`` with ``on_value`` at each index (indices held as
float32 values on the GPU, truncated toward zero as the cpu kernel casts them; out of range: all off)."""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import BOOL, GPUTensor
from ..textures import MAX_EXACT_INDEX
from .base import KernelBase, register
from .compare import EXACT_INT

BODY = """  int D = P(0);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int k = int(S0(i / D));
    r[q] = k == i % D ? uf[0] : uf[1];
  }"""


class OneHotKernels(KernelBase):
    """OneHot of the webgl backend."""

    def one_hot(self, indices, depth, on_value=1.0, off_value=0.0):  # see _index_input, its predicate
        depth = int(depth)
        x = self.g(indices)
        n = x.size * depth
        if depth < 1 or n == 0 or n >= MAX_EXACT_INDEX:
            raise NotOnGPU()
        shape = tuple(x.shape) + (depth,)
        return GPUTensor(self.b, shape, plan=Plan(("one_hot",), BODY, [x], [depth],
                                                  [float(on_value), float(off_value)], depth))


def _index_input(indices, depth, *args, **attrs) -> bool:
    """Indices on the GPU (int32 or float32), or host numbers a float32 holds exactly."""
    if isinstance(indices, GPUTensor):
        return True
    a = np.asarray(indices)
    if a.dtype.kind == "f":
        return a.dtype.itemsize <= 4
    if a.dtype.kind in "iu" or a.dtype == BOOL:
        return a.size == 0 or int(np.max(np.abs(a.astype(np.int64)))) <= EXACT_INT
    return False


def _register() -> None:
    register(K.OneHot, lambda b: OneHotKernels(b).one_hot, ("vector", "matrix"), supports=_index_input,
             dtypes=("int32", "float32"))


_register()
