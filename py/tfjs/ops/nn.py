"""Neural-network ops: products, convolutions, pooling, normalization, resizing, mirroring and rotating images
(channels-last)."""

from __future__ import annotations

import numpy as np

from .. import kernel_names as K
from .dispatch import run, tensor


def _check_rank(op, x, rank, what="x"):
    if x.ndim != rank:
        raise ValueError(f"{op}: {what} must be rank {rank}, got rank {x.ndim} (shape {list(x.shape)})")


def matmul(a, b, transpose_a=False, transpose_b=False):
    a, b = tensor(a), tensor(b)
    ka = a.shape[-2] if transpose_a else a.shape[-1]
    kb = b.shape[-1] if transpose_b else b.shape[-2]
    if ka != kb:
        raise ValueError(f"MatMul: inner dimensions differ: a {list(a.shape)} (transpose_a={transpose_a}) and "
                         f"b {list(b.shape)} (transpose_b={transpose_b}): {ka} != {kb}")
    return run(K.BatchMatMul, a, b, transpose_a=transpose_a, transpose_b=transpose_b)


def conv2d(x, filter, strides=1, pad="valid", dilations=1):  # noqa: A002
    """x [N, H, W, Cin], filter [kh, kw, Cin, Cout]; pad 'same', 'valid' or [[t, b], [l, r]]."""
    x, filter = tensor(x), tensor(filter)
    _check_rank(K.Conv2D, x, 4)
    _check_rank(K.Conv2D, filter, 4, "filter")
    return run(K.Conv2D, x, filter, strides=strides, pad=pad, dilations=dilations)


def conv1d(x, filter, stride=1, pad="valid", dilation=1):  # noqa: A002
    """x [N, W, Cin], filter [k, Cin, Cout] (runs as a 2-D convolution of height 1)."""
    x, filter = tensor(x), tensor(filter)
    _check_rank("Conv1D", x, 3)
    _check_rank("Conv1D", filter, 3, "filter")
    pads = pad if isinstance(pad, str) else [[0, 0], list(pad[0])]
    out = run(K.Conv2D, x[:, None], filter[None], strides=(1, stride), pad=pads, dilations=(1, dilation))
    return out[:, 0]


def conv3d(x, filter, strides=1, pad="valid", dilations=1):  # noqa: A002
    x, filter = tensor(x), tensor(filter)
    _check_rank(K.Conv3D, x, 5)
    _check_rank(K.Conv3D, filter, 5, "filter")
    return run(K.Conv3D, x, filter, strides=strides, pad=pad, dilations=dilations)


def depthwise_conv2d(x, filter, strides=1, pad="valid", dilations=1):  # noqa: A002
    """x [N, H, W, C], filter [kh, kw, C, multiplier] -> [N, H', W', C * multiplier]."""
    x, filter = tensor(x), tensor(filter)
    _check_rank(K.DepthwiseConv2dNative, x, 4)
    _check_rank(K.DepthwiseConv2dNative, filter, 4, "filter")
    return run(K.DepthwiseConv2dNative, x, filter, strides=strides, pad=pad, dilations=dilations)


def separable_conv2d(x, depthwise_filter, pointwise_filter, strides=1, pad="valid", dilations=1):
    y = depthwise_conv2d(x, depthwise_filter, strides, pad, dilations)
    return conv2d(y, pointwise_filter, 1, "valid")


def conv2d_transpose(x, filter, output_shape, strides=1, pad="valid"):  # noqa: A002
    """x [N, H, W, Cin], filter [kh, kw, Cout, Cin], output_shape [N, H', W', Cout]."""
    x, filter = tensor(x), tensor(filter)
    _check_rank(K.Conv2DBackpropInput, x, 4)
    return run(K.Conv2DBackpropInput, x, filter, output_shape=list(output_shape), strides=strides, pad=pad)


def conv3d_transpose(x, filter, output_shape, strides=1, pad="valid"):  # noqa: A002
    x, filter = tensor(x), tensor(filter)
    _check_rank(K.Conv3DBackpropInputV2, x, 5)
    return run(K.Conv3DBackpropInputV2, x, filter, output_shape=list(output_shape), strides=strides, pad=pad)


def max_pool(x, ksize, strides, pad="valid"):
    x = tensor(x)
    return run(K.MaxPool if x.ndim == 4 else K.MaxPool3D, x, ksize=ksize, strides=strides, pad=pad)


def avg_pool(x, ksize, strides, pad="valid"):
    x = tensor(x)
    return run(K.AvgPool if x.ndim == 4 else K.AvgPool3D, x, ksize=ksize, strides=strides, pad=pad)


def batch_norm(x, mean, variance, offset=None, scale=None, variance_epsilon=1e-3):
    return run(K.FusedBatchNorm, tensor(x), tensor(mean), tensor(variance),
               None if offset is None else tensor(offset), None if scale is None else tensor(scale),
               variance_epsilon=variance_epsilon)


def resize_bilinear(x, size, align_corners=False, half_pixel_centers=False):
    return run(K.ResizeBilinear, tensor(x), size=list(size), align_corners=align_corners,
               half_pixel_centers=half_pixel_centers)


def resize_nearest_neighbor(x, size, align_corners=False, half_pixel_centers=False):
    return run(K.ResizeNearestNeighbor, tensor(x), size=list(size), align_corners=align_corners,
               half_pixel_centers=half_pixel_centers)


def _image(op, image):
    """A float32 image batch for the image ops: nested lists and numbers read as float32; an array or device
    tensor of another dtype is refused, as TF.js's tf.image ops refuse it."""
    x = tensor(image, None) if isinstance(image, np.ndarray) or getattr(image, "__tfjs_tensor__", False) \
        else tensor(image)
    if x.dtype != np.float32:
        raise ValueError(f"{op}: image must be a float32 tensor, got {x.dtype}")
    _check_rank(op, x, 4, "image")
    return x


def flip_left_right(image):
    """tf.image.flipLeftRight: each image of a [batch, height, width, channels] batch mirrored along its width."""
    return run(K.FlipLeftRight, _image("FlipLeftRight", image))


def rotate_with_offset(image, radians, fill_value=0, center=0.5):
    """tf.image.rotateWithOffset: each image rotated by ``radians`` about ``center`` (a fraction of the width
    and height, or [x, y] fractions), sampling the nearest pixel; pixels from outside the image take
    ``fill_value`` (a number, or [r, g, b] for the first three channels, with 255 for a fourth)."""
    x = _image("RotateWithOffset", image)
    if not np.isscalar(radians) and np.ndim(radians) != 0:
        raise ValueError(f"RotateWithOffset: radians must be a number, got shape {list(np.shape(radians))}")
    fill = [float(v) for v in np.reshape(fill_value, -1)] if np.ndim(fill_value) else float(fill_value)
    ctr = [float(v) for v in np.reshape(center, -1)] if np.ndim(center) else float(center)
    if isinstance(ctr, list) and len(ctr) != 2:
        raise ValueError(f"RotateWithOffset: center must be a number or [x, y], got {len(ctr)} values")
    return run(K.RotateWithOffset, x, radians=float(radians), fill_value=fill, center=ctr)
