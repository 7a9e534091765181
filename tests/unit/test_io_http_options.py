"""http(s):// load options under CPython: request_init, fetch_func, weight_path_prefix, weight_url_converter."""

import pytest

import tfjs as tf
from harness import AppServer, run_async
from io_samples import assert_weights_equal, sample_artifacts
from tfjs.errors import TfjsError
from tfjs.io.http import parse_url
from tfjs.platform.fetch import fetch


@pytest.fixture(scope="module")
def stored():
    with AppServer() as server:
        artifacts, expected = sample_artifacts(seed=5)
        handler = tf.io.http(f"{server.url}api/models/opts",
                             request_init={"headers": {"Authorization": f"Bearer {server.token}"}})
        run_async(tf.io.save(handler, artifacts))
        yield server, f"{server.url}api/models/opts/model.json", expected


def shard_path(url):
    """The weight path the store's model.json gives (versions/<id>/model.weights.bin: one version's file)."""
    import json
    import urllib.request

    with urllib.request.urlopen(url) as r:
        return json.load(r)["weightsManifest"][0]["paths"][0]


def recording_fetch(calls):
    async def fetch_func(url, init):
        calls.append((url, init))
        return await fetch(url, init)
    return fetch_func


def test_fetch_func_and_request_init_reach_every_request(stored):
    server, url, expected = stored
    calls = []
    init = {"headers": {"X-Trace": "42"}, "credentials": "include"}
    artifacts = run_async(tf.io.load(url, request_init=init, fetch_func=recording_fetch(calls)))
    assert [c[0] for c in calls] == [url, url.replace("model.json", shard_path(url))]
    assert all(c[1] == init for c in calls)
    assert_weights_equal(tf.io.decode_weights(artifacts.weight_data, artifacts.weight_specs), expected)


def test_weight_path_prefix_and_url_converter(stored):
    server, url, expected = stored
    calls = []
    prefix = f"{server.url}api/models/opts/"
    run_async(tf.io.load(url, weight_path_prefix=prefix, fetch_func=recording_fetch(calls)))
    assert calls[1][0] == prefix + shard_path(url)

    calls.clear()

    async def converter(path):
        return f"{server.url}api/models/opts/{path.lstrip('./')}"

    artifacts = run_async(tf.io.load(url, weight_url_converter=converter, fetch_func=recording_fetch(calls)))
    assert calls[1][0] == f"{server.url}api/models/opts/{shard_path(url)}"
    assert_weights_equal(tf.io.decode_weights(artifacts.weight_data, artifacts.weight_specs), expected)


def test_parse_url_like_tfjs():
    assert parse_url("http://google.com/file") == ("http://google.com/", "")
    assert parse_url("http://google.com/file?param=1") == ("http://google.com/", "?param=1")
    assert parse_url("http://google.com/a?x=1/file?param=1") == ("http://google.com/a?x=1/", "?param=1")


def test_constructor_errors_and_router():
    with pytest.raises(TfjsError, match="must not be null, undefined or empty"):
        tf.io.http("")
    with pytest.raises(TfjsError, match=r"must have a length of 2, \(actual length is 3\)"):
        tf.io.http(["http://a/m.json"] * 3)
    with pytest.raises(TfjsError, match="requestInit is expected to have no pre-existing body"):
        tf.io.http("http://a/m.json", request_init={"body": b"x"})
    with pytest.raises(TfjsError, match="Must pass a function that matches the signature of `fetch`"):
        tf.io.http("http://a/m.json", fetch_func=3)
    assert len(tf.io.get_load_handlers("http://bar/foo")) == 1
    assert len(tf.io.get_save_handlers("https://localhost:5000/upload")) == 1
    assert tf.io.get_load_handlers("localhost://foo") == [] and tf.io.get_load_handlers("foo:5000/bar") == []
    assert tf.io.browser_http_request is tf.io.http
