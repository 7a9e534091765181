"""The op surface on the cpu backend: registry, kernels by name, both matrix-product paths."""

import itertools

import numpy as np
import pytest

import tfjs as tf
from tfjs import backends, ops
from tfjs.backends import cpu
from tfjs.errors import UnsupportedError


@pytest.fixture(params=["numpy", "scipy"])
def blas(request):
    cpu.use_blas(request.param)
    yield request.param
    cpu.use_blas("auto")


def naive_conv2d(x, w, stride, pad, dilation=1):
    n, h, wd, c = x.shape
    kh, kw, _, co = w.shape
    ekh, ekw = (kh - 1) * dilation + 1, (kw - 1) * dilation + 1
    if pad == "same":
        oh, ow = -(-h // stride), -(-wd // stride)
        ph = max((oh - 1) * stride + ekh - h, 0)
        pw = max((ow - 1) * stride + ekw - wd, 0)
        x = np.pad(x, [(0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)])
    else:
        oh, ow = (h - ekh) // stride + 1, (wd - ekw) // stride + 1
    out = np.zeros((n, oh, ow, co), np.float64)
    for i, j in itertools.product(range(oh), range(ow)):
        patch = x[:, i * stride:i * stride + ekh:dilation, j * stride:j * stride + ekw:dilation, :]
        out[:, i, j, :] = np.tensordot(patch, w, axes=([1, 2, 3], [0, 1, 2]))
    return out


def test_registry_lists_backends_and_ops():
    assert "cpu" in backends.list_backends()
    assert tf.set_backend("cpu") is True
    assert tf.get_backend() == "cpu"
    names = backends.backend_ops("cpu")
    for op in ["Conv2D", "DepthwiseConv2dNative", "BatchMatMul", "MaxPool", "AvgPool", "Add", "Softmax",
               "ResizeBilinear", "FusedBatchNorm", "Transpose"]:
        assert op in names
    with pytest.raises(UnsupportedError, match="Op 'NoSuchOp' has no kernel in the 'cpu' backend"):
        ops.run("NoSuchOp")
    with pytest.raises(UnsupportedError, match="Backend 'webgpu2' is not registered"):
        tf.set_backend("webgpu2")


def test_both_matmul_paths(blas):
    assert cpu.active_path() == blas
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((7, 5)).astype("f4"), rng.standard_normal((5, 3)).astype("f4")
    out = ops.matmul(a, b)
    assert out.dtype == np.float32 and out.flags.c_contiguous
    np.testing.assert_allclose(out, a @ b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ops.matmul(a.T.copy(), b, transpose_a=True), a @ b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ops.matmul(a, b.T.copy(), transpose_b=True), a @ b, rtol=1e-5, atol=1e-5)
    ab = rng.standard_normal((2, 4, 5)).astype("f4")
    np.testing.assert_allclose(ops.matmul(ab, b), ab @ b, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match=r"MatMul: inner dimensions differ: a \[7, 5\].*b \[3, 5\]"):
        ops.matmul(a, b.T)


@pytest.mark.parametrize("k,stride,pad,dil", [(3, 1, "same", 1), (3, 2, "valid", 1), (1, 1, "valid", 1),
                                              (1, 2, "same", 1), (5, 2, "same", 1), (3, 1, "same", 2)])
def test_conv2d_matches_naive(blas, k, stride, pad, dil):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 9, 8, 3)).astype("f4")
    w = rng.standard_normal((k, k, 3, 4)).astype("f4")
    out = ops.conv2d(x, w, stride, pad, dil)
    np.testing.assert_allclose(out, naive_conv2d(x, w, stride, pad, dil), rtol=1e-4, atol=1e-4)


def test_depthwise_and_transpose_and_pools():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 6, 6, 2)).astype("f4")
    w = rng.standard_normal((3, 3, 2, 2)).astype("f4")
    out = ops.depthwise_conv2d(x, w, 1, "same")
    assert out.shape == (1, 6, 6, 4)
    for c in range(2):
        for m in range(2):
            ref = naive_conv2d(x[..., c:c + 1], w[:, :, c:c + 1, m:m + 1], 1, "same")
            np.testing.assert_allclose(out[..., c * 2 + m], ref[..., 0], rtol=1e-4, atol=1e-4)
    # transpose conv is the adjoint of conv: <conv(x), y> == <x, conv_T(y)>
    wt = rng.standard_normal((3, 3, 2, 5)).astype("f4")
    y = rng.standard_normal((1, 3, 3, 5)).astype("f4")
    fwd = ops.conv2d(x, wt, 2, "same")
    back = ops.conv2d_transpose(y, wt, [1, 6, 6, 2], 2, "same")
    np.testing.assert_allclose((fwd * y).sum(), (x * back).sum(), rtol=1e-4)
    mp = ops.max_pool(x, 2, 2, "valid")
    np.testing.assert_array_equal(mp, x.reshape(1, 3, 2, 3, 2, 2).max(axis=(2, 4)))
    ap = ops.avg_pool(x[:, :5, :5], 2, 2, "same")
    assert ap.shape == (1, 3, 3, 2)
    np.testing.assert_allclose(ap[0, 2, 2], x[0, 4, 4], rtol=1e-6)  # padding cells are not counted


def test_activations_formulas():
    x = np.linspace(-5, 5, 41).astype("f4")
    np.testing.assert_allclose(ops.sigmoid(x), 1 / (1 + np.exp(-x.astype("f8"))), rtol=1e-6)
    np.testing.assert_allclose(ops.softplus(x), np.log1p(np.exp(x.astype("f8"))), rtol=1e-5)
    import math
    np.testing.assert_allclose(ops.erf(x), [math.erf(v) for v in x], atol=2e-7)
    np.testing.assert_allclose(ops.softmax(np.stack([x, -x])).sum(-1), [1, 1], rtol=1e-6)
    np.testing.assert_allclose(ops.elu(x), np.where(x > 0, x, np.expm1(x)), rtol=1e-6)
    assert ops.relu6(np.array([-1, 3, 9], "f4")).tolist() == [0, 3, 6]
