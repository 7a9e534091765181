"""cpu kernels for indexing and layout ops of graph models: strided slices with every mask, gathers and
scatters, mirror padding, space/batch/depth rearrangements, broadcasting."""

from __future__ import annotations

import numpy as np

from ... import kernel_names as K

I32 = np.int32


def _bit(mask: int, i: int) -> bool:
    return bool((mask >> i) & 1)


def strided_slice(x, begin, end, strides, begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0,
                  shrink_axis_mask=0):
    """TensorFlow's StridedSlice: the sparse spec becomes one numpy index (ellipsis, new axes, shrinks)."""
    x = np.asarray(x)
    index = []
    seen_ellipsis = False
    for i in range(len(begin)):
        if _bit(ellipsis_mask, i):
            if not seen_ellipsis:
                index.append(Ellipsis)
                seen_ellipsis = True
            continue
        if _bit(new_axis_mask, i):
            index.append(None)
            continue
        stride = int(strides[i]) if i < len(strides) else 1
        if stride == 0:
            raise ValueError(f"StridedSlice: stride {i} is 0")
        if _bit(shrink_axis_mask, i):
            index.append(int(begin[i]))
            continue
        b = None if _bit(begin_mask, i) else int(begin[i])
        e = None if _bit(end_mask, i) else int(end[i])
        index.append(slice(b, e, stride))
    out = x[tuple(index)]
    return np.array(out, copy=True) if isinstance(out, np.ndarray) else np.asarray(out)


def mirror_pad(x, paddings, mode="reflect"):
    mode = mode.lower()
    if mode not in ("reflect", "symmetric"):
        raise ValueError(f"MirrorPad: mode must be 'reflect' or 'symmetric', got {mode!r}")
    return np.pad(np.asarray(x), [(int(a), int(b)) for a, b in paddings], mode=mode)



def _check_indices(what, indices, dims):
    if indices.size == 0:
        return
    for k, dim in enumerate(dims):
        col = indices[..., k]
        if col.min() < 0 or col.max() >= dim:
            bad = col[(col < 0) | (col >= dim)][0]
            raise ValueError(f"{what}: index {int(bad)} is out of range [0, {dim}) on axis {k}")


def gather_nd(params, indices):
    params = np.asarray(params)
    indices = np.asarray(indices).astype(np.intp)
    k = indices.shape[-1]
    _check_indices(K.GatherNd, indices, params.shape[:k])
    out = params[tuple(indices[..., j] for j in range(k))]
    return np.ascontiguousarray(out)


def scatter_nd(indices, updates, shape):
    indices = np.asarray(indices).astype(np.intp)
    updates = np.asarray(updates)
    out = np.zeros([int(s) for s in shape], updates.dtype)
    k = indices.shape[-1]
    _check_indices(K.ScatterNd, indices, out.shape[:k])
    np.add.at(out, tuple(indices[..., j] for j in range(k)), updates)
    return out


def tensor_scatter_update(tensor, indices, updates):
    out = np.array(tensor, copy=True)
    indices = np.asarray(indices).astype(np.intp)
    k = indices.shape[-1]
    _check_indices(K.TensorScatterUpdate, indices, out.shape[:k])
    out[tuple(indices[..., j] for j in range(k))] = np.asarray(updates, out.dtype)
    return out


def sparse_to_dense(indices, output_shape, values, default_value):
    values = np.asarray(values)
    shape = [int(s) for s in np.asarray(output_shape).reshape(-1)]
    out = np.full(shape, np.asarray(default_value, values.dtype), values.dtype)
    idx = np.asarray(indices).astype(np.intp)
    if idx.ndim == 0:
        idx = idx.reshape(1, 1)
    elif idx.ndim == 1:
        idx = idx.reshape(-1, 1) if len(shape) == 1 else idx.reshape(1, -1)
    _check_indices(K.SparseToDense, idx, shape[:idx.shape[-1]])
    out[tuple(idx[:, j] for j in range(idx.shape[1]))] = values
    return out



def space_to_batch_nd(x, block_shape, paddings):
    x = np.asarray(x)
    block = [int(b) for b in block_shape]
    m = len(block)
    pads = [(0, 0)] + [(int(a), int(b)) for a, b in paddings] + [(0, 0)] * (x.ndim - 1 - m)
    xp = np.pad(x, pads)
    b = xp.shape[0]
    spatial = xp.shape[1:1 + m]
    rest = xp.shape[1 + m:]
    for s, bs in zip(spatial, block):
        if s % bs:
            raise ValueError(f"SpaceToBatchND: padded size {s} is not divisible by block size {bs}")
    shape = [b]
    for s, bs in zip(spatial, block):
        shape += [s // bs, bs]
    y = xp.reshape(shape + list(rest))
    perm = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)] + \
        list(range(1 + 2 * m, y.ndim))
    y = np.transpose(y, perm)
    return np.ascontiguousarray(y.reshape([b * int(np.prod(block))] + [s // bs for s, bs in zip(spatial, block)]
                                          + list(rest)))


def batch_to_space_nd(x, block_shape, crops):
    x = np.asarray(x)
    block = [int(b) for b in block_shape]
    m = len(block)
    prod = int(np.prod(block))
    b = x.shape[0] // prod
    spatial = x.shape[1:1 + m]
    rest = x.shape[1 + m:]
    y = x.reshape(block + [b] + list(spatial) + list(rest))
    perm = [m]
    for i in range(m):
        perm += [m + 1 + i, i]
    perm += list(range(2 * m + 1, y.ndim))
    y = np.transpose(y, perm).reshape([b] + [s * bs for s, bs in zip(spatial, block)] + list(rest))
    index = [slice(None)] + [slice(int(c0), y.shape[1 + i] - int(c1)) for i, (c0, c1) in enumerate(crops)]
    return np.ascontiguousarray(y[tuple(index)])


def depth_to_space(x, block_size, data_format="NHWC"):
    x = np.asarray(x)
    if data_format.upper() != "NHWC":
        x = np.transpose(x, (0, 2, 3, 1))
    n, h, w, c = x.shape
    bs = int(block_size)
    if c % (bs * bs):
        raise ValueError(f"DepthToSpace: depth {c} is not divisible by block_size^2 = {bs * bs}")
    cd = c // (bs * bs)
    y = x.reshape(n, h, w, bs, bs, cd).transpose(0, 1, 3, 2, 4, 5).reshape(n, h * bs, w * bs, cd)
    if data_format.upper() != "NHWC":
        y = np.transpose(y, (0, 3, 1, 2))
    return np.ascontiguousarray(y)


def broadcast_to(x, shape):
    return np.array(np.broadcast_to(np.asarray(x), [int(s) for s in shape]), copy=True)


def broadcast_args(s0, s1):
    return np.asarray(np.broadcast_shapes(tuple(int(v) for v in np.asarray(s0).reshape(-1)),
                                          tuple(int(v) for v in np.asarray(s1).reshape(-1))), I32)



KERNELS = {
    K.StridedSlice: strided_slice, K.MirrorPad: mirror_pad, K.GatherNd: gather_nd,
    K.ScatterNd: scatter_nd, K.TensorScatterUpdate: tensor_scatter_update, K.SparseToDense: sparse_to_dense,
    K.SpaceToBatchND: space_to_batch_nd, K.BatchToSpaceND: batch_to_space_nd,
    K.DepthToSpace: depth_to_space, K.BroadcastTo: broadcast_to, K.BroadcastArgs: broadcast_args,
}
