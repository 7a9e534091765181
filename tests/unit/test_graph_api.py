"""The GraphModel API surface under CPython: tf.load_model picking the kind of model by the model.json, the
execute_async alias, model_version, weights, and the load-time report of unsupported ops."""

import json
import re

import numpy as np
import pytest

import tfjs as tf
from harness import run_async
from tfjs.graph import builder as gb
from tfjs.graph.values import UnsupportedOpsError

F = gb.dtype("float32")


def affine_topology(min_consumer=None):
    """y = x @ w + b, z = Cast(k) * 2 (an int32 weight too)."""
    topo = gb.graph_def([gb.placeholder("x", "float32", [-1, 3]), gb.const("w", np.zeros((3, 2), np.float32)),
                         gb.const("b", np.zeros(2, np.float32)), gb.const("k", np.zeros(2, np.int32)),
                         gb.node("mm", "MatMul", ["x", "w"]), gb.node("y", "BiasAdd", ["mm", "b"]),
                         gb.node("kf", "Cast", ["k"], DstT=F), gb.node("z", "Mul", ["y", "kf"])])
    if min_consumer is not None:
        topo["versions"]["minConsumer"] = min_consumer
    return topo


W = np.arange(6, dtype=np.float32).reshape(3, 2) / 4 - 0.5
BIAS = np.asarray([0.25, -1.5], np.float32)
K = np.asarray([3, -2], np.int32)
WEIGHTS = {"w": W, "b": BIAS, "k": K}
X = np.asarray([[1, 2, 3], [-1, 0.5, 4]], np.float32)


def expected_outputs(x=X):
    y = x @ W + BIAS
    return y, y * K.astype(np.float32)


def save_without_format(model, path):
    """Save ``model`` to ``path`` and drop the model.json's ``format`` field (older converters wrote none)."""
    run_async(model.save(f"file://{path}"))
    model_json = path / "model.json"
    doc = json.loads(model_json.read_text())
    assert "format" in doc  # the field this test is about is really there before it is removed
    del doc["format"]
    model_json.write_text(json.dumps(doc))
    return f"file://{model_json}"


# --------------------------------------------------------------------------------------------- load_model


def test_load_model_without_format_loads_a_graph_topology_as_a_graph_model(tmp_path):
    url = save_without_format(gb.model(affine_topology(), weights=WEIGHTS), tmp_path)
    model = run_async(tf.load_model(url))
    assert isinstance(model, tf.GraphModel)
    assert model.artifacts.format is None
    y, z = model.execute({"x": X}, ["y", "z"])
    want_y, want_z = expected_outputs()
    np.testing.assert_allclose(y, want_y, rtol=1e-6)
    np.testing.assert_allclose(z, want_z, rtol=1e-6)
    # load_graph_model accepts the same file; load_layers_model does not take it for a layers model
    again = run_async(tf.load_graph_model(url))
    np.testing.assert_array_equal(again.execute({"x": X}, "z"), z)


def test_load_model_without_format_loads_a_keras_topology_as_a_layers_model(tmp_path):
    layers_model = tf.sequential(layers=[tf.layers.dense(units=3, activation="relu", input_shape=[4]),
                                         tf.layers.dense(units=2)])
    url = save_without_format(layers_model, tmp_path)
    model = run_async(tf.load_model(url))
    assert isinstance(model, tf.LayersModel) and not isinstance(model, tf.GraphModel)
    x = np.random.default_rng(3).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_array_equal(model.predict(x), layers_model.predict(x))
    # and the graph loader refuses it, naming the right function
    with pytest.raises(tf.errors.FormatError, match="load_layers_model"):
        run_async(tf.load_graph_model(url))


def test_load_model_follows_the_format_field_over_the_shape():
    # a graph topology labelled as a graph model, and one with no label: both graph models
    for fmt in ("graph-model", None):
        art = tf.io.ModelArtifacts(model_topology=affine_topology(), format=fmt,
                                   **dict(zip(("weight_data", "weight_specs"), tf.io.encode_weights(WEIGHTS))))
        assert isinstance(run_async(tf.load_model(tf.io.from_memory(art))), tf.GraphModel)
    # a Keras-shaped topology labelled 'graph-model' is taken at its word (and then fails as a graph)
    art = tf.io.ModelArtifacts(model_topology={"class_name": "Sequential", "config": {"layers": []}},
                               format="graph-model")
    with pytest.raises(tf.errors.FormatError, match="Graph model topology has no 'node' list"):
        run_async(tf.load_model(tf.io.from_memory(art)))


# --------------------------------------------------------------------------------------------- execute_async


def test_execute_async_is_execute():
    model = gb.model(affine_topology(), weights=WEIGHTS)
    want_y, want_z = expected_outputs()
    both = run_async(model.execute_async({"x": X}, ["y", "z"]))
    assert isinstance(both, list) and len(both) == 2
    np.testing.assert_allclose(both[0], want_y, rtol=1e-6)
    np.testing.assert_allclose(both[1], want_z, rtol=1e-6)
    one = run_async(model.execute_async({"x": X}, "y"))
    np.testing.assert_array_equal(one, model.execute({"x": X}, "y"))
    # default outputs: the graph's (nodes nobody consumes: y is consumed by z, so z alone)
    assert model.output_nodes == ["z"]
    np.testing.assert_array_equal(run_async(model.execute_async(X)), both[1])
    with pytest.raises(ValueError, match="no output named 'nope'"):
        run_async(model.execute_async({"x": X}, "nope"))


# --------------------------------------------------------------------------------------------- model_version


def test_model_version_is_producer_dot_min_consumer(tmp_path):
    model = gb.model(affine_topology(min_consumer=12), weights=WEIGHTS)
    assert model.model_version == "1286.12"
    run_async(model.save(f"file://{tmp_path}"))
    again = run_async(tf.load_graph_model(f"file://{tmp_path}/model.json"))
    assert again.model_version == "1286.12"
    other = gb.model(gb.graph_def([gb.placeholder("x"), gb.node("y", "Neg", ["x"])], producer=27))
    assert other.model_version.startswith("27.")
    no_versions = gb.graph_def([gb.placeholder("x"), gb.node("y", "Neg", ["x"])])
    del no_versions["versions"]
    assert gb.model(no_versions).model_version == ""


# --------------------------------------------------------------------------------------------- weights


def test_weights_hold_every_const_with_name_shape_dtype_and_value(tmp_path):
    model = gb.model(affine_topology(), weights=WEIGHTS)
    assert sorted(model.weights) == ["b", "k", "w"]
    for name, want in WEIGHTS.items():
        got = model.weights[name]
        assert got.shape == want.shape and got.dtype == want.dtype, name
        np.testing.assert_array_equal(got, want)
    assert model.weights_map is model.weights
    # the same after a save and a load from files
    run_async(model.save(f"file://{tmp_path}"))
    again = run_async(tf.load_graph_model(f"file://{tmp_path}/model.json"))
    assert {n: (w.shape, str(w.dtype)) for n, w in again.weights.items()} == \
        {"w": ((3, 2), "float32"), "b": ((2,), "float32"), "k": ((2,), "int32")}
    for name, want in WEIGHTS.items():
        np.testing.assert_array_equal(again.weights[name], want)
    # inline Const values (no manifest entry) are not weights; the weights are what the graph runs with
    inline = gb.model(gb.graph_def([gb.placeholder("x", "float32", [2]), gb.const("c", np.ones(2, np.float32)),
                                    gb.node("y", "AddV2", ["x", "c"])]))
    assert inline.weights == {}
    changed = gb.model(affine_topology(), weights={**WEIGHTS, "b": BIAS + 10})
    np.testing.assert_allclose(changed.execute({"x": X}, "y"), expected_outputs()[0] + 10, rtol=1e-6)
    model.dispose()
    assert model.weights == {}


# --------------------------------------------------------------------------------------------- unsupported ops


def _missing_lines(text):
    return dict(re.findall(r"^  (\S+): (.*)$", text, re.M))


def test_unsupported_ops_list_every_node_name_even_in_big_graphs():
    nodes = [gb.placeholder("x", "float32", [2])]
    prev = "x"
    fancy = [f"block{i}/fancy" for i in range(120)]
    for name in fancy:
        nodes.append(gb.node(name, "FancyOp", [prev]))
        prev = name
    other = [f"head{i}/other" for i in range(7)]
    nodes += [gb.node(name, "OtherOp", [prev]) for name in other]
    nodes.append(gb.node("fine", "Relu", [prev]))
    body = gb.function("body_fn", [("a", "float32")], [("b", "float32", "inner:y:0")],
                       [gb.node("inner", "FancyOp", ["a"]), gb.node("ok", "Neg", ["a"])])
    with pytest.raises(UnsupportedOpsError) as info:
        gb.model(gb.graph_def(nodes, [body]))
    text = str(info.value)
    assert "uses 2 op(s) with no kernel" in text and "more" not in text
    lines = _missing_lines(text)
    assert set(lines) == {"FancyOp", "OtherOp"}
    assert lines["FancyOp"].split(", ") == fancy + ["function body_fn: inner"]
    assert lines["OtherOp"].split(", ") == other
    assert "Relu" not in text and "Neg" not in text and "fine" not in text


def test_unsupported_ops_in_the_initializer_are_reported_too():
    init = gb.graph_def([gb.node("t", "MutableHashTableV2", [], key_dtype=gb.dtype("string"),
                                 value_dtype=gb.dtype("int32"))])
    main = gb.graph_def([gb.placeholder("x", "float32", [2]), gb.node("a", "FancyOp", ["x"])])
    with pytest.raises(UnsupportedOpsError) as info:
        gb.model(main, model_initializer=init)
    lines = _missing_lines(str(info.value))
    assert lines == {"FancyOp": "a", "MutableHashTableV2": "initializer: t"}
