"""The model store under /api/models, driven by our http(s):// handler under CPython over real HTTP."""

import json
import os
import urllib.request

import pytest

import tfjs as tf
from harness import AppServer, run_async
from io_samples import assert_weights_equal, sample_artifacts
from tfjs.errors import FormatError, NetworkError


@pytest.fixture(scope="module")
def server():
    with AppServer() as s:
        yield s


def auth(server):
    return {"headers": {"Authorization": f"Bearer {server.token}"}}


def request(url, method="GET", body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_save_list_load_delete(server):
    artifacts, expected = sample_artifacts()
    url = f"{server.url}api/models/alpha"
    result = run_async(tf.io.save(tf.io.http(url, request_init=auth(server)), artifacts))
    assert result.responses[0].status == 200
    assert result.model_artifacts_info.weight_data_bytes == len(artifacts.weight_data)

    status, body = request(f"{server.url}api/models")
    listing = json.loads(body)
    assert status == 200 and [m["name"] for m in listing] == ["alpha"]
    assert listing[0]["modelArtifactsInfo"]["weightDataBytes"] == len(artifacts.weight_data)

    progress = []
    loaded = run_async(tf.io.load(f"{url}/model.json", on_progress=progress.append))
    assert loaded.model_topology == artifacts.model_topology and loaded.weight_specs == artifacts.weight_specs
    assert loaded.user_defined_metadata == artifacts.user_defined_metadata
    assert_weights_equal(tf.io.decode_weights(loaded.weight_data, loaded.weight_specs), expected)
    assert progress and progress[-1] == 1.0 and progress == sorted(progress)

    stored = json.loads(request(f"{url}/model.json")[1])
    assert stored["weightsManifest"] == [{"paths": ["./model.weights.bin"], "weights": artifacts.weight_specs}]
    assert list(stored)[:5] == ["modelTopology", "format", "generatedBy", "convertedBy", "weightsManifest"]

    status, _ = request(url, method="DELETE", headers=auth(server)["headers"])
    assert status == 200
    with pytest.raises(NetworkError, match=f"Request to {url}/model.json failed with status code 404"):
        run_async(tf.io.load(f"{url}/model.json"))


def test_writes_need_the_token(server):
    artifacts, _ = sample_artifacts()
    url = f"{server.url}api/models/secret"
    with pytest.raises(NetworkError, match=f"Saving to {url} failed due to HTTP response status 401.*Bearer"):
        run_async(tf.io.save(url, artifacts))
    bad = {"headers": {"Authorization": "Bearer wrong"}}
    with pytest.raises(NetworkError, match="status 401"):
        run_async(tf.io.save(tf.io.http(url, request_init=bad), artifacts))
    assert request(f"{url}/model.json")[0] == 404
    assert request(url, method="DELETE")[0] == 401


@pytest.mark.parametrize("name", ["..", "a..b", "..%2Fetc", "%2Fabs", ".hidden"])
def test_bad_names_are_refused(server, name):
    status, body = request(f"{server.url}api/models/{name}", method="POST", body=b"x",
                           headers={**auth(server)["headers"], "Content-Type": "multipart/form-data; boundary=x"})
    assert status in (400, 404), body
    if status == 400:
        assert b"invalid model name" in body
    assert not any(".." in p for p in os.listdir(server.store.models))


def test_dotdot_name_says_why(server):
    status, body = request(f"{server.url}api/models/a..b", method="PUT", body=b"",
                           headers=auth(server)["headers"])
    assert status == 400 and "invalid model name 'a..b'" in json.loads(body)["error"]


def test_failed_upload_keeps_the_previous_version(server):
    artifacts, expected = sample_artifacts(seed=3)
    url = f"{server.url}api/models/keep"
    run_async(tf.io.save(tf.io.http(url, request_init=auth(server)), artifacts))
    broken = artifacts.replace(weight_data=artifacts.weight_data[:-5])
    with pytest.raises(NetworkError, match=r"status 400.*too short for weight 'f16'"):
        run_async(tf.io.save(tf.io.http(url, request_init=auth(server)), broken))
    loaded = run_async(tf.io.load(f"{url}/model.json"))
    assert_weights_equal(tf.io.decode_weights(loaded.weight_data, loaded.weight_specs), expected)
    assert len(os.listdir(server.store.versions)) == len(os.listdir(server.store.models))


def test_upload_size_is_capped(server):
    artifacts, _ = sample_artifacts(scale=2000)  # about 100 KB
    limit = server.store.max_upload_bytes
    server.store.max_upload_bytes = 20_000
    try:
        with pytest.raises(NetworkError, match="status 413.*over the store's limit of 20000 bytes"):
            run_async(tf.io.save(tf.io.http(f"{server.url}api/models/big", request_init=auth(server)), artifacts))
    finally:
        server.store.max_upload_bytes = limit
    assert request(f"{server.url}api/models/big/model.json")[0] == 404


def test_model_json_that_is_not_json_or_not_a_model(server):
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"model.json\"; filename=\"model.json\"\r\n"
            f"Content-Type: application/json\r\n\r\n{{oops\r\n--{boundary}--\r\n").encode()
    status, text = request(f"{server.url}api/models/nj", method="POST", body=body,
                           headers={**auth(server)["headers"],
                                    "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert status == 400 and b"model.json is not valid JSON" in text


def test_load_errors_name_the_url(server, tmp_path):
    url = f"{server.url}web/style.css"  # served, but not JSON
    with pytest.raises(FormatError, match=f"Failed to parse model JSON of response from {url}"):
        run_async(tf.io.load(url))
    with pytest.raises(NetworkError, match="Fetching http://127.0.0.1:9/m.json failed with no HTTP response"):
        run_async(tf.io.load("http://127.0.0.1:9/m.json"))
