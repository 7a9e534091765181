"""http(s):// loads under CPython against servers that misbehave: too much data, no answer, a trickle.

A real socket server in a thread plays each part; every bad answer ends in a named error, within its time
limit and within a memory bound."""

import asyncio
import socket
import time
import tracemalloc

import pytest

import tfjs as tf
from harness import run_async
from tfjs.errors import FormatError, NetworkError

from misbehaving_http import DECLARED, Server


@pytest.fixture(scope="module")
def server():
    with Server() as srv:
        yield srv


def load(url, **options):
    return run_async(tf.io.load(url, **options))


def test_a_well_behaved_server_loads(server):
    artifacts = load(server.url + "ok/model.json")
    assert tf.io.decode_weights(artifacts.weight_data, artifacts.weight_specs)["w"].tolist() == [0.0] * 58


def test_a_server_sending_more_than_declared_is_cut_off_and_memory_stays_bounded(server):
    with pytest.raises(FormatError):  # once before measuring: what the first request imports is not counted
        load(server.url + "flood/model.json")
    server.sent = 0
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match=rf"too long: the weight files sent more than the {DECLARED} bytes the "
                                              rf"manifest's 1 weights take; reading stopped in weight file "
                                              rf"{server.url}flood/w.bin"):
            load(server.url + "flood/model.json")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < DECLARED + (256 << 10), peak  # the declared size plus a small constant
    time.sleep(0.2)
    assert server.sent < 64 << 20  # the client hung up long before 1.5 GB


def test_a_content_length_above_the_declared_size_is_refused_before_the_body(server):
    with pytest.raises(FormatError, match=rf"server announces 1500000000 bytes of weight files "
                                          rf"\({server.url}announced/w.bin: 1500000000\) but the manifest's 1 "
                                          rf"weights take {DECLARED} bytes"):
        load(server.url + "announced/model.json")


def test_model_json_is_read_up_to_its_cap(server):
    server.sent = 0
    with pytest.raises(FormatError, match=rf"{server.url}bigjson/model.json is larger than the model.json limit: "
                                          rf"more, at most 1048576 bytes are read"):
        load(server.url + "bigjson/model.json", max_model_json_bytes=1 << 20)
    time.sleep(0.2)
    assert server.sent < 64 << 20


@pytest.mark.parametrize("mode,limit,options", [
    ("silent", "connect", {"connect_timeout": 0.5}),
    ("stall", "idle", {"idle_timeout": 0.5}),
    ("trickle", "total", {"idle_timeout": 1, "total_timeout": 1.5}),
])
def test_each_limit_ends_a_load_that_would_hang(server, mode, limit, options):
    url = server.url + mode + "/" + ("model.json" if mode == "silent" else "w.bin")
    start = time.monotonic()
    with pytest.raises(NetworkError, match=rf"timed out: .*the {limit} .*set {limit}_timeout in the load "
                                           rf"options") as e:
        load(server.url + mode + "/model.json", **options)
    elapsed = time.monotonic() - start
    assert url in str(e.value)  # the shard (or model.json) it waited for
    assert e.value.url in (url, server.url + mode + "/model.json")
    assert e.value.limit == limit and e.value.status is None
    assert elapsed < 5, elapsed


class CallerFetch:
    """A fetch function of the caller's own (as the app's byte counter): it fetches with no limits of its own,
    or plays a server that never answers, stalls or trickles."""

    def __init__(self, mode, server):
        self.mode, self.server, self.aborted = mode, server, 0

    async def __call__(self, url, init):
        from tfjs.platform.fetch import FetchResponse, fetch

        if self.mode == "silent":
            await asyncio.sleep(3600)
        if self.mode == "passthrough-stall":  # the real stalling server, fetched with no timeouts
            response = await fetch(self.server.url + "stall/" + url.rsplit("/", 1)[-1], init)
            return FetchResponse(response.url, response.status, response.status_text, response.headers,
                                 response._reader, self._abort(response.abort))
        if url.endswith("model.json"):
            response = await fetch(self.server.url + "ok/model.json", init)
            return FetchResponse(url, 200, "OK", response.headers, response._reader)

        async def body(on_chunk, limit):
            while True:
                await asyncio.sleep(0.1)
                if self.mode == "trickle":
                    on_chunk(1)

        return FetchResponse(url, 200, "OK", {}, body, self._abort(None))

    def _abort(self, inner):
        def abort():
            self.aborted += 1
            if inner is not None:
                inner()
        return abort


@pytest.mark.parametrize("mode,limit,options", [
    ("silent", "connect", {"connect_timeout": 0.5}),
    ("stall", "idle", {"idle_timeout": 0.5}),
    ("passthrough-stall", "idle", {"idle_timeout": 0.5}),
    ("trickle", "total", {"idle_timeout": 1, "total_timeout": 1.5}),
])
def test_a_callers_fetch_function_is_held_to_the_same_limits(server, mode, limit, options):
    caller = CallerFetch(mode, server)
    start = time.monotonic()
    with pytest.raises(NetworkError, match=rf"timed out: .*the {limit} .*set {limit}_timeout in the load "
                                           rf"options") as e:
        load("http://models.example/m/model.json", fetch_func=caller, **options)
    assert e.value.limit == limit
    assert time.monotonic() - start < 5
    assert (caller.aborted > 0) == (mode != "silent")  # the body transfers were stopped


def test_errors_carry_url_and_status(server):
    with pytest.raises(NetworkError, match=r"Request for weight file .*missing/w.bin failed with status code 404") as e:
        load(server.url + "missing/model.json")
    assert (e.value.url, e.value.status) == (server.url + "missing/w.bin", 404)
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    url = f"http://127.0.0.1:{port}/m/model.json"
    with pytest.raises(NetworkError, match="failed with no HTTP response") as e:
        load(url)
    assert (e.value.url, e.value.status, e.value.limit) == (url, None, None)


def test_limits_must_be_positive_numbers():
    with pytest.raises(FormatError, match="idle_timeout must be a positive number, got 'soon'"):
        tf.io.http("http://a/model.json", idle_timeout="soon")
