"""http(s):// in the browser, against the model store and real TF.js in the same page; file:// under Pyodide."""

import json
from pathlib import Path

import pytest

from harness import AppServer, add_reference_tfjs, run_py

pytestmark = pytest.mark.e2e
HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def page(app_page, app_server):
    add_reference_tfjs(app_page)
    app_page.add_script_tag(path=str(HERE / "js" / "io_fixtures.js"))
    run_py(app_page, (HERE / "py" / "io_canonical.py").read_text())
    run_py(app_page, f"AUTH = {{'headers': {{'Authorization': 'Bearer {app_server.token}'}}}}")
    return app_page


# model.json points its loader at the files of one version: .../from-tfjs/versions/<id>/model.weights.bin
SHARD_GLOB = "**/from-tfjs/versions/*/model.weights.bin"


def store_file(app_server, name, file):
    return app_server.stored_file(name, file)


def test_tfjs_saves_to_the_store_and_we_load_identical_values(page, app_server):
    url = f"{app_server.url}api/models/from-tfjs"
    expected = page.evaluate("""async ([url, token]) => {
        const artifacts = await ioFixtures.makeArtifacts(1);
        const handler = tf.io.http(url, {requestInit: {headers: {Authorization: `Bearer ${token}`}}});
        const result = await handler.save(artifacts);
        if (!result.responses[0].ok) throw new Error("save failed");
        return ioFixtures.canonical(artifacts);
    }""", [url, app_server.token])
    got = run_py(page, f"""
import tfjs as tf
artifacts = await tf.io.load("{url}/model.json")
assert isinstance(artifacts.weight_data, list)
[canonical(artifacts), artifacts.format, artifacts.generated_by, artifacts.converted_by,
 artifacts.user_defined_metadata, artifacts.training_config]
""")
    assert got[0] == expected
    assert got[1:] == ["layers-model", "TensorFlow.js tfjs-layers v4.22.0", None, {"note": "ünïcode"},
                       {"loss": "meanSquaredError"}]


def test_we_save_to_the_store_and_tfjs_loads_identical_values_and_bytes(page, app_server):
    base = f"{app_server.url}api/models/"
    # The same artifacts (built by TF.js) saved once by TF.js and once by us.
    expected = page.evaluate("""async ([base, token]) => {
        globalThis.sharedArtifacts = await ioFixtures.makeArtifacts(2);
        const init = {requestInit: {headers: {Authorization: `Bearer ${token}`}}};
        await tf.io.http(base + "pair-tfjs", init).save(globalThis.sharedArtifacts);
        return ioFixtures.canonical(globalThis.sharedArtifacts);
    }""", [base, app_server.token])
    run_py(page, f"""
import js, tfjs as tf
from tfjs.io.model_json import from_camel_dict
from tfjs import platform
a = js.sharedArtifacts
artifacts = from_camel_dict(platform.to_py(a) | {{"weightData": platform.to_bytes(a.weightData)}})
result = await tf.io.save(tf.io.http("{base}pair-ours", request_init=AUTH), artifacts)
assert result.responses[0].ok
""")
    loaded = page.evaluate("""async (url) => {
        const artifacts = await tf.io.http(url).load();
        return [await ioFixtures.canonical(artifacts), artifacts.format, artifacts.convertedBy,
                artifacts.userDefinedMetadata];
    }""", f"{base}pair-ours/model.json")
    assert loaded[0] == expected
    assert loaded[1:] == ["layers-model", None, {"note": "ünïcode"}]
    # What reached the server is the same, byte for byte: model.json text and weight bytes.
    assert store_file(app_server, "pair-ours", "model.json") == store_file(app_server, "pair-tfjs", "model.json")
    assert store_file(app_server, "pair-ours", "model.weights.bin") == \
        store_file(app_server, "pair-tfjs", "model.weights.bin")


def test_progress_grows_per_byte_and_reaches_one(page, app_server):
    url = f"{app_server.url}api/models/from-tfjs/model.json"
    fractions = run_py(page, f"""
fractions = []
await tf.io.load("{url}", on_progress=fractions.append)
fractions
""")
    assert fractions and fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert all(0 < f <= 1 for f in fractions)


def load_error(page, code):
    return run_py(page, f"""
try:
    {code}
    result = None
except Exception as e:
    result = [type(e).__name__, str(e)]
result
""")


def test_shard_that_is_an_html_404_page(page, app_server):
    url = f"{app_server.url}api/models/from-tfjs/model.json"
    page.route(SHARD_GLOB, lambda route: route.fulfill(
        status=404, content_type="text/html", body="<!DOCTYPE html><html><body>Not Found</body></html>"))
    try:
        kind, message = load_error(page, f'await tf.io.load("{url}")')
        assert kind == "NetworkError"
        assert "from-tfjs/versions/" in message and "/model.weights.bin" in message and "404" in message
        page.unroute(SHARD_GLOB)
        page.route(SHARD_GLOB, lambda route: route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><p>index page</p>"))
        kind, message = load_error(page, f'await tf.io.load("{url}")')
        assert kind == "FormatError" and "model.weights.bin is an HTML page, not weight data" in message
    finally:
        page.unroute(SHARD_GLOB)


def test_truncated_shard_names_the_url_and_sizes(page, app_server):
    url = f"{app_server.url}api/models/from-tfjs/model.json"
    full = store_file(app_server, "from-tfjs", "model.weights.bin")
    page.route(SHARD_GLOB, lambda route: route.fulfill(
        status=200, content_type="application/octet-stream", body=full[:-5]))
    try:
        kind, message = load_error(page, f'await tf.io.load("{url}")')
    finally:
        page.unroute(SHARD_GLOB)
    assert kind == "FormatError"
    assert "too short for weight 'f16'" in message and "/model.weights.bin" in message
    assert f"expected at least {len(full)} bytes, got {len(full) - 5}" in message


def test_model_json_that_is_not_json(page, app_server):
    url = f"{app_server.url}web/style.css"
    kind, message = load_error(page, f'await tf.io.load("{url}")')
    assert kind == "FormatError"
    assert message.startswith(f"Failed to parse model JSON of response from {url}.")


def test_missing_model_and_missing_token(page, app_server):
    url = f"{app_server.url}api/models/none/model.json"
    kind, message = load_error(page, f'await tf.io.load("{url}")')
    assert kind == "NetworkError" and f"Request to {url} failed with status code 404" in message
    kind, message = load_error(page, f"""await tf.io.save("{app_server.url}api/models/x",
        tf.io.ModelArtifacts(model_topology={{}}, weight_specs=[], weight_data=b""))""")
    assert kind == "NetworkError" and "failed due to HTTP response status 401" in message


def test_cross_origin_refusal_is_named(page):
    with AppServer() as other:  # another origin, which sends no CORS headers
        url = f"{other.url}build-info.json"
        kind, message = load_error(page, f'await tf.io.load("{url}")')
    assert kind == "NetworkError" and url in message and "CORS" in message


def test_file_scheme_round_trip_under_pyodide(page):
    result = run_py(page, """
import os
from tfjs.io.model_json import from_camel_dict
from tfjs import platform
a = js.sharedArtifacts
artifacts = from_camel_dict(platform.to_py(a) | {"weightData": platform.to_bytes(a.weightData)})
await tf.io.save("file:///models/m1", artifacts)
loaded = await tf.io.load("file:///models/m1/model.json")
[sorted(os.listdir("/models/m1")), canonical(loaded) == canonical(artifacts), loaded.weight_specs == artifacts.weight_specs]
""")
    assert result == [["model.json", "weights.bin"], True, True]


def test_no_console_errors_from_successful_io(page):
    # The 404 routes and the CORS refusal above log network errors; nothing else may.
    unexpected = [e for e in page.watch.console_errors
                  if "404" not in e and "CORS" not in e and "Failed to load resource" not in e
                  and "ERR_FAILED" not in e]
    assert unexpected == []
