"""Real published layers models: @upscalerjs/default-model@1.0.0 and @upscalerjs/esrgan-slim@1.0.0 (x2, x3, x4,
x8), Keras 2.10 Functional models written by the TF.js converter (``model_config`` inside ``modelTopology``:
Conv2D, Activation, Add, Concatenate, UpSampling2D; no custom layer classes - the RDN variants these packages ship
need none).

The same files (npm dev dependencies, served by the app under reference/models/upscaler/) are loaded by TF.js
(``tf.loadLayersModel`` from the URL) and by us, in the page from the same URL and under CPython from a copy on disk
through ``file://``; on the same random input (the models' input range, 0-255) the outputs agree within 1e-4
relative to the output's scale. What we save of them to ``indexeddb://`` TF.js loads and runs the same.
"""

from __future__ import annotations

import base64
import json
import shutil

import numpy as np
import pytest

import tfjs as tf
from harness import ROOT, add_reference_tfjs, run_async, run_py

pytestmark = pytest.mark.e2e

TOL = 1e-4
MODELS = {"default": "@upscalerjs/default-model/models",
          **{f"esrgan-slim-x{s}": f"@upscalerjs/esrgan-slim/models/x{s}" for s in (2, 3, 4, 8)}}
SCALES = {"default": 2, "esrgan-slim-x2": 2, "esrgan-slim-x3": 3, "esrgan-slim-x4": 4, "esrgan-slim-x8": 8}
INPUT_SHAPE = [1, 18, 14, 3]

TFJS_JS = """async ([names, base, shape]) => {
  const b64 = (arr) => { const u = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength); let s = '';
    for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode.apply(null, u.subarray(i, i + 8192));
    return btoa(s); };
  globalThis.__ups = {};
  const out = {};
  for (const name of names) {
    const t0 = performance.now();
    const m = await tf.loadLayersModel(base + name + '/model.json');
    const x = tf.randomUniform(shape, 0, 255, 'float32', 17);
    const y = m.predict(x);
    const xd = x.dataSync(), yd = y.dataSync();
    globalThis.__ups[name] = {x: xd, y: yd, yshape: y.shape};
    out[name] = {x: b64(xd), y: b64(yd), yshape: y.shape, ms: performance.now() - t0,
                 weightNames: m.weights.map(w => w.originalName), nLayers: m.layers.length};
  }
  return out;
}"""

OURS_PY = """
import json, js, numpy as np, tfjs as tf
from tfjs import platform

def arr(typed, shape):
    return np.frombuffer(platform.to_bytes(typed), np.float32).reshape(shape)

report = {}
for name in json.loads(NAMES):
    c = getattr(js.globalThis.__ups, name)
    progress = []
    m = await tf.load_layers_model(BASE + name + "/model.json", on_progress=progress.append)
    y = m.predict(arr(c.x, SHAPE))
    ref = arr(c.y, [int(d) for d in c.yshape])
    report[name] = {"shape": list(y.shape), "ref_shape": list(ref.shape),
                    "rel_err": float(np.max(np.abs(y - ref)) / max(float(np.max(np.abs(ref))), 1e-6)),
                    "weight_names": [w.name for w in m.weights], "progress": progress,
                    "classes": sorted({l.get_class_name() for l in m.layers})}
    if name in SAVE:
        await m.save("indexeddb://upscaler-ours-" + name)
json.dumps(report)
"""

TFJS_RELOAD_JS = """async (names) => {
  const out = {};
  for (const name of names) {
    const c = globalThis.__ups[name];
    const m = await tf.loadLayersModel('indexeddb://upscaler-ours-' + name);
    const y = m.predict(tf.tensor(c.x, %s)).dataSync();
    let mx = 1e-6, d = 0;
    for (let k = 0; k < c.y.length; k++) {
      mx = Math.max(mx, Math.abs(c.y[k])); d = Math.max(d, Math.abs(y[k] - c.y[k])); }
    out[name] = {rel_err: d / mx, n: y.length};
  }
  return out;
}""" % json.dumps(INPUT_SHAPE)

SAVE = ["default", "esrgan-slim-x4"]


@pytest.fixture(scope="module")
def base(app_server):
    return f"{app_server.url}reference/models/upscaler/"


@pytest.fixture(scope="module")
def theirs(app_page, base):
    add_reference_tfjs(app_page)
    return app_page.evaluate(TFJS_JS, [list(MODELS), base, INPUT_SHAPE])


@pytest.fixture(scope="module")
def ours_in_page(app_page, theirs, base):
    code = (f"NAMES = {json.dumps(json.dumps(list(MODELS)))}\nBASE = {json.dumps(base)}\n"
            f"SHAPE = {json.dumps(INPUT_SHAPE)}\nSAVE = {json.dumps(SAVE)}\n") + OURS_PY
    return json.loads(run_py(app_page, code))


def _array(b64, shape):
    return np.frombuffer(base64.b64decode(b64), np.float32).reshape(shape)


def test_the_published_files_are_keras_converter_output():
    for name, src in MODELS.items():
        model_json = json.loads((ROOT / "node_modules" / src / "model.json").read_text())
        topology = model_json["modelTopology"]
        assert topology["keras_version"] == "2.10.0" and topology["model_config"]["class_name"] == "Functional"
        assert "TensorFlow.js Converter" in model_json["convertedBy"]


@pytest.mark.parametrize("name", list(MODELS))
def test_in_the_page_we_predict_what_tfjs_predicts(theirs, ours_in_page, name):
    r, t = ours_in_page[name], theirs[name]
    h, w = INPUT_SHAPE[1:3]
    assert r["shape"] == r["ref_shape"] == [1, h * SCALES[name], w * SCALES[name], 3]
    assert r["rel_err"] <= TOL, r["rel_err"]
    assert r["weight_names"] == t["weightNames"]
    assert r["classes"] == ["Activation", "Add", "Concatenate", "Conv2D", "InputLayer", "UpSampling2D"]


def test_on_progress_reports_the_http_load(ours_in_page):
    for name, r in ours_in_page.items():
        progress = r["progress"]
        assert progress and progress[-1] == 1.0 and progress == sorted(progress), (name, progress)


@pytest.mark.parametrize("name", SAVE)
def test_tfjs_runs_what_we_saved_to_indexeddb(app_page, ours_in_page, name):
    result = app_page.evaluate(TFJS_RELOAD_JS, [name])[name]
    assert result["rel_err"] <= TOL, result


@pytest.mark.parametrize("name", list(MODELS))
def test_under_cpython_from_disk_through_file_urls(theirs, tmp_path, name):
    folder = tmp_path / name
    shutil.copytree(ROOT / "node_modules" / MODELS[name], folder)
    model = run_async(tf.load_layers_model(f"file://{folder / 'model.json'}"))
    t = theirs[name]
    y = model.predict(_array(t["x"], INPUT_SHAPE))
    ref = _array(t["y"], t["yshape"])
    assert y.shape == ref.shape
    assert np.max(np.abs(y - ref)) <= TOL * np.max(np.abs(ref))
    # and back to disk: the saved copy loads with identical topology and weights
    run_async(model.save(f"file://{tmp_path / 'saved'}"))
    again = run_async(tf.load_layers_model(f"file://{tmp_path / 'saved' / 'model.json'}"))
    assert again.to_json() == model.to_json()
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
