"""tf.io's weight helpers against TF.js 4.22 in the page, on the same bytes: CompositeArrayBuffer slices across
shard boundaries, weightsLoaderFactory (whole manifests and subsets), loadWeights over HTTP from a server this
test starts (three groups, several shards each), decodeWeightsStream (chunks that split weights),
getModelArtifactsForJSON / getModelArtifactsInfoForJSON / getWeightSpecs. Ours runs under CPython."""

from __future__ import annotations

import base64
import functools
import http.server
import threading

import numpy as np
import pytest

import tfjs as tf
from harness import add_reference_tfjs, run_async

pytestmark = pytest.mark.e2e
RNG = np.random.default_rng(1818)


def _group(prefix, tensors, shard_size):
    data, specs = tf.io.encode_weights(tensors)
    shards = [data[k:k + shard_size] for k in range(0, len(data), shard_size)]
    paths = [f"{prefix}-shard{k + 1}of{len(shards)}.bin" for k in range(len(shards))]
    return {"paths": paths, "weights": specs}, dict(zip(paths, shards))


GROUPS = [
    _group("g1", {"a": RNG.normal(size=(5, 7)).astype(np.float32), "b": RNG.integers(-9, 9, (11,)).astype(np.int32),
                  "c": RNG.random((3, 3)) > 0.5}, 37),
    _group("g2", {"f": RNG.integers(0, 99, (6,)).astype(np.int32), "d": RNG.normal(size=(4, 4)).astype(np.float32)},
           16),
    _group("g3", {"e": RNG.normal(size=(2, 3, 4)).astype(np.float32)}, 1000),
]
MANIFEST = [g for g, _ in GROUPS]
FILES = {p: b for _, files in GROUPS for p, b in files.items()}
SPECS = [w for g in MANIFEST for w in g["weights"]]
ALL = b"".join(FILES[p] for g in MANIFEST for p in g["paths"])


class _CorsHandler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def weights_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("weights")
    for path, data in FILES.items():
        (root / path).write_bytes(data)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_CorsHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


JS = """async ([files, manifest, specs, all, slices, subsets, chunkSizes, url]) => {
  const buf = (b64) => { const s = atob(b64); const u = new Uint8Array(s.length);
                         for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return u.buffer; };
  const read = async (map) => { const out = {};
    for (const [k, t] of Object.entries(map)) out[k] = {dtype: t.dtype, shape: t.shape,
      data: t.dtype === 'string' ? (await t.bytes()).map(b => Array.from(b)) : Array.from(await t.data())};
    return out; };
  const shards = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, buf(v)]));
  const out = {};
  const composite = new tf.io.CompositeArrayBuffer(manifest.flatMap(g => g.paths.map(p => shards[p])));
  out.byteLength = composite.byteLength;
  out.slices = slices.map(([a, b]) => Array.from(new Uint8Array(composite.slice(a, b))));
  const fetchFn = async (urls) => urls.map(u => shards[u.split('/').pop()]);
  const loader = tf.io.weightsLoaderFactory(fetchFn);
  out.subsets = [];
  for (const names of subsets) {
    try { out.subsets.push(await read(await loader(manifest, 'prefix', names))); }
    catch (e) { out.subsets.push({error: e.message}); }
  }
  out.http = await read(await tf.io.loadWeights(manifest, url));
  out.streams = [];
  for (const size of chunkSizes) {
    const bytes = new Uint8Array(buf(all));
    let pos = 0;
    const stream = new ReadableStream({pull(controller) {
      if (pos >= bytes.length) { controller.close(); return; }
      controller.enqueue(bytes.slice(pos, pos + size)); pos += size; }});
    out.streams.push(await read(await tf.io.decodeWeightsStream(stream, specs)));
  }
  const modelJSON = {modelTopology: {node: []}, format: 'graph-model', generatedBy: 'g', convertedBy: 'c',
                     weightsManifest: manifest, signature: {inputs: {}}, userDefinedMetadata: {a: 1},
                     trainingConfig: {loss: 'mse'}};
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJSON, async (m) => [tf.io.getWeightSpecs(m), buf(all)]);
  const info = tf.io.getModelArtifactsInfoForJSON(artifacts);
  out.artifacts = {keys: Object.keys(artifacts).sort(), specs: artifacts.weightSpecs,
                   bytes: artifacts.weightData.byteLength,
                   info: {modelTopologyBytes: info.modelTopologyBytes, weightSpecsBytes: info.weightSpecsBytes,
                          weightDataBytes: info.weightDataBytes, modelTopologyType: info.modelTopologyType}};
  out.concatenated = tf.io.concatenateArrayBuffers(
      [buf(files[manifest[0].paths[0]]), buf(files[manifest[1].paths[0]])]).byteLength;
  return out;
}"""

SLICES = [[0, 5], [30, 45], [36, 38], [-4, 3], [100, 90], [0, 10 ** 6], [150, 260], [len(ALL) - 3, len(ALL) + 5]]
SUBSETS = [None, ["d"], ["b", "e"], ["f", "a"], ["nope", "a"]]
# TF.js's weightsLoaderFactory sizes weights by dtype, so it cannot read string weights: those are checked here only.
STRINGS = {"s": np.array([b"alpha", b"", "\u00fcnicode".encode(), b"x" * 50], dtype=object),
           "t": RNG.normal(size=(3,)).astype(np.float32), "u": np.array([[b"ab"], [b"cde"]], dtype=object)}
CHUNKS = [1, 7, 64]


def _b64(data):
    return base64.b64encode(bytes(data)).decode("ascii")


@pytest.fixture(scope="module")
def reference(app_page, weights_server):
    add_reference_tfjs(app_page)
    return app_page.evaluate(JS, [{k: _b64(v) for k, v in FILES.items()}, MANIFEST, SPECS, _b64(ALL), SLICES,
                                  SUBSETS, CHUNKS, weights_server])


def _assert_same(ours: dict, theirs: dict):
    assert sorted(ours) == sorted(theirs)
    for name, t in theirs.items():
        a = ours[name]
        assert list(a.shape) == t["shape"], name
        if t["dtype"] == "string":
            assert [list(v) for v in a.reshape(-1)] == t["data"], name
        else:
            assert np.array_equal(np.asarray(a, np.float64).reshape(-1), np.asarray(t["data"], np.float64)), name


def test_composite_array_buffer_as_tfjs(reference):
    shards = [FILES[p] for g in MANIFEST for p in g["paths"]]
    composite = tf.io.CompositeArrayBuffer(shards)
    assert len(shards) > 5 and composite.byte_length == reference["byteLength"] == len(ALL)
    for (a, b), want in zip(SLICES, reference["slices"]):
        assert list(composite.slice(a, b)) == want, (a, b)
    assert tf.io.CompositeArrayBuffer.join(shards) == ALL
    assert len(tf.io.concatenate_array_buffers([FILES[MANIFEST[0]["paths"][0]], FILES[MANIFEST[1]["paths"][0]]])) == \
        reference["concatenated"]


def test_weights_loader_factory_as_tfjs(reference):
    fetched = []

    def fetch(urls):
        fetched.append(urls)
        return [FILES[u.rsplit("/", 1)[1]] for u in urls]

    loader = tf.io.weights_loader_factory(fetch)
    for names, want in zip(SUBSETS, reference["subsets"]):
        if "error" in want:
            with pytest.raises(tf.errors.FormatError) as err:
                run_async(loader(MANIFEST, "prefix", names))
            assert str(err.value) == want["error"]
            continue
        _assert_same(run_async(loader(MANIFEST, "prefix", names)), want)
    # Only the groups holding the weights asked for are fetched, with TF.js's URL joining.
    assert fetched[1] == [f"prefix/{p}" for p in MANIFEST[1]["paths"]]
    assert fetched[2] == [f"prefix/{p}" for p in MANIFEST[0]["paths"] + MANIFEST[2]["paths"]]


def test_load_weights_over_http_as_tfjs(reference, weights_server):
    _assert_same(run_async(tf.io.load_weights(MANIFEST, weights_server)), reference["http"])


@pytest.mark.parametrize("k", range(len(CHUNKS)))
def test_decode_weights_stream_as_tfjs(reference, k):
    size = CHUNKS[k]
    chunks = [ALL[i:i + size] for i in range(0, len(ALL), size)]
    _assert_same(run_async(tf.io.decode_weights_stream(chunks, SPECS)), reference["streams"][k])


def test_decode_weights_stream_with_strings_and_bad_lengths():
    async def agen(data, size):
        for i in range(0, len(data), size):
            yield data[i:i + size]

    data, specs = tf.io.encode_weights(STRINGS)
    for size in (1, 3, 1000):
        got = run_async(tf.io.decode_weights_stream(agen(data, size), specs))
        want = tf.io.decode_weights(data, specs)
        assert sorted(got) == sorted(want)
        for name in want:
            assert np.array_equal(got[name], want[name]), name
    with pytest.raises(tf.errors.FormatError, match="Weight stream ended early: weight 'u'"):
        run_async(tf.io.decode_weights_stream([data[:-2]], specs))
    with pytest.raises(tf.errors.FormatError, match="too long"):
        run_async(tf.io.decode_weights_stream([data, b"xx"], specs))


def test_model_artifacts_for_json_as_tfjs(reference):
    model_json = {"modelTopology": {"node": []}, "format": "graph-model", "generatedBy": "g", "convertedBy": "c",
                  "weightsManifest": MANIFEST, "signature": {"inputs": {}}, "userDefinedMetadata": {"a": 1},
                  "trainingConfig": {"loss": "mse"}}

    async def load(manifest):
        return tf.io.get_weight_specs(manifest), [FILES[p] for g in manifest for p in g["paths"]]

    artifacts = run_async(tf.io.get_model_artifacts_for_json(model_json, load))
    ref = reference["artifacts"]
    assert artifacts.weight_specs == ref["specs"] == SPECS
    from tfjs.io.model_json import to_camel_dict
    assert sorted(to_camel_dict(artifacts)) == ref["keys"]
    info = tf.io.get_model_artifacts_info_for_json(artifacts)
    assert (info.model_topology_bytes, info.weight_specs_bytes, info.weight_data_bytes,
            info.model_topology_type) == tuple(ref["info"][k] for k in ("modelTopologyBytes", "weightSpecsBytes",
                                                                       "weightDataBytes", "modelTopologyType"))
    with pytest.raises(tf.errors.FormatError, match="weightsManifest but weightSpecs is null"):
        tf.io.get_model_artifacts_for_json_sync(model_json)


def test_sync_handlers_and_protocols():
    artifacts = tf.io.ModelArtifacts(model_topology={"node": []}, format="graph-model")
    loader = tf.io.from_memory_sync(artifacts)
    assert loader.load() is artifacts and isinstance(loader, tf.io.IOHandlerSync)
    legacy = tf.io.from_memory_sync({"node": []}, [{"name": "w", "shape": [1], "dtype": "float32"}], b"\0\0\0\0")
    assert legacy.load().model_topology == {"node": []} and legacy.load().weight_specs[0]["name"] == "w"
    saved = []
    saver = tf.io.with_save_handler_sync(lambda a: saved.append(a))
    result = saver.save(artifacts)
    assert saved == [artifacts] and result.model_artifacts_info.model_topology_type == "JSON"
    assert isinstance(saver, tf.io.IOHandler) and not isinstance(object(), tf.io.IOHandler)
    assert run_async(tf.io.load(loader)) is artifacts  # the router takes sync handlers too
