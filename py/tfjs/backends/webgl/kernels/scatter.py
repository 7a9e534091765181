"""Scatters of the webgl backend, with host indices: TensorScatterUpdate (a gather from the tensor and the
updates through an index map the cpu kernel itself computes), ScatterNd (each output row sums its update
rows, listed on the host in the order the cpu kernel adds them) and SparseToDense (each output element looks
its flat index up in the sorted indices: the default value, or the value written last there, as the cpu kernel
keeps the last of repeated indices). Index errors are the cpu kernel's.
"""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import BOOL, F32, I32, GPUTensor
from ..textures import MAX_EXACT_INDEX
from .base import KernelBase, register
from .elementwise import EXACT_INT

#: host indices up to this many values
MAX_INDICES = 1 << 16
#: SparseToDense from host inputs: outputs up to this many values are made by the cpu kernel
SMALL_OUTPUT = 1024

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

# inputs: the values (or a placeholder when one value goes to every index), the sorted flat indices, the value
# position of each; P(0) how many indices; uf[0] the default value, uf[1] the one value
SPARSE_BODY = """  int M = P(0);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    float fi = float(i);
    int lo = 0; int hi = M;
    while (lo < hi) { int mid = (lo + hi) >> 1; if (S1(mid) < fi) lo = mid + 1; else hi = mid; }
    r[q] = lo < M && S1(lo) == fi ? VALUE : uf[0];
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

    def sparse_to_dense(self, indices, output_shape, values, default_value):  # see _sparse_inputs
        shape = tuple(int(v) for v in np.asarray(output_shape).reshape(-1))
        total = int(np.prod(shape, dtype=np.int64))
        dtype = _dtype_of(values)
        idx = np.asarray(indices).astype(np.int64)
        if idx.ndim == 0:
            idx = idx.reshape(1, 1)
        elif idx.ndim == 1:
            idx = idx.reshape(-1, 1) if len(shape) == 1 else idx.reshape(1, -1)
        k = idx.shape[1]
        nvalues = int(np.prod(np.shape(values), dtype=np.int64))
        if idx.ndim != 2 or k == 0 or k > len(shape) or total == 0 or total >= MAX_EXACT_INDEX or \
                idx.shape[0] == 0 or np.ndim(values) > 1 or nvalues not in (1, idx.shape[0]) or \
                np.any((idx < 0) | (idx >= np.asarray(shape[:k]))):
            raise NotOnGPU()  # the cpu kernel gives the result or the error that names what is wrong
        inner = int(np.prod(shape[k:], dtype=np.int64))
        if inner != 1:
            raise NotOnGPU()
        flat = np.ravel_multi_index(tuple(idx.T), shape[:k])
        # the last occurrence of each index: it is the one the cpu kernel leaves in place
        rev = flat[::-1]
        keys, first_in_rev = np.unique(rev, return_index=True)
        positions = (len(flat) - 1 - first_in_rev).astype(F32)
        default = float(np.asarray(np.asarray(default_value).reshape(-1)[0]).astype(dtype))
        keys_t = self.b.upload(keys.astype(F32))
        if nvalues == 1 and idx.shape[0] != 1:
            one = float(np.asarray(values).reshape(-1)[0]) if not isinstance(values, GPUTensor) else None
            if one is None:
                raise NotOnGPU()
            body, ins, floats = SPARSE_BODY.replace("VALUE", "uf[1]"), [keys_t, keys_t], [default, one]
        else:
            vals = self.g(values).reshape(nvalues)
            body = SPARSE_BODY.replace("VALUE", "S0(int(S2(lo)))")
            ins, floats = [vals, keys_t, self.b.upload(positions)], [default]
        out = GPUTensor(self.b, shape, plan=Plan(("sparse_to_dense", len(ins)), body, ins, [len(keys)], floats,
                                                 shape[-1] if shape else 1))
        out.dtype = dtype
        return out


def _dtype_of(v) -> np.dtype:
    return v.dtype if isinstance(v, GPUTensor) else np.asarray(v).dtype


def _held_exactly(v) -> bool:
    """float32 or bool values, or int32 values a float32 holds exactly (a GPU tensor is one of these)."""
    if isinstance(v, GPUTensor):
        return True
    a = np.asarray(v)
    if a.dtype == I32:
        return a.size == 0 or int(np.max(np.abs(a.astype(np.int64)))) <= EXACT_INT
    return a.dtype in (F32, BOOL)


def _sparse_inputs(indices, output_shape, values, default_value, *args, **attrs) -> bool:
    """Host integer indices (at most 65536), float32, int32 or bool values, a host default that the values'
    dtype holds exactly once cast to it, and an output of more than 1024 values or values on the GPU (else the
    cpu kernel makes it, with nothing to upload)."""
    if not _host_indices(indices) or isinstance(output_shape, GPUTensor) or isinstance(default_value, GPUTensor):
        return False
    if not _held_exactly(values) or _dtype_of(values) not in (F32, I32, BOOL):
        return False
    default = np.asarray(default_value)
    if default.size != 1 or default.dtype.kind not in "biuf" or \
            not _held_exactly(default.astype(_dtype_of(values)).reshape(())):
        return False  # (the default is cast to the values' dtype, as the cpu kernel does)
    total = int(np.prod(np.asarray(output_shape, np.int64).reshape(-1)))
    return isinstance(values, GPUTensor) or total > SMALL_OUTPUT


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
    register(K.SparseToDense, lambda b: ScatterKernels(b).sparse_to_dense, ("vector", "matrix", "large"),
             supports=_sparse_inputs, dtypes=("float32", "int32", "bool"), generator=True)


_register()
