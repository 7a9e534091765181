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


# Saved BY TF.js with its optimizer after some training, loaded here, one more epoch here == TF.js's next epoch
RESUME_OPTIMIZERS = {"adam": "tf.train.adam(0.01)", "momentum": "tf.train.momentum(0.05, 0.9)",
                     "rmsprop": "tf.train.rmsprop(0.01, 0.9, 0.3)", "adagrad": "tf.train.adagrad(0.1)",
                     "adadelta": "tf.train.adadelta(1.0)"}

TFJS_SAVE_AND_CONTINUE = """async (optimizers) => {
  const d = globalThis.__train.conv;
  const x = tf.tensor(d.x.data, d.x.shape), y = tf.tensor(d.y.data, d.y.shape);
  const out = {};
  for (const [oid, expr] of optimizers) {
    const m = await tf.loadLayersModel('indexeddb://train-conv');
    m.compile({optimizer: (new Function('tf', 'return ' + expr))(tf), loss: 'categoricalCrossentropy',
               metrics: ['accuracy']});
    await m.fit(x, y, {epochs: 2, batchSize: 6, shuffle: false, verbose: 0});
    await m.save(`indexeddb://tfjs-trained-conv-${oid}`, {includeOptimizer: true});
    const before = m.getWeights().map(w => Array.from(w.dataSync()));
    const h = await m.fit(x, y, {epochs: 1, batchSize: 6, shuffle: false, verbose: 0});
    out[oid] = {before, weights: m.getWeights().map(w => Array.from(w.dataSync())), loss: h.history.loss,
                iterations: m.optimizer.iterations};
  }
  return out;
}"""

PY_RESUME_FROM_TFJS = """
import json, js, numpy as np, tfjs as tf
from tfjs import platform
def arr(t):
    return np.frombuffer(platform.to_bytes(t.data), np.float32).reshape([int(s) for s in t.shape])
d = js.globalThis.__train.conv
x, y = arr(d.x), arr(d.y)
out = {}
for oid in OIDS:
    m = await tf.load_layers_model(f"indexeddb://tfjs-trained-conv-{oid}")
    opt = m.optimizer
    restored = [n for n, _ in opt.get_weights()] if opt.get_class_name() != "Adamax" else []
    h = await m.fit(x, y, epochs=1, batch_size=6, shuffle=False, verbose=0)
    out[oid] = {"optimizer": opt.get_class_name(), "restored": restored, "iterations": int(opt.iterations),
                "weights": [w.reshape(-1).tolist() for w in m.get_weights()], "loss": h.history["loss"]}
json.dumps(out)
"""


@pytest.fixture(scope="module")
def resumed_from_tfjs(page):
    args = [[k, v] for k, v in RESUME_OPTIMIZERS.items()]
    theirs = page.evaluate(TFJS_SAVE_AND_CONTINUE, args)
    if any(_rel(a, b) == 0 for t in theirs.values() for a, b in zip(t["weights"], t["before"])):
        # TF.js's own third epoch left a weight exactly as it was (seen once in a long suite, never alone):
        # its reference run is drawn again, and saved again for ours to resume from
        theirs = page.evaluate(TFJS_SAVE_AND_CONTINUE, args)
    ours = json.loads(run_py(page, f"OIDS = {list(RESUME_OPTIMIZERS)!r}\n" + PY_RESUME_FROM_TFJS))
    return ours, theirs


@pytest.mark.parametrize("optimizer", list(RESUME_OPTIMIZERS))
def test_model_saved_by_tfjs_with_optimizer_resumes_here(resumed_from_tfjs, optimizer):
    ours, theirs = resumed_from_tfjs
    o, t = ours[optimizer], theirs[optimizer]
    assert o["optimizer"].lower() == optimizer
    assert o["restored"][0] == "iter" and len(o["restored"]) > 1  # the slots TF.js saved were restored
    # one epoch of 2 batches after TF.js's 2 epochs of 2 batches
    assert o["iterations"] == t["iterations"] == 6
    moved = [_rel(a, b) for a, b in zip(t["weights"], t["before"])]
    assert min(moved) > 1e-4, moved  # the epoch moved every weight: the comparison below is not trivial
    errs = [_rel(a, b) for a, b in zip(o["weights"], t["weights"])]
    assert max(errs) <= TOL, (errs, o["loss"], t["loss"])
    np.testing.assert_allclose(o["loss"], t["loss"], rtol=1e-4)


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


# ---------------------------------------------------------------------------------------------------- fit options
# A binary classifier whose hard-sigmoid output saturates to exactly 0 or 1 on most samples, so precision and
# recall (TF.js counts y_pred == 1 and y_pred == 0 exactly) see real counts. Each case: TF.js fits it from the saved
# start with the options, Python loads the same start and fits with the same options. Every initializer is seeded:
# the same start each run (near a hard-sigmoid kink, float32 rounding can grow past the tolerance from some starts).
FIT_OPTION_CASES = {
    "validation_data": ("{epochs: 2, batchSize: 8, shuffle: false, validationData: [vx, vy]}",
                        "epochs=2, batch_size=8, shuffle=False, validation_data=(vx, vy)"),
    "class_weight": ("{epochs: 2, batchSize: 8, shuffle: false, classWeight: {0: 1, 1: 3.5}}",
                     "epochs=2, batch_size=8, shuffle=False, class_weight={0: 1, 1: 3.5}"),
    "initial_epoch": ("{epochs: 3, initialEpoch: 1, batchSize: 8, shuffle: false}",
                      "epochs=3, initial_epoch=1, batch_size=8, shuffle=False"),
    # shuffled, one batch per epoch: the order inside the batch changes each epoch, the mean gradient does not
    "shuffle_full_batch": ("{epochs: 3, batchSize: 24, shuffle: true}", "epochs=3, batch_size=24, shuffle=True"),
}

JS_FIT_OPTIONS = """async (cases) => {
  const m0 = tf.sequential({layers: [tf.layers.dense({units: 4, inputShape: [3], activation: 'tanh',
    kernelInitializer: tf.initializers.glorotUniform({seed: 2})}),
    tf.layers.dense({units: 1, activation: 'hardSigmoid', kernelInitializer: tf.initializers.randomNormal(
      {stddev: 4, seed: 3})})]});
  await m0.save('indexeddb://fit-options');
  const x = tf.randomNormal([24, 3], 0, 2, 'float32', 5), vx = tf.randomNormal([10, 3], 0, 2, 'float32', 6);
  const y = tf.randomUniform([24, 1], 0, 2, 'int32', 7).cast('float32');
  const vy = tf.randomUniform([10, 1], 0, 2, 'int32', 8).cast('float32');
  const pack = t => ({shape: t.shape, data: Array.from(t.dataSync())});
  globalThis.__fitopt = {x: pack(x), y: pack(y), vx: pack(vx), vy: pack(vy)};
  const out = {data: globalThis.__fitopt, cases: {}};
  for (const [cid, opts] of cases) {
    const m = await tf.loadLayersModel('indexeddb://fit-options');
    m.compile({optimizer: tf.train.sgd(0.2), loss: 'binaryCrossentropy',
               metrics: ['accuracy', 'precision', tf.metrics.recall]});
    const o = (new Function('vx', 'vy', 'return ' + opts))(vx, vy);
    const h = await m.fit(x, y, o);
    out.cases[cid] = {epoch: h.epoch, history: h.history, weights: m.getWeights().map(w => Array.from(w.dataSync())),
                      pred: Array.from(m.predict(x).dataSync())};
  }
  return out;
}"""

PY_FIT_OPTIONS = """
import json, numpy as np, tfjs as tf
d = DATA
a = lambda k: np.asarray(d[k]["data"], np.float32).reshape(d[k]["shape"])
x, y, vx, vy = a("x"), a("y"), a("vx"), a("vy")
out = {}
for cid, opts in CASES:
    m = await tf.load_layers_model("indexeddb://fit-options")
    m.compile(optimizer=tf.train.sgd(0.2), loss="binaryCrossentropy", metrics=["accuracy", "precision", "recall"])
    h = eval(f"m.fit(x, y, verbose=0, {opts})")
    h = await h
    out[cid] = {"epoch": list(h.epoch), "history": {k: [float(v) for v in vs] for k, vs in h.history.items()},
                "weights": [w.reshape(-1).tolist() for w in m.get_weights()],
                "pred": np.asarray(m.predict(x)).reshape(-1).tolist()}
json.dumps(out)
"""


@pytest.fixture(scope="module")
def fit_options(page):
    theirs = page.evaluate(JS_FIT_OPTIONS, [[k, v[0]] for k, v in FIT_OPTION_CASES.items()])
    code = f"DATA = {json.dumps(theirs['data'])}\nCASES = {[[k, v[1]] for k, v in FIT_OPTION_CASES.items()]!r}\n"
    ours = json.loads(run_py(page, code + PY_FIT_OPTIONS))
    return ours, theirs["cases"], theirs["data"]


@pytest.mark.parametrize("case", list(FIT_OPTION_CASES))
def test_fit_options_as_tfjs(fit_options, case):
    ours, theirs, _ = fit_options
    o, t = ours[case], theirs[case]
    assert o["epoch"] == t["epoch"]
    assert sorted(o["history"]) == sorted(t["history"]), (sorted(o["history"]), sorted(t["history"]))
    for key, values in t["history"].items():
        np.testing.assert_allclose(o["history"][key], values, rtol=1e-4, atol=1e-6, err_msg=key)
    errs = [_rel(a, b) for a, b in zip(o["weights"], t["weights"])]
    assert max(errs) <= TOL, errs


def test_fit_options_do_what_tfjs_does(fit_options):
    ours, theirs, data = fit_options
    # initial_epoch: epochs 1 and 2 only
    assert theirs["initial_epoch"]["epoch"] == [1, 2] and len(ours["initial_epoch"]["history"]["loss"]) == 2
    # validation_data: val_ logs, equal to the metrics of the final model on the validation set after the last epoch
    assert {"val_loss", "val_acc", "val_precision", "val_recall"} <= set(ours["validation_data"]["history"])
    # class weights change the result (they weight the loss), not the keys
    wc, wv = ours["class_weight"]["weights"], ours["validation_data"]["weights"]
    assert max(_rel(a, b) for a, b in zip(wc, wv)) > 1e-3
    # precision and recall see real counts: some predictions saturate to exactly 0 and 1
    pred = np.asarray(ours["validation_data"]["pred"])
    assert np.sum(pred == 1) > 0 and np.sum(pred == 0) > 0
    assert all(0 < v <= 1 for v in ours["validation_data"]["history"]["precision"])
    assert all(0 < v <= 1 for v in ours["validation_data"]["history"]["recall"])


# ---------------------------------------------------------------------------------------------------- losses
LOSS_NAMES = ["meanSquaredError", "meanAbsoluteError", "meanAbsolutePercentageError", "meanSquaredLogarithmicError",
              "squaredHinge", "hinge", "categoricalHinge", "logcosh", "categoricalCrossentropy",
              "sparseCategoricalCrossentropy", "binaryCrossentropy", "kullbackLeiblerDivergence", "poisson",
              "cosineProximity"]


def _loss_inputs():
    rng = np.random.default_rng(21)
    n, k = 6, 4
    probs = rng.uniform(0.05, 1, (n, k)).astype(np.float32)
    probs /= probs.sum(-1, keepdims=True)
    onehot = np.eye(k, dtype=np.float32)[rng.integers(0, k, n)]
    out = {}
    for name in LOSS_NAMES:
        if name in ("categoricalCrossentropy", "kullbackLeiblerDivergence", "categoricalHinge"):
            yt, yp = (onehot if name != "kullbackLeiblerDivergence" else
                      rng.dirichlet(np.ones(k), n).astype(np.float32)), probs
        elif name == "sparseCategoricalCrossentropy":
            yt, yp = rng.integers(0, k, (n, 1)).astype(np.float32), probs
        elif name == "binaryCrossentropy":
            yt, yp = rng.integers(0, 2, (n, k)).astype(np.float32), rng.uniform(0.02, 0.98, (n, k)).astype(np.float32)
        elif name in ("hinge", "squaredHinge"):
            yt, yp = rng.choice([-1.0, 1.0], (n, k)).astype(np.float32), rng.normal(0, 1.5, (n, k)).astype(np.float32)
        elif name in ("meanSquaredLogarithmicError", "poisson", "meanAbsolutePercentageError"):
            yt, yp = rng.uniform(0.1, 3, (n, k)).astype(np.float32), rng.uniform(0.1, 3, (n, k)).astype(np.float32)
        else:
            yt, yp = rng.normal(0, 1, (n, k)).astype(np.float32), rng.normal(0, 1, (n, k)).astype(np.float32)
        out[name] = (yt, yp)
    return out


JS_LOSSES = """async (cases) => {
  const out = {};
  for (const [name, yt, ytShape, yp, ypShape] of cases) {
    // TF.js's own loss, by the name compile takes: an identity model evaluated one sample at a time
    const m = tf.sequential({layers: [tf.layers.activation({activation: 'linear', inputShape: [ypShape[1]]})]});
    m.compile({optimizer: 'sgd', loss: name});
    const t = tf.tensor(yt, ytShape), p = tf.tensor(yp, ypShape);
    const per = [];
    for (let i = 0; i < ypShape[0]; i++) {
      per.push(m.evaluate(p.slice([i], [1]), t.slice([i], [1]), {batchSize: 1}).dataSync()[0]);
    }
    out[name] = {per, mean: m.evaluate(p, t, {batchSize: ypShape[0]}).dataSync()[0]};
  }
  return out;
}"""

PY_LOSSES = """
import json, numpy as np, tfjs as tf
from tfjs.training import losses as L
out = {}
for name, yt, yts, yp, yps in CASES:
    yt = np.asarray(yt, np.float32).reshape(yts); yp = np.asarray(yp, np.float32).reshape(yps)
    per = np.asarray(L.get(name)(yt, yp), np.float64).reshape(-1)
    m = tf.sequential(layers=[tf.layers.activation(activation="linear", input_shape=[yps[1]])])
    m.compile(optimizer="sgd", loss=name)
    out[name] = {"per": per.tolist(), "mean": float(m.evaluate(yp, yt, batch_size=yps[0]))}
json.dumps(out)
"""


@pytest.fixture(scope="module")
def loss_values(page):
    cases = [[n, yt.reshape(-1).tolist(), list(yt.shape), yp.reshape(-1).tolist(), list(yp.shape)]
             for n, (yt, yp) in _loss_inputs().items()]
    theirs = page.evaluate(JS_LOSSES, cases)
    ours = json.loads(run_py(page, f"CASES = {cases!r}\n" + PY_LOSSES))
    return ours, theirs


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_loss_values_as_tfjs(loss_values, name):
    ours, theirs = loss_values
    o, t = ours[name], theirs[name]
    assert len(o["per"]) == len(t["per"]) == 6
    np.testing.assert_allclose(o["per"], t["per"], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(o["mean"], t["mean"], rtol=1e-5, atol=1e-7)
    assert len(set(np.round(t["per"], 5))) > 1  # the samples differ: a per-sample comparison, not a constant
