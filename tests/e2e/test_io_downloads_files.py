"""downloads:// through real anchor clicks (caught by Playwright) and browser_files from a real <input type=file>
and a real drop, side by side with the real TF.js in the same page."""

import json
import random
import textwrap
from pathlib import Path

import pytest

from harness import add_reference_tfjs, run_py

pytestmark = pytest.mark.e2e
HERE = Path(__file__).parent

FROM_JS = """
import js, tfjs as tf
from tfjs import platform
from tfjs.io.model_json import from_camel_dict
def from_js(a):
    return from_camel_dict(platform.to_py(a) | {"weightData": platform.to_bytes(a.weightData)})
"""

PAGE_JS = """
const picker = document.createElement('input');
picker.type = 'file'; picker.multiple = true; picker.id = 'picker';
document.body.appendChild(picker);
const zone = document.createElement('div');
zone.id = 'dropzone';
zone.addEventListener('dragover', (e) => e.preventDefault());
zone.addEventListener('drop', (e) => { e.preventDefault(); globalThis.droppedFiles = e.dataTransfer.files; });
document.body.appendChild(zone);
// Drop files on the zone the way a user does: a DataTransfer holding File objects, in a real drop event.
globalThis.dropFiles = (files) => {
  const dt = new DataTransfer();
  for (const f of files) dt.items.add(f);
  zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
  return globalThis.droppedFiles.length;
};
// Files of a model with 2 groups and 3 shards in directories; weights straddle the shard boundaries.
globalThis.shardedModelFiles = async () => {
  const a = await ioFixtures.makeArtifacts(5);
  const bytes = new Uint8Array(a.weightData);
  const split = a.weightSpecs.findIndex((s) => s.name === 'vocab');
  const groups = [a.weightSpecs.slice(0, split), a.weightSpecs.slice(split)];
  let cut = 0;
  for (const s of groups[0]) {
    const n = s.shape.reduce((x, y) => x * y, 1);
    cut += n * ({float32: 4, int32: 4, bool: 1, complex64: 8})[s.dtype];
  }
  const modelJSON = {
    modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: '1.13.1',
    weightsManifest: [
      {paths: ['./dir1/group1-shard1of2.bin', './dir1/group1-shard2of2.bin'], weights: groups[0]},
      {paths: ['dir2/group2-shard1of1.bin'], weights: groups[1]}],
  };
  globalThis.shardedArtifacts = {...a, convertedBy: '1.13.1'};
  return [
    new File([JSON.stringify(modelJSON)], 'model.json', {type: 'application/json'}),
    new File([bytes.slice(0, 13)], 'group1-shard1of2.bin'),
    new File([bytes.slice(13, cut)], 'group1-shard2of2.bin'),
    new File([bytes.slice(cut)], 'group2-shard1of1.bin'),
  ];
};
"""


@pytest.fixture(scope="module")
def page(app_page):
    add_reference_tfjs(app_page)
    app_page.add_script_tag(path=str(HERE / "js" / "io_fixtures.js"))
    app_page.add_script_tag(content=PAGE_JS)
    run_py(app_page, (HERE / "py" / "io_canonical.py").read_text())
    run_py(app_page, FROM_JS)
    app_page.evaluate("async () => { globalThis.sharedArtifacts = await ioFixtures.makeArtifacts(2); }")
    return app_page


def error_of(page, code):
    """[error class name, message] of running ``code`` in the page (None if it raised nothing)."""
    body = textwrap.indent(textwrap.dedent(code).strip(), "    ")
    return run_py(page, f"""
try:
{body}
    result = None
except Exception as e:
    result = [type(e).__name__, str(e)]
result
""")


def catch_two_downloads(page, save, folder, json_name, bin_name):
    """Run ``save`` (a callable) and catch the JSON download then the weights download; returns their paths."""
    order = []
    page.on("download", lambda d: order.append(d.suggested_filename))
    with page.expect_download(predicate=lambda d: d.suggested_filename == bin_name) as weights_info:
        with page.expect_download(predicate=lambda d: d.suggested_filename == json_name) as json_info:
            save()
    assert order == [json_name, bin_name]  # one after the other, JSON first
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for info, name in [(json_info, json_name), (weights_info, bin_name)]:
        info.value.save_as(folder / name)
        paths.append(folder / name)
    return paths


def test_downloads_are_the_same_files_as_tfjs_and_load_back_through_an_input(page, tmp_path):
    ours = catch_two_downloads(
        page, lambda: run_py(page, "_ = await tf.io.save('downloads://my-model', from_js(js.sharedArtifacts))"),
        tmp_path / "ours", "my-model.json", "my-model.weights.bin")
    theirs = catch_two_downloads(
        page, lambda: page.evaluate("""async () => {
            await tf.io.getSaveHandlers('downloads://my-model')[0].save({...sharedArtifacts}); }"""),
        tmp_path / "tfjs", "my-model.json", "my-model.weights.bin")
    model_json = json.loads(ours[0].read_text())
    assert list(model_json) == ["modelTopology", "format", "generatedBy", "convertedBy", "weightsManifest",
                                "userDefinedMetadata", "trainingConfig"]
    assert model_json["weightsManifest"][0]["paths"] == ["./my-model.weights.bin"]
    assert ours[0].read_bytes() == theirs[0].read_bytes()  # the same JSON text, byte for byte
    assert ours[1].read_bytes() == theirs[1].read_bytes()  # the same weight bytes
    expected = page.evaluate("ioFixtures.canonical(sharedArtifacts)")

    # Back in through a real <input type=file>, weights first: we find the JSON whatever the order.
    page.set_input_files("#picker", [str(ours[1]), str(ours[0])])
    got = run_py(page, """
a = await tf.io.load(tf.io.browser_files(js.document.getElementById("picker").files))
[canonical(a), type(a.weight_data).__name__, len(a.weight_data), a.format, a.converted_by, a.training_config]
""")
    assert got == [expected, "list", 1, "layers-model", None, {"loss": "meanSquaredError"}]
    loaded = page.evaluate("""async () => {
        const files = Array.from(document.getElementById('picker').files);
        files.sort((a, b) => a.name.endsWith('.json') ? -1 : 1);   // TF.js wants model.json first
        return ioFixtures.canonical(await tf.io.browserFiles(files).load());
    }""")
    assert loaded == expected


def test_default_name_and_topology_only(page, tmp_path):
    paths = catch_two_downloads(
        page, lambda: run_py(page, "_ = await tf.io.save(tf.io.browser_downloads(), from_js(js.sharedArtifacts))"),
        tmp_path, "model.json", "model.weights.bin")
    assert json.loads(paths[0].read_text())["weightsManifest"][0]["paths"] == ["./model.weights.bin"]
    names = []
    page.on("download", lambda d: names.append(d.suggested_filename))
    with page.expect_download() as info:
        got = run_py(page, """
r = await tf.io.save("downloads://topo", tf.io.ModelArtifacts(model_topology={"t": 1}, format="layers-model"))
[r.model_artifacts_info.weight_specs_bytes, r.model_artifacts_info.weight_data_bytes]
""")
    page.wait_for_timeout(300)
    assert got == [0, 0] and names == ["topo.json"]
    assert json.loads(Path(info.value.path()).read_text()) == {
        "modelTopology": {"t": 1}, "format": "layers-model", "convertedBy": None,
        "weightsManifest": [{"paths": ["./topo.weights.bin"]}]}
    assert run_py(page, """
([[type(h).__name__ for h in tf.io.get_save_handlers(u)] for u in ["downloads://foo", "invaliddownloads://foo", "foo"]]
 + [len(tf.io.get_load_handlers("downloads://foo"))])
""") == [["BrowserDownloads"], [], [], 0]


def test_a_dropped_sharded_model_in_any_order_loads_like_tfjs(page):
    files = page.evaluate("async () => dropFiles((await shardedModelFiles()).reverse())")
    assert files == 4
    expected = page.evaluate("ioFixtures.canonical(shardedArtifacts)")
    tfjs_loaded = page.evaluate("""async () => {
        const files = Array.from(droppedFiles).reverse();   // model.json first, shards reversed
        const a = await tf.io.browserFiles([files[0], files[3], files[1], files[2]]).load();
        return [await ioFixtures.canonical(a), a.weightData.map((b) => b.byteLength)];
    }""")
    got = run_py(page, """
a = await tf.io.load(tf.io.browser_files(js.droppedFiles))
[canonical(a), [len(s) for s in a.weight_data], a.converted_by, len(a.weight_specs)]
""")
    assert tfjs_loaded[0] == expected
    assert got == [expected, tfjs_loaded[1], "1.13.1", 9]
    # A Python list of the JS files, shuffled, gives the same.
    order = list(range(4))
    random.Random(7).shuffle(order)
    got = run_py(page, f"""
files = list(getattr(js.Array, "from")(js.droppedFiles))
a = await tf.io.load(tf.io.browser_files([files[i] for i in {order}]))
canonical(a)
""")
    assert got == expected


def test_python_name_bytes_pairs(page):
    got = run_py(page, """
import numpy as np
data, specs = tf.io.encode_weights({"a": np.arange(6, dtype=np.float32), "b": np.array([1, 2], np.int32)})
model_json = {"modelTopology": {"k": 1}, "weightsManifest": [{"paths": ["s1.bin", "s2.bin"], "weights": specs}]}
pairs = [("s2.bin", data[10:]), ("model.json", tf.io.jsjson.stringify(model_json).encode()), ("s1.bin", data[:10])]
a = await tf.io.load(tf.io.browser_files(pairs))
w = tf.io.decode_weights(a.weight_data, a.weight_specs)
[w["a"].tolist(), w["b"].tolist(), [len(s) for s in a.weight_data]]
""")
    assert got == [[0, 1, 2, 3, 4, 5], [1, 2], [10, 22]]


def tfjs_error(page, reorder):
    """TF.js's message for the dropped files, reordered by the JS expression ``reorder`` (on ``f``)."""
    return page.evaluate(f"""async () => {{
        const f = Array.from(droppedFiles);
        try {{ await tf.io.browserFiles({reorder}).load(); return null; }} catch (e) {{ return e.message; }}
    }}""")


def test_missing_extra_and_duplicated_files_are_named(page):
    page.evaluate("async () => dropFiles(await shardedModelFiles())")
    run_py(page, "files = list(getattr(js.Array, 'from')(js.droppedFiles))")   # json, s1, s2, g2
    cases = [
        ("[files[0], files[1], files[3]]", "[f[0], f[1], f[3]]",
         "Weight file with basename 'group1-shard2of2.bin' is not provided.",
         " Weight files provided: 'group1-shard1of2.bin', 'group2-shard1of1.bin'."),
        ("files + [('extra.bin', b'123')]", "[...f, new File(['123'], 'extra.bin')]",
         "Mismatch in the number of files in weights manifest (3) and the number of weight files provided (4).",
         " Not in the manifest: 'extra.bin'."),
        ("files + [('group1-shard1of2.bin', b'123')]", "[...f, new File(['123'], 'group1-shard1of2.bin')]",
         "Mismatch in the number of files in weights manifest (3) and the number of weight files provided (4).",
         " Given more than once: 'group1-shard1of2.bin'."),
    ]
    for ours, theirs, tfjs_text, detail in cases:
        assert error_of(page, f"await tf.io.load(tf.io.browser_files({ours}))") == ["FormatError",
                                                                                   tfjs_text + detail]
        assert tfjs_error(page, theirs) == tfjs_text
    # Nothing was lost: the right files still load.
    assert run_py(page, "len((await tf.io.load(tf.io.browser_files(files))).weight_data)") == 3


def test_bad_model_json_files(page):
    run_py(page, """
import json
manifest = [{"paths": ["./dir1/model.weights.1.bin", "./dir2/model.weights.1.bin"],
             "weights": [{"name": "w", "shape": [2], "dtype": "float32"}]}]
dup = json.dumps({"modelTopology": {}, "weightsManifest": manifest}).encode()
w = [("model.weights.1.bin", b"\\0" * 8)]
""")
    assert error_of(page, "await tf.io.load(tf.io.browser_files([('model.json', dup)] + w))") == [
        "FormatError", "Duplicate file basename found in weights manifest: 'model.weights.1.bin'"]
    kind, message = error_of(page, "await tf.io.load(tf.io.browser_files(w + [('model.json', b'{not json')]))")
    assert kind == "FormatError" and message.startswith("Failed to parse file model.json: ")
    # (TF.js 4.22 never settles here: its JSON.parse throws inside the FileReader callback.)
    assert page.evaluate("""async () => Promise.race([
        tf.io.browserFiles([new File(['{not json'], 'model.json')]).load().catch((e) => e.message),
        new Promise((resolve) => setTimeout(() => resolve('no answer'), 500))])""") == "no answer"
    assert error_of(page, "await tf.io.load(tf.io.browser_files([('model.json', b'{\"weightsManifest\": []}')]))") == [
        "FormatError", "modelTopology field is missing from file model.json"]
    assert error_of(page, "await tf.io.load(tf.io.browser_files([('m.json', b'{\"modelTopology\": {}}')] + w))") == [
        "FormatError", "weightManifest field is missing from file m.json"]
    kind, message = error_of(page, "tf.io.browser_files([('a.json', dup), ('b.json', dup)] + w)\n"
                                   "await tf.io.load(tf.io.browser_files([('a.json', dup), ('b.json', dup)] + w))")
    assert kind == "FormatError" and "2 of the 2 JSON files given (a.json, b.json) are model JSON" in message
    assert error_of(page, "tf.io.browser_files([])") == [
        "FormatError", "When calling browserFiles, at least 1 file is required, but received []"]
    # A shard of the wrong size is named, with the sizes.
    kind, message = error_of(page, """
mj = json.dumps({"modelTopology": {}, "weightsManifest": [{"paths": ["s.bin"], "weights": manifest[0]["weights"]}]})
await tf.io.load(tf.io.browser_files([("model.json", mj.encode()), ("s.bin", b"\\0" * 6)]))
""")
    assert kind == "FormatError" and "'w'" in message and "s.bin" in message and "got 6" in message
    # The topology alone (no weight file given) loads, as in TF.js.
    assert run_py(page, """
a = await tf.io.load(tf.io.browser_files([("model.json", dup)]))
[a.model_topology, a.weight_specs, a.weight_data]
""") == [{}, None, None]
