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
    "Tan": (gx.tan, rnd(3, 3)), "Acosh": (gx.acosh, rnd(3, 3, low=1.2, high=3)), "Asinh": (gx.asinh, rnd(3, 3)),
    "Atanh": (gx.atanh, rnd(3, 3, low=-0.8, high=0.8)),
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
    for _ in range(1000):
        a, b = rnd(*shapes[0]), rnd(*shapes[1], low=0.5, high=1.5) * np.sign(rnd(*shapes[1]) + 0.01)
        if name not in ("Maximum", "Minimum") or np.min(np.abs(a - b)) > 0.05:  # away from the kink a == b
            break
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
    "BroadcastTo": (lambda x: gx.broadcast_to(x, [2, 3, 4]), [rnd(3, 1)]),
    "SpaceToBatchND": (lambda x: gx.space_to_batch_nd(x, [2, 2], [[1, 1], [0, 2]]), [rnd(2, 4, 4, 3)]),
    "BatchToSpaceND": (lambda x: gx.batch_to_space_nd(x, [2, 2], [[1, 0], [0, 1]]), [rnd(8, 2, 3, 2)]),
    "MirrorPad": (lambda x: gx.mirror_pad(x, [[2, 1], [0, 2]], "reflect"), [rnd(4, 3)]),
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


@pytest.mark.parametrize("mode,paddings", [("reflect", [[1, 2], [2, 2], [0, 1]]),
                                           ("symmetric", [[2, 1], [3, 0], [1, 1]])])
def test_mirror_pad_modes(mode, paddings):
    assert numeric_check(lambda x: gx.mirror_pad(x, paddings, mode), [rnd(3, 3, 2)])


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("exclusive,reverse", [(False, False), (True, False), (False, True), (True, True)])
def test_cumsum(axis, exclusive, reverse):
    assert numeric_check(lambda x: gx.cumsum(x, axis, exclusive, reverse), [rnd(3, 4, 2)])


@pytest.mark.parametrize("strides,rates,pad", [((1, 1), (1, 1), "valid"), ((2, 1), (1, 1), "same"),
                                               ((1, 1), (2, 1), "same"), ((1, 2), (1, 2), "valid")])
def test_dilation2d(strides, rates, pad):
    # x distinct integers, the filter distinct multiples of 1/19 below 1: x_a + f_i = x_b + f_j only for the same
    # element and tap, and each window's max leads the next by at least 1/19 (> 2 * the probe step)
    x = RNG.permutation(2 * 6 * 5 * 3).reshape(2, 6, 5, 3).astype(np.float32)
    f = (RNG.permutation(18).reshape(3, 2, 3) / 19).astype(np.float32)
    assert numeric_check(lambda a, b: gx.dilation2d(a, b, strides, rates, pad), [x, f])


@pytest.mark.parametrize("radius,bias,alpha,beta", [(2, 1.5, 0.3, 0.75), (1, 1.0, 1.0, 0.5), (5, 2.0, 0.1, 1.2)])
def test_lrn(radius, bias, alpha, beta):
    assert numeric_check(lambda x: gx.lrn(x, radius, bias, alpha, beta), [rnd(2, 3, 7)])


@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((3, 1), (1, 4))])
def test_floor_mod(shapes):
    # quotients a / b kept at least 0.1 from an integer, so floor(a / b) is constant around each probed point
    for _ in range(10000):
        a = rnd(*shapes[0], low=-3, high=3)
        b = rnd(*shapes[1], low=0.5, high=1.5) * np.sign(rnd(*shapes[1]) + 0.01)
        q = a.astype(np.float64) / b
        if np.all(np.abs(q - np.round(q)) > 0.1):
            break
    else:
        raise AssertionError("no inputs found")
    assert numeric_check(gx.floor_mod, [a, b])
    ga, gb = T.grads(lambda x, y: ops.sum(gx.floor_mod(x, y)))([a, b])
    np.testing.assert_allclose(gb, np.sum(np.broadcast_to(-np.floor(a / b), q.shape), axis=tuple(
        i for i in range(q.ndim) if i < q.ndim - b.ndim or b.shape[i - (q.ndim - b.ndim)] == 1)).reshape(b.shape),
        rtol=1e-5)


def test_floor_div_has_tfjs_gradient():
    # TF.js's FloorDiv gradient is that of a / b (the floor's own derivative is zero almost everywhere): check
    # the tape's gradient of floor_div against central differences of a / b
    a, b = rnd(3, 4, low=-3, high=3), rnd(1, 4, low=0.5, high=1.5) * np.sign(rnd(1, 4) + 0.01)
    r = RNG.standard_normal((3, 4)).astype(np.float32)
    out = T.value_and_grads(lambda x, y: gx.floor_div(x, y))([a, b], r)
    np.testing.assert_array_equal(out["value"], np.floor(a / b).astype(np.int32))
    ga, gb = out["grads"]
    eps = 1e-3
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    loss = lambda x, y: float(np.sum(x / y * r))  # noqa: E731
    num_a = np.zeros_like(a64)
    for idx in np.ndindex(a.shape):
        p, m = a64.copy(), a64.copy(); p[idx] += eps; m[idx] -= eps
        num_a[idx] = (loss(p, b64) - loss(m, b64)) / (2 * eps)
    num_b = np.zeros_like(b64)
    for idx in np.ndindex(b.shape):
        p, m = b64.copy(), b64.copy(); p[idx] += eps; m[idx] -= eps
        num_b[idx] = (loss(a64, p) - loss(a64, m)) / (2 * eps)
    np.testing.assert_allclose(ga, num_a, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(gb, num_b, rtol=1e-3, atol=1e-4)


def test_complex_abs():
    # |re + i im|: d/d re = re / |z|, d/d im = im / |z|, through Complex's gradient
    assert numeric_check(lambda re, im: gx.complex_abs(gx.complex(re, im)), [rnd(3, 4, away=0.1), rnd(3, 4)])
    re, im = rnd(2, 3, away=0.1), rnd(2, 3)
    g_re, g_im = T.grads(lambda a, b: ops.sum(gx.complex_abs(gx.complex(a, b))))([re, im])
    np.testing.assert_allclose(g_re, re / np.hypot(re, im), rtol=1e-5)
    np.testing.assert_allclose(g_im, im / np.hypot(re, im), rtol=1e-5)


@pytest.mark.parametrize("equation,sa,sb", [
    ("abc,cd->abd", (2, 3, 4), (4, 5)),          # EinsumDense's projection
    ("abc,cde->abde", (2, 3, 4), (4, 2, 3)),     # MultiHeadAttention's query / key / value
    ("aecd,abcd->acbe", (2, 5, 2, 3), (2, 4, 2, 3)),  # its scores
    ("abcd,cde->abe", (2, 4, 2, 3), (2, 3, 5)),  # its output projection
    ("ab,cd->ad", (3, 4), (2, 5)),               # letters summed away on each side
])
def test_einsum(equation, sa, sb):
    assert numeric_check(lambda a, b: gx.einsum(equation, a, b), [rnd(*sa), rnd(*sb)])


def test_einsum_gradient_names_what_it_cannot_do():
    for equation, shapes, match in [("...b,bc->...c", [(2, 3), (3, 4)], "without '...'"),
                                    ("aa,ab->b", [(3, 3), (3, 2)], "repeats a letter"),
                                    ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 2)], "has 3 operand")]:
        with pytest.raises(ValueError, match=match):
            T.grads(lambda *xs: ops.sum(gx.einsum(equation, *xs)))([rnd(*s) for s in shapes])


# ops with no gradient: y = op(...) on recorded arrays gives the watched float input no gradient
NONE_CASES = {
    "Greater": lambda x: ops.greater(x, 0.1), "GreaterEqual": lambda x: ops.greater_equal(x, 0.1),
    "Less": lambda x: ops.less(x, 0.1), "LessEqual": lambda x: gx.compare("LessEqual", x, np.float32(0.1)),
    "Equal": lambda x: ops.equal(x, x), "NotEqual": lambda x: ops.not_equal(x, 0.1),
    "LogicalAnd": lambda x: ops.logical_and(ops.greater(x, 0), ops.less(x, 0.5)),
    "LogicalOr": lambda x: ops.logical_or(ops.greater(x, 0), ops.less(x, -0.5)),
    "LogicalNot": lambda x: ops.logical_not(ops.greater(x, 0)),
    "ArgMax": lambda x: ops.arg_max(x, 1), "ArgMin": lambda x: ops.arg_min(x, 1),
    "OneHot": lambda x: ops.one_hot(ops.arg_max(x, 1), 4),
    "Fill": lambda x: gx.fill([2, 3], x),
    "All": lambda x: ops.all(ops.greater(x, 0), 1), "Any": lambda x: ops.any(ops.greater(x, 0), 1),
}
# tests with a float result of the op's own: a zero gradient
ZERO_RESULT = {"IsNan": gx.is_nan, "IsInf": gx.is_inf, "IsFinite": gx.is_finite}


@pytest.mark.parametrize("name", list(NONE_CASES))
def test_no_gradient(name):
    x = np.asarray(0.7, np.float32) if name == "Fill" else rnd(3, 4, away=0.05)
    with T.recording([x]) as tape:
        y = NONE_CASES[name](x)
    assert tape.records and tape.records[-1][0] == name, [r[0] for r in tape.records]
    assert tape.backprop(y, None, [x]) == [None]
    with pytest.raises(T.GradientError, match="Cannot compute gradient of y=f"):
        T.grad(NONE_CASES[name])(x)


@pytest.mark.parametrize("name", list(ZERO_RESULT))
def test_zero_gradient_of_predicates(name):
    x = rnd(3, 4)
    g = T.grad(ZERO_RESULT[name])(x)
    assert g.shape == x.shape and g.dtype == np.float32 and np.all(g == 0)


# registered names our op layer never runs (TF.js's other names for a kernel): they must share the gradient
# function of a name that is exercised
ALIASES = {"AddV2": "Add", "Div": "RealDiv", "MatMul": "BatchMatMul", "FusedBatchNormV3": "FusedBatchNorm",
           "Pad": "PadV2", "Mod": "FloorMod"}


def _module_checks():
    """Every other test function of this module with each of its parameter sets, as (label, thunk)."""
    import itertools
    import sys

    mod = sys.modules[__name__]
    out = []
    for name, fn in list(vars(mod).items()):
        if not name.startswith("test_") or name == "test_every_registered_gradient_is_exercised" or \
                not callable(fn):
            continue
        axes = []
        for mark in getattr(fn, "pytestmark", []):
            if mark.name != "parametrize":
                continue
            names, values = mark.args[0], mark.args[1]
            names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
            axes.append([dict(zip(names, v if len(names) > 1 else (v,))) for v in values])
        for combo in itertools.product(*axes):
            kwargs = {k: v for d in combo for k, v in d.items()}
            out.append((f"{name}{kwargs}", lambda fn=fn, kwargs=kwargs: fn(**kwargs)))
    return out


def test_every_registered_gradient_is_exercised(monkeypatch):
    """Runs every check of this module again, recording the op names whose gradient function the tape called:
    each registered name must be among them (or be an alias sharing an exercised name's function)."""
    called: dict[str, set] = {}
    current = [""]
    real_get = G.get

    def recording_get(op_name):
        fn = real_get(op_name)
        if fn is not None:
            called.setdefault(op_name, set()).add(current[0])
        return fn

    monkeypatch.setattr(T._gradients, "get", recording_get)
    checks = _module_checks()
    assert len(checks) > 150
    import sys
    import zlib

    for label, run in checks:
        current[0] = label
        # a fixed random stream per check, so a rerun sees the same inputs every time
        monkeypatch.setattr(sys.modules[__name__], "RNG", np.random.default_rng(zlib.crc32(label.encode())))
        try:
            run()
        except pytest.skip.Exception:
            pass
        except AssertionError as e:
            raise AssertionError(f"{label}: {e}") from e
    registered = G.registered_ops()
    for alias, target in ALIASES.items():
        assert alias in registered and real_get(alias) is real_get(target), alias
    missing = [n for n in registered if n not in called and not (n in ALIASES and ALIASES[n] in called)]
    assert not missing, missing
    for name in ("Acosh", "Asinh", "Atanh", "BatchToSpaceND", "SpaceToBatchND", "BroadcastTo", "Cumsum",
                 "Dilation2D", "FloorDiv", "FloorMod", "LRN", "MirrorPad", "ComplexAbs", "Complex"):
        assert name in called, name


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
