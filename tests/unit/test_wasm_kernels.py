"""The wasm SIMD kernels (wasm/kernels/*.c) against the cpu kernels, run under CPython through wasmtime.

Same module, same Python glue as in the page; only the memory differs (a wasmtime memory instead of
Pyodide's). Tolerance 1e-5 relative: the summation order differs from numpy/BLAS.
"""

from __future__ import annotations

import numpy as np
import pytest

from tfjs.backends.cpu import array as cpu_array
from tfjs.backends.cpu import conv as cpu_conv
from tfjs.backends.cpu import elementwise as cpu_ew
from tfjs.backends.cpu import gemm as cpu_gemm
from tfjs.backends.cpu import image as cpu_image
from tfjs.backends.wasm import kernels as K

pytest.importorskip("wasmtime")
RTOL, ATOL = 1e-5, 1e-6


@pytest.fixture
def host(wasm_kernels_path):
    from tfjs.backends.wasm.runtime_wasmtime import WasmtimeHost

    return WasmtimeHost(wasm_kernels_path)


@pytest.fixture
def rng():
    return np.random.default_rng(15)


def close(actual, expected, rtol=RTOL, atol=ATOL):
    actual = np.array(actual)
    assert actual.shape == expected.shape
    scale = max(1.0, float(np.abs(expected).max(initial=0)))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol * scale)


def act_ref(y, activation, alpha=0.2, slopes=None):
    return {
        "linear": lambda v: v, "relu": lambda v: np.maximum(v, 0), "relu6": cpu_ew.relu6,
        "leakyrelu": lambda v: cpu_ew.leaky_relu(v, alpha), "prelu": lambda v: cpu_ew.prelu(v, slopes),
        "elu": lambda v: cpu_ew.elu(v, alpha), "sigmoid": cpu_ew.sigmoid,
        "hardsigmoid": lambda v: np.clip(np.float32(0.2) * v + np.float32(0.5), 0, 1),
        "swish": lambda v: v * cpu_ew.sigmoid(v),
    }[activation](y)


@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (4, 8, 8), (7, 13, 5), (33, 96, 32), (196, 57, 161), (5, 300, 17),
                                   (7, 400, 203)])  # the last: panels in the outer loop
def test_gemm_matches_numpy(host, rng, m, k, n):
    a = rng.standard_normal((m, k), np.float32)
    b = rng.standard_normal((k, n), np.float32)
    close(K.gemm(host, K.Packed(host), a, b), cpu_gemm.matmul2d(a, b))


@pytest.mark.parametrize("activation", ["linear", "relu", "relu6", "leakyrelu", "prelu", "elu", "sigmoid",
                                        "hardsigmoid", "swish"])
def test_gemm_fused_epilogue(host, rng, activation):
    m, k, n = 9, 21, 19
    a = rng.standard_normal((m, k), np.float32)
    b = rng.standard_normal((k, n), np.float32) * 0.5
    bias = rng.standard_normal(n, np.float32)
    resid = rng.standard_normal((m, n), np.float32)
    slopes = rng.standard_normal(n, np.float32)
    got = K.gemm(host, K.Packed(host), a, b, bias=bias, activation=activation, alpha=0.3, slopes=slopes,
                 resid=resid)
    expected = act_ref(cpu_gemm.matmul2d(a, b) + bias + resid, activation, 0.3, slopes)
    close(got, expected.astype(np.float32))


def test_packed_weights_are_cached_while_the_weight_lives(host, rng):
    packed = K.Packed(host)
    w = rng.standard_normal((16, 24), np.float32)
    a = rng.standard_normal((8, 16), np.float32)
    first = K.gemm(host, packed, a, w).copy()
    assert len(packed) == 1
    close(K.gemm(host, packed, a, w), first)
    assert len(packed) == 1
    del w
    assert len(packed) == 0


@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_batched_matmul(host, rng, ta, tb):
    a = rng.standard_normal((2, 3, 7, 5) if not ta else (2, 3, 5, 7), np.float32)
    b = rng.standard_normal((3, 5, 9) if not tb else (3, 9, 5), np.float32)
    close(K.matmul(host, K.Packed(host), a, b, ta, tb), cpu_gemm.matmul(a, b, ta, tb))
    w = rng.standard_normal((5, 6) if not tb else (6, 5), np.float32)
    close(K.matmul(host, K.Packed(host), a, w, ta, tb), cpu_gemm.matmul(a, w, ta, tb))


CONV_CASES = [
    # batch, h, w, cin, kh, kw, cout, strides, pad, dilations
    (1, 9, 9, 3, 3, 3, 8, 1, "same", 1),
    (2, 10, 7, 5, 3, 3, 7, 2, "same", 1),
    (1, 11, 11, 4, 3, 3, 9, 1, "valid", 2),
    (2, 8, 9, 6, 1, 1, 13, 1, "valid", 1),
    (1, 9, 9, 6, 1, 1, 5, 2, "same", 1),
    (1, 12, 10, 3, 5, 3, 4, (2, 1), "same", 1),
    (3, 6, 6, 17, 2, 2, 3, 1, [[1, 0], [0, 1]], 1),
    (1, 30, 30, 8, 3, 3, 16, 1, "same", (2, 3)),
]


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d(host, rng, case):
    nb, h, w, cin, kh, kw, cout, strides, pad, dil = case
    x = rng.standard_normal((nb, h, w, cin), np.float32)
    f = rng.standard_normal((kh, kw, cin, cout), np.float32)
    close(K.conv2d(host, K.Packed(host), x, f, strides, pad, dil), cpu_conv.conv_nd(x, f, strides, pad, dil))


def test_conv2d_fused_bias_residual_relu6(host, rng):
    x = rng.standard_normal((2, 7, 7, 5), np.float32)
    f = rng.standard_normal((3, 3, 5, 11), np.float32)
    bias = rng.standard_normal(11, np.float32)
    y = cpu_conv.conv_nd(x, f, 1, "same", 1)
    resid = rng.standard_normal(y.shape, np.float32)
    got = K.conv2d(host, K.Packed(host), x, f, 1, "same", 1, bias=bias, activation="relu6", resid=resid)
    close(got, cpu_ew.relu6(y + bias + resid))


DW_CASES = [
    (1, 9, 9, 3, 3, 3, 1, "same", 1),
    (2, 10, 11, 8, 3, 3, 2, "same", 1),
    (1, 12, 12, 19, 3, 3, 1, "valid", 2),
    (1, 7, 9, 32, 5, 5, 2, "valid", 1),
    (2, 6, 6, 13, 3, 3, (1, 2), "same", (2, 1)),
    (1, 20, 21, 24, 3, 3, 1, "same", 1),          # runs of four interior pixels, 8-channel blocks
    (2, 17, 19, 13, 5, 5, 2, "same", 1),          # ... with a channel tail, stride 2
    (1, 15, 16, 7, 3, 3, 1, "same", (1, 2)),      # ... dilated
]


@pytest.mark.parametrize("case", DW_CASES)
@pytest.mark.parametrize("activation", ["linear", "relu6"])
def test_depthwise(host, rng, case, activation):
    nb, h, w, c, kh, kw, strides, pad, dil = case
    x = rng.standard_normal((nb, h, w, c), np.float32)
    f = rng.standard_normal((kh, kw, c, 1), np.float32)
    bias = rng.standard_normal(c, np.float32)
    got = K.depthwise2d(host, x, f, strides, pad, dil, bias=bias, activation=activation)
    expected = act_ref(cpu_conv.depthwise_conv_nd(x, f, strides, pad, dil) + bias, activation)
    close(got, expected)


def test_depthwise_with_channel_multiplier_is_left_to_cpu(host, rng):
    with pytest.raises(K.NotInWasm):
        K.depthwise2d(host, np.ones((1, 4, 4, 3), np.float32), np.ones((3, 3, 3, 2), np.float32))


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("case", [((1, 9, 9, 3), 3, 2, "same"), ((2, 8, 7, 17), 2, 2, "valid"),
                                  ((1, 10, 10, 8), (3, 2), (1, 2), "same")])
def test_pool(host, rng, mode, case):
    shape, ksize, strides, pad = case
    x = rng.standard_normal(shape, np.float32)
    close(K.pool2d(host, x, ksize, strides, pad, mode), cpu_conv.pool_nd(x, ksize, strides, pad, mode))


@pytest.mark.parametrize("keep", [False, True])
def test_global_mean(host, rng, keep):
    x = rng.standard_normal((2, 7, 5, 13), np.float32)
    close(K.mean(host, x, [1, 2], keep), cpu_array._mean(x, axis=(1, 2), keepdims=keep))


@pytest.mark.parametrize("op", list(K.BINARY))
@pytest.mark.parametrize("shapes", [((4, 5, 7), (4, 5, 7)), ((3, 8, 9), (9,)), ((3, 8, 9), (1, 1, 9)),
                                    ((2, 9, 9), ()), ((), (5, 30)), ((7,), (6, 4, 7)), ((5, 6, 1), (5, 6, 1)),
                                    ((6, 13, 1), (6, 13, 11)), ((6, 13, 11), (6, 13, 1)),
                                    # a narrow last axis: several rows per vector row
                                    ((1, 16, 16, 3), (1, 1, 1, 3)), ((3,), (2, 8, 8, 3)), ((2, 8, 8, 3), ()),
                                    ((4, 16, 5), (4, 16, 5)), ((1, 12, 12, 3), (1, 12, 12, 1))])
def test_binary(host, rng, op, shapes):
    a = rng.standard_normal(shapes[0], np.float32)
    b = rng.standard_normal(shapes[1], np.float32)
    if op == "RealDiv":
        b = np.where(np.abs(b) < 0.1, np.float32(0.5), b).astype(np.float32)
    expected = cpu_ew.KERNELS[op](a, b)
    close(K.binary(host, op, np.asarray(a), np.asarray(b)), expected)


def test_binary_leaves_other_broadcasts_to_cpu(host, rng):
    with pytest.raises(K.NotInWasm):
        K.binary(host, "Add", np.ones((4, 1, 8), np.float32), np.ones((1, 5, 8), np.float32))


@pytest.mark.parametrize("activation", ["relu", "relu6", "leakyrelu", "elu", "sigmoid", "prelu"])
@pytest.mark.parametrize("shape", [(3, 7, 5), (1000,), (2, 9, 16)])
def test_unary(host, rng, activation, shape):
    x = (rng.standard_normal(shape, np.float32) * 4).astype(np.float32)
    x.reshape(-1)[:4] = [0.0, -1e-4, 1e-5, -0.3]
    slopes = rng.standard_normal(shape[-1], np.float32) if activation == "prelu" else None
    got = K.unary(host, activation, x, 0.3 if activation == "leakyrelu" else 1.0, slopes)
    expected = act_ref(x, activation, 0.3 if activation == "leakyrelu" else 1.0, slopes)
    close(got, expected)


def test_sigmoid_and_elu_hold_their_tails(host):
    x = np.array([-100, -90, -30, -1e-6, 0, 1e-6, 30, 90, 100] * 8, np.float32)
    close(K.unary(host, "sigmoid", x), cpu_ew.sigmoid(x))
    close(K.unary(host, "elu", x, 1.0), cpu_ew.elu(x))


@pytest.mark.parametrize("shape", [(3, 10), (2, 5, 7), (1, 1001), (4, 1)])
def test_softmax(host, rng, shape):
    x = (rng.standard_normal(shape, np.float32) * 5).astype(np.float32)
    close(K.softmax(host, x), cpu_ew.softmax(x))


@pytest.mark.parametrize("flags", [(False, False), (True, False), (False, True)])
@pytest.mark.parametrize("shapes", [((1, 5, 7, 3), (9, 13)), ((2, 8, 8, 6), (4, 3)), ((1, 3, 3, 16), (3, 3))])
def test_resize_bilinear(host, rng, flags, shapes):
    shape, size = shapes
    x = rng.standard_normal(shape, np.float32)
    close(K.resize_bilinear(host, x, size, *flags), cpu_image.resize_bilinear(x, size, *flags))


def test_not_offered_under_cpython():
    import tfjs as tf
    from tfjs.errors import UnsupportedError
    from tfjs.platform import wasm as wasmplat

    assert "wasm" not in tf.backends.list_backends()
    with pytest.raises(UnsupportedError, match="'wasm' is not registered"):
        tf.set_backend("wasm")
    with pytest.raises(wasmplat.WasmUnavailable, match="only in the page"):
        wasmplat.kernel_exports()
    assert tf.get_backend() == "cpu"


def test_backend_runs_wasm_kernels_and_reports_cpu_fallbacks(host, rng):
    from tfjs.backends import find_backend
    from tfjs.backends.wasm import WasmBackend

    be = WasmBackend(host=host)
    cpu = find_backend("cpu")
    x = rng.standard_normal((2, 9, 9, 5), np.float32)
    f = rng.standard_normal((3, 3, 5, 1), np.float32)
    close(be.kernel("DepthwiseConv2dNative")(x, f, 2, "same", 1), cpu.kernel("DepthwiseConv2dNative")(x, f, 2, "same", 1))
    f2 = rng.standard_normal((3, 3, 5, 2), np.float32)   # channel multiplier 2: the cpu kernel
    close(be.kernel("DepthwiseConv2dNative")(x, f2, 1, "valid", 1), cpu.kernel("DepthwiseConv2dNative")(x, f2, 1, "valid", 1))
    np.testing.assert_array_equal(be.kernel("Transpose")(x, [0, 2, 1, 3]), cpu.kernel("Transpose")(x, [0, 2, 1, 3]))
    assert be.wasm_calls == 1
    report = be.fallback_report()
    assert set(report) == {"DepthwiseConv2dNative", "Transpose"} and report["Transpose"]["downloads"] == 0
    assert report["DepthwiseConv2dNative"]["calls"] == 1
    assert set(be.wasm_ops()) >= {"Conv2D", "DepthwiseConv2dNative", "MatMul", "BatchMatMul", "MaxPool", "AvgPool",
                                  "Mean", "Add", "Mul", "Relu6", "Sigmoid", "Softmax", "ResizeBilinear"}


@pytest.mark.parametrize("with_affine", [False, True])
def test_batch_norm(host, rng, with_affine):
    x = rng.standard_normal((2, 5, 6, 11), np.float32)
    mean, var = rng.standard_normal(11, np.float32), rng.uniform(0.5, 2, 11).astype(np.float32)
    offset = rng.standard_normal(11, np.float32) if with_affine else None
    scale = rng.standard_normal(11, np.float32) if with_affine else None
    close(K.batch_norm(host, x, mean, var, offset, scale, 1e-3), cpu_conv.batch_norm(x, mean, var, offset, scale, 1e-3))


def test_clip(host, rng):
    x = (rng.standard_normal((3, 7, 9)) * 5).astype(np.float32)
    close(K.clip(host, x, -1.5, 6.0), cpu_ew.clip(x, -1.5, 6.0))


def test_kernels_are_in_the_registry():
    from tfjs.backends import registered_ops

    ops = set(registered_ops("wasm"))
    assert {"Conv2D", "DepthwiseConv2dNative", "MatMul", "BatchMatMul", "MaxPool", "AvgPool", "Mean", "Add",
            "Relu6", "ClipByValue", "FusedBatchNorm", "Softmax", "ResizeBilinear"} <= ops
    from tfjs.backends.wasm.registration import REFERENCES

    # every wasm kernel has the cpu kernel (or, for the fused convolutions, the cpu ops one by one) to fall back on
    assert ops <= set(registered_ops("cpu")) | set(REFERENCES)


FUSED_CASES = [(["BiasAdd"], False), (["BiasAdd", "Relu"], False), (["BiasAdd", "Relu6"], True),
               (["BiasAdd", "Add", "Relu"], False), (["BiasAdd", "Prelu"], True), (["BiasAdd", "LeakyRelu"], False),
               (["BiasAdd", "Elu"], True), (["BiasAdd", "Sigmoid"], False), (["BiasAdd", "Add"], True)]


@pytest.mark.parametrize("fused_ops,depthwise", FUSED_CASES)
def test_fused_convolutions_match_the_ops_one_by_one(host, rng, fused_ops, depthwise):
    from tfjs.backends import find_backend
    from tfjs.backends.wasm import WasmBackend, fused

    be = WasmBackend(host=host)
    cpu = find_backend("cpu")
    x = rng.standard_normal((2, 9, 8, 6), np.float32)
    w = rng.standard_normal((3, 3, 6, 1 if depthwise else 7), np.float32)
    c = 6 if depthwise else 7
    attrs = dict(strides=[2, 1], pad="same", dilations=[1, 1], fused_ops=fused_ops, leakyrelu_alpha=0.1)
    out_shape = (2, 5, 8, c)
    args = [rng.standard_normal(c, np.float32)]
    if "Add" in fused_ops:
        args.append(rng.standard_normal(out_shape, np.float32))
    if "Prelu" in fused_ops:
        args.append(rng.standard_normal((1, 1, c), np.float32))
    assert fused.supports(x, w, *args, **attrs)
    op = "FusedDepthwiseConv2D" if depthwise else "FusedConv2D"
    got = be.kernel(op)(x, w, *args, **attrs)
    close(got, fused.reference(cpu, depthwise, x, w, *args, **attrs))
    assert be.fallback_report() == {}


def test_fused_ops_the_kernels_do_not_take_are_declined():
    from tfjs.backends.wasm import fused

    x = np.ones((1, 4, 4, 2), np.float32)
    w = np.ones((1, 1, 2, 3), np.float32)
    assert not fused.supports(x, w, *[np.ones(3, np.float32)] * 5, fused_ops=["FusedBatchNorm"])
    assert not fused.supports(x, w, np.ones(3, np.float32), fused_ops=["BiasAdd", "Tanh"])
    assert not fused.supports(x, w, np.ones(3, np.float32), fused_ops=["Relu", "BiasAdd"])
    assert not fused.supports(x, w, fused_ops=["BiasAdd"])      # the bias argument is missing


def test_batch_norm_factors_are_kept_while_the_statistics_live(host, rng):
    x = rng.standard_normal((1, 4, 4, 8), np.float32)
    mean, var = rng.standard_normal(8, np.float32), rng.uniform(0.5, 2, 8).astype(np.float32)
    first = np.array(K.batch_norm(host, x, mean, var))
    assert len(host.tables) == 1
    np.testing.assert_array_equal(K.batch_norm(host, x, mean, var), first)
    var2 = (var * 2).astype(np.float32)                 # other statistics: other factors
    close(K.batch_norm(host, x, mean, var2), cpu_conv.batch_norm(x, mean, var2))
    assert len(host.tables) == 2
    del var, var2
    assert len(host.tables) == 0


def test_binary_on_scalars_and_empty_arrays(host):
    a, b = np.array(3.0, np.float32), np.array(4.0, np.float32)
    assert float(K.binary(host, "Mul", a, b)) == 12.0
    assert K.binary(host, "Add", np.zeros((0, 5), np.float32), np.ones(5, np.float32)).shape == (0, 5)


def test_release_drops_packed_weights_and_derived_tables(host, rng):
    from tfjs.backends.wasm import WasmBackend

    be = WasmBackend(host=host)
    x = rng.standard_normal((1, 6, 6, 4), np.float32)
    w = rng.standard_normal((1, 1, 4, 8), np.float32)
    mean, var = np.zeros(8, np.float32), np.ones(8, np.float32)
    y = be.kernel("Conv2D")(x, w, 1, "valid", 1)
    be.kernel("FusedBatchNorm")(y, mean, var)
    assert be.memory()["numPackedWeights"] == 1 and be.memory()["numDerivedTables"] == 1
    be.release([w, mean, var])
    assert be.memory()["numPackedWeights"] == 0 and be.memory()["numDerivedTables"] == 0


@pytest.mark.parametrize("shape,paddings,value", [((2, 4, 5, 3), [[0, 0], [1, 2], [2, 1], [0, 0]], 0.5),
                                                  ((1, 3, 3, 7), [[1, 0], [0, 0], [0, 3], [2, 1]], 0.0),
                                                  ((5, 6), [[2, 0], [3, 4]], -1.0), ((9,), [[0, 5]], 2.0),
                                                  ((2, 3, 4), [[0, 0], [0, 0], [0, 0]], 0.0)])
def test_pad(host, rng, shape, paddings, value):
    x = rng.standard_normal(shape, np.float32)
    np.testing.assert_array_equal(K.pad(host, x, paddings, value), cpu_array.pad(x, paddings, value))


@pytest.mark.parametrize("kind", ["1x1", "3x3", "depthwise"])
def test_a_convolution_run_again_takes_its_prepared_call(host, rng, kind, monkeypatch):
    """The second run of a convolution on the same weights and input shape skips the geometry and packing
    work (one prepared call per convolution) and still computes the new input, residual included."""
    from tfjs.backends.wasm import WasmBackend, fused
    from tfjs.backends import find_backend

    be = WasmBackend(host=host)
    cpu = find_backend("cpu")
    depthwise = kind == "depthwise"
    kh = 1 if kind == "1x1" else 3
    w = rng.standard_normal((kh, kh, 5, 1 if depthwise else 7), np.float32)
    c = 5 if depthwise else 7
    bias = rng.standard_normal(c, np.float32)
    attrs = dict(strides=1, pad="same", dilations=1, fused_ops=["BiasAdd", "Add", "Relu6"])
    op = "FusedDepthwiseConv2D" if depthwise else "FusedConv2D"
    taken = []
    run_prepared = K._run_prepared
    monkeypatch.setattr(K, "_run_prepared", lambda *a: taken.append(1) or run_prepared(*a))
    for run in range(3):
        x = host.empty((2, 6, 7, 5))
        x[...] = rng.standard_normal(x.shape) * (run + 1)
        resid = host.empty((2, 6, 7, c))
        resid[...] = rng.standard_normal(resid.shape)
        got = be.kernel(op)(x, w, bias, resid, **attrs)
        close(got, fused.reference(cpu, depthwise, x, w, bias, resid, **attrs))
        assert be.memory()["numPreparedCalls"] == 1 and len(taken) == run
    be.release([w])
    assert be.memory()["numPreparedCalls"] == 0
