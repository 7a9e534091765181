"""The web app's Save and Stored-models panels: every save target round-trips through the UI (indexeddb://,
localstorage://, downloads://, an http URL with a bearer token), and the stored-model list follows copy, move,
rename and remove."""

from __future__ import annotations

import base64
import json

import pytest

from app_helpers import assert_clean, click_and_wait, drop, load_url, open_app, shot
from harness import run_py

pytestmark = pytest.mark.e2e
MODEL = "reference/models/human/liveness.json"


@pytest.fixture(scope="module")
def page(browser, app_server):
    context, page = open_app(browser, app_server)
    assert load_url(page, MODEL) == "loaded"
    yield page
    context.close()


def card(page) -> dict:
    return json.loads(run_py(page, "import json, tfjs_app\njson.dumps(tfjs_app.current.info, default=str)"))


def save(page, target: str, name: str | None = None, url: str | None = None, headers: str = "") -> str:
    page.click("#tab-save")
    page.select_option("#save-target", target)
    if name is not None:
        page.fill("#save-name", name)
    if url is not None:
        page.fill("#save-url", url)
        page.fill("#save-headers", headers)
    return click_and_wait(page, "#save-button", "panel-save")


def run_random(page) -> list:
    """Run the current model on the Run panel's random tensor (seeded: the same input every time)."""
    page.click("#tab-run")
    page.check('input[name="input-kind"][value="tensor"]')
    page.select_option("#tensor-fill", "random")
    assert click_and_wait(page, "#run-button", "panel-run") == "ran"
    return json.loads(run_py(page, "import json, tfjs_app\n"
                                   "json.dumps([a.tolist() for _, a in tfjs_app.current.runner.last_outputs])"))


def stored_urls(page) -> list[str]:
    return page.eval_on_selector_all("#stored-body tr[data-url]", "rows => rows.map(r => r.dataset.url)")


def act(page, action: str, url: str, dest: str | None = None) -> str:
    page.click("#tab-stored")
    page.click(f'#stored-body button[data-action="{action}"][data-url="{url}"]')
    assert page.is_visible("#stored-action")
    if dest is not None:
        page.fill("#stored-dest", dest)
    return click_and_wait(page, "#stored-confirm", "panel-stored")


def test_browser_storage_round_trips_and_management(page, app_server):
    original = card(page)
    outputs = run_random(page)
    weight_bytes = original["weight_bytes"]
    assert save(page, "indexeddb://", "app-idb") == "saved"
    text = page.inner_text("#save-result")
    assert "indexeddb://app-idb" in text and "Date" in text and "Weight data" in text
    saved = json.loads(run_py(page, """
import json, tfjs_app
i = tfjs_app.current.saver.last_result.model_artifacts_info
json.dumps([i.weight_data_bytes, i.model_topology_bytes > 0])"""))
    assert saved == [weight_bytes, True]
    shot(page, "10-saved-indexeddb")
    assert save(page, "localstorage://", "app-ls") == "saved"
    assert {"indexeddb://app-idb", "localstorage://app-ls"} <= set(stored_urls(page))

    # each one loads back through the list, with the same card
    for url in ("indexeddb://app-idb", "localstorage://app-ls"):
        page.click("#tab-stored")
        before = int(page.get_attribute("#load", "data-count"))
        page.click(f'#stored-body button[data-action="load"][data-url="{url}"]')
        page.wait_for_function("n => Number(document.getElementById('load').dataset.count) > n", arg=before)
        assert page.get_attribute("#load", "data-state") == "loaded"
        back = card(page)
        assert back["source"] == url
        assert page.get_attribute("#tab-card", "aria-selected") == "true"
        for key in ("kind", "format", "inputs", "outputs", "params", "weights", "weight_bytes", "ops"):
            assert back[key] == original[key], (url, key)
        assert back["shards"] == [{"name": "weight data (stored as one buffer)", "bytes": weight_bytes}]
        assert run_random(page) == outputs, url  # the same weights: the same numbers
    page.click("#tab-stored")
    shot(page, "11-stored-list")
    assert "Using" in page.inner_text("#storage-estimate")

    assert act(page, "copy", "indexeddb://app-idb", "indexeddb://app-idb-copy") == "listed"
    assert {"indexeddb://app-idb", "indexeddb://app-idb-copy"} <= set(stored_urls(page))
    assert "Copied" in page.inner_text("#stored-status")
    assert act(page, "move", "localstorage://app-ls", "indexeddb://app-ls-moved") == "listed"
    urls = set(stored_urls(page))
    assert "localstorage://app-ls" not in urls and "indexeddb://app-ls-moved" in urls
    assert act(page, "rename", "indexeddb://app-idb-copy", "renamed") == "listed"
    urls = set(stored_urls(page))
    assert "indexeddb://app-idb-copy" not in urls and "indexeddb://renamed" in urls
    assert act(page, "remove", "indexeddb://renamed") == "listed"
    assert "indexeddb://renamed" not in set(stored_urls(page))
    assert set(stored_urls(page)) == {"indexeddb://app-idb", "indexeddb://app-ls-moved"}
    listed = run_py(page, "import tfjs\nsorted(await tfjs.io.list_models())")
    assert listed == sorted(stored_urls(page))  # the table is what the library lists

    # a bad destination: a readable error, the list is unchanged
    assert act(page, "copy", "indexeddb://app-idb", "nowhere") == "failed"
    assert "indexeddb://name" in page.inner_text("#stored-error")
    page.click("#stored-cancel")
    assert page.is_hidden("#stored-action")

    page.click("#persist-button")
    page.wait_for_function("document.getElementById('stored-status').textContent.includes('ersistent storage')")
    shot(page, "12-stored-after-actions")
    assert_clean(page, app_server)


def test_downloads_round_trip_through_a_drop(page, app_server, tmp_path):
    assert load_url(page, MODEL) == "loaded"
    original = card(page)
    names = []
    with page.expect_download(predicate=lambda d: d.suggested_filename == "dl-model.weights.bin") as weights:
        with page.expect_download(predicate=lambda d: d.suggested_filename == "dl-model.json") as model_json:
            assert save(page, "downloads://", "dl-model") == "saved"
    shot(page, "15-saved-downloads")
    for info in (model_json, weights):
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        names.append(path)
    assert json.loads(names[0].read_text())["weightsManifest"][0]["paths"] == ["./dl-model.weights.bin"]
    specs = [{"name": p.name, "b64": base64.b64encode(p.read_bytes()).decode()} for p in reversed(names)]
    assert drop(page, "#dropzone", specs) == "loaded"
    back = card(page)
    for key in ("kind", "inputs", "outputs", "params", "weights", "weight_bytes", "ops"):
        assert back[key] == original[key], key
    assert back["shards"] == [{"name": "dl-model.weights.bin", "bytes": original["weight_bytes"]}]
    assert_clean(page, app_server)


def test_http_save_with_bearer_token_round_trips(page, app_server):
    assert load_url(page, MODEL) == "loaded"
    original = card(page)
    url = app_server.url + "api/models/app-http"
    assert save(page, "http", url=url, headers="Authorization: Bearer wrong") == "failed"
    error = page.inner_text("#save-error")
    assert url in error and ("401" in error or "403" in error)
    shot(page, "13-save-http-refused")
    assert save(page, "http", url=url, headers=f"Authorization: Bearer {app_server.token}") == "saved"
    assert "Server answered" in page.inner_text("#save-result")
    shot(page, "14-save-http")
    assert load_url(page, url + "/model.json") == "loaded"
    back = card(page)
    for key in ("kind", "inputs", "outputs", "params", "weights", "weight_bytes", "ops"):
        assert back[key] == original[key], key
    # a malformed header line is refused before anything is sent
    assert save(page, "http", url=url, headers="no colon here") == "failed"
    assert "is not 'Name: value'" in page.inner_text("#save-error")
    # the refused save is a 401/403 response, which Chromium logs; nothing else may be logged
    assert_clean(page, app_server, allowed_console=("status of 401", "status of 403"))
