"""PositionEmbedding, CachedMultiHeadAttention and TransformerDecoder against TF.js 4.22 in the page, within 1e-5
(relative above 1), with TF.js's configs and weights.

TF.js's bundle leaves its nlp layers out, so the page imports tfjs-layers' own ES modules from npm (served here,
with their '@tensorflow/tfjs-core' imports pointed at TF.js's ES bundle) and builds each layer through the
class those modules register in tfjs-core's serialization map. TF.js's nlp layers do not list their sublayers'
weights, so the page reads them from the sublayers and this side sets them with set_weights. A model.json saved
here with a PositionEmbedding loads in TF.js (weights by name) and predicts the same. And in Pyodide the layers
give on the webgl backend what they give on the cpu."""

from __future__ import annotations

import numpy as np
import pytest

import tfjs as tf
from tfjs.naming import to_snake_case
from tfjs_modules import PREFIX, serve_tfjs_modules

pytestmark = pytest.mark.e2e
RNG = np.random.default_rng(8)
X = RNG.normal(size=(2, 4, 6)).astype(np.float32)
Q1 = RNG.normal(size=(2, 1, 6)).astype(np.float32)
CACHE = RNG.normal(size=(2, 2, 5, 2, 3)).astype(np.float32)
PAD = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], np.int32)


JS = """async ([prefix, x, q1, cache, pad]) => {
  const core = await import(prefix + 'core.js');
  await core.setBackend('cpu');
  for (const m of ['position_embedding', 'cached_multihead_attention', 'transformer_decoder'])
    await import(prefix + 'layers/layers/nlp/modeling/' + m + '.js');
  const registered = (name) => core.serialization.SerializationMap.getMap().classNameMap[name][0];
  const t = ([shape, values], dtype) => core.tensor(values, shape, dtype);
  const out = (y) => ({shape: y.shape, values: Array.from(y.dataSync())});
  const weights = (layers) => layers.flatMap((l) => l.getWeights()).map(out);
  const mhaWeights = (a) => weights([a.queryDense, a.keyDense, a.valueDense, a.outputDense]);
  const res = {};
  const X = t(x), Q1 = t(q1), CACHE = t(cache), PAD = t(pad, 'int32');

  const PE = registered('PositionEmbedding');
  const pe = new PE({sequenceLength: 7, initializer: 'randomNormal'});
  const y0 = pe.apply(X);
  res.pe = {cls: PE.name, config: pe.getConfig(), weights: weights([pe]), y0: out(y0),
            y2: out(pe.apply(X, {startIndex: 2}))};

  const MHA = registered('MultiHeadAttention');
  const att = new MHA({numHeads: 2, keyDim: 3, biasInitializer: 'randomNormal'});
  const plain = att.callAndReturnCache(X, {value: X});
  const [stepped, newCache] = att.callAndReturnCache(Q1, {value: Q1, cache: CACHE, cacheUpdateIndex: 3});
  const [whole] = att.callAndReturnCache(Q1, {value: Q1, cache: CACHE});
  res.cached = {cls: MHA.name, config: att.getConfig(), weights: mhaWeights(att), plain: out(plain[0]),
                stepped: out(stepped), cache: out(newCache), whole: out(whole)};

  const TD = registered('TransformerDecoder');
  for (const [id, first] of [['decoder', false], ['decoder_first', true]]) {
    const dec = new TD({intermediateDim: 5, numHeads: 2, biasInitializer: 'randomNormal', normalizeFirst: first,
                        activation: 'gelu'});
    dec.apply(X);
    const ln = dec.selfAttentionLayernorm;
    ln.setWeights(ln.getWeights().map((w) => core.randomNormal(w.shape, 1, 0.3)));
    res[id] = {cls: TD.name, config: dec.getConfig(),
               weights: [...mhaWeights(dec.selfAttentionLayer),
                         ...weights([ln, dec.feedforwardIntermediateDense, dec.feedforwardOutputDense])],
               plain: out(dec.apply(X)), causal: out(dec.apply(X, {useCausalMask: true})),
               padded: out(dec.apply(X, {useCausalMask: true, decoderPaddingMask: PAD}))};
  }
  return res;
}"""


def _arr(o):
    return np.asarray(o["values"], np.float32).reshape(o["shape"])


@pytest.fixture(scope="module")
def reference(app_page):
    serve_tfjs_modules(app_page)
    enc = lambda a: [list(a.shape), a.reshape(-1).tolist()]  # noqa: E731
    return app_page.evaluate(JS, [PREFIX, enc(X), enc(Q1), enc(CACHE), enc(PAD)])


def _close(ours, want):
    ours, want = np.asarray(ours, np.float64), _arr(want).astype(np.float64)
    assert ours.shape == want.shape
    diff = np.abs(ours - want)
    assert np.all(diff <= 1e-5 * np.maximum(1.0, np.abs(want))), f"max diff {diff.max():.3g}"


def _same_config(ours, theirs, skip=()):
    want = {to_snake_case(k): v for k, v in theirs.items() if k not in ("name", *skip)}
    for key, value in want.items():
        if isinstance(value, dict) and "className" in value:  # a serialized initializer or activation
            assert ours[key]["class_name"] == value["className"], key
        elif key == "activation":
            assert ours[key] == value, key
        else:
            assert ours[key] == value, (key, ours[key], value)


def test_position_embedding_as_tfjs(reference):
    ref = reference["pe"]
    assert ref["cls"] == "PositionEmbedding"
    layer = tf.layers.position_embedding(sequence_length=7, initializer="random_normal")
    layer.apply(X)
    assert [(w.name.split("/")[-1], list(w.shape)) for w in layer.weights] == [("embeddings", [7, 6])]
    layer.set_weights([_arr(w) for w in ref["weights"]])
    _close(layer.apply(X), ref["y0"])
    _close(layer.apply(X, start_index=2), ref["y2"])
    _same_config(layer.get_config(), ref["config"])
    again = tf.layers.deserialize_layer({"class_name": "PositionEmbedding", "config": layer.get_config()})
    assert again.get_config() == layer.get_config()
    with pytest.raises(ValueError, match="positions 4..7 are outside the table of sequence_length 7"):
        layer.apply(X, start_index=4)


def test_cached_multi_head_attention_as_tfjs(reference):
    ref = reference["cached"]
    # TF.js registers the class under its parent's name: loading a 'MultiHeadAttention' builds it there.
    assert ref["cls"] == "CachedMultiHeadAttention"
    layer = tf.layers.cached_multi_head_attention(num_heads=2, key_dim=3, bias_initializer="random_normal")
    layer.apply([X, X])
    assert [list(w.shape) for w in layer.weights] == [w["shape"] for w in ref["weights"]]
    layer.set_weights([_arr(w) for w in ref["weights"]])
    _close(layer.apply([X, X]), ref["plain"])
    stepped, cache = layer.call_and_return_cache(Q1, Q1, cache=CACHE, cache_update_index=3)
    _close(stepped, ref["stepped"])
    _close(cache, ref["cache"])
    whole, same = layer.call_and_return_cache(Q1, Q1, cache=CACHE)
    _close(whole, ref["whole"])
    assert same is not None and np.array_equal(same, CACHE)
    _same_config(layer.get_config(), ref["config"])
    with pytest.raises(ValueError, match="does not fit a cache of 5 steps"):
        layer.call_and_return_cache(Q1, Q1, cache=CACHE, cache_update_index=5)
    with pytest.raises(ValueError, match="`cache_update_index` should not be set"):
        layer.call_and_return_cache(Q1, Q1, cache_update_index=0)


@pytest.mark.parametrize("cid", ["decoder", "decoder_first"])
def test_transformer_decoder_as_tfjs(reference, cid):
    ref = reference[cid]
    assert ref["cls"] == "TransformerDecoder"
    layer = tf.layers.transformer_decoder(intermediate_dim=5, num_heads=2, normalize_first=cid == "decoder_first",
                                          activation="gelu", bias_initializer="random_normal")
    layer.apply(X)
    names = [w.name.split("/", 1)[1] for w in layer.weights]
    assert names[:8] == [f"self_attention/{p}/{v}" for p in ("query", "key", "value", "attention_output")
                         for v in ("kernel", "bias")]
    assert names[8:] == ["self_attention_layer_norm/gamma", "self_attention_layer_norm/beta",
                         "feedforward_intermediate_dense/kernel", "feedforward_intermediate_dense/bias",
                         "feedforward_output_dense/kernel", "feedforward_output_dense/bias",
                         "feedforward_layer_norm/gamma", "feedforward_layer_norm/beta"]
    values = [_arr(w) for w in ref["weights"]]
    # TF.js normalizes both blocks with the self-attention layer norm: give the feed-forward one the same values.
    layer.set_weights(values + values[8:10])
    _close(layer.apply(X), ref["plain"])
    _close(layer.apply(X, use_causal_mask=True), ref["causal"])
    _close(layer.apply(X, use_causal_mask=True, decoder_padding_mask=PAD), ref["padded"])
    _same_config(layer.get_config(), ref["config"], skip=("encoderSequenceShape",))
    with pytest.raises(ValueError, match="built without cross attention"):
        layer.apply(X, encoder_sequence=X)


LOAD_JS = """async ([prefix, topology, specs, data, x]) => {
  const core = await import(prefix + 'core.js');
  await import(prefix + 'layers/layers/nlp/modeling/position_embedding.js');
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const m = await core.loadLayersModel(core.io.fromMemory(topology, specs, bytes.buffer));
  const y = m.predict(core.tensor(x[1], x[0]));
  return {shape: y.shape, values: Array.from(y.dataSync()),
          classes: m.layers.map((l) => l.constructor.className)};
}"""


def test_model_json_with_position_embedding_loads_in_tfjs_and_predicts_the_same(app_page, reference):
    """A model saved here (model.json + weights) loads in TF.js through its registered PositionEmbedding, with its
    weights found by name, and predicts what this side predicts."""
    import base64

    from harness import run_async

    inp = tf.layers.input(shape=[4, 6])
    pos = tf.layers.position_embedding(sequence_length=9, initializer="random_normal", name="pos").apply(inp)
    out = tf.layers.dense(units=3, name="out").apply(pos)
    model = tf.model(inputs=inp, outputs=out)
    saved = []
    run_async(model.save(tf.io.with_save_handler(lambda a: saved.append(a))))
    art = saved[0]
    ref = app_page.evaluate(LOAD_JS, [PREFIX, art.model_topology, art.weight_specs,
                                      base64.b64encode(bytes(art.weight_data)).decode(),
                                      [list(X.shape), X.reshape(-1).tolist()]])
    assert "PositionEmbedding" in ref["classes"]
    _close(model.predict(X), ref)


PAGE_PY = r"""
import numpy as np
import tfjs as tf
rng = np.random.default_rng(1)
x = rng.normal(size=(2, 4, 6)).astype("float32")
layers = [tf.layers.position_embedding(sequence_length=6), tf.layers.transformer_decoder(intermediate_dim=5,
          num_heads=2, bias_initializer="random_normal"), tf.layers.cached_multi_head_attention(num_heads=2,
          key_dim=3), tf.layers.einsum_dense(equation="abc,cd->abd", output_shape=[None, 3], bias_axes="d")]
def run():
    out = [np.asarray(layers[0].apply(x)), np.asarray(layers[1].apply(x, use_causal_mask=True)),
           np.asarray(layers[2].apply([x, x])), np.asarray(layers[3].apply(x))]
    step, cache = layers[2].call_and_return_cache(x[:, :1], x[:, :1], cache=np.stack([x.reshape(2, 4, 2, 3)] * 2, 1),
                                                  cache_update_index=2)
    return out + [np.asarray(step), np.asarray(cache)]
tf.set_backend("cpu")
want = run()
tf.set_backend("webgl")
got = run()
tf.set_backend("cpu")
[float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b)))) for a, b in zip(got, want)]
"""


def test_layers_in_pyodide_on_webgl_as_on_cpu(app_page):
    """In the page (Pyodide), the layers give on the webgl backend what they give on the cpu."""
    from harness import run_py

    diffs = run_py(app_page, PAGE_PY)
    assert len(diffs) == 6 and max(diffs) <= 1e-5, diffs
