"""Recurrent cells and the generic RNN layer under CPython: built in Python, TF.js's weight names and configs,
the layers built on the cells, initial states, cells written in Python."""

from __future__ import annotations

import numpy as np
import pytest

import tfjs as tf
from harness import run_async

RNG = np.random.default_rng(11)


def round_trip(model, **kw):
    saved = []
    run_async(model.save(tf.io.with_save_handler(lambda a: saved.append(a))))
    again = run_async(tf.load_layers_model(tf.io.from_memory(saved[0]), **kw))
    assert again.to_json() == model.to_json()
    return again


@pytest.mark.parametrize("layer,cell", [("simple_rnn", "simple_rnn_cell"), ("gru", "gru_cell"), ("lstm", "lstm_cell")])
def test_rnn_of_a_cell_equals_the_matching_layer(layer, cell):
    x = RNG.standard_normal((3, 5, 2)).astype("f4")
    ref = tf.sequential(layers=[getattr(tf.layers, layer)(units=4, input_shape=[5, 2], return_sequences=True)])
    rnn = tf.layers.rnn(cell=getattr(tf.layers, cell)(units=4), input_shape=[5, 2], return_sequences=True)
    m = tf.sequential(layers=[rnn])
    m.set_weights(ref.get_weights())
    np.testing.assert_allclose(m.predict(x), ref.predict(x), rtol=1e-6, atol=1e-6)
    assert [w.name for w in m.weights] == [f"{rnn.name}/kernel", f"{rnn.name}/recurrent_kernel", f"{rnn.name}/bias"]
    config = rnn.get_config()
    assert config["cell"]["class_name"] == getattr(tf.layers, cell)(units=1).get_class_name()
    assert list(config)[:3] == ["name", "trainable", "units"] and config["name"] == rnn.name
    assert list(ref.layers[0].get_config())[:5] == ["name", "trainable", "batch_input_shape", "dtype", "units"]
    np.testing.assert_array_equal(round_trip(m).predict(x), m.predict(x))


def test_cells_step_by_themselves():
    cell = tf.layers.lstm_cell(units=3)
    x, h, c = (RNG.standard_normal(s).astype("f4") for s in [(2, 4), (2, 3), (2, 3)])
    out, h1, c1 = cell([x, h, c])
    assert cell.state_size == [3, 3] and out.shape == (2, 3)
    np.testing.assert_array_equal(out, h1)
    k, rk, b = cell.get_weights()
    z = x @ k + h @ rk + b
    hs = lambda v: np.clip(0.2 * v + 0.5, 0, 1)  # noqa: E731 - TF.js's default recurrent activation
    c_ref = hs(z[:, 3:6]) * c + hs(z[:, :3]) * np.tanh(z[:, 6:9])
    np.testing.assert_allclose(c1, c_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h1, hs(z[:, 9:]) * np.tanh(c_ref), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"LSTMCell '.*': expected \[inputs, 2 state\(s\)\], got 2 array\(s\)"):
        cell([x, h])


def test_stacked_cells_weight_names_state_order_and_config():
    cells = [tf.layers.simple_rnn_cell(units=3), tf.layers.lstm_cell(units=2)]
    i = tf.input(shape=[4, 5])
    rnn = tf.layers.rnn(cell=cells, return_state=True)
    outs = rnn.apply(i)
    m = tf.model(inputs=i, outputs=outs)
    assert rnn.cell.get_class_name() == "StackedRNNCells" and rnn.cell.state_size == [2, 2, 3]
    assert [w.name.split("/", 1)[1] for w in m.weights] == [
        "RNNCell_0/kernel", "RNNCell_0/recurrent_kernel", "RNNCell_0/bias",
        "RNNCell_1/kernel", "RNNCell_1/recurrent_kernel", "RNNCell_1/bias"]
    assert [list(o.shape) for o in m.outputs] == [[None, 2], [None, 2], [None, 2], [None, 3]]
    x = RNG.standard_normal((2, 4, 5)).astype("f4")
    y, h2, c2, h1 = m.predict(x)
    np.testing.assert_array_equal(y, h2)
    # by hand: cell 0 then cell 1 at each step
    s1, s2 = [np.zeros((2, 3), "f4")], [np.zeros((2, 2), "f4")] * 2
    for t in range(4):
        o1, *s1 = cells[0]([x[:, t]] + s1)
        _, *s2 = cells[1]([o1] + s2)
    np.testing.assert_allclose(h1, s1[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c2, s2[1], rtol=1e-5, atol=1e-6)
    config = rnn.get_config()
    assert [c["class_name"] for c in config["cells"]] == ["SimpleRNNCell", "LSTMCell"]
    assert config["cell"]["class_name"] == "StackedRNNCells"
    again = round_trip(m)
    for p, q in zip(again.predict(x), m.predict(x)):
        np.testing.assert_array_equal(p, q)


def test_initial_state_as_extra_inputs():
    x, h, c = tf.input(shape=[5, 3]), tf.input(shape=[4]), tf.input(shape=[4])
    lstm = tf.layers.lstm(units=4, return_sequences=True)
    m = tf.model(inputs=[x, h, c], outputs=lstm.apply(x, initial_state=[h, c]))
    config = m.get_config()
    assert [ref[0] for ref in config["layers"][-1]["inbound_nodes"][0]] == [l.name for l in m.input_layers]
    xs = [RNG.standard_normal(s).astype("f4") for s in [(2, 5, 3), (2, 4), (2, 4)]]
    y = m.predict(xs)
    # the same as running the layer on arrays with the states given
    np.testing.assert_allclose(y, lstm.call(xs), rtol=1e-6)
    assert np.abs(y - lstm.call(xs[0])).max() > 1e-3  # the states matter
    np.testing.assert_array_equal(round_trip(m).predict(xs), y)
    with pytest.raises(ValueError, match=r"LSTM '.*': RNN Layer has 2 state\(s\) but was passed 1 initial state"):
        tf.layers.lstm(units=4).apply(x, initial_state=[h])
    with pytest.raises(ValueError, match=r"initial state 0 must have shape \[null,3\], got \[null,4\]"):
        tf.layers.gru(units=3).apply(x, initial_state=h)


def test_a_cell_written_in_python():
    class Accumulate(tf.layers.Layer):
        """Adds the input to its state; state_size and call([x, *states]) are all a cell needs."""

        state_size = [2]

        def call(self, inputs, **kwargs):
            x, s = inputs
            return [s + x, s + x]

    x = RNG.standard_normal((3, 6, 2)).astype("f4")
    m = tf.sequential(layers=[tf.layers.rnn(cell=Accumulate(), input_shape=[6, 2], return_sequences=True,
                                            go_backwards=True)])
    np.testing.assert_allclose(m.predict(x), np.cumsum(x[:, ::-1], axis=1), rtol=1e-6)
    with pytest.raises(Exception, match="Unknown layer: Accumulate"):
        round_trip(m)
    np.testing.assert_array_equal(round_trip(m, custom_objects={"Accumulate": Accumulate}).predict(x), m.predict(x))


def test_rnn_errors_name_the_layer_and_shapes():
    with pytest.raises(ValueError, match=r"SimpleRNN '.*': expected input of rank 3 \[batch, time, features\], got "
                                         r"shape \[null,4\]"):
        tf.layers.simple_rnn(units=2).apply(tf.input(shape=[4]))
    with pytest.raises(ValueError, match="cell property is missing"):
        tf.layers.rnn(cell=None)
    with pytest.raises(TypeError, match="the argument 'units' is required"):
        tf.layers.lstm(return_sequences=True)
