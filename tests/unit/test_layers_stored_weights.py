"""Loading a layers model checks each layer weight's shape against the manifest before allocating it, and does
not draw initial values for weights the stored data overwrites."""

import json
import tracemalloc

import numpy as np
import pytest

import tfjs as tf
from harness import run_async
from tfjs.errors import FormatError
from tfjs.layers import initializers


def saved(tmp_path):
    model = tf.sequential(layers=[tf.layers.dense(units=8, activation="relu", input_shape=[4]),
                                  tf.layers.dense(units=3)])
    run_async(model.save(f"file://{tmp_path}/m"))
    return model, tmp_path / "m" / "model.json"


def edit_config(model_json_path, layer_index, **changes):
    model_json = json.loads(model_json_path.read_text())
    model_json["modelTopology"]["config"]["layers"][layer_index]["config"].update(changes)
    model_json_path.write_text(json.dumps(model_json))


def load(path, **kw):
    return run_async(tf.load_layers_model(f"file://{path}", **kw))


def test_loaded_layers_take_no_initial_values(tmp_path, monkeypatch):
    model, path = saved(tmp_path)
    calls = []
    real = initializers.apply
    monkeypatch.setattr(initializers, "apply", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    loaded = load(path)
    assert calls == []
    x = np.random.default_rng(0).standard_normal((2, 4)).astype("f4")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    tf.sequential(layers=[tf.layers.dense(units=2, input_shape=[4])])  # a new model still initializes
    assert [list(c) for c in calls] == [[4, 2], [2]]


def test_a_huge_layer_config_fails_before_allocating(tmp_path):
    _, path = saved(tmp_path)
    edit_config(path, 0, units=1e8)  # 4 x 100,000,000 float32 would be 1.6 GB
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match=r"Layer 'dense_\w+': weight 'dense_\w+/kernel' has shape "
                                              r"\[4, 100000000\] by the layer's config but \[4, 8\] in the weights "
                                              r"manifest"):
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20


def test_an_unnamed_huge_weight_is_bounded_by_the_largest_stored_one(tmp_path):
    _, path = saved(tmp_path)
    model_json = json.loads(path.read_text())
    for spec in model_json["weightsManifest"][0]["weights"]:  # names no layer will look for
        spec["name"] = "other/" + spec["name"]
    path.write_text(json.dumps(model_json))
    edit_config(path, 1, units=10**9)
    with pytest.raises(FormatError, match=r"weight 'dense_\w+/kernel' of shape \[8, 1000000000\] .* larger than any "
                                          r"weight in the weights manifest \(the largest has 32 values\)"):
        load(path)


@pytest.mark.parametrize("units,message", [
    ("eight", r"Layer 'dense_\w+' \(Dense\) cannot be built from its config|weight 'dense_\w+/kernel' would have "
              r"shape"),
    (-3, r"weight 'dense_\w+/kernel' would have shape \[4, -3\]"),
])
def test_a_config_a_layer_cannot_use_names_the_layer(tmp_path, units, message):
    _, path = saved(tmp_path)
    edit_config(path, 0, units=units)
    with pytest.raises(FormatError, match=message):
        load(path)
