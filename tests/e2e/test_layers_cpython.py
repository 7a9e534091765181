"""TF.js models saved in the page, written to disk as model.json + weights.bin, loaded under CPython through
``file://`` URLs (the file system handler), predicted with both matrix-product paths; round trips through
``file://`` and the model store over ``http://``."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

import tfjs as tf
from harness import add_reference_tfjs, run_async
from test_layers_tfjs import BUILD_JS, CASES, TOL

pytestmark = pytest.mark.e2e

EXPORT_JS = """(ids) => {
  const b64 = (buf) => { const u = new Uint8Array(buf); let s = '';
    for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode.apply(null, u.subarray(i, i + 8192));
    return btoa(s); };
  const out = {};
  for (const id of ids) {
    const c = globalThis.__layerCases[id], a = c.artifacts;
    const wd = Array.isArray(a.weightData) ? a.weightData : [a.weightData];
    out[id] = {modelJson: JSON.stringify({modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy,
               convertedBy: null, weightsManifest: [{paths: ['weights.bin'], weights: a.weightSpecs}]}),
               weights: wd.map(b64),
               xs: c.xs.map(t => ({shape: t.shape, data: b64(new Float32Array(t.data).buffer)})),
               ys: c.ys.map(t => ({shape: t.shape, data: b64(new Float32Array(t.data).buffer)}))};
  }
  return out;
}"""


def _array(t):
    return np.frombuffer(base64.b64decode(t["data"]), np.float32).reshape(t["shape"])


@pytest.fixture(scope="module")
def exported(app_page, tmp_path_factory):
    add_reference_tfjs(app_page)
    built = app_page.evaluate(BUILD_JS, [[cid, code, inputs] for cid, (code, inputs) in CASES.items()])
    ok = [cid for cid, status in built.items() if status == "ok"]
    data = app_page.evaluate(EXPORT_JS, ok)
    root = tmp_path_factory.mktemp("tfjs-models")
    for cid, d in data.items():
        folder = root / cid
        folder.mkdir()
        (folder / "model.json").write_text(d["modelJson"])
        (folder / "weights.bin").write_bytes(b"".join(base64.b64decode(w) for w in d["weights"]))
        d["dir"] = folder
    return data


def _load_from_disk(folder):
    return run_async(tf.load_layers_model(f"file://{folder / 'model.json'}"))


@pytest.mark.parametrize("blas", ["scipy", "numpy"])
@pytest.mark.parametrize("case", list(CASES))
def test_saved_by_tfjs_loads_under_cpython(exported, case, blas):
    d = exported[case]
    tf.backends.cpu.use_blas(blas)
    try:
        model = _load_from_disk(d["dir"])
        xs = [_array(t) for t in d["xs"]]
        ys = model.predict(xs if len(xs) > 1 else xs[0])
    finally:
        tf.backends.cpu.use_blas("auto")
    ys = ys if isinstance(ys, list) else [ys]
    for y, ref in zip(ys, [_array(t) for t in d["ys"]]):
        assert y.shape == ref.shape
        assert np.max(np.abs(y - ref)) <= TOL * max(np.max(np.abs(ref)), 1e-6)


ROUND_TRIP = ["dense", "conv2d_same", "shared_and_nested", "bidirectional", "batchnorm", "lstm_state",
              "embedding_mask_gru"]


@pytest.mark.parametrize("case", ROUND_TRIP)
def test_round_trip_on_disk_keeps_topology_and_weights(exported, case, tmp_path):
    model = _load_from_disk(exported[case]["dir"])
    run_async(model.save(f"file://{tmp_path / 'copy'}"))
    assert sorted(p.name for p in (tmp_path / "copy").iterdir()) == ["model.json", "weights.bin"]
    again = _load_from_disk(tmp_path / "copy")
    assert again.to_json() == model.to_json()
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    # TF.js's model.json for the same model: the topology text is the same, byte for byte
    theirs = json.loads((exported[case]["dir"] / "model.json").read_text())["modelTopology"]
    ours = json.loads((tmp_path / "copy" / "model.json").read_text())["modelTopology"]
    assert tf.io.jsjson.stringify(ours) == tf.io.jsjson.stringify(theirs)


@pytest.mark.parametrize("case", ["dense", "merges", "lstm_state"])
def test_round_trip_through_the_model_store_over_http(exported, app_server, case):
    model = _load_from_disk(exported[case]["dir"])
    url = f"{app_server.url}api/models/cpython-{case}"
    handler = tf.io.http(url, request_init={"headers": {"Authorization": f"Bearer {app_server.token}"}})
    result = run_async(model.save(handler))
    assert result.responses[0].ok
    progress = []
    again = run_async(tf.load_layers_model(f"{url}/model.json", on_progress=progress.append))
    assert progress and progress[-1] == 1.0
    assert again.to_json() == model.to_json()
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
