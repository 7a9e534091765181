"""transformation: Cast ExpandDims MirrorPad Pad PadV2 Reshape EnsureShape Squeeze SpaceToBatchND
BatchToSpaceND DepthToSpace BroadcastTo BroadcastArgs."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...ops import graph_extra as gx
from ..attrs import NUMPY_DTYPES
from ..registry import op
from ._util import ints, scalar


@op("Cast")
def cast(node, ins, ex):
    x = np.asarray(ins[0])
    dtype = node.attr("DstT", "float32")
    if dtype not in NUMPY_DTYPES or dtype == "string":
        raise ValueError(f"Cast to {dtype!r} is not supported (TF.js dtypes: float32, int32, bool, complex64)")
    if x.dtype == object:
        raise ValueError("Cast of a string tensor is not supported")
    if dtype == "complex64":
        return x.astype(np.complex64)
    if x.dtype.kind == "c":
        x = np.real(x)
    if dtype == "int32" and x.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            x = np.where(np.isfinite(x), x, 0)
    return ops.cast(x, dtype)


@op("ExpandDims")
def expand_dims(node, ins, ex):
    x = np.asarray(ins[0])
    axis = int(scalar(ins[1]))
    if axis < -(x.ndim + 1) or axis > x.ndim:
        raise ValueError(f"ExpandDims: axis {axis} is out of range for rank {x.ndim}")
    return ops.expand_dims(x, axis % (x.ndim + 1))


@op("MirrorPad")
def mirror_pad(node, ins, ex):
    return gx.mirror_pad(ins[0], np.asarray(ins[1]).reshape(-1, 2).tolist(), node.str_attr("mode", "reflect"))


@op("Pad", "PadV2")
def pad(node, ins, ex):
    x = np.asarray(ins[0])
    value = scalar(ins[2]) if len(ins) > 2 else 0
    return gx.pad(x, np.asarray(ins[1]).reshape(-1, 2).tolist(), value)


@op("Reshape")
def reshape(node, ins, ex):
    return ops.reshape(ins[0], ints(ins[1]))


@op("Squeeze")
def squeeze(node, ins, ex):
    x = np.asarray(ins[0])
    dims = node.attr("squeeze_dims", None) or node.attr("axis", None) or []
    if not dims:
        return ops.squeeze(x)
    dims = [d % x.ndim for d in dims]
    for d in dims:
        if x.shape[d] != 1:
            raise ValueError(f"Squeeze: dimension {d} has size {x.shape[d]}, expected 1 (shape {list(x.shape)})")
    return ops.squeeze(x, dims)


@op("SpaceToBatchND")
def space_to_batch(node, ins, ex):
    return gx.space_to_batch_nd(ins[0], ints(ins[1]), np.asarray(ins[2]).reshape(-1, 2).tolist())


@op("BatchToSpaceND")
def batch_to_space(node, ins, ex):
    return gx.batch_to_space_nd(ins[0], ints(ins[1]), np.asarray(ins[2]).reshape(-1, 2).tolist())


@op("DepthToSpace")
def depth_to_space(node, ins, ex):
    return gx.depth_to_space(ins[0], int(node.need("block_size")), node.str_attr("data_format", "nhwc"))


@op("BroadcastTo")
def broadcast_to(node, ins, ex):
    return gx.broadcast_to(ins[0], ints(ins[1]))


@op("BroadcastArgs")
def broadcast_args(node, ins, ex):
    return gx.broadcast_args(ins[0], ins[1])


@op("EnsureShape")
def ensure_shape(node, ins, ex):
    # TF keeps the shape in an attr; TF.js's op list reads it from a second input: either is taken here.
    want = [int(d) for d in np.asarray(ins[1]).reshape(-1)] if len(ins) > 1 else node.attr("shape")
    got = list(np.shape(ins[0]))
    if want is not None and (len(want) != len(got) or any(w not in (-1, g) for w, g in zip(want, got))):
        raise ValueError(f"EnsureShape: expected shape {want}, got {got}")
    return ins[0]
