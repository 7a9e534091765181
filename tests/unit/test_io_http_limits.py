"""http(s):// loads under CPython against servers that misbehave: too much data, no answer, a trickle.

A real socket server in a thread plays each part; every bad answer ends in a named error, within its time
limit and within a memory bound."""

import json
import socket
import socketserver
import threading
import time
import tracemalloc

import pytest

import tfjs as tf
from harness import run_async
from tfjs.errors import FormatError, NetworkError

DECLARED = 232  # bytes of weights the manifest declares: float32 [58]
MODEL_JSON = json.dumps({"modelTopology": {"class_name": "Sequential"},
                         "weightsManifest": [{"paths": ["w.bin"],
                                              "weights": [{"name": "w", "shape": [58], "dtype": "float32"}]}]}).encode()
ZEROS = bytes(1 << 16)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        request = b""
        while b"\r\n\r\n" not in request:
            data = self.request.recv(4096)
            if not data:
                return
            request += data
        path = request.split(b" ")[1].decode()
        mode, _, name = path.strip("/").partition("/")
        self.server.requests.append(path)
        sock = self.request
        try:
            if mode == "silent":  # accepts, never answers
                time.sleep(30)
                return
            if name == "model.json" and mode != "bigjson":
                self.send(200, MODEL_JSON)
                return
            if mode == "ok":
                self.send(200, bytes(DECLARED))
            elif mode == "flood":  # no Content-Length, bytes until the client hangs up
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n")
                while True:
                    sock.sendall(ZEROS)
                    self.server.sent += len(ZEROS)
            elif mode == "announced":  # says 1.5 GB up front
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1500000000\r\n\r\n")
                for _ in range(16):
                    sock.sendall(ZEROS)
            elif mode == "bigjson":  # model.json that never ends
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
                sock.sendall(b'{"modelTopology": {"pad": "')
                while True:
                    sock.sendall(b"x" * len(ZEROS))
                    self.server.sent += len(ZEROS)
            elif mode == "stall":  # headers, then nothing
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 232\r\n\r\n")
                time.sleep(30)
            elif mode == "trickle":  # a byte every 0.2 s: never idle, never done
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 232\r\n\r\n")
                for _ in range(DECLARED):
                    sock.sendall(b"\x00")
                    time.sleep(0.2)
            elif mode == "missing":
                self.send(404, b"no such file")
        except OSError:
            pass  # the client hung up: what it should do

    def send(self, status, body):
        head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        self.request.sendall(head + body)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests, self.sent = [], 0
        self.url = f"http://127.0.0.1:{self.server_address[1]}/"


@pytest.fixture(scope="module")
def server():
    srv = Server()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def load(url, **options):
    return run_async(tf.io.load(url, **options))


def test_a_well_behaved_server_loads(server):
    artifacts = load(server.url + "ok/model.json")
    assert tf.io.decode_weights(artifacts.weight_data, artifacts.weight_specs)["w"].tolist() == [0.0] * 58


def test_a_server_sending_more_than_declared_is_cut_off_and_memory_stays_bounded(server):
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
