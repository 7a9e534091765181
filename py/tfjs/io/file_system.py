"""``file://``: a model directory on a file system.

Under CPython this is the native file system; under Pyodide it is the in-browser (Emscripten) file system
of the page, which lives in memory and is gone when the page closes.

Save ``file://dir`` writes ``dir/model.json`` and ``dir/weights.bin`` (shards written one after the other,
never joined in memory). Each file is first written under a temporary name and then renamed over the old
one, weights first: a save that fails leaves the previous model in place and no partial file behind.
Load ``file://dir/model.json`` reads the manifest's weight files from beside it, one buffer per file.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from ..errors import FormatError, StorageError
from . import jsjson
from .model_json import artifacts_from_model_json, artifacts_info, model_json_for_artifacts
from .router import register_load_router, register_save_router
from .types import ModelArtifacts, SaveResult
from .weights import as_shards, check_weight_data

SCHEME = "file://"
MODEL_JSON = "model.json"
WEIGHTS_BIN = "weights.bin"


def _strip(url: str) -> str:
    return url[len(SCHEME):] if url.startswith(SCHEME) else url


class FileSystem:
    """The file:// handler: save to a directory, load from a model.json path."""

    def __init__(self, path: str | os.PathLike):
        path = _strip(os.fspath(path))
        if not path:
            raise StorageError("file:// needs a path: file://<directory> to save, file://<dir>/model.json to load")
        self.path = Path(path).expanduser().resolve()

    async def save(self, artifacts: ModelArtifacts) -> SaveResult:
        directory = self.path
        if directory.exists() and not directory.is_dir():
            raise StorageError(f"Path {directory} exists as a file. The path must be nonexistent or point to a "
                               f"directory.")
        manifest = [{"paths": [WEIGHTS_BIN], "weights": artifacts.weight_specs or []}]
        text = jsjson.stringify(model_json_for_artifacts(artifacts, manifest))
        directory.mkdir(parents=True, exist_ok=True)
        tag = f".tmp-{uuid.uuid4().hex[:12]}"
        staged = {directory / (WEIGHTS_BIN + tag): directory / WEIGHTS_BIN,
                  directory / (MODEL_JSON + tag): directory / MODEL_JSON}
        weights_tmp, json_tmp = staged
        try:
            with open(weights_tmp, "wb") as f:
                for shard in as_shards(artifacts.weight_data):
                    f.write(shard)
                f.flush()
                os.fsync(f.fileno())
            with open(json_tmp, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            for tmp, final in staged.items():
                os.replace(tmp, final)
        except OSError as e:
            raise StorageError(f"Saving the model to {directory} failed: {e}") from e
        finally:
            for tmp in staged:
                if tmp.exists():
                    tmp.unlink()
        return SaveResult(model_artifacts_info=artifacts_info(artifacts))

    async def load(self) -> ModelArtifacts:
        path = self.path
        if path.is_dir():
            raise StorageError(f"The path to load from must be a file (model.json), but {path} is a directory. "
                               f"Loading from a directory is not supported.")
        if not path.exists():
            raise StorageError(f"Path {path} does not exist: loading failed")
        try:
            model_json = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as e:
            raise FormatError(f"Failed to parse {path} as JSON: {e}") from None
        artifacts = artifacts_from_model_json(model_json, source=str(path))
        manifest = model_json.get("weightsManifest")
        if manifest is not None:
            names, shards = [], []
            for group in manifest:
                for rel in group["paths"]:
                    weight_path = path.parent / rel
                    if not weight_path.is_file():
                        raise StorageError(f"Weight file {weight_path} does not exist: loading failed")
                    names.append(str(weight_path))
                    shards.append(weight_path.read_bytes())
            check_weight_data(shards, artifacts.weight_specs, shard_names=names)
            artifacts.weight_data = shards
        return artifacts


def file_system(path: str | os.PathLike) -> FileSystem:
    """A file:// IO handler for a directory (save) or a model.json path (load)."""
    return FileSystem(path)


def _file_router(url: Any, **_load_options: Any) -> FileSystem | None:
    if isinstance(url, str) and url.startswith(SCHEME):
        return FileSystem(url)
    return None


register_save_router(_file_router)
register_load_router(_file_router)
