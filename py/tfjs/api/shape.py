"""Shape, layout and indexing: reshape, transpose, concat, stack, split, slice, pad, tile, reverse, gather,
scatter, strided slices, space/batch/depth moves, broadcasting, sorting and searching, segment sums."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import kernel_names as K
from ..errors import InvalidArgumentError
from ..ops.dispatch import run
from .convert import convert, dtype_of, parse_axis, shape_of


def reshape(x, shape):
    """tf.reshape(x, shape): one -1 in ``shape`` is inferred."""
    x = convert(x, "x", "reshape")
    shape = [int(d) for d in shape]
    size, known = int(np.prod(x.shape)), int(np.prod([d for d in shape if d != -1]))
    if shape.count(-1) > 1:
        raise InvalidArgumentError(f"Shapes can only have 1 implicit size. Found -1 at dim {shape.index(-1)} "
                                   f"and dim {len(shape) - 1 - shape[::-1].index(-1)}")
    if (-1 in shape and (known == 0 or size % known)) or (-1 not in shape and known != size):
        raise InvalidArgumentError(f"Size({size}) must match the product of shape {','.join(map(str, shape))}")
    return run(K.Reshape, x, shape=shape)


def transpose(x, perm=None, conjugate=False):
    """tf.transpose(x, perm?, conjugate=false): perm defaults to the reversed axes."""
    x = convert(x, "x", "transpose")
    perm = list(range(x.ndim))[::-1] if perm is None else [int(p) for p in perm]
    if len(perm) != x.ndim:
        raise InvalidArgumentError(f"Error in transpose: rank of input {x.ndim} must match length of perm "
                                   f"{perm}.")
    out = run(K.Transpose, x, perm=perm)
    return np.conj(out) if conjugate and dtype_of(x) == "complex64" else out


def concat(tensors, axis=0):
    """tf.concat(tensors, axis=0): tensors of one rank and dtype (mixed dtypes are upcast)."""
    if not tensors:
        raise InvalidArgumentError("Pass at least one tensor to concat")
    xs = [convert(t, f"tensors[{i}]", "concat") for i, t in enumerate(tensors)]
    if len(xs) == 1:
        return xs[0]
    rank = xs[0].ndim
    for t in xs:
        if t.ndim != rank:
            raise InvalidArgumentError(f"Error in concat{rank}D: rank of tensors[{xs.index(t)}] must be the same "
                                       f"as the rank of the rest ({rank})")
    if rank == 0:
        raise InvalidArgumentError("Can not concat scalars")
    return run(K.Concat, xs, axis=parse_axis(axis, rank)[0])


def _concat_nd(rank):
    def op(tensors, axis=0):
        return concat(tensors, axis)
    op.__name__ = f"concat{rank}d"
    op.__doc__ = f"tf.concat{rank}d(tensors, axis=0): concat of rank-{rank} tensors."
    return op


concat1d, concat2d, concat3d, concat4d = (_concat_nd(r) for r in (1, 2, 3, 4))


def stack(tensors, axis=0):
    """tf.stack(tensors, axis=0): tensors of one shape and dtype."""
    xs = [convert(t, f"tensors[{i}]", "stack") for i, t in enumerate(tensors)]
    if not xs:
        raise InvalidArgumentError("Pass at least one tensor to tf.stack")
    for t in xs:
        if list(t.shape) != list(xs[0].shape):
            raise InvalidArgumentError("All tensors passed to stack must have matching shapes")
        if dtype_of(t) != dtype_of(xs[0]):
            raise InvalidArgumentError("All tensors passed to stack must have matching dtypes")
    return run(K.Pack, xs, axis=parse_axis(axis, xs[0].ndim + 1)[0])


def unstack(x, axis=0):
    """tf.unstack(x, axis=0): the list of slices along an axis."""
    x = convert(x, "x", "unstack")
    return list(run(K.Unpack, x, axis=parse_axis(axis, x.ndim)[0]))


def split(x, num_or_size_splits, axis=0):
    """tf.split(x, numOrSizeSplits, axis=0): equal parts, or sizes (one of them may be -1)."""
    x = convert(x, "x", "split")
    axis = parse_axis(axis, x.ndim)[0]
    dim = x.shape[axis]
    if isinstance(num_or_size_splits, (int, np.integer)):
        if dim % num_or_size_splits:
            raise InvalidArgumentError("Number of splits must evenly divide the axis.")
        sizes = [dim // int(num_or_size_splits)] * int(num_or_size_splits)
    else:
        sizes = [int(s) for s in num_or_size_splits]
        if sizes.count(-1) > 1:
            raise InvalidArgumentError("There should be only one negative value in split array.")
        if -1 in sizes:
            sizes[sizes.index(-1)] = dim - (sum(sizes) + 1)
        if sum(sizes) != dim:
            raise InvalidArgumentError("The sum of sizes must match the size of the axis dimension.")
    return list(run(K.SplitV, x, sizes=sizes, axis=axis))


def squeeze(x, axis=None):
    """tf.squeeze(x, axis?): drop size-1 axes (all of them, or those named)."""
    x = convert(x, "x", "squeeze")
    if axis is not None:
        axis = parse_axis(axis, x.ndim)
        for a in axis:
            if x.shape[a] != 1:
                raise InvalidArgumentError(f"Can't squeeze axis {a} since its dim '{x.shape[a]}' is not 1")
    return run(K.Squeeze, x, axis=axis)


def expand_dims(x, axis=0):
    """tf.expandDims(x, axis=0)."""
    x = convert(x, "x", "expandDims")
    if not -(x.ndim + 1) <= axis <= x.ndim:
        raise InvalidArgumentError("Axis must be <= rank of the tensor")
    return run(K.ExpandDims, x, axis=axis % (x.ndim + 1))


def tile(x, reps):
    """tf.tile(x, reps)."""
    x = convert(x, "x", "tile")
    if len(reps) != x.ndim:
        raise InvalidArgumentError(f"Error in transpose: rank of input {x.ndim} must match length of reps "
                                   f"{list(reps)}.")
    return run(K.Tile, x, reps=[int(r) for r in reps])


def pad(x, paddings, constant_value=0):
    """tf.pad(x, paddings, constantValue=0): paddings [[before, after], ...] per axis."""
    x = convert(x, "x", "pad")
    if x.ndim == 0:
        raise InvalidArgumentError("pad(scalar) is not defined. Pass non-scalar to pad")
    return run(K.PadV2, x, paddings=[[int(a), int(b)] for a, b in paddings], constant_value=constant_value)


def _pad_nd(rank):
    def op(x, paddings, constant_value=0):
        if rank == 1:
            paddings = [paddings]
        return pad(x, paddings, constant_value)
    op.__name__ = f"pad{rank}d"
    op.__doc__ = f"tf.pad{rank}d(x, paddings, constantValue=0)."
    return op


pad1d, pad2d, pad3d, pad4d = (_pad_nd(r) for r in (1, 2, 3, 4))


def mirror_pad(x, paddings, mode):
    """tf.mirrorPad(x, paddings, mode): 'reflect' or 'symmetric'."""
    if mode not in ("reflect", "symmetric"):
        raise InvalidArgumentError(f"Invalid mode. Mode must be either reflect or symmetric. Got {mode}.")
    x = convert(x, "x", "mirrorPad")
    return run(K.MirrorPad, x, paddings=[[int(a), int(b)] for a, b in paddings], mode=mode)


def slice(x, begin, size=None):  # noqa: A001
    """tf.slice(x, begin, size?): begin a number or a list; size -1 (or left out) runs to the end."""
    x = convert(x, "x", "slice")
    if x.ndim == 0:
        raise InvalidArgumentError("Slicing scalar is not possible")
    begin = [int(begin)] + [0] * (x.ndim - 1) if np.isscalar(begin) else [int(b) for b in begin]
    begin += [0] * (x.ndim - len(begin))
    if size is None:
        size = [-1] * x.ndim
    elif np.isscalar(size):
        size = [int(size)] + [-1] * (x.ndim - 1)
    size = [int(s) for s in size] + [-1] * (x.ndim - len(size))
    size = [x.shape[i] - begin[i] if s == -1 else s for i, s in enumerate(size)]
    for i in range(x.ndim):
        if begin[i] < 0 or begin[i] + size[i] > x.shape[i]:
            raise InvalidArgumentError(f"Error in slice{x.ndim}D: begin[{i}] + size[{i}] ({begin[i] + size[i]}) "
                                       f"would overflow input.shape[{i}] ({x.shape[i]})")
    return run(K.Slice, x, begin=begin, size=size)


def _slice_nd(rank):
    def op(x, begin, size):
        return slice(x, begin, size)
    op.__name__ = f"slice{rank}d"
    op.__doc__ = f"tf.slice{rank}d(x, begin, size)."
    return op


slice1d, slice2d, slice3d, slice4d = (_slice_nd(r) for r in (1, 2, 3, 4))


def reverse(x, axis=None):
    """tf.reverse(x, axis?): every axis when None."""
    x = convert(x, "x", "reverse")
    return run(K.Reverse, x, dims=parse_axis(axis, x.ndim))


def _reverse_nd(rank):
    def op(x, axis=None):
        return reverse(x, axis)
    op.__name__ = f"reverse{rank}d"
    op.__doc__ = f"tf.reverse{rank}d(x, axis?)."
    return op


reverse1d, reverse2d, reverse3d, reverse4d = (_reverse_nd(r) for r in (1, 2, 3, 4))


def gather(x, indices, axis=0, batch_dims=0):
    """tf.gather(x, indices, axis=0, batchDims=0): indices are int32."""
    x = convert(x, "x", "gather")
    idx = convert(indices, "indices", "gather", "int32")
    return run(K.GatherV2, x, idx, axis=parse_axis(axis, x.ndim)[0], batch_dims=batch_dims)


def gather_nd(x, indices):
    """tf.gatherND(x, indices): slices of x at index tuples."""
    return run(K.GatherNd, convert(x, "x", "gatherND"), convert(indices, "indices", "gatherND", "int32"))


def scatter_nd(indices, updates, shape):
    """tf.scatterND(indices, updates, shape)."""
    return run(K.ScatterNd, convert(indices, "indices", "scatterND", "int32"),
               convert(updates, "updates", "scatterND"), shape=[int(d) for d in shape])


def tensor_scatter_update(tensor, indices, updates):
    """tf.tensorScatterUpdate(tensor, indices, updates)."""
    t = convert(tensor, "tensor", "tensorScatterupdate")
    u = convert(updates, "updates", "tensorScatterupdate")
    if dtype_of(t) != dtype_of(u):
        raise InvalidArgumentError(f"tensor and updates must have the same dtype, instead they are "
                                   f"{dtype_of(t)} and {dtype_of(u)}.")
    return run(K.TensorScatterUpdate, t, convert(indices, "indices", "tensorScatterupdate", "int32"), u)


def sparse_to_dense(sparse_indices, sparse_values, output_shape, default_value=0):
    """tf.sparseToDense(sparseIndices, sparseValues, outputShape, defaultValue=0)."""
    values = convert(sparse_values, "sparseValues", "sparseToDense")
    default = convert(default_value, "defaultValue", "sparseToDense", dtype_of(values))
    return run(K.SparseToDense, convert(sparse_indices, "sparseIndices", "sparseToDense", "int32"),
               [int(d) for d in output_shape], values, default)


def strided_slice(x, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0,
                  shrink_axis_mask=0):
    """tf.stridedSlice(x, begin, end, strides?, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask)."""
    x = convert(x, "x", "stridedSlice")
    strides = [1] * len(begin) if strides is None else list(strides)
    return run(K.StridedSlice, x, list(begin), list(end), strides, begin_mask=begin_mask, end_mask=end_mask,
               ellipsis_mask=ellipsis_mask, new_axis_mask=new_axis_mask, shrink_axis_mask=shrink_axis_mask)


def depth_to_space(x, block_size, data_format="NHWC"):
    """tf.depthToSpace(x, blockSize, dataFormat='NHWC')."""
    x = convert(x, "x", "depthToSpace")
    if block_size <= 1:
        raise InvalidArgumentError(f"blockSize should be > 1 for depthToSpace, but was: {block_size}")
    return run(K.DepthToSpace, x, block_size=int(block_size), data_format=data_format)


def space_to_batch_nd(x, block_shape, paddings):
    """tf.spaceToBatchND(x, blockShape, paddings)."""
    return run(K.SpaceToBatchND, convert(x, "x", "spaceToBatchND"), [int(b) for b in block_shape],
               [[int(a), int(b)] for a, b in paddings])


def batch_to_space_nd(x, block_shape, crops):
    """tf.batchToSpaceND(x, blockShape, crops)."""
    return run(K.BatchToSpaceND, convert(x, "x", "batchToSpaceND"), [int(b) for b in block_shape],
               [[int(a), int(b)] for a, b in crops])


def broadcast_to(x, shape):
    """tf.broadcastTo(x, shape)."""
    x = convert(x, "x", "broadcastTo")
    shape = [int(d) for d in shape]
    if len(shape) < x.ndim:
        raise InvalidArgumentError(f"broadcastTo(): shape.length={len(shape)} < input.rank={x.ndim}.")
    return run(K.BroadcastTo, x, shape)


def broadcast_args(s0, s1):
    """tf.broadcastArgs(s0, s1): the broadcast shape of two int32 shape vectors."""
    return run(K.BroadcastArgs, convert(s0, "s0", "broadcastArgs", "int32"),
               convert(s1, "s1", "broadcastArgs", "int32"))


def ensure_shape(x, shape):
    """tf.ensureShape(x, shape): x itself where its shape matches (None: any size), else an error."""
    x = convert(x, "x", "ensureShape")
    if len(shape) != x.ndim or any(s is not None and s != d for s, d in zip(shape, x.shape)):
        raise InvalidArgumentError(f"EnsureShape: Shape of tensor {list(x.shape)} is not compatible with "
                                   f"expected shape {list(shape)}.")
    return x


def diag(x):
    """tf.diag(x): a tensor of shape x.shape + x.shape with x on its diagonal."""
    return run(K.Diag, convert(x, "x", "diag"))


def unsorted_segment_sum(x, segment_ids, num_segments):
    """tf.unsortedSegmentSum(x, segmentIds, numSegments)."""
    return run(K.UnsortedSegmentSum, convert(x, "x", "unsortedSegmentSum"),
               convert(segment_ids, "segmentIds", "unsortedSegmentSum", "int32"), num_segments=int(num_segments))


def bincount(x, weights, size):
    """tf.bincount(x, weights, size): counts (or weight sums) of each value of an int32 vector in [0, size)."""
    x = convert(x, "x", "bincount", "int32")
    w = convert(weights, "weights", "bincount")
    if size < 0:
        raise InvalidArgumentError(f"size must be non-negative, but got {size}.")
    return run(K.Bincount, x, size=int(size), weights=w)


def dense_bincount(x, weights, size, binary_output=False):
    """tf.denseBincount(x, weights, size, binaryOutput=false): of a vector, or of each row of a matrix."""
    x = convert(x, "x", "denseBincount", "int32")
    w = convert(weights, "weights", "denseBincount")
    return run(K.DenseBincount, x, size=int(size), weights=w, binary_output=binary_output)


class TopK(NamedTuple):
    values: object
    indices: object


def topk(x, k=1, sorted=True):  # noqa: A002
    """tf.topk(x, k=1, sorted=true): (values, indices) of the k largest along the last axis."""
    x = convert(x, "x", "topk")
    if x.ndim == 0:
        raise InvalidArgumentError("topk() expects the input to be of rank 1 or higher")
    if k < 0 or k > x.shape[-1]:
        raise InvalidArgumentError(f"'k' passed to topk() must be >= 0 and <= the last dimension "
                                   f"({x.shape[-1]}) but got {k}")
    values, indices = run(K.TopK, x, k=int(k), sorted_=sorted)
    return TopK(values, indices)


class Unique(NamedTuple):
    values: object
    indices: object


def unique(x, axis=0):
    """tf.unique(x, axis=0): (values in order of appearance, int32 index of each element's value)."""
    x = convert(x, "x", "unique")
    values, indices = run(K.Unique, x, axis=parse_axis(axis, max(x.ndim, 1))[0])
    return Unique(values, indices)


def search_sorted(sorted_sequence, values, side="left"):
    """tf.searchSorted(sortedSequence, values, side='left'): int32 insertion points per row (a 1-D sequence is
    one row: the result is [1, n], as in TF.js)."""
    seq = convert(sorted_sequence, "sortedSequence", "searchSorted")
    vals = convert(values, "values", "searchSorted")
    if seq.ndim == 1:
        seq = run(K.Reshape, seq, shape=[1, -1])
        if vals.ndim == 1:
            vals = run(K.Reshape, vals, shape=[1, -1])
    return run(K.SearchSorted, seq, vals, side=side)


def lower_bound(sorted_sequence, values):
    """tf.lowerBound(sortedSequence, values): searchSorted with side 'left'."""
    return search_sorted(sorted_sequence, values, "left")


def upper_bound(sorted_sequence, values):
    """tf.upperBound(sortedSequence, values): searchSorted with side 'right'."""
    return search_sorted(sorted_sequence, values, "right")


async def where_async(condition):
    """tf.whereAsync(condition): the int32 coordinates [n, rank] of the true elements (awaitable, as in
    TF.js)."""
    return run(K.Where, convert(condition, "condition", "whereAsync", "bool"))


async def boolean_mask_async(tensor, mask, axis=0):
    """tf.booleanMaskAsync(tensor, mask, axis=0): the slices of tensor where mask is true (awaitable)."""
    t = convert(tensor, "tensor", "boolMask")
    m = convert(mask, "mask", "boolMask", "bool")
    if m.ndim == 0:
        raise InvalidArgumentError("mask cannot be scalar")
    shape = shape_of(t)
    lead = shape[:axis]
    flat = run(K.Reshape, t, shape=lead + [int(np.prod(shape[axis:axis + m.ndim]))] + shape[axis + m.ndim:])
    where = run(K.Where, run(K.Reshape, m, shape=[-1]))
    idx = run(K.Reshape, where, shape=[-1])
    return run(K.GatherV2, flat, idx.astype(np.int32), axis=axis, batch_dims=0)


async def setdiff1d_async(x, y):
    """tf.setdiff1dAsync(x, y): (values of x not in y, their positions in x), awaitable."""
    x, y = convert(x, "x", "setdiff1d"), convert(y, "y", "setdiff1d")
    if dtype_of(x) != dtype_of(y):
        raise InvalidArgumentError(f"x and y should have the same dtype, but got x ({dtype_of(x)}) and "
                                   f"y ({dtype_of(y)}).")
    out, idx = run(K.ListDiff, x, y)
    return [out, idx]


async def in_top_k_async(predictions, targets, k=1):
    """tf.inTopKAsync(predictions, targets, k=1): bool, whether each target is among its row's k largest."""
    p = convert(predictions, "predictions", "inTopK")
    t = convert(targets, "targets", "inTopK", "int32")
    if p.ndim < 1:
        raise InvalidArgumentError(f"inTopK() expects the predictions to be of rank 1 or higher, but got {p.ndim}")
    if p.ndim - 1 != t.ndim:
        raise InvalidArgumentError(f"predictions rank should be 1 larger than targets rank, but got predictions "
                                   f"rank {p.ndim} and targets rank {t.ndim}")
    p = np.asarray(p)
    target_vals = np.take_along_axis(p, np.asarray(t)[..., None].astype(np.intp), axis=-1)
    # TF.js: a target is in the top k when fewer than k values beat it (ties keep the lower index first)
    pos = np.arange(p.shape[-1])
    beats = (p > target_vals) | ((p == target_vals) & (pos < np.asarray(t)[..., None]))
    return np.count_nonzero(beats, axis=-1) < k
