"""tfjs.ops: one op surface (float32, numpy arrays in and out) for layers and graph models.

Every op runs the active backend's kernel for its name (``tfjs.backends``); ops know no backend's insides.
"""

from .array import (concat, expand_dims, fill, gather, one_hot, ones, pad, reshape, reverse, slice, split,
                    squeeze, stack, tile, transpose, unstack, zeros)
from .dispatch import run, tensor
from .math import (abs, add, all, any, arg_max, arg_min, cast, ceil, clip_by_value, cos, div, elu, equal, erf,
                   exp, expm1, floor, greater, greater_equal, leaky_relu, less, log, log1p, log_softmax,
                   logical_and, logical_not, logical_or, max, maximum, mean, min, minimum, mul, neg, not_equal,
                   pow, prelu, prod, reciprocal, relu, relu6, round, rsqrt, selu, sigmoid, sign, sin, softmax,
                   softplus, sqrt, square, squared_difference, step, sub, sum, tanh, where)
from .nn import (avg_pool, batch_norm, conv1d, conv2d, conv2d_transpose, conv3d, conv3d_transpose,
                 depthwise_conv2d, flip_left_right, matmul, max_pool, resize_bilinear, resize_nearest_neighbor,
                 rotate_with_offset, separable_conv2d)
from . import graph_extra  # graph models' extra ops (dtype-preserving, indexing, detection, spectral)
