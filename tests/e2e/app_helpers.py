"""Shared by the web app's tests (tests/e2e/test_app_*.py): a booted app page, real drops, waits, screenshots."""

from __future__ import annotations

import json
import os
import re
import struct
import zlib
from pathlib import Path

import numpy as np

from harness import DIST, ROOT

# pytest-playwright empties test-results/ when a session starts; screenshots written during the tests stay.
SHOTS = Path(os.environ.get("TFJS_APP_SHOTS", ROOT / "test-results" / "app"))
MODELS = DIST / "reference" / "models"

APP_READY_JS = "async () => { await globalThis.tfjsApp; return document.getElementById('app').dataset.state; }"

# Files made in the page (from bytes fetched from the served files, or given as text/base64), put in a
# DataTransfer and dropped on an element with real dragover + drop events.
DROP_JS = """async ([target, specs]) => {
  const files = [];
  for (const s of specs) {
    let data;
    if (s.text !== undefined) data = new TextEncoder().encode(s.text);
    else if (s.b64 !== undefined) data = Uint8Array.from(atob(s.b64), (c) => c.charCodeAt(0));
    else {
      const response = await fetch(s.url);
      if (!response.ok) throw new Error(s.url + ': HTTP ' + response.status);
      const all = new Uint8Array(await response.arrayBuffer());
      data = all.slice(s.start ?? 0, s.end ?? all.length);
    }
    files.push(new File([data], s.name, {type: s.type || ''}));
  }
  const dt = new DataTransfer();
  for (const f of files) dt.items.add(f);
  const zone = document.querySelector(target);
  zone.dispatchEvent(new DragEvent('dragenter', {dataTransfer: dt, bubbles: true, cancelable: true}));
  zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
  zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
  return files.map((f) => [f.name, f.size]);
}"""


def guard_origin(context, app_server) -> list[str]:
    """Route every request that is not for the test origin to an abort, recorded in the returned list (the
    tests fail on it: the app must work with no network but its own origin)."""
    blocked: list[str] = []

    def refuse(route) -> None:
        blocked.append(route.request.url)
        route.abort("blockedbyclient")

    # A regex (matched in the browser's driver, so same-origin requests are not slowed down): anything but
    # the origin, data: and blob: URLs.
    context.route(re.compile(rf"^(?!{re.escape(app_server.url)}|data:|blob:)"), refuse)
    return blocked


def new_page(browser, app_server, width: int = 1100, height: int = 900):
    """A new context (cold profile) and page, not yet navigated: requests, console errors (page.watch) and
    requests off the test origin (page.watch.blocked, refused) recorded."""
    from conftest import PageWatch

    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    blocked = guard_origin(context, app_server)
    page = context.new_page()
    page.watch = PageWatch(page)
    page.watch.blocked = blocked
    return context, page


def open_app(browser, app_server, width: int = 1100, height: int = 900):
    """new_page(), with the app booted."""
    context, page = new_page(browser, app_server, width, height)
    page.goto(app_server.url)
    assert page.evaluate(APP_READY_JS) == "ready"
    return context, page


def count(page, element_id: str) -> int:
    return int(page.get_attribute(f"#{element_id}", "data-count") or 0)


def wait_done(page, element_id: str, before: int, timeout: float = 180_000) -> str:
    """Wait until the element's operation counter passes ``before``; returns its data-state."""
    page.wait_for_function("([id, n]) => Number(document.getElementById(id).dataset.count || 0) > n",
                           arg=[element_id, before], timeout=timeout)
    return page.get_attribute(f"#{element_id}", "data-state")


def drop(page, target: str, specs: list[dict], wait: str | None = "load") -> str | None:
    before = count(page, wait) if wait else 0
    page.evaluate(DROP_JS, [target, specs])
    return wait_done(page, wait, before) if wait else None


def load_url(page, url: str) -> str:
    before = count(page, "load")
    page.fill("#url-input", url)
    page.click("#url-load")
    return wait_done(page, "load", before)


def click_and_wait(page, selector: str, element_id: str, timeout: float = 180_000) -> str:
    before = count(page, element_id)
    page.click(selector)
    return wait_done(page, element_id, before, timeout)


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sharded(model_json_path: Path, parts: int, url_base: str, json_name: str = "model.json") -> list[dict]:
    """Drop specs for a one-shard model re-cut into ``parts`` shards (its model.json rewritten to list them)."""
    doc = json.loads(model_json_path.read_text())
    (group,) = doc["weightsManifest"]
    (path,) = group["paths"]
    size = (model_json_path.parent / path).stat().st_size
    cuts = [round(size * k / parts) for k in range(parts + 1)]
    names = [f"group1-shard{k + 1}of{parts}.bin" for k in range(parts)]
    group["paths"] = names
    specs = [{"name": json_name, "text": json.dumps(doc), "type": "application/json"}]
    specs += [{"name": n, "url": url_base + path, "start": a, "end": b}
              for n, a, b in zip(names, cuts[:-1], cuts[1:])]
    return specs


def png(rgb: np.ndarray) -> bytes:
    """A PNG (8-bit RGB, no colour profile) of an H x W x 3 uint8 array."""
    rgb = np.ascontiguousarray(rgb, np.uint8)
    hgt, wid = rgb.shape[:2]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(hgt))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", wid, hgt, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def picture(hgt: int, wid: int, seed: int = 3) -> np.ndarray:
    """A deterministic picture: gradients plus a little noise (every channel differs)."""
    y, x = np.mgrid[0:hgt, 0:wid]
    noise = np.random.default_rng(seed).integers(0, 40, (hgt, wid, 3))
    img = np.stack([x * 255 // max(wid - 1, 1), y * 255 // max(hgt - 1, 1), (x + y) * 127 // max(hgt + wid - 2, 1)],
                   axis=-1)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def assert_clean(page, app_server, allowed_console: tuple[str, ...] = ()) -> None:
    """No request left the test origin (none refused, none seen) and nothing was logged as an error but
    messages containing one of ``allowed_console`` (e.g. the status line Chromium logs for an expected 404)."""
    origin = app_server.url.rstrip("/")
    assert page.watch.blocked == []
    assert page.watch.foreign_requests(origin) == []
    assert [e for e in page.watch.console_errors if not any(a in e for a in allowed_console)] == []
