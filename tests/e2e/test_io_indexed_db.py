"""indexeddb:// against the real IndexedDB, side by side with the real TF.js in the same page."""

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

# Raw IndexedDB access for the tests, without TF.js or us in between.
IDB_JS = """
globalThis.idb = {
  request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  },
  async open() { return idb.request(indexedDB.open('tensorflowjs')); },
  async get(store, key) {
    const db = await idb.open();
    try { return await idb.request(db.transaction(store, 'readonly').objectStore(store).get(key)); }
    finally { db.close(); }
  },
  async put(store, record) {
    const db = await idb.open();
    try { return await idb.request(db.transaction(store, 'readwrite').objectStore(store).put(record)); }
    finally { db.close(); }
  },
  async keys(store) {
    const db = await idb.open();
    try { return await idb.request(db.transaction(store, 'readonly').objectStore(store).getAllKeys()); }
    finally { db.close(); }
  },
  async schema() {
    const db = await idb.open();
    try {
      const names = Array.from(db.objectStoreNames).sort();
      const tx = db.transaction(names, 'readonly');
      return [db.name, db.version, names.map((n) => [n, tx.objectStore(n).keyPath,
                                                     tx.objectStore(n).autoIncrement])];
    } finally { db.close(); }
  },
  // Structure of a stored value: types, sorted keys, bytes of ArrayBuffers (dates: type only).
  describe(v) {
    const tag = Object.prototype.toString.call(v).slice(8, -1);
    if (tag === 'ArrayBuffer') return [tag, Array.from(new Uint8Array(v))];
    if (tag === 'Date') return [tag];
    if (tag === 'Array') return [tag, v.map(idb.describe)];
    if (tag === 'Object') return [tag, Object.keys(v).sort().map((k) => [k, idb.describe(v[k])])];
    return [tag, v];
  },
  async remove() {
    await new Promise((resolve, reject) => {
      const req = indexedDB.deleteDatabase('tensorflowjs');
      req.onsuccess = resolve; req.onerror = () => reject(req.error);
    });
  },
};
"""


QUOTA = 8 * 1024 * 1024


@pytest.fixture(scope="module")
def page(app_page, app_server):
    # A real storage quota for this origin: Chromium's own, set through the DevTools protocol before the page
    # first touches storage (Chromium reads it once). Every model here is far smaller, but one.
    cdp = app_page.context.new_cdp_session(app_page)
    origin = app_server.url.rstrip("/")
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": origin, "quotaSize": QUOTA})
    add_reference_tfjs(app_page)
    app_page.add_script_tag(path=str(HERE / "js" / "io_fixtures.js"))
    app_page.add_script_tag(content=IDB_JS)
    run_py(app_page, (HERE / "py" / "io_canonical.py").read_text())
    run_py(app_page, FROM_JS)
    yield app_page
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": origin})
    cdp.detach()


@pytest.fixture(autouse=True)
def clean_database(page):
    page.evaluate("idb.remove()")
    yield
    page.evaluate("idb.remove()")


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


def tfjs_error(page, code):
    return page.evaluate(f"async () => {{ try {{ {code}; return null; }} catch (e) {{ return e.message; }} }}")


def test_tfjs_saves_and_we_load_identical_values(page):
    expected = page.evaluate("""async () => {
        const artifacts = await ioFixtures.makeArtifacts(1);
        await tf.io.getSaveHandlers('indexeddb://from-tfjs/m1')[0].save(artifacts);
        return ioFixtures.canonical(artifacts);
    }""")
    got = run_py(page, """
a = await tf.io.load("indexeddb://from-tfjs/m1")
[canonical(a), a.format, a.generated_by, a.converted_by, a.user_defined_metadata, a.training_config,
 a.model_topology["class_name"], type(a.weight_data).__name__]
""")
    assert got[0] == expected
    assert got[1:] == ["layers-model", "TensorFlow.js tfjs-layers v4.22.0", None, {"note": "ünïcode"},
                       {"loss": "meanSquaredError"}, "Sequential", "memoryview"]


def test_records_with_weight_data_as_an_array_of_buffers_load_as_shards(page):
    expected = page.evaluate("""async () => {
        const a = await ioFixtures.makeArtifacts(4);
        await tf.io.getSaveHandlers('indexeddb://sharded')[0].save(a);
        const record = await idb.get('models_store', 'sharded');
        const all = record.modelArtifacts.weightData;
        record.modelArtifacts.weightData = [all.slice(0, 10), all.slice(10, 11), all.slice(11)];
        await idb.put('models_store', record);
        return ioFixtures.canonical(a);
    }""")
    got = run_py(page, """
a = await tf.io.load("indexeddb://sharded")
[canonical(a), [len(s) for s in a.weight_data][:2]]
""")
    assert got == [expected, [10, 1]]


def test_we_write_the_same_records_as_tfjs_and_tfjs_loads_ours(page):
    tfjs_info = page.evaluate("""async () => {
        globalThis.sharedArtifacts = await ioFixtures.makeArtifacts(2);
        const copy = {...sharedArtifacts};  // TF.js replaces weightData in the object it is given
        return (await tf.io.getSaveHandlers('indexeddb://pair/tfjs')[0].save(copy)).modelArtifactsInfo;
    }""")
    ours = run_py(page, """
a = from_js(js.sharedArtifacts)
data = bytes(a.weight_data)
a.weight_data = [data[:3], data[3:50], data[50:]]   # shards: stored joined, as TF.js stores them
info = (await tf.io.save("indexeddb://pair/ours", a)).model_artifacts_info
[info.model_topology_type, info.model_topology_bytes, info.weight_specs_bytes, info.weight_data_bytes]
""")
    assert ours == ["JSON", tfjs_info["modelTopologyBytes"], tfjs_info["weightSpecsBytes"],
                    tfjs_info["weightDataBytes"]]
    assert page.evaluate("idb.schema()") == ["tensorflowjs", 1, [["model_info_store", "modelPath", False],
                                                                 ["models_store", "modelPath", False]]]
    for store in ["models_store", "model_info_store"]:
        theirs, mine = page.evaluate(f"""async () => [
            idb.describe(await idb.get('{store}', 'pair/tfjs')), idb.describe(await idb.get('{store}', 'pair/ours'))]""")
        assert ["modelPath", ["String", "pair/tfjs"]] in theirs[1]
        renamed = [e if e[0] != "modelPath" else ["modelPath", ["String", "pair/ours"]] for e in theirs[1]]
        assert mine == ["Object", renamed], store  # the same structure and bytes; only the paths differ
    record = page.evaluate("""async () => {
        const r = await idb.get('models_store', 'pair/ours');
        return [Object.keys(r), Object.keys(r.modelArtifactsInfo), r.modelArtifacts.weightData.byteLength,
                r.modelArtifactsInfo.dateSaved instanceof Date, Date.now() - r.modelArtifactsInfo.dateSaved];
    }""")
    assert record[:4] == [["modelPath", "modelArtifacts", "modelArtifactsInfo"],
                          ["dateSaved", "modelTopologyType", "modelTopologyBytes", "weightSpecsBytes",
                           "weightDataBytes"], tfjs_info["weightDataBytes"], True]
    assert 0 <= record[4] < 60_000
    loaded = page.evaluate("""async () => {
        const a = await tf.io.getLoadHandlers('indexeddb://pair/ours')[0].load();
        return [await ioFixtures.canonical(a), a.format, a.generatedBy, a.convertedBy, a.userDefinedMetadata,
                a.trainingConfig];
    }""")
    expected = page.evaluate("ioFixtures.canonical(sharedArtifacts)")
    assert loaded == [expected, "layers-model", "TensorFlow.js tfjs-layers v4.22.0", None, {"note": "ünïcode"},
                      {"loss": "meanSquaredError"}]


def test_two_models_and_overwrite(page):
    got = run_py(page, """
import numpy as np
def art(v):
    data, specs = tf.io.encode_weights({"w": np.full(3, v, np.float32)})
    return tf.io.ModelArtifacts(model_topology={"v": v}, weight_specs=specs, weight_data=data)
r1 = await tf.io.save("indexeddb://Model/1", art(1))
r2 = await tf.io.save("indexeddb://Model/2", art(2))
out = [r2.model_artifacts_info.date_saved >= r1.model_artifacts_info.date_saved]
for path in ["Model/1", "Model/2"]:
    a = await tf.io.load("indexeddb://" + path)
    out.append([a.model_topology, tf.io.decode_weights(a.weight_data, a.weight_specs)["w"].tolist()])
_ = await tf.io.save("indexeddb://Model/1", art(7))
a = await tf.io.load("indexeddb://Model/1")
out.append([a.model_topology, tf.io.decode_weights(a.weight_data, a.weight_specs)["w"].tolist()])
out
""")
    assert got == [True, [{"v": 1}, [1, 1, 1]], [{"v": 2}, [2, 2, 2]], [{"v": 7}, [7, 7, 7]]]
    assert page.evaluate("idb.keys('models_store')") == ["Model/1", "Model/2"]


def test_a_failed_save_writes_nothing_and_keeps_the_previous_model(page):
    run_py(page, """
import numpy as np
small_data, small_specs = tf.io.encode_weights({"w": np.arange(10, dtype=np.float32)})
small = tf.io.ModelArtifacts(model_topology={"small": 1}, weight_specs=small_specs, weight_data=small_data)
big_data, big_specs = tf.io.encode_weights({"w": np.ones(16 * 1024 * 1024, np.float32)})
big = tf.io.ModelArtifacts(model_topology={"big": 1}, weight_specs=big_specs, weight_data=big_data)
_ = await tf.io.save("indexeddb://keep", small)
""")
    before = page.evaluate("""async () => [idb.describe(await idb.get('models_store', 'keep')),
                                           idb.describe(await idb.get('model_info_store', 'keep'))]""")
    # 64 MB of weights over an 8 MB quota (see the page fixture).
    kind, message = error_of(page, 'await tf.io.save("indexeddb://keep", big)')
    kind2, _ = error_of(page, 'await tf.io.save("indexeddb://new-one", big)')
    assert kind == kind2 == "StorageError"
    assert message.startswith("Failed to save model 'keep' to IndexedDB: QuotaExceededError")
    assert message.endswith("; nothing was written (modelTopologyBytes=9, weightSpecsBytes=51, "
                            "weightDataBytes=67108864).")
    after = page.evaluate("""async () => [idb.describe(await idb.get('models_store', 'keep')),
                                          idb.describe(await idb.get('model_info_store', 'keep'))]""")
    assert after == before
    assert page.evaluate("idb.keys('models_store')") == page.evaluate("idb.keys('model_info_store')") == ["keep"]
    got = run_py(page, """
a = await tf.io.load("indexeddb://keep")
[a.model_topology, tf.io.decode_weights(a.weight_data, a.weight_specs)["w"].tolist()]
""")
    assert got == [{"small": 1}, list(range(10))]


def test_load_errors_with_tfjs_texts(page):
    message = "Cannot find model with path 'NonexistentModel' in IndexedDB."
    assert error_of(page, 'await tf.io.load("indexeddb://NonexistentModel")') == ["StorageError", message]
    assert tfjs_error(page, "await tf.io.getLoadHandlers('indexeddb://NonexistentModel')[0].load()") == message
    assert error_of(page, "tf.io.browser_indexed_db('')") == [
        "StorageError", "For IndexedDB, modelPath must not be null, undefined or empty."]
    assert error_of(page, 'await tf.io.save("indexeddb://x", tf.io.ModelArtifacts(model_topology=b"pb"))') == [
        "UnsupportedError",
        "BrowserLocalStorage.save() does not support saving model topology in binary formats yet."]


def test_routers_and_the_manager(page):
    got = run_py(page, """
r = [[type(h).__name__ for h in tf.io.get_save_handlers(u)] for u in ["indexeddb://bar", "localstorage://bar", "qux"]]
r.append([type(h).__name__ for h in tf.io.get_load_handlers("indexeddb://bar")])
from tfjs.io.indexed_db import BrowserIndexedDBManager
m = BrowserIndexedDBManager()
r.append(await m.list_models())
_ = await tf.io.save("indexeddb://QuxModel", tf.io.ModelArtifacts(model_topology={"x": 1}))
_ = await tf.io.save("indexeddb://repeat/QuxModel", tf.io.ModelArtifacts(model_topology={"x": 22}))
models = await m.list_models()
r.append(sorted(models))
r.append([models["repeat/QuxModel"].model_topology_bytes, type(models["QuxModel"].date_saved).__name__])
r.append((await m.remove_model("QuxModel")).model_topology_bytes)
r.append(sorted(await m.list_models()))
r.append((await m.remove_model("indexeddb://repeat/QuxModel")).model_topology_bytes)
r.append(await m.list_models())
try:
    await m.remove_model("nonexistent")
except Exception as e:
    r.append(str(e))
r
""")
    assert got == [["BrowserIndexedDB"], ["BrowserLocalStorage"], [], ["BrowserIndexedDB"], {},
                   ["QuxModel", "repeat/QuxModel"], [8, "datetime"], 7, ["repeat/QuxModel"], 8, {},
                   "Cannot find model with path 'nonexistent' in IndexedDB."]
    assert page.evaluate("Promise.all([idb.keys('models_store'), idb.keys('model_info_store')])") == [[], []]
