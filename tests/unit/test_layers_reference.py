"""Layers TF.js cannot serve as the reference for, checked against independent numpy implementations of Keras's
semantics, written here loop by loop from the formulas:

- Resizing and CenterCrop: TF.js 4.22 has both classes but its own models fail in predict (Resizing: "x must be
  rank 3 or 4, but got rank 1"; CenterCrop: refuses any input size but the target's), so the reference is Keras's
  ``tf.image.resize`` (half-pixel centers, no antialiasing) and ``smart_resize``;
- Subtract: TF.js has no Subtract layer (Keras models use it);
- causal Conv1D: TF.js refuses it ("The support for CAUSAL padding mode in conv1dWithBias is not implemented yet");
- GRU with reset_after=True (Keras 2's default): TF.js's GRUCell refuses it.

Each case also goes through save and load (topology and weights unchanged, same outputs).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tfjs as tf
from harness import run_async

RNG = np.random.default_rng(7)


def round_trip(model):
    saved = []
    run_async(model.save(tf.io.with_save_handler(lambda a: saved.append(a))))
    again = run_async(tf.load_layers_model(tf.io.from_memory(saved[0])))
    assert again.to_json() == model.to_json()
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    return again


def close(y, ref, tol=1e-5):
    assert y.shape == ref.shape, (y.shape, ref.shape)
    assert np.max(np.abs(y - ref)) <= tol * max(1.0, float(np.max(np.abs(ref)))), np.max(np.abs(y - ref))


# ---------------------------------------------------------------------------------------- image references


def ref_resize_bilinear(img, out_h, out_w):
    """tf.image.resize(method='bilinear'): source = (dst + 0.5) * in / out - 0.5, edges clamped."""
    n, h, w, c = img.shape
    out = np.zeros((n, out_h, out_w, c), np.float64)
    for i in range(out_h):
        sy = (i + 0.5) * h / out_h - 0.5
        y0 = math.floor(sy)
        fy = sy - y0
        ya, yb = min(max(y0, 0), h - 1), min(max(y0 + 1, 0), h - 1)
        for j in range(out_w):
            sx = (j + 0.5) * w / out_w - 0.5
            x0 = math.floor(sx)
            fx = sx - x0
            xa, xb = min(max(x0, 0), w - 1), min(max(x0 + 1, 0), w - 1)
            top = img[:, ya, xa] * (1 - fx) + img[:, ya, xb] * fx
            bottom = img[:, yb, xa] * (1 - fx) + img[:, yb, xb] * fx
            out[:, i, j] = top * (1 - fy) + bottom * fy
    return out.astype(np.float32)


def ref_resize_nearest(img, out_h, out_w):
    """tf.image.resize(method='nearest'): source index floor((dst + 0.5) * in / out), clamped."""
    n, h, w, c = img.shape
    out = np.zeros((n, out_h, out_w, c), np.float32)
    for i in range(out_h):
        for j in range(out_w):
            out[:, i, j] = img[:, min(int((i + 0.5) * h / out_h), h - 1), min(int((j + 0.5) * w / out_w), w - 1)]
    return out


def ref_aspect_crop(img, th, tw):
    """keras smart_resize's crop: the largest centered box of the target aspect ratio."""
    h, w = img.shape[1:3]
    ch, cw = min(h, int(w * th / tw)), min(w, int(h * tw / th))
    top, left = int((h - ch) / 2), int((w - cw) / 2)
    return img[:, top:top + ch, left:left + cw]


@pytest.mark.parametrize("in_hw,out_hw", [((6, 8), (9, 5)), ((5, 5), (2, 3)), ((4, 7), (4, 7)), ((3, 2), (7, 8))])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_resizing_matches_keras_resize(in_hw, out_hw, interpolation):
    x = RNG.standard_normal((2, *in_hw, 3)).astype("f4")
    m = tf.sequential(layers=[tf.layers.resizing(height=out_hw[0], width=out_hw[1], interpolation=interpolation,
                                                 input_shape=[*in_hw, 3])])
    ref = (ref_resize_bilinear if interpolation == "bilinear" else ref_resize_nearest)(x, *out_hw)
    close(m.predict(x), ref)
    close(round_trip(m).predict(x), ref)
    assert m.outputs[0].shape == (None, *out_hw, 3)


def test_resizing_crop_to_aspect_ratio_and_unbatched_input():
    x = RNG.standard_normal((1, 10, 6, 2)).astype("f4")
    layer = tf.layers.resizing(height=4, width=4, crop_to_aspect_ratio=True)
    close(layer(x), ref_resize_bilinear(ref_aspect_crop(x, 4, 4), 4, 4))
    close(layer(x[0]), ref_resize_bilinear(ref_aspect_crop(x, 4, 4), 4, 4)[0])
    with pytest.raises(ValueError, match=r"Resizing '.*': invalid interpolation parameter: bicubic"):
        tf.layers.resizing(height=2, width=2, interpolation="bicubic")(x)
    with pytest.raises(ValueError, match=r"Resizing '.*': expected an image of rank 3 .* got shape \[10,6\]"):
        tf.layers.resizing(height=2, width=2)(x[0, :, :, 0])


@pytest.mark.parametrize("in_hw,target", [((7, 9), (3, 4)), ((6, 6), (6, 6)), ((8, 5), (2, 5))])
def test_center_crop_crops_the_centered_window(in_hw, target):
    x = RNG.standard_normal((2, *in_hw, 3)).astype("f4")
    m = tf.sequential(layers=[tf.layers.center_crop(height=target[0], width=target[1], input_shape=[*in_hw, 3])])
    top, left = (in_hw[0] - target[0]) // 2, (in_hw[1] - target[1]) // 2
    ref = x[:, top:top + target[0], left:left + target[1]]
    np.testing.assert_array_equal(m.predict(x), ref)
    np.testing.assert_array_equal(round_trip(m).predict(x), ref)


@pytest.mark.parametrize("in_hw,target", [((3, 8), (5, 4)), ((2, 2), (5, 5)), ((9, 3), (4, 6))])
def test_center_crop_of_a_smaller_input_is_keras_smart_resize(in_hw, target):
    x = RNG.standard_normal((2, *in_hw, 2)).astype("f4")
    y = tf.layers.center_crop(height=target[0], width=target[1])(x)
    close(y, ref_resize_bilinear(ref_aspect_crop(x, *target), *target))


# ---------------------------------------------------------------------------------------- Subtract


def test_subtract_in_a_functional_model():
    a, b = tf.input(shape=[4]), tf.input(shape=[4])
    da, db = tf.layers.dense(units=3).apply(a), tf.layers.dense(units=3).apply(b)
    m = tf.model(inputs=[a, b], outputs=tf.layers.subtract().apply([da, db]))
    xa, xb = RNG.standard_normal((5, 4)).astype("f4"), RNG.standard_normal((5, 4)).astype("f4")
    (ka, ba), (kb, bb) = m.layers[2].get_weights(), m.layers[3].get_weights()
    ref = (xa.astype("f8") @ ka + ba) - (xb.astype("f8") @ kb + bb)
    close(m.predict([xa, xb]), ref)
    close(round_trip(m).predict([xa, xb]), ref)
    with pytest.raises(ValueError, match="A `Subtract` layer should be called on exactly 2 inputs. Received: 3"):
        tf.layers.subtract().apply([da, db, da])


# ---------------------------------------------------------------------------------------- causal Conv1D


@pytest.mark.parametrize("kernel_size,dilation,strides", [(3, 1, 1), (2, 3, 1), (4, 2, 1), (3, 1, 2)])
def test_causal_conv1d(kernel_size, dilation, strides):
    steps, cin, cout = 9, 2, 3
    x = RNG.standard_normal((2, steps, cin)).astype("f4")
    m = tf.sequential(layers=[tf.layers.conv1d(filters=cout, kernel_size=kernel_size, padding="causal",
                                               dilation_rate=dilation, strides=strides, input_shape=[steps, cin],
                                               bias_initializer="ones")])
    kernel, bias = m.get_weights()
    # y[t] = b + sum_k x[t*s - (K-1-k)*d] . W[k]; positions before the start are zeros.
    out_steps = (steps + strides - 1) // strides
    ref = np.zeros((2, out_steps, cout))
    for t in range(out_steps):
        ref[:, t] = bias
        for k in range(kernel_size):
            src = t * strides - (kernel_size - 1 - k) * dilation
            if src >= 0:
                ref[:, t] += x[:, src].astype("f8") @ kernel[k]
    assert m.outputs[0].shape == (None, out_steps, cout)
    close(m.predict(x), ref)
    close(round_trip(m).predict(x), ref)


# ---------------------------------------------------------------------------------------- GRU reset_after


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def ref_gru_reset_after(x, kernel, rkernel, bias, units):
    """Keras 2 GRUCell(reset_after=True), gates z, r, h; bias rows: input bias, recurrent bias."""
    h = np.zeros((x.shape[0], units))
    outs = []
    for t in range(x.shape[1]):
        xp = x[:, t].astype("f8") @ kernel + bias[0]
        hp = h @ rkernel + bias[1]
        z = sigmoid(xp[:, :units] + hp[:, :units])
        r = sigmoid(xp[:, units:2 * units] + hp[:, units:2 * units])
        hh = np.tanh(xp[:, 2 * units:] + r * hp[:, 2 * units:])
        h = z * h + (1 - z) * hh
        outs.append(h)
    return np.stack(outs, 1)


def test_gru_reset_after_built_here_and_from_a_keras_config():
    units = 3
    x = RNG.standard_normal((2, 6, 4)).astype("f4")
    m = tf.sequential(layers=[tf.layers.gru(units=units, reset_after=True, recurrent_activation="sigmoid",
                                            return_sequences=True, input_shape=[6, 4],
                                            bias_initializer="glorot_uniform")])
    kernel, rkernel, bias = m.get_weights()
    assert bias.shape == (2, 3 * units)
    ref = ref_gru_reset_after(x, kernel, rkernel, bias, units)
    close(m.predict(x), ref)
    close(round_trip(m).predict(x), ref)
    # The same weights in the Keras converter's form: model_config, cell-scoped weight names.
    topology = {"keras_version": "2.10.0", "backend": "tensorflow", "model_config": {
        "class_name": "Sequential", "config": {"name": "sequential", "layers": [
            {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 6, 4], "dtype": "float32",
                                                    "sparse": False, "ragged": False, "name": "in"}},
            {"class_name": "GRU", "config": {
                "name": "gru", "trainable": True, "dtype": "float32", "return_sequences": True,
                "return_state": False, "go_backwards": False, "stateful": False, "unroll": False,
                "time_major": False, "units": units, "activation": "tanh", "recurrent_activation": "sigmoid",
                "use_bias": True, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}},
                "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
                "recurrent_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
                "kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None, "dropout": 0.0,
                "recurrent_dropout": 0.0, "implementation": 2, "reset_after": True}}]}}}
    data, specs = tf.io.encode_weights({"gru/gru_cell/kernel": kernel, "gru/gru_cell/recurrent_kernel": rkernel,
                                        "gru/gru_cell/bias": bias})
    keras = run_async(tf.load_layers_model(tf.io.from_memory(
        tf.io.ModelArtifacts(model_topology=topology, weight_specs=specs, weight_data=data))))
    close(keras.predict(x), ref)
    assert keras.layers[-1].get_config()["time_major"] is False  # a key TF.js does not know is kept
