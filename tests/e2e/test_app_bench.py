"""The web app's Benchmark tab: ours and TF.js side by side, from the same artifacts, in the same page."""

from __future__ import annotations

import json

import pytest

from app_helpers import assert_clean, click_and_wait, load_url, open_app, shot
from harness import run_py

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def page(browser, app_server):
    context, page = open_app(browser, app_server)
    yield page
    context.close()


def test_benchmark_with_tfjs_side_by_side(page, app_server):
    assert not any("tf.min.js" in u for u in page.watch.requests)  # TF.js only on demand
    assert load_url(page, "reference/models/human/liveness.json") == "loaded"
    page.click("#tab-bench")
    page.fill("#bench-warmup", "2")
    page.fill("#bench-runs", "6")
    page.check('input[name="bench-tfjs"][value="cpu"]')
    assert click_and_wait(page, "#bench-button", "panel-bench") == "done"
    shot(page, "30-benchmark")
    results = json.loads(run_py(page, "import json, tfjs_app\njson.dumps(tfjs_app.current.bench.results)"))
    assert len(results) == 2
    ours = next(v for k, v in results.items() if k.startswith("tfjs for Python"))
    theirs = next(v for k, v in results.items() if k.startswith("TF.js") and k.endswith("(cpu)"))
    for r in (ours, theirs):
        assert "error" not in r, r
        assert len(r["runs"]) == 6 and all(t > 0 for t in r["runs"])
        assert r["min_ms"] <= r["median_ms"] <= r["p90_ms"] <= max(r["runs"])
        assert r["load_ms"] > 0 and r["first_ms"] > 0
    rows = page.eval_on_selector_all("#bench-output tbody tr",
                                     "rs => rs.map(r => Array.from(r.cells).map(c => c.textContent))")
    assert len(rows) == 2 and all(cell.endswith(("ms", " s")) for row in rows for cell in row[1:])
    assert page.locator("#bench-output svg.chart polyline").count() == 2
    assert "6 timed" in page.inner_text("#bench-status")
    assert any(u.endswith("/reference/tf.min.js") for u in page.watch.requests)
    assert_clean(page, app_server)


def test_bad_benchmark_settings_are_refused(page, app_server):
    page.click("#tab-bench")
    page.fill("#bench-runs", "0")
    assert click_and_wait(page, "#bench-button", "panel-bench") == "failed"
    assert "timed runs: 1 to 10000" in page.inner_text("#bench-error")
    page.fill("#bench-runs", "2")
    page.uncheck('input[name="bench-tfjs"][value="cpu"]')
    assert click_and_wait(page, "#bench-button", "panel-bench") == "done"
    assert page.inner_text("#bench-error") == ""
    assert_clean(page, app_server)
