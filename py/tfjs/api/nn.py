"""Neural-network ops with TF.js's signatures: convolutions, pooling, normalization, softmax, dropout.
Images are channels-last (NHWC, NDHWC); a rank-3 (rank-4 for 3-D ops) input is one image, without the
batch axis, as in TF.js."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import kernel_names as K
from ..errors import InvalidArgumentError, UnsupportedError
from ..ops.dispatch import run
from .arithmetic import _unary_input
from .convert import convert


def _batched(x, rank, op):
    x = convert(x, "x", op, "float32")
    if x.ndim == rank - 1:
        return run(K.Reshape, x, shape=[1, *x.shape]), True
    if x.ndim != rank:
        raise InvalidArgumentError(f"Error in {op}: input must be rank {rank} or {rank - 1}, but got rank {x.ndim}.")
    return x, False


def _unbatch(y, squeeze):
    return run(K.Reshape, y, shape=list(np.shape(y))[1:]) if squeeze else y


def _channels_last(data_format, op, want):
    if data_format != want:
        raise UnsupportedError(f"Error in {op}: got dataFormat of {data_format} but only {want} is supported "
                               f"here.")


_ROUND = {"round": lambda v: math.floor(v + 0.5), "floor": math.floor, "ceil": math.ceil}


def _window_pad(pad, dim_rounding_mode, in_hw, k_hw, strides, dilations, op):
    """The kernel's pad for TF.js's pad forms; a number with a dimRoundingMode pads by that number before and
    by what makes the output size round((in + 2 pad - k) / stride + 1) after."""
    if dim_rounding_mode is None:
        return _pad(pad)
    if not isinstance(pad, (int, np.integer)):
        raise InvalidArgumentError(f"Error in {op}: pad must be an integer when using dimRoundingMode "
                                   f"{dim_rounding_mode} but got pad {pad}.")
    if dim_rounding_mode not in _ROUND:
        raise InvalidArgumentError(f"Error in {op}: unknown dimRoundingMode {dim_rounding_mode}")
    s, d = _pair(strides), _pair(dilations)
    pads = []
    for size, k, stride, rate in zip(in_hw, k_hw, s, d):
        k_eff = (k - 1) * rate + 1
        out = _ROUND[dim_rounding_mode]((size - k_eff + 2 * int(pad)) / stride + 1)
        pads.append([int(pad), max((out - 1) * stride + k_eff - size - int(pad), 0)])
    return pads


def _pair(v, n=2):
    return [int(v)] * n if isinstance(v, (int, np.integer)) else [int(d) for d in v]


def _strides_or_dilations(strides, dilations, op):
    s, d = _pair(strides, len(_pair(dilations))), _pair(dilations)
    if any(v != 1 for v in s) and any(v != 1 for v in d):
        raise InvalidArgumentError(f"Error in {op}: Either strides or dilations must be 1. Got strides "
                                   f"{','.join(map(str, s))} and dilations '{','.join(map(str, d))}'")


def _pad(pad, channels_first=False):
    """TF.js's pad forms: 'same', 'valid', a number (on every side) or explicit [[0,0],[t,b],[l,r],[0,0]]
    ([[0,0],[0,0],[t,b],[l,r]] channels first)."""
    if isinstance(pad, str):
        return pad
    if isinstance(pad, (int, np.integer)):
        return [[int(pad), int(pad)], [int(pad), int(pad)]]
    pad = [list(p) for p in pad]
    if len(pad) == 4:
        return pad[2:] if channels_first else pad[1:-1]
    return pad


def _to_channels_last(x4, data_format, op):
    if data_format not in ("NHWC", "NCHW"):
        raise InvalidArgumentError(f"Error in {op}: dataFormat must be NHWC or NCHW, got {data_format}")
    return run(K.Transpose, x4, perm=[0, 2, 3, 1]) if data_format == "NCHW" else x4


def _from_channels_last(y, data_format):
    return run(K.Transpose, y, perm=[0, 3, 1, 2]) if data_format == "NCHW" else y


def conv2d(x, filter, strides, pad, data_format="NHWC", dilations=(1, 1), dim_rounding_mode=None):  # noqa: A002
    """tf.conv2d(x, filter, strides, pad, dataFormat='NHWC', dilations=[1,1], dimRoundingMode?): NCHW input
    is transposed to NHWC and the output back."""
    x4, squeeze = _batched(x, 4, "conv2d")
    x4 = _to_channels_last(x4, data_format, "conv2d")
    w = convert(filter, "filter", "conv2d", "float32")
    if w.ndim != 4:
        raise InvalidArgumentError(f"Error in conv2d: filter must be rank 4, but got rank {w.ndim}.")
    if x4.shape[3] != w.shape[2]:
        raise InvalidArgumentError(f"Error in conv2d: depth of input ({x4.shape[3]}) must match input depth for "
                                   f"filter {w.shape[2]}.")
    _strides_or_dilations(strides, dilations, "conv2D")
    p = _window_pad(_pad(pad, data_format == "NCHW") if not isinstance(pad, (int, np.integer)) else pad,
                    dim_rounding_mode, x4.shape[1:3], w.shape[:2], strides, dilations, "conv2d")
    y = run(K.Conv2D, x4, w, strides=strides, pad=p, dilations=dilations)
    return _unbatch(_from_channels_last(y, data_format), squeeze)


def conv1d(x, filter, stride, pad, data_format="NWC", dilation=1, dim_rounding_mode=None):  # noqa: A002
    """tf.conv1d(x, filter, stride, pad, dataFormat='NWC', dilation=1, dimRoundingMode?)."""
    _channels_last(data_format, "conv1d", "NWC")
    x3, squeeze = _batched(x, 3, "conv1d")
    w = convert(filter, "filter", "conv1d", "float32")
    if w.ndim != 3:
        raise InvalidArgumentError(f"Error in conv1d: filter must be rank 3, but got rank {w.ndim}.")
    p = pad if isinstance(pad, str) else [[0, 0], [int(pad), int(pad)]]
    y = run(K.Conv2D, run(K.Reshape, x3, shape=[x3.shape[0], 1, *x3.shape[1:]]),
            run(K.Reshape, w, shape=[1, *w.shape]), strides=(1, stride), pad=p, dilations=(1, dilation))
    y = run(K.Reshape, y, shape=[y.shape[0], *list(np.shape(y))[2:]])
    return _unbatch(y, squeeze)


def conv3d(x, filter, strides, pad, data_format="NDHWC", dilations=(1, 1, 1)):  # noqa: A002
    """tf.conv3d(x, filter, strides, pad, dataFormat='NDHWC', dilations=[1,1,1])."""
    _channels_last(data_format, "conv3d", "NDHWC")
    x5, squeeze = _batched(x, 5, "conv3d")
    w = convert(filter, "filter", "conv3d", "float32")
    return _unbatch(run(K.Conv3D, x5, w, strides=strides, pad=pad, dilations=dilations), squeeze)


def depthwise_conv2d(x, filter, strides, pad, data_format="NHWC", dilations=(1, 1),  # noqa: A002
                     dim_rounding_mode=None):
    """tf.depthwiseConv2d(x, filter, strides, pad, dataFormat='NHWC', dilations=[1,1], dimRoundingMode?)."""
    # (TF.js 4.22 takes NCHW here but convolves the input as if it were NHWC: no result to agree with)
    _channels_last(data_format, "depthwiseConv2d", "NHWC")
    x4, squeeze = _batched(x, 4, "depthwiseConv2d")
    w = convert(filter, "filter", "depthwiseConv2d", "float32")
    p = _window_pad(pad, dim_rounding_mode, x4.shape[1:3], w.shape[:2], strides, dilations, "depthwiseConv2d")
    y = run(K.DepthwiseConv2dNative, x4, w, strides=strides, pad=p, dilations=dilations)
    return _unbatch(y, squeeze)


def separable_conv2d(x, depthwise_filter, pointwise_filter, strides, pad, dilation=(1, 1), data_format="NHWC"):
    """tf.separableConv2d(x, depthwiseFilter, pointwiseFilter, strides, pad, dilation=[1,1], dataFormat='NHWC')."""
    y = depthwise_conv2d(x, depthwise_filter, strides, pad, data_format, dilation)
    return conv2d(y, pointwise_filter, 1, "valid", data_format)


def conv2d_transpose(x, filter, output_shape, strides, pad, dim_rounding_mode=None):  # noqa: A002
    """tf.conv2dTranspose(x, filter, outputShape, strides, pad, dimRoundingMode?): filter [h, w, out, in]; the
    output shape is given, so dimRoundingMode changes nothing."""
    if dim_rounding_mode is not None and not isinstance(pad, (int, np.integer)):
        raise InvalidArgumentError(f"Error in conv2dTranspose: pad must be an integer when using dimRoundingMode "
                                   f"{dim_rounding_mode} but got pad {pad}.")
    x4, squeeze = _batched(x, 4, "conv2dTranspose")
    w = convert(filter, "filter", "conv2dTranspose", "float32")
    shape = list(output_shape)
    if len(shape) == 3:
        shape = [1, *shape]
    return _unbatch(run(K.Conv2DBackpropInput, x4, w, output_shape=shape, strides=strides, pad=_pad(pad)), squeeze)


def conv3d_transpose(x, filter, output_shape, strides, pad):  # noqa: A002
    """tf.conv3dTranspose(x, filter, outputShape, strides, pad)."""
    x5, squeeze = _batched(x, 5, "conv3dTranspose")
    w = convert(filter, "filter", "conv3dTranspose", "float32")
    shape = list(output_shape)
    if len(shape) == 4:
        shape = [1, *shape]
    return _unbatch(run(K.Conv3DBackpropInputV2, x5, w, output_shape=shape, strides=strides, pad=pad), squeeze)


def _pool(kernel, rank, js_name):
    def op(x, filter_size, strides, pad, dim_rounding_mode=None, data_format=None):
        xb, squeeze = _batched(x, rank, js_name)
        if rank == 4:
            pad = _window_pad(pad, dim_rounding_mode, xb.shape[1:3], _pair(filter_size), strides, 1, js_name)
        elif dim_rounding_mode is not None:
            raise UnsupportedError(f"Error in {js_name}: dimRoundingMode is not supported here")
        else:
            pad = _pad(pad)
        return _unbatch(run(kernel, xb, ksize=filter_size, strides=strides, pad=pad), squeeze)
    op.__name__ = js_name
    op.__doc__ = f"tf.{js_name}(x, filterSize, strides, pad, dimRoundingMode?)."
    return op


avg_pool = _pool(K.AvgPool, 4, "avgPool")
max_pool = _pool(K.MaxPool, 4, "maxPool")
avg_pool3d = _pool(K.AvgPool3D, 5, "avgPool3d")
max_pool3d = _pool(K.MaxPool3D, 5, "maxPool3d")


def pool(input, window_shape, pooling_type, pad, dilations=(1, 1), strides=(1, 1),  # noqa: A002
         dim_rounding_mode=None):
    """tf.pool(input, windowShape, poolingType, pad, dilations?, strides?): 'avg' or 'max'; dilations of 1 only."""
    if tuple(np.broadcast_to(dilations, 2)) != (1, 1):
        raise UnsupportedError("Error in pool: dilations > 1 are not supported here")
    if pooling_type not in ("avg", "max"):
        raise InvalidArgumentError(f"Error in pool: poolingType {pooling_type} must be 'avg' or 'max'")
    fn = avg_pool if pooling_type == "avg" else max_pool
    return fn(input, window_shape, strides, pad, dim_rounding_mode)


class MaxPoolWithArgmax(NamedTuple):
    result: object
    indexes: object


def max_pool_with_argmax(x, filter_size, strides, pad, include_batch_in_index=False):
    """tf.maxPoolWithArgmax(x, filterSize, strides, pad, includeBatchInIndex=false): (result, indexes)."""
    x4 = convert(x, "x", "maxPoolWithArgmax", "float32")
    result, indexes = run(K.MaxPoolWithArgmax, x4, ksize=_pair(filter_size), strides=_pair(strides), pad=pad,
                          include_batch_in_index=include_batch_in_index)
    return MaxPoolWithArgmax(result, indexes)


def batch_norm(x, mean, variance, offset=None, scale=None, variance_epsilon=0.001):
    """tf.batchNorm(x, mean, variance, offset?, scale?, varianceEpsilon=0.001)."""
    conv = lambda v, n: None if v is None else convert(v, n, "batchNorm", "float32")  # noqa: E731
    return run(K.FusedBatchNorm, conv(x, "x"), conv(mean, "mean"), conv(variance, "variance"), conv(offset, "offset"),
               conv(scale, "scale"), variance_epsilon=variance_epsilon)


def _batch_norm_nd(rank):
    def op(x, mean, variance, offset=None, scale=None, variance_epsilon=0.001):
        if np.ndim(x) != rank:
            raise InvalidArgumentError(f"Error in batchNorm{rank}D: x must be rank {rank} but got rank "
                                       f"{np.ndim(x)}.")
        return batch_norm(x, mean, variance, offset, scale, variance_epsilon)
    op.__name__ = f"batchNorm{rank}d"
    op.__doc__ = f"tf.batchNorm{rank}d(x, mean, variance, offset?, scale?, varianceEpsilon=0.001)."
    return op


batch_norm2d, batch_norm3d, batch_norm4d = (_batch_norm_nd(r) for r in (2, 3, 4))


def local_response_normalization(x, depth_radius=5, bias=1, alpha=1, beta=0.5):
    """tf.localResponseNormalization(x, depthRadius=5, bias=1, alpha=1, beta=0.5)."""
    x4, squeeze = _batched(x, 4, "localResponseNormalization")
    return _unbatch(run(K.LRN, x4, depth_radius=depth_radius, bias=bias, alpha=alpha, beta=beta), squeeze)


def dilation2d(x, filter, strides, pad, dilations=(1, 1), data_format="NHWC"):  # noqa: A002
    """tf.dilation2d(x, filter, strides, pad, dilations=[1,1], dataFormat='NHWC')."""
    _channels_last(data_format, "dilation2d", "NHWC")
    x4, squeeze = _batched(x, 4, "dilation2d")
    w = convert(filter, "filter", "dilation2d", "float32")
    return _unbatch(run(K.Dilation2D, x4, w, strides=_pair(strides), rates=_pair(dilations), pad=pad), squeeze)


def softmax(logits, dim=-1):
    """tf.softmax(logits, dim=-1)."""
    x = _unary_input(logits, "softmax", "logits")[0]
    if dim != -1 and dim != x.ndim - 1:
        raise InvalidArgumentError(f"Softmax along a non-last dimension is not yet supported. Logits was rank "
                                   f"{x.ndim} and dim was {dim}")
    return run(K.Softmax, x, axis=-1)


def log_softmax(logits, axis=-1):
    """tf.logSoftmax(logits, axis=-1)."""
    x = convert(logits, "logits", "logSoftmax", "float32")
    if axis != -1 and axis != x.ndim - 1:
        raise InvalidArgumentError(f"Log Softmax along a non-last dimension is not yet supported. Logits was rank "
                                   f"{x.ndim} and axis was {axis}")
    return run(K.LogSoftmax, x, axis=-1)


def dropout(x, rate, noise_shape=None, seed=None):
    """tf.dropout(x, rate, noiseShape?, seed?): each value (or each noise_shape slice) kept with probability
    1 - rate and scaled by 1 / (1 - rate)."""
    x = convert(x, "x", "dropout", "float32")
    if not 0 <= rate < 1:
        raise InvalidArgumentError(f"rate must be a float in the range [0, 1), but got {rate}.")
    if rate == 0:
        return x
    shape = list(x.shape) if noise_shape is None else [x.shape[i] if d is None else d
                                                      for i, d in enumerate(noise_shape)]
    keep = np.float32(1 - rate)
    u = run(K.RandomUniform, shape, minval=0.0, maxval=1.0, dtype="float32", seed=seed)
    mask = run(K.RealDiv, run(K.Floor, run(K.Add, u, keep)), keep)
    return run(K.Mul, x, mask)


def basic_lstm_cell(forget_bias, lstm_kernel, lstm_bias, data, c, h):
    """tf.basicLSTMCell(forgetBias, lstmKernel, lstmBias, data, c, h): [new c, new h]."""
    conv = lambda v, n: convert(v, n, "basicLSTMCell", "float32")  # noqa: E731
    combined = run(K.Concat, [conv(data, "data"), conv(h, "h")], axis=1)
    weighted = run(K.Add, run(K.BatchMatMul, combined, conv(lstm_kernel, "kernel"), transpose_a=False,
                              transpose_b=False), conv(lstm_bias, "bias"))
    units = weighted.shape[1] // 4
    i, j, f, o = run(K.SplitV, weighted, sizes=[units] * 4, axis=1)
    new_c = run(K.Add, run(K.Mul, run(K.Sigmoid, i), run(K.Tanh, j)),
                run(K.Mul, conv(c, "c"), run(K.Sigmoid, run(K.Add, conv(forget_bias, "forgetBias"), f))))
    new_h = run(K.Mul, run(K.Tanh, new_c), run(K.Sigmoid, o))
    return [new_c, new_h]


def multi_rnn_cell(lstm_cells, data, c, h):
    """tf.multiRNNCell(lstmCells, data, c, h): each cell fn(data, c, h) -> [c, h] in turn: [new cs, new hs]."""
    inp = data
    cs, hs = [], []
    for i, cell in enumerate(lstm_cells):
        new_c, new_h = cell(inp, c[i], h[i])
        cs.append(new_c)
        hs.append(new_h)
        inp = new_h
    return [cs, hs]
