"""TopK of the webgl backend: the k largest values along the last axis and their indices, in the cpu kernel's
order (larger values first, equal values by index, NaNs after every number, by index).

Rows of at least 100000 values with k at most 128 are sorted on the GPU, the limits TF.js's webgl backend hands
work to its CPU by (a shorter row or a larger k is read back there too; here it goes to the cpu kernel). Passes
move (key, index) pairs, two to a texel, so a pass reads two texels for two pairs: its own and its partners'.
A bitonic network sorts blocks of K (k rounded up to a power of two, 2 at least) with directions alternating
block by block; then, until one block is left, each pair of blocks (one descending, one ascending) keeps the
better of the two elements at each position, which holds the pair's K best as a bitonic sequence, and a bitonic
merge sorts it again. Rows are padded to a power of two with NaN keys past the row, which order after everything.
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

#: each texel: pairs j and j + 1 of a row of M pairs; their partners j ^ ST and (j + 1) ^ ST; a block of SZ
#: pairs is descending when (j & SZ) == 0. READ sets vec4 A (the texel's pairs) and vec4 B (the partners').
_SWAP = """  int n = P(0); int M = P(1); int SZ = P(2); int ST = P(3);
  int g = i0 >> 1; int row = g / M; int j = g - row * M;
  READ
  vec2 a0 = A.xy; vec2 a1 = A.zw; vec2 b0 = ST == 1 ? A.zw : B.xy; vec2 b1 = ST == 1 ? A.xy : B.zw;
  bool d0 = (j & SZ) == 0; bool d1 = ((j + 1) & SZ) == 0;
  bool w0 = ((j ^ ST) > j) == d0; bool w1 = (((j + 1) ^ ST) > j + 1) == d1;
  r.xy = pair_before_(a0, b0) == w0 ? a0 : b0;
  r.zw = pair_before_(a1, b1) == w1 ? a1 : b1;"""

#: the pairs themselves (a pass after the first)
_READ_PAIRS = "vec4 A = X1(i0 >> 2); vec4 B = X1((row * M + (j ^ ST)) * 2 >> 2);"
#: the first pass: pairs (value, position) from the input row, NaN keys past its end
_READ_INPUT = """float nan = nan_(); int s = row * n + j;
  vec4 A = vec4(j < n ? S0(s) : nan, float(j), j + 1 < n ? S0(s + 1) : nan, float(j + 1));
  vec4 B = A;"""

#: the better of the pairs at one position of two neighbouring blocks of KB pairs: rows of M pairs become rows
#: of M / 2
_MERGE = """  int M = P(0); int KB = P(1);
  int MH = M >> 1;
  int g = i0 >> 1; int row = g / MH; int j = g - row * MH;
  int blk = j / KB; int off = j - blk * KB;
  int base = row * M + 2 * blk * KB + off;
  vec4 A = X0(base >> 1); vec4 B = X0((base + KB) >> 1);
  r.xy = pair_before_(A.xy, B.xy) ? A.xy : B.xy;
  r.zw = pair_before_(A.zw, B.zw) ? A.zw : B.zw;"""

#: the first k of each sorted row of KB pairs: their keys (the values; F = 0) or their indices (F = 1)
_TAKE = """  int KB = P(0); int k = P(1); int F = P(2);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int row = i / k; int c = i - row * k;
    r[q] = S0((row * KB + c) * 2 + F);
  }"""


def _pow2(v: int) -> int:
    return 1 << max(int(v) - 1, 0).bit_length()


class TopKKernels(KernelBase):
    """TopK of the webgl backend."""

    def top_k(self, x, k, sorted_=True):  # see _topk_inputs; the result is sorted either way, as the cpu kernel's
        shape = tuple(np.shape(x))
        n, k = shape[-1], int(k)
        batch = int(np.prod(shape[:-1], dtype=np.int64))
        full, kb = _pow2(n), max(_pow2(k), 2)
        if not 1 <= k <= min(n, MAX_K) or 2 * batch * full >= MAX_EXACT_INDEX:
            raise NotOnGPU()
        xg = self.g(x)
        dtype = xg.dtype
        x2 = xg.reshape(batch, n)
        pairs = None

        def swap(m, size, stride):
            nonlocal pairs
            first = pairs is None
            body = _SWAP.replace("READ", _READ_INPUT if first else _READ_PAIRS)
            ins = [x2, x2 if first else pairs]
            pairs = GPUTensor(self.b, (batch, m, 2), plan=Plan(("topk_swap",), body, ins, [n, m, size, stride], [],
                                                               2))

        size = 2
        while size <= kb:  # sort blocks of kb, alternating directions
            stride = size >> 1
            while stride >= 1:
                swap(full, size, stride)
                stride >>= 1
            size <<= 1
        m = full
        while m > kb:
            pairs = GPUTensor(self.b, (batch, m // 2, 2), plan=Plan(("topk_merge",), _MERGE, [pairs], [m, kb], [],
                                                                    2))
            m //= 2
            stride = kb >> 1
            while stride >= 1:  # sort each bitonic block again
                swap(m, kb, stride)
                stride >>= 1
        out_shape = shape[:-1] + (k,)
        values, indices = (GPUTensor(self.b, out_shape, plan=Plan(("topk_take",), _TAKE, [pairs], [kb, k, f], [], k))
                           for f in (0, 1))
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
