"""``downloads://name`` (save as two downloads) and ``browser_files(files)`` (load from picked files).

Saving downloads ``name.json`` (its manifest points at ``./name.weights.bin``) and then
``name.weights.bin``, through anchor clicks, as TF.js's ``browserDownloads``. Loading takes the files of an
``<input type=file>`` or a drop (JS ``File`` objects, a ``FileList`` or an Array of them) or Python
``(name, bytes)`` pairs, in any order: the model JSON is found among them and every shard of its manifest
is matched to a file by basename, as TF.js's ``browserFiles``. Weight data comes back as a list of shard
buffers in manifest order (never joined).
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import FormatError, UnsupportedError
from ..platform import files as jsfiles
from . import jsjson
from .model_json import artifacts_from_model_json, artifacts_info, model_json_for_artifacts
from .router import register_save_router
from .types import ModelArtifacts, SaveResult
from .weights import as_shards, check_weight_data

SCHEME = "downloads://"
DEFAULT_FILE_NAME_PREFIX = "model"
JSON_SUFFIX = ".json"
WEIGHT_DATA_SUFFIX = ".weights.bin"


class BrowserDownloads:
    """Save as two browser downloads, ``<prefix>.json`` and ``<prefix>.weights.bin`` (TF.js's
    ``BrowserDownloads``)."""

    def __init__(self, file_name_prefix: str | None = DEFAULT_FILE_NAME_PREFIX):
        prefix = file_name_prefix or ""
        if prefix.startswith(SCHEME):
            prefix = prefix[len(SCHEME):]
        prefix = prefix or DEFAULT_FILE_NAME_PREFIX
        self.model_json_file_name = prefix + JSON_SUFFIX
        self.weight_data_file_name = prefix + WEIGHT_DATA_SUFFIX

    def __repr__(self) -> str:
        return f"BrowserDownloads({self.model_json_file_name}, {self.weight_data_file_name})"

    async def save(self, artifacts: ModelArtifacts) -> SaveResult:
        if isinstance(artifacts.model_topology, (bytes, bytearray, memoryview)):
            raise UnsupportedError("BrowserDownloads.save() does not support saving model topology in binary "
                                   "formats yet.")
        group: dict[str, Any] = {"paths": ["./" + self.weight_data_file_name]}
        if artifacts.weight_specs is not None:
            group["weights"] = artifacts.weight_specs
        info = artifacts_info(artifacts)
        text = jsjson.stringify(model_json_for_artifacts(artifacts, [group]))
        await jsfiles.download(self.model_json_file_name, [text.encode("utf-8")], "application/json", SCHEME)
        if artifacts.weight_data is not None:
            await jsfiles.download(self.weight_data_file_name, as_shards(artifacts.weight_data),
                                   "application/octet-stream", SCHEME)
        return SaveResult(model_artifacts_info=info)


def browser_downloads(file_name_prefix: str = DEFAULT_FILE_NAME_PREFIX) -> BrowserDownloads:
    """The handler for ``downloads://<file_name_prefix>`` (default ``model``)."""
    return BrowserDownloads(file_name_prefix)


def downloads_router(url: Any, **_load_options: Any) -> BrowserDownloads | None:
    if isinstance(url, str) and url.startswith(SCHEME):
        return BrowserDownloads(url[len(SCHEME):])
    return None


register_save_router(downloads_router)


# --------------------------------------------------------------------------------------------------
# browser_files


def basename(path: str) -> str:
    """The last segment of a path, as TF.js's ``basename`` (trimmed, trailing slashes dropped)."""
    path = path.strip()
    while path.endswith("/"):
        path = path[:-1]
    return path[path.rfind("/") + 1:]


class _BytesFile:
    """A ``(name, bytes)`` pair, read like a browser file."""

    def __init__(self, name: str, data: Any):
        self.name = str(name)
        self.data = data

    async def read(self) -> Any:
        return self.data


def _as_files(files: Any) -> list:
    found = jsfiles.js_files(files)
    if found is not None:
        return found
    if isinstance(files, tuple) and len(files) == 2 and isinstance(files[0], str):
        files = [files]  # one (name, bytes) pair
    out = []
    for item in files:
        if isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str):
            out.append(_BytesFile(item[0], item[1]))
        elif jsfiles.is_js_value(item):
            out.append(jsfiles.as_browser_file(item))
        else:
            raise TypeError(f"browser_files() takes JS File objects or (name, bytes) pairs, got {item!r}")
    return out


def _parse_json(name: str, data: Any) -> Any:
    try:
        return json.loads(bytes(data).decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as e:
        raise FormatError(f"Failed to parse file {name}: {e}") from None


def _is_model_json(value: Any) -> bool:
    return isinstance(value, dict) and ("modelTopology" in value or "weightsManifest" in value)


class BrowserFiles:
    """Load a model from browser files (TF.js's ``BrowserFiles``), whatever their order."""

    def __init__(self, files: Any):
        if files is None or (not jsfiles.is_js_value(files) and len(files) == 0):
            raise FormatError(f"When calling browserFiles, at least 1 file is required, but received {files}")
        self.files = _as_files(files)
        if not self.files:
            raise FormatError("When calling browserFiles, at least 1 file is required, but received 0 files")

    async def _find_model_json(self) -> tuple[Any, dict, list]:
        """(model JSON file, its parsed content, the other files)."""
        candidates = [f for f in self.files if f.name.lower().endswith(JSON_SUFFIX)] or self.files[:1]
        if len(candidates) == 1:
            chosen = candidates[0]
            model_json = _parse_json(chosen.name, await chosen.read())
        else:
            parsed = []
            for f in candidates:
                try:
                    parsed.append((f, _parse_json(f.name, await f.read())))
                except FormatError:
                    continue
            models = [(f, content) for f, content in parsed if _is_model_json(content)]
            if len(models) != 1:
                names = ", ".join(f.name for f in candidates)
                raise FormatError(f"browserFiles loads one model, but {len(models)} of the {len(candidates)} JSON "
                                  f"files given ({names}) are model JSON files (with modelTopology or "
                                  f"weightsManifest): give exactly one.")
            chosen, model_json = models[0]
        return chosen, model_json, [f for f in self.files if f is not chosen]

    async def load(self) -> ModelArtifacts:
        json_file, model_json, weight_files = await self._find_model_json()
        if not isinstance(model_json, dict) or model_json.get("modelTopology") is None:
            raise FormatError(f"modelTopology field is missing from file {json_file.name}")
        manifest = model_json.get("weightsManifest")
        if manifest is None:
            raise FormatError(f"weightManifest field is missing from file {json_file.name}")
        if not weight_files:
            # No weight files: the topology (and metadata) only, as TF.js.
            return artifacts_from_model_json({k: v for k, v in model_json.items() if k != "weightsManifest"},
                                             source=json_file.name)
        ordered = self._match_shards(manifest, weight_files, json_file.name)
        shards = [await f.read() for f in ordered]
        artifacts = artifacts_from_model_json(model_json, weight_data=shards, source=json_file.name)
        check_weight_data(shards, artifacts.weight_specs, shard_names=[f.name for f in ordered])
        return artifacts

    @staticmethod
    def _match_shards(manifest: Any, weight_files: list, json_name: str) -> list:
        """The weight files in manifest path order, matched by basename (TF.js's rules and texts)."""
        if not isinstance(manifest, list):
            raise FormatError(f"{json_name}: weightsManifest must be a list of groups")
        by_name: dict[str, Any] = {}
        for f in weight_files:
            by_name.setdefault(basename(f.name), f)
        provided = ", ".join(f"'{f.name}'" for f in weight_files)
        seen: list[str] = []
        ordered = []
        for group in manifest:
            for path in group.get("paths", []):
                name = basename(path)
                if name in seen:
                    raise FormatError(f"Duplicate file basename found in weights manifest: '{name}'")
                seen.append(name)
                if name not in by_name:
                    raise FormatError(f"Weight file with basename '{name}' is not provided. "
                                      f"Weight files provided: {provided}.")
                ordered.append(by_name[name])
        if len(seen) != len(weight_files):
            extra = [f"'{f.name}'" for f in weight_files if basename(f.name) not in seen]
            names = [basename(f.name) for f in weight_files]
            doubled = sorted({f"'{n}'" for n in names if names.count(n) > 1})
            detail = (f" Not in the manifest: {', '.join(extra)}." if extra else "") + \
                     (f" Given more than once: {', '.join(doubled)}." if doubled else "")
            raise FormatError(f"Mismatch in the number of files in weights manifest ({len(seen)}) and the number "
                              f"of weight files provided ({len(weight_files)}).{detail}")
        return ordered


def browser_files(files: Any) -> BrowserFiles:
    """A load handler for model files picked by the user: JS ``File`` objects (a ``FileList``, a JS Array or a
    Python list of them) or ``(name, bytes)`` pairs, in any order."""
    return BrowserFiles(files)
