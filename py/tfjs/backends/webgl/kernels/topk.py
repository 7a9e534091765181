"""TopK of the webgl backend: the k largest values along the last axis and their indices, in the cpu kernel's
order (larger values first, equal values by index, NaNs after every number, by index).

Rows of at least 100000 values with k at most 128 are sorted on the GPU, the limits TF.js's webgl backend hands
work to its CPU by (a shorter row or a larger k is read back there too; here it goes to the cpu kernel). Each pass
moves indices only; values are read through them. A bitonic network sorts blocks of K (k rounded up to a power of
two, 2 at least) with directions alternating block by block; then, until one block is left, each pair of blocks (one
descending, one ascending) keeps the better of the two elements at each position, which holds the pair's K best
as a bitonic sequence, and a bitonic merge sorts it again. Rows are padded to a power of two with indices past the
row, which order after everything.
"""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import F32, I32, GPUTensor
from ..textures import MAX_EXACT_INDEX
from .base import KernelBase, register

#: rows shorter than this, or a k larger than MAX_K, go to the cpu kernel (TF.js's webgl backend's
#: TOPK_LAST_DIM_CPU_HANDOFF_SIZE_THRESHOLD and TOPK_K_CPU_HANDOFF_THRESHOLD)
MIN_ROW = 100000
MAX_K = 128

#: whether index a goes before index b in a row (sets ``ab``): padding and NaNs last, by index; numbers larger
#: first, equal ones by index
_BETTER = """float va = a < n ? S0(row * n + a) : 0.0; float vb = b < n ? S0(row * n + b) : 0.0;
    bool la = a >= n || (floatBitsToUint(va) & 0x7fffffffu) > 0x7f800000u;
    bool lb = b >= n || (floatBitsToUint(vb) & 0x7fffffffu) > 0x7f800000u;
    bool ab = (la || lb) ? (lb && (!la || a < b)) : (va > vb || (va == vb && a < b));"""

#: one compare-exchange step of the bitonic network over rows of M indices: partner j ^ ST, the block of SZ
#: descending when (j & SZ) == 0; FIRST: the indices are the positions themselves (no index input yet)
_SWAP = """  int n = P(0); int M = P(1); int SZ = P(2); int ST = P(3);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int row = i / M; int j = i - row * M; int p = j ^ ST;
    int a = FIRST ? j : int(S1(i)); int b = FIRST ? p : int(S1(row * M + p));
    BETTER
    bool desc = (j & SZ) == 0;
    r[q] = float(ab == ((j < p) == desc) ? a : b);
  }"""

#: the better of the elements at one position of two neighbouring blocks of K: rows of M indices become rows
#: of M / 2
_MERGE = """  int n = P(0); int M = P(1); int KB = P(2);
  int MH = M >> 1;
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int row = i / MH; int j = i - row * MH;
    int blk = j / KB; int o = j - blk * KB;
    int base = row * M + 2 * blk * KB + o;
    int a = int(S1(base)); int b = int(S1(base + KB));
    BETTER
    r[q] = float(ab ? a : b);
  }"""

#: the first k of each sorted row of K indices: the indices (INDEX) or the values through them
_TAKE = """  int n = P(0); int KB = P(1); int k = P(2);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int row = i / k; int c = i - row * k;
    int a = int(S1(row * KB + c));
    r[q] = INDEX ? float(a) : S0(row * n + a);
  }"""


def _pow2(v: int) -> int:
    return 1 << max(int(v) - 1, 0).bit_length()


class TopKKernels(KernelBase):
    """TopK of the webgl backend."""

    def top_k(self, x, k, sorted_=True):  # see _topk_inputs; the result is sorted either way, as the cpu kernel's
        shape = tuple(np.shape(x))
        n, k = shape[-1], int(k)
        batch = int(np.prod(shape[:-1], dtype=np.int64))
        full, kb = _pow2(n), max(_pow2(k), 2)  # (blocks of two at least: the first pass writes the indices)
        if not 1 <= k <= min(n, MAX_K) or batch * full >= MAX_EXACT_INDEX:
            raise NotOnGPU()
        xg = self.g(x)
        dtype = xg.dtype
        x2 = xg.reshape(batch, n)
        swap = _SWAP.replace("BETTER", _BETTER)
        idx = None

        def step(m, size, stride):
            nonlocal idx
            first = idx is None
            body = swap.replace("FIRST", "true" if first else "false")
            ins = [x2, x2 if first else idx]
            idx = GPUTensor(self.b, (batch, m), plan=Plan(("topk_swap",), body, ins, [n, m, size, stride], [], m))

        size = 2
        while size <= kb:  # sort blocks of kb, alternating directions
            stride = size >> 1
            while stride >= 1:
                step(full, size, stride)
                stride >>= 1
            size <<= 1
        m = full
        merge = _MERGE.replace("BETTER", _BETTER)
        while m > kb:
            idx = GPUTensor(self.b, (batch, m // 2), plan=Plan(("topk_merge",), merge, [x2, idx], [n, m, kb], [],
                                                               m // 2))
            m //= 2
            stride = kb >> 1
            while stride >= 1:  # sort each bitonic block again
                step(m, kb, stride)
                stride >>= 1
        out_shape = shape[:-1] + (k,)
        values = GPUTensor(self.b, out_shape, plan=Plan(("topk_take",), _TAKE.replace("INDEX", "false"),
                                                        [x2, idx], [n, kb, k], [], k))
        indices = GPUTensor(self.b, out_shape, plan=Plan(("topk_take",), _TAKE.replace("INDEX", "true"),
                                                         [x2, idx], [n, kb, k], [], k))
        values.dtype = dtype
        indices.dtype = I32
        return values, indices


def _topk_inputs(x, k=1, *args, **attrs) -> bool:
    """A float32 or int32 tensor whose last axis has at least MIN_ROW values, and 1 <= k <= MAX_K."""
    if isinstance(x, GPUTensor):
        ok = x.dtype in (F32, I32)
    else:
        ok = np.asarray(x).dtype in (F32, I32)
    shape = np.shape(x)
    if not ok or not shape or isinstance(k, GPUTensor):
        return False
    k = int(np.asarray(k).reshape(()))
    return shape[-1] >= MIN_ROW and 1 <= k <= min(MAX_K, shape[-1])


def _register() -> None:
    register(K.TopK, lambda b: TopKKernels(b).top_k, ("large",), supports=_topk_inputs, dtypes=("float32", "int32"))


_register()
