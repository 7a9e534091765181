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


def test_missing_file_is_404(client):
    assert client.get("/no/such/file.js").status_code == 404


def test_unbuilt_dist_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="index.html missing"):
        create_app(tmp_path)
