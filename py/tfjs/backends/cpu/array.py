"""Shape, indexing and reduction kernels of the cpu backend."""

from __future__ import annotations

import numpy as np


def _axes(axis):
    if axis is None:
        return None
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def _reduce(fn):
    def kernel(x, axis=None, keep_dims=False):
        return np.asarray(fn(np.asarray(x), axis=_axes(axis), keepdims=keep_dims))
    return kernel


def _mean(x, axis=None, keepdims=False):
    x = np.asarray(x)
    out = np.mean(x, axis=axis, keepdims=keepdims, dtype=np.float32 if x.dtype == np.float32 else None)
    return out.astype(np.float32) if x.dtype.kind == "f" else out


def pad(x, paddings, constant_value=0.0):
    return np.pad(np.asarray(x), [tuple(p) for p in paddings], constant_values=constant_value)


def slice_(x, begin, size):
    x = np.asarray(x)
    index = tuple(slice(b, None if s == -1 else b + s) for b, s in zip(begin, size))
    return x[index]


def gather(x, indices, axis=0):
    return np.take(np.asarray(x), np.asarray(indices).astype(np.intp), axis=axis)


def one_hot(indices, depth, on_value=1.0, off_value=0.0):
    idx = np.asarray(indices).astype(np.intp)
    out = np.full(idx.shape + (depth,), off_value, np.float32)
    valid = (idx >= 0) & (idx < depth)
    out[valid, idx[valid]] = on_value
    return out


KERNELS = {
    "Reshape": lambda x, shape: np.reshape(np.asarray(x), shape),
    "Transpose": lambda x, perm: np.ascontiguousarray(np.transpose(np.asarray(x), perm)),
    "Concat": lambda xs, axis=0: np.concatenate([np.asarray(x) for x in xs], axis=axis),
    "Pack": lambda xs, axis=0: np.stack([np.asarray(x) for x in xs], axis=axis),
    "Unpack": lambda x, axis=0: [np.take(np.asarray(x), i, axis=axis) for i in range(np.shape(x)[axis])],
    "PadV2": pad,
    "Slice": slice_,
    "Tile": lambda x, reps: np.tile(np.asarray(x), reps),
    "GatherV2": gather,
    "Reverse": lambda x, dims: np.flip(np.asarray(x), axis=tuple(dims)),
    "ExpandDims": lambda x, axis: np.expand_dims(np.asarray(x), axis),
    "Squeeze": lambda x, axis=None: np.squeeze(np.asarray(x), axis=_axes(axis)),
    "SplitV": lambda x, sizes, axis=0: np.split(np.asarray(x), np.cumsum(sizes)[:-1], axis=axis),
    "OneHot": one_hot,
    "Fill": lambda shape, value, dtype="float32": np.full(shape, value, dtype=dtype),
    "Sum": _reduce(np.sum), "Mean": _reduce(_mean), "Max": _reduce(np.max), "Min": _reduce(np.min),
    "Prod": _reduce(np.prod), "All": _reduce(np.all), "Any": _reduce(np.any),
    "ArgMax": lambda x, axis=0: np.argmax(np.asarray(x), axis=axis).astype(np.int32),
    "ArgMin": lambda x, axis=0: np.argmin(np.asarray(x), axis=axis).astype(np.int32),
}
