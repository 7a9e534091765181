"""Model stores for the tests over each backend, and raw HTTP requests against them."""

from __future__ import annotations

import json
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path

BACKENDS = ["local", "s3"]


def make_store(kind: str, request, token: str = "test-token", **options):
    """A fresh ModelStore on a temporary folder or under a fresh prefix of the session's SeaweedFS bucket."""
    from tfjs_server.backends import LocalBackend, S3Backend
    from tfjs_server.store import ModelStore

    if kind == "local":
        tmp = tempfile.TemporaryDirectory(prefix="tfjs-store-")
        request.addfinalizer(tmp.cleanup)
        return ModelStore(LocalBackend(Path(tmp.name)), token=token, **options)
    seaweed = request.getfixturevalue("seaweed")
    url = f"s3://{seaweed.bucket}/{uuid.uuid4().hex[:10]}"
    return ModelStore(S3Backend(url, client=seaweed.client()), token=token, **options)


def http(url, method="GET", body=None, headers=None, timeout=30):
    """(status, body bytes, headers) of one request; HTTP errors are returned, not raised."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def multipart(parts: dict[str, bytes], boundary: str = "tfjs-test-boundary") -> tuple[bytes, str]:
    out = b""
    for name, data in parts.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload(server, name: str, model_json, files: dict[str, bytes] | None = None):
    raw = model_json if isinstance(model_json, bytes) else json.dumps(model_json).encode()
    body, content_type = multipart({"model.json": raw, **(files or {})})
    return http(f"{server.url}api/models/{name}", "PUT", body,
                {"Authorization": f"Bearer {server.token}", "Content-Type": content_type})


class StoreProcess:
    """``python -m tfjs_server`` in a process of its own (as ``build.py serve`` runs it), on a free port."""

    def __init__(self, store: str, env: dict | None = None, token: str = "test-token", extra: list[str] = ()):
        import os
        import sys

        from harness import DIST, ROOT

        self.token = token
        self.args = [sys.executable, "-m", "tfjs_server", "--dist", str(DIST), "--port", "0", "--store", store,
                     "--token", token, *extra]
        self.env = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT / "py")}
        self.proc = None

    def __enter__(self) -> "StoreProcess":
        import subprocess
        import time

        self.proc = subprocess.Popen(self.args, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        deadline = time.monotonic() + 60
        line = ""
        while "Serving" not in line:
            line = self.proc.stdout.readline()
            if not line and self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the store process did not start: {line}{self.proc.stdout.read()}")
        self.url = line.split(" at ")[1].split()[0]
        self.pid = self.proc.pid
        while True:  # the socket is bound before the banner; it listens once the server runs
            try:
                if http(f"{self.url}api/models", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the store process did not answer: {self.proc.stdout.read()}")
            time.sleep(0.05)
        import threading

        self.log: list[str] = []
        threading.Thread(target=lambda: self.log.extend(self.proc.stdout), daemon=True).start()
        return self

    def kill(self) -> None:
        """kill -9, and reap it (a zombie would still count as a running writer)."""
        import signal

        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except Exception:
                self.kill()


def store_spec(kind: str, request) -> tuple[str, dict]:
    """(--store value, environment) for a store process: a temporary folder or a fresh prefix in SeaweedFS."""
    import tempfile

    if kind == "local":
        tmp = tempfile.TemporaryDirectory(prefix="tfjs-store-")
        request.addfinalizer(tmp.cleanup)
        return tmp.name, {}
    seaweed = request.getfixturevalue("seaweed")
    return f"s3://{seaweed.bucket}/{uuid.uuid4().hex[:10]}", seaweed.env()


def backend_of(spec: str, env: dict):
    """A backend object over the same store, for looking at what a store process left."""
    from tfjs_server.backends import LocalBackend, S3Backend

    if not spec.startswith("s3://"):
        return LocalBackend(Path(spec))
    import boto3

    client = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL_S3"], aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"], region_name=env["AWS_REGION"])
    return S3Backend(spec, client=client)
