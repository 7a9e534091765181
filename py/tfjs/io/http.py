"""``http://`` and ``https://``: load model.json and its shards, save as a multipart POST (as TF.js does).

Load: model.json first, then every shard of the manifest in parallel (kept in manifest order, never joined).
Every failure names the URL: an HTTP error status, an HTML page where a shard should be, a body shorter than
its Content-Length, weight bytes that do not match the manifest, no response at all (likely CORS), a limit
that ran out. Weight paths are resolved against the model.json URL as TF.js does (``./w.bin``, ``../w.bin``
and absolute URLs are allowed: the server decides what it serves).

Bounds (:mod:`tfjs.io.limits`, overridable in the load options): model.json is read up to
``max_model_json_bytes``; shards are streamed and reading stops one byte past the total the manifest declares
(a Content-Length above it is refused before the body is read); ``connect_timeout``, ``idle_timeout`` and
``total_timeout`` bound the waits (in the page through an AbortSignal), each a NetworkError naming the URL
and the limit.

Save: a POST (method and headers configurable through ``request_init``) of multipart/form-data with the
parts ``model.json`` and ``model.weights.bin``, which is what TF.js sends and the model store accepts.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import time
from typing import Any, Callable

from ..errors import FormatError, NetworkError, TfjsError
from ..platform.fetch import (FetchFailed, FetchResponse, FetchTimeout, MultipartBody, MultipartPart, Timeouts, fetch,
                              resolve_dot_segments)
from . import jsjson
from .limits import LIMIT_OPTIONS, limits_from_options
from .model_json import artifacts_from_model_json, artifacts_info, model_json_for_artifacts
from .router import register_load_router, register_save_router
from .types import ModelArtifacts, SaveResult
from .weights import as_shards, check_weight_data

HTTP_SCHEME = re.compile(r"^https?://")
WEIGHTS_PART = "model.weights.bin"


def is_http_scheme(url: Any) -> bool:
    return isinstance(url, str) and HTTP_SCHEME.match(url) is not None


def parse_url(url: str) -> tuple[str, str]:
    """(prefix, suffix) around a URL's file name: weights are fetched as prefix + path + suffix."""
    slash = url.rfind("/")
    question = url.rfind("?")
    prefix = url[:slash] + "/"
    suffix = url[question:] if question > slash else ""
    return prefix, suffix


def _cors_hint(url: str, error: Exception) -> str:
    return (f"Fetching {url} failed with no HTTP response ({error}): the server may be unreachable, or, for a "
            f"server on another origin, the browser refused the response under CORS (the server must send "
            f"Access-Control-Allow-Origin).")


def _no_response(url: str, error: FetchFailed, what: str = "Fetching") -> NetworkError:
    if isinstance(error, FetchTimeout):
        return NetworkError(f"{what} {url} timed out: {error} (the {error.limit} limit; set {error.limit}_timeout "
                            f"in the load options)", url=url, limit=error.limit)
    return NetworkError(_cors_hint(url, error), url=url)


def _looks_like_html(response: FetchResponse, head: bytes) -> bool:
    if response.headers.get("content-type", "").split(";")[0].strip() == "text/html":
        return True
    start = head[:64].lstrip().lower()
    return start.startswith(b"<!doctype html") or start.startswith(b"<html")


class HTTPRequest:
    """The http(s):// handler (``tf.io.http``): load from a model.json URL, save by POSTing to a URL."""

    def __init__(self, path: str | list[str], request_init: dict | None = None,
                 weight_path_prefix: str | None = None, fetch_func: Callable | None = None,
                 on_progress: Callable[[float], Any] | None = None,
                 weight_url_converter: Callable[[str], Any] | None = None, **options: Any):
        if not path:
            raise TfjsError("URL path for http must not be null, undefined or empty.")
        if isinstance(path, (list, tuple)) and len(path) != 2:
            raise TfjsError(f"URL paths for http must have a length of 2, (actual length is {len(path)}).")
        if fetch_func is not None and not callable(fetch_func):
            raise TfjsError("Must pass a function that matches the signature of `fetch` (see "
                            "https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API)")
        request_init = dict(request_init or {})
        if request_init.get("body") is not None:
            raise TfjsError("requestInit is expected to have no pre-existing body, but has one.")
        self.path = path
        self.request_init = request_init
        self.weight_path_prefix = weight_path_prefix
        self.fetch_func = fetch_func
        self.on_progress = on_progress
        self.weight_url_converter = weight_url_converter
        self.limits = limits_from_options(options)
        self._timeouts: Timeouts | None = None
        self._responses: list[FetchResponse] = []

    # ---------------------------------------------------------------------------------------------- save

    async def save(self, artifacts: ModelArtifacts) -> SaveResult:
        url = self.path if isinstance(self.path, str) else self.path[0]
        manifest = [{"paths": ["./" + WEIGHTS_PART], "weights": artifacts.weight_specs or []}]
        model_json = model_json_for_artifacts(artifacts, manifest)
        parts = [MultipartPart("model.json", "model.json", "application/json",
                               [jsjson.stringify(model_json).encode("utf-8")])]
        if artifacts.weight_data is not None:
            parts.append(MultipartPart(WEIGHTS_PART, WEIGHTS_PART, "application/octet-stream",
                                       as_shards(artifacts.weight_data)))
        init = {"method": "POST", **self.request_init, "body": MultipartBody(parts)}
        try:
            response = await fetch(url, init, self.fetch_func)
        except FetchFailed as e:
            raise _no_response(url, e) from None
        if not response.ok:
            detail = (await response.text(limit=300))[:300].strip()
            raise NetworkError(f"Saving to {url} failed due to HTTP response status {response.status}"
                               f"{' ' + response.status_text if response.status_text else ''}"
                               f"{': ' + detail if detail else '.'}", url=url, status=response.status)
        return SaveResult(model_artifacts_info=artifacts_info(artifacts), responses=[response])

    # ---------------------------------------------------------------------------------------------- load

    async def load(self) -> ModelArtifacts:
        url = self.path if isinstance(self.path, str) else self.path[0]
        return await self._within_limits(url, self._load(url))

    async def load_weight_files(self, urls: list[str], specs: list[dict]) -> list[bytes]:
        """The bytes of weight files whose weights are ``specs``, under the same limits and timeouts as a
        model load (``tf.io.loadWeights``)."""
        return await self._within_limits(urls[0], self._fetch_weights(urls, specs), waiting=set(urls))

    async def _within_limits(self, url: str, work, waiting: set[str] | None = None):
        limits = self.limits
        self._timeouts = Timeouts(limits.connect_timeout, limits.idle_timeout,
                                  time.monotonic() + limits.total_timeout, limits.total_timeout)
        self._responses = []
        self._waiting = waiting or {url}
        try:
            return await asyncio.wait_for(work, limits.total_timeout)
        except (asyncio.TimeoutError, TimeoutError):
            for response in self._responses:
                response.abort()
            waiting = ", ".join(sorted(self._waiting)) or url
            raise NetworkError(f"Loading {url} timed out: the total limit ({limits.total_timeout:g} s) ran out while "
                               f"waiting for {waiting} (set total_timeout in the load options)", url=url,
                               limit="total") from None

    async def _open(self, url: str, what: str) -> FetchResponse:
        try:
            response = await fetch(url, self.request_init, self.fetch_func, self._timeouts)
        except FetchFailed as e:
            raise _no_response(url, e, f"Fetching {what}") from None
        self._responses.append(response)
        return response

    async def _read(self, response: FetchResponse, url: str, what: str, on_chunk=None, limit=None) -> bytes:
        try:
            data = await response.bytes(on_chunk, limit)
        except FetchFailed as e:
            raise _no_response(url, e, f"Reading {what}") from None
        self._waiting.discard(url)
        return data

    async def _load(self, url: str) -> ModelArtifacts:
        response = await self._open(url, "model.json")
        if not response.ok:
            raise NetworkError(f"Request to {url} failed with status code {response.status}. Please verify this "
                               f"URL points to the model JSON of the model to load.", url=url, status=response.status)
        cap = self.limits.max_model_json_bytes
        if response.content_length is not None and response.content_length > cap:
            response.abort()
            raise self.limits.model_json_too_large(url, response.content_length)
        body = await self._read(response, url, "model.json", limit=cap)
        if len(body) > cap:
            raise self.limits.model_json_too_large(url, None)
        try:
            model_json = json.loads(body)
        except (ValueError, RecursionError) as e:
            hint = (" Your path contains a .pb file extension. Support for .pb models have been removed in "
                    "TensorFlow.js 1.0 in favor of .json models." if url.endswith(".pb") else
                    " Please make sure the server is serving valid JSON for this request.")
            raise FormatError(f"Failed to parse model JSON of response from {url}.{hint} ({e})") from None
        del body
        if not isinstance(model_json, dict) or (model_json.get("modelTopology") is None
                                               and model_json.get("weightsManifest") is None):
            raise FormatError(f"The JSON from HTTP path {url} contains neither model topology or manifest for "
                              f"weights.")
        artifacts = artifacts_from_model_json(model_json, source=url)
        manifest = model_json.get("weightsManifest")
        if manifest is not None:
            weight_urls = await self._weight_urls(manifest)
            shards = await self._fetch_weights(weight_urls, artifacts.weight_specs)
            check_weight_data(shards, artifacts.weight_specs, shard_names=weight_urls)
            artifacts.weight_data = shards
        return artifacts

    async def _weight_urls(self, manifest: list[dict]) -> list[str]:
        weight_url = self.path if isinstance(self.path, str) else self.path[1]
        prefix, suffix = parse_url(weight_url)
        if self.weight_path_prefix:
            prefix = self.weight_path_prefix
        urls = []
        for group in manifest:
            for path in group["paths"]:
                if self.weight_url_converter is not None:
                    converted = self.weight_url_converter(path)
                    urls.append(await converted if inspect.isawaitable(converted) else converted)
                else:
                    urls.append(resolve_dot_segments(prefix + path + suffix))
        return urls

    async def _fetch_weights(self, urls: list[str], specs: list[dict]) -> list[bytes]:
        self._waiting.update(urls)
        least, most = self.limits.weight_bounds(specs)

        async def open_one(url: str) -> FetchResponse:
            response = await self._open(url, "weight file")
            if not response.ok:
                raise NetworkError(f"Request for weight file {url} failed with status code {response.status}"
                                   f"{' ' + response.status_text if response.status_text else ''}.", url=url,
                                   status=response.status)
            return response

        responses = await asyncio.gather(*(open_one(u) for u in urls))
        lengths = [r.content_length for r in responses]
        declared = sum(n for n in lengths if n is not None)
        if declared > most:
            for response in responses:
                response.abort()
            sizes = ", ".join(f"{u}: {n}" for u, n in zip(urls, lengths) if n is not None)
            raise FormatError(f"Weight data is too long: the server announces {declared} bytes of weight files "
                              f"({sizes}) but the manifest's {len(specs)} weights take "
                              f"{'at most ' if most != least else ''}{most} bytes.")
        total = sum(lengths) if all(n is not None for n in lengths) else None
        progress = _Progress(self.on_progress, total, len(urls))
        received = [0]

        async def read_one(url: str, response: FetchResponse) -> bytes:
            def on_chunk(n: int) -> None:
                received[0] += n
                if received[0] > most:
                    raise FormatError(f"Weight data is too long: the weight files sent more than the "
                                      f"{'at most ' if most != least else ''}{most} bytes the manifest's "
                                      f"{len(specs)} weights take; reading stopped in weight file {url}.")
                if progress.per_byte:
                    progress.add_bytes(n)

            data = await self._read(response, url, "weight file", on_chunk, most)
            if _looks_like_html(response, data[:64]):
                raise FormatError(f"Weight file {url} is an HTML page, not weight data (status "
                                  f"{response.status}, {len(data)} bytes): the server answers this URL with a "
                                  f"page, e.g. an error or index page; check the path in the manifest.")
            expected = response.content_length
            if expected is not None and expected != len(data) \
                    and "content-encoding" not in response.headers:
                raise NetworkError(f"Weight file {url} was cut short: Content-Length says {expected} bytes, "
                                   f"received {len(data)}.", url=url, status=response.status)
            progress.file_done()
            return data

        try:
            shards = await asyncio.gather(*(read_one(u, r) for u, r in zip(urls, responses)))
        except BaseException:
            for response in responses:
                response.abort()
            raise
        progress.finish()
        return list(shards)


class _Progress:
    """Reports a fraction to on_progress: per byte when every Content-Length is known, else per file."""

    def __init__(self, callback, total_bytes: int | None, files: int):
        self.callback = callback
        self.total = total_bytes
        self.files = files
        self.received = 0
        self.done = 0
        self.per_byte = callback is not None and bool(total_bytes)

    def add_bytes(self, n: int) -> None:
        self.received += n
        self.callback(min(self.received / self.total, 1.0))

    def file_done(self) -> None:
        self.done += 1
        if self.callback is not None and not self.per_byte:
            self.callback(self.done / max(self.files, 1))

    def finish(self) -> None:
        if self.callback is not None and self.per_byte and self.received < (self.total or 0):
            self.callback(1.0)


def http(path: str | list[str], request_init: dict | None = None, weight_path_prefix: str | None = None,
         fetch_func: Callable | None = None, on_progress: Callable[[float], Any] | None = None,
         weight_url_converter: Callable[[str], Any] | None = None, **limits: Any) -> HTTPRequest:
    """An http(s) IO handler (``tf.io.http``): load from a model.json URL, or save by POSTing to a URL.

    ``limits``: ``max_model_json_bytes``, ``max_string_weight_bytes``, ``connect_timeout``, ``idle_timeout``,
    ``total_timeout`` (see :mod:`tfjs.io.limits`)."""
    unknown = set(limits) - set(LIMIT_OPTIONS)
    if unknown:
        raise TfjsError(f"tf.io.http got unknown option(s): {', '.join(sorted(unknown))}")
    return HTTPRequest(path, request_init=request_init, weight_path_prefix=weight_path_prefix,
                       fetch_func=fetch_func, on_progress=on_progress, weight_url_converter=weight_url_converter,
                       **limits)


browser_http_request = http


def _http_router(url: Any, **load_options: Any) -> HTTPRequest | None:
    if isinstance(url, (list, tuple)):
        if not url or not all(is_http_scheme(u) for u in url):
            return None
    elif not is_http_scheme(url):
        return None
    return HTTPRequest(url, **load_options)


register_save_router(_http_router)
register_load_router(_http_router)

__all__ = ["HTTPRequest", "http", "browser_http_request", "is_http_scheme", "parse_url"]
