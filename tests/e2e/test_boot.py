"""The page boots offline from a cold profile and hands over a working Pyodide with numpy and tfjs."""

import pytest

import tfjs
from harness import BOOT_JS, run_py

pytestmark = pytest.mark.e2e


def test_cold_boot_offline_with_versions_and_no_errors(watched_page, app_server):
    page = watched_page
    page.goto(app_server.url)
    ready_ms = page.evaluate(BOOT_JS)
    assert ready_ms > 0

    result = run_py(page, """
import numpy as np, tfjs, pyodide_js
a = np.arange(6, dtype=np.float32).reshape(2, 3)
[tfjs.__version__, np.__version__, pyodide_js.version, float((a @ a.T).sum()), tfjs.is_browser()]
""")
    assert result == [tfjs.__version__, "2.0.2", "0.27.7", 83.0, True]

    versions = page.locator("#versions")
    assert versions.inner_text() == f"Pyodide 0.27.7 \u00b7 numpy 2.0.2 \u00b7 tfjs {tfjs.__version__}"
    assert page.locator("#boot-step").inner_text() == "Ready"
    assert page.locator("#boot-error").is_hidden()

    origin = app_server.url.rstrip("/")
    assert any(u.endswith(".whl") and "/wheels/tfjs-" in u for u in page.watch.requests)
    assert page.watch.foreign_requests(origin) == []
    assert page.watch.console_errors == []


def test_scipy_is_not_loaded_at_boot_but_loads_on_demand(app_page):
    assert run_py(app_page, "import sys; 'scipy' in sys.modules") is False
    assert not any("scipy" in u for u in app_page.watch.requests)
    result = run_py(app_page, """
import tfjs, numpy as np
await tfjs.platform.load_packages("scipy")
from scipy.linalg import blas
a = np.ones((4, 3), np.float32)
float(blas.sgemm(1.0, a, a.T).sum())
""")
    assert result == 48.0


def test_boot_failure_is_shown_on_the_page(watched_page, app_server):
    page = watched_page
    page.route("**/wheels/*.whl", lambda route: route.fulfill(status=500, body="wheel store down"))
    page.goto(app_server.url)
    message = page.evaluate("async () => { try { await tfjsReady; return null; } catch (e) { return String(e); } }")
    assert message is not None
    error_box = page.locator("#boot-error")
    error_box.wait_for(state="visible")
    text = error_box.inner_text()
    assert text.startswith("Installing the tfjs package failed: http://")
    assert "/wheels/tfjs-" in text.splitlines()[0] and "HTTP 500" in text.splitlines()[0]
    assert "HTTP 500" in message
    assert page.locator("#boot-step").inner_text() == "The page could not start"
    assert page.locator("body").get_attribute("data-state") == "error"


def test_bytes_cross_the_js_boundary_unchanged(app_page):
    result = run_py(app_page, """
import numpy as np, js
from tfjs import platform
data = np.arange(-5, 251, dtype=np.int32).astype(np.uint8).tobytes()
u8 = platform.to_uint8array(data)
buf = platform.to_array_buffer(np.array([1.5, -2.25], np.float32))
f32 = js.Float32Array.new(buf)
view = js.Uint8Array.new(u8.buffer, 10, 6)
[u8.length, platform.to_bytes(u8) == data, platform.to_bytes(u8.buffer) == data,
 platform.to_bytes(view) == data[10:16], [f32[0], f32[1]],
 platform.to_bytes(platform.to_uint8array(b"")) == b""]
""")
    assert result == [256, True, True, True, [1.5, -2.25], True]


def test_to_js_gives_plain_objects(app_page):
    result = run_py(app_page, """
import js
from tfjs import platform
obj = platform.to_js({"a": 1, "b": [1, 2], "c": {"d": "e"}})
js.JSON.stringify(obj)
""")
    assert result == '{"a":1,"b":[1,2],"c":{"d":"e"}}'
