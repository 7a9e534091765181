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


def test_boot_imports_the_bytecode_compiled_at_build_time(watched_page, app_server):
    """Pyodide starts from the standard library with bytecode, and numpy's and tfjs's modules come with their
    .pyc, each matching its source (the page compiles nothing of them)."""
    page = watched_page
    page.goto(app_server.url)
    page.evaluate(BOOT_JS)
    requests = [u.rsplit("/", 1)[-1] for u in page.watch.requests]
    assert "python_stdlib_pyc.zip" in requests and "python_stdlib.zip" not in requests
    assert any(name.startswith("bytecode-") and name.endswith(".zip") for name in requests)
    result = run_py(page, """
import importlib.util, sys, zipfile
names = set(zipfile.ZipFile(sys.path[1]).namelist())
stale, missing, checked = [], [], 0
for name, module in list(sys.modules.items()):
    spec = getattr(module, "__spec__", None)
    if not name.startswith(("tfjs", "numpy")) or spec is None or not (spec.origin or "").endswith(".py"):
        continue
    try:
        pyc = open(spec.cached, "rb").read()
    except (OSError, TypeError):
        missing.append(name)
        continue
    source = open(spec.origin, "rb").read()
    if pyc[4:8] != (3).to_bytes(4, "little") or pyc[8:16] != importlib.util.source_hash(source):
        stale.append(name)
    checked += 1
[sys.path[1], "json/__init__.pyc" in names, "json/__init__.py" in names, checked > 100, missing, stale]
""")
    assert result == ["/lib/python312.zip", True, True, True, [], []]
    assert page.watch.console_errors == []


def test_boot_without_the_bytecode_archive_compiles_instead(watched_page, app_server):
    page = watched_page
    page.route("**/pyc/bytecode-*.zip", lambda route: route.fulfill(status=404, body="gone"))
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.goto(app_server.url)
    page.evaluate(BOOT_JS)
    assert run_py(page, "import tfjs, os; os.path.exists(tfjs.__spec__.cached)") is False
    assert any("bytecode-" in w and "HTTP 404" in w for w in warnings), warnings
    assert page.locator("#boot-step").inner_text() == "Ready"
