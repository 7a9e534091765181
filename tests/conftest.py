"""Fixtures: the app server on a free port, Debian's Chromium for pytest-playwright, a booted page."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import BOOT_JS, AppServer, launch_args


_NOT_CPYTHON_ALONE = ("e2e", "needs_tf", "needs_build")


def pytest_collection_modifyitems(config, items):
    """Tests under tests/unit that need nothing but CPython (no browser, no TensorFlow, no build) are marked
    ``unit``: ``python3 build.py test --unit`` runs them (``pytest -m unit``)."""
    for item in items:
        if "unit" in Path(str(item.fspath)).parts and \
                not any(item.get_closest_marker(m) for m in _NOT_CPYTHON_ALONE):
            item.add_marker(pytest.mark.unit)


@pytest.fixture(scope="session")
def wasm_kernels_path() -> Path:
    """The wasm kernel module, built (or taken from its cache) by wasm/build_kernels.py, for the tests that run
    it under CPython through wasmtime."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "wasm"))
    try:
        import build_kernels
    finally:
        sys.path.pop(0)
    return build_kernels.build()


@pytest.fixture(scope="session")
def app_server():
    with AppServer() as server:
        yield server


@pytest.fixture(scope="session")
def seaweed():
    """A real S3 server (SeaweedFS) on 127.0.0.1 with a temporary data folder, for the whole session."""
    from seaweed import SeaweedS3

    with SeaweedS3() as server:
        yield server


@pytest.fixture(scope="session")
def base_url(app_server) -> str:
    return app_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, **launch_args()}


class PageWatch:
    """Records a page's requests, console errors and uncaught exceptions."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))

    def foreign_requests(self, origin: str) -> list[str]:
        return [u for u in self.requests if not u.startswith((origin, "data:", "blob:"))]


@pytest.fixture
def watched_page(page):
    """A fresh page (new browser context: cold profile) whose requests and console errors are recorded."""
    page.watch = PageWatch(page)
    return page


@pytest.fixture(scope="module")
def app_page(browser, app_server):
    """A page booted once per test module (its own browser context), for tests that run Python in it."""
    context = browser.new_context()
    page = context.new_page()
    page.watch = PageWatch(page)
    page.goto(app_server.url)
    page.evaluate(BOOT_JS)
    yield page
    context.close()
