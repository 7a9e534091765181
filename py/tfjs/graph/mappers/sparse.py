"""sparse: SparseFillEmptyRows, SparseReshape, SparseSegmentMean, SparseSegmentSum with TF's semantics (as
TF.js's cpu kernels compute them); bad indices or shapes are errors naming the op and the values."""

from __future__ import annotations

import numpy as np

from ..registry import op


def _ints(x, what):
    arr = np.asarray(x)
    if arr.dtype.kind not in "iu":
        raise ValueError(f"{what} must be integers, got dtype {arr.dtype}")
    return arr.astype(np.int64)


@op("SparseFillEmptyRows")
def sparse_fill_empty_rows(node, ins, ex):
    indices, values, dense_shape, default = ins
    indices = _ints(indices, "SparseFillEmptyRows: indices")
    values = np.asarray(values)
    shape = _ints(dense_shape, "SparseFillEmptyRows: dense_shape").reshape(-1)
    if indices.ndim != 2:
        raise ValueError(f"SparseFillEmptyRows: indices must be a matrix, got shape {list(indices.shape)}")
    if np.ndim(default) != 0:
        raise ValueError(f"SparseFillEmptyRows: default_value must be a scalar, got shape {list(np.shape(default))}")
    n, rank = indices.shape
    rows = int(shape[0]) if shape.size else 0
    if n == 0:
        out_idx = np.zeros((rows, rank), np.int32)
        out_idx[:, 0] = np.arange(rows)
        return [out_idx, np.full(rows, np.asarray(default).item(), values.dtype if values.dtype != object else object),
                np.ones(rows, bool), np.zeros(0, np.int32)]
    row_of = indices[:, 0]
    bad = np.nonzero((row_of < 0) | (row_of >= rows))[0]
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"SparseFillEmptyRows: indices({i}, 0) is invalid: {int(row_of[i])} >= {rows}")
    counts = np.bincount(row_of, minlength=rows)
    empty = counts == 0
    order = np.argsort(row_of, kind="stable")
    out_n = n + int(empty.sum())
    out_idx = np.zeros((out_n, rank), np.int64)
    out_val = np.empty(out_n, dtype=values.dtype)
    reverse = np.zeros(n, np.int32)
    starts = np.concatenate([[0], np.cumsum(np.maximum(counts, 1))[:-1]])
    for r in np.nonzero(empty)[0]:
        out_idx[starts[r], 0] = r
        out_val[starts[r]] = np.asarray(default).item()
    filled = np.zeros(rows, np.int64)
    for i in order:
        r = row_of[i]
        pos = starts[r] + filled[r]
        filled[r] += 1
        out_idx[pos] = indices[i]
        out_val[pos] = values[i]
        reverse[i] = pos
    return [out_idx.astype(np.int32), out_val, empty, reverse]


@op("SparseReshape")
def sparse_reshape(node, ins, ex):
    indices, in_shape, new_shape = ins
    indices = _ints(indices, "SparseReshape: input_indices")
    in_shape = _ints(in_shape, "SparseReshape: input_shape").reshape(-1)
    target = _ints(new_shape, "SparseReshape: new_shape").reshape(-1).copy()
    dense = int(np.prod(in_shape)) if in_shape.size else 1
    unknown = np.nonzero(target == -1)[0]
    if unknown.size > 1:
        raise ValueError(f"SparseReshape: only one output dimension may be -1, not both {int(unknown[0])} and "
                         f"{int(unknown[1])}")
    for d, size in enumerate(target):
        if size < -1:
            raise ValueError(f"SparseReshape: size {d} must be non-negative, not {int(size)}")
    product = int(np.prod(target[target != -1])) if target.size else 1
    if unknown.size:
        if product == 0:
            raise ValueError("SparseReshape: reshape cannot infer the missing input size for an empty tensor unless "
                             "all specified input sizes are non-zero")
        missing = dense // product
        if product * missing != dense:
            raise ValueError(f"SparseReshape: input to reshape is a SparseTensor with {dense} dense values, but the "
                             f"requested shape requires a multiple of {product}. inputShape={in_shape.tolist()} "
                             f"outputShape= {target.tolist()}")
        target[unknown[0]] = missing
    if int(np.prod(target)) != dense:
        raise ValueError(f"SparseReshape: input to reshape is a tensor with {dense} dense values, but the requested "
                         f"shape has {int(np.prod(target))}. inputShape={in_shape.tolist()} "
                         f"outputShape={target.tolist()}")
    if indices.shape[0] and indices.shape[1] != in_shape.size:
        raise ValueError(f"SparseReshape: input_indices have {indices.shape[1]} columns, input_shape "
                         f"{in_shape.size} dimensions")
    flat = np.ravel_multi_index(indices.T, in_shape) if indices.shape[0] else np.zeros(0, np.int64)
    out = np.stack(np.unravel_index(flat, target), axis=1) if indices.shape[0] else \
        np.zeros((0, target.size), np.int64)
    return [out.astype(np.int32), target.astype(np.int32)]


def _segment_reduce(node, ins, mean: bool):
    data, indices, segment_ids = ins
    data = np.asarray(data)
    idx = _ints(indices, f"{node.op}: indices").reshape(-1)
    seg = _ints(segment_ids, f"{node.op}: segment_ids").reshape(-1)
    if idx.size != seg.size:
        raise ValueError(f"{node.op}: indices and segment_ids should have the same size, got {idx.size} and "
                         f"{seg.size}")
    inner = data.shape[1:]
    if not seg.size:
        return np.zeros((0,) + inner, data.dtype)
    if np.any(np.diff(seg) < 0) or seg[0] < 0:
        raise ValueError(f"{node.op}: segment ids must be non-negative and sorted, got {seg.tolist()[:10]}")
    bad = np.nonzero((idx < 0) | (idx >= data.shape[0]))[0]
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{node.op}: bad: indices[{i}] == {int(idx[i])} out of range [0, {data.shape[0]})")
    rows = int(seg[-1]) + 1
    out = np.zeros((rows,) + inner, np.float64 if data.dtype.kind == "f" else np.int64)
    np.add.at(out, seg, data[idx].astype(out.dtype))
    if mean:
        counts = np.bincount(seg, minlength=rows).astype(np.float64)
        out = out / np.maximum(counts, 1).reshape((-1,) + (1,) * len(inner))
    return out.astype(data.dtype)


@op("SparseSegmentSum")
def sparse_segment_sum(node, ins, ex):
    return _segment_reduce(node, ins, False)


@op("SparseSegmentMean")
def sparse_segment_mean(node, ins, ex):
    return _segment_reduce(node, ins, True)
