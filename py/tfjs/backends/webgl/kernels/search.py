"""SearchSorted of the webgl backend: for each value, a binary search of its row of the sorted sequence (left:
the first position whose element is not below the value; right: the first above it). int32 results."""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import I32, GPUTensor
from ..textures import MAX_EXACT_INDEX
from .base import KernelBase, register

BODY = """  int N = P(0); int M = P(1); int right = P(2); int batched = P(3);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    float v = S1(i);
    int base = batched == 1 ? (i / M) * N : 0;
    int lo = 0; int hi = N;
    for (int it = 0; it < 32 && lo < hi; it++) {
      int mid = (lo + hi) / 2;
      float s = S0(base + mid);
      bool after = right == 1 ? s <= v : s < v;
      if (after) lo = mid + 1; else hi = mid;
    }
    r[q] = float(lo);
  }"""


class SearchKernels(KernelBase):
    """SearchSorted of the webgl backend."""

    def search_sorted(self, sorted_seq, values, side="left"):  # see _float32_rows, its predicate
        seq, vals = self.g(sorted_seq), self.g(values)
        n = seq.shape[-1]
        if n == 0 or vals.size == 0 or seq.size >= MAX_EXACT_INDEX or vals.size >= MAX_EXACT_INDEX:
            raise NotOnGPU()
        batched = len(seq.shape) == 2
        m = vals.shape[-1] if vals.shape else 1
        plan = Plan(("search_sorted",), BODY, [seq, vals], [n, m, int(side == "right"), int(batched)], [], m)
        return GPUTensor(self.b, vals.shape, plan=plan, dtype=I32)


def _float32_rows(sorted_seq, values, side="left", *args, **attrs) -> bool:
    """A float32 sequence (one row, or rows matching the values' rows) and float32 values, without NaNs on the
    host (the cpu kernel orders NaN last)."""
    def f32(v):
        return isinstance(v, GPUTensor) or (np.asarray(v).dtype == np.float32 and not np.isnan(v).any())
    if side not in ("left", "right") or not (f32(sorted_seq) and f32(values)):
        return False
    ns, nv = np.ndim(sorted_seq), np.ndim(values)
    if ns == 1:
        return True
    return ns == 2 and nv == 2 and np.shape(values)[0] == np.shape(sorted_seq)[0]


def _register() -> None:
    register(K.SearchSorted, lambda b: SearchKernels(b).search_sorted, ("vector", "matrix"), supports=_float32_rows)


_register()
