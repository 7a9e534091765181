"""The store under load and under kill -9, in store processes of their own (as `build.py serve` runs them).

Load: one writer alternating two models at 2 writes/s, three readers loading model.json and then the weights it
names, for a bounded time on each backend and on two processes sharing one bucket: no pair may be torn (weights
of another version than its model.json), no body truncated, no 5xx.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time

import numpy as np
import pytest

from harness import run_async
from store_helpers import StoreProcess, backend_of, http, store_spec, upload

SECONDS = 5  # per configuration; three configurations


def model(tag: str, nbytes: int) -> tuple[dict, bytes]:
    data = np.random.default_rng(abs(hash(tag)) % 2 ** 32).standard_normal(nbytes // 4).astype(np.float32).tobytes()
    mj = {"modelTopology": {"class_name": "Sequential", "config": {"name": tag, "layers": []}},
          "format": "layers-model", "userDefinedMetadata": {"sha256": hashlib.sha256(data).hexdigest()},
          "weightsManifest": [{"paths": ["./model.weights.bin"],
                               "weights": [{"name": "w", "shape": [nbytes // 4], "dtype": "float32"}]}]}
    return mj, data


def hammer(servers, seconds: float) -> dict:
    models = [model("a", 256 * 1024), model("b", 384 * 1024)]
    counts = {"pairs": 0, "torn": 0, "truncated": 0, "5xx": 0, "writes": 0, "other": []}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def writer():
        i, start = 0, time.monotonic()
        while time.monotonic() < stop:
            mj, data = models[i % 2]
            status, body, _ = upload(servers[i % len(servers)], "hot", mj, {"model.weights.bin": data})
            with lock:
                counts["writes"] += 1
                if status >= 500:
                    counts["5xx"] += 1
                elif status != 200:
                    counts["other"].append((status, body[:200]))
            i += 1
            time.sleep(max(0.0, start + i * 0.5 - time.monotonic()))  # 2 writes/s

    def reader(k):
        i = k
        while time.monotonic() < stop:
            base = f"{servers[i % len(servers)].url}api/models/hot/"
            i += 1
            status, body, headers = http(base + "model.json")
            if status == 404:
                continue
            results = []
            if status == 200:
                mj = json.loads(body)
                status, weights, headers = http(base + mj["weightsManifest"][0]["paths"][0])
                if status == 200:
                    if len(weights) != int(headers["Content-Length"]):
                        results.append("truncated")
                    elif hashlib.sha256(weights).hexdigest() != mj["userDefinedMetadata"]["sha256"]:
                        results.append("torn")  # whole weights, of another version than the model.json
                    else:
                        results.append("pairs")
            if status >= 500:
                results.append("5xx")
            elif status not in (200, 404):
                results.append("other")
            with lock:
                for r in results:
                    if r == "other":
                        counts["other"].append(status)
                    else:
                        counts[r] += 1

    def guarded(work, *args):
        try:
            work(*args)
        except Exception as e:  # a refused or dropped connection counts against the store
            with lock:
                counts["other"].append(repr(e))

    threads = [threading.Thread(target=guarded, args=(writer,))] + [
        threading.Thread(target=guarded, args=(reader, k)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    return counts


@pytest.mark.parametrize("kind,processes", [("local", 1), ("s3", 1), ("s3", 2)])
def test_no_torn_pairs_under_load(request, kind, processes):
    spec, env = store_spec(kind, request)
    with StoreProcess(spec, env) as first, StoreProcess(spec, env) if processes == 2 else first as second:
        servers = [first, second] if processes == 2 else [first]
        counts = hammer(servers, SECONDS)
    print(f"\n{kind} x{processes}: {counts['pairs']} pairs read, {counts['writes']} writes, "
          f"{counts['torn']} torn, {counts['truncated']} truncated, {counts['5xx']} 5xx")
    assert counts["pairs"] > 0 and counts["writes"] >= SECONDS
    assert (counts["torn"], counts["truncated"], counts["5xx"], counts["other"]) == (0, 0, 0, [])


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_kill_9_during_an_upload_then_restart(request, kind):
    spec, env = store_spec(kind, request)
    backend = backend_of(spec, env)
    old_json, old_data = model("old", 64 * 1024)
    new_json, new_data = model("new", 48 * 1024 * 1024)
    with StoreProcess(spec, env) as server:
        assert upload(server, "m", old_json, {"model.weights.bin": old_data})[0] == 200
        first = json.loads(http(f"{server.url}api/models")[1])[0]["version"]
        done = threading.Event()

        def send():
            try:
                upload(server, "m", new_json, {"model.weights.bin": new_data})
                done.set()
            except OSError:  # the connection dies with the server
                pass

        threading.Thread(target=send, daemon=True).start()
        # Kill it while it stores the new version: a staged folder or an unfinished multipart upload exists.
        deadline = time.monotonic() + 60
        while not run_async(backend.leftovers()) and not done.is_set() and time.monotonic() < deadline:
            time.sleep(0.005)
        assert not done.is_set(), "the upload finished before it could be interrupted"
        server.kill()
    assert run_async(backend.leftovers())  # what the killed writer left
    with StoreProcess(spec, env) as again:
        assert http(f"{again.url}api/models/m/model.weights.bin")[1] == old_data
        assert json.loads(http(f"{again.url}api/models")[1])[0]["version"] == first
        assert run_async(backend.leftovers()) == []
        assert run_async(backend.list_dirs("models/m/versions/")) == [first]


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_concurrent_writers_on_two_processes_lose_no_version(request, kind):
    """Two processes over one bucket (or folder), four writers on each, all writing one model at once: every write lands,
    in some order, and the pointer's history names each of them (a lost compare-and-swap is retried, never
    overwritten blindly: with unconditional PUTs, entries go missing here)."""
    spec, env = store_spec(kind, request)
    written, errors = [], []
    with StoreProcess(spec, env) as first, StoreProcess(spec, env) as second:
        def write(server, tag):
            for i in range(6):
                mj, data = model(f"{tag}{i}", 4096)
                status, body, _ = upload(server, "contested", mj, {"model.weights.bin": data})
                (written if status == 200 else errors).append(json.loads(body).get("version") or body)

        threads = [threading.Thread(target=write, args=(s, f"{t}{k}")) for s, t in ((first, "a"), (second, "b"))
                   for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        pointer = json.loads(run_async(backend_of(spec, env).read("models/contested/pointer.json"))[0])
    assert errors == [] and len(written) == 48
    named = [pointer["current"]] + [h["id"] for h in pointer["history"]]
    assert sorted(named) == sorted(written)
