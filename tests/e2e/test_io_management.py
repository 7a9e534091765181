"""list_models / copy_model / move_model / remove_model across localStorage and IndexedDB, next to real TF.js."""

import textwrap
from pathlib import Path

import pytest

from harness import add_reference_tfjs, run_py

pytestmark = pytest.mark.e2e
HERE = Path(__file__).parent

SETUP = """
import datetime, js, tfjs as tf
from tfjs import platform
from tfjs.io.model_json import from_camel_dict
def from_js(a):
    return from_camel_dict(platform.to_py(a) | {"weightData": platform.to_bytes(a.weightData)})
async def listing():
    out = {}
    for url, info in (await tf.io.list_models()).items():
        assert isinstance(info, tf.io.ModelArtifactsInfo) and isinstance(info.date_saved, datetime.datetime)
        out[url] = [info.model_topology_type, info.model_topology_bytes, info.weight_specs_bytes,
                    info.weight_data_bytes]
    return out
"""

TFJS_LISTING = """async () => {
    const out = {};
    for (const [url, info] of Object.entries(await tf.io.listModels()))
        out[url] = [info.modelTopologyType, info.modelTopologyBytes, info.weightSpecsBytes, info.weightDataBytes];
    return out;
}"""


@pytest.fixture(scope="module")
def page(app_page):
    add_reference_tfjs(app_page)
    app_page.add_script_tag(path=str(HERE / "js" / "io_fixtures.js"))
    run_py(app_page, (HERE / "py" / "io_canonical.py").read_text())
    run_py(app_page, SETUP)
    app_page.evaluate("async () => { globalThis.sharedArtifacts = await ioFixtures.makeArtifacts(6); }")
    return app_page


CLEAN = """async () => {
    localStorage.clear();
    await new Promise((resolve, reject) => {
        const req = indexedDB.deleteDatabase('tensorflowjs');
        req.onsuccess = resolve; req.onerror = () => reject(req.error);
    });
}"""


@pytest.fixture(autouse=True)
def clean_storage(page):
    page.evaluate(CLEAN)
    yield
    page.evaluate(CLEAN)


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


def test_list_copy_move_remove_across_media(page):
    expected = page.evaluate("ioFixtures.canonical(sharedArtifacts)")
    page.evaluate("async () => tf.io.getSaveHandlers('indexeddb://from-tfjs')[0].save({...sharedArtifacts})")
    info = ["JSON", 125, 572, 144]  # the fixture's byte counts, as TF.js reports them
    assert run_py(page, "await listing()") == page.evaluate(TFJS_LISTING) == {"indexeddb://from-tfjs": info}
    got = run_py(page, """
out = [await listing()]
info = await tf.io.copy_model("indexeddb://from-tfjs", "localstorage://copied")
out.append(info.weight_data_bytes)
out.append(await listing())
info = await tf.io.move_model("indexeddb://from-tfjs", "localstorage://a/moved")
out.append(await listing())
info = await tf.io.move_model("localstorage://copied", "indexeddb://back")   # and back again
out.append(await listing())
out.append(canonical(await tf.io.load("localstorage://a/moved")))
out.append(canonical(await tf.io.load("indexeddb://back")))
out
""")
    assert got[0] == {"indexeddb://from-tfjs": info}
    assert got[1] == 144
    assert got[2] == {"localstorage://copied": info, "indexeddb://from-tfjs": info}
    assert got[3] == {"localstorage://a/moved": info, "localstorage://copied": info}
    assert got[4] == {"localstorage://a/moved": info, "indexeddb://back": info}
    assert list(got[4]) == ["localstorage://a/moved", "indexeddb://back"]  # localstorage first, as TF.js
    assert got[5] == got[6] == expected
    # TF.js sees the same models and loads what we copied and moved.
    assert page.evaluate(TFJS_LISTING) == got[4]
    assert page.evaluate("""async () => [
        await ioFixtures.canonical(await tf.io.getLoadHandlers('localstorage://a/moved')[0].load()),
        await ioFixtures.canonical(await tf.io.getLoadHandlers('indexeddb://back')[0].load())]""") == [
        expected, expected]
    removed = run_py(page, """
r = [(await tf.io.remove_model("indexeddb://back")).weight_data_bytes]
r.append((await tf.io.remove_model("localstorage://a/moved")).model_topology_bytes)
r.append(await tf.io.list_models())
r
""")
    assert removed == [144, 125, {}]
    assert page.evaluate("Object.keys(localStorage)") == []


def test_copy_within_one_medium_keeps_both(page):
    got = run_py(page, """
_ = await tf.io.save("localstorage://one", from_js(js.sharedArtifacts))
_ = await tf.io.copy_model("localstorage://one", "localstorage://two")
_ = await tf.io.save("indexeddb://three", from_js(js.sharedArtifacts))
_ = await tf.io.move_model("indexeddb://three", "indexeddb://four")
[sorted(await listing()), canonical(await tf.io.load("localstorage://two")) == canonical(
    await tf.io.load("indexeddb://four"))]
""")
    assert got == [["indexeddb://four", "localstorage://one", "localstorage://two"], True]


def test_errors_with_tfjs_texts(page):
    page.evaluate("async () => tf.io.getSaveHandlers('localstorage://a/1')[0].save({...sharedArtifacts})")
    cases = [
        ("copy_model('a/1', 'a/1')", "copyModel('a/1', 'a/1')", "Old path and new path are the same: 'a/1'"),
        ("move_model('localstorage://a/1', 'localstorage://a/1')", "moveModel('localstorage://a/1', 'localstorage://a/1')",
         "Old path and new path are the same: 'localstorage://a/1'"),
        ("copy_model('invalidurl', 'localstorage://a/2')", "copyModel('invalidurl', 'localstorage://a/2')",
         "Copying failed because no load handler is found for source URL invalidurl."),
        ("copy_model('localstorage://a/1', 'invalidurl')", "copyModel('localstorage://a/1', 'invalidurl')",
         "Copying failed because no save handler is found for destination URL invalidurl."),
        ("move_model('localstorage://a/1', 'invalidurl')", "moveModel('localstorage://a/1', 'invalidurl')",
         "Copying failed because no save handler is found for destination URL invalidurl."),
        ("remove_model('foo')", "removeModel('foo')",
         "The url string provided does not contain a scheme. Supported schemes are: localstorage,indexeddb"),
        ("remove_model('invalidscheme://foo')", "removeModel('invalidscheme://foo')",
         "Cannot find model manager for scheme 'invalidscheme'"),
        ("remove_model('indexeddb://nonexistent')", "removeModel('indexeddb://nonexistent')",
         "Cannot find model with path 'nonexistent' in IndexedDB."),
        ("copy_model('indexeddb://nonexistent', 'localstorage://x')",
         "copyModel('indexeddb://nonexistent', 'localstorage://x')",
         "Cannot find model with path 'nonexistent' in IndexedDB."),
        ("remove_model('localstorage://nonexistent')", "removeModel('localstorage://nonexistent')",
         "Cannot find model at path 'nonexistent'"),
    ]
    for ours, theirs, message in cases:
        assert error_of(page, f"await tf.io.{ours}") == ["StorageError", message], ours
        assert tfjs_error(page, f"await tf.io.{theirs}") == message, theirs
    # Nothing was lost on the way.
    assert run_py(page, "sorted(await listing())") == ["localstorage://a/1"]


def test_a_move_whose_save_fails_keeps_the_source(page):
    expected = page.evaluate("ioFixtures.canonical(sharedArtifacts)")
    run_py(page, """
import numpy as np
a = from_js(js.sharedArtifacts)
data, specs = tf.io.encode_weights({"big": np.ones(1_500_000, np.float32)})   # 8 M base64 characters
a.weight_specs = a.weight_specs + specs
a.weight_data = [a.weight_data, data]
_ = await tf.io.save("indexeddb://big", a)

class Failing:
    async def save(self, artifacts):
        raise OSError("disk on fire")
tf.io.register_save_router(lambda url, **kw: Failing() if isinstance(url, str) and url.startswith("failing://") else None)
""")
    # Too big for localStorage's quota.
    kind, message = error_of(page, "await tf.io.move_model('indexeddb://big', 'localstorage://small-room')")
    assert kind == "StorageError"
    assert message == ("Failed to save model 'small-room' to local storage: size quota being exceeded is a possible "
                       "cause of this failure: modelTopologyBytes=125, weightSpecsBytes=623, "
                       "weightDataBytes=6000144.")
    assert page.evaluate("Object.keys(localStorage)") == []
    # A destination whose save raises.
    assert error_of(page, "await tf.io.move_model('indexeddb://big', 'failing://x')") == ["OSError", "disk on fire"]
    got = run_py(page, """
a = await tf.io.load("indexeddb://big")
big = tf.io.decode_weights(a.weight_data, a.weight_specs)["big"]
small = tf.io.ModelArtifacts(weight_specs=a.weight_specs[:-1], weight_data=bytes(a.weight_data)[:144])
[sorted(await listing()), canonical(small), list(big.shape), bool((big == 1).all())]
""")
    assert got == [["indexeddb://big"], expected, [1500000], True]
    # TF.js's moveModel removes the source before saving: the same failure loses the model there.
    lost = page.evaluate("""async () => {
        await tf.io.getSaveHandlers('indexeddb://tfjs-big')[0].save(
            {...sharedArtifacts, weightData: new ArrayBuffer(6000000).slice(0), weightSpecs: [
                {name: 'z', shape: [1500000], dtype: 'float32'}]});
        let error = null;
        try { await tf.io.moveModel('indexeddb://tfjs-big', 'localstorage://small-room'); }
        catch (e) { error = e.message; }
        return [error.startsWith("Failed to save model 'small-room' to local storage"),
                Object.keys(await tf.io.listModels())];
    }""")
    assert lost == [True, ["indexeddb://big"]]
