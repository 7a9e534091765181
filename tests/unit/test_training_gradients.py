"""Numerical gradient checks, one per op that has a gradient (central differences).

Each check compares the tape's gradient of sum(f(x) * r) (r random) with central differences: in float64 where
the kernel keeps float64 (shape ops), else in float32 with a wider step and tolerance.
"""

from __future__ import annotations

import numpy as np
import pytest

import tfjs as tf
from tfjs import ops
from tfjs.ops import graph_extra as gx
from tfjs.training import gradients as G
from tfjs.training import tape as T

RNG = np.random.default_rng(0)


def rnd(*shape, low=-1.0, high=1.0, away=0.0):
    x = RNG.uniform(low, high, shape).astype(np.float32)
    if away:  # keep values away from a kink at 0
        x = np.where(np.abs(x) < away, np.sign(x + 1e-9) * away + x, x).astype(np.float32)
    return x


def numeric_check(f, inputs, wrt=None, max_points=40):
    inputs = [np.asarray(a) for a in inputs]
    wrt = [i for i, a in enumerate(inputs) if a.dtype.kind == "f"] if wrt is None else wrt
    y0 = np.asarray(f(*inputs))
    r = RNG.standard_normal(y0.shape).astype(np.float32)
    analytic = T.grads(lambda *xs: ops.sum(ops.mul(f(*xs), r)))([inputs[i] if i in wrt else inputs[i]
                                                                  for i in range(len(inputs))])
    # float64 when the op keeps float64, else float32
    probe = [a.astype(np.float64) if a.dtype.kind == "f" else a for a in inputs]
    f64 = np.asarray(f(*probe)).dtype == np.float64
    eps, rtol, atol = (1e-6, 1e-5, 1e-6) if f64 else (1e-2, 3e-2, 3e-3)
    base = probe if f64 else inputs

    def loss(xs):
        return float(np.sum(np.asarray(f(*xs), np.float64) * r.astype(np.float64)))

    for i in wrt:
        x = base[i]
        g = np.asarray(analytic[i], np.float64)
        assert g.shape == x.shape, (g.shape, x.shape)
        flat_points = RNG.permutation(x.size)[:max_points]
        num, ana = [], []
        for p in flat_points:
            idx = np.unravel_index(p, x.shape)
            xp, xm = x.copy(), x.copy()
            xp[idx] += eps
            xm[idx] -= eps
            xs_p = list(base); xs_p[i] = xp
            xs_m = list(base); xs_m[i] = xm
            num.append((loss(xs_p) - loss(xs_m)) / (2 * eps) if f64 else
                       (loss(xs_p) - loss(xs_m)) / float(np.float32(xp[idx]) - np.float32(xm[idx])))
            ana.append(g[idx])
        num, ana = np.array(num), np.array(ana)
        scale = max(np.max(np.abs(num)), 1e-3)
        err = np.max(np.abs(num - ana)) / scale
        assert err < rtol or np.max(np.abs(num - ana)) < atol, (i, err, num[:6], ana[:6])
    return True


X23 = rnd(2, 3)
UNARY = {
    "Abs": (ops.abs, rnd(3, 4, away=0.1)), "Neg": (ops.neg, rnd(3, 4)), "Exp": (ops.exp, rnd(3, 4)),
    "Expm1": (ops.expm1, rnd(3, 4)), "Log": (ops.log, rnd(3, 4, low=0.5, high=2)),
    "Log1p": (ops.log1p, rnd(3, 4, low=0, high=2)), "Sqrt": (ops.sqrt, rnd(3, 4, low=0.5, high=2)),
    "Rsqrt": (ops.rsqrt, rnd(3, 4, low=0.5, high=2)), "Square": (ops.square, rnd(3, 4)),
    "Reciprocal": (ops.reciprocal, rnd(3, 4, low=0.5, high=2)), "Tanh": (ops.tanh, rnd(3, 4)),
    "Sin": (ops.sin, rnd(3, 4)), "Cos": (ops.cos, rnd(3, 4)), "Relu": (ops.relu, rnd(3, 4, away=0.1)),
    "Relu6": (ops.relu6, rnd(3, 4, low=-3, high=8, away=0.1) ), "Sigmoid": (ops.sigmoid, rnd(3, 4)),
    "Softplus": (ops.softplus, rnd(3, 4)), "Elu": (lambda x: ops.elu(x, 0.7), rnd(3, 4, away=0.1)),
    "Selu": (ops.selu, rnd(3, 4, away=0.1)), "Erf": (ops.erf, rnd(3, 4)),
    "LeakyRelu": (lambda x: ops.leaky_relu(x, 0.3), rnd(3, 4, away=0.1)),
    "ClipByValue": (lambda x: ops.clip_by_value(x, -0.5, 0.5), rnd(3, 4, away=0.05)),
    "Softmax": (lambda x: ops.softmax(x, -1), rnd(3, 4)), "LogSoftmax": (lambda x: ops.log_softmax(x, 1), rnd(3, 4)),
    "Acos": (gx.acos, rnd(3, 3, low=-0.8, high=0.8)), "Asin": (gx.asin, rnd(3, 3, low=-0.8, high=0.8)),
    "Atan": (gx.atan, rnd(3, 3)), "Sinh": (gx.sinh, rnd(3, 3)), "Cosh": (gx.cosh, rnd(3, 3)),
    "Tan": (gx.tan, rnd(3, 3)),
}
# ops whose gradient is zero or none: checked to give zeros
ZERO = {"Sign": ops.sign, "Floor": ops.floor, "Ceil": ops.ceil, "Round": ops.round,
        "Step": ops.step}


@pytest.mark.parametrize("name", list(UNARY))
def test_unary(name):
    f, x = UNARY[name]
    assert numeric_check(f, [x])


@pytest.mark.parametrize("name", list(ZERO))
def test_zero_gradient(name):
    g = T.grad(lambda x: ops.sum(ZERO[name](x)))(rnd(3, 3, away=0.1) * 3)
    assert np.all(g == 0)


BINARY = {
    "Add": ops.add, "Sub": ops.sub, "Mul": ops.mul, "RealDiv": ops.div, "Maximum": ops.maximum,
    "Minimum": ops.minimum, "SquaredDifference": ops.squared_difference, "Atan2": gx.atan2,
}


@pytest.mark.parametrize("name", list(BINARY))
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((3, 1), (1, 4))])
def test_binary_broadcasting(name, shapes):
    a, b = rnd(*shapes[0]), rnd(*shapes[1], low=0.5, high=1.5) * np.sign(rnd(*shapes[1]) + 0.01)
    assert numeric_check(BINARY[name], [a, b])


def test_pow():
    assert numeric_check(ops.pow, [rnd(3, 4, low=0.5, high=2), rnd(3, 4)])


def test_prelu():
    assert numeric_check(ops.prelu, [rnd(2, 3, 4, away=0.1), rnd(3, 4)])


def test_select():
    cond = rnd(3, 4) > 0
    assert numeric_check(lambda a, b: ops.where(cond, a, b), [rnd(3, 4), rnd(3, 4)])


def test_cast_float():
    assert numeric_check(lambda x: ops.cast(x, "float32"), [rnd(3, 2)])


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min", "prod"])
@pytest.mark.parametrize("axis,keep", [(None, False), (1, False), ([0, 2], True), (-1, True)])
def test_reductions(op, axis, keep):
    x = rnd(2, 3, 4, low=0.5, high=1.5)
    assert numeric_check(lambda v: getattr(ops, op)(v, axis=axis, keep_dims=keep), [x])


def test_add_n():
    assert numeric_check(lambda a, b, c: gx.add_n([a, b, c]), [rnd(2, 3), rnd(2, 3), rnd(2, 3)])


ARRAY = {
    "Reshape": (lambda x: ops.reshape(x, [4, 6]), [rnd(2, 3, 4)]),
    "Transpose": (lambda x: ops.transpose(x, [2, 0, 1]), [rnd(2, 3, 4)]),
    "Concat": (lambda a, b: ops.concat([a, b], axis=1), [rnd(2, 3), rnd(2, 5)]),
    "Pack": (lambda a, b: ops.stack([a, b], axis=1), [rnd(2, 3), rnd(2, 3)]),
    "Unpack": (lambda x: ops.mul(ops.unstack(x, axis=1)[1], ops.unstack(x, axis=1)[2]), [rnd(2, 3, 2)]),
    "PadV2": (lambda x: ops.pad(x, [[1, 0], [2, 1]], 0.5), [rnd(2, 3)]),
    "Slice": (lambda x: ops.slice(x, [0, 1, 1], [2, -1, 2]), [rnd(2, 3, 4)]),
    "Tile": (lambda x: ops.tile(x, [2, 3]), [rnd(2, 3)]),
    "GatherV2": (lambda x: ops.gather(x, np.array([[2, 0], [2, 1]]), axis=1), [rnd(3, 4, 2)]),
    "Reverse": (lambda x: ops.reverse(x, [0, 2]), [rnd(2, 3, 4)]),
    "ExpandDims": (lambda x: ops.expand_dims(x, 1), [rnd(2, 3)]),
    "Squeeze": (lambda x: ops.squeeze(x, [1]), [rnd(2, 1, 3)]),
    "SplitV": (lambda x: ops.mul(ops.split(x, [1, 3], axis=1)[1], 2.0), [rnd(2, 4)]),
}


@pytest.mark.parametrize("name", list(ARRAY))
def test_array_ops(name):
    f, xs = ARRAY[name]
    assert numeric_check(f, xs)


@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("batched", [False, True])
def test_matmul(ta, tb, batched):
    m, k, n = 3, 4, 2
    a = rnd(*((2,) if batched else ()), *((k, m) if ta else (m, k)))
    b = rnd(*((k, n)[::-1] if tb else (k, n)))
    assert numeric_check(lambda x, y: ops.matmul(x, y, ta, tb), [a, b])


@pytest.mark.parametrize("pad", ["valid", "same", [[1, 0], [0, 2]]])
@pytest.mark.parametrize("strides,dil", [(1, 1), (2, 1), (1, 2), ((2, 1), 1)])
def test_conv2d(pad, strides, dil):
    if dil != 1 and strides != 1:
        pytest.skip("TF: strides and dilations > 1 together are not supported")
    assert numeric_check(lambda x, w: ops.conv2d(x, w, strides, pad, dil), [rnd(2, 6, 5, 3), rnd(3, 2, 3, 2)])


@pytest.mark.parametrize("pad", ["valid", "same"])
def test_conv3d(pad):
    assert numeric_check(lambda x, w: ops.conv3d(x, w, 2, pad), [rnd(1, 4, 5, 3, 2), rnd(2, 2, 3, 2, 2)])


@pytest.mark.parametrize("pad,strides,dil,mult", [("valid", 1, 1, 1), ("same", 2, 1, 2), ("same", 1, 2, 3)])
def test_depthwise_conv2d(pad, strides, dil, mult):
    assert numeric_check(lambda x, w: ops.depthwise_conv2d(x, w, strides, pad, dil),
                         [rnd(2, 6, 5, 3), rnd(3, 2, 3, mult)])


@pytest.mark.parametrize("pad,strides", [("valid", 2), ("same", 2), ("same", 1), ("valid", (1, 2))])
def test_conv2d_transpose(pad, strides):
    x, w = rnd(2, 3, 4, 3), rnd(3, 2, 2, 3)
    from tfjs.layers.common import deconv_length

    s = strides if isinstance(strides, tuple) else (strides, strides)
    out = [2, deconv_length(3, s[0], 3, pad), deconv_length(4, s[1], 2, pad), 2]
    assert numeric_check(lambda a, b: ops.conv2d_transpose(a, b, out, strides, pad), [x, w])


def test_conv3d_transpose():
    x, w = rnd(1, 2, 3, 2, 2), rnd(2, 2, 2, 3, 2)
    assert numeric_check(lambda a, b: ops.conv3d_transpose(a, b, [1, 4, 6, 4, 3], 2, "same"), [x, w])


def _distinct(*shape):
    return (RNG.permutation(int(np.prod(shape))).reshape(shape) / 10.0).astype(np.float32)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("ksize,strides,pad", [(2, 2, "valid"), (3, 2, "same"), ((2, 3), 1, "same"),
                                               (3, 1, "valid")])
def test_pool2d(kind, ksize, strides, pad):
    fn = ops.max_pool if kind == "max" else ops.avg_pool
    assert numeric_check(lambda x: fn(x, ksize, strides, pad), [_distinct(2, 6, 7, 2)])


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool3d(kind):
    fn = ops.max_pool if kind == "max" else ops.avg_pool
    assert numeric_check(lambda x: fn(x, 2, 2, "same"), [_distinct(1, 3, 4, 5, 2)])


def test_batch_norm_all_inputs():
    x = rnd(4, 3, 5)
    assert numeric_check(lambda x, m, v, o, s: ops.batch_norm(x, m, v, o, s, 0.01),
                         [x, rnd(5), rnd(5, low=0.5, high=1.5), rnd(5), rnd(5)])


def test_batch_norm_broadcast_stats():
    x = rnd(4, 3, 5)
    assert numeric_check(lambda x, m, v: ops.batch_norm(x, m, v, None, None, 0.001),
                         [x, rnd(4, 3, 1), rnd(4, 3, 1, low=0.5, high=1.5)])


@pytest.mark.parametrize("ac,hp", [(False, False), (True, False), (False, True)])
def test_resize_bilinear(ac, hp):
    assert numeric_check(lambda x: ops.resize_bilinear(x, [5, 7], ac, hp), [rnd(2, 3, 4, 2)])


@pytest.mark.parametrize("ac,hp", [(False, False), (True, False), (False, True)])
def test_resize_nearest(ac, hp):
    assert numeric_check(lambda x: ops.resize_nearest_neighbor(x, [6, 7], ac, hp), [rnd(2, 3, 4, 2)])


CHECKED = set(UNARY) | set(ZERO) | set(BINARY) | set(ARRAY) | {
    "Pow", "Prelu", "Select", "Cast", "Sum", "Mean", "Max", "Min", "Prod", "AddN", "BatchMatMul", "Conv2D",
    "Conv3D", "DepthwiseConv2dNative", "Conv2DBackpropInput", "Conv3DBackpropInputV2", "MaxPool", "AvgPool",
    "MaxPool3D", "AvgPool3D", "FusedBatchNorm", "ResizeBilinear", "ResizeNearestNeighbor"}
ALIASES = {"AddV2": "Add", "Div": "RealDiv", "MatMul": "BatchMatMul", "FusedBatchNormV3": "FusedBatchNorm",
           "Pad": "PadV2"}
NO_GRADIENT = {"Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual", "LogicalAnd", "LogicalOr",
               "LogicalNot", "ArgMax", "ArgMin", "OneHot", "Fill", "All", "Any", "IsNan", "IsInf", "IsFinite"}


def test_every_registered_gradient_is_checked():
    missing = [n for n in G.registered_ops() if n not in CHECKED and n not in NO_GRADIENT and n not in ALIASES]
    assert not missing, missing


def test_grad_api_shapes_and_errors():
    f = lambda a, b: ops.sum(ops.mul(a, b))  # noqa: E731
    a, b = rnd(2, 3), rnd(2, 3)
    ga, gb = tf.grads(f)([a, b])
    np.testing.assert_allclose(ga, b)
    np.testing.assert_allclose(gb, a)
    out = tf.value_and_grad(lambda x: ops.sum(ops.square(x)))(a)
    np.testing.assert_allclose(out["grad"], 2 * a, rtol=1e-6)
    np.testing.assert_allclose(out["value"], np.sum(a * a), rtol=1e-6)
    dy = rnd(2, 3)
    np.testing.assert_allclose(tf.grad(lambda x: ops.square(x))(a, dy), 2 * a * dy, rtol=1e-6)
    with pytest.raises(T.GradientError, match="Cannot compute gradient of y=f"):
        tf.grads(lambda x, y: ops.square(x))([a, b])


def test_variable_grads():
    from tfjs.layers.base import LayerVariable

    w = LayerVariable("w", rnd(3, 2))
    c = LayerVariable("c", rnd(2))
    frozen = LayerVariable("frozen", rnd(2), trainable=False)
    x = rnd(4, 3)
    out = tf.variable_grads(lambda: ops.sum(ops.add(ops.matmul(x, w.value), frozen.value)), [w, c, frozen])
    assert set(out["grads"]) == {"w"}
    np.testing.assert_allclose(out["grads"]["w"], x.T @ np.ones((4, 2)), rtol=1e-5)
    with pytest.raises(T.GradientError, match="Cannot find a connection"):
        tf.variable_grads(lambda: ops.sum(ops.square(x)), [w])


def test_no_tape_no_recording():
    from tfjs.ops import dispatch

    assert dispatch.recorder is None
    tf.grad(lambda x: ops.square(x))(rnd(2))
    assert dispatch.recorder is None
