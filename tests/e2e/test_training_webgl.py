"""Training on the webgl backend: the same start and data, a few steps of fit with tf.set_backend("webgl") and with
"cpu", give the same weights (within 1e-4 relative to each weight's largest value), and the weights moved.

During training the webgl kernels hand back GPU tensors; the tape records them like numpy arrays, so the gradient
flows back through every GPU intermediate to the weights (a step with a missing gradient would leave a weight at
its start, or shift optimizer slots, and the two runs would differ).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from harness import run_py

pytestmark = pytest.mark.e2e

TOL = 1e-4

PY = r"""
import json, numpy as np, tfjs as tf
from tfjs.backends import webgl
L = tf.layers

def dense():
    return tf.sequential(layers=[L.dense(units=16, input_shape=[12], activation="tanh"), L.dense(units=3)])

def conv():
    return tf.sequential(layers=[
        L.conv2d(filters=4, kernel_size=3, input_shape=[6, 6, 2], activation="relu", padding="same"),
        L.max_pooling2d(pool_size=2), L.flatten(), L.dense(units=3, activation="softmax")])

# batches above the webgl backend's small-input threshold (1024 elements), so the kernels run on the GPU
rng = np.random.default_rng(7)
DATA = {"dense": (rng.standard_normal((200, 12)).astype("float32"), rng.standard_normal((200, 3)).astype("float32"),
                  "meanSquaredError"),
        "conv": (rng.standard_normal((32, 6, 6, 2)).astype("float32"),
                 np.eye(3, dtype="float32")[rng.integers(0, 3, 32)], "categoricalCrossentropy")}

async def train(kind, backend, start):
    tf.set_backend(backend)
    m = dense() if kind == "dense" else conv()
    m.set_weights(start)
    m.compile(optimizer=tf.train.adam(0.01), loss=DATA[kind][2])
    x, y, _ = DATA[kind]
    stats = None
    if backend == "webgl":
        gl = webgl.current(); gl.stats.reset()
    h = await m.fit(x, y, epochs=2, batch_size=x.shape[0] // 2, shuffle=False, verbose=0)
    if backend == "webgl":
        stats = {"programs_run": gl.stats.programs_run, "fallbacks": sorted(gl.stats.fallbacks)}
    w = [np.asarray(v, np.float32).reshape(-1).tolist() for v in m.get_weights()]
    tf.set_backend("cpu")
    return {"weights": w, "loss": [float(v) for v in h.history["loss"]], "stats": stats}

out = {}
for kind in ("dense", "conv"):
    tf.set_backend("cpu")
    start = [np.asarray(w, np.float32).copy() for w in (dense() if kind == "dense" else conv()).get_weights()]
    out[kind] = {"start": [w.reshape(-1).tolist() for w in start],
                 "cpu": await train(kind, "cpu", start), "webgl": await train(kind, "webgl", start)}
json.dumps(out)
"""


def _rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), 1e-6))


@pytest.fixture(scope="module")
def runs(app_page):
    return json.loads(run_py(app_page, PY))


@pytest.mark.parametrize("kind", ["dense", "conv"])
def test_webgl_training_matches_cpu(runs, kind):
    r = runs[kind]
    cpu, gl = r["cpu"]["weights"], r["webgl"]["weights"]
    assert len(cpu) == len(gl) == len(r["start"])
    errs = [_rel(g, c) for g, c in zip(gl, cpu)]
    assert max(errs) <= TOL, (errs, r["cpu"]["loss"], r["webgl"]["loss"])
    np.testing.assert_allclose(r["webgl"]["loss"], r["cpu"]["loss"], rtol=1e-4)
    assert r["webgl"]["stats"]["programs_run"] > 0, r["webgl"]["stats"]  # the forward pass really ran on the GPU


@pytest.mark.parametrize("kind", ["dense", "conv"])
def test_webgl_training_moves_every_weight(runs, kind):
    r = runs[kind]
    for i, (s, w) in enumerate(zip(r["start"], r["webgl"]["weights"])):
        assert _rel(w, s) > 1e-3, f"weight {i} did not change on webgl"
    losses = r["webgl"]["loss"]
    assert losses[-1] < losses[0]
