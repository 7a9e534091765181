"""Gradients of shape and indexing ops."""

from __future__ import annotations

import numpy as np

from ... import kernel_names as K
from .registry import register

F32 = np.float32


@register(K.Reshape, K.ExpandDims, K.Squeeze)
def _reshape(dy, inputs, attrs, y, need):
    return [np.reshape(dy, np.shape(inputs[0]))] + [None] * (len(inputs) - 1)


@register(K.Transpose)
def _transpose(dy, inputs, attrs, y, need):
    perm = attrs.get("perm")
    if perm is None:
        return [np.transpose(dy)]
    return [np.ascontiguousarray(np.transpose(dy, np.argsort(perm)))]


@register(K.Concat)
def _concat(dy, inputs, attrs, y, need):
    xs = inputs[0]
    axis = attrs.get("axis", 0)
    sizes = [np.shape(x)[axis] for x in xs]
    return [np.split(dy, np.cumsum(sizes)[:-1], axis=axis)]


@register(K.Pack)
def _pack(dy, inputs, attrs, y, need):
    axis = attrs.get("axis", 0)
    return [[np.take(dy, i, axis=axis) for i in range(len(inputs[0]))]]


@register(K.Unpack)
def _unpack(dys, inputs, attrs, y, need):
    return [np.stack(dys, axis=attrs.get("axis", 0))]


@register(K.SplitV)
def _split(dys, inputs, attrs, y, need):
    return [np.concatenate(dys, axis=attrs.get("axis", 0))]


@register(K.PadV2, "Pad")
def _pad(dy, inputs, attrs, y, need):
    x = np.asarray(inputs[0])
    index = tuple(slice(int(b), int(b) + n) for (b, _), n in zip(attrs["paddings"], x.shape))
    return [dy[index]]


@register(K.Slice)
def _slice(dy, inputs, attrs, y, need):
    x = np.asarray(inputs[0])
    out = np.zeros(x.shape, F32)
    index = tuple(slice(b, b + d) for b, d in zip(attrs["begin"], np.shape(dy)))
    out[index] = dy
    return [out]


@register(K.Tile)
def _tile(dy, inputs, attrs, y, need):
    x = np.asarray(inputs[0])
    reps = list(attrs["reps"])
    shape = []
    for r, n in zip(reps, x.shape):
        shape += [r, n]
    g = np.reshape(dy, shape).sum(axis=tuple(range(0, 2 * x.ndim, 2)))
    return [g]


@register(K.Reverse)
def _reverse(dy, inputs, attrs, y, need):
    return [np.flip(dy, axis=tuple(attrs["dims"]))]


@register(K.GatherV2)
def _gather(dy, inputs, attrs, y, need):
    x, indices = np.asarray(inputs[0]), np.asarray(inputs[1]).astype(np.intp)
    axis = attrs.get("axis", 0) % x.ndim
    if attrs.get("batch_dims", 0):
        raise NotImplementedError("The gradient of GatherV2 with batch_dims is not supported")
    out = np.zeros(x.shape, F32)
    moved = np.moveaxis(out, axis, 0)  # a view: adds land in out
    g = np.asarray(dy, F32)
    # dy has shape x.shape[:axis] + indices.shape + x.shape[axis+1:]: bring the index dims to the front.
    k = indices.ndim
    g = np.moveaxis(g.reshape(x.shape[:axis] + (-1,) + x.shape[axis + 1:]), axis, 0)
    np.add.at(moved, indices.reshape(-1), g)
    return [out, None]
