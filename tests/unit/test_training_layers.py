"""Every layer trains: the tape's gradients of each layer's weights (through the model's forward pass, with
training=True) match central differences."""

from __future__ import annotations

import numpy as np
import pytest

import tfjs as tf
from tfjs.training import tape as T

L = tf.layers
RNG = np.random.default_rng(1)


@pytest.fixture(autouse=True)
def _seeded(monkeypatch):
    """Each test starts from the same weights and inputs, whichever tests run before it (a central
    difference that straddles a ReLU kink fails; with fixed draws it either always does or never does)."""
    from tfjs.layers import initializers

    monkeypatch.setattr(initializers, "_rng", np.random.default_rng(0))
    monkeypatch.setitem(globals(), "RNG", np.random.default_rng(1))


def _models():
    seq = lambda *layers: tf.sequential(layers=list(layers))  # noqa: E731
    cases = {
        "dense": (lambda: seq(L.dense(units=4, input_shape=[3], activation="tanh"), L.dense(units=2)), [2, 3]),
        "dense_3d": (lambda: seq(L.dense(units=3, input_shape=[2, 4], activation="sigmoid")), [2, 2, 4]),
        "conv1d_causal": (lambda: seq(L.conv1d(filters=2, kernel_size=3, padding="causal", input_shape=[6, 2]),
                                      L.conv1d(filters=2, kernel_size=2, strides=2)), [2, 6, 2]),
        "conv2d": (lambda: seq(L.conv2d(filters=3, kernel_size=3, padding="same", input_shape=[5, 5, 2],
                                        activation="elu"), L.average_pooling2d(pool_size=2),
                               L.flatten(), L.dense(units=2)), [2, 5, 5, 2]),
        "conv2d_channels_first": (lambda: seq(L.conv2d(filters=2, kernel_size=2, data_format="channelsFirst",
                                                       input_shape=[2, 4, 4]), L.global_average_pooling2d()),
                                  [2, 2, 4, 4]),
        "conv3d": (lambda: seq(L.conv3d(filters=2, kernel_size=2, input_shape=[3, 3, 3, 1]),
                               L.average_pooling3d(pool_size=2)), [1, 3, 3, 3, 1]),
        "depthwise_separable": (lambda: seq(L.depthwise_conv2d(kernel_size=3, depth_multiplier=2, padding="same",
                                                               input_shape=[4, 4, 2]),
                                            L.separable_conv2d(filters=3, kernel_size=2)), [2, 4, 4, 2]),
        "conv_transpose": (lambda: seq(L.conv2d_transpose(filters=2, kernel_size=3, strides=2, padding="same",
                                                          input_shape=[3, 3, 2]),
                                       L.conv3d_transpose(filters=1, kernel_size=2)
                                       if False else L.average_pooling2d(pool_size=2, padding="same")),
                           [2, 3, 3, 2]),
        "conv3d_transpose": (lambda: seq(L.conv3d_transpose(filters=2, kernel_size=2, strides=2,
                                                            input_shape=[2, 2, 2, 1])), [1, 2, 2, 2, 1]),
        "pool1d": (lambda: seq(L.conv1d(filters=2, kernel_size=2, input_shape=[7, 2]), L.max_pooling1d(pool_size=2),
                               L.average_pooling1d(pool_size=2), L.global_max_pooling1d()), [2, 7, 2]),
        "batchnorm": (lambda: seq(L.dense(units=3, input_shape=[4]), L.batch_normalization()), [5, 4]),
        "batchnorm_axis1": (lambda: seq(L.batch_normalization(axis=1, input_shape=[3, 4]), L.flatten()), [4, 3, 4]),
        "layernorm": (lambda: seq(L.dense(units=4, input_shape=[3]), L.layer_normalization()), [3, 3]),
        "embedding": (lambda: seq(L.embedding(input_dim=6, output_dim=3, input_length=4), L.flatten(),
                                  L.dense(units=2)), "int"),
        "simple_rnn": (lambda: seq(L.simple_rnn(units=3, input_shape=[4, 2], return_sequences=True),
                                   L.simple_rnn(units=2, go_backwards=True)), [2, 4, 2]),
        "gru": (lambda: seq(L.gru(units=3, input_shape=[4, 2], return_sequences=True),
                            L.gru(units=2, recurrent_activation="sigmoid")), [2, 4, 2]),
        "gru_reset_after": (lambda: seq(L.gru(units=3, input_shape=[3, 2], reset_after=True)), [2, 3, 2]),
        "lstm": (lambda: seq(L.lstm(units=3, input_shape=[4, 2]), L.dense(units=1)), [2, 4, 2]),
        "lstm_masked": (lambda: seq(L.masking(mask_value=0, input_shape=[4, 2]), L.lstm(units=2)), "masked"),
        "bidirectional_timedistributed": (lambda: seq(L.bidirectional(layer=L.lstm(units=2, return_sequences=True),
                                                                       input_shape=[3, 2]),
                                                      L.time_distributed(layer=L.dense(units=2))), [2, 3, 2]),
        "reshapes": (lambda: seq(L.dense(units=6, input_shape=[4]), L.reshape(target_shape=[2, 3]),
                                 L.permute(dims=[2, 1]), L.flatten(), L.repeat_vector(n=2),
                                 L.flatten()), [2, 4]),
        "padding_cropping_upsampling": (lambda: seq(L.conv2d(filters=2, kernel_size=1, input_shape=[3, 3, 1]),
                                                    L.zero_padding2d(padding=1), L.cropping2d(cropping=[[1, 0], [0, 1]]),
                                                    L.up_sampling2d(size=[2, 2]),
                                                    L.up_sampling2d(interpolation="bilinear")), [1, 3, 3, 1]),
        "activations": (lambda: seq(L.dense(units=5, input_shape=[3]), L.leaky_relu(alpha=0.1), L.dense(units=5),
                                    L.prelu(alpha_initializer="glorotNormal"), L.dense(units=5), L.elu(),
                                    L.dense(units=5, activation="softplus"), L.re_lu(max_value=2.0),
                                    L.dense(units=4, activation="selu"), L.softmax()), [3, 3]),
        "activation_fns": (lambda: seq(*[L.dense(units=3, input_shape=[3] if i == 0 else None, activation=a)
                                         for i, a in enumerate(["softsign", "gelu", "mish", "swish", "tanh",
                                                                "log_softmax"])]), [3, 3]),
        "rescaling_noise_dropout": (lambda: seq(L.rescaling(scale=0.5, offset=0.1, input_shape=[4]),
                                                L.dense(units=3), L.dropout(rate=0.0),
                                                L.gaussian_noise(stddev=0.0), L.dense(units=2)), [2, 4]),
    }
    return cases


def _functional_merges():
    a, b = tf.input(shape=[4]), tf.input(shape=[4])
    da, db = L.dense(units=3).apply(a), L.dense(units=3).apply(b)
    outs = [L.add().apply([da, db]), L.subtract().apply([da, db]), L.multiply().apply([da, db]),
            L.average().apply([da, db]), L.maximum().apply([da, db]), L.minimum().apply([da, db]),
            L.concatenate().apply([da, db]), L.dot(axes=1).apply([da, db]),
            L.dot(axes=1, normalize=True).apply([da, db])]
    return tf.model(inputs=[a, b], outputs=L.concatenate().apply(outs))


def _inputs(kind):
    if kind == "int":
        return [RNG.integers(0, 6, (3, 4)).astype(np.float32)]
    if kind == "masked":
        x = RNG.standard_normal((3, 4, 2)).astype(np.float32)
        x[0, 2:] = 0
        return [x]
    return [RNG.standard_normal(kind).astype(np.float32)]


def check_model(model, xs, training=True, points=6, eps=1e-2, rtol=4e-2):
    outs, _ = model.run_graph(xs, None, training=training)
    rs = [RNG.standard_normal(np.shape(o)).astype(np.float32) for o in outs]
    variables = model.trainable_weights
    snapshot = [w.value.copy() for w in model.weights]

    def f():
        ys, _ = model.run_graph(xs, None, training=training)
        total = None
        for y, r in zip(ys, rs):
            t = tf.ops.sum(tf.ops.mul(y, r))
            total = t if total is None else tf.ops.add(total, t)
        return total

    def restore():
        for w, v in zip(model.weights, snapshot):
            w.value = v.copy()

    y, grads = T.variable_grads_list(f, variables)
    restore()
    for w, g in zip(variables, grads):
        assert g is not None, f"no gradient for {w.name}"
        assert g.shape == w.shape
        for p in RNG.permutation(w.value.size)[:points]:
            idx = np.unravel_index(p, w.shape)
            vals = []
            for sign in (1, -1):
                restore()
                w.value = w.value.copy()
                w.value[idx] += sign * eps
                vals.append(float(np.asarray(f(), np.float64)))
            restore()
            num = (vals[0] - vals[1]) / (2 * eps)
            ana = float(g[idx])
            assert abs(num - ana) <= rtol * max(1.0, abs(num), abs(ana)), (w.name, idx, num, ana)


@pytest.mark.parametrize("case", list(_models()))
def test_layer_gradients(case):
    build, shape = _models()[case]
    model = build()
    check_model(model, _inputs(shape))


def test_merge_gradients():
    model = _functional_merges()
    check_model(model, [RNG.standard_normal((2, 4)).astype(np.float32) for _ in range(2)])


def test_nested_model_gradients():
    inner = tf.sequential(layers=[L.dense(units=3, input_shape=[2], activation="tanh")])
    x = tf.input(shape=[2])
    model = tf.model(inputs=x, outputs=L.dense(units=1).apply(inner.apply(x)))
    check_model(model, [RNG.standard_normal((3, 2)).astype(np.float32)])


def test_dropout_and_noise_switch_with_training_flag():
    x = np.ones((200, 50), np.float32)
    for layer in [L.dropout(rate=0.5), L.spatial_dropout1d(rate=0.5), L.gaussian_noise(stddev=1.0),
                  L.gaussian_dropout(rate=0.5), L.alpha_dropout(rate=0.5)]:
        xi = x.reshape(200, 10, 5) if layer.get_class_name() == "SpatialDropout1D" else x
        np.testing.assert_array_equal(layer.apply(xi), xi)  # inference: identity
        y = np.asarray(layer.apply(xi, training=True))
        assert not np.array_equal(y, xi), layer
        if layer.get_class_name() in ("Dropout", "SpatialDropout1D"):
            assert set(np.unique(y)) <= {0.0, 2.0}
            assert 0.4 < np.mean(y == 0) < 0.6
        if layer.get_class_name() == "SpatialDropout1D":  # whole channels dropped: same across time steps
            assert np.all(y == y[:, :1, :])


def test_batchnorm_moving_statistics():
    bn = L.batch_normalization(momentum=0.9, epsilon=1e-3)
    x = (RNG.standard_normal((32, 3)) * [1, 2, 3] + [5, -1, 0]).astype(np.float32)
    y_inf = np.asarray(bn.apply(x))  # builds; moving mean 0, var 1
    np.testing.assert_allclose(y_inf, x / np.sqrt(1 + 1e-3), rtol=1e-5)
    y = np.asarray(bn.apply(x, training=True))
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(bn.moving_mean.value, 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.value, 0.9 + 0.1 * var, rtol=1e-5)
