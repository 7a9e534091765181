"""The web app on broken input: a model.json without its shard, a shard that is not the one listed, a JSON that is
no model, a truncated shard, a broken Keras file, bad URLs. Each shows a readable error next to the file or URL
at fault, and the page stays usable (a good model loads right after)."""

from __future__ import annotations

import base64
import json

import pytest

from app_helpers import MODELS, assert_clean, drop, load_url, open_app, shot

pytestmark = pytest.mark.e2e
BLAZE = "reference/models/human/blazeface.json"


@pytest.fixture(scope="module")
def page(browser, app_server):
    context, page = open_app(browser, app_server)
    yield page
    context.close()


def bad_rows(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#file-list li.bad", "rows => rows.map(r => [r.dataset.name, r.querySelector('.field-error').textContent])")


def still_usable(page) -> None:
    assert not page.is_disabled("#url-load") and not page.is_disabled("#file-picker")
    assert load_url(page, BLAZE) == "loaded"
    assert page.locator("#file-list li.bad").count() == 0


def test_model_json_without_its_shard(page, app_server):
    text = (MODELS / "human" / "blazeface.json").read_text()
    assert drop(page, "#dropzone", [{"name": "blazeface.json", "text": text}]) == "failed"
    ((name, message),) = bad_rows(page)
    assert name == "blazeface.json" and "no weight files came with it" in message
    assert "Loading failed" in page.inner_text("#load-status")
    shot(page, "20-error-missing-shard")
    # a shard is given, but not the one the manifest lists: the library's message, at the model JSON
    specs = [{"name": "blazeface.json", "text": text}, {"name": "other.bin", "url": BLAZE[:-4] + "bin"}]
    assert drop(page, "#dropzone", specs) == "failed"
    ((name, message),) = bad_rows(page)
    assert name == "blazeface.json"
    assert "FormatError: Weight file with basename 'blazeface.bin' is not provided" in message
    assert "'other.bin'" in message
    still_usable(page)
    assert_clean(page, app_server)


def test_json_that_is_not_a_model(page, app_server):
    assert drop(page, "#dropzone", [{"name": "settings.json", "text": json.dumps({"theme": "dark"})}]) == "failed"
    ((name, message),) = bad_rows(page)
    assert name == "settings.json"
    assert message == "FormatError: modelTopology field is missing from file settings.json"
    assert drop(page, "#dropzone", [{"name": "broken.json", "text": "{not json"}]) == "failed"
    ((name, message),) = bad_rows(page)
    assert name == "broken.json" and message.startswith("FormatError: Failed to parse file broken.json")
    shot(page, "21-error-not-a-model")
    still_usable(page)
    assert_clean(page, app_server)


def test_truncated_shard(page, app_server):
    size = (MODELS / "human" / "blazeface.bin").stat().st_size
    specs = [{"name": "blazeface.bin", "url": BLAZE[:-4] + "bin", "end": size - 1000},
             {"name": "blazeface.json", "url": BLAZE}]
    assert drop(page, "#dropzone", specs) == "failed"
    ((name, message),) = bad_rows(page)
    assert name == "blazeface.bin"  # the error sits at the shard
    assert "FormatError" in message and "blazeface.bin" in message and str(size - 1000) in message
    shot(page, "22-error-truncated-shard")
    still_usable(page)
    assert_clean(page, app_server)


def test_broken_keras_file(page, app_server):
    junk = base64.b64encode(b"this is not an HDF5 file" * 10).decode()
    assert drop(page, "#dropzone", [{"name": "model.h5", "b64": junk}]) == "failed"
    ((name, message),) = bad_rows(page)
    assert name == "model.h5" and message  # the converter's message (or "not available yet" without it)
    shot(page, "23-error-keras")
    still_usable(page)
    assert_clean(page, app_server)


def test_bad_urls(page, app_server):
    for url, expected in [("ftp://example.com/model.json", "Unsupported URL 'ftp://example.com/model.json'"),
                          ("indexeddb://no-such-model", "no-such-model"),
                          ("reference/models/none/model.json", "404")]:
        assert load_url(page, url) == "failed", url
        error = page.inner_text("#url-error")
        assert expected in error, (url, error)
        assert page.get_attribute("#url-input", "aria-invalid") == "true"
    shot(page, "24-error-url")
    still_usable(page)
    assert page.inner_text("#url-error") == ""
    # the 404 is a response Chromium logs; nothing else may be logged
    assert_clean(page, app_server, allowed_console=("status of 404",))


def test_url_off_the_origin_is_refused_by_the_test_network(page, app_server):
    """The test network refuses anything off the test origin (the guard every app test relies on): a model URL
    elsewhere fails with the library's network error, naming the URL, and is recorded as refused."""
    url = "https://models.example.com/face/model.json"
    assert load_url(page, url) == "failed"
    error = page.inner_text("#url-error")
    assert url in error and error.startswith("NetworkError"), error
    assert page.watch.blocked == [url]
    page.watch.blocked.clear()
    page.watch.requests.remove(url)
    still_usable(page)
    assert_clean(page, app_server, allowed_console=("status of 404", "ERR_BLOCKED_BY_CLIENT"))
