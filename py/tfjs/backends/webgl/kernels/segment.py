"""Segment sums and counts of the webgl backend: UnsortedSegmentSum, Bincount and DenseBincount.

UnsortedSegmentSum with host segment ids lists each segment's rows on the host (in row order, the order the
cpu kernel adds them) and each output element sums its list; with ids on the GPU each output element scans
every id (at most ``MAX_SCAN`` rows). Ids outside [0, num_segments) add nowhere, as in TF.js's kernels.

Bincount and DenseBincount: each output element (row, value) scans its row of x (at most ``MAX_SCAN``
values), adding 1 or the weight where x equals the value (binary_output: 1 where any does). Values of x
outside [0, size) count nowhere, as in the cpu kernel.

int32 sums are exact while every partial sum stays below 2^24 in magnitude (sums run in float32): host int32
inputs are checked (the sum of their magnitudes), int32 tensors already on the GPU are summed as they are.
"""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import F32, I32, GPUTensor
from ..textures import MAX_EXACT_INDEX
from .base import KernelBase, register
from .elementwise import EXACT_INT

#: the longest row a GPU output element scans (ids or bincount values on the GPU)
MAX_SCAN = 4096

LIST_BODY = """  int inner = P(0);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int seg = i / inner; int j = i - seg * inner;
    int end = int(S2(seg + 1));
    float acc = 0.0;
    for (int n = int(S2(seg)); n < end; n++) acc += S0(int(S1(n)) * inner + j);
    r[q] = acc;
  }"""

SCAN_BODY = """  int inner = P(0); int rows = P(1);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int seg = i / inner; int j = i - seg * inner;
    float acc = 0.0;
    for (int n = 0; n < rows; n++) if (int(S1(n)) == seg) acc += S0(n * inner + j);
    r[q] = acc;
  }"""

BINCOUNT_BODY = """  int size = P(0); int len = P(1); int binary = P(2);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int row = i / size; int v = i - row * size;
    float acc = 0.0; bool hit = false;
    for (int n = row * len; n < (row + 1) * len; n++) {
      if (int(S0(n)) == v) { hit = true; acc += WEIGHT; }
    }
    r[q] = binary == 1 ? (hit ? 1.0 : 0.0) : acc;
  }"""


class SegmentKernels(KernelBase):
    """UnsortedSegmentSum, Bincount and DenseBincount of the webgl backend."""

    def unsorted_segment_sum(self, x, segment_ids, num_segments):  # see _segment_inputs
        num_segments = int(num_segments)
        ids_shape = tuple(np.shape(segment_ids))
        x_shape = tuple(np.shape(x))
        if ids_shape != x_shape[:len(ids_shape)] or num_segments <= 0:
            raise NotOnGPU()  # the cpu kernel's error names what is wrong
        inner = int(np.prod(x_shape[len(ids_shape):], dtype=np.int64))
        rows = int(np.prod(ids_shape, dtype=np.int64))
        out_shape = (num_segments,) + x_shape[len(ids_shape):]
        total = num_segments * inner
        if rows == 0 or total == 0 or total >= MAX_EXACT_INDEX or rows * inner >= MAX_EXACT_INDEX:
            raise NotOnGPU()
        xg = self.g(x)
        dtype = xg.dtype
        channels = out_shape[-1] if len(out_shape) > 1 else 1
        if isinstance(segment_ids, GPUTensor):
            if rows > MAX_SCAN:
                raise NotOnGPU()
            plan = Plan(("segment_sum",), SCAN_BODY, [xg, segment_ids], [inner, rows], [], channels)
            return GPUTensor(self.b, out_shape, plan=plan, dtype=dtype)
        flat = np.asarray(segment_ids).reshape(-1).astype(np.int64)
        keep = np.flatnonzero((flat >= 0) & (flat < num_segments))
        order = keep[np.argsort(flat[keep], kind="stable")]   # rows by segment, in row order
        starts = np.searchsorted(flat[order], np.arange(num_segments + 1))
        if order.size == 0:
            order = np.zeros(1, np.int64)  # a texture of one unread value: every list is empty
        plan = Plan(("segment_sum",), LIST_BODY, [xg, self.b.upload(order.astype(F32)),
                                                  self.b.upload(starts.astype(F32))], [inner], [], channels)
        return GPUTensor(self.b, out_shape, plan=plan, dtype=dtype)

    def bincount(self, x, size, weights=None, binary_output=False):  # see _bincount_inputs
        size = int(size)
        shape = tuple(np.shape(x))
        if len(shape) > 2 or size <= 0:
            raise NotOnGPU()
        rows, length = (shape[0], shape[1]) if len(shape) == 2 else (1, int(np.prod(shape, dtype=np.int64)))
        weighted = weights is not None and int(np.prod(np.shape(weights), dtype=np.int64)) > 0
        if length == 0 or length > MAX_SCAN or rows * size >= MAX_EXACT_INDEX or \
                (weighted and tuple(np.shape(weights)) != shape):
            raise NotOnGPU()
        ins = [self.g(x)]
        dtype = F32
        if weighted:
            w = self.g(weights)
            ins.append(w)
            dtype = w.dtype
        body = BINCOUNT_BODY.replace("WEIGHT", "S1(n)" if weighted else "1.0")
        out_shape = (rows, size) if len(shape) == 2 else (size,)
        plan = Plan(("bincount",), body, ins, [size, length, int(bool(binary_output))], [], size)
        return GPUTensor(self.b, out_shape, plan=plan, dtype=dtype)


def _exact_ints(v, total: bool) -> bool:
    """Host integers below 2^24 in magnitude (``total``: their sum of magnitudes too, a float32 sum of them is
    then exact)."""
    a = np.asarray(v)
    if a.size == 0:
        return True
    mags = np.abs(a.astype(np.int64))
    return int(np.sum(mags) if total else np.max(mags)) <= EXACT_INT


def _values(v, ints_total: bool) -> bool:
    """A GPU tensor of float32 or int32, or host float32 / int32 values (int32: see _exact_ints)."""
    if isinstance(v, GPUTensor):
        return v.dtype in (F32, I32)
    a = np.asarray(v)
    if a.dtype == I32:
        return _exact_ints(a, ints_total)
    return a.dtype == F32


def _ids(v) -> bool:
    """Integer ids: an int32 GPU tensor, or host integers below 2^24."""
    if isinstance(v, GPUTensor):
        return v.dtype == I32
    a = np.asarray(v)
    return a.dtype.kind in "iu" and _exact_ints(a, False)


def _segment_inputs(x, segment_ids, num_segments, *args, **attrs) -> bool:
    return _values(x, True) and _ids(segment_ids) and np.size(num_segments) == 1


def _bincount_inputs(x, size, weights=None, binary_output=False, *args, **attrs) -> bool:
    """Ids on the GPU, or host ids with no negative value (those go to the cpu kernel, which refuses them as
    TF.js does; on the GPU a negative id is not counted, since checking would read the ids back)."""
    weights_ok = weights is None or np.size(weights) == 0 or _values(weights, True)
    host_ok = isinstance(x, GPUTensor) or np.size(x) == 0 or np.min(x) >= 0
    return _ids(x) and host_ok and weights_ok and np.size(size) == 1


def _register() -> None:
    register(K.UnsortedSegmentSum, lambda b: SegmentKernels(b).unsorted_segment_sum, ("matrix", "rank3"),
             supports=_segment_inputs, dtypes=("float32", "int32"))
    for name in (K.Bincount, K.DenseBincount):
        register(name, lambda b: SegmentKernels(b).bincount, ("vector", "matrix"), supports=_bincount_inputs,
                 dtypes=("float32", "int32"))


_register()
