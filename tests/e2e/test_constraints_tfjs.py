"""Weight constraints against TF.js 4.22 in the page: kernel, bias and embedding constraints (maxNorm,
minMaxNorm with its rate, nonNeg, unitNorm; axis an int or a list) after N optimizer steps, and on set_weights.

TF.js builds each model, which both sides then load from the same artifacts (TF.js applies the constraints
on load too: LayerVariable.write). Training: TF.js documents a constraint as "applied to the variable after
optimize updates", but 4.22's fit hands its optimizer the raw variables, so its fit never applies them
(tensorflow/tfjs#3345, #3979). Here they are applied after each step; the reference is TF.js's own
trainOnBatch followed, after each step, by each LayerVariable's own constraint (its write()). The weights agree
within 1e-4 (relative to each weight's largest value). Ours runs under CPython on the same start and data.
"""

from __future__ import annotations

import base64

import numpy as np
import pytest

import tfjs as tf
from harness import add_reference_tfjs, run_async

pytestmark = pytest.mark.e2e
TOL = 1e-4
STEPS = 5
MODELS = {
    "dense": ("tf.sequential({layers: ["
              "tf.layers.dense({units: 5, inputShape: [4], activation: 'tanh', "
              "  kernelConstraint: tf.constraints.maxNorm({maxValue: 0.6, axis: 0}), "
              "  biasConstraint: tf.constraints.nonNeg()}), "
              "tf.layers.dense({units: 3, kernelConstraint: tf.constraints.unitNorm({axis: 1}), "
              "  biasConstraint: tf.constraints.minMaxNorm({minValue: 0.2, maxValue: 0.5, rate: 0.5})})]})",
              (8, 4), (8, 3), "float"),
    "conv": ("tf.sequential({layers: ["
             "tf.layers.conv2d({filters: 3, kernelSize: 3, inputShape: [5, 5, 2], activation: 'relu', "
             "  kernelConstraint: tf.constraints.maxNorm({maxValue: 0.8, axis: [0, 1, 2]})}), "
             "tf.layers.flatten(), "
             "tf.layers.dense({units: 2, kernelConstraint: "
             "  tf.constraints.minMaxNorm({minValue: 0.5, maxValue: 1.0, rate: 0.7, axis: 0})})]})",
             (6, 5, 5, 2), (6, 2), "float"),
    "embedding": ("tf.sequential({layers: ["
                  "tf.layers.embedding({inputDim: 10, outputDim: 4, inputLength: 3, "
                  "  embeddingsConstraint: tf.constraints.unitNorm({axis: 1})}), "
                  "tf.layers.flatten(), tf.layers.dense({units: 2, kernelConstraint: 'nonNeg'})]})",
                  (8, 3), (8, 2), "int"),
}
OPTIMIZERS = {"sgd": ("tf.train.sgd(0.2)", "tf.train.sgd(0.2)"),
              "adam": ("tf.train.adam(0.05)", "tf.train.adam(0.05)")}

JS_RUN = """async ([code, x, xShape, xDtype, y, yShape, optimizers, steps]) => {
  await tf.setBackend('cpu');
  const built = (new Function('tf', 'return ' + code))(tf);
  let artifacts = null;
  await built.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return {modelArtifactsInfo: {}}; }));
  const bytes = new Uint8Array(artifacts.weightData);
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  const out = {artifacts: {modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs,
                           format: artifacts.format, weightData: btoa(bin)}};
  const xs = tf.tensor(x, xShape, xDtype), ys = tf.tensor(y, yShape);
  const constrainAll = (m) => {
    for (const layer of m.layers) for (const w of layer.weights) {
      if (w.constraint != null) w.write(w.read().clone());   // LayerVariable.write applies the constraint
    }
  };
  for (const [oid, expr] of optimizers) {
    const m = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    m.compile({optimizer: (new Function('tf', 'return ' + expr))(tf), loss: 'meanSquaredError'});
    const loaded = m.getWeights().map(w => Array.from(w.dataSync()));
    for (let s = 0; s < steps; s++) { await m.trainOnBatch(xs, ys); constrainAll(m); }
    const trained = m.getWeights().map(w => Array.from(w.dataSync()));
    m.setWeights(m.getWeights().map(w => tf.mul(w, -3)));
    out[oid] = {loaded, trained, set: m.getWeights().map(w => Array.from(w.dataSync()))};
  }
  return out;
}"""


def _data(mid):
    code, xs, ys, kind = MODELS[mid]
    rng = np.random.default_rng(len(mid))
    x = rng.integers(0, 10, xs).astype(np.int32) if kind == "int" else rng.normal(size=xs).astype(np.float32)
    y = rng.normal(size=ys).astype(np.float32)
    return x, y


@pytest.fixture(scope="module")
def reference(app_page):
    add_reference_tfjs(app_page)
    out = {}
    for mid, (code, xs, ys, kind) in MODELS.items():
        x, y = _data(mid)
        out[mid] = app_page.evaluate(JS_RUN, [code, x.reshape(-1).tolist(), list(xs), "int32" if kind == "int"
                                              else "float32", y.reshape(-1).tolist(), list(ys),
                                              [[k, v[0]] for k, v in OPTIMIZERS.items()], STEPS])
    return out


def _close(ours, theirs, what):
    assert len(ours) == len(theirs), what
    for k, (a, b) in enumerate(zip(ours, theirs)):
        a, b = np.asarray(a, np.float64).reshape(-1), np.asarray(b, np.float64)
        scale = max(float(np.max(np.abs(b))), 1e-6)
        err = float(np.max(np.abs(a - b))) / scale
        assert err <= TOL, f"{what}, weight {k}: relative difference {err:.3g} (ours {a[:4]}, TF.js {b[:4]})"


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("mid", list(MODELS))
def test_constrained_weights_as_tfjs(reference, mid, optimizer):
    ref = reference[mid]
    fields = dict(ref["artifacts"])
    fields["weightData"] = base64.b64decode(fields["weightData"])
    model = run_async(tf.load_layers_model(tf.io.from_memory(fields)))
    _close(model.get_weights(), ref[optimizer]["loaded"], f"{mid}: weights as loaded (constraints applied)")
    model.compile(optimizer=eval(OPTIMIZERS[optimizer][1]), loss="meanSquaredError")
    x, y = _data(mid)
    for _ in range(STEPS):
        run_async(model.train_on_batch(x, y))
    _close(model.get_weights(), ref[optimizer]["trained"], f"{mid}/{optimizer}: after {STEPS} steps")
    model.set_weights([w * -3 for w in model.get_weights()])
    _close(model.get_weights(), ref[optimizer]["set"], f"{mid}/{optimizer}: after set_weights")


FACTORY_JS = """() => {
  const layer = tf.layers.dense({units: 3, inputShape: [4], name: 'd',
    kernelInitializer: tf.initializers.heNormal({seed: 3}), biasInitializer: tf.initializers.constant({value: 0.5}),
    kernelRegularizer: tf.regularizers.l1({l1: 0.2}), biasRegularizer: tf.regularizers.l1l2({l1: 0.1, l2: 0.3}),
    kernelConstraint: tf.constraints.maxNorm({maxValue: 3, axis: 1}),
    biasConstraint: tf.constraints.minMaxNorm({minValue: 0.1, maxValue: 2, rate: 0.3, axis: 0})});
  const m = tf.sequential({layers: [layer,
    tf.layers.dense({units: 2, name: 'e', kernelInitializer: tf.initializers.randomUniform({minval: -1, maxval: 1}),
                     biasInitializer: tf.initializers.truncatedNormal({mean: 1, stddev: 2}),
                     kernelConstraint: tf.constraints.unitNorm({axis: 0}), biasConstraint: tf.constraints.nonNeg()}),
    tf.layers.dense({units: 2, name: 'f', kernelInitializer: tf.initializers.varianceScaling(
                       {scale: 2, mode: 'fanOut', distribution: 'truncatedNormal', seed: 1}),
                     biasInitializer: tf.initializers.zeros()}),
    tf.layers.dense({units: 2, name: 'g', kernelInitializer: tf.initializers.orthogonal({gain: 2}),
                     biasInitializer: tf.initializers.ones(), kernelRegularizer: tf.regularizers.l2()})]});
  return JSON.parse(m.toJSON()).config.layers.map(l => l.config);
}"""


def test_factories_serialize_as_tfjs(app_page):
    add_reference_tfjs(app_page)
    theirs = app_page.evaluate(FACTORY_JS)
    I, R, C = tf.initializers, tf.regularizers, tf.constraints
    m = tf.sequential(layers=[
        tf.layers.dense(units=3, input_shape=[4], name="d", kernel_initializer=I.he_normal(seed=3),
                        bias_initializer=I.constant(0.5), kernel_regularizer=R.l1(0.2),
                        bias_regularizer=R.l1l2(l1=0.1, l2=0.3),
                        kernel_constraint=C.max_norm(max_value=3, axis=1),
                        bias_constraint=C.min_max_norm(min_value=0.1, max_value=2, rate=0.3, axis=0)),
        tf.layers.dense(units=2, name="e", kernel_initializer=I.random_uniform(minval=-1, maxval=1),
                        bias_initializer=I.truncated_normal(mean=1, stddev=2),
                        kernel_constraint=C.unit_norm(axis=0), bias_constraint=C.non_neg()),
        tf.layers.dense(units=2, name="f", bias_initializer=I.zeros(), kernel_initializer=I.variance_scaling(
            scale=2, mode="fan_out", distribution="truncated_normal", seed=1)),
        tf.layers.dense(units=2, name="g", kernel_initializer=I.orthogonal(gain=2), bias_initializer=I.ones(),
                        kernel_regularizer=R.l2())])
    ours = [layer["config"] for layer in m.to_json(return_string=False)["config"]["layers"]]
    keys = [k for k in theirs[0] if k.endswith(("_initializer", "_regularizer", "_constraint"))]
    assert keys, theirs[0]
    for a, b in zip(ours, theirs):
        assert {k: a.get(k) for k in keys} == {k: b.get(k) for k in keys}, a["name"]
