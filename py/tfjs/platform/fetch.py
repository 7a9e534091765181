"""HTTP requests for the IO handlers: the browser's ``fetch`` under Pyodide, urllib under CPython.

Both sides give the same small response object, :class:`FetchResponse`, so the http handler is written
once. A user-supplied fetch function may return a JS ``Response`` or an object of this shape.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Callable

from . import IN_PYODIDE, ffi, js, to_bytes, to_js, to_uint8array

ChunkCallback = Callable[[int], None]
CHUNK = 1 << 20


class FetchFailed(Exception):
    """The request did not get an HTTP response at all (network error, refused, CORS)."""


class FetchResponse:
    """The parts of a fetch Response the handlers use."""

    def __init__(self, url: str, status: int, status_text: str, headers: dict[str, str], reader):
        self.url = url
        self.status = status
        self.status_text = status_text
        self.headers = headers  # lower-case names
        self.ok = 200 <= status < 300
        self._reader = reader  # async (on_chunk) -> bytes

    @property
    def content_length(self) -> int | None:
        value = self.headers.get("content-length")
        return int(value) if value is not None and value.isdigit() else None

    async def bytes(self, on_chunk: ChunkCallback | None = None) -> bytes:
        return await self._reader(on_chunk)

    async def text(self) -> str:
        return (await self.bytes()).decode("utf-8", errors="replace")


# --------------------------------------------------------------------------------------------------
# Browser


def _js_response(response: Any, url: str) -> FetchResponse:
    headers = {}
    entries = response.headers.entries()
    while True:
        item = entries.next()
        if item.done:
            break
        headers[str(item.value[0]).lower()] = str(item.value[1])

    async def reader(on_chunk: ChunkCallback | None) -> bytes:
        if on_chunk is None or response.body is None:
            return to_bytes(await response.arrayBuffer())
        stream = response.body.getReader()
        parts = []
        while True:
            chunk = await stream.read()
            if chunk.done:
                break
            data = to_bytes(chunk.value)
            parts.append(data)
            on_chunk(len(data))
        return b"".join(parts)

    return FetchResponse(str(response.url) or url, int(response.status), str(response.statusText), headers, reader)


def _js_body(body: Any):
    """A request body for JS fetch: FormData-like parts become a real FormData with Blobs."""
    if isinstance(body, MultipartBody):
        form = js.FormData.new()
        for part in body.parts:
            blob = js.Blob.new(to_js([to_uint8array(c) for c in part.chunks]),
                               to_js({"type": part.content_type}))
            form.append(part.name, blob, part.filename)
        return form
    if isinstance(body, (bytes, bytearray, memoryview)):
        return to_uint8array(body)
    return body


async def _browser_fetch(url: str, init: dict) -> FetchResponse:
    init = dict(init)
    body = init.pop("body", None)
    js_init = to_js(init)
    if body is not None:
        js_init.body = _js_body(body)
    try:
        response = await js.fetch(url, js_init)
    except ffi.JsException as e:
        raise FetchFailed(str(e)) from None
    return _js_response(response, url)


# --------------------------------------------------------------------------------------------------
# CPython


def resolve_dot_segments(url: str) -> str:
    """``http://h/a/./b/../c`` -> ``http://h/a/c``, as a browser's URL parser does before a request."""
    from urllib.parse import urljoin, urlsplit, urlunsplit

    parts = urlsplit(url)
    if "." not in parts.path:
        return url
    path = urlsplit(urljoin(f"{parts.scheme}://{parts.netloc}/", parts.path)).path
    return urlunsplit(parts._replace(path=path))


def _urllib_fetch_sync(url: str, init: dict):
    import urllib.error
    import urllib.request

    url = resolve_dot_segments(url)
    body = init.get("body")
    headers = dict(init.get("headers") or {})
    if isinstance(body, MultipartBody):
        headers["Content-Type"] = body.content_type
        body = body.to_bytes()
    request = urllib.request.Request(url, data=body, headers=headers, method=init.get("method", "GET"))
    try:
        return urllib.request.urlopen(request, timeout=init.get("timeout", 300))
    except urllib.error.HTTPError as e:
        return e  # an HTTP response with an error status: the caller reads status and body
    except (urllib.error.URLError, OSError) as e:
        raise FetchFailed(str(getattr(e, "reason", e))) from None


async def _cpython_fetch(url: str, init: dict) -> FetchResponse:
    response = await asyncio.to_thread(_urllib_fetch_sync, url, init)
    headers = {k.lower(): v for k, v in response.headers.items()}

    async def reader(on_chunk: ChunkCallback | None) -> bytes:
        def read_all() -> bytes:
            parts = []
            try:
                while True:
                    chunk = response.read(CHUNK)
                    if not chunk:
                        break
                    parts.append(chunk)
                    if on_chunk is not None:
                        on_chunk(len(chunk))
            finally:
                response.close()
            return b"".join(parts)

        return await asyncio.to_thread(read_all)

    status = getattr(response, "status", None) or response.getcode()
    return FetchResponse(url, int(status), str(getattr(response, "reason", "")), headers, reader)


# --------------------------------------------------------------------------------------------------


async def fetch(url: str, init: dict | None = None, fetch_func: Callable | None = None) -> FetchResponse:
    """Fetch ``url`` with a RequestInit-like dict (method, headers, body, credentials, ...).

    ``fetch_func``, when given, is called as ``fetch_func(url, init)`` (it may be async, and may return a
    JS Response or a FetchResponse). Raises :class:`FetchFailed` when no HTTP response came back.
    """
    init = dict(init or {})
    if fetch_func is not None:
        result = fetch_func(url, init)
        if inspect.isawaitable(result):
            result = await result
        if isinstance(result, FetchResponse):
            return result
        return _js_response(result, url)
    if IN_PYODIDE:
        return await _browser_fetch(url, init)
    return await _cpython_fetch(url, init)


class MultipartPart:
    def __init__(self, name: str, filename: str, content_type: str, chunks: list):
        self.name, self.filename, self.content_type, self.chunks = name, filename, content_type, chunks


class MultipartBody:
    """A multipart/form-data body: a FormData of Blobs in the browser, encoded bytes under CPython."""

    def __init__(self, parts: list[MultipartPart]):
        import secrets

        self.parts = parts
        self.boundary = "----tfjs-" + secrets.token_hex(16)

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def to_bytes(self) -> bytes:
        out = []
        for part in self.parts:
            out.append(f"--{self.boundary}\r\nContent-Disposition: form-data; name=\"{part.name}\"; "
                       f"filename=\"{part.filename}\"\r\nContent-Type: {part.content_type}\r\n\r\n".encode())
            out.extend(bytes(c) for c in part.chunks)
            out.append(b"\r\n")
        out.append(f"--{self.boundary}--\r\n".encode())
        return b"".join(out)
