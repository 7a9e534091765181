"""normalization: EuclideanNorm FusedBatchNorm FusedBatchNormV2 FusedBatchNormV3 LRN Softmax LogSoftmax."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...ops import graph_extra as gx
from ..registry import op
from ._util import axis_list, from_nhwc, to_nhwc


@op("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3")
def fused_batch_norm(node, ins, ex):
    x, scale, offset, mean, var = ins[:5]
    y = ops.batch_norm(to_nhwc(node, x), mean, var, offset, scale, node.attr("epsilon", 1e-3))
    y = from_nhwc(node, y)
    zeros = np.zeros(np.shape(mean), np.float32)
    return [y, mean, var, mean, var, zeros][:6 if node.op == "FusedBatchNormV3" else 5]


@op("EuclideanNorm")
def euclidean_norm(node, ins, ex):
    x = np.asarray(ins[0])
    return gx.euclidean_norm(x, tuple(axis_list(ins[1], x.ndim)), bool(node.attr("keep_dims", False)))


@op("LRN")
def lrn(node, ins, ex):
    return gx.lrn(ins[0], int(node.attr("depth_radius", 5)), float(node.attr("bias", 1.0)),
                  float(node.attr("alpha", 1.0)), float(node.attr("beta", 0.5)))


@op("Softmax")
def softmax(node, ins, ex):
    return ops.softmax(ins[0], -1)


@op("LogSoftmax")
def log_softmax(node, ins, ex):
    return ops.log_softmax(ins[0], -1)
