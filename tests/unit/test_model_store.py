"""The model store under /api/models, over each backend (a local folder, SeaweedFS's S3), driven over real
HTTP by our http(s):// handler under CPython and by raw requests."""

import asyncio
import json
import os
import socket
import time

import pytest

import tfjs as tf
from harness import AppServer, run_async
from io_samples import assert_weights_equal, sample_artifacts
from store_helpers import BACKENDS, http, make_store, upload
from tfjs.errors import FormatError, NetworkError


@pytest.fixture(scope="module", params=BACKENDS)
def server(request):
    with AppServer(store=make_store(request.param, request)) as s:
        yield s


def auth(server):
    return {"headers": {"Authorization": f"Bearer {server.token}"}}


def save(server, name, artifacts):
    return run_async(tf.io.save(tf.io.http(f"{server.url}api/models/{name}", request_init=auth(server)), artifacts))


def versions(server, name):
    return run_async(server.store.backend.list_dirs(f"models/{name}/versions/"))


def model_json_for(artifacts, paths=("./model.weights.bin",)):
    return {"modelTopology": artifacts.model_topology, "format": "layers-model",
            "weightsManifest": [{"paths": list(paths), "weights": artifacts.weight_specs}]}


def test_save_list_load_delete(server):
    artifacts, expected = sample_artifacts()
    url = f"{server.url}api/models/alpha"
    result = save(server, "alpha", artifacts)
    assert result.responses[0].status == 200
    assert result.model_artifacts_info.weight_data_bytes == len(artifacts.weight_data)

    status, body, _ = http(f"{server.url}api/models")
    listing = json.loads(body)
    assert status == 200 and [m["name"] for m in listing] == ["alpha"]
    assert listing[0]["modelArtifactsInfo"]["weightDataBytes"] == len(artifacts.weight_data)
    version = listing[0]["version"]

    progress = []
    loaded = run_async(tf.io.load(f"{url}/model.json", on_progress=progress.append))
    assert loaded.model_topology == artifacts.model_topology and loaded.weight_specs == artifacts.weight_specs
    assert loaded.user_defined_metadata == artifacts.user_defined_metadata
    assert_weights_equal(tf.io.decode_weights(loaded.weight_data, loaded.weight_specs), expected)
    assert progress and progress[-1] == 1.0 and progress == sorted(progress)

    # The model.json at the model's URL points into its version; the version's own is as uploaded.
    stored = json.loads(http(f"{url}/model.json")[1])
    assert stored["weightsManifest"] == [{"paths": [f"versions/{version}/model.weights.bin"],
                                          "weights": artifacts.weight_specs}]
    assert list(stored)[:5] == ["modelTopology", "format", "generatedBy", "convertedBy", "weightsManifest"]
    raw = json.loads(http(f"{url}/versions/{version}/model.json")[1])
    assert raw["weightsManifest"][0]["paths"] == ["./model.weights.bin"]

    status, _, _ = http(url, method="DELETE", headers=auth(server)["headers"])
    assert status == 200
    with pytest.raises(NetworkError, match=f"Request to {url}/model.json failed with status code 404"):
        run_async(tf.io.load(f"{url}/model.json"))
    assert json.loads(http(f"{server.url}api/models")[1]) == []
    assert http(url, method="DELETE", headers=auth(server)["headers"])[0] == 404


def test_version_files_are_immutable_with_etag_and_ranges(server):
    artifacts, _ = sample_artifacts(seed=5)
    save(server, "ranged", artifacts)
    base = f"{server.url}api/models/ranged"
    version = json.loads(http(f"{base}/model.json")[1])["weightsManifest"][0]["paths"][0].rsplit("/", 1)[0]
    url = f"{base}/{version}/model.weights.bin"
    status, body, headers = http(url)
    assert status == 200 and body == artifacts.weight_data
    assert "immutable" in headers["Cache-Control"] and headers["Accept-Ranges"] == "bytes"
    etag = headers["ETag"]
    assert http(url, headers={"If-None-Match": etag})[0] == 304
    status, part, headers = http(url, headers={"Range": "bytes=3-9"})
    assert status == 206 and part == artifacts.weight_data[3:10]
    assert headers["Content-Range"] == f"bytes 3-9/{len(artifacts.weight_data)}"
    assert http(url, headers={"Range": "bytes=-4"})[1] == artifacts.weight_data[-4:]
    status, body, headers = http(url, headers={"Range": f"bytes={len(artifacts.weight_data)}-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(artifacts.weight_data)}"
    status, body, headers = http(f"{base}/model.json")
    assert headers["Cache-Control"] == "no-cache"
    status, empty, head = http(f"{base}/model.json", method="HEAD")
    assert status == 200 and empty == b"" and head["Content-Length"] == str(len(body))
    status, empty, head = http(url, method="HEAD")
    assert status == 200 and empty == b"" and head["Content-Length"] == str(len(artifacts.weight_data))
    assert http(f"{base}/versions/0000000000000-00000000-1-00000000/model.json")[0] == 404


def test_a_loaded_model_json_keeps_its_version_across_a_write(server):
    first, expected_first = sample_artifacts(seed=1)
    second, _ = sample_artifacts(seed=2)
    save(server, "moving", first)
    url = f"{server.url}api/models/moving"
    old_json = json.loads(http(f"{url}/model.json")[1])
    save(server, "moving", second)
    # The weights the earlier model.json names are still the first version's, byte for byte.
    shard = old_json["weightsManifest"][0]["paths"][0]
    assert http(f"{url}/{shard}")[1] == first.weight_data
    new_json = json.loads(http(f"{url}/model.json")[1])
    assert new_json["weightsManifest"][0]["paths"][0] != shard
    assert http(f"{url}/{new_json['weightsManifest'][0]['paths'][0]}")[1] == second.weight_data


def test_old_versions_are_collected_after_the_grace_period(server):
    store = server.store
    artifacts, _ = sample_artifacts(seed=4)
    grace, keep = store.grace_s, store.keep_versions
    try:
        store.grace_s, store.keep_versions = 3600, 1
        for _ in range(3):
            save(server, "kept", artifacts)
        assert len(versions(server, "kept")) == 3  # within the grace period, all stay
        store.grace_s = 0
        gone = run_async(store.collect("kept"))
        assert len(gone) == 1 and len(versions(server, "kept")) == 2  # current + the last one replaced
    finally:
        store.grace_s, store.keep_versions = grace, keep


def test_racing_writers_both_land_and_the_pointer_names_one(server):
    a, _ = sample_artifacts(seed=6)
    b, _ = sample_artifacts(seed=7)

    async def both():
        return await asyncio.gather(*(tf.io.save(tf.io.http(f"{server.url}api/models/race", request_init=auth(server)),
                                                 x) for x in (a, b)))

    results = run_async(both())
    assert [r.responses[0].status for r in results] == [200, 200]
    pointer, _ = run_async(server.store.pointer("race"))
    assert pointer["history"][0]["id"] in versions(server, "race")
    served = http(f"{server.url}api/models/race/model.weights.bin")[1]
    assert served in (a.weight_data, b.weight_data)


def test_writes_need_the_token(server):
    artifacts, _ = sample_artifacts()
    url = f"{server.url}api/models/secret"
    with pytest.raises(NetworkError, match=f"Saving to {url} failed due to HTTP response status 401.*Bearer"):
        run_async(tf.io.save(url, artifacts))
    bad = {"headers": {"Authorization": "Bearer wrong"}}
    with pytest.raises(NetworkError, match="status 401"):
        run_async(tf.io.save(tf.io.http(url, request_init=bad), artifacts))
    assert http(f"{url}/model.json")[0] == 404
    assert http(url, method="DELETE")[0] == 401


@pytest.mark.parametrize("name", ["..", "a..b", "..%2Fetc", "%2Fabs", ".hidden", "base%0A", "base%0D%0A",
                                  "base%20", "base%00"])
def test_bad_names_are_refused(server, name):
    artifacts, _ = sample_artifacts(seed=8)
    save(server, "base", artifacts)
    before = http(f"{server.url}api/models/base/model.json")[1]
    status, body, _ = upload(server, name, model_json_for(sample_artifacts(seed=9)[0]),
                             {"model.weights.bin": sample_artifacts(seed=9)[0].weight_data})
    assert status in (400, 404), body
    if status == 400:
        assert b"invalid model name" in body
    assert http(f"{server.url}api/models/base/model.json")[1] == before
    assert [m["name"] for m in json.loads(http(f"{server.url}api/models")[1]) if "base" in m["name"]] == ["base"]


def test_failed_upload_keeps_the_previous_version(server):
    artifacts, expected = sample_artifacts(seed=3)
    url = f"{server.url}api/models/keep"
    save(server, "keep", artifacts)
    before = versions(server, "keep")
    broken = artifacts.replace(weight_data=artifacts.weight_data[:-5])
    with pytest.raises(NetworkError, match=r"status 400.*too short for weight 'f16'"):
        save(server, "keep", broken)
    loaded = run_async(tf.io.load(f"{url}/model.json"))
    assert_weights_equal(tf.io.decode_weights(loaded.weight_data, loaded.weight_specs), expected)
    assert versions(server, "keep") == before


def test_upload_size_is_capped(server):
    artifacts, _ = sample_artifacts(scale=2000)  # about 100 KB
    limit = server.store.max_upload_bytes
    server.store.max_upload_bytes = 20_000
    try:
        with pytest.raises(NetworkError, match="status 413.*over the store's limit of 20000 bytes"):
            save(server, "big", artifacts)
    finally:
        server.store.max_upload_bytes = limit
    assert http(f"{server.url}api/models/big/model.json")[0] == 404


def spec_edit(index, field, value):
    def edit(mj):
        if value is DELETE:
            del mj["weightsManifest"][0]["weights"][index][field]
        else:
            mj["weightsManifest"][0]["weights"][index][field] = value
    return edit


DELETE = object()
MALFORMED = {
    "string shape": (spec_edit(0, "shape", "4,3"), "weightsManifest[0].weights[0].shape (weight 'dense/kernel')"),
    "negative dim": (spec_edit(0, "shape", [-4, 3]), "weightsManifest[0].weights[0].shape"),
    "float dim": (spec_edit(0, "shape", [4.5, 3]), "weightsManifest[0].weights[0].shape"),
    "null quantization": (spec_edit(6, "quantization", None), "weightsManifest[0].weights[6].quantization "
                                                               "(weight 'q8') must be an object, got null"),
    "quantization dtype": (lambda mj: mj["weightsManifest"][0]["weights"][6]["quantization"].update(dtype="int4"),
                           "weightsManifest[0].weights[6].quantization.dtype (weight 'q8')"),
    "quantization scale": (lambda mj: mj["weightsManifest"][0]["weights"][6]["quantization"].update(scale="x"),
                           "weightsManifest[0].weights[6].quantization.scale (weight 'q8') must be a finite number"),
    "no min": (lambda mj: mj["weightsManifest"][0]["weights"][7]["quantization"].pop("min"),
               "weightsManifest[0].weights[7].quantization.min (weight 'q16') is missing"),
    "dtype": (spec_edit(1, "dtype", "float64"), "weightsManifest[0].weights[1].dtype (weight 'dense/bias')"),
    "no name": (spec_edit(2, "name", DELETE), "weightsManifest[0].weights[2].name must be a non-empty string"),
    "group": (spec_edit(2, "group", 3), "weightsManifest[0].weights[2].group (weight 'ids')"),
    "spec not object": (lambda mj: mj["weightsManifest"][0]["weights"].__setitem__(0, 5),
                        "weightsManifest[0].weights[0] must be an object"),
    "manifest not list": (lambda mj: mj.__setitem__("weightsManifest", {"paths": []}), "weightsManifest must be a list"),
    "paths not list": (lambda mj: mj["weightsManifest"][0].__setitem__("paths", "./model.weights.bin"),
                       "weightsManifest[0].paths must be a list"),
    "path into another model": (lambda mj: mj["weightsManifest"][0].__setitem__("paths", ["../base/model.weights.bin"]),
                                "weightsManifest[0].paths[0] must be the plain name of an uploaded file"),
    "absolute path": (lambda mj: mj["weightsManifest"][0].__setitem__("paths", ["/etc/passwd"]),
                      "weightsManifest[0].paths[0] must be the plain name"),
    "path not uploaded": (lambda mj: mj["weightsManifest"][0].__setitem__("paths", ["./other.bin"]),
                          "weightsManifest[0].paths[0] is './other.bin', but the upload has no file part 'other.bin'"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_uploads_are_400_naming_the_field(server, case):
    artifacts, _ = sample_artifacts(seed=10)
    edit, message = MALFORMED[case]
    mj = json.loads(json.dumps(model_json_for(artifacts)))
    edit(mj)
    status, body, _ = upload(server, "malformed", mj, {"model.weights.bin": artifacts.weight_data})
    assert status == 400, body
    assert message in json.loads(body)["error"]
    assert http(f"{server.url}api/models/malformed/model.json")[0] == 404


def test_deep_json_and_unlisted_parts_are_400(server):
    artifacts, _ = sample_artifacts(seed=11)
    deep = b'{"modelTopology": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    status, body, _ = upload(server, "deep", deep)
    assert status == 400 and "model.json nests deeper than 100 levels" in json.loads(body)["error"]
    status, body, _ = upload(server, "deep", b"[1, 2]")
    assert status == 400 and "model.json must hold a JSON object" in json.loads(body)["error"]
    status, body, _ = upload(server, "deep", b"{oops")
    assert status == 400 and "model.json is not valid JSON" in json.loads(body)["error"]
    status, body, _ = upload(server, "deep", model_json_for(artifacts),
                             {"model.weights.bin": artifacts.weight_data, "extra.bin": b"1234"})
    assert status == 400 and "file parts ['extra.bin'] are not in model.json's weightsManifest paths" in \
        json.loads(body)["error"]
    status, body, _ = upload(server, "deep", model_json_for(artifacts), {"../x.bin": b"12"})
    assert status == 400 and "form part '../x.bin' is not a plain file name" in json.loads(body)["error"]


def test_a_huge_model_json_is_refused_before_it_is_parsed(server):
    huge = b'{"modelTopology": {"pad": "' + b"x" * (33 << 20) + b'"}}'
    status, body, _ = upload(server, "huge", huge)
    assert status == 413 and "model.json is 34603038 bytes, over the store's limit of 33554432 bytes" in \
        json.loads(body)["error"]


def test_several_shards(server):
    artifacts, expected = sample_artifacts(seed=12)
    data = artifacts.weight_data
    mj = model_json_for(artifacts, paths=["./group1-shard1of2.bin", "group1-shard2of2.bin"])
    status, body, _ = upload(server, "sharded", mj, {"group1-shard1of2.bin": data[:40],
                                                     "group1-shard2of2.bin": data[40:]})
    assert status == 200, body
    loaded = run_async(tf.io.load(f"{server.url}api/models/sharded/model.json"))
    assert_weights_equal(tf.io.decode_weights(loaded.weight_data, loaded.weight_specs), expected)


def test_two_stores_over_one_backend_share_models(server):
    from tfjs_server.store import ModelStore

    artifacts, expected = sample_artifacts(seed=13)
    save(server, "shared", artifacts)
    with AppServer(store=ModelStore(server.store.backend, token=server.token)) as other:
        loaded = run_async(tf.io.load(f"{other.url}api/models/shared/model.json"))
        assert_weights_equal(tf.io.decode_weights(loaded.weight_data, loaded.weight_specs), expected)
        second, _ = sample_artifacts(seed=14)
        save(other, "shared", second)
    assert http(f"{server.url}api/models/shared/model.weights.bin")[1] == second.weight_data


def test_leftovers_of_a_dead_writer_are_dropped_at_start(server):
    """What a killed writer left (its pid is gone) goes at the next start; a live writer's stays."""
    from tfjs_server.version_ids import HOST_TAG

    store = server.store
    dead = f"{int(time.time() * 1000):013d}-{HOST_TAG}-{2 ** 22 + 12345}-0badf00d"
    live = f"{int(time.time() * 1000):013d}-{HOST_TAG}-{os.getpid()}-00c0ffee"
    for vid in (dead, live):
        run_async(store.backend.put_files(f"models/orphans/versions/{vid}/", {"model.json": open(os.devnull, "rb")}))
    run_async(store.recover())
    assert versions(server, "orphans") == [live]
    run_async(store.backend.delete_prefix("models/orphans/"))


def test_stalled_uploads_and_half_sent_headers_are_cut_off(server, monkeypatch):
    from tfjs_server.limits import GuardedH11

    monkeypatch.setattr(server.store, "body_timeout_s", 0.5)
    host, port = server.url[7:-1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as body_staller:
        body_staller.sendall(f"PUT /api/models/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {server.token}\r\n"
                             f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
                             f"--b\r\n".encode())
        answer = b""
        while chunk := body_staller.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408") and b"upload stalled: no bytes for 0.5 s" in answer

    monkeypatch.setattr(server.store, "body_timeout_s", 30)
    monkeypatch.setattr(server.store, "upload_deadline_s", 1.0)
    with socket.create_connection((host, int(port)), timeout=10) as trickler:
        trickler.sendall(f"PUT /api/models/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {server.token}\r\n"
                         f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\n"
                         f"Content-Disposition: form-data; name=\"model.json\"; filename=\"model.json\"\r\n\r\n"
                         .encode())
        answer, started = b"", time.monotonic()
        while time.monotonic() - started < 5 and b"upload too slow" not in answer:
            try:
                trickler.sendall(b"x")  # a byte every 0.1 s: never stalled, never done
            except OSError:
                break
            trickler.settimeout(0.1)
            try:
                answer += trickler.recv(4096)
            except socket.timeout:
                pass
    assert answer.startswith(b"HTTP/1.1 408") and b"upload too slow: not done in 1 s" in answer

    monkeypatch.setattr(GuardedH11, "header_timeout_s", 0.3)
    with socket.create_connection((host, int(port)), timeout=10) as header_staller:
        header_staller.sendall(b"GET /api/models HTTP/1.1\r\nHost: x\r\n")  # never finished
        started = time.monotonic()
        assert header_staller.recv(4096) == b""  # closed by the server
        assert time.monotonic() - started < 5


def test_load_errors_name_the_url(server):
    url = f"{server.url}web/style.css"  # served, but not JSON
    with pytest.raises(FormatError, match=f"Failed to parse model JSON of response from {url}"):
        run_async(tf.io.load(url))
    with pytest.raises(NetworkError, match="Fetching http://127.0.0.1:9/m.json failed with no HTTP response"):
        run_async(tf.io.load("http://127.0.0.1:9/m.json"))


def test_a_folder_of_the_earlier_layout_is_taken_over(tmp_path):
    """models/<name> -> versions/<id>/ (a symlink) becomes the model's first version, served as before."""
    from tfjs_server.store import ModelStore

    artifacts, expected = sample_artifacts(seed=15)
    old = tmp_path / "versions" / "0123abcd"
    old.mkdir(parents=True)
    (old / "model.json").write_text(json.dumps(model_json_for(artifacts)))
    (old / "model.weights.bin").write_bytes(artifacts.weight_data)
    (old / "info.json").write_text(json.dumps({"weightDataBytes": len(artifacts.weight_data)}))
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "legacy").symlink_to(old)
    with AppServer(store=ModelStore(tmp_path, token="t")) as server:
        listing = json.loads(http(f"{server.url}api/models")[1])
        assert [(m["name"], m["modelArtifactsInfo"]) for m in listing] == \
            [("legacy", {"weightDataBytes": len(artifacts.weight_data)})]
        loaded = run_async(tf.io.load(f"{server.url}api/models/legacy/model.json"))
        assert_weights_equal(tf.io.decode_weights(loaded.weight_data, loaded.weight_specs), expected)
    assert not (tmp_path / "versions").exists() and not (tmp_path / "models" / "legacy").is_symlink()
