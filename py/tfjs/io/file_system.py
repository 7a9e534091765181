"""``file://``: a model directory on a file system.

Under CPython this is the native file system; under Pyodide it is the in-browser (Emscripten) file system
of the page, which lives in memory and is gone when the page closes.

Save ``file://dir`` writes ``dir/model.json`` and one weights file (shards written one after the other, never
joined in memory). model.json is the one switch: the new weights go to a file the current model.json does not
name (``weights.bin``, or ``weights.1.bin`` when the current model uses ``weights.bin``), then model.json is
replaced by a rename, then the previous weights file is removed; files and the directory are fsync-ed between
the steps. A crash at any point leaves the previous or the new model loadable, and a save that fails
leaves the previous model in place and no partial file behind.

Load ``file://dir/model.json`` reads the manifest's weight files from beside it (confined to that folder and
bounded in size: see :mod:`tfjs.io.model_files`), one buffer per file.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

from ..errors import StorageError
from . import jsjson
from .limits import LoadLimits, limits_from_options
from .model_files import read_model_json, read_weight_files
from .model_json import artifacts_from_model_json, artifacts_info, model_json_for_artifacts
from .router import register_load_router, register_save_router
from .types import ModelArtifacts, SaveResult
from .weights import as_shards, check_weight_data

SCHEME = "file://"
MODEL_JSON = "model.json"
WEIGHTS_BIN = "weights.bin"
WEIGHTS_ALT = "weights.1.bin"


def _strip(url: str) -> str:
    return url[len(SCHEME):] if url.startswith(SCHEME) else url


def _fsync_dir(directory: Path) -> None:
    """Make renames and removals in ``directory`` durable (where the file system lets a directory be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as e:
        if e.errno not in (22, 9, 95):  # EINVAL / EBADF / EOPNOTSUPP: the medium has no directory fsync
            raise
    finally:
        os.close(fd)


def _current_weight_files(directory: Path) -> list[str]:
    """The weight files the model.json in ``directory`` names (none when there is no readable one)."""
    try:
        manifest = json.loads((directory / MODEL_JSON).read_bytes()).get("weightsManifest") or []
        return [p for group in manifest for p in group.get("paths", []) if isinstance(p, str)]
    except (OSError, ValueError, AttributeError, TypeError):
        return []


_STAGED = re.compile(r"^(model\.json|weights\.bin|weights\.1\.bin)\.tmp-[0-9a-f]{12}$")


def _remove_stale_staging(directory: Path) -> None:
    """Files an earlier save staged and could not remove (the process died): never named by a model.json."""
    for entry in os.listdir(directory):
        if _STAGED.match(entry):
            try:
                (directory / entry).unlink()
            except OSError:
                pass


class FileSystem:
    """The file:// handler: save to a directory, load from a model.json path."""

    def __init__(self, path: str | os.PathLike, **load_options: Any):
        path = _strip(os.fspath(path))
        if not path:
            raise StorageError("file:// needs a path: file://<directory> to save, file://<dir>/model.json to load")
        self.path = Path(path).expanduser().resolve()
        self.limits: LoadLimits = limits_from_options(load_options)

    async def save(self, artifacts: ModelArtifacts) -> SaveResult:
        directory = self.path
        if directory.exists() and not directory.is_dir():
            raise StorageError(f"Path {directory} exists as a file. The path must be nonexistent or point to a "
                               f"directory.")
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StorageError(f"Saving the model to {directory} failed: {e}") from e
        _remove_stale_staging(directory)
        previous = _current_weight_files(directory)
        weights_name = WEIGHTS_ALT if WEIGHTS_BIN in previous else WEIGHTS_BIN
        manifest = [{"paths": [weights_name], "weights": artifacts.weight_specs or []}]
        text = jsjson.stringify(model_json_for_artifacts(artifacts, manifest))
        tag = f".tmp-{uuid.uuid4().hex[:12]}"
        weights_tmp, json_tmp = directory / (weights_name + tag), directory / (MODEL_JSON + tag)
        staged = [weights_tmp, json_tmp]
        try:
            with open(weights_tmp, "wb") as f:
                for shard in as_shards(artifacts.weight_data):
                    f.write(shard)
                f.flush()
                os.fsync(f.fileno())
            os.replace(weights_tmp, directory / weights_name)  # a name the current model.json does not use
            staged[0] = directory / weights_name
            with open(json_tmp, "wb") as f:
                f.write(text.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
            _fsync_dir(directory)
            os.replace(json_tmp, directory / MODEL_JSON)  # the switch
            staged = []
            _fsync_dir(directory)
        except OSError as e:
            for tmp in staged:  # what this save wrote, none of it named by the model.json in place
                try:
                    tmp.unlink()
                except OSError:
                    pass
            raise StorageError(f"Saving the model to {directory} failed: {e}") from e
        for old in {WEIGHTS_BIN, WEIGHTS_ALT} - {weights_name}:
            try:
                (directory / old).unlink()
            except FileNotFoundError:
                pass
            except OSError:
                pass  # a leftover the next save replaces; the new model is in place
        try:
            _fsync_dir(directory)
        except OSError:
            pass  # the new model is in place; the removal may not be durable yet

        return SaveResult(model_artifacts_info=artifacts_info(artifacts))

    async def load(self) -> ModelArtifacts:
        path = self.path
        if path.is_dir():
            raise StorageError(f"The path to load from must be a file (model.json), but {path} is a directory. "
                               f"Loading from a directory is not supported.")
        model_json = read_model_json(path, self.limits)
        artifacts = artifacts_from_model_json(model_json, source=str(path))
        manifest = model_json.get("weightsManifest")
        if manifest is not None:
            shards, names = read_weight_files(path, manifest, self.limits)
            check_weight_data(shards, artifacts.weight_specs, shard_names=names)
            artifacts.weight_data = shards
        return artifacts


def file_system(path: str | os.PathLike, **load_options: Any) -> FileSystem:
    """A file:// IO handler for a directory (save) or a model.json path (load); ``load_options`` may set
    the limits of :mod:`tfjs.io.limits` (e.g. ``max_model_json_bytes``)."""
    return FileSystem(path, **load_options)


def _file_router(url: Any, **load_options: Any) -> FileSystem | None:
    if isinstance(url, str) and url.startswith(SCHEME):
        return FileSystem(url, **load_options)
    return None


register_save_router(_file_router)
register_load_router(_file_router)
