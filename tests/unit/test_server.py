"""The app server serves dist/ with the right content types."""

import pytest
from starlette.testclient import TestClient

from harness import DIST
from tfjs_server.app import create_app

pytestmark = pytest.mark.needs_build


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(DIST))


def test_index_and_assets(client):
    index = client.get("/")
    assert index.status_code == 200 and "web/boot.js" in index.text
    assert client.get("/pyodide/pyodide.asm.wasm").headers["content-type"] == "application/wasm"
    info = client.get("/build-info.json").json()
    assert client.get("/" + info["wheel"]).status_code == 200


def test_content_named_files_are_immutable_the_others_revalidate(client):
    info = client.get("/build-info.json").json()
    numpy = next(name for name in info["packages"] if name.startswith("numpy-"))
    for path in (info["app"]["file"], info["bytecode"]["file"], info["wasm"]["file"], f"pyodide/{numpy}"):
        response = client.get("/" + path)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable", path
    for path in ("", "build-info.json", "web/boot.js", info["wheel"], "pyodide/pyodide.asm.wasm",
                 "pyodide/python_stdlib_pyc.zip", "pyodide/pyodide-lock.json"):
        response = client.get("/" + path)
        assert response.status_code == 200 and "etag" in response.headers
        assert "cache-control" not in response.headers, path
        assert client.get("/" + path, headers={"If-None-Match": response.headers["etag"]}).status_code == 304


def test_missing_file_is_404(client):
    assert client.get("/no/such/file.js").status_code == 404


def test_unbuilt_dist_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="index.html missing"):
        create_app(tmp_path)
