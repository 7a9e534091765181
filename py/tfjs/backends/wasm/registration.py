"""The wasm backend's kernels in the registry: (wasm, op) -> a kernel bound to a started backend's module.

Each kernel raises :class:`~tfjs.backends.wasm.kernels.NotInWasm` for inputs it does not claim (other dtypes,
channel multipliers, broadcasts it does not walk); the backend then runs the cpu kernel (see backend.py).
"""

from __future__ import annotations

from ... import kernel_names as N
from ..registry import register_kernel
from . import fused
from . import kernels as K

# The shape classes each kernel claims: only those where it runs every case of the conformance table itself
# (a channel multiplier, a reduction over other axes or a general broadcast runs on the cpu kernel instead).
IMAGE = ("image", "image_c4", "large")
ELEMENTWISE = ("matrix", "image", "image_c4", "large")


def _conv(be):
    return lambda x, f, strides=1, pad="valid", dilations=1: K.conv2d(be.host, be.packed, x, f, strides, pad,
                                                                       dilations)


def _depthwise(be):
    return lambda x, f, strides=1, pad="valid", dilations=1: K.depthwise2d(be.host, x, f, strides, pad, dilations)


def _pool(mode):
    return lambda be: lambda x, ksize, strides, pad: K.pool2d(be.host, x, ksize, strides, pad, mode)


def _matmul(be):
    return lambda a, b, transpose_a=False, transpose_b=False: K.matmul(be.host, be.packed, a, b, transpose_a,
                                                                      transpose_b)


def _binary(op):
    return lambda be: lambda a, b: K.binary(be.host, op, a, b)


def _unary(activation):
    return lambda be: lambda x: K.unary(be.host, activation, x)


KERNELS = {
    N.Conv2D: (_conv, IMAGE),
    N.DepthwiseConv2dNative: (_depthwise, ("image_c4",)),
    N.MaxPool: (_pool("max"), IMAGE),
    N.AvgPool: (_pool("avg"), IMAGE),
    N.Mean: (lambda be: lambda x, axis=None, keep_dims=False: K.mean(be.host, x, axis, keep_dims), ("large",)),
    N.MatMul: (_matmul, ("matrix", "large")),
    N.BatchMatMul: (_matmul, ("matrix", "large")),
    N.Relu: (_unary("relu"), ELEMENTWISE), N.Relu6: (_unary("relu6"), ELEMENTWISE),
    N.Sigmoid: (_unary("sigmoid"), ELEMENTWISE),
    N.LeakyRelu: (lambda be: lambda x, alpha=0.2: K.unary(be.host, "leakyrelu", x, alpha), ELEMENTWISE[:3]),
    N.Elu: (lambda be: lambda x, alpha=1.0: K.unary(be.host, "elu", x, alpha), ELEMENTWISE[:3]),
    N.Prelu: (lambda be: lambda x, alpha: K.unary(be.host, "prelu", x, 0.0, alpha), ("image", "image_c4")),
    N.ClipByValue: (lambda be: lambda x, clip_value_min, clip_value_max: K.clip(be.host, x, clip_value_min,
                                                                                 clip_value_max), ELEMENTWISE[:3]),
    N.Softmax: (lambda be: lambda x, axis=-1: K.softmax(be.host, x, axis), ("matrix", "large")),
    N.FusedBatchNorm: (lambda be: lambda x, mean, variance, offset=None, scale=None, variance_epsilon=1e-3:
                       K.batch_norm(be.host, x, mean, variance, offset, scale, variance_epsilon), IMAGE),
    N.PadV2: (lambda be: lambda x, paddings, constant_value=0.0: K.pad(be.host, x, paddings, constant_value),
              ("image",)),
    N.ResizeBilinear: (lambda be: lambda x, size, align_corners=False, half_pixel_centers=False:
                       K.resize_bilinear(be.host, x, size, align_corners, half_pixel_centers), ("image", "image_c4")),
}
KERNELS.update({getattr(N, op): (_binary(op), ("matrix", "image_c4", "large")) for op in K.BINARY})


def register() -> None:
    for op, (make, shapes) in KERNELS.items():
        register_kernel("wasm", op, make=make, dtypes=("float32",), shapes=shapes)
    for op, depthwise in ((N.FusedConv2D, False), (N.FusedDepthwiseConv2D, True)):
        register_kernel("wasm", op, make=lambda be, d=depthwise: lambda *a, **k: fused.run(be, d, *a, **k),
                        supports=fused.supports, dtypes=("float32",))


#: Ops with no cpu kernel of their own: where the wasm kernel declines, these run op by op on the cpu kernels.
REFERENCES = {N.FusedConv2D: lambda cpu: lambda *a, **k: fused.reference(cpu, False, *a, **k),
              N.FusedDepthwiseConv2D: lambda cpu: lambda *a, **k: fused.reference(cpu, True, *a, **k)}
