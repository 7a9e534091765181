"""Training against the real TF.js 4.22 in the page, and a CNN trained from scratch in the browser.

- Same start, same data, no shuffling, no dropout: TF.js builds a dense, a conv and an LSTM model and saves it to
  ``indexeddb://``; for each optimizer TF.js loads it, compiles and fits a few steps, and Python in the same page
  loads the same model, compiles with the same optimizer and fits the same steps: the weights agree within 1e-4
  (relative to each weight's largest value).
- Save with the optimizer in Python, load in TF.js, fit one more epoch there: matches continuing here; the
  trainingConfig and optimizer weight specs are those TF.js writes itself.
- A small CNN trained from scratch by Python in the page on scikit-learn's digits (tests/fixtures/digits.npz)
  reaches at least 95% test accuracy; its loss curve is written to test-results/training/.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest

from harness import ROOT, add_reference_tfjs, run_py

pytestmark = pytest.mark.e2e

TOL = 1e-4
MODELS = {
    "dense": ("tf.sequential({layers: [tf.layers.dense({units: 8, inputShape: [5], activation: 'tanh'}), "
              "tf.layers.dense({units: 3})]})", [16, 5], [16, 3], "meanSquaredError"),
    "conv": ("tf.sequential({layers: [tf.layers.conv2d({filters: 4, kernelSize: 3, inputShape: [6, 6, 2], "
             "activation: 'relu', padding: 'same'}), tf.layers.maxPooling2d({poolSize: 2}), tf.layers.flatten(), "
             "tf.layers.dense({units: 3, activation: 'softmax'})]})", [12, 6, 6, 2], [12, 3],
             "categoricalCrossentropy"),
    "lstm": ("tf.sequential({layers: [tf.layers.lstm({units: 4, inputShape: [5, 3]}), tf.layers.dense({units: 2})]})",
             [8, 5, 3], [8, 2], "meanSquaredError"),
}
# optimizer id -> (TF.js expression, Python expression)
OPTIMIZERS = {
    "sgd": ("tf.train.sgd(0.1)", "tf.train.sgd(0.1)"),
    "momentum": ("tf.train.momentum(0.05, 0.9)", "tf.train.momentum(0.05, 0.9)"),
    "momentum_nesterov": ("tf.train.momentum(0.05, 0.9, true)", "tf.train.momentum(0.05, 0.9, True)"),
    "adagrad": ("tf.train.adagrad(0.1)", "tf.train.adagrad(0.1)"),
    "adadelta": ("tf.train.adadelta(1.0)", "tf.train.adadelta(1.0)"),
    "adam": ("tf.train.adam(0.01)", "tf.train.adam(0.01)"),
    "adamax": ("tf.train.adamax(0.01)", "tf.train.adamax(0.01)"),
    "rmsprop": ("tf.train.rmsprop(0.01)", "tf.train.rmsprop(0.01)"),
    # TF.js's centered RMSProp takes sqrt(ms - (mg^2 + epsilon)): NaN (in TF.js too) once the gradient's running
    # variance is below epsilon; a negative epsilon keeps the comparison finite.
    "rmsprop_centered": ("tf.train.rmsprop(0.01, 0.9, 0.5, -1e-6, true)",
                         "tf.train.rmsprop(0.01, 0.9, 0.5, -1e-6, True)"),
    "adam_string": ("'adam'", "'adam'"),
}
EPOCHS, BATCH = 2, None  # batch = half the samples: 4 steps

JS_SETUP = """async (models) => {
  await tf.setBackend('cpu');  // exact float32 arithmetic, as ours (webgl's shader math is looser)
  globalThis.__train = {};
  for (const [id, code, xs, ys] of models) {
    const m = (new Function('tf', 'return ' + code))(tf);
    await m.save(`indexeddb://train-${id}`);
    const x = tf.randomNormal(xs), y = id === 'conv' ? tf.oneHot(tf.randomUniform([ys[0]], 0, 3, 'int32'), 3)
        .cast('float32') : tf.randomNormal(ys);
    globalThis.__train[id] = {x: {shape: x.shape, data: Float32Array.from(x.dataSync())},
                           y: {shape: y.shape, data: Float32Array.from(y.dataSync())}};
  }
  return 'ok';
}"""

JS_FIT = """async ([id, loss, optimizers, epochs]) => {
  const out = {};
  const d = globalThis.__train[id];
  const x = tf.tensor(d.x.data, d.x.shape), y = tf.tensor(d.y.data, d.y.shape);
  for (const [oid, expr] of optimizers) {
    try {
      const m = await tf.loadLayersModel(`indexeddb://train-${id}`);
      m.compile({optimizer: (new Function('tf', 'return ' + expr))(tf), loss});
      const h = await m.fit(x, y, {epochs, batchSize: x.shape[0] / 2, shuffle: false, verbose: 0});
      out[oid] = {loss: h.history.loss, weights: m.getWeights().map(w => Array.from(w.dataSync()))};
    } catch (e) { out[oid] = {error: e.message}; }
  }
  return out;
}"""

PY_FIT = """
import json, js, numpy as np, tfjs as tf
from tfjs import platform
def arr(t):
    return np.frombuffer(platform.to_bytes(t.data), np.float32).reshape([int(s) for s in t.shape])
d = getattr(js.globalThis.__train, ID)
x, y = arr(d.x), arr(d.y)
out = {}
for oid, expr in OPTS:
    try:
        m = await tf.load_layers_model(f"indexeddb://train-{ID}")
        m.compile(optimizer=eval(expr), loss=LOSS)
        h = await m.fit(x, y, epochs=EPOCHS, batch_size=x.shape[0] // 2, shuffle=False, verbose=0)
        out[oid] = {"loss": h.history["loss"], "weights": [w.reshape(-1).tolist() for w in m.get_weights()]}
    except Exception as e:
        import traceback
        out[oid] = {"error": traceback.format_exc()[-1500:]}
json.dumps(out)
"""


@pytest.fixture(scope="module")
def page(app_page):
    add_reference_tfjs(app_page)
    app_page.evaluate(JS_SETUP, [[k, v[0], v[1], v[2]] for k, v in MODELS.items()])
    return app_page


def _rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), 1e-6))


@pytest.fixture(scope="module")
def fits(page):
    results = {}
    opts = [[k, v[0]] for k, v in OPTIMIZERS.items()]
    py_opts = [[k, v[1]] for k, v in OPTIMIZERS.items()]
    for mid, (_, _, _, loss) in MODELS.items():
        theirs = page.evaluate(JS_FIT, [mid, loss, opts, EPOCHS])
        ours = json.loads(run_py(page, f"ID = {mid!r}\nLOSS = {loss!r}\nOPTS = {py_opts!r}\nEPOCHS = {EPOCHS}\n"
                                       + PY_FIT))
        results[mid] = (theirs, ours)
    return results


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_same_weights_as_tfjs_after_training(fits, model, optimizer):
    theirs, ours = fits[model]
    t, o = theirs[optimizer], ours[optimizer]
    assert "error" not in t, t
    assert "error" not in o, o["error"]
    assert len(t["weights"]) == len(o["weights"])
    errs = [_rel(a, b) for a, b in zip(o["weights"], t["weights"])]
    assert max(errs) <= TOL, (errs, o["loss"], t["loss"])
    np.testing.assert_allclose(o["loss"], t["loss"], rtol=1e-4)


SAVE_PY = """
import json, js, numpy as np, tfjs as tf
from tfjs import io, platform
def arr(t):
    return np.frombuffer(platform.to_bytes(t.data), np.float32).reshape([int(s) for s in t.shape])
d = js.globalThis.__train.conv
x, y = arr(d.x), arr(d.y)
m = await tf.load_layers_model("indexeddb://train-conv")
m.compile(optimizer=tf.train.adam(0.01), loss="categoricalCrossentropy", metrics=["accuracy"])
await m.fit(x, y, epochs=2, batch_size=6, shuffle=False, verbose=0)
await m.save("indexeddb://py-trained-conv", include_optimizer=True)
saved = []
await m.save(io.with_save_handler(lambda a: saved.append(a)), include_optimizer=True)
a = saved[0]
h = await m.fit(x, y, epochs=1, batch_size=6, shuffle=False, verbose=0)
# and reloaded here: resumes the same
m2 = await tf.load_layers_model("indexeddb://py-trained-conv")
h2 = await m2.fit(x, y, epochs=1, batch_size=6, shuffle=False, verbose=0)
json.dumps({"weights": [w.reshape(-1).tolist() for w in m.get_weights()], "loss": h.history["loss"],
            "reloaded_weights": [w.reshape(-1).tolist() for w in m2.get_weights()],
            "training_config": a.training_config,
            "specs": [s for s in a.weight_specs if s.get("group") == "optimizer"]})
"""

TFJS_CONTINUE = """async () => {
  const d = globalThis.__train.conv;
  const x = tf.tensor(d.x.data, d.x.shape), y = tf.tensor(d.y.data, d.y.shape);
  const m = await tf.loadLayersModel('indexeddb://py-trained-conv');
  const h = await m.fit(x, y, {epochs: 1, batchSize: 6, shuffle: false, verbose: 0});
  // TF.js's own save with the optimizer, after the same training from the same start
  const t = await tf.loadLayersModel('indexeddb://train-conv');
  t.compile({optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy']});
  await t.fit(x, y, {epochs: 2, batchSize: 6, shuffle: false, verbose: 0});
  let art = null;
  await t.save(tf.io.withSaveHandler(async (a) => { art = a;
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}}; }), {includeOptimizer: true});
  return {weights: m.getWeights().map(w => Array.from(w.dataSync())), loss: h.history.loss,
          optimizer: m.optimizer.getClassName(), config: m.optimizer.getConfig(),
          training_config: art.trainingConfig, specs: art.weightSpecs.filter(s => s.group === 'optimizer')};
}"""


@pytest.fixture(scope="module")
def resumed(page, fits):
    ours = json.loads(run_py(page, SAVE_PY))
    theirs = page.evaluate(TFJS_CONTINUE)
    return ours, theirs


def test_saved_optimizer_resumes_in_tfjs(resumed):
    ours, theirs = resumed
    assert theirs["optimizer"] == "Adam"
    errs = [_rel(a, b) for a, b in zip(ours["weights"], theirs["weights"])]
    assert max(errs) <= TOL, errs
    np.testing.assert_allclose(ours["loss"], theirs["loss"], rtol=1e-4)


def test_saved_optimizer_resumes_here(resumed):
    ours, _ = resumed
    errs = [_rel(a, b) for a, b in zip(ours["reloaded_weights"], ours["weights"])]
    assert max(errs) <= 1e-6, errs


def test_training_config_and_optimizer_specs_as_tfjs_writes_them(resumed):
    import re

    ours, theirs = resumed
    assert ours["training_config"] == theirs["training_config"]
    # TF.js names a slot after the variable's unique name: 'kernel_12/m' once a page has loaded the model 12 times
    # (the first time, as in a fresh page, it is 'kernel/m', the name we write).
    strip = lambda specs: [dict(s, name=re.sub(r"_\d+(/[a-z_]+)$", r"\1", s["name"])) for s in specs]  # noqa: E731
    assert ours["specs"] == strip(theirs["specs"])
    assert [s["name"] for s in ours["specs"]][:3] == ["iter", "conv2d_Conv2D1/kernel/m", "conv2d_Conv2D1/bias/m"]


DIGITS_PY = """
import base64, io as _io, json, time, numpy as np, tfjs as tf
d = np.load(_io.BytesIO(base64.b64decode(DIGITS_B64)))
x = (d["x_train"].astype("float32") / 16)[..., None]
y = np.eye(10, dtype="float32")[d["y_train"]]
xt = (d["x_test"].astype("float32") / 16)[..., None]
yt = np.eye(10, dtype="float32")[d["y_test"]]
L = tf.layers
m = tf.sequential(layers=[
    L.conv2d(filters=16, kernel_size=3, activation="relu", padding="same", input_shape=[8, 8, 1]),
    L.max_pooling2d(pool_size=2),
    L.conv2d(filters=32, kernel_size=3, activation="relu", padding="same"),
    L.max_pooling2d(pool_size=2),
    L.flatten(), L.dropout(rate=0.2), L.dense(units=64, activation="relu"),
    L.dense(units=10, activation="softmax")])
m.compile(optimizer=tf.train.adam(0.005), loss="categoricalCrossentropy", metrics=["accuracy"])
curve = {"batch_loss": [], "epoch": []}
t0 = time.perf_counter()
h = await m.fit(x, y, epochs=10, batch_size=32, validation_split=0.1, verbose=0, callbacks=[
    {"on_batch_end": lambda b, logs: curve["batch_loss"].append(logs["loss"]),
     "on_epoch_end": lambda e, logs: curve["epoch"].append(dict(logs, epoch=e))}])
train_s = time.perf_counter() - t0
loss, acc = m.evaluate(xt, yt)
json.dumps({"test_loss": loss, "test_accuracy": acc, "history": h.history, "curve": curve, "train_s": train_s,
            "samples_per_s": 10 * int(x.shape[0] * 0.9) / train_s})
"""


def test_digits_cnn_trained_in_the_browser(app_page):
    data = (ROOT / "tests" / "fixtures" / "digits.npz").read_bytes()
    code = f"DIGITS_B64 = {base64.b64encode(data).decode()!r}\n" + DIGITS_PY
    r = json.loads(run_py(app_page, code))
    out = ROOT / "test-results" / "training"
    out.mkdir(parents=True, exist_ok=True)
    (out / "digits_cnn_loss_curve.json").write_text(json.dumps(r, indent=1))
    assert r["test_accuracy"] >= 0.95, r["test_accuracy"]
    losses = r["history"]["loss"]
    assert losses[-1] < losses[0] / 4
    assert len(r["curve"]["batch_loss"]) == 10 * int(np.ceil(int(1437 * 0.9) / 32))
