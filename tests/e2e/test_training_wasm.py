"""Training on the wasm backend: forward ops in the kernel module, gradients through the tape on the same numpy
buffers. The same start and data give the same weights and losses as on cpu (within 1e-4 relative), every
weight moved, and the forward pass really ran wasm kernels."""

from __future__ import annotations

import json

import numpy as np
import pytest

from harness import run_py

pytestmark = pytest.mark.e2e

PY = r"""
import json, numpy as np, tfjs as tf
from tfjs.backends import wasm
L = tf.layers

def conv():
    return tf.sequential(layers=[
        L.conv2d(filters=6, kernel_size=3, input_shape=[8, 8, 3], activation="relu", padding="same"),
        L.depthwise_conv2d(kernel_size=3, padding="same", activation="relu6"),
        L.max_pooling2d(pool_size=2), L.flatten(), L.dense(units=3, activation="softmax")])

rng = np.random.default_rng(7)
x = rng.standard_normal((32, 8, 8, 3)).astype("float32")
y = np.eye(3, dtype="float32")[rng.integers(0, 3, 32)]

async def train(backend, start):
    tf.set_backend(backend)
    m = conv(); m.set_weights(start)
    m.compile(optimizer=tf.train.adam(0.01), loss="categoricalCrossentropy")
    calls = None
    if backend == "wasm":
        be = wasm.current(); be.reset_stats()
    h = await m.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    if backend == "wasm":
        calls = be.wasm_calls
    w = [np.asarray(v, np.float32).reshape(-1).tolist() for v in m.get_weights()]
    tf.set_backend("cpu")
    return {"weights": w, "loss": [float(v) for v in h.history["loss"]], "wasm_calls": calls}

tf.set_backend("cpu")
start = [np.asarray(w, np.float32).copy() for w in conv().get_weights()]
json.dumps({"start": [w.reshape(-1).tolist() for w in start], "cpu": await train("cpu", start),
            "wasm": await train("wasm", start)})
"""


def _rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), 1e-6))


def test_wasm_training_matches_cpu_and_moves_every_weight(app_page):
    r = json.loads(run_py(app_page, PY))
    cpu, w = r["cpu"]["weights"], r["wasm"]["weights"]
    assert len(cpu) == len(w) == len(r["start"])
    assert max(_rel(a, b) for a, b in zip(w, cpu)) <= 1e-4, (r["cpu"]["loss"], r["wasm"]["loss"])
    np.testing.assert_allclose(r["wasm"]["loss"], r["cpu"]["loss"], rtol=1e-4)
    assert r["wasm"]["wasm_calls"] > 0
    for i, (s, v) in enumerate(zip(r["start"], w)):
        assert _rel(v, s) > 1e-3, f"weight {i} did not change on wasm"
    assert r["wasm"]["loss"][-1] < r["wasm"]["loss"][0]
