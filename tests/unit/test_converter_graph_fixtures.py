"""Issue 5's fixtures: graph models made by the official converter from SavedModels with TF 2 control flow
(tf.cond, tf.while_loop; kept as If/While or lowered to v1 Switch/Merge), tf.compat.v1 control flow and a
StaticHashTable. Loaded here with tfjs.load_graph_model and compared with TensorFlow's outputs
(tests/fixtures/make_graph_fixtures.py made them; tests/e2e/test_converter_page.py runs them in TF.js)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from harness import run_async

import tfjs

pytestmark = pytest.mark.needs_tf

GRAPH = Path(__file__).resolve().parent.parent / "fixtures" / "graph"
NAMES = sorted(p.name for p in GRAPH.iterdir() if (p / "model.json").exists())


def to_array(spec):
    if spec["dtype"] == "string":
        return np.array([v.encode() for v in spec["values"]], dtype=object).reshape(spec["shape"])
    return np.array(spec["values"], dtype=spec["dtype"]).reshape(spec["shape"])


def test_fixtures_present():
    assert {"cond_v1", "cond_v2", "while_v1", "while_v2", "hash_table", "compat_v1"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_fixture_predicts_like_tensorflow(name):
    expected = json.loads((GRAPH / name / "expected_outputs.json").read_text())
    model = run_async(tfjs.load_graph_model(f"file://{GRAPH / name / 'model.json'}"))
    for case in expected["cases"]:
        inputs = {k: to_array(v) for k, v in case["inputs"].items()}
        out = model.predict(inputs)
        if not isinstance(out, dict):
            keys = sorted(case["outputs"])
            out = dict(zip(keys, out if isinstance(out, (list, tuple)) else [out]))
        for key, spec in case["outputs"].items():
            got = np.asarray(out[key])
            want = to_array(spec)
            assert list(got.shape) == list(want.shape), (name, key)
            if spec["dtype"] == "float32":
                np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5, err_msg=f"{name}:{key}")
            else:
                np.testing.assert_array_equal(got.astype(want.dtype), want, err_msg=f"{name}:{key}")
