"""Scatters of the webgl backend, with host indices: TensorScatterUpdate (a gather from the tensor and the
updates through an index map the cpu kernel itself computes) and ScatterNd (each output row sums its update
rows, listed on the host in the order the cpu kernel adds them). Index errors are the cpu kernel's.
"""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import F32, GPUTensor
from ..textures import MAX_EXACT_INDEX
from .base import KernelBase, register

#: host indices up to this many values
MAX_INDICES = 1 << 16

UPDATE_BODY = """  vec4 id = X2(t);
  for (int q = 0; q < 4; q++) {
    int j = int(id[q]);
    r[q] = j < P(0) ? S0(j) : S1(j - P(0));
  }"""

SCATTER_BODY = """  int inner = P(0);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int row = i / inner; int j = i % inner;
    int end = int(S2(row + 1));
    float acc = 0.0;
    for (int n = int(S2(row)); n < end; n++) acc += S0(int(S1(n)) * inner + j);
    r[q] = acc;
  }"""


class ScatterKernels(KernelBase):
    """TensorScatterUpdate and ScatterNd of the webgl backend."""

    def tensor_scatter_update(self, tensor, indices, updates):  # see _update_inputs
        cpu = self.b.cpu.kernels[K.TensorScatterUpdate]
        idx = np.asarray(indices)
        x, u = self.g(tensor), self.g(updates)
        n, m = x.size, u.size
        if n + m >= MAX_EXACT_INDEX or m == 0:
            raise NotOnGPU()
        key = (K.TensorScatterUpdate, x.shape, u.shape, idx.shape, idx.astype(np.int64).tobytes())
        imap = self.b.index_map(key, lambda: np.asarray(cpu(
            np.arange(n, dtype=np.float64).reshape(x.shape), idx,
            np.arange(n, n + m, dtype=np.float64).reshape(u.shape))))
        return GPUTensor(self.b, x.shape, plan=Plan(("scatter_update",), UPDATE_BODY, [x, u, imap], [n], [],
                                                    x.shape[-1] if x.shape else 1))

    def scatter_nd(self, indices, updates, shape):  # see _scatter_inputs
        shape = tuple(int(s) for s in shape)
        idx = np.asarray(indices).astype(np.int64)
        u = self.g(updates)
        k = idx.shape[-1] if idx.ndim else 0
        rows = int(np.prod(shape[:k], dtype=np.int64))
        inner = int(np.prod(shape[k:], dtype=np.int64))
        total = rows * inner
        if idx.ndim < 1 or k == 0 or u.size == 0 or total == 0 or total >= MAX_EXACT_INDEX or \
                u.size >= MAX_EXACT_INDEX:
            raise NotOnGPU()
        flat_idx = idx.reshape(-1, k)
        if u.shape != tuple(idx.shape[:-1]) + shape[k:] or \
                np.any((flat_idx < 0) | (flat_idx >= np.asarray(shape[:k]))):
            raise NotOnGPU()  # the cpu kernel's error names what is wrong
        flat = np.ravel_multi_index(tuple(flat_idx.T), shape[:k])
        order = np.argsort(flat, kind="stable")   # update rows by output row, in the order they are added
        starts = np.searchsorted(flat[order], np.arange(rows + 1))
        lists = self.b.upload(order.astype(F32))
        offsets = self.b.upload(starts.astype(F32))
        return GPUTensor(self.b, shape, plan=Plan(("scatter_nd",), SCATTER_BODY, [u, lists, offsets], [inner], [],
                                                  shape[-1] if shape else 1))


def _host_indices(indices) -> bool:
    return not isinstance(indices, GPUTensor) and np.size(indices) <= MAX_INDICES and \
        np.asarray(indices).dtype.kind in "iu"


def _float32(v) -> bool:
    return isinstance(v, GPUTensor) or np.asarray(v).dtype == F32


def _update_inputs(tensor, indices, updates, *args, **attrs) -> bool:
    """Host integer indices (at most 65536 values), a float32 tensor and updates."""
    return _host_indices(indices) and _float32(tensor) and _float32(updates)


def _scatter_inputs(indices, updates, shape, *args, **attrs) -> bool:
    """Host integer indices (at most 65536 values), float32 updates."""
    return _host_indices(indices) and _float32(updates)


def _register() -> None:
    register(K.TensorScatterUpdate, lambda b: ScatterKernels(b).tensor_scatter_update, ("matrix", "rank3"),
             supports=_update_inputs)
    register(K.ScatterNd, lambda b: ScatterKernels(b).scatter_nd, ("matrix", "rank3"),
             supports=_scatter_inputs)


_register()
