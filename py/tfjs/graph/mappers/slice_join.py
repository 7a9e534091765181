"""slice_join: ConcatV2 Concat GatherV2 Gather Reverse ReverseV2 Slice StridedSlice Pack Unpack Tile Split
SplitV ScatterNd GatherNd SparseToDense TensorScatterUpdate."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...ops import graph_extra as gx
from ..registry import op
from ._util import axis_list, ints, scalar


def _concat(values, axis):
    values = [np.asarray(v) for v in values]
    rank = max(v.ndim for v in values)
    axis = axis % rank if rank else 0
    values = [v for v in values if v.size or v.ndim != rank] or values[:1]
    return ops.concat(values, axis) if len(values) > 1 else np.array(values[0], copy=True)


@op("ConcatV2")
def concat_v2(node, ins, ex):
    return _concat(ins[:-1], int(scalar(ins[-1])))


@op("Concat")
def concat(node, ins, ex):
    return _concat(ins[1:], int(scalar(ins[0])))


@op("GatherV2", "Gather")
def gather(node, ins, ex):
    x = np.asarray(ins[0])
    axis = int(scalar(ins[2])) if node.op == "GatherV2" and len(ins) > 2 else 0
    axis = axis % x.ndim if x.ndim else 0
    batch_dims = int(node.attr("batch_dims", 0))
    return gx.gather(x, ins[1], axis, batch_dims)


@op("Reverse")
def reverse(node, ins, ex):
    dims = [i for i, flag in enumerate(np.asarray(ins[1]).reshape(-1)) if flag]
    return ops.reverse(ins[0], dims) if dims else ins[0]


@op("ReverseV2")
def reverse_v2(node, ins, ex):
    x = np.asarray(ins[0])
    dims = axis_list(ins[1], x.ndim)
    return ops.reverse(x, dims) if dims else x


@op("Slice")
def slice_(node, ins, ex):
    x = np.asarray(ins[0])
    begin, size = ints(ins[1]), ints(ins[2])
    for i, (b, s) in enumerate(zip(begin, size)):
        if b < 0 or (s != -1 and b + s > x.shape[i]):
            raise ValueError(f"Slice: begin {begin} and size {size} go outside the input shape {list(x.shape)}")
    return np.array(ops.slice(x, begin, size), copy=True)


@op("StridedSlice")
def strided_slice(node, ins, ex):
    return gx.strided_slice(ins[0], ints(ins[1]), ints(ins[2]), ints(ins[3]),
                            int(node.attr("begin_mask", 0)), int(node.attr("end_mask", 0)),
                            int(node.attr("ellipsis_mask", 0)), int(node.attr("new_axis_mask", 0)),
                            int(node.attr("shrink_axis_mask", 0)))


@op("Pack")
def pack(node, ins, ex):
    values = [np.asarray(v) for v in ins]
    axis = int(node.attr("axis", 0))
    rank = values[0].ndim + 1
    shapes = {v.shape for v in values}
    if len(shapes) > 1:
        raise ValueError(f"Pack: all values must have the same shape, got {[list(s) for s in shapes]}")
    return ops.stack(values, axis % rank)


@op("Unpack")
def unpack(node, ins, ex):
    x = np.asarray(ins[0])
    axis = int(node.attr("axis", 0)) % x.ndim
    return [np.array(v, copy=True) for v in ops.unstack(x, axis)]


@op("Tile")
def tile(node, ins, ex):
    return ops.tile(ins[0], ints(ins[1]))


@op("Split")
def split(node, ins, ex):
    axis_t, x = ins
    x = np.asarray(x)
    axis = int(scalar(axis_t)) % x.ndim
    n = int(node.need("num_split"))
    return [np.array(v, copy=True) for v in ops.split(x, n, axis)]


@op("SplitV")
def split_v(node, ins, ex):
    x = np.asarray(ins[0])
    sizes = ints(ins[1])
    axis = int(scalar(ins[2])) % x.ndim
    if -1 in sizes:
        known = sum(s for s in sizes if s != -1)
        sizes[sizes.index(-1)] = x.shape[axis] - known
    if sum(sizes) != x.shape[axis]:
        raise ValueError(f"SplitV: sizes {sizes} do not add up to {x.shape[axis]} (axis {axis})")
    return [np.array(v, copy=True) for v in ops.split(x, sizes, axis)]


@op("ScatterNd")
def scatter_nd(node, ins, ex):
    return gx.scatter_nd(ins[0], ins[1], ints(ins[2]))


@op("GatherNd")
def gather_nd(node, ins, ex):
    return gx.gather_nd(ins[0], ins[1])


@op("SparseToDense")
def sparse_to_dense(node, ins, ex):
    return gx.sparse_to_dense(ins[0], ins[1], ins[2], ins[3])


@op("TensorScatterUpdate")
def tensor_scatter_update(node, ins, ex):
    return gx.tensor_scatter_update(ins[0], ins[1], ins[2])
