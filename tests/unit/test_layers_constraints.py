"""tf.constraints / tf.regularizers / tf.initializers as Python factories; constraints read from every form a
config holds them in, applied on write and after each optimizer step (TF.js comparisons:
tests/e2e/test_constraints_tfjs.py)."""

import numpy as np
import pytest

import tfjs as tf
from tfjs.errors import UnsupportedError
from tfjs.layers import constraints as C

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("identifier, cls, config", [
    ("maxNorm", C.MaxNorm, {"max_value": 2, "axis": 0}),
    ("max_norm", C.MaxNorm, {"max_value": 2, "axis": 0}),
    ("UnitNorm", C.UnitNorm, {"axis": 0}),
    ({"class_name": "MinMaxNorm", "config": {"minValue": 0.5, "maxValue": 3, "rate": 0.2, "axis": [0, 1]}},
     C.MinMaxNorm, {"min_value": 0.5, "max_value": 3, "rate": 0.2, "axis": [0, 1]}),
    ({"class_name": "NonNeg", "config": {}}, C.NonNeg, {}),
])
def test_constraints_read_from_strings_and_configs(identifier, cls, config):
    c = C.deserialize(identifier)
    assert isinstance(c, cls) and c.get_config() == config


def test_unknown_constraint_names_it():
    with pytest.raises(UnsupportedError, match="Unknown constraint: Clip"):
        C.deserialize({"class_name": "Clip", "config": {}})


def test_constraint_math():
    w = np.array([[3.0, 0.1], [4.0, -0.2]], np.float32)
    assert np.allclose(np.linalg.norm(C.max_norm(2.0).apply(w), axis=0), [2.0, np.hypot(0.1, 0.2)], atol=1e-6)
    assert np.allclose(np.linalg.norm(C.unit_norm(axis=1).apply(w), axis=1), 1.0, atol=1e-6)
    half = C.min_max_norm(min_value=1, max_value=2, rate=0.5).apply(w)
    assert np.allclose(np.linalg.norm(half, axis=0), [0.5 * 2 + 0.5 * 5, 0.5 * 1 + 0.5 * np.hypot(0.1, 0.2)],
                       atol=1e-5)
    assert C.non_neg().apply(w).min() == 0.0
    whole = C.max_norm(1.0, axis=[0, 1]).apply(w)
    assert np.isclose(np.linalg.norm(whole), 1.0, atol=1e-6)


def test_set_weights_and_training_keep_weights_constrained():
    m = tf.sequential(layers=[tf.layers.dense(units=3, input_shape=[4],
                                              kernel_constraint=tf.constraints.max_norm(max_value=0.5),
                                              bias_constraint="nonNeg")])
    k, b = m.get_weights()
    m.set_weights([k * 100, -np.abs(b) - 1])
    assert np.all(np.linalg.norm(m.get_weights()[0], axis=0) <= 0.5 + 1e-6)
    assert np.all(m.get_weights()[1] == 0)
    m.compile(optimizer=tf.train.sgd(1.0), loss="meanSquaredError")
    x = np.random.default_rng(0).normal(size=(8, 4)).astype(np.float32)
    from harness import run_async
    run_async(m.train_on_batch(x, np.full((8, 3), 10.0, np.float32)))
    k, b = m.get_weights()
    assert np.all(np.linalg.norm(k, axis=0) <= 0.5 + 1e-6) and np.all(b >= 0) and b.max() > 0


def test_regularizer_and_initializer_factories():
    assert tf.regularizers.l1().get_config() == {"l1": 0.01, "l2": 0}
    assert tf.regularizers.l1l2(l2=0.5).get_config() == {"l1": 0.01, "l2": 0.5}
    penalty = float(np.asarray(tf.regularizers.l1l2(l1=0.5, l2=2).apply(np.array([1.0, -2.0], np.float32))))
    assert np.isclose(penalty, 0.5 * 3 + 2 * 5)
    assert tf.initializers.glorot_uniform(seed=4).serialize() == {
        "class_name": "VarianceScaling",
        "config": {"scale": 1, "mode": "fan_avg", "distribution": "uniform", "seed": 4}}
    assert np.array_equal(tf.initializers.constant(0.25).apply([2, 3]), np.full((2, 3), 0.25, np.float32))
    assert np.array_equal(tf.initializers.identity(gain=3).apply([2, 2]), 3 * np.eye(2, dtype=np.float32))
    values = tf.initializers.random_uniform(minval=1, maxval=2).apply([100])
    assert values.min() >= 1 and values.max() <= 2
    layer = tf.layers.dense(units=2, kernel_initializer=tf.initializers.ones())
    assert layer.get_config()["kernel_initializer"] == {"class_name": "Ones", "config": {}}


def test_constraints_regularizers_and_initializers_are_callable():
    """TF.js users call them directly (``constraint.apply(w)``; Keras users ``constraint(w)``): both forms
    give the same values, for every subclass."""
    w = np.array([[3.0, 0.1], [4.0, -0.2]], np.float32)
    for c in (C.max_norm(2.0), C.unit_norm(axis=1), C.non_neg(), C.min_max_norm(min_value=1, max_value=2)):
        assert np.array_equal(c(w), c.apply(w)), c
    r = tf.regularizers.l1l2(l1=0.5, l2=2)
    assert np.isclose(float(np.asarray(r(w[0]))), 0.5 * 3.1 + 2 * (9 + 0.01))
    assert np.array_equal(tf.initializers.ones()([2]), np.ones(2, np.float32))
