"""convolution: convolutions (plain, fused, depthwise, transposed, 3-D), pooling, dilation."""

from __future__ import annotations

from ... import kernel_names as K
from ... import ops
from ...backends.manager import get_backend
from ...backends.registry import get_kernel_config
from ...errors import FormatError
from ...ops import dispatch
from ...ops import graph_extra as gx
from ..registry import op
from ._util import data_format, from_nhwc, ints, padding, spatial, to_nhwc

_ACTIVATIONS = {"relu", "relu6", "elu", "leakyrelu", "prelu", "sigmoid", "tanh"}


def apply_fused(node, y, args):
    """The fused_ops of _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul, in order, consuming
    their extra arguments (bias, added tensor, prelu alpha, batch-norm scale/offset/mean/variance)."""
    fused = [str(f).lower() for f in node.attr("fused_ops", [])]
    args = list(args)
    pos = 0

    def take(what):
        nonlocal pos
        if pos >= len(args):
            raise FormatError(f"{node.describe()}: fused op '{what}' needs an extra argument; fused_ops "
                              f"{fused} got {len(args)} (num_args {node.attr('num_args')})")
        pos += 1
        return args[pos - 1]

    for f in fused:
        if f == "biasadd":
            y = gx.binary("Add", y, take(f))
        elif f in ("add", "addv2"):
            y = gx.binary("Add", y, take(f))
        elif f == "fusedbatchnorm":
            scale, offset, mean, var = (take(f) for _ in range(4))
            y = ops.batch_norm(y, mean, var, offset, scale, node.attr("epsilon", 1e-3))
        elif f == "relu":
            y = ops.relu(y)
        elif f == "relu6":
            y = ops.relu6(y)
        elif f == "elu":
            y = ops.elu(y)
        elif f == "leakyrelu":
            y = ops.leaky_relu(y, node.attr("leakyrelu_alpha", 0.2))
        elif f == "prelu":
            y = ops.prelu(y, take(f))
        elif f == "sigmoid":
            y = ops.sigmoid(y)
        elif f == "tanh":
            y = ops.tanh(y)
        else:
            raise FormatError(f"{node.describe()}: unsupported fused op '{f}' (supported: biasadd, add, "
                              f"fusedbatchnorm, {', '.join(sorted(_ACTIVATIONS))})")
    return y


def _conv(node, x, w, depthwise=False):
    x = to_nhwc(node, x)
    fn = ops.depthwise_conv2d if depthwise else ops.conv2d
    y = fn(x, w, spatial(node, "strides", 1), padding(node), spatial(node, "dilations", 1))
    return from_nhwc(node, y)


@op("Conv2D")
def conv2d(node, ins, ex):
    return _conv(node, ins[0], ins[1])


def _backend_fused(node, kernel, ins):
    """The convolution and its fused_ops in one kernel, where the active backend has one that takes these
    fused_ops (the wasm backend: the epilogue runs in the convolution's store); None otherwise, and then the
    ops run one after another. Not while a gradient tape records (the tape differentiates the plain ops)."""
    config = get_kernel_config(get_backend(), kernel)
    if config is None or dispatch.recorder is not None:
        return None
    cached = node.__dict__.get("_fused_attrs")  # the node's attributes, read once
    if cached is None:
        pad = padding(node)
        cached = node.__dict__["_fused_attrs"] = (dict(
            strides=tuple(spatial(node, "strides", 1)), pad=pad if isinstance(pad, str) else tuple(map(tuple, pad)),
            dilations=tuple(spatial(node, "dilations", 1)),
            fused_ops=tuple(str(f) for f in node.attr("fused_ops", [])),
            leakyrelu_alpha=float(node.attr("leakyrelu_alpha", 0.2))), data_format(node).startswith("nc"))
    attrs, nchw = cached
    args = [to_nhwc(node, ins[0]) if nchw else ins[0], ins[1], *ins[2:]]
    if config.supports is not None and not config.supports(*args, **attrs):
        return None
    y = ops.run(kernel, *args, **attrs)
    return from_nhwc(node, y) if nchw else y


@op("_FusedConv2D")
def fused_conv2d(node, ins, ex):
    y = _backend_fused(node, K.FusedConv2D, ins)
    if y is not None:
        return y
    return from_nhwc(node, apply_fused(node, to_nhwc(node, _conv(node, ins[0], ins[1])), ins[2:]))


@op("DepthwiseConv2d", "DepthwiseConv2dNative")
def depthwise(node, ins, ex):
    return _conv(node, ins[0], ins[1], depthwise=True)


@op("FusedDepthwiseConv2dNative")
def fused_depthwise(node, ins, ex):
    y = _backend_fused(node, K.FusedDepthwiseConv2D, ins)
    if y is not None:
        return y
    return from_nhwc(node, apply_fused(node, to_nhwc(node, _conv(node, ins[0], ins[1], True)), ins[2:]))


@op("Conv1D")
def conv1d(node, ins, ex):
    pad = node.str_attr("pad", None) or node.str_attr("padding", "valid")
    return ops.conv1d(ins[0], ins[1], int(node.attr("stride", 1)), pad, int(node.attr("dilation", 1)))


@op("Conv2DBackpropInput")
def conv2d_backprop_input(node, ins, ex):
    sizes, w, dy = ins
    dy = to_nhwc(node, dy)
    shape = ints(sizes)
    if node.str_attr("data_format", "nhwc").startswith("nc"):
        shape = [shape[0], shape[2], shape[3], shape[1]]
    y = ops.conv2d_transpose(dy, w, shape, spatial(node, "strides", 1), padding(node))
    return from_nhwc(node, y)


@op("Conv3D")
def conv3d(node, ins, ex):
    return ops.conv3d(ins[0], ins[1], spatial(node, "strides", 1, 3), node.str_attr("padding", "valid"),
                      spatial(node, "dilations", 1, 3))


def _pool(kind, n=2):
    def mapper(node, ins, ex):
        x = to_nhwc(node, ins[0])
        fn = ops.max_pool if kind == "max" else ops.avg_pool
        y = fn(x, spatial(node, "ksize", 1, n), spatial(node, "strides", 1, n), padding(node, n))
        return from_nhwc(node, y)
    return mapper


op("MaxPool", category="convolution")(_pool("max"))
op("AvgPool", category="convolution")(_pool("avg"))
op("MaxPool3D", category="convolution")(_pool("max", 3))
op("AvgPool3D", category="convolution")(_pool("avg", 3))


@op("MaxPoolWithArgmax")
def max_pool_with_argmax(node, ins, ex):
    return list(gx.max_pool_with_argmax(ins[0], spatial(node, "ksize", 1), spatial(node, "strides", 1),
                                        node.str_attr("padding", "valid"),
                                        bool(node.attr("include_batch_in_index", False))))


@op("Dilation2D")
def dilation2d(node, ins, ex):
    return gx.dilation2d(ins[0], ins[1], spatial(node, "strides", 1), spatial(node, "rates", 1),
                         node.str_attr("padding", "valid"))


__all__ = ["apply_fused"]
