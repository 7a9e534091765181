"""tf.fused: matMul, conv2d, depthwiseConv2d with a bias and an activation applied to the product, as
TF.js's fused ops take them (one object argument there, keyword arguments here)."""

from __future__ import annotations

from .. import kernel_names as K
from ..errors import InvalidArgumentError
from ..ops.dispatch import run
from . import linear, nn
from .convert import convert

ACTIVATIONS = ("linear", "relu", "relu6", "elu", "prelu", "leakyrelu", "sigmoid")


def _epilogue(y, bias, activation, prelu_activation_weights, leakyrelu_alpha, op):
    if activation not in ACTIVATIONS:
        raise InvalidArgumentError(f"Unknown fused activation {activation}.")
    if bias is not None:
        y = run(K.Add, y, convert(bias, "bias", op, "float32"))
    if activation == "relu":
        return run(K.Relu, y)
    if activation == "relu6":
        return run(K.Relu6, y)
    if activation == "elu":
        return run(K.Elu, y, alpha=1.0)
    if activation == "sigmoid":
        return run(K.Sigmoid, y)
    if activation == "leakyrelu":
        return run(K.LeakyRelu, y, alpha=leakyrelu_alpha)
    if activation == "prelu":
        return run(K.Prelu, y, convert(prelu_activation_weights, "preluActivationWeights", op, "float32"))
    return y


def mat_mul(a, b, transpose_a=False, transpose_b=False, bias=None, activation="linear",
            prelu_activation_weights=None, leakyrelu_alpha=0.2):
    """tf.fused.matMul({a, b, transposeA, transposeB, bias, activation, preluActivationWeights,
    leakyreluAlpha})."""
    y = linear.mat_mul(a, b, transpose_a, transpose_b)
    return _epilogue(y, bias, activation, prelu_activation_weights, leakyrelu_alpha, "fused matMul")


def conv2d(x, filter, strides, pad, data_format="NHWC", dilations=(1, 1), dim_rounding_mode=None,  # noqa: A002
           bias=None, activation="linear", prelu_activation_weights=None, leakyrelu_alpha=0.2):
    """tf.fused.conv2d({x, filter, strides, pad, dataFormat, dilations, dimRoundingMode, bias, activation,
    preluActivationWeights, leakyreluAlpha})."""
    y = nn.conv2d(x, filter, strides, pad, data_format, dilations, dim_rounding_mode)
    return _epilogue(y, bias, activation, prelu_activation_weights, leakyrelu_alpha, "fused conv2d")


def depthwise_conv2d(x, filter, strides, pad, data_format="NHWC", dilations=(1, 1),  # noqa: A002
                     dim_rounding_mode=None, bias=None, activation="linear", prelu_activation_weights=None,
                     leakyrelu_alpha=0.2):
    """tf.fused.depthwiseConv2d({x, filter, strides, pad, dataFormat, dilations, dimRoundingMode, bias,
    activation, preluActivationWeights, leakyreluAlpha})."""
    y = nn.depthwise_conv2d(x, filter, strides, pad, data_format, dilations, dim_rounding_mode)
    return _epilogue(y, bias, activation, prelu_activation_weights, leakyrelu_alpha, "fused depthwiseConv2d")
