"""The model store under /api/models/: what TF.js's ``model.save('http://...')`` posts, kept in versions.

    POST or PUT /api/models/<name>                     multipart: model.json + the weight files it names; Bearer
    GET         /api/models                             list: [{name, version, modelArtifactsInfo}]
    GET         /api/models/<name>/model.json           the current version's model.json, its weight paths
                                                        rewritten to point into that version (no-cache)
    GET         /api/models/<name>/versions/<id>/<file> one file of one version: immutable, ETag, Range
    GET         /api/models/<name>/<weight file>        the current version's file (no-cache)
    DELETE      /api/models/<name>                      Bearer token

Versions never change once written. A write spools the upload to temporary files, checks model.json and
every weight spec against the weight bytes, stores the files under a new version id, then moves the model's
pointer to it with a compare-and-swap (a conditional PUT on S3). A loader that reads model.json is pointed at
one version's files, so it never mixes two versions, and a failed or interrupted write leaves the previous
version current. Replaced versions stay readable for ``grace_s`` seconds (and the last ``keep_versions`` of
them stay regardless), then they are collected. Nothing a request needs is kept in process memory, so several
store processes can share one bucket or folder.
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import re
import secrets
import time
from pathlib import Path

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tfjs.errors import TfjsError
from tfjs.io.model_json import artifacts_from_model_json, artifacts_info, info_to_camel
from tfjs.io.weights import check_weight_data

from .backends import Backend, backend_for
from .upload_check import FILE_RULE, UploadError, check_manifest, parse_model_json
from .version_ids import VID_RULE, created_at, find_vid, new_vid, writer_gone

NAME_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
MODEL_JSON, WEIGHTS_FILE = "model.json", "model.weights.bin"
DEFAULT_MAX_UPLOAD = 1 << 30  # 1 GiB
MAX_MODEL_JSON = 32 << 20
MAX_SHARDS = 256
HISTORY = 100
log = logging.getLogger("tfjs_server.store")


class ModelStore:
    """Models in a backend: ``models/<name>/pointer.json`` names the current version of
    ``models/<name>/versions/<id>/``."""

    def __init__(self, backend: Backend | Path | str, token: str | None = None,
                 max_upload_bytes: int = DEFAULT_MAX_UPLOAD, grace_s: float = 120.0, keep_versions: int = 2,
                 stale_upload_s: float = 3600.0, body_timeout_s: float = 30.0, upload_deadline_s: float = 1200.0):
        self.backend = backend if isinstance(backend, Backend) else backend_for(backend)
        self.root = self.backend.description
        self.token = token or os.environ.get("TFJS_STORE_TOKEN") or secrets.token_urlsafe(24)
        self.max_upload_bytes = max_upload_bytes
        self.grace_s, self.keep_versions = grace_s, keep_versions
        self.stale_upload_s, self.body_timeout_s = stale_upload_s, body_timeout_s
        # An upload is finished well before a version nobody points at counts as stale (and may be collected).
        self.upload_deadline_s = min(upload_deadline_s, stale_upload_s / 2)

    # -------------------------------------------------------------------------------------- helpers

    @staticmethod
    def check_name(name: str) -> str:
        if ".." in name or not NAME_RULE.fullmatch(name):
            raise HTTPException(400, f"invalid model name {name!r}: use 1-128 letters, digits, '.', '_' or '-', "
                                     f"starting with a letter or digit, with no '..' and no '/'")
        return name

    def authorize(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(token.strip().encode(), self.token.encode()):
            raise HTTPException(401, "writing to the model store needs 'Authorization: Bearer <token>' with the "
                                     "store's token", headers={"WWW-Authenticate": "Bearer"})

    async def pointer(self, name: str) -> tuple[dict | None, str | None]:
        got = await self.backend.read(f"models/{name}/pointer.json")
        if got is None:
            return None, None
        return json.loads(got[0]), got[1]

    async def current(self, name: str) -> dict:
        pointer, _ = await self.pointer(name)
        if pointer is None or pointer.get("current") is None:
            raise HTTPException(404, f"no model named {name!r} in the store")
        return pointer

    # -------------------------------------------------------------------------------------- reading

    async def list_models(self, request: Request) -> JSONResponse:
        out = []
        for name in await self.backend.list_dirs("models/"):
            pointer, _ = await self.pointer(name)
            if pointer is not None and pointer.get("current"):
                out.append({"name": name, "version": pointer["current"], "modelArtifactsInfo": pointer["info"]})
        return JSONResponse(out)

    async def get_current(self, request: Request) -> Response:
        name = self.check_name(request.path_params["name"])
        filename = request.path_params["file"]
        pointer = await self.current(name)
        vid = pointer["current"]
        if filename == MODEL_JSON:
            got = await self.backend.read(f"models/{name}/versions/{vid}/{MODEL_JSON}")
            if got is None:
                raise HTTPException(503, f"model {name!r}: version {vid} is missing its {MODEL_JSON}")
            model_json = json.loads(got[0])
            for group in model_json.get("weightsManifest") or []:
                group["paths"] = [f"versions/{vid}/{p.removeprefix('./')}" for p in group["paths"]]
            return self._respond(request, json.dumps(model_json, ensure_ascii=False).encode(), f'"{vid}"',
                                 "application/json", "no-cache")
        if filename not in pointer["files"]:
            raise HTTPException(404, f"model {name!r} has no file {filename!r}")
        return await self._send_file(request, name, vid, filename, "no-cache")

    async def get_version(self, request: Request) -> Response:
        name = self.check_name(request.path_params["name"])
        vid, filename = request.path_params["vid"], request.path_params["file"]
        if not VID_RULE.fullmatch(vid) or not FILE_RULE.fullmatch(filename):
            raise HTTPException(404, f"model {name!r} has no version file {vid}/{filename}")
        return await self._send_file(request, name, vid, filename, "public, max-age=31536000, immutable")

    async def _send_file(self, request: Request, name: str, vid: str, filename: str, cache: str) -> Response:
        key = f"models/{name}/versions/{vid}/{filename}"
        size = await self.backend.size(key)
        if size is None:
            raise HTTPException(404, f"model {name!r} has no file {filename!r} in version {vid} (never written, "
                                     f"or collected)")
        etag = f'"{vid}/{filename}"'
        media = "application/json" if filename == MODEL_JSON else "application/octet-stream"
        headers = {"ETag": etag, "Cache-Control": cache, "Accept-Ranges": "bytes"}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        start, end, status = 0, size, 200
        wanted = parse_range(request.headers.get("range"), size)
        if wanted == "unsatisfiable":
            raise HTTPException(416, f"range {request.headers['range']!r} is outside {filename} ({size} bytes)",
                                headers={"Content-Range": f"bytes */{size}"})
        if wanted is not None and request.headers.get("if-range", etag) == etag:
            start, end, status = wanted[0], wanted[1], 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        headers["Content-Length"] = str(end - start)
        if request.method == "HEAD":
            return Response(status_code=status, headers=headers, media_type=media)
        return StreamingResponse(self.backend.stream(key, start, end), status_code=status, headers=headers,
                                 media_type=media)

    @staticmethod
    def _respond(request: Request, body: bytes, etag: str, media: str, cache: str) -> Response:
        headers = {"ETag": etag, "Cache-Control": cache}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=media, headers=headers)  # uvicorn sends no body to a HEAD

    # -------------------------------------------------------------------------------------- writing

    async def put_model(self, request: Request) -> JSONResponse:
        name = self.check_name(whole_name(request))
        self.authorize(request)
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_upload_bytes:
            raise HTTPException(413, f"upload of {declared} bytes is over the store's limit of "
                                     f"{self.max_upload_bytes} bytes")
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            raise HTTPException(415, f"expected multipart/form-data with a part {MODEL_JSON!r} and the weight "
                                     f"files it names, got Content-Type {content_type or 'none'!r}")
        request = Request(request.scope, self._guarded_receive(request.receive))
        async with request.form(max_files=1 + MAX_SHARDS, max_fields=0) as form:
            parts = {}
            for key, value in form.multi_items():
                if isinstance(value, str):
                    raise HTTPException(400, f"form part {key!r} is not a file")
                if key in parts:
                    raise HTTPException(400, f"form part {key!r} appears twice")
                if key != MODEL_JSON and not (FILE_RULE.fullmatch(key) and ".." not in key):
                    raise HTTPException(400, f"form part {key!r} is not a plain file name")
                parts[key] = value
            if MODEL_JSON not in parts:
                raise HTTPException(400, f"the upload has no file part {MODEL_JSON!r}")
            json_part = parts.pop(MODEL_JSON)
            if (json_part.size or 0) > MAX_MODEL_JSON:
                raise HTTPException(413, f"{MODEL_JSON} is {json_part.size} bytes, over the store's limit of "
                                         f"{MAX_MODEL_JSON} bytes for it")
            raw_json = await json_part.read()
            info, shards = await anyio.to_thread.run_sync(self._check_upload, raw_json, parts)
            vid = new_vid()
            json_part.file.seek(0)
            files = {MODEL_JSON: json_part.file}
            for shard in shards:
                parts[shard].file.seek(0)
                files[shard] = parts[shard].file
            await self.backend.put_files(f"models/{name}/versions/{vid}/", files)
        await self._switch(name, {"current": vid, "files": shards, "info": info})
        await self.collect(name)
        return JSONResponse({"name": name, "version": vid, "modelArtifactsInfo": info}, status_code=200)

    def _check_upload(self, raw_json: bytes, parts: dict) -> tuple[dict, list[str]]:
        """model.json against the uploaded weight files; (artifacts info, shard names in manifest order)."""
        views = []
        try:
            model_json = parse_model_json(raw_json)
            shards, specs = check_manifest(model_json, list(parts))
            artifacts = artifacts_from_model_json(model_json, source=MODEL_JSON)
            for shard in shards:
                handle = parts[shard].file
                handle.seek(0, 2)
                if handle.tell() == 0:
                    views.append(b"")
                    continue
                if getattr(handle, "rollover", None):
                    handle.rollover()
                views.append(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
            check_weight_data(views, specs, shard_names=shards)
            artifacts.weight_data = views
            return info_to_camel(artifacts_info(artifacts)), shards
        except UploadError as e:
            raise HTTPException(400, str(e)) from None
        except TfjsError as e:
            raise HTTPException(400, f"{MODEL_JSON}: {e}") from None
        except (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError) as e:
            raise HTTPException(400, f"{MODEL_JSON} is malformed ({type(e).__name__}: {e})") from None
        finally:
            for view in views:
                if isinstance(view, mmap.mmap):
                    try:
                        view.close()
                    except BufferError:  # a view of it is still held (by an exception's traceback)
                        pass

    def _guarded_receive(self, receive):
        """The request body with a size cap, a limit on how long one read may wait and one on the whole."""
        limit, seen, timeout = self.max_upload_bytes, 0, self.body_timeout_s
        deadline = time.monotonic() + self.upload_deadline_s

        async def guarded():
            nonlocal seen
            with anyio.move_on_after(min(timeout, max(deadline - time.monotonic(), 0))) as scope:
                message = await receive()
            if scope.cancelled_caught:
                if time.monotonic() >= deadline:
                    raise HTTPException(408, f"upload too slow: not done in {self.upload_deadline_s:g} s")
                raise HTTPException(408, f"upload stalled: no bytes for {timeout:g} s")
            seen += len(message.get("body", b""))
            if seen > limit:
                raise HTTPException(413, f"upload is over the store's limit of {limit} bytes")
            return message

        return guarded

    async def _switch(self, name: str, new: dict | None) -> dict | None:
        """Move the pointer (compare-and-swap, retried on a concurrent change); returns the replaced pointer."""
        key = f"models/{name}/pointer.json"
        for _ in range(50):
            old, tag = await self.pointer(name)
            if new is None and (old is None or old.get("current") is None):
                return None
            history = list((old or {}).get("history", []))
            if old is not None and old.get("current"):
                history.insert(0, {"id": old["current"], "retired": time.time()})
            doc = dict(new or {"current": None, "files": [], "info": None})
            doc["history"] = history[:HISTORY]
            if await self.backend.write_if(key, json.dumps(doc).encode(), tag):
                return old
            await anyio.sleep(0.01 + secrets.randbelow(40) / 1000)
        raise HTTPException(503, f"model {name!r} is being written by others too often; try again")

    async def delete_model(self, request: Request) -> JSONResponse:
        name = self.check_name(whole_name(request))
        self.authorize(request)
        if await self._switch(name, None) is None:
            raise HTTPException(404, f"no model named {name!r} in the store")
        return JSONResponse({"name": name, "deleted": True})

    # -------------------------------------------------------------------------------------- collecting

    def _expired(self, vid: str, history: dict[str, float], recent: set[str], now: float) -> bool:
        if vid in history:
            return vid not in recent and history[vid] < now - self.grace_s
        return writer_gone(vid) or created_at(vid) < now - self.stale_upload_s

    async def collect(self, name: str) -> list[str]:
        """Delete the versions of ``name`` no reader can still be pointed at; returns their ids."""
        try:
            pointer, _ = await self.pointer(name)
            pointer = pointer or {}
            history = {h["id"]: h["retired"] for h in pointer.get("history", [])}
            recent = {h["id"] for h in pointer.get("history", [])[:self.keep_versions]}
            if pointer.get("current") is None:
                recent = set()
            now, gone = time.time(), []
            for vid in await self.backend.list_dirs(f"models/{name}/versions/"):
                if vid != pointer.get("current") and VID_RULE.fullmatch(vid) and \
                        self._expired(vid, history, recent, now):
                    await self.backend.delete_prefix(f"models/{name}/versions/{vid}/")
                    gone.append(vid)
            return gone
        except Exception:  # collecting is housekeeping: a failure must not fail the write that triggered it
            log.exception("collecting old versions of %r failed", name)
            return []

    async def recover(self) -> None:
        """At start: drop what interrupted writes left (their writer is gone, or they are stale), collect."""
        from .backends import LocalBackend
        from .local_migrate import migrate_symlinked_models

        if isinstance(self.backend, LocalBackend):
            await anyio.to_thread.run_sync(migrate_symlinked_models, self.backend.root)
        now = time.time()
        for key, handle in await self.backend.leftovers():
            vid = find_vid(key)
            if vid is not None and (writer_gone(vid) or created_at(vid) < now - self.stale_upload_s):
                await self.backend.drop_leftover(handle)
        for name in await self.backend.list_dirs("models/"):
            await self.collect(name)

    def routes(self) -> list[Route]:
        return [
            Route("/api/models", self.list_models, methods=["GET"]),
            Route("/api/models/{name}/versions/{vid}/{file}", self.get_version, methods=["GET", "HEAD"]),
            Route("/api/models/{name}/{file}", self.get_current, methods=["GET", "HEAD"]),
            Route("/api/models/{name:path}", self.put_model, methods=["POST", "PUT"]),
            Route("/api/models/{name:path}", self.delete_model, methods=["DELETE"]),
        ]


def whole_name(request: Request) -> str:
    """The model name of /api/models/<name> from the whole path: a route pattern's '$' also matches before a
    trailing newline, so ``base%0A`` would otherwise be taken for ``base``."""
    return request.scope["path"][len("/api/models/"):]


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """[start, end) of a single 'bytes=' range; None to send everything; 'unsatisfiable' for a 416."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[6:].strip().partition("-")
    try:
        if first == "":
            length = int(last)
            return (max(size - length, 0), size) if length > 0 and size > 0 else "unsatisfiable"
        start = int(first)
        end = int(last) + 1 if last else size
    except ValueError:
        return None
    if start >= size:
        return "unsatisfiable"
    if start < 0 or end <= start:
        return None
    return start, min(end, size)


async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
    return JSONResponse({"error": exc.detail, "status": exc.status_code}, status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))
