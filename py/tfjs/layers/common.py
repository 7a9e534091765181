"""Helpers shared by layer implementations: shapes, data formats, activations."""

from __future__ import annotations

import numpy as np

from .. import ops
from . import activations
from .params import P

F32 = np.float32

BIAS_PARAMS = [P("use_bias", True), P("bias_initializer", "zeros", "init"), P("bias_regularizer", None, "reg"),
               P("activity_regularizer", None, "reg"), P("bias_constraint", None, "con")]


def conv_output_length(size, k, padding, stride, dilation=1):
    if size is None:
        return None
    dk = (k - 1) * dilation + 1
    if padding in ("same", "causal"):
        out = size
    elif padding == "valid":
        out = size - dk + 1
    elif padding == "full":
        out = size + dk - 1
    else:
        raise ValueError(f"Unknown padding {padding!r}")
    return (out + stride - 1) // stride


def deconv_length(size, stride, k, padding):
    if size is None:
        return None
    size *= stride
    if padding == "valid":
        size += max(k - stride, 0)
    elif padding == "full":
        size -= stride + k - 2
    return size


def to_channels_last(x, data_format):
    if data_format == "channels_first" and x.ndim > 2:
        return ops.transpose(x, [0] + list(range(2, x.ndim)) + [1])
    return x


def from_channels_last(x, data_format):
    if data_format == "channels_first" and x.ndim > 2:
        return ops.transpose(x, [0, x.ndim - 1] + list(range(1, x.ndim - 1)))
    return x


def apply_activation(name, x):
    return x if name == "linear" else activations.get(name)(x)


def add_bias(x, bias):
    return ops.add(x, bias) if bias is not None else x


def spatial_dims(shape, data_format, n):
    """(batch, spatial dims, channels) of a channels_last/first shape."""
    shape = list(shape)
    if data_format == "channels_first":
        return shape[0], shape[2:2 + n], shape[1]
    return shape[0], shape[1:1 + n], shape[-1]


def make_shape(batch, spatial, channels, data_format):
    if data_format == "channels_first":
        return [batch, channels, *spatial]
    return [batch, *spatial, channels]


def check_rank(layer, shape, rank):
    if len(shape) != rank:
        raise ValueError(f"Input 0 is incompatible with layer {layer.name}: expected ndim={rank}, found "
                         f"ndim={len(shape)} (input shape {list(shape)})")
