"""localstorage:// against the real localStorage, side by side with the real TF.js in the same page."""

import json
import textwrap
from pathlib import Path

import pytest

from harness import add_reference_tfjs, run_py

pytestmark = pytest.mark.e2e
HERE = Path(__file__).parent
PREFIX = "tensorflowjs_models/"
KEYS = ["info", "model_topology", "weight_specs", "weight_data", "model_metadata"]

# The artifacts TF.js built (globalThis.sharedArtifacts) as Python ModelArtifacts.
FROM_JS = """
import js, tfjs as tf
from tfjs import platform
from tfjs.io.model_json import from_camel_dict
def from_js(a):
    return from_camel_dict(platform.to_py(a) | {"weightData": platform.to_bytes(a.weightData)})
"""


@pytest.fixture(scope="module")
def page(app_page):
    add_reference_tfjs(app_page)
    app_page.add_script_tag(path=str(HERE / "js" / "io_fixtures.js"))
    run_py(app_page, (HERE / "py" / "io_canonical.py").read_text())
    run_py(app_page, FROM_JS)
    return app_page


@pytest.fixture(autouse=True)
def clean_storage(page):
    page.evaluate("localStorage.clear()")
    yield
    page.evaluate("localStorage.clear()")


def stored(page, path):
    """{key name: value} of a model's localStorage keys (only those present)."""
    return page.evaluate("""(prefix) => {
        const out = {};
        for (let i = 0; i < localStorage.length; i++) {
            const key = localStorage.key(i);
            if (key.startsWith(prefix)) out[key.slice(prefix.length)] = localStorage.getItem(key);
        }
        return out;
    }""", f"{PREFIX}{path}/")


def model_keys(page):
    return sorted(page.evaluate("Object.keys(localStorage)"))


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


def test_tfjs_saves_and_we_load_identical_values(page):
    expected = page.evaluate("""async () => {
        const artifacts = await ioFixtures.makeArtifacts(1);
        await tf.io.getSaveHandlers('localstorage://from-tfjs/m1')[0].save(artifacts);
        return ioFixtures.canonical(artifacts);
    }""")
    got = run_py(page, """
a = await tf.io.load("localstorage://from-tfjs/m1")
[canonical(a), a.format, a.generated_by, a.converted_by, a.user_defined_metadata, a.training_config,
 a.model_topology["class_name"]]
""")
    assert got[0] == expected
    assert got[1:] == ["layers-model", "TensorFlow.js tfjs-layers v4.22.0", None, {"note": "ünïcode"},
                       {"loss": "meanSquaredError"}, "Sequential"]


def test_we_save_the_same_keys_and_values_as_tfjs_and_tfjs_loads_ours(page):
    tfjs_result = page.evaluate("""async () => {
        globalThis.sharedArtifacts = await ioFixtures.makeArtifacts(2);
        const result = await tf.io.getSaveHandlers('localstorage://pair/tfjs')[0].save(sharedArtifacts);
        return result.modelArtifactsInfo;
    }""")
    ours = run_py(page, """
a = from_js(js.sharedArtifacts)
data = bytes(a.weight_data)
a.weight_data = [data[:5], data[5:6], data[6:77], data[77:]]   # shards: base64 must not care
result = await tf.io.save("localstorage://pair/ours", a)
info = result.model_artifacts_info
[info.model_topology_type, info.model_topology_bytes, info.weight_specs_bytes, info.weight_data_bytes]
""")
    assert ours == ["JSON", tfjs_result["modelTopologyBytes"], tfjs_result["weightSpecsBytes"],
                    tfjs_result["weightDataBytes"]]
    theirs, mine = stored(page, "pair/tfjs"), stored(page, "pair/ours")
    assert sorted(theirs) == sorted(mine) == sorted(KEYS)
    for key in KEYS:
        if key == "info":
            a, b = json.loads(theirs[key]), json.loads(mine[key])
            assert list(a) == list(b) == ["dateSaved", "modelTopologyType", "modelTopologyBytes",
                                          "weightSpecsBytes", "weightDataBytes"]
            assert len(a["dateSaved"]) == len(b["dateSaved"]) == 24 and b["dateSaved"].endswith("Z")
            a.pop("dateSaved"), b.pop("dateSaved")
            assert a == b
        else:
            assert mine[key] == theirs[key], key  # the exact same text, byte for byte
    loaded = page.evaluate("""async () => {
        const a = await tf.io.getLoadHandlers('localstorage://pair/ours')[0].load();
        return [await ioFixtures.canonical(a), a.format, a.generatedBy, a.convertedBy, a.userDefinedMetadata,
                a.trainingConfig, a.weightData instanceof ArrayBuffer];
    }""")
    expected = page.evaluate("ioFixtures.canonical(sharedArtifacts)")
    assert loaded == [expected, "layers-model", "TensorFlow.js tfjs-layers v4.22.0", None, {"note": "ünïcode"},
                      {"loss": "meanSquaredError"}, True]


def test_round_trip_of_topology_only_and_v0_artifacts(page):
    got = run_py(page, """
await tf.io.save("localstorage://topo", tf.io.ModelArtifacts(model_topology={"a": [1, 2.5]}))
t = await tf.io.load("localstorage://topo")
await tf.io.save("localstorage://v0", tf.io.ModelArtifacts(model_topology={"b": 1}, weight_specs=[
    {"name": "w", "shape": [2], "dtype": "float32"}], weight_data=b"\\x00\\x00\\x80\\x3f\\x00\\x00\\x00\\x40"))
v = await tf.io.load("localstorage://v0")
[t.model_topology, t.weight_specs, len(t.weight_data), t.format,
 v.format, v.generated_by, v.converted_by, tf.io.decode_weights(v.weight_data, v.weight_specs)["w"].tolist()]
""")
    assert got == [{"a": [1, 2.5]}, None, 0, None, None, None, None, [1.0, 2.0]]
    assert stored(page, "v0")["model_metadata"] == "{}"  # as TF.js writes metadata-less artifacts
    tfjs_view = page.evaluate("""async () => {
        const a = await tf.io.getLoadHandlers('localstorage://v0')[0].load();
        return [a.format, a.generatedBy, Array.from(new Float32Array(a.weightData))];
    }""")
    assert tfjs_view == [None, None, [1.0, 2.0]]


def test_quota_exceeded_over_an_existing_model_keeps_it_and_leaves_nothing_new(page):
    page.evaluate("""async () => {
        globalThis.sharedArtifacts = await ioFixtures.makeArtifacts(3);
    }""")
    run_py(page, '_ = await tf.io.save("localstorage://victim", from_js(js.sharedArtifacts))')
    before = stored(page, "victim")
    # Fill localStorage until only ~150k characters are left.
    free = page.evaluate("""() => {
        let lo = 0, hi = 12 * 1024 * 1024;
        while (hi - lo > 4096) {
            const mid = Math.floor((lo + hi) / 2);
            try { localStorage.setItem('filler', 'x'.repeat(mid)); lo = mid; }
            catch (e) { hi = mid; }
        }
        localStorage.setItem('filler', 'x'.repeat(lo - 150000));
        return 150000;
    }""")
    try:
        kind, message = error_of(page, """
import numpy as np
big = tf.io.ModelArtifacts(model_topology={"big": True}, weight_specs=[
    {"name": "w", "shape": [100000], "dtype": "float32"}], weight_data=np.ones(100000, np.float32).tobytes(),
    format="layers-model")
await tf.io.save("localstorage://victim", big)
""")
        assert kind == "StorageError"
        assert message == ("Failed to save model 'victim' to local storage: size quota being exceeded is a possible "
                           "cause of this failure: modelTopologyBytes=12, weightSpecsBytes=49, "
                           "weightDataBytes=400000.")
        assert free < 400000 * 4 // 3
        # Nothing lost, nothing partial: the old model's five values are the same text as before.
        assert stored(page, "victim") == before
        assert [k for k in model_keys(page) if k.startswith(PREFIX)] == sorted(PREFIX + "victim/" + k for k in KEYS)
        expected = page.evaluate("ioFixtures.canonical(sharedArtifacts)")
        assert run_py(page, 'canonical(await tf.io.load("localstorage://victim"))') == expected
        # And TF.js still loads it too.
        assert page.evaluate("""async () => ioFixtures.canonical(
            await tf.io.getLoadHandlers('localstorage://victim')[0].load())""") == expected
    finally:
        page.evaluate("localStorage.removeItem('filler')")
    # With the room back, the same save succeeds.
    assert run_py(page, """
await tf.io.save("localstorage://victim", big)
(await tf.io.load("localstorage://victim")).model_topology
""") == {"big": True}


def test_a_new_model_that_does_not_fit_leaves_no_key(page):
    run_py(page, """
import numpy as np
huge = tf.io.ModelArtifacts(model_topology={"huge": 1}, weight_specs=[
    {"name": "w", "shape": [4 * 1024 * 1024], "dtype": "float32"}],
    weight_data=np.zeros(4 * 1024 * 1024, np.float32).tobytes())
""")
    kind, message = error_of(page, 'await tf.io.save("localstorage://huge", huge)')
    assert kind == "StorageError" and message.startswith("Failed to save model 'huge' to local storage")
    assert "weightDataBytes=16777216." in message
    assert model_keys(page) == []


def test_load_errors_with_tfjs_texts(page):
    assert error_of(page, 'await tf.io.load("localstorage://Nonexistent")') == [
        "StorageError", "In local storage, there is no model with name 'Nonexistent'"]
    run_py(page, """
_ = await tf.io.save("localstorage://broken", tf.io.ModelArtifacts(model_topology={}, weight_specs=[],
                                                               weight_data=b""))
""")
    for key, message in [
            ("weight_data", "In local storage, the binary weight values of model 'broken' are missing."),
            ("weight_specs", "In local storage, the weight specs of model 'broken' are missing."),
            ("model_topology", "In local storage, the topology of model 'broken' is missing.")]:
        page.evaluate(f"localStorage.removeItem('{PREFIX}broken/{key}')")
        assert error_of(page, 'await tf.io.load("localstorage://broken")') == ["StorageError", message]
        # TF.js says the same.
        assert page.evaluate("""async () => {
            try { await tf.io.getLoadHandlers('localstorage://broken')[0].load(); return null; }
            catch (e) { return e.message; } }""") == message
    assert error_of(page, "tf.io.browser_local_storage('')") == [
        "StorageError", "For local storage, modelPath must not be null, undefined or empty."]


def test_routers_and_the_manager(page):
    got = run_py(page, """
r = [type(h).__name__ for h in tf.io.get_save_handlers("localstorage://bar")]
r += [[type(h).__name__ for h in tf.io.get_save_handlers(u)] for u in ["indexeddb://bar", "qux", "xlocalstorage://bar"]]
r += [len(tf.io.get_load_handlers("localstorage://bar")), len(tf.io.get_load_handlers(["localstorage://bar"]))]
from tfjs.io.local_storage import BrowserLocalStorageManager
m = BrowserLocalStorageManager()
r.append(await m.list_models())
await tf.io.save("localstorage://QuxModel", tf.io.ModelArtifacts(model_topology={"x": 1}))
await tf.io.save("localstorage://repeat/QuxModel", tf.io.ModelArtifacts(model_topology={"x": 2}))
models = await m.list_models()
r.append(sorted(models))
r.append(models["repeat/QuxModel"].model_topology_bytes)
info = await m.remove_model("localstorage://QuxModel")
r.append(info.model_topology_bytes)
r.append(sorted(await m.list_models()))
try:
    await m.remove_model("QuxModel")
except Exception as e:
    r.append(str(e))
r
""")
    assert got == ["BrowserLocalStorage", ["BrowserIndexedDB"], [], [], 1, 0, {}, ["QuxModel", "repeat/QuxModel"], 7, 7,
                   ["repeat/QuxModel"], "Cannot find model at path 'QuxModel'"]
