"""Browser files: reading JS ``File`` objects, and saving bytes as a download through an anchor click."""

from __future__ import annotations

import asyncio
from typing import Any

from ..errors import BrowserOnlyError
from . import IN_PYODIDE, ffi, js, require_browser, to_bytes, to_js, to_uint8array

REVOKE_AFTER_MS = 60_000  # object URLs are revoked once the browser has surely read them


class BrowserFile:
    """A JS ``File`` (or ``Blob`` with a name): its name and its bytes."""

    def __init__(self, js_file: Any):
        self.js_file = js_file
        self.name = str(js_file.name)
        self.size = int(js_file.size)

    async def read(self) -> bytes:
        return to_bytes(await self.js_file.arrayBuffer())

    def __repr__(self) -> str:
        return f"BrowserFile({self.name!r}, {self.size} bytes)"


def _tag(value: Any) -> str:
    return str(js.Object.prototype.toString.call(value))


def is_js_value(value: Any) -> bool:
    return IN_PYODIDE and isinstance(value, ffi.JsProxy)


def js_files(value: Any) -> list[BrowserFile] | None:
    """The files in a JS ``File``, ``FileList`` or Array of Files; None when ``value`` is not a JS value."""
    if not is_js_value(value):
        return None
    if _tag(value) in ("[object File]", "[object Blob]"):
        return [BrowserFile(value)]
    items = getattr(js.Array, "from")(value)
    return [as_browser_file(item) for item in items]


def as_browser_file(value: Any) -> BrowserFile:
    if not is_js_value(value) or _tag(value) not in ("[object File]", "[object Blob]") \
            or getattr(value, "name", None) is None:
        raise TypeError(f"expected a JS File, got {value!r}")
    return BrowserFile(value)


async def download(file_name: str, parts: list, mime_type: str, feature: str = "downloads://") -> None:
    """Save ``parts`` (buffers, written back to back) as a download named ``file_name``: a Blob, an object
    URL, a click on a detached ``<a download>``; the URL is revoked a while later."""
    require_browser(feature)
    if not hasattr(js, "document"):
        raise BrowserOnlyError("Browser downloads are not supported in this environment since `document` is "
                           "not present")
    blob = js.Blob.new(to_js([to_uint8array(p) for p in parts]), to_js({"type": mime_type}))
    url = js.URL.createObjectURL(blob)
    anchor = js.document.createElement("a")
    anchor.download = file_name
    anchor.href = url
    anchor.dispatchEvent(js.MouseEvent.new("click"))
    js.setTimeout(js.URL.revokeObjectURL, REVOKE_AFTER_MS, url)
    await asyncio.sleep(0)  # let the browser take this download before the next one
