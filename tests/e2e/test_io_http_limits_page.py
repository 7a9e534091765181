"""http(s):// load limits in the page: the fetch is aborted through an AbortSignal when the connect, idle or total
limit runs out, and a server sending more than the manifest declares is cut off; each a named error."""

import pytest

from harness import run_py
from misbehaving_http import DECLARED, Server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server():
    with Server() as srv:
        yield srv


def load_in_page(page, url, **options):
    args = ", ".join(f"{k}={v!r}" for k, v in options.items())
    return run_py(page, f"""
import time, tfjs as tf
from tfjs.errors import TfjsError
start = time.monotonic()
try:
    artifacts = await tf.io.load({url!r}{', ' + args if args else ''})
    result = ["ok", len(artifacts.weight_data[0])]
except TfjsError as e:
    result = [type(e).__name__, str(e), getattr(e, "url", None), getattr(e, "limit", None)]
result + [time.monotonic() - start]
""")


def test_a_good_load_from_another_origin(app_page, server):
    assert load_in_page(app_page, server.url + "ok/model.json")[:2] == ["ok", DECLARED]


@pytest.mark.parametrize("mode,limit,options", [
    ("silent", "connect", {"connect_timeout": 0.5}),
    ("stall", "idle", {"idle_timeout": 0.5}),
    ("trickle", "total", {"idle_timeout": 1, "total_timeout": 1.5}),
])
def test_each_limit_aborts_the_fetch(app_page, server, mode, limit, options):
    kind, message, url, got_limit, elapsed = load_in_page(app_page, server.url + mode + "/model.json", **options)
    shard = server.url + mode + "/" + ("model.json" if mode == "silent" else "w.bin")
    assert kind == "NetworkError" and got_limit == limit, message
    assert shard in message and f"set {limit}_timeout in the load options" in message
    assert elapsed < 5


def test_more_than_declared_is_cut_off_in_the_page(app_page, server):
    server.sent = 0
    kind, message, *_ = load_in_page(app_page, server.url + "flood/model.json")
    assert kind == "FormatError" and f"sent more than the {DECLARED} bytes" in message
    assert server.url + "flood/w.bin" in message


@pytest.mark.parametrize("mode,limit,options", [
    ("silent", "connect", "connect_timeout=0.5"),
    ("stall", "idle", "idle_timeout=0.5"),
    ("trickle", "total", "idle_timeout=1, total_timeout=1.5"),
])
def test_a_callers_own_fetch_is_held_to_the_limits(app_page, server, mode, limit, options):
    """The caller's fetch function calls the browser's fetch with no signal of its own: the load still ends
    at its limit."""
    kind, got_limit, elapsed = run_py(app_page, f"""
import time, js, tfjs as tf
from tfjs.errors import TfjsError
own_fetch = js.eval("(url, init) => fetch(url)")
start = time.monotonic()
try:
    await tf.io.load({server.url + mode + "/model.json"!r}, fetch_func=own_fetch, {options})
    result = ["ok", None]
except TfjsError as e:
    result = [type(e).__name__, getattr(e, "limit", None)]
result + [time.monotonic() - start]
""")
    assert (kind, got_limit) == ("NetworkError", limit)
    assert elapsed < 5
