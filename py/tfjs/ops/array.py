"""Shape and indexing ops."""

from __future__ import annotations

from .. import kernel_names as K
from .dispatch import run, tensor


def reshape(x, shape):
    return run(K.Reshape, tensor(x, None), shape=list(shape))


def transpose(x, perm=None):
    x = tensor(x, None)
    if perm is None:
        perm = list(range(x.ndim))[::-1]
    return run(K.Transpose, x, perm=list(perm))


def concat(xs, axis=0):
    return run(K.Concat, [tensor(x, None) for x in xs], axis=axis)


def stack(xs, axis=0):
    return run(K.Pack, [tensor(x, None) for x in xs], axis=axis)


def unstack(x, axis=0):
    return run(K.Unpack, tensor(x, None), axis=axis)


def pad(x, paddings, constant_value=0.0):
    return run(K.PadV2, tensor(x, None), paddings=[list(p) for p in paddings], constant_value=constant_value)


def slice(x, begin, size):  # noqa: A001
    return run(K.Slice, tensor(x, None), begin=list(begin), size=list(size))


def tile(x, reps):
    return run(K.Tile, tensor(x, None), reps=list(reps))


def gather(x, indices, axis=0, batch_dims=0):
    return run(K.GatherV2, tensor(x, None), tensor(indices, "int32"), axis=axis, batch_dims=batch_dims)


def reverse(x, axis):
    axes = [axis] if isinstance(axis, int) else list(axis)
    return run(K.Reverse, tensor(x, None), dims=axes)


def expand_dims(x, axis=0):
    return run(K.ExpandDims, tensor(x, None), axis=axis)


def squeeze(x, axis=None):
    return run(K.Squeeze, tensor(x, None), axis=axis)


def split(x, num_or_size_splits, axis=0):
    x = tensor(x, None)
    if isinstance(num_or_size_splits, int):
        n = num_or_size_splits
        if x.shape[axis] % n:
            raise ValueError(f"split: axis {axis} of shape {list(x.shape)} does not divide into {n} parts")
        sizes = [x.shape[axis] // n] * n
    else:
        sizes = list(num_or_size_splits)
    return run(K.SplitV, x, sizes=sizes, axis=axis)


def one_hot(indices, depth, on_value=1.0, off_value=0.0):
    return run(K.OneHot, tensor(indices, "int32"), depth=depth, on_value=on_value, off_value=off_value)


def fill(shape, value, dtype="float32"):
    """An array of ``shape`` filled with ``value``; ``dtype=None`` takes the value's dtype."""
    return run(K.Fill, list(shape), value, dtype=dtype)


def zeros(shape, dtype="float32"):
    return fill(shape, 0, dtype)


def ones(shape, dtype="float32"):
    return fill(shape, 1, dtype)
