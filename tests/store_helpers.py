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
