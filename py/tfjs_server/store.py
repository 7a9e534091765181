"""The model store under /api/models/: what TF.js's ``model.save('http://...')`` posts, kept on disk.

    POST or PUT /api/models/<name>             multipart parts model.json (+ model.weights.bin); Bearer token
    GET         /api/models                     list: [{name, modelArtifactsInfo}]
    GET         /api/models/<name>/model.json   the stored model.json (its manifest points at model.weights.bin)
    GET         /api/models/<name>/<weight file>
    DELETE      /api/models/<name>              Bearer token

A write is atomic: the model is written to a fresh version directory, checked (model.json against the weight
bytes), then a symlink is switched to it in one rename, so a reader sees the old model or the new one, never
half of one, and a failed upload leaves the previous version in place.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import uuid
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from tfjs.errors import TfjsError
from tfjs.io import jsjson
from tfjs.io.model_json import artifacts_from_model_json, artifacts_info, info_to_camel

NAME_RULE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
MODEL_JSON, WEIGHTS_FILE = "model.json", "model.weights.bin"
DEFAULT_MAX_UPLOAD = 1 << 30  # 1 GiB


class ModelStore:
    """Models on disk: ``root/models/<name>`` is a symlink to ``root/versions/<id>/``."""

    def __init__(self, root: Path, token: str | None = None, max_upload_bytes: int = DEFAULT_MAX_UPLOAD):
        self.root = Path(root).resolve()
        self.models = self.root / "models"
        self.versions = self.root / "versions"
        self.models.mkdir(parents=True, exist_ok=True)
        self.versions.mkdir(parents=True, exist_ok=True)
        self.token = token or os.environ.get("TFJS_STORE_TOKEN") or secrets.token_urlsafe(24)
        self.max_upload_bytes = max_upload_bytes

    # -------------------------------------------------------------------------------------- helpers

    @staticmethod
    def check_name(name: str) -> str:
        if ".." in name or name.startswith("/") or not NAME_RULE.match(name):
            raise HTTPException(400, f"invalid model name {name!r}: use 1-128 letters, digits, '.', '_' or '-', "
                                     f"starting with a letter or digit, with no '..' and no '/'")
        return name

    def authorize(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(token.strip().encode(), self.token.encode()):
            raise HTTPException(401, "writing to the model store needs 'Authorization: Bearer <token>' with the "
                                     "store's token", headers={"WWW-Authenticate": "Bearer"})

    def model_dir(self, name: str) -> Path | None:
        link = self.models / name
        return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None

    # -------------------------------------------------------------------------------------- routes

    async def list_models(self, request: Request) -> JSONResponse:
        out = []
        for link in sorted(self.models.iterdir()):
            info = self.model_dir(link.name)
            if info is not None and (info / "info.json").exists():
                out.append({"name": link.name, "modelArtifactsInfo": json.loads((info / "info.json").read_text())})
        return JSONResponse(out)

    async def get_file(self, request: Request) -> Response:
        name = self.check_name(request.path_params["name"])
        filename = request.path_params["file"]
        directory = self.model_dir(name)
        if directory is None:
            raise HTTPException(404, f"no model named {name!r} in the store")
        if filename not in (MODEL_JSON, WEIGHTS_FILE) or not (directory / filename).is_file():
            raise HTTPException(404, f"model {name!r} has no file {filename!r}")
        media = "application/json" if filename == MODEL_JSON else "application/octet-stream"
        return FileResponse(directory / filename, media_type=media, headers={"Cache-Control": "no-cache"})

    async def put_model(self, request: Request) -> JSONResponse:
        name = self.check_name(request.path_params["name"])
        self.authorize(request)
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_upload_bytes:
            raise HTTPException(413, f"upload of {declared} bytes is over the store's limit of "
                                     f"{self.max_upload_bytes} bytes")
        request = Request(request.scope, self._capped_receive(request.receive))
        version = self.versions / f"{uuid.uuid4().hex}"
        version.mkdir()
        try:
            info = await self._write_version(request, version)
            self._switch(name, version)
        except BaseException:
            shutil.rmtree(version, ignore_errors=True)
            raise
        return JSONResponse({"name": name, "modelArtifactsInfo": info}, status_code=200)

    async def delete_model(self, request: Request) -> JSONResponse:
        name = self.check_name(request.path_params["name"])
        self.authorize(request)
        link = self.models / name
        directory = self.model_dir(name)
        if directory is None:
            raise HTTPException(404, f"no model named {name!r} in the store")
        link.unlink()
        shutil.rmtree(directory, ignore_errors=True)
        return JSONResponse({"name": name, "deleted": True})

    # -------------------------------------------------------------------------------------- writing

    def _capped_receive(self, receive):
        limit, seen = self.max_upload_bytes, 0

        async def capped():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise HTTPException(413, f"upload is over the store's limit of {limit} bytes")
            return message

        return capped

    async def _write_version(self, request: Request, version: Path) -> dict:
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            raise HTTPException(415, f"expected multipart/form-data with parts {MODEL_JSON!r} and "
                                     f"{WEIGHTS_FILE!r}, got Content-Type {content_type or 'none'!r}")
        async with request.form(max_files=2, max_fields=0) as form:
            unexpected = sorted(set(form.keys()) - {MODEL_JSON, WEIGHTS_FILE})
            if unexpected:
                raise HTTPException(400, f"unexpected form parts {unexpected}: only {MODEL_JSON!r} and "
                                         f"{WEIGHTS_FILE!r} are accepted")
            json_part = form.get(MODEL_JSON)
            if json_part is None or isinstance(json_part, str):
                raise HTTPException(400, f"the upload has no file part {MODEL_JSON!r}")
            raw_json = await json_part.read()
            weights_part = form.get(WEIGHTS_FILE)
            weights_path = version / WEIGHTS_FILE
            if weights_part is not None and not isinstance(weights_part, str):
                with open(weights_path, "wb") as out:
                    while chunk := await weights_part.read(1 << 20):
                        out.write(chunk)
        try:
            model_json = json.loads(raw_json)
        except ValueError as e:
            raise HTTPException(400, f"{MODEL_JSON} is not valid JSON: {e}") from None
        info = self._validate(model_json, weights_path)
        (version / MODEL_JSON).write_bytes(raw_json)
        (version / "info.json").write_text(jsjson.stringify(info))
        return info

    def _validate(self, model_json, weights_path: Path) -> dict:
        """The model.json must be a model whose manifest points at the uploaded weights, byte for byte."""
        try:
            artifacts = artifacts_from_model_json(model_json, source=MODEL_JSON)
            manifest = model_json.get("weightsManifest") or []
            paths = [p for group in manifest for p in group["paths"]]
            if manifest and [os.path.basename(p) for p in paths] != [WEIGHTS_FILE]:
                raise HTTPException(400, f"{MODEL_JSON}'s weightsManifest must point at one file "
                                         f"'./{WEIGHTS_FILE}', got {paths}")
            if weights_path.exists():
                from tfjs.io.weights import check_weight_data

                data = weights_path.read_bytes()
                check_weight_data(data, artifacts.weight_specs or [], shard_names=[WEIGHTS_FILE])
                artifacts.weight_data = data
            elif artifacts.weight_specs:
                raise HTTPException(400, f"{MODEL_JSON} lists {len(artifacts.weight_specs)} weights but the upload "
                                         f"has no part {WEIGHTS_FILE!r}")
        except TfjsError as e:
            raise HTTPException(400, str(e)) from None
        return info_to_camel(artifacts_info(artifacts))

    def _switch(self, name: str, version: Path) -> None:
        link = self.models / name
        old = self.model_dir(name)
        staged = self.models / f".{name}.{uuid.uuid4().hex[:8]}"
        os.symlink(version, staged)
        os.replace(staged, link)  # atomic: readers see the old version or the new one
        if old is not None and old != version:
            shutil.rmtree(old, ignore_errors=True)

    def routes(self) -> list[Route]:
        return [
            Route("/api/models", self.list_models, methods=["GET"]),
            Route("/api/models/{name}/{file}", self.get_file, methods=["GET", "HEAD"]),
            Route("/api/models/{name:path}", self.put_model, methods=["POST", "PUT"]),
            Route("/api/models/{name:path}", self.delete_model, methods=["DELETE"]),
        ]


async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
    return JSONResponse({"error": exc.detail, "status": exc.status_code}, status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))
