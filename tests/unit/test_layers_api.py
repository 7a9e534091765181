"""Layers API under CPython: building, formats (TF.js, Keras 2, Keras 3), errors, custom layers, round trips."""

import json

import numpy as np
import pytest

import tfjs as tf
from harness import run_async
from tfjs.errors import FormatError, UnsupportedError


def load(artifacts, **kw):
    return run_async(tf.load_layers_model(tf.io.from_memory(artifacts), **kw))


def save(model):
    out = []
    run_async(model.save(tf.io.with_save_handler(lambda a: out.append(a))))
    return out[0]


def small_model():
    return tf.sequential(layers=[tf.layers.dense(units=3, activation="relu", input_shape=[4]),
                                 tf.layers.dense(units=2, activation="softmax")])


def test_sequential_predict_summary_and_weights():
    m = small_model()
    x = np.random.default_rng(0).standard_normal((5, 4)).astype("f4")
    y = m.predict(x, batch_size=2)
    assert y.shape == (5, 2) and y.dtype == np.float32
    np.testing.assert_allclose(y.sum(-1), 1, rtol=1e-5)
    np.testing.assert_allclose(m.predict_on_batch(x), y, rtol=1e-6)
    assert m.count_params() == 4 * 3 + 3 + 3 * 2 + 2
    lines = []
    m.summary(print_fn=lines.append)
    assert lines[1].startswith("Layer (type)") and "Total params: 23" in lines
    names = [w.name for w in m.weights]
    d1, d2 = m.layers
    assert names == [f"{d1.name}/kernel", f"{d1.name}/bias", f"{d2.name}/kernel", f"{d2.name}/bias"]
    assert m.get_layer(d2.name) is d2
    with pytest.raises(ValueError, match="expected .* to have shape \\[null,4\\] but got array with shape \\[5,3\\]"):
        m.predict(np.zeros((5, 3), "f4"))


def test_save_load_round_trip_identical():
    m = small_model()
    art = save(m)
    assert art.format == "layers-model" and "tfjs-layers v4.22.0" in art.generated_by
    assert art.model_topology["keras_version"] == "tfjs-layers 4.22.0"
    assert art.model_topology["backend"] == "tensor_flow.js"
    m2 = load(art)
    assert m2.to_json() == m.to_json()
    assert save(m2).weight_data == art.weight_data
    x = np.ones((2, 4), "f4")
    np.testing.assert_array_equal(m2.predict(x), m.predict(x))


def test_functional_multi_io_shared_and_nested():
    inner = tf.sequential(layers=[tf.layers.dense(units=3, input_shape=[3])])
    a, b = tf.input(shape=[3]), tf.input(shape=[3])
    shared = tf.layers.dense(units=3)
    out = tf.layers.concatenate().apply([inner.apply(shared.apply(a)), inner.apply(shared.apply(b))])
    m = tf.model(inputs=[a, b], outputs=[out, shared.apply(a)])
    xa, xb = np.ones((2, 3), "f4"), np.zeros((2, 3), "f4")
    y1, y2 = m.predict([xa, xb])
    assert y1.shape == (2, 6) and y2.shape == (2, 3)
    m2 = load(save(m))
    for p, q in zip(m2.predict([xa, xb]), [y1, y2]):
        np.testing.assert_allclose(p, q, rtol=1e-6)
    assert m2.to_json() == m.to_json()


def keras2_topology():
    return {"keras_version": "2.4.0", "backend": "tensorflow", "model_config": {"class_name": "Functional", "config": {
        "name": "model", "layers": [
            {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
             "config": {"batch_input_shape": [None, 2], "dtype": "float32", "sparse": False, "name": "input_1"}},
            {"class_name": "Dense", "name": "dense", "inbound_nodes": [[["input_1", 0, 0, {}]]],
             "config": {"name": "dense", "trainable": True, "dtype": "float32", "units": 1, "activation": "linear",
                        "use_bias": True, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
                        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
                        "bias_constraint": None}}],
        "input_layers": [["input_1", 0, 0]], "output_layers": [["dense", 0, 0]]}}}


def keras3_topology():
    tensor = {"class_name": "__keras_tensor__", "config": {"shape": [None, 2], "dtype": "float32",
                                                         "keras_history": ["input_layer", 0, 0]}}
    return {"class_name": "Functional", "config": {"name": "functional", "layers": [
        {"module": "keras.layers", "class_name": "InputLayer", "name": "input_layer", "inbound_nodes": [],
         "registered_name": None,
         "config": {"batch_shape": [None, 2], "dtype": "float32", "sparse": False, "name": "input_layer"}},
        {"module": "keras.layers", "class_name": "Dense", "name": "dense", "registered_name": None,
         "inbound_nodes": [{"args": [tensor], "kwargs": {}}],
         "config": {"name": "dense", "trainable": True,
                    "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}},
                    "units": 1, "activation": "linear", "use_bias": True,
                    "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                                           "config": {"seed": None}, "registered_name": None},
                    "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {},
                                         "registered_name": None}}}],
        "input_layers": ["input_layer", 0, 0], "output_layers": ["dense", 0, 0]}}


@pytest.mark.parametrize("topology", [keras2_topology(), keras3_topology()], ids=["keras2", "keras3"])
def test_keras_converter_formats(topology):
    w = {"dense/kernel": np.array([[2.0], [3.0]], "f4"), "dense/bias": np.array([1.0], "f4")}
    data, specs = tf.io.encode_weights(w)
    m = load(tf.io.ModelArtifacts(model_topology=topology, weight_specs=specs, weight_data=data))
    np.testing.assert_allclose(m.predict(np.array([[1, 1]], "f4")), [[6.0]])


def test_keras_cell_weight_names_map_onto_layer_weights():
    m = tf.sequential(layers=[tf.layers.lstm(units=2, input_shape=[3, 2], name="lstm")])
    named = {"lstm/lstm_cell/" + w.name.split("/")[-1]: w.read() + 1 for w in m.weights}
    m.load_weights(named)
    np.testing.assert_array_equal(m.weights[0].read(), named["lstm/lstm_cell/kernel"])


def test_strict_weight_errors():
    m = small_model()
    art = save(m)
    specs = art.weight_specs
    values = tf.io.decode_weights(art.weight_data, specs)
    extra = dict(values, **{"nope/kernel": np.zeros(1, "f4")})
    with pytest.raises(FormatError, match="Provided weight data has no target variable: nope/kernel"):
        m.load_weights(extra)
    missing = dict(list(values.items())[:2])
    with pytest.raises(FormatError, match="2 of 4 weights are not set: "):
        m.load_weights(missing)
    m.load_weights(missing, strict=False)


def test_graph_model_is_refused_with_a_pointer():
    with pytest.raises(FormatError, match="load_graph_model"):
        load(tf.io.ModelArtifacts(model_topology={"node": []}, format="graph-model"))


def test_unknown_layer_names_class_and_how_to_register():
    topo = keras2_topology()
    topo["model_config"]["config"]["layers"][1]["class_name"] = "Doubler"
    with pytest.raises(UnsupportedError, match=r"(?s)Unknown layer: Doubler.*tf.layers.register\('Doubler'"):
        load(tf.io.ModelArtifacts(model_topology=topo))

    class Doubler(tf.layers.Layer):
        def call(self, inputs, **kwargs):
            return inputs * 2

    m = load(tf.io.ModelArtifacts(model_topology=topo), custom_objects={"Doubler": Doubler})
    np.testing.assert_array_equal(m.predict(np.ones((1, 2), "f4")), [[2, 2]])
    tf.layers.register("Doubler", Doubler)
    assert load(tf.io.ModelArtifacts(model_topology=topo)).layers[1].get_class_name() == "Doubler"


def test_activations_and_channels_first():
    x = np.linspace(-3, 3, 12, dtype="f4").reshape(2, 6)
    for name in ["elu", "selu", "relu", "relu6", "linear", "sigmoid", "hard_sigmoid", "softplus", "softsign",
                 "tanh", "softmax", "log_softmax", "gelu", "gelu_new", "mish", "swish"]:
        y = tf.layers.activation(activation=name)(x)
        assert y.shape == x.shape and np.all(np.isfinite(y)), name
    np.testing.assert_allclose(tf.layers.activation(activation="hardSigmoid")(x), np.clip(0.2 * x + 0.5, 0, 1))
    conv_last = tf.layers.conv2d(filters=2, kernel_size=3, padding="same")
    xl = np.random.default_rng(1).standard_normal((1, 5, 5, 3)).astype("f4")
    yl = conv_last(xl)
    conv_first = tf.layers.conv2d(filters=2, kernel_size=3, padding="same", data_format="channels_first")
    conv_first(np.moveaxis(xl, -1, 1))
    conv_first.set_weights(conv_last.get_weights())
    np.testing.assert_allclose(np.moveaxis(conv_first(np.moveaxis(xl, -1, 1)), 1, -1), yl, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("blas", ["numpy", "scipy"])
def test_both_blas_paths_give_the_same_model_output(blas):
    m = tf.sequential(layers=[tf.layers.conv2d(filters=4, kernel_size=3, input_shape=[8, 8, 3]),
                              tf.layers.flatten(), tf.layers.dense(units=3)])
    x = np.random.default_rng(2).standard_normal((2, 8, 8, 3)).astype("f4")
    tf.backends.cpu.use_blas("numpy")
    ref = m.predict(x)
    tf.backends.cpu.use_blas(blas)
    try:
        np.testing.assert_allclose(m.predict(x), ref, rtol=1e-5, atol=1e-5)
    finally:
        tf.backends.cpu.use_blas("auto")


def test_sequential_pop_restores_the_previous_output():
    m = tf.sequential(layers=[tf.layers.dense(units=3, input_shape=[4], activation="relu"),
                              tf.layers.dense(units=5), tf.layers.dense(units=2)])
    first = m.layers[0]
    x = np.random.default_rng(3).standard_normal((2, 4)).astype("f4")
    m.pop()
    assert len(m.layers) == 2 and m.outputs[0].shape == (None, 5)
    assert m.predict(x).shape == (2, 5)
    assert [l["class_name"] for l in m.to_json(return_string=False)["config"]["layers"]] == ["Dense", "Dense"]
    m.pop()
    np.testing.assert_array_equal(m.predict(x), first(x))
    assert m.count_params() == 4 * 3 + 3 and first.outbound_nodes == []
    m.add(tf.layers.dense(units=1))
    assert m.predict(x).shape == (2, 1) and len(load(save(m)).layers) == 2
    m.pop()
    m.pop()
    assert m.layers == [] and m.outputs == []
    with pytest.raises(TypeError, match="There are no layers in the model."):
        m.pop()


def test_predict_names_the_input_layer_and_the_shapes():
    a, b = tf.input(shape=[3], name="left"), tf.input(shape=[2, 2], name="right")
    m = tf.model(inputs=[a, b], outputs=tf.layers.concatenate().apply([a, tf.layers.flatten().apply(b)]),
                 name="pair")
    good = [np.ones((2, 3), "f4"), np.ones((2, 2, 2), "f4")]
    assert m.predict(good).shape == (2, 7)
    with pytest.raises(ValueError, match=r"expected right \(input layer 'right' of model 'pair'\) to have 3 "
                                         r"dimension\(s\), with shape \[null,2,2\], but got array with shape \[2,4\]"):
        m.predict([good[0], np.ones((2, 4), "f4")])
    with pytest.raises(ValueError, match=r"expected left to have shape \[null,3\] but got array with shape \[2,4\] "
                                         r"\(input layer 'left' of model 'pair'\)"):
        m.predict([np.ones((2, 4), "f4"), good[1]])
    with pytest.raises(ValueError, match=r"expected left .* to get numbers \(float32\) but got an array of dtype "
                                         r"<U1 with shape \[2,3\]"):
        m.predict([np.full((2, 3), "a"), good[1]])
    with pytest.raises(ValueError, match=r"model 'pair' expects 2 input array\(s\) \(left, right\) but got 1"):
        m.predict(good[0])
    # integer inputs (token ids) are taken and converted, as TF.js does
    np.testing.assert_array_equal(m.predict([np.ones((2, 3), "i4"), good[1]]), m.predict(good))
