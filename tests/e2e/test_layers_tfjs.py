"""Layers models against the real TF.js 4.22 in the page, both directions.

TF.js builds each model with its own ``tf.layers`` API (random weights), predicts on a random input and saves
it to ``indexeddb://tfjs-<case>``; Python in the same page loads it from there with ``tf.load_layers_model``,
predicts and compares, checks the topology and weights it writes back, and saves to
``indexeddb://ours-<case>``. Then TF.js loads that with ``tf.loadLayersModel`` and predicts again: same
weights, same outputs.
"""

from __future__ import annotations

import json

import pytest

from harness import add_reference_tfjs, run_py

pytestmark = pytest.mark.e2e

TOL = 1e-4
TFJS_CANNOT_RELOAD = {"activation_gelu_new"}

# id -> (JS code returning a model, given `tf`; inputs: list of [shape, kind, max]).
S = "return tf.sequential({layers: [%s]});"
CASES = {
    "dense": (S % "tf.layers.dense({units: 5, inputShape: [7], activation: 'relu'}), tf.layers.dense({units: 3})",
              [[[4, 7]]]),
    "dense_3d_nobias": (S % "tf.layers.dense({units: 4, inputShape: [3, 6], useBias: false, activation: 'tanh'})",
                        [[[2, 3, 6]]]),
    "activation_all": ("const i = tf.input({shape: [11]}); const outs = ['elu','selu','relu','relu6','linear',"
                       "'sigmoid','hardSigmoid','softplus','softsign','tanh','softmax','logSoftmax','gelu',"
                       "'mish','swish'].map(a => tf.layers.activation({activation: a}).apply("
                       "tf.layers.dense({units: 11}).apply(i))); return tf.model({inputs: i, outputs: outs});",
                       [[[3, 11]]]),
    "flatten_reshape": (S % "tf.layers.reshape({targetShape: [3, 4], inputShape: [12]}), tf.layers.flatten(), "
                        "tf.layers.reshape({targetShape: [-1, 2]}), tf.layers.dropout({rate: 0.3})", [[[2, 12]]]),
    "conv2d_same": (S % "tf.layers.conv2d({filters: 4, kernelSize: 3, padding: 'same', inputShape: [9, 8, 3], "
                    "activation: 'relu'})", [[[2, 9, 8, 3]]]),
    "conv2d_valid_stride": (S % "tf.layers.conv2d({filters: 5, kernelSize: [3, 2], strides: 2, inputShape: "
                            "[9, 8, 3]})", [[[1, 9, 8, 3]]]),
    "conv2d_dilated": (S % "tf.layers.conv2d({filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same', "
                       "inputShape: [9, 9, 2]})", [[[1, 9, 9, 2]]]),
    "conv2d_channels_first": (S % "tf.layers.conv2d({filters: 3, kernelSize: 3, dataFormat: 'channelsFirst', "
                              "inputShape: [2, 7, 6]})", [[[2, 2, 7, 6]]]),
    "depthwise": (S % "tf.layers.depthwiseConv2d({kernelSize: 3, depthMultiplier: 2, padding: 'same', strides: 2,"
                  " inputShape: [8, 8, 3]})", [[[2, 8, 8, 3]]]),
    "depthwise_valid": (S % "tf.layers.depthwiseConv2d({kernelSize: 3, inputShape: [7, 7, 4], useBias: false})",
                        [[[1, 7, 7, 4]]]),
    "separable": (S % "tf.layers.separableConv2d({filters: 4, kernelSize: 3, padding: 'same',"
                  " inputShape: [6, 6, 3]})", [[[2, 6, 6, 3]]]),
    "conv2d_transpose_same": (S % "tf.layers.conv2dTranspose({filters: 3, kernelSize: 3, strides: 2, padding: "
                              "'same', inputShape: [5, 4, 2]})", [[[2, 5, 4, 2]]]),
    "conv2d_transpose_valid": (S % "tf.layers.conv2dTranspose({filters: 2, kernelSize: 4, strides: 2, "
                               "inputShape: [3, 3, 3]})", [[[1, 3, 3, 3]]]),
    "pool2d": (S % "tf.layers.maxPooling2d({poolSize: 3, strides: 2, padding: 'same', inputShape: [7, 7, 2]}), "
               "tf.layers.averagePooling2d({poolSize: 2, padding: 'same'}), tf.layers.globalAveragePooling2d({})",
               [[[2, 7, 7, 2]]]),
    "pool2d_valid": (S % "tf.layers.averagePooling2d({poolSize: [2, 3], inputShape: [6, 7, 2]}), "
                     "tf.layers.maxPooling2d({poolSize: 2}), tf.layers.globalMaxPooling2d({})", [[[2, 6, 7, 2]]]),
    "batchnorm": ("const m = tf.sequential({layers: [tf.layers.conv2d({filters: 4, kernelSize: 1, inputShape: "
                  "[3, 3, 2]}), tf.layers.batchNormalization({epsilon: 0.01})]}); const bn = m.layers[1]; "
                  "bn.setWeights(bn.getWeights().map(w => tf.randomUniform(w.shape, 0.5, 1.5))); return m;",
                  [[[2, 3, 3, 2]]]),
    "batchnorm_axis1": ("const m = tf.sequential({layers: [tf.layers.batchNormalization({axis: 1, inputShape: "
                        "[3, 4]})]}); const bn = m.layers[0]; bn.setWeights(bn.getWeights().map(w => "
                        "tf.randomUniform(w.shape, 0.5, 1.5))); return m;", [[[2, 3, 4]]]),
    "zeropad_upsample": (S % "tf.layers.zeroPadding2d({padding: [[1, 2], [0, 1]], inputShape: [3, 4, 2]}), "
                         "tf.layers.upSampling2d({size: [2, 3]}), tf.layers.upSampling2d({interpolation: "
                         "'bilinear'})", [[[2, 3, 4, 2]]]),
    "merges": ("const a = tf.input({shape: [6]}), b = tf.input({shape: [6]}); const da = tf.layers.dense({units: 4})"
               ".apply(a), db = tf.layers.dense({units: 4}).apply(b); const outs = [tf.layers.add().apply([da, db]),"
               " tf.layers.multiply().apply([da, db]), tf.layers.average().apply([da, db]), tf.layers.maximum()"
               ".apply([da, db]), tf.layers.minimum().apply([da, db]), tf.layers.concatenate().apply([da, db]),"
               " tf.layers.dot({axes: 1}).apply([da, db])];"
               " return tf.model({inputs: [a, b], outputs: outs});", [[[3, 6]], [[3, 6]]]),
    "dot_3d": ("const a = tf.input({shape: [4, 3]}), b = tf.input({shape: [5, 3]}); return tf.model({inputs: [a, b],"
               " outputs: tf.layers.dot({axes: [2, 2]}).apply([a, b])});", [[[2, 4, 3]], [[2, 5, 3]]]),
    "adv_activations": ("const i = tf.input({shape: [10]}); const d = tf.layers.dense({units: 10}).apply(i); "
                        "const outs = [tf.layers.reLU({maxValue: 0.5}).apply(d), tf.layers.leakyReLU({alpha: 0.1})"
                        ".apply(d), tf.layers.prelu({alphaInitializer: 'glorotNormal'}).apply(d), tf.layers.elu({"
                        "}).apply(d), tf.layers.thresholdedReLU({theta: 0.2}).apply(d), tf.layers.softmax({})"
                        ".apply(d), tf.layers.reLU().apply(d)]; return tf.model({inputs: i, outputs: outs});",
                        [[[3, 10]]]),
    "conv1d": (S % "tf.layers.conv1d({filters: 3, kernelSize: 3, padding: 'same', inputShape: [10, 2]}), "
               "tf.layers.conv1d({filters: 2, kernelSize: 2, strides: 2, dilationRate: 1})", [[[2, 10, 2]]]),
    "pool1d": (S % "tf.layers.maxPooling1d({poolSize: 2, inputShape: [9, 3]}), tf.layers.averagePooling1d({"
               "poolSize: 3, strides: 1, padding: 'same'}), tf.layers.globalAveragePooling1d()",
               [[[2, 9, 3]]]),
    "pool1d_globalmax": (S % "tf.layers.globalMaxPooling1d({inputShape: [9, 3]})", [[[2, 9, 3]]]),
    "conv3d_pool3d": (S % "tf.layers.conv3d({filters: 2, kernelSize: 3, padding: 'same', inputShape: [5, 6, 4, 2]}),"
                      " tf.layers.maxPooling3d({poolSize: 2}), tf.layers.averagePooling3d({poolSize: [1, 2, 2], "
                      "padding: 'same'})", [[[2, 5, 6, 4, 2]]]),
    "cropping": (S % "tf.layers.cropping2D({cropping: [[1, 0], [2, 1]], inputShape: [6, 7, 2]})", [[[2, 6, 7, 2]]]),
    "layernorm": ("const m = tf.sequential({layers: [tf.layers.dense({units: 6, inputShape: [5]}), "
                  "tf.layers.layerNormalization({})]}); const ln = m.layers[1]; ln.setWeights(ln.getWeights()"
                  ".map(w => tf.randomUniform(w.shape, 0.5, 1.5))); return m;", [[[3, 5]]]),
    "embedding": (S % "tf.layers.embedding({inputDim: 10, outputDim: 4, inputLength: 5}), tf.layers.flatten()",
                  [[[3, 5], "int", 10]]),
    "repeat_permute": (S % "tf.layers.repeatVector({n: 3, inputShape: [4]}), tf.layers.permute({dims: [2, 1]})",
                       [[[2, 4]]]),
    "noise_dropout": (S % "tf.layers.gaussianNoise({stddev: 0.5, inputShape: [4, 3]}), tf.layers.gaussianDropout({"
                      "rate: 0.3}), tf.layers.alphaDropout({rate: 0.2}), tf.layers.spatialDropout1d({rate: 0.3}),"
                      " tf.layers.masking({maskValue: 7})", [[[2, 4, 3]]]),
    "preprocessing": (S % "tf.layers.rescaling({scale: 0.5, offset: -1, inputShape: [8, 6, 2]}), "
                      "tf.layers.flatten()", [[[2, 8, 6, 2]]]),
    # TF.js writes 'gelu_new' but cannot read it back ('geluNew' is unknown to it): forward direction only.
    "activation_gelu_new": (S % "tf.layers.dense({units: 5, inputShape: [4], activation: 'gelu_new'})",
                            [[[3, 4]]]),
    "shared_and_nested": ("const inner = tf.sequential({layers: [tf.layers.dense({units: 4, inputShape: [3], "
                          "activation: 'relu'}), tf.layers.dense({units: 2})]}); const a = tf.input({shape: [3]}), "
                          "b = tf.input({shape: [3]}); const shared = tf.layers.dense({units: 3}); const sa = "
                          "shared.apply(a), sb = shared.apply(b); const out = tf.layers.concatenate().apply("
                          "[inner.apply(sa), inner.apply(sb)]); return tf.model({inputs: [a, b], outputs: [out, sa]});",
                          [[[2, 3]], [[2, 3]]]),
    "simple_rnn": (S % "tf.layers.simpleRNN({units: 4, inputShape: [5, 3], returnSequences: true}), "
                   "tf.layers.simpleRNN({units: 3, goBackwards: true, activation: 'relu'})", [[[2, 5, 3]]]),
    "gru": (S % "tf.layers.gru({units: 4, inputShape: [5, 3], returnSequences: true}), tf.layers.gru({units: 2,"
            " recurrentActivation: 'sigmoid'})", [[[2, 5, 3]]]),
    "lstm_state": ("const i = tf.input({shape: [6, 3]}); const outs = tf.layers.lstm({units: 4, returnState: true,"
                   " unitForgetBias: true}).apply(i); return tf.model({inputs: i, outputs: outs});", [[[2, 6, 3]]]),
    "lstm_masked": (S % "tf.layers.masking({maskValue: 0, inputShape: [6, 3]}), tf.layers.lstm({units: 3, "
                    "returnSequences: true})", [[[2, 6, 3], "masked"]]),
    "embedding_mask_gru": (S % "tf.layers.embedding({inputDim: 8, outputDim: 3, maskZero: true, inputLength: 6}),"
                           " tf.layers.gru({units: 3})", [[[3, 6], "int", 8]]),
    "bidirectional": (S % "tf.layers.bidirectional({layer: tf.layers.lstm({units: 3, returnSequences: true}), "
                      "inputShape: [5, 2]}), tf.layers.bidirectional({layer: tf.layers.gru({units: 2}), mergeMode: "
                      "'sum'})", [[[2, 5, 2]]]),
    "time_distributed": (S % "tf.layers.timeDistributed({layer: tf.layers.dense({units: 3, activation: 'relu'}),"
                         " inputShape: [4, 5]}), tf.layers.timeDistributed({layer: tf.layers.dense({units: 2})})",
                         [[[2, 4, 5]]]),
    "time_distributed_conv": (S % "tf.layers.timeDistributed({layer: tf.layers.conv2d({filters: 2, kernelSize: 2}),"
                              " inputShape: [3, 4, 4, 1]})", [[[2, 3, 4, 4, 1]]]),
    "conv3d_transpose": (S % "tf.layers.conv3dTranspose({filters: 2, kernelSize: 3, strides: 2, padding: 'same', "
                         "inputShape: [3, 4, 2, 2]}), tf.layers.conv3dTranspose({filters: 1, kernelSize: [2, 1, 3], "
                         "strides: [1, 2, 1]})", [[[2, 3, 4, 2, 2]]]),
    "regularized_constrained": (S % "tf.layers.dense({units: 3, inputShape: [4], kernelRegularizer: 'l1l2', "
                                "biasConstraint: 'nonNeg', kernelConstraint: tf.constraints.maxNorm({maxValue: 3, "
                                "axis: 0}), kernelInitializer: tf.initializers.randomUniform({minval: -1, maxval: 1,"
                                " seed: 3})}), tf.layers.reshape({targetShape: [3, 1]}), tf.layers.conv1d({filters: "
                                "2, kernelSize: 1, kernelRegularizer: tf.regularizers.l1({l1: 0.5}), "
                                "biasInitializer: 'ones'})", [[[2, 4]]]),
}

BUILD_JS = """async (cases) => {
  globalThis.__layerCases = globalThis.__layerCases || {};
  const out = {};
  for (const [id, code, inputs] of cases) {
    try {
      const m = (new Function('tf', code))(tf);
      const xs = inputs.map(([shape, kind, max]) => kind === 'int' ?
          tf.floor(tf.randomUniform(shape, 0, max)) : kind === 'masked' ?
          tf.mul(tf.randomNormal(shape), tf.cast(tf.greater(tf.randomUniform([shape[0], shape[1], 1]), 0.4),
          'float32')) : tf.randomNormal(shape));
      let y = m.predict(xs.length === 1 ? xs[0] : xs);
      y = Array.isArray(y) ? y : [y];
      let saved = null;
      await m.save(tf.io.withSaveHandler(async (a) => { saved = a;
        return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}}; }));
      await m.save(`indexeddb://tfjs-${id}`);
      // What TF.js writes back once it has loaded the model: loading applies the layers' constraints
      // (LayerVariable.write), so a constrained weight may move by an ulp. On the cpu backend, whose epsilon
      // (1e-7) is ours: webgl's is 1e-4 without float32 textures.
      let reloaded = saved;
      const backend = tf.getBackend();
      await tf.setBackend('cpu');
      try {
        await (await tf.loadLayersModel(tf.io.fromMemory(saved))).save(tf.io.withSaveHandler(async (a) => {
          reloaded = a; return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}}; }));
      } catch (e) { /* TF.js cannot load some topologies it writes (test_tfjs_loads_what_we_saved skips them) */ }
      await tf.setBackend(backend);
      globalThis.__layerCases[id] = {artifacts: saved, reloadedWeights: reloaded.weightData,
                                    xs: xs.map(t => ({shape: t.shape, data: t.dataSync()})),
                                    ys: y.map(t => ({shape: t.shape, data: t.dataSync()}))};
      out[id] = 'ok';
    } catch (e) { out[id] = 'TF.js failed: ' + e.message; }
  }
  return out;
}"""

# Python in the page: load each TF.js model, compare, save ours back into JS for the reverse check.
CHECK_PY = """
import json, js, numpy as np, tfjs as tf
from tfjs import io, platform
from tfjs.io import jsjson

def arr(t):
    return np.frombuffer(platform.to_bytes(t.data), np.float32).reshape([int(d) for d in t.shape])

def js_artifacts(a):
    wd = a.weightData
    data = [platform.to_bytes(b) for b in wd] if js.Array.isArray(wd) else platform.to_bytes(wd)
    return io.ModelArtifacts(model_topology=json.loads(js.JSON.stringify(a.modelTopology)),
                             weight_specs=json.loads(js.JSON.stringify(a.weightSpecs)), weight_data=data,
                             format=a.format, generated_by=a.generatedBy)

report = {}
js.globalThis.__ours = js.Object.new()
for cid in json.loads(IDS):
    c = getattr(js.globalThis.__layerCases, cid)
    r = report[cid] = {}
    try:
        theirs = js_artifacts(c.artifacts)
        m = await tf.load_layers_model(f"indexeddb://tfjs-{cid}")
        xs = [arr(t) for t in c.xs]
        refs = [arr(t) for t in c.ys]
        ys = m.predict(xs if len(xs) > 1 else xs[0])
        ys = ys if isinstance(ys, list) else [ys]
        r["shapes"] = [[list(y.shape), list(ref.shape)] for y, ref in zip(ys, refs)]
        r["rel_err"] = max(float(np.max(np.abs(y - ref))) / max(float(np.max(np.abs(ref))), 1e-6)
                           for y, ref in zip(ys, refs))
        saved = []
        await m.save(io.with_save_handler(lambda a: saved.append(a)))
        ours = saved[0]
        r["topology_equal"] = json.dumps(ours.model_topology["config"], sort_keys=True) == \
            json.dumps(theirs.model_topology["config"], sort_keys=True)
        # The topology as JSON text, exactly as TF.js wrote it (key order and number formatting included).
        their_text = str(js.JSON.stringify(c.artifacts.modelTopology))
        r["topology_text_equal"] = jsjson.stringify(ours.model_topology) == their_text
        if not r["topology_equal"] or not r["topology_text_equal"]:
            r["topology_ours"] = jsjson.stringify(ours.model_topology)[:3000]
            r["topology_theirs"] = their_text[:3000]
        r["specs_equal"] = ours.weight_specs == theirs.weight_specs
        rw = c.reloadedWeights
        reloaded = [platform.to_bytes(b) for b in rw] if js.Array.isArray(rw) else platform.to_bytes(rw)
        r["weights_equal"] = bytes(ours.weight_data) == b"".join(io.weights.as_shards(reloaded)) \
            if isinstance(ours.weight_data, bytes) else None
        if r["weights_equal"] is False:
            a = np.frombuffer(bytes(ours.weight_data), np.float32)
            b = np.frombuffer(b"".join(io.weights.as_shards(reloaded)), np.float32)
            r["weights_diff"] = [int(np.sum(a != b)), a[a != b][:4].tolist(), b[a != b][:4].tolist()]
        await m.save(f"indexeddb://ours-{cid}")
        setattr(js.globalThis.__ours, cid, platform.to_js({"ys": None}))
        o = getattr(js.globalThis.__ours, cid)
        o.ys = platform.to_js([{"shape": list(y.shape)} for y in ys])
        for i, y in enumerate(ys):
            o.ys[i].data = js.Float32Array.new(platform.to_array_buffer(np.ascontiguousarray(y, np.float32)))
    except Exception as e:
        import traceback
        r["error"] = f"{type(e).__name__}: {e}\\n" + traceback.format_exc()[-1500:]
json.dumps(report)
"""

REVERSE_JS = """async (ids) => {
  const out = {};
  for (const id of ids) {
    const o = globalThis.__ours[id], c = globalThis.__layerCases[id];
    if (!o) { out[id] = {error: 'not saved by Python'}; continue; }
    try {
      const m = await tf.loadLayersModel(`indexeddb://ours-${id}`);
      const xs = c.xs.map(t => tf.tensor(t.data, t.shape));
      let y = m.predict(xs.length === 1 ? xs[0] : xs);
      y = Array.isArray(y) ? y : [y];
      let err = 0;
      y.forEach((t, i) => { const a = t.dataSync(), b = o.ys[i].data; let mx = 1e-6, d = 0;
        for (let k = 0; k < b.length; k++) { mx = Math.max(mx, Math.abs(b[k])); d = Math.max(d, Math.abs(a[k] - b[k])); }
        err = Math.max(err, d / mx); });
      const names = m.weights.map(w => w.originalName);
      out[id] = {rel_err: err, weight_names: names};
    } catch (e) { out[id] = {error: 'TF.js failed to load ours: ' + e.message}; }
  }
  return out;
}"""


def run_cases(page, cases: dict) -> tuple[dict, dict, dict]:
    built = page.evaluate(BUILD_JS, [[cid, code, inputs] for cid, (code, inputs) in cases.items()])
    ok = [cid for cid, status in built.items() if status == "ok"]
    report = json.loads(run_py(page, f"IDS = {json.dumps(json.dumps(ok))}\n" + CHECK_PY))
    reverse = page.evaluate(REVERSE_JS, ok)
    return built, report, reverse


@pytest.fixture(scope="module")
def results(app_page):
    add_reference_tfjs(app_page)
    return run_cases(app_page, CASES)


@pytest.mark.parametrize("case", list(CASES))
def test_tfjs_model_loads_and_predicts_the_same(results, case):
    built, report, _ = results
    assert built[case] == "ok", built[case]
    r = report[case]
    assert "error" not in r, r.get("error")
    assert all(a == b for a, b in r["shapes"]), r["shapes"]
    assert r["rel_err"] <= TOL, r


@pytest.mark.parametrize("case", list(CASES))
def test_topology_text_and_weights_written_back_as_tfjs_wrote_them(results, case):
    _, report, _ = results
    r = report[case]
    assert "error" not in r, r.get("error")
    assert r["topology_equal"], (r.get("topology_ours"), r.get("topology_theirs"))
    assert r["topology_text_equal"], (r.get("topology_ours"), r.get("topology_theirs"))
    assert r["specs_equal"] and r["weights_equal"], r.get("weights_diff")


@pytest.mark.parametrize("case", list(CASES))
def test_tfjs_loads_what_we_saved(results, case):
    _, report, reverse = results
    if case in TFJS_CANNOT_RELOAD:
        pytest.skip("TF.js cannot load this topology, even as TF.js itself wrote it")
    rv = reverse[case]
    assert "error" not in rv, rv["error"]
    assert rv["rel_err"] <= TOL, rv
