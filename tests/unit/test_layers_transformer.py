"""PositionEmbedding, CachedMultiHeadAttention and TransformerDecoder in models: a model.json using them saves and
loads back with its configs (TF.js's keys) and weights (by name), and predicts the same; configs round-trip; bad
calls name the layer; a model with MultiHeadAttention and EinsumDense trains (tape gradients against central
differences, fit lowers the loss). Their values against TF.js: tests/e2e/test_layers_transformer_tfjs.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))

import tfjs as tf  # noqa: E402

X = np.random.default_rng(2).normal(size=(3, 4, 6)).astype(np.float32)


def _model():
    inp = tf.layers.input(shape=[4, 6], name="tokens")
    pos = tf.layers.position_embedding(sequence_length=8, initializer="random_normal", name="pos").apply(inp)
    x = tf.layers.add(name="sum").apply([inp, pos])
    x = tf.layers.transformer_decoder(intermediate_dim=10, num_heads=3, bias_initializer="random_normal",
                                      name="decoder").apply(x)
    x = tf.layers.cached_multi_head_attention(num_heads=2, key_dim=4, bias_initializer="random_normal",
                                              name="attend").apply([x, x])
    return tf.model(inputs=inp, outputs=tf.layers.dense(units=2, name="out").apply(tf.layers.flatten().apply(x)))


def test_model_json_with_transformer_layers_saves_loads_and_predicts(tmp_path):
    from harness import run_async

    model = _model()
    want = np.asarray(model.predict(X))
    run_async(model.save(f"file://{tmp_path}/m"))
    doc = json.loads((tmp_path / "m" / "model.json").read_text())
    layers = {layer["name"]: layer for layer in doc["modelTopology"]["config"]["layers"]}
    assert layers["pos"]["class_name"] == "PositionEmbedding"
    assert layers["pos"]["config"]["sequence_length"] == 8
    assert layers["decoder"]["class_name"] == "TransformerDecoder"
    assert {k: layers["decoder"]["config"][k] for k in ("intermediate_dim", "num_heads", "layer_norm_epsilon",
                                                         "normalize_first", "decoder_sequence_shape")} == \
        {"intermediate_dim": 10, "num_heads": 3, "layer_norm_epsilon": 1e-5, "normalize_first": False,
         "decoder_sequence_shape": [None, 4, 6]}
    assert layers["attend"]["class_name"] == "CachedMultiHeadAttention"
    assert layers["attend"]["config"]["value_dim"] == 4 and layers["attend"]["config"]["query_shape"] == [None, 4, 6]
    names = [w["name"] for group in doc["weightsManifest"] for w in group["weights"]]
    assert "pos/embeddings" in names
    assert "decoder/self_attention/query/kernel" in names and "decoder/feedforward_layer_norm/beta" in names
    assert "attend/attention_output/kernel" in names
    loaded = run_async(tf.load_layers_model(f"file://{tmp_path}/m/model.json"))
    np.testing.assert_array_equal(np.asarray(loaded.predict(X)), want)
    for a, b in zip(model.weights, loaded.weights):
        assert a.name == b.name
        np.testing.assert_array_equal(a.read(), b.read())


@pytest.mark.parametrize("factory,kwargs,inputs", [
    ("position_embedding", {"sequence_length": 5}, X),
    ("cached_multi_head_attention", {"num_heads": 2, "key_dim": 3, "value_dim": 2, "output_shape": 5}, [X, X]),
    ("transformer_decoder", {"intermediate_dim": 7, "num_heads": 2, "normalize_first": True,
                             "activation": "gelu", "layer_norm_epsilon": 1e-3}, X),
])
def test_config_round_trip(factory, kwargs, inputs):
    layer = getattr(tf.layers, factory)(**kwargs)
    layer.apply(inputs)
    config = layer.get_config()
    for key, value in kwargs.items():
        assert config[key] == value
    again = tf.layers.deserialize_layer({"class_name": layer.get_class_name(), "config": config})
    assert again.get_config() == config
    again.apply(inputs)
    again.set_weights(layer.get_weights())
    np.testing.assert_array_equal(np.asarray(again.apply(inputs)), np.asarray(layer.apply(inputs)))


def test_decoder_causal_mask_hides_later_steps():
    layer = tf.layers.transformer_decoder(intermediate_dim=4, num_heads=2)
    changed = X.copy()
    changed[:, 3] += 1.0
    a = np.asarray(layer.apply(X, use_causal_mask=True))
    b = np.asarray(layer.apply(changed, use_causal_mask=True))
    np.testing.assert_allclose(a[:, :3], b[:, :3], rtol=1e-6, atol=1e-6)
    assert np.abs(a[:, 3] - b[:, 3]).max() > 1e-3
    assert np.abs(np.asarray(layer.apply(changed))[:, 0] - np.asarray(layer.apply(X))[:, 0]).max() > 1e-3


def test_bad_calls_name_the_layer():
    with pytest.raises(ValueError, match="PositionEmbedding 'p': `sequence_length` must be an integer"):
        tf.layers.position_embedding(sequence_length=None, name="p")
    with pytest.raises(ValueError, match="TransformerDecoder 'd': the decoder sequence must be"):
        tf.layers.transformer_decoder(intermediate_dim=4, num_heads=2, name="d").apply(X[0])
    layer = tf.layers.transformer_decoder(intermediate_dim=4, num_heads=2, name="d2")
    with pytest.raises(ValueError, match="decoder_padding_mask should be \\[batch, T\\]"):
        layer.apply(X, decoder_padding_mask=np.ones((3, 4, 4)))
    with pytest.raises(ValueError, match="the cache must be \\[batch, 2, T, heads, head_dim\\]"):
        tf.layers.cached_multi_head_attention(num_heads=2, key_dim=3, name="c").call_and_return_cache(
            X, X, cache=np.zeros((3, 4, 2, 3)))


def test_attention_model_gradients_match_central_differences_and_fit_lowers_the_loss():
    """EinsumDense and MultiHeadAttention train: the tape's gradient of the model's loss for every weight matches
    central differences (float64), and fit lowers the loss."""
    from harness import run_async

    rng = np.random.default_rng(3)
    q_in, v_in = tf.layers.input(shape=[3, 4], name="q"), tf.layers.input(shape=[5, 4], name="v")
    x = tf.layers.multi_head_attention(num_heads=2, key_dim=3, value_dim=2, bias_initializer="random_normal",
                                       name="mha").apply([q_in, v_in])
    x = tf.layers.einsum_dense(equation="abc,cd->abd", output_shape=[None, 2], bias_axes="d", activation="tanh",
                               name="proj").apply(x)
    model = tf.model(inputs=[q_in, v_in], outputs=x)
    q, v = rng.normal(size=(4, 3, 4)).astype(np.float32), rng.normal(size=(4, 5, 4)).astype(np.float32)
    target = rng.normal(size=(4, 3, 2)).astype(np.float32)
    mask = (rng.uniform(size=(4, 3, 5)) > 0.3)
    layer = model.get_layer("mha")

    def loss():
        h = layer.apply([q, v], attention_mask=mask)
        return tf.ops.mean(tf.ops.square(tf.ops.sub(model.get_layer("proj").apply(h), target)))

    weights = model.trainable_weights
    assert len(weights) == 10
    grads = tf.variable_grads(loss, weights)["grads"]
    for w in weights:
        base = w.read().astype(np.float64)
        for idx in list(np.ndindex(base.shape))[:6]:
            values = []
            for step in (1e-3, -1e-3):
                moved = base.copy()
                moved[idx] += step
                w.write(moved.astype(np.float32))
                values.append(float(np.asarray(loss(), np.float64)))
            w.write(base.astype(np.float32))
            numeric = (values[0] - values[1]) / 2e-3
            assert abs(grads[w.name][idx] - numeric) <= 2e-3 * max(1.0, abs(numeric)), (w.name, idx)
    model.compile(optimizer=tf.train.adam(0.05), loss="meanSquaredError")
    before = float(np.asarray(model.evaluate([q, v], target)))
    run_async(model.fit([q, v], target, epochs=15, batch_size=4, verbose=0))
    assert float(np.asarray(model.evaluate([q, v], target))) < 0.7 * before
