"""EinsumDense and MultiHeadAttention against Keras 3 (the reference environment's TensorFlow): the same configs
and weights give the same outputs within 1e-5 (relative above 1), and a Keras model using them (.keras, called
with query and value) converts, loads and predicts what Keras predicts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))

import tfjs as tf  # noqa: E402

pytestmark = pytest.mark.needs_tf

KERAS = r'''
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, keras
rng = np.random.default_rng(4)
q = rng.normal(size=(2, 4, 5)).astype("float32")
v = rng.normal(size=(2, 6, 5)).astype("float32")
k = rng.normal(size=(2, 6, 5)).astype("float32")
out = {"q": q, "v": v, "k": k}
mha = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4, output_shape=7,
                                      bias_initializer="random_normal")
out["mha"] = np.asarray(mha(q, v, k))
for i, w in enumerate(mha.weights):
    out[f"mha_w{i}"] = np.asarray(w)
mha2 = keras.layers.MultiHeadAttention(num_heads=3, key_dim=2)
out["mha2"] = np.asarray(mha2(q, v))
for i, w in enumerate(mha2.weights):
    out[f"mha2_w{i}"] = np.asarray(w)
ed = keras.layers.EinsumDense("abc,cd->abd", output_shape=(None, 6), bias_axes="d", activation="relu",
                              bias_initializer="random_normal")
out["ed"] = np.asarray(ed(q))
for i, w in enumerate(ed.weights):
    out[f"ed_w{i}"] = np.asarray(w)
ed2 = keras.layers.EinsumDense("...b,bc->...c", output_shape=3, bias_axes="c", bias_initializer="random_normal")
out["ed2"] = np.asarray(ed2(v))
for i, w in enumerate(ed2.weights):
    out[f"ed2_w{i}"] = np.asarray(w)
np.savez(sys.argv[1], **out)
'''


@pytest.fixture(scope="module")
def keras_values(tmp_path_factory):
    import reference_env

    path = tmp_path_factory.mktemp("attention") / "keras.npz"
    subprocess.run([str(reference_env.ensure("tf")), "-c", KERAS, str(path)], check=True, capture_output=True,
                   timeout=600, env={"PATH": "/usr/bin:/bin", "CUDA_VISIBLE_DEVICES": ""})
    return dict(np.load(path))


def _weights(d, prefix):
    return [d[k] for k in sorted((k for k in d if k.startswith(prefix + "_w")), key=lambda k: int(k.split("_w")[1]))]


def _close(ours, want):
    ours, want = np.asarray(ours, np.float64), np.asarray(want, np.float64)
    assert ours.shape == want.shape
    assert np.all(np.abs(ours - want) <= 1e-5 * np.maximum(1.0, np.abs(want))), np.abs(ours - want).max()


def test_multi_head_attention_as_keras(keras_values):
    d = keras_values
    layer = tf.layers.multi_head_attention(num_heads=2, key_dim=3, value_dim=4, output_shape=7)
    layer.apply([d["q"], d["v"], d["k"]])
    layer.set_weights(_weights(d, "mha"))
    _close(layer.apply([d["q"], d["v"], d["k"]]), d["mha"])
    layer2 = tf.layers.multi_head_attention(num_heads=3, key_dim=2)
    layer2.apply([d["q"], d["v"]])
    layer2.set_weights(_weights(d, "mha2"))
    _close(layer2.apply([d["q"], d["v"]]), d["mha2"])


def test_einsum_dense_as_keras(keras_values):
    d = keras_values
    ed = tf.layers.einsum_dense(equation="abc,cd->abd", output_shape=[None, 6], bias_axes="d", activation="relu")
    ed.apply(d["q"])
    ed.set_weights(_weights(d, "ed"))
    _close(ed.apply(d["q"]), d["ed"])
    ed2 = tf.layers.einsum_dense(equation="...b,bc->...c", output_shape=3, bias_axes="c")
    ed2.apply(d["v"])
    ed2.set_weights(_weights(d, "ed2"))
    _close(ed2.apply(d["v"]), d["ed2"])


MODEL = r'''
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, keras
q_in, v_in = keras.Input((4, 5), name="q"), keras.Input((6, 5), name="v")
x = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha", bias_initializer="random_normal")(q_in, v_in)
x = keras.layers.EinsumDense("abc,cd->abd", output_shape=(4, 3), bias_axes="d", name="proj")(x)
y = keras.layers.Dense(2, name="out")(keras.layers.Flatten()(x))
m = keras.Model([q_in, v_in], y)
rng = np.random.default_rng(1)
q, v = rng.normal(size=(2, 4, 5)).astype("float32"), rng.normal(size=(2, 6, 5)).astype("float32")
m.save(sys.argv[1])
np.savez(sys.argv[2], q=q, v=v, y=m.predict([q, v], verbose=0))
'''


def test_keras_model_with_attention_converts_loads_and_predicts(tmp_path):
    import reference_env
    from harness import run_async
    from tfjs.converter import convert

    subprocess.run([str(reference_env.ensure("tf")), "-c", MODEL, str(tmp_path / "m.keras"), str(tmp_path / "d.npz")],
                   check=True, capture_output=True, timeout=600, env={"PATH": "/usr/bin:/bin",
                                                                      "CUDA_VISIBLE_DEVICES": ""})
    convert(tmp_path / "m.keras", tmp_path / "web", log=None)
    model = run_async(tf.load_layers_model(f"file://{tmp_path}/web/model.json"))
    d = np.load(tmp_path / "d.npz")
    _close(model.predict([d["q"], d["v"]]), d["y"])
