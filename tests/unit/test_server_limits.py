"""The server's own limits: a cap on connections, half-sent requests cut off, and the pointer's
compare-and-swap on each backend (what keeps racing writers from losing a version)."""

import socket
import threading
import time

import pytest
import uvicorn

from harness import DIST, run_async
from store_helpers import BACKENDS, http, make_store


@pytest.fixture
def capped_server(tmp_path, monkeypatch):
    from tfjs_server.app import bind_socket, create_app, server_config
    from tfjs_server.limits import GuardedH11
    from tfjs_server.store import ModelStore

    monkeypatch.setattr(GuardedH11, "header_timeout_s", 0.5)
    app = create_app(DIST, ModelStore(tmp_path, token="t"))
    sock = bind_socket("127.0.0.1", 0)
    server = uvicorn.Server(server_config(app, max_connections=3))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield sock.getsockname()[1]
    server.should_exit = True
    thread.join(timeout=10)


def test_connections_are_capped_and_half_sent_ones_let_go(capped_server):
    port = capped_server
    url = f"http://127.0.0.1:{port}/api/models"
    stallers = []
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET /api/models HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        stallers.append(s)
    time.sleep(0.1)
    assert http(url)[0] == 503  # over the cap: refused at once, not queued
    for s in stallers:
        assert s.recv(100) == b""  # the server closes each within its header timeout
        s.close()
    assert http(url)[0] == 200


@pytest.mark.parametrize("kind", BACKENDS)
def test_pointer_compare_and_swap(request, kind):
    backend = make_store(kind, request).backend
    key = "models/cas/pointer.json"
    assert run_async(backend.read(key)) is None
    assert run_async(backend.write_if(key, b'{"v": 1}', None))
    assert not run_async(backend.write_if(key, b'{"v": 2}', None))  # exists now
    data, tag = run_async(backend.read(key))
    assert data == b'{"v": 1}'
    assert run_async(backend.write_if(key, b'{"v": 3}', tag))
    assert not run_async(backend.write_if(key, b'{"v": 4}', tag))  # stale tag: another writer came first
    assert run_async(backend.read(key))[0] == b'{"v": 3}'


def test_store_urls_and_their_errors(tmp_path):
    from tfjs_server.backends import LocalBackend, backend_for, parse_s3_url

    assert parse_s3_url("s3://models") == ("models", "")
    assert parse_s3_url("s3://models/team/store/") == ("models", "team/store/")
    with pytest.raises(ValueError, match="the S3 URL 's3:///x' names no bucket"):
        parse_s3_url("s3:///x")
    with pytest.raises(ValueError, match="expected an s3://bucket/prefix URL, got 'http://x'"):
        parse_s3_url("http://x")
    local = backend_for(str(tmp_path / "store"))
    assert isinstance(local, LocalBackend) and (tmp_path / "store" / ".tmp").is_dir()
