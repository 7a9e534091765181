"""HTTP requests for the IO handlers: the browser's ``fetch`` under Pyodide, urllib under CPython.

Both sides give the same small response object, :class:`FetchResponse`, so the http handler is written
once. A user-supplied fetch function may return a JS ``Response`` or an object of this shape; its wait for the
response and its body are held to the same limits as ours.

Every request can be given :class:`Timeouts`: ``connect`` (until the response headers arrive), ``idle`` (no
byte of the body for that long) and ``deadline`` (a point in ``time.monotonic()`` time the whole body must
be read by). In the page they abort the request through an ``AbortController``; under CPython they are socket
timeouts and a check after every chunk. A body can be read with a ``limit``: reading stops one byte past it.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from dataclasses import dataclass
from typing import Any, Callable

from . import IN_PYODIDE, ffi, js, to_bytes, to_js, to_uint8array

ChunkCallback = Callable[[int], None]
CHUNK = 1 << 20


class FetchFailed(Exception):
    """The request did not get an HTTP response at all (network error, refused, CORS)."""


class FetchTimeout(FetchFailed):
    """A limit of :class:`Timeouts` ran out; ``limit`` is "connect", "idle" or "total"."""

    def __init__(self, limit: str, seconds: float | None):
        self.limit = limit
        self.seconds = seconds
        super().__init__(f"the {limit} timeout ({seconds:g} s) ran out" if seconds else f"the {limit} timeout ran out")


@dataclass
class Timeouts:
    connect: float | None = None
    idle: float | None = None
    deadline: float | None = None  # time.monotonic() value
    total: float | None = None     # the seconds the deadline stands for, for messages

    def left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()


class FetchResponse:
    """The parts of a fetch Response the handlers use."""

    def __init__(self, url: str, status: int, status_text: str, headers: dict[str, str], reader,
                 abort: Callable[[], None] | None = None):
        self.url = url
        self.status = status
        self.status_text = status_text
        self.headers = headers  # lower-case names
        self.ok = 200 <= status < 300
        self._reader = reader  # async (on_chunk, limit) -> bytes
        self._abort = abort

    @property
    def content_length(self) -> int | None:
        value = self.headers.get("content-length")
        return int(value) if value is not None and value.isdigit() else None

    async def bytes(self, on_chunk: ChunkCallback | None = None, limit: int | None = None) -> bytes | bytearray:
        """The body; with ``limit``, at most ``limit + 1`` bytes (the rest is never read)."""
        try:
            return await self._reader(on_chunk, limit)
        except asyncio.CancelledError:
            self.abort()
            raise

    async def text(self, limit: int | None = None) -> str:
        return (await self.bytes(limit=limit)).decode("utf-8", errors="replace")

    def abort(self) -> None:
        """Stop the transfer (a waiting read returns or fails at once)."""
        if self._abort is not None:
            self._abort()


# --------------------------------------------------------------------------------------------------
# Browser


class _JsTimers:
    """Abort a request's AbortController when its connect, idle or total limit runs out."""

    def __init__(self, timeouts: Timeouts | None):
        self.timeouts = timeouts or Timeouts()
        self.controller = js.AbortController.new()
        self.fired: str | None = None
        self._handles: dict[str, Any] = {}
        left = self.timeouts.left()
        if left is not None:
            self.start("total", max(left, 0.0))

    def start(self, limit: str, seconds: float | None) -> None:
        if seconds is None:
            return
        self.stop(limit)

        def fire(*_args):
            self.fired = self.fired or limit
            self.controller.abort()

        proxy = ffi.create_proxy(fire)
        self._handles[limit] = (js.setTimeout(proxy, int(seconds * 1000)), proxy)

    def stop(self, limit: str) -> None:
        entry = self._handles.pop(limit, None)
        if entry is not None:
            js.clearTimeout(entry[0])
            entry[1].destroy()

    def stop_all(self) -> None:
        for limit in list(self._handles):
            self.stop(limit)

    def error(self) -> FetchTimeout:
        limit = self.fired or "total"
        seconds = {"connect": self.timeouts.connect, "idle": self.timeouts.idle}.get(limit, self.timeouts.total)
        return FetchTimeout(limit, seconds)


def _js_response(response: Any, url: str, timers: _JsTimers | None = None) -> FetchResponse:
    headers = {}
    entries = response.headers.entries()
    while True:
        item = entries.next()
        if item.done:
            break
        headers[str(item.value[0]).lower()] = str(item.value[1])

    async def reader(on_chunk: ChunkCallback | None, limit: int | None) -> bytes:
        if response.body is None:
            return to_bytes(await response.arrayBuffer())
        stream = response.body.getReader()
        out = bytearray()
        try:
            while limit is None or len(out) <= limit:
                if timers is not None:
                    timers.start("idle", timers.timeouts.idle)
                try:
                    chunk = await stream.read()
                except ffi.JsException:
                    if timers is not None and timers.fired:
                        raise timers.error() from None
                    raise
                if chunk.done:
                    break
                data = to_bytes(chunk.value)
                if limit is not None and len(out) + len(data) > limit + 1:
                    data = data[:limit + 1 - len(out)]
                out += data
                if on_chunk is not None:
                    on_chunk(len(data))
            else:
                stream.cancel()
        except BaseException:
            stream.cancel()
            raise
        finally:
            if timers is not None:
                timers.stop_all()
        return out

    abort = timers.controller.abort if timers is not None else None
    return FetchResponse(str(response.url) or url, int(response.status), str(response.statusText), headers, reader,
                         abort)


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


async def _browser_fetch(url: str, init: dict, timeouts: Timeouts | None) -> FetchResponse:
    init = dict(init)
    body = init.pop("body", None)
    user_signal = init.pop("signal", None)
    js_init = to_js(init)
    if body is not None:
        js_init.body = _js_body(body)
    timers = _JsTimers(timeouts)
    signal = timers.controller.signal
    if user_signal is not None:
        signal = js.AbortSignal.any(to_js([signal, user_signal])) if hasattr(js.AbortSignal, "any") else user_signal
    js_init.signal = signal
    timers.start("connect", timers.timeouts.connect)
    try:
        response = await js.fetch(url, js_init)
    except ffi.JsException as e:
        timers.stop_all()
        if timers.fired:
            raise timers.error() from None
        raise FetchFailed(str(e)) from None
    timers.stop("connect")
    return _js_response(response, url, timers)


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


def _socket_of(response: Any):
    """The socket under a urllib response (None where there is none to reach)."""
    fp = getattr(response, "fp", None)
    fp = getattr(fp, "fp", fp)  # an HTTPError wraps the response
    raw = getattr(fp, "raw", None)
    return getattr(raw, "_sock", None)


def _urllib_fetch_sync(url: str, init: dict, timeouts: Timeouts):
    import urllib.error
    import urllib.request

    url = resolve_dot_segments(url)
    body = init.get("body")
    headers = dict(init.get("headers") or {})
    if isinstance(body, MultipartBody):
        headers["Content-Type"] = body.content_type
        body = body.to_bytes()
    request = urllib.request.Request(url, data=body, headers=headers, method=init.get("method", "GET"))
    connect = timeouts.connect or init.get("timeout", 300)
    left = timeouts.left()
    if left is not None:
        if left <= 0:
            raise FetchTimeout("total", timeouts.total)
        connect = min(connect, left)
    try:
        response = urllib.request.urlopen(request, timeout=connect)
    except urllib.error.HTTPError as e:
        response = e  # an HTTP response with an error status: the caller reads status and body
    except TimeoutError:
        raise _timeout_during_connect(timeouts, connect) from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        if isinstance(reason, TimeoutError):
            raise _timeout_during_connect(timeouts, connect) from None
        raise FetchFailed(str(reason)) from None
    sock = _socket_of(response)
    if sock is not None and timeouts.idle is not None:
        sock.settimeout(timeouts.idle)
    return response


def _timeout_during_connect(timeouts: Timeouts, waited: float) -> FetchTimeout:
    if timeouts.connect is not None and waited < timeouts.connect:
        return FetchTimeout("total", timeouts.total)
    return FetchTimeout("connect", timeouts.connect or waited)


def _shutdown(response: Any) -> None:
    """Wake a thread blocked reading ``response`` (it then sees the connection closed)."""
    import socket

    sock = _socket_of(response)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


async def _cpython_fetch(url: str, init: dict, timeouts: Timeouts | None) -> FetchResponse:
    timeouts = timeouts or Timeouts()
    response = await asyncio.to_thread(_urllib_fetch_sync, url, init, timeouts)
    headers = {k.lower(): v for k, v in response.headers.items()}
    aborted = []

    def abort() -> None:
        aborted.append(True)
        _shutdown(response)

    async def reader(on_chunk: ChunkCallback | None, limit: int | None) -> bytes:
        def read_all() -> bytes:
            out = bytearray()  # grows in place: the peak stays near the body's size
            read = getattr(response, "read1", None) or response.read
            try:
                while limit is None or len(out) <= limit:
                    if timeouts.deadline is not None and time.monotonic() > timeouts.deadline:
                        raise FetchTimeout("total", timeouts.total)
                    try:
                        chunk = read(CHUNK if limit is None else min(CHUNK, limit + 1 - len(out)))
                    except TimeoutError:
                        raise FetchTimeout("idle", timeouts.idle) from None
                    except (OSError, ValueError) as e:
                        if aborted:
                            raise FetchTimeout("total", timeouts.total) from None
                        raise FetchFailed(f"the connection broke while reading the body ({e})") from None
                    if not chunk:
                        break
                    out += chunk
                    if on_chunk is not None:
                        on_chunk(len(chunk))
            finally:
                response.close()
            if aborted:
                raise FetchTimeout("total", timeouts.total)
            return out

        return await asyncio.to_thread(read_all)

    status = getattr(response, "status", None) or response.getcode()
    return FetchResponse(url, int(status), str(getattr(response, "reason", "")), headers, reader, abort)


# --------------------------------------------------------------------------------------------------


async def fetch(url: str, init: dict | None = None, fetch_func: Callable | None = None,
                timeouts: Timeouts | None = None) -> FetchResponse:
    """Fetch ``url`` with a RequestInit-like dict (method, headers, body, credentials, ...).

    ``fetch_func``, when given, is called as ``fetch_func(url, init)`` (it may be async, and may return a
    JS Response or a FetchResponse). Raises :class:`FetchFailed` when no HTTP response came back, and
    :class:`FetchTimeout` when a limit of ``timeouts`` ran out.
    """
    init = dict(init or {})
    if fetch_func is not None:
        return await _caller_fetch(fetch_func, url, init, timeouts or Timeouts())
    if IN_PYODIDE:
        return await _browser_fetch(url, init, timeouts)
    return await _cpython_fetch(url, init, timeouts)


def _soonest(*seconds: float | None) -> float | None:
    known = [s for s in seconds if s is not None]
    return min(known) if known else None


async def _caller_fetch(fetch_func: Callable, url: str, init: dict, timeouts: Timeouts) -> FetchResponse:
    """A caller's fetch function under the limits ours keep: the response within the connect limit (and what
    is left of the total), then the body with no pause longer than the idle limit, within the total. What the
    function does inside (its own fetch, with or without limits) cannot make the wait longer."""
    result = fetch_func(url, init)
    if inspect.isawaitable(result):
        wait = _soonest(timeouts.connect, timeouts.left())
        try:
            result = await (asyncio.wait_for(result, max(wait, 0.0)) if wait is not None else result)
        except (asyncio.TimeoutError, TimeoutError):
            if timeouts.connect is not None and wait == timeouts.connect:
                raise FetchTimeout("connect", timeouts.connect) from None
            raise FetchTimeout("total", timeouts.total) from None
    response = result if isinstance(result, FetchResponse) else _js_response(result, url)
    if timeouts.idle is None and timeouts.deadline is None:
        return response
    return FetchResponse(response.url, response.status, response.status_text, response.headers,
                         _watched_reader(response, timeouts), response.abort)


def _watched_reader(response: FetchResponse, timeouts: Timeouts):
    """``response``'s body reader, stopped (and the transfer aborted) when no chunk came for the idle limit or
    the total ran out."""

    async def reader(on_chunk: ChunkCallback | None, limit: int | None) -> bytes:
        last = [time.monotonic()]

        def chunk(n: int) -> None:
            last[0] = time.monotonic()
            if on_chunk is not None:
                on_chunk(n)

        task = asyncio.ensure_future(response.bytes(chunk, limit))
        try:
            while True:
                idle_left = None if timeouts.idle is None else timeouts.idle - (time.monotonic() - last[0])
                wait = _soonest(idle_left, timeouts.left())
                done, _ = await asyncio.wait({task}, timeout=None if wait is None else max(wait, 0.0))
                if done:
                    return task.result()
                left = timeouts.left()
                if left is not None and left <= 0:
                    raise FetchTimeout("total", timeouts.total)
                if timeouts.idle is not None and time.monotonic() - last[0] >= timeouts.idle:
                    raise FetchTimeout("idle", timeouts.idle)
        except BaseException:
            if not task.done():
                task.cancel()
                response.abort()
            raise

    return reader


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
