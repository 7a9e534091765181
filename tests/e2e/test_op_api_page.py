"""The op API in the page (Pyodide): the booted page has not imported ``tfjs.api`` (the first op name does), and a
chain of op functions on the webgl backend passes its device tensors from call to call (no readback between them)
and gives the cpu backend's values (1e-4 relative to the largest value)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from harness import run_py

pytestmark = pytest.mark.e2e

PY = r"""
import json, sys, numpy as np
import tfjs as tf  # (the page imported it at boot)
after_import = "tfjs.api" in sys.modules

rng = np.random.default_rng(5)
x = rng.standard_normal((64, 48)).astype("float32")
w = rng.standard_normal((48, 40)).astype("float32")
b = rng.standard_normal(40).astype("float32")

def chain():
    h = tf.relu(tf.add(tf.mat_mul(x, w), b))
    device = bool(getattr(h, "__tfjs_tensor__", False))
    y = tf.concat([tf.softmax(h), tf.transpose(tf.reshape(h, [40, 64]))], 1)
    s = tf.sum(tf.mul(y, 2), 1, True)
    m = tf.image.resize_bilinear(tf.reshape(h, [1, 64, 40, 1]), [32, 20])
    return device, [np.asarray(v, np.float32).reshape(-1).tolist() for v in (h, y, s, m)]

tf.set_backend("cpu")
_, cpu = chain()
tf.set_backend("webgl")
device, gl = chain()
tf.set_backend("cpu")
json.dumps({"after_import": after_import, "after_use": "tfjs.api" in sys.modules,
            "device": device, "cpu": cpu, "webgl": gl})
"""


def test_op_api_chain_on_webgl_matches_cpu(app_page):
    out = json.loads(run_py(app_page, PY))
    assert not out["after_import"] and out["after_use"]
    assert out["device"], "the webgl backend's mat_mul gave a host array: the chain would read back each step"
    for k, (got, want) in enumerate(zip(out["webgl"], out["cpu"])):
        got, want = np.asarray(got), np.asarray(want)
        assert got.shape == want.shape, k
        assert np.max(np.abs(got - want)) <= 1e-4 * max(np.max(np.abs(want)), 1.0), k
