"""Shape, indexing and reduction kernels of the cpu backend."""

from __future__ import annotations

import numpy as np

from ... import kernel_names as K


def _axes(axis):
    if axis is None:
        return None
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def _reduce(fn):
    def kernel(x, axis=None, keep_dims=False):
        x = np.asarray(x)
        out = np.asarray(fn(x, axis=_axes(axis), keepdims=keep_dims))
        if out.dtype.kind in "iu" and out.dtype != np.int32:  # numpy widens int32 sums; TF.js stays int32
            out = out.astype(np.int32)
        return out
    return kernel


def _mean(x, axis=None, keepdims=False):
    x = np.asarray(x)
    out = np.mean(x, axis=axis, keepdims=keepdims, dtype=np.float32 if x.dtype == np.float32 else None)
    return out.astype(np.float32) if x.dtype.kind == "f" else out


def pad(x, paddings, constant_value=0.0):
    x = np.asarray(x)
    return np.pad(x, [(int(a), int(b)) for a, b in paddings], constant_values=np.asarray(constant_value, x.dtype))


def slice_(x, begin, size):
    x = np.asarray(x)
    index = tuple(slice(b, None if s == -1 else b + s) for b, s in zip(begin, size))
    return x[index]


def gather(x, indices, axis=0, batch_dims=0):
    """GatherV2; with batch_dims the first batch_dims dims of x and indices are matched, not gathered."""
    x = np.asarray(x)
    indices = np.asarray(indices).astype(np.intp)
    axis = axis % x.ndim if x.ndim else 0
    batch_dims = batch_dims % indices.ndim if batch_dims < 0 else batch_dims
    if indices.size and (indices.min() < 0 or indices.max() >= x.shape[axis]):
        bad = indices[(indices < 0) | (indices >= x.shape[axis])].reshape(-1)[0]
        raise ValueError(f"GatherV2: index {int(bad)} is out of range [0, {x.shape[axis]}) on axis {axis}")
    if batch_dims == 0:
        return np.take(x, indices, axis=axis)
    bshape = x.shape[:batch_dims]
    if tuple(indices.shape[:batch_dims]) != tuple(bshape):
        raise ValueError(f"GatherV2: batch dims of x {list(x.shape)} and indices {list(indices.shape)} differ")
    nb = int(np.prod(bshape))
    xb = x.reshape((nb,) + x.shape[batch_dims:])
    ib = indices.reshape((nb,) + indices.shape[batch_dims:])
    parts = [np.take(xb[b], ib[b], axis=axis - batch_dims) for b in range(nb)]
    out_shape = x.shape[:axis] + indices.shape[batch_dims:] + x.shape[axis + 1:]
    if not parts:
        return np.zeros(out_shape, x.dtype)
    return np.stack(parts).reshape(out_shape)


def fill(shape, value, dtype=None):
    """An array of ``shape`` filled with ``value``, of ``dtype`` (default: the value's TF.js dtype)."""
    value = np.asarray(value)
    if dtype is None:
        dtype = {"f": np.float32, "i": np.int32, "u": np.int32, "c": np.complex64}.get(value.dtype.kind, value.dtype)
    return np.full([int(s) for s in shape], value, dtype=np.bool_ if dtype == "bool" else dtype)


def one_hot(indices, depth, on_value=1.0, off_value=0.0):
    idx = np.asarray(indices).astype(np.intp)
    out = np.full(idx.shape + (depth,), off_value, np.float32)
    valid = (idx >= 0) & (idx < depth)
    out[valid, idx[valid]] = on_value
    return out


KERNELS = {
    K.Reshape: lambda x, shape: np.reshape(np.asarray(x), shape),
    K.Transpose: lambda x, perm: np.ascontiguousarray(np.transpose(np.asarray(x), perm)),
    K.Concat: lambda xs, axis=0: np.concatenate([np.asarray(x) for x in xs], axis=axis),
    K.Pack: lambda xs, axis=0: np.stack([np.asarray(x) for x in xs], axis=axis),
    K.Unpack: lambda x, axis=0: [np.take(np.asarray(x), i, axis=axis) for i in range(np.shape(x)[axis])],
    K.PadV2: pad,
    K.Slice: slice_,
    K.Tile: lambda x, reps: np.tile(np.asarray(x), reps),
    K.GatherV2: gather,
    K.Reverse: lambda x, dims: np.flip(np.asarray(x), axis=tuple(dims)),
    K.ExpandDims: lambda x, axis: np.expand_dims(np.asarray(x), axis),
    K.Squeeze: lambda x, axis=None: np.squeeze(np.asarray(x), axis=_axes(axis)),
    K.SplitV: lambda x, sizes, axis=0: np.split(np.asarray(x), np.cumsum(sizes)[:-1], axis=axis),
    K.OneHot: one_hot,
    K.Fill: fill,
    K.Sum: _reduce(np.sum), K.Mean: _reduce(_mean), K.Max: _reduce(np.max), K.Min: _reduce(np.min),
    K.Prod: _reduce(np.prod), K.All: _reduce(np.all), K.Any: _reduce(np.any),
    K.ArgMax: lambda x, axis=0: np.argmax(np.asarray(x), axis=axis).astype(np.int32),
    K.ArgMin: lambda x, axis=0: np.argmin(np.asarray(x), axis=axis).astype(np.int32),
}
