"""CategoryEncoding, RandomHeight, RandomWidth and ConvLSTM2D against TF.js 4.22 in the page, within 1e-5
(relative above 1), with TF.js's layer configs. ConvLSTM2D: TF.js builds a model (random weights), saves it and
predicts; ours loads the same artifacts under CPython and predicts the same inputs. The preprocessing layers are
applied to tensors directly on both sides (TF.js 4.22 cannot place them in a model: their computeOutputShape
overwrites the input layer's shape or answers an undefined height). Random resizes use a fixed factor ([a, a]) so
that both sides draw the same size. And every layer factory TF.js exports has one here."""

from __future__ import annotations

import base64

import numpy as np
import pytest

import tfjs as tf
from harness import add_reference_tfjs, run_async
from tfjs.naming import to_snake_case

pytestmark = pytest.mark.e2e
RNG = np.random.default_rng(5)
IMG = RNG.uniform(0, 1, (2, 5, 7, 3)).astype(np.float32)
SEQ = RNG.normal(size=(2, 4, 6, 5, 2)).astype(np.float32)
TOKENS = RNG.integers(0, 6, (4, 3)).astype(np.int32)

CASES = {
    "category/multi_hot": ("tf.layers.categoryEncoding({numTokens: 6, outputMode: 'multiHot', inputShape: [3]})",
                           TOKENS),
    "category/count": ("tf.layers.categoryEncoding({numTokens: 6, outputMode: 'count', inputShape: [3]})", TOKENS),
    "category/one_hot": ("tf.layers.categoryEncoding({numTokens: 6, outputMode: 'oneHot', inputShape: [1]})",
                         TOKENS[:, :1]),
    "random_width/bilinear": ("tf.layers.randomWidth({factor: [0.5, 0.5], inputShape: [5, 7, 3]})", IMG),
    "random_width/nearest": ("tf.layers.randomWidth({factor: [-0.4, -0.4], interpolation: 'nearest', "
                             "inputShape: [5, 7, 3]})", IMG),
    # TF.js 4.22's bundle leaves RandomHeight out (no factory imports its module): the reference is the resize
    # its source performs, tf.image.resizeBilinear to [round(1.6 * 5), 7].
    "random_height/bilinear": ("{apply: (x) => tf.image.resizeBilinear(x, [Math.round(1.6 * 5), 7]), "
                               "getConfig: () => ({})}", IMG,
                               "tf.layers.random_height(factor=[0.6, 0.6], input_shape=[5, 7, 3], seed=3)"),
    "conv_lstm2d/same": ("tf.layers.convLstm2d({filters: 3, kernelSize: 3, padding: 'same', inputShape: [4, 6, 5, 2],"
                         " biasInitializer: 'randomNormal'})", SEQ),
    "conv_lstm2d/valid_strided_sequences": (
        "tf.layers.convLstm2d({filters: 2, kernelSize: [3, 2], strides: 2, returnSequences: true, "
        "inputShape: [4, 6, 5, 2], activation: 'relu', recurrentActivation: 'sigmoid', unitForgetBias: false})", SEQ),
    "conv_lstm2d/backwards_dilated": (
        "tf.layers.convLstm2d({filters: 2, kernelSize: 2, dilationRate: 2, goBackwards: true, useBias: false, "
        "inputShape: [4, 6, 5, 2]})", SEQ),
}

JS = """async (cases) => {
  await tf.setBackend('cpu');
  const out = {};
  for (const [id, code, x, shape, dtype] of cases) {
    try {
      const layer = (new Function('tf', 'return (' + code + ')'))(tf);
      if (!id.startsWith('conv_lstm2d')) {
        const y = layer.apply(tf.tensor(x, shape, dtype));
        out[id] = {shape: y.shape, values: Array.from(y.dataSync()),
                   config: JSON.parse(JSON.stringify(layer.getConfig()))};
        continue;
      }
      const m = tf.sequential({layers: [layer]});
      let artifacts = null;
      await m.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return {modelArtifactsInfo: {}}; }));
      const bytes = new Uint8Array(artifacts.weightData);
      let bin = '';
      for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
      const y = m.predict(tf.tensor(x, shape, dtype));
      out[id] = {topology: artifacts.modelTopology, specs: artifacts.weightSpecs, data: btoa(bin),
                 shape: y.shape, values: Array.from(y.dataSync()),
                 config: JSON.parse(m.toJSON()).config.layers[0].config};
    } catch (e) { out[id] = {error: String(e.message || e)}; }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def reference(app_page):
    add_reference_tfjs(app_page)
    payload = [[cid, spec[0], spec[1].reshape(-1).tolist(), list(spec[1].shape),
                "int32" if spec[1].dtype.kind == "i" else "float32"] for cid, spec in CASES.items()]
    return app_page.evaluate(JS, payload)


@pytest.mark.parametrize("cid", list(CASES))
def test_layer_as_tfjs(reference, cid):
    ref = reference[cid]
    assert "error" not in ref, f"TF.js failed: {ref}"
    x = CASES[cid][1]
    if "topology" in ref:
        artifacts = tf.io.ModelArtifacts(model_topology=ref["topology"], weight_specs=ref["specs"],
                                         weight_data=base64.b64decode(ref["data"]), format="layers-model")
        model = run_async(tf.load_layers_model(tf.io.from_memory(artifacts)))
        y = np.asarray(model.predict(x))
        ours = model.layers[0].get_config()
        want_config = ref["config"]
    else:
        layer = eval(CASES[cid][2] if len(CASES[cid]) > 2 else _python_factory(CASES[cid][0]))
        y = np.asarray(layer.apply(x))
        ours = layer.get_config()
        want_config = {to_snake_case(k): (to_snake_case(v) if isinstance(v, str) and k != "name" else v)
                       for k, v in ref["config"].items()}
    assert list(y.shape) == ref["shape"]
    want = np.asarray(ref["values"], np.float64)
    diff = np.abs(y.reshape(-1).astype(np.float64) - want)
    assert np.all(diff <= 1e-5 * np.maximum(1.0, np.abs(want))), f"max diff {diff.max():.3g}"
    keys = set(want_config) - {"name", "batch_input_shape"}
    assert {k: ours.get(k) for k in keys} == {k: want_config[k] for k in keys}


def _python_factory(js: str) -> str:
    """The same layer built here: tf.layers.randomWidth({factor: [0.5, 0.5], ...}) -> tf.layers.random_width(...)."""
    import re

    name, args = re.match(r"tf\.layers\.(\w+)\(\{(.*)\}\)$", js).groups()
    args = re.sub(r"(\w+):", lambda m: to_snake_case(m.group(1)) + "=", args)
    args = re.sub(r"'(\w+)'", lambda m: repr(to_snake_case(m.group(1))), args)
    return f"tf.layers.{to_snake_case(name)}({args})"


def test_every_tfjs_layer_factory_exists_here(app_page):
    add_reference_tfjs(app_page)
    names = app_page.evaluate("Object.keys(tf.layers).filter(k => typeof tf.layers[k] === 'function')")
    lack = sorted(n for n in names if not hasattr(tf.layers, to_snake_case(n)) and not hasattr(tf.layers, n))
    print(f"\nlayer factories: TF.js {len(names)}, lack here {lack}")
    assert not lack


def test_category_encoding_errors_name_the_layer():
    layer = tf.layers.category_encoding(num_tokens=3, name="enc")
    with pytest.raises(ValueError, match=r"CategoryEncoding 'enc': input values must be in \[0, 3\)"):
        layer.apply(np.array([[0, 3]]))
    with pytest.raises(ValueError, match="invalid factor"):
        tf.layers.random_height(factor=-1)
