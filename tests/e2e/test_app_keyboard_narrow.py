"""The web app from the keyboard alone (tab order, the file picker, the tabs, running), on a narrow window, and
with no layout shift while the page boots."""

from __future__ import annotations

import json

import pytest

from app_helpers import (APP_READY_JS, MODELS, assert_clean, count, load_url, new_page, open_app, shot,
                         wait_done)
from harness import run_py

pytestmark = pytest.mark.e2e


def active(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def test_keyboard_only(browser, app_server):
    context, page = open_app(browser, app_server)
    page.bring_to_front()  # key events and the file chooser go to the active page of the browser
    # Playwright turns file-chooser interception on when the first listener is added, asynchronously: a key
    # press right after expect_file_chooser() can beat it, and the chooser then never reaches the test
    page.on("filechooser", lambda _chooser: None)
    page.evaluate("0")
    try:
        # Tab order: skip link, then the loader (file picker, URL, Load), then the selected tab, then its panel.
        order = []
        for _ in range(6):
            page.keyboard.press("Tab")
            order.append(active(page))
        assert order == ["skip-link", "file-picker", "url-input", "url-load", "tab-card", "panel-card"]
        # the skip link lands on the loader: the next Tab is the file picker
        page.focus("#skip-link")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert active(page) == "file-picker"
        # the hidden file input shows its focus on the drop zone around it
        assert page.evaluate("getComputedStyle(document.getElementById('dropzone')).outlineStyle") != "none"

        # the file picker opens from the keyboard and takes model.json with its shard (shard first)
        before = count(page, "load")
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")
        assert chooser.value.is_multiple()
        chooser.value.set_files([str(MODELS / "human" / "liveness.bin"), str(MODELS / "human" / "liveness.json")])
        assert wait_done(page, "load", before) == "loaded"
        info = json.loads(run_py(page, "import json, tfjs_app\njson.dumps(tfjs_app.current.info, default=str)"))
        assert info["kind"] == "graph" and info["shards"] == [
            {"name": "liveness.bin", "bytes": (MODELS / "human" / "liveness.bin").stat().st_size}]
        assert page.locator("#file-list li").count() == 2

        # tabs: arrow keys, Home/End, wrapping; one tab stop
        page.focus("#tab-card")
        page.keyboard.press("ArrowRight")
        assert page.get_attribute("#tab-run", "aria-selected") == "true"
        assert active(page) == "tab-run"
        assert page.is_visible("#panel-run") and page.is_hidden("#panel-card")
        page.keyboard.press("End")
        assert active(page) == "tab-bench"
        page.keyboard.press("ArrowRight")  # wraps around
        assert active(page) == "tab-card"
        page.keyboard.press("Home")
        assert active(page) == "tab-card"
        page.keyboard.press("ArrowLeft")
        assert active(page) == "tab-bench"
        page.keyboard.press("Tab")
        assert active(page) == "panel-bench"

        # Run panel: the input kind with arrow keys on the radio group, then Run with Enter
        page.focus("#tab-bench")
        page.keyboard.press("Home")
        page.keyboard.press("ArrowRight")
        assert active(page) == "tab-run"
        page.focus('input[name="input-kind"][value="image"]')
        page.keyboard.press("ArrowRight")
        assert page.is_checked('input[name="input-kind"][value="tensor"]')
        assert page.is_visible("#tensor-input") and page.is_hidden("#image-input")
        page.focus("#run-button")
        before = count(page, "panel-run")
        page.keyboard.press("Enter")
        assert wait_done(page, "panel-run", before) == "ran"
        assert "Ran in" in page.inner_text("#run-status")

        # the URL form submits with Enter
        page.focus("#url-input")
        page.keyboard.type("reference/models/human/blazeface.json")
        before = count(page, "load")
        page.keyboard.press("Enter")
        assert wait_done(page, "load", before) == "loaded"
        shot(page, "40-keyboard")
        assert_clean(page, app_server)
    finally:
        context.close()


def test_narrow_window_and_no_layout_shift(browser, app_server):
    context, page = new_page(browser, app_server, width=400, height=800)
    try:
        page.goto(app_server.url)
        page.wait_for_selector("#dropzone")
        ids = "['load', 'dropzone', 'url-form', 'tab-card', 'panel-card']"
        where = f"() => {ids}.map(id => document.getElementById(id).getBoundingClientRect().top)"
        before = page.evaluate(where)
        booting = page.evaluate("document.getElementById('app-controls').disabled")
        if booting:
            shot(page, "00-booting-narrow")  # the layout is there, disabled, while Pyodide boots
        assert page.evaluate(APP_READY_JS) == "ready"
        assert not page.evaluate("document.getElementById('app-controls').disabled")
        assert page.evaluate(where) == before  # the app's layout was there from the first paint
        assert load_url(page, "reference/models/human/blazeface.json") == "loaded"
        for k, tab in enumerate(("card", "run", "save", "stored", "bench"), 1):
            page.click(f"#tab-{tab}")
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, tab
            # every control of the panel fits in the window
            wide = page.evaluate(f"""() => Array.from(document.querySelectorAll(
                '#panel-{tab} button, #panel-{tab} input:not(.visually-hidden), #panel-{tab} select, #panel-{tab} textarea'))
                .filter(e => e.offsetParent !== null)
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
                .map(e => e.id || e.outerHTML.slice(0, 60))""")
            assert wide == [], (tab, wide)
            shot(page, f"3{k}-narrow-{tab}")
        assert_clean(page, app_server)
    finally:
        context.close()
