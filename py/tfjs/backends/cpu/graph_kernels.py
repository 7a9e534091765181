"""cpu kernels graph models need beyond the shared ones: dtype-preserving arithmetic (int32, complex64),
more elementwise functions, scans, creation, sorting and searching. TF.js's formulas and dtypes.

Arithmetic on int32 and complex64 is the shared kernels' (elementwise.py). Other tables: graph_array.py
(indexing and layout), graph_nn.py (images, detection, spectral, morphology). All three are collected
in :data:`KERNELS`.
"""

from __future__ import annotations

import numpy as np

from ... import kernel_names as K
from ...errors import InvalidArgumentError
from . import graph_array, graph_nn

F32 = np.float32
I32 = np.int32


def _quiet(fn):
    def wrapped(*args, **kwargs):
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    wrapped.__name__ = getattr(fn, "__name__", "kernel")
    return wrapped


def _same(fn):
    """A kernel whose result has the dtype of its first input."""
    def kernel(*xs):
        xs = [np.asarray(x) for x in xs]
        return np.asarray(fn(*xs)).astype(xs[0].dtype, copy=False)
    return _quiet(kernel)


def _float(fn):
    return _quiet(lambda *xs: np.asarray(fn(*[np.asarray(x, F32) for x in xs])).astype(F32, copy=False))


def floor_div(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "iu" and b.dtype.kind in "iu":
        q = np.floor(a.astype(np.float64) / b.astype(np.float64))
        return np.where(np.isfinite(q), q, 0).astype(I32)
    # TF.js's FloorDiv kernel gives int32 for float inputs too.
    q = np.floor(np.asarray(a, F32) / np.asarray(b, F32))
    return np.where(np.isfinite(q), q, 0).astype(I32)


def floor_mod(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "iu" and b.dtype.kind in "iu":
        safe = np.where(b == 0, 1, b)
        return np.where(b == 0, 0, np.mod(a, safe)).astype(I32)
    a, b = np.asarray(a, F32), np.asarray(b, F32)
    r = np.fmod(a, b)
    return np.where((r != 0) & ((r < 0) != (b < 0)), r + b, r).astype(F32)


def div_no_nan(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "iu" and b.dtype.kind in "iu":
        return np.where(b == 0, 0, floor_div(a, np.where(b == 0, 1, b))).astype(I32)
    a, b = np.asarray(a, F32), np.asarray(b, F32)
    return np.where(b == 0, F32(0), a / np.where(b == 0, F32(1), b)).astype(F32)


def add_n(xs):
    xs = [np.asarray(x) for x in xs]
    out = xs[0].copy()
    for x in xs[1:]:
        out = out + x
    return out.astype(xs[0].dtype, copy=False)


def complex_(real, imag):
    real, imag = np.broadcast_arrays(np.asarray(real, F32), np.asarray(imag, F32))
    return (real + 1j * imag).astype(np.complex64)


def cumulative(x, axis, exclusive=False, reverse=False, product=False):
    x = np.asarray(x)
    axis = axis % x.ndim if x.ndim else 0
    if reverse:
        x = np.flip(x, axis)
    fn = np.cumprod if product else np.cumsum
    out = fn(x, axis=axis, dtype=x.dtype)
    if exclusive:
        ident = np.ones_like if product else np.zeros_like
        first = ident(np.take(x, [0], axis=axis))
        out = np.concatenate([first, np.take(out, np.arange(x.shape[axis] - 1), axis=axis)], axis=axis)
    if reverse:
        out = np.flip(out, axis)
    return np.ascontiguousarray(out)


def bincount(x, size, weights=None, binary_output=False):
    """Counts (or weight sums) of each value of x in [0, size); values from size up are not counted, a negative
    value is an error (TF.js's text)."""
    x = np.asarray(x).astype(np.intp)
    if x.size and x.min() < 0:
        raise InvalidArgumentError(f"Input x must be non-negative! (Bincount: x holds {int(x.min())})")
    w = None if weights is None or np.size(weights) == 0 else np.asarray(weights)
    out_dtype = F32 if w is None else w.dtype

    def one(row, wrow):
        keep = row < size
        if binary_output:
            out = np.zeros(size, out_dtype)
            out[row[keep]] = 1
            return out
        return np.bincount(row[keep], weights=None if wrow is None else wrow[keep].astype(np.float64),
                           minlength=size)[:size].astype(out_dtype)
    if x.ndim <= 1:
        return one(x.reshape(-1), None if w is None else w.reshape(-1))
    return np.stack([one(x[i], None if w is None else w[i]) for i in range(x.shape[0])])


def dense_bincount(x, size, weights=None, binary_output=False):
    """DenseBincount: Bincount of a vector or of each row of a matrix (TF.js's kernel takes rank 1 or 2)."""
    if np.ndim(x) > 2:
        raise ValueError(f"DenseBincount: x must be of rank 1 or 2, got shape {list(np.shape(x))}")
    return bincount(x, size, weights, binary_output)


def _tfjs_dtype(a: np.ndarray) -> np.dtype:
    return {"f": F32, "i": I32, "u": I32, "c": np.dtype(np.complex64)}.get(a.dtype.kind, a.dtype)


def zeros_like(x):
    a = np.asarray(x)
    return np.zeros(a.shape, _tfjs_dtype(a))


def ones_like(x):
    a = np.asarray(x)
    return np.ones(a.shape, _tfjs_dtype(a))


def diag(x):
    """A tensor of shape x.shape + x.shape with x's values on the diagonal of its flattened square form."""
    a = np.asarray(x)
    a = a.astype(_tfjs_dtype(a), copy=False)
    n = a.size
    out = np.zeros((n, n), a.dtype)
    out[np.arange(n), np.arange(n)] = a.reshape(-1)
    return out.reshape(a.shape + a.shape)


def unsorted_segment_sum(x, segment_ids, num_segments):
    """Sums of the slices of x by segment id (ids of x's leading axes); ids outside [0, num_segments) add
    nowhere, as TF.js's kernels compare each id with every segment."""
    a = np.asarray(x)
    a = a.astype(_tfjs_dtype(a), copy=False)
    ids = np.asarray(segment_ids)
    if ids.dtype.kind not in "iu":
        raise ValueError(f"UnsortedSegmentSum: segment_ids must be integers, got {ids.dtype}")
    if tuple(ids.shape) != tuple(a.shape[:ids.ndim]):
        raise ValueError(f"UnsortedSegmentSum: segment_ids of shape {list(ids.shape)} must be a prefix of x's "
                         f"shape {list(a.shape)}")
    num_segments = int(num_segments)
    if num_segments < 0:
        raise ValueError(f"UnsortedSegmentSum: num_segments must be >= 0, got {num_segments}")
    inner = a.shape[ids.ndim:]
    rows = a.reshape((-1,) + inner)
    flat = ids.reshape(-1).astype(np.int64)
    keep = (flat >= 0) & (flat < num_segments)
    out = np.zeros((num_segments,) + inner, a.dtype)
    np.add.at(out, flat[keep], rows[keep])
    return out


def range_(start, stop, step, dtype="float32"):
    start, stop, step = float(start), float(stop), float(step)
    if step == 0:
        raise ValueError("Range: step must not be 0")
    n = max(int(np.ceil((stop - start) / step)), 0)
    if dtype == "int32":
        return (np.int64(start) + np.arange(n, dtype=np.int64) * np.int64(step)).astype(I32)
    return (F32(start) + np.arange(n, dtype=F32) * F32(step)).astype(F32)


def linspace(start, stop, num):
    num = int(num)
    if num == 1:
        return np.asarray([start], F32)
    step = (F32(stop) - F32(start)) / F32(num - 1)
    out = F32(start) + np.arange(num, dtype=F32) * step
    return out.astype(F32)


_rng = np.random.default_rng()


def random_uniform(shape, minval=0.0, maxval=1.0, dtype="float32", seed=None):
    rng = np.random.default_rng(seed) if seed else _rng
    if dtype == "int32":
        return rng.integers(int(minval), int(maxval), size=shape).astype(I32)
    return rng.uniform(minval, maxval, size=shape).astype(F32)


def random_normal(shape, mean=0.0, stddev=1.0, truncated=False, seed=None):
    rng = np.random.default_rng(seed) if seed else _rng
    out = rng.normal(mean, stddev, size=shape)
    if truncated:
        bad = np.abs(out - mean) > 2 * stddev
        while bad.any():
            out[bad] = rng.normal(mean, stddev, size=int(bad.sum()))
            bad = np.abs(out - mean) > 2 * stddev
    return out.astype(F32)


def multinomial(logits, num_samples, seed=None, normalized=False):
    rng = np.random.default_rng(seed) if seed else _rng
    logits = np.asarray(logits, np.float64)
    probs = logits if normalized else np.exp(logits - logits.max(axis=-1, keepdims=True))
    probs = probs / probs.sum(axis=-1, keepdims=True)
    return np.stack([rng.choice(probs.shape[-1], size=num_samples, p=p) for p in probs]).astype(I32)


def top_k(x, k, sorted_=True):
    """Largest k along the last axis; ties keep the lower index first (TF.js's order)."""
    x = np.asarray(x)
    idx = np.argsort(-x.astype(np.float64) if x.dtype.kind != "b" else -x.astype(np.int8), axis=-1,
                     kind="stable")[..., :k]
    return np.take_along_axis(x, idx, axis=-1), idx.astype(I32)


def unique(x, axis=0):
    """Unique values in order of first appearance, and for each element the index of its value."""
    x = np.asarray(x)
    if x.ndim <= 1:
        flat = x.reshape(-1)
        keys = flat.tolist()
        seen: dict = {}
        idx = np.empty(len(keys), I32)
        order = []
        for i, key in enumerate(keys):
            j = seen.get(key)
            if j is None:
                j = seen[key] = len(order)
                order.append(i)
            idx[i] = j
        return flat[np.asarray(order, np.intp)] if order else flat[:0], idx
    axis = axis % x.ndim
    moved = np.moveaxis(x, axis, 0)
    seen = {}
    idx = np.empty(moved.shape[0], I32)
    order = []
    for i in range(moved.shape[0]):
        key = moved[i].tobytes() if moved.dtype != object else tuple(moved[i].reshape(-1).tolist())
        j = seen.get(key)
        if j is None:
            j = seen[key] = len(order)
            order.append(i)
        idx[i] = j
    return np.moveaxis(moved[np.asarray(order, np.intp)], 0, axis), idx


def search_sorted(sorted_seq, values, side="left"):
    seq, vals = np.asarray(sorted_seq), np.asarray(values)
    if seq.ndim == 1:
        return np.searchsorted(seq, vals, side=side).astype(I32)
    return np.stack([np.searchsorted(seq[i], vals[i], side=side) for i in range(seq.shape[0])]).astype(I32)


def list_diff(x, y):
    x, y = np.asarray(x), np.asarray(y)
    keep = ~np.isin(x, y)
    return x[keep], np.nonzero(keep)[0].astype(I32)


def where_(cond):
    return np.argwhere(np.asarray(cond).astype(bool)).astype(I32)


def euclidean_norm(x, axis=None, keep_dims=False):
    x = np.asarray(x)
    out = np.sqrt(np.sum(np.square(x.astype(np.float64)), axis=axis, keepdims=keep_dims))
    return out.astype(F32 if x.dtype.kind == "f" else x.dtype)


def matrix_band_part(x, num_lower, num_upper):
    x = np.asarray(x)
    m, n = x.shape[-2], x.shape[-1]
    i = np.arange(m)[:, None]
    j = np.arange(n)[None, :]
    keep = np.ones((m, n), bool)
    if num_lower >= 0:
        keep &= (i - j) <= num_lower
    if num_upper >= 0:
        keep &= (j - i) <= num_upper
    return np.where(keep, x, np.zeros((), x.dtype))


def einsum(equation, *xs):
    return np.einsum(equation, *[np.asarray(x) for x in xs], optimize=len(xs) > 2).astype(np.asarray(xs[0]).dtype)


KERNELS = {
    K.ComplexDiv: _same(np.divide),
    K.FloorDiv: _quiet(floor_div), K.FloorMod: _quiet(floor_mod), K.DivNoNan: _quiet(div_no_nan),
    K.Atan2: _float(np.arctan2), K.BitwiseAnd: _same(np.bitwise_and), K.AddN: add_n,
    K.Acos: _float(np.arccos), K.Asin: _float(np.arcsin), K.Atan: _float(np.arctan), K.Cosh: _float(np.cosh),
    K.Sinh: _float(np.sinh), K.Tan: _float(np.tan), K.Asinh: _float(np.arcsinh), K.Acosh: _float(np.arccosh),
    K.Atanh: _float(np.arctanh),
    K.IsNan: lambda x: np.isnan(np.asarray(x, F32)), K.IsInf: lambda x: np.isinf(np.asarray(x, F32)),
    K.IsFinite: lambda x: np.isfinite(np.asarray(x, F32)),
    K.Complex: complex_, K.ComplexAbs: lambda x: np.abs(np.asarray(x, np.complex64)).astype(F32),
    K.Real: lambda x: np.real(np.asarray(x)).astype(F32), K.Imag: lambda x: np.imag(np.asarray(x)).astype(F32),
    K.Cumsum: cumulative, K.Cumprod: lambda x, axis, exclusive=False, reverse=False:
        cumulative(x, axis, exclusive, reverse, product=True),
    K.Bincount: bincount, K.DenseBincount: dense_bincount, K.ZerosLike: zeros_like, K.OnesLike: ones_like,
    K.Diag: diag, K.UnsortedSegmentSum: unsorted_segment_sum, K.Range: range_, K.LinSpace: linspace,
    K.RandomUniform: random_uniform,
    K.RandomStandardNormal: random_normal, K.Multinomial: multinomial, K.TopK: top_k, K.Unique: unique,
    K.SearchSorted: search_sorted, K.ListDiff: list_diff, K.Where: where_, K.EuclideanNorm: euclidean_norm,
    K.MatrixBandPart: matrix_band_part, K.Einsum: einsum,
}
KERNELS.update(graph_array.KERNELS)
KERNELS.update(graph_nn.KERNELS)
