"""The op API under CPython where TF.js gives no value to compare with: random functions (shapes, dtypes, ranges,
seeds), memory functions, qr of a batch (TF.js 4.22's throws), errors, and what ``import tfjs`` imports.
Values against TF.js: tests/e2e/test_op_api_tfjs.py."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import tfjs as tf
from tfjs.errors import InvalidArgumentError


def test_import_tfjs_leaves_the_op_api_for_first_use():
    code = "import sys, tfjs; assert 'tfjs.api' not in sys.modules; tfjs.add; assert 'tfjs.api' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_random_uniform_range_dtype_and_seed():
    x = tf.random_uniform([200, 5], -2, 3, "float32", 7)
    assert x.shape == (200, 5) and x.dtype == np.float32
    assert x.min() >= -2 and x.max() < 3 and x.std() > 0.5
    np.testing.assert_array_equal(x, tf.random_uniform([200, 5], -2, 3, "float32", 7))
    assert not np.array_equal(x, tf.random_uniform([200, 5], -2, 3, "float32", 8))
    i = tf.random_uniform_int([1000], 2, 6, 3)
    assert i.dtype == np.int32 and set(np.unique(i)) == {2, 3, 4, 5}


def test_random_normal_truncated_and_standard():
    x = tf.random_normal([4000], 1.5, 0.5, "float32", 11)
    assert x.dtype == np.float32 and abs(x.mean() - 1.5) < 0.05 and abs(x.std() - 0.5) < 0.05
    t = tf.truncated_normal([4000], 0, 2, "float32", 5)
    assert np.abs(t).max() <= 4 and abs(t.std() - 2) < 0.5
    assert tf.random_standard_normal([3, 2], "int32", 1).dtype == np.int32
    with pytest.raises(InvalidArgumentError, match="Unsupported data type bool"):
        tf.random_normal([2], 0, 1, "bool")


def test_random_gamma_mean_and_variance():
    x = tf.random_gamma([20000], 3, 2, "float32", 9)
    assert x.dtype == np.float32 and x.min() > 0
    assert abs(x.mean() - 1.5) < 0.03 and abs(x.var() - 0.75) < 0.05  # alpha / beta, alpha / beta**2
    np.testing.assert_array_equal(x, tf.random_gamma([20000], 3, 2, "float32", 9))
    with pytest.raises(InvalidArgumentError, match="alpha must be > 0"):
        tf.random_gamma([2], 0)


def test_rand_multinomial_dropout():
    values = iter(range(6))
    np.testing.assert_array_equal(tf.rand([2, 3], lambda: next(values), "int32"), [[0, 1, 2], [3, 4, 5]])
    samples = tf.multinomial(np.log(np.float32([0.0, 1.0, 0.0]) + 1e-30), 50, 3)
    assert samples.shape == (50,) and set(samples.tolist()) == {1}
    x = np.ones([100, 100], np.float32)
    y = tf.dropout(x, 0.25, None, 2)
    assert set(np.unique(y).tolist()) <= {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.03
    rows = tf.dropout(x, 0.5, [100, 1], 4)
    assert all(len(set(row.tolist())) == 1 for row in rows)  # one draw per row
    with pytest.raises(InvalidArgumentError, match=r"rate must be a float in the range \[0, 1\)"):
        tf.dropout(x, 1.0)


def test_tidy_returns_the_result_and_checks_its_arguments():
    assert tf.tidy(lambda: tf.add([1], [2])).tolist() == [3.0]
    with pytest.raises(InvalidArgumentError, match="must be a function"):
        tf.tidy(3)
    with pytest.raises(InvalidArgumentError, match="first argument to tidy\\(\\) must be a string"):
        tf.tidy(1, lambda: None)

    async def coro():
        return 1
    with pytest.raises(InvalidArgumentError, match="Cannot return a Promise inside of tidy"):
        tf.tidy(lambda: coro())


def test_dispose_disposes_models_in_containers_and_keep_is_identity():
    model = tf.sequential(layers=[tf.layers.dense(units=2, input_shape=[3])])
    before = len(model.weights)
    assert before == 2
    t = np.zeros(3)
    assert tf.keep(t) is t
    assert not model._disposed
    tf.dispose({"m": [model], "t": t})
    assert model._disposed and all(layer._disposed for layer in model.layers)


def test_qr_of_a_batch_is_the_qr_of_each_matrix():
    x = np.random.default_rng(3).normal(size=(2, 3, 5, 4)).astype(np.float32)
    q, r = tf.linalg.qr(x)
    assert q.shape == (2, 3, 5, 4) and r.shape == (2, 3, 4, 4)
    for i in range(2):
        for j in range(3):
            qi, ri = tf.linalg.qr(x[i, j])
            np.testing.assert_array_equal(q[i, j], qi)
            np.testing.assert_array_equal(r[i, j], ri)
            np.testing.assert_allclose(qi @ ri, x[i, j], atol=1e-5)
    q, r = tf.linalg.qr(x[0, 0], True)
    assert q.shape == (5, 5) and r.shape == (5, 4)
    np.testing.assert_allclose(q.T @ q, np.eye(5), atol=1e-5)


def test_dtype_rules():
    assert tf.add([1, 2], [3, 4]).dtype == np.float32  # Python numbers are float32, as JS numbers
    assert tf.add(np.int64([1]), np.int64([2])).dtype == np.int32
    assert tf.add(np.int32([1]), np.float64([2])).dtype == np.float32
    assert tf.tensor(["a", "bc"]).dtype == object
    assert tf.fill([2], "x").tolist() == [b"x", b"x"]
    assert tf.fill([2], True).dtype == np.bool_
    with pytest.raises(InvalidArgumentError, match="Unknown data type float64"):
        tf.zeros([2], "float64")
    with pytest.raises(InvalidArgumentError, match="depth must be >=2"):
        tf.one_hot([0], 1)
    with pytest.raises(InvalidArgumentError, match="Can't squeeze axis 0"):
        tf.squeeze(np.zeros([2, 1]), [0])


def test_print_writes_the_values(capsys):
    tf.print(np.int32([[1, 2], [3, 4]]), True)
    out = capsys.readouterr().out
    assert "dtype: int32" in out and "shape: [2, 2]" in out and "[[1, 2],\n     [3, 4]]" in out
    tf.print([1.5])
    assert capsys.readouterr().out == "Tensor\n    [1.5]\n"


def test_namespaces_and_names_tfjs_exports_at_the_top_too():
    assert tf.rfft is tf.spectral.rfft and tf.fft is tf.spectral.fft
    assert tf.sum_out_type("bool") == "int32" and tf.upcast_type("int32", "bool") == "int32"
    with pytest.raises(AttributeError):
        tf.no_such_op  # noqa: B018
