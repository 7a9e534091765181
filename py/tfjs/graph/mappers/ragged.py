"""ragged: RaggedGather, RaggedRange, RaggedTensorToTensor with TF's semantics (as TF.js's cpu kernels compute
them). A ragged tensor is its nested row splits (int) and its flat dense values."""

from __future__ import annotations

import numpy as np

from ..registry import op


def _splits(x, what):
    arr = np.asarray(x)
    if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "iu":
        raise ValueError(f"{what}: row splits must be a non-empty 1-D integer tensor, got shape "
                         f"{list(arr.shape)} {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr[0] != 0 or np.any(np.diff(arr) < 0):
        raise ValueError(f"{what}: row splits must start at 0 and not decrease, got {arr.tolist()[:10]}")
    return arr


@op("RaggedGather")
def ragged_gather(node, ins, ex):
    *splits_in, values, indices = ins
    splits = [_splits(s, f"RaggedGather: params_nested_splits[{k}]") for k, s in enumerate(splits_in)]
    values = np.asarray(values)
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu":
        raise ValueError(f"RaggedGather: indices must be integers, got {indices.dtype}")
    flat = indices.reshape(-1).astype(np.int64)
    n_rows = splits[0].size - 1 if splits else values.shape[0]
    bad = np.nonzero((flat < 0) | (flat >= n_rows))[0]
    if bad.size:
        raise ValueError(f"RaggedGather: indices[{int(bad[0])}] = {int(flat[bad[0]])} is not in [0, {n_rows})")
    # The index dimensions but the last become uniform outer splits.
    dims = list(indices.shape)
    out_splits: list[np.ndarray] = []
    size = 1
    for k in range(len(dims) - 1):
        size *= dims[k]
        out_splits.append(np.arange(size + 1, dtype=np.int64) * dims[k + 1])
    if not splits:
        return out_splits + [values[flat].reshape(list(indices.shape) + list(values.shape[1:]))]
    ranges = [(int(i), int(i) + 1) for i in flat]
    for level in splits:
        out_splits.append(np.asarray(_rows_splits(level, ranges), np.int64))
        ranges = [(int(level[a]), int(level[b])) for a, b in ranges]
    pieces = [values[a:b] for a, b in ranges]
    dense = np.concatenate(pieces, axis=0) if pieces else values[:0]
    return [sp.astype(np.int32) for sp in out_splits] + [dense]


def _rows_splits(level, ranges):
    """The splits of the rows [a, b) of each range, concatenated: lengths of level's rows a..b-1 in order."""
    out = [0]
    for a, b in ranges:
        for r in range(a, b):
            out.append(out[-1] + int(level[r + 1] - level[r]))
    return out


@op("RaggedRange")
def ragged_range(node, ins, ex):
    starts, limits, deltas = (np.asarray(x) for x in ins)
    for name, x in (("starts", starts), ("limits", limits), ("deltas", deltas)):
        if x.ndim > 1:
            raise ValueError(f"RaggedRange: {name} must be a scalar or vector, got shape {list(x.shape)}")
    n = max(x.size if x.ndim == 1 else 1 for x in (starts, limits, deltas))
    for name, x in (("starts", starts), ("limits", limits), ("deltas", deltas)):
        if x.ndim == 1 and x.size != n:
            raise ValueError(f"RaggedRange: starts, limits, and deltas must have the same shape; {name} has "
                             f"{x.size} values, expected {n}")
    dtype = starts.dtype
    s, l, d = (np.broadcast_to(x.reshape(-1) if x.ndim else x, (n,)) for x in (starts, limits, deltas))
    splits = [0]
    parts = []
    for k in range(n):
        delta = d[k]
        if delta == 0:
            raise ValueError("RaggedRange: requires delta != 0")
        if dtype.kind == "f":
            size = int(np.ceil(abs((np.float64(l[k]) - np.float64(s[k])) / np.float64(delta))))
            size = size if (delta > 0 and l[k] > s[k]) or (delta < 0 and l[k] < s[k]) else 0
            parts.append((np.float32(s[k]) + np.arange(size, dtype=np.float32) * np.float32(delta)).astype(dtype))
        else:
            if (delta > 0 and l[k] <= s[k]) or (delta < 0 and l[k] >= s[k]):
                size = 0
            else:
                size = int((abs(int(l[k]) - int(s[k])) + abs(int(delta)) - 1) // abs(int(delta)))
            parts.append((int(s[k]) + np.arange(size, dtype=np.int64) * int(delta)).astype(dtype))
        splits.append(splits[-1] + size)
    values = np.concatenate(parts) if parts else np.zeros(0, dtype)
    return [np.asarray(splits, np.int32), values]


def _partitions_to_splits(types, tensors, nvals):
    """Row partitions (ROW_SPLITS, or FIRST_DIM_SIZE + VALUE_ROWIDS per level) as nested row splits."""
    types = [t.upper() for t in types]
    out = []
    k = 0
    if types and types[0] == "FIRST_DIM_SIZE":
        first = int(np.asarray(tensors[0]).reshape(-1)[0])
        k = 1
        rows_next = first
        for t, tensor in zip(types[1:], tensors[1:]):
            if t != "VALUE_ROWIDS":
                raise ValueError(f"RaggedTensorToTensor: row partition type {t} after FIRST_DIM_SIZE; expected "
                                 f"VALUE_ROWIDS")
            ids = np.asarray(tensor).astype(np.int64).reshape(-1)
            out.append(np.concatenate([[0], np.cumsum(np.bincount(ids, minlength=rows_next)[:rows_next])]))
            rows_next = ids.size
        return out
    for t, tensor in zip(types[k:], tensors[k:]):
        if t != "ROW_SPLITS":
            raise ValueError(f"RaggedTensorToTensor: unsupported row partition type {t}")
        out.append(_splits(tensor, "RaggedTensorToTensor: row_splits"))
    return out


@op("RaggedTensorToTensor")
def ragged_tensor_to_tensor(node, ins, ex):
    shape_in, values, default, *partitions = ins
    types = node.attr("row_partition_types") or []
    if len(types) != len(partitions):
        raise ValueError(f"RaggedTensorToTensor: {len(partitions)} row partition tensors for {len(types)} "
                         f"row_partition_types")
    values = np.asarray(values)
    splits = _partitions_to_splits(types, partitions, values.shape[0])
    ragged_rank = len(splits)
    inner = list(values.shape[1:])
    # Natural shape: the number of rows, then the longest row at each level, then the values' inner shape.
    natural = [splits[0].size - 1] + [int(np.max(np.diff(s))) if s.size > 1 else 0 for s in splits] + inner
    requested = np.asarray(shape_in).reshape(-1).astype(np.int64) if np.ndim(shape_in) else np.zeros(0, np.int64)
    if np.ndim(shape_in) == 0 and int(np.asarray(shape_in)) == -1:
        requested = np.full(len(natural), -1)
    if requested.size and requested.size != len(natural):
        raise ValueError(f"RaggedTensorToTensor: shape {requested.tolist()} has rank {requested.size}, the ragged "
                         f"tensor rank {len(natural)}")
    out_shape = [int(r) if requested.size and r >= 0 else n for r, n in zip(
        requested if requested.size else [-1] * len(natural), natural)]
    fill = np.broadcast_to(np.asarray(default, values.dtype), out_shape[ragged_rank + 1:]) if values.dtype != object \
        else np.broadcast_to(np.asarray(default, object), out_shape[ragged_rank + 1:])
    out = np.empty(out_shape, values.dtype)
    out[...] = fill if fill.shape else np.asarray(default).item()

    def place(level, row_range, prefix):
        a, b = row_range
        for r in range(a, b):
            pos = r - a
            if pos >= out_shape[level]:
                break
            if level == ragged_rank:
                inner_vals = values[r]
                idx = tuple(prefix + [pos])
                target = out[idx]
                if target.ndim:
                    sl = tuple(slice(0, min(t, v)) for t, v in zip(target.shape, inner_vals.shape))
                    target[sl] = inner_vals[sl]
                else:
                    out[idx] = inner_vals
            else:
                s = splits[level]
                place(level + 1, (int(s[r]), int(s[r + 1])), prefix + [pos])

    s0 = splits[0] if splits else None
    if ragged_rank == 0:
        n = min(out_shape[0], values.shape[0])
        out[:n] = values[:n]
        return out
    for r in range(min(out_shape[0], s0.size - 1)):
        place(1, (int(s0[r]), int(s0[r + 1])), [r])
    return out
