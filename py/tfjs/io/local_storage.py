"""``localstorage://path``: models in the browser's localStorage, under TF.js's own keys and values.

For a path ``P`` the model takes five keys, ``tensorflowjs_models/P/`` + ``info`` (ModelArtifactsInfo JSON,
ISO date), ``model_topology``, ``weight_specs`` (``JSON.stringify`` text), ``weight_data`` (base64 of all
weight bytes) and ``model_metadata`` (format, generatedBy, ... as JSON). A save that fails (the quota,
usually) puts back what was stored at that path before and leaves nothing of the new model.
"""

from __future__ import annotations

import binascii
import json
from typing import Any

from ..errors import FormatError, StorageError, UnsupportedError
from ..platform import storage
from . import jsjson
from .model_management import register_manager
from .model_json import METADATA_KEYS, browser_save_info, camel_fields, info_from_camel, info_to_camel
from .router import register_load_router, register_save_router
from .types import ModelArtifacts, ModelArtifactsInfo, SaveResult
from .weights import as_shards

SCHEME = "localstorage://"
PATH_PREFIX = "tensorflowjs_models"
KEY_NAMES = ("info", "model_topology", "weight_specs", "weight_data", "model_metadata")
_B64_CHUNK = 3 * (1 << 20)  # a multiple of 3: chunks encode to base64 that joins without padding


def model_keys(path: str) -> dict[str, str]:
    return {name: f"{PATH_PREFIX}/{path}/{name}" for name in KEY_NAMES}


def base64_of(data: Any) -> bytes:
    """Base64 (ASCII bytes) of weight data (one buffer or shards), in chunks, never joining the shards first."""
    pieces: list[bytes] = []
    carry = b""
    for shard in as_shards(data):
        start = 0
        if carry:
            start = min(3 - len(carry), shard.nbytes)
            carry += shard[:start].tobytes()
            if len(carry) < 3:
                continue
            pieces.append(binascii.b2a_base64(carry, newline=False))
            carry = b""
        end = start + (shard.nbytes - start) // 3 * 3
        for lo in range(start, end, _B64_CHUNK):
            pieces.append(binascii.b2a_base64(shard[lo:min(lo + _B64_CHUNK, end)], newline=False))
        carry = shard[end:].tobytes()
    if carry:
        pieces.append(binascii.b2a_base64(carry, newline=False))
    return b"".join(pieces)


def metadata_json(artifacts: ModelArtifacts) -> dict[str, Any]:
    """The ``model_metadata`` object as TF.js writes it: undefined fields dropped. ``convertedBy: null`` is
    kept when the artifacts carry model metadata (a model's save, as tfjs-layers sets it)."""
    return camel_fields(artifacts, METADATA_KEYS)


class BrowserLocalStorage:
    """Save to and load from ``localstorage://<path>`` (TF.js's ``BrowserLocalStorage``)."""

    def __init__(self, model_path: str):
        if not model_path:
            raise StorageError("For local storage, modelPath must not be null, undefined or empty.")
        self.model_path = model_path
        self.keys = model_keys(model_path)

    def __repr__(self) -> str:
        return f"BrowserLocalStorage({SCHEME}{self.model_path})"

    async def save(self, artifacts: ModelArtifacts) -> SaveResult:
        info = browser_save_info(artifacts)
        previous = storage.snapshot(list(self.keys.values()), SCHEME)  # BrowserOnlyError under CPython
        values = {
            "info": jsjson.stringify(info_to_camel(info)),
            "model_topology": jsjson.stringify(artifacts.model_topology).encode("utf-8"),
            "weight_specs": jsjson.stringify(artifacts.weight_specs).encode("utf-8"),
            "weight_data": base64_of(artifacts.weight_data),
            "model_metadata": jsjson.stringify(metadata_json(artifacts)).encode("utf-8"),
        }
        try:
            for name in KEY_NAMES:
                storage.set_item(self.keys[name], values[name], SCHEME)
        except storage.StorageWriteFailed as e:
            message = (f"Failed to save model '{self.model_path}' to local storage: size quota being exceeded is "
                       f"a possible cause of this failure: modelTopologyBytes={info.model_topology_bytes}, "
                       f"weightSpecsBytes={info.weight_specs_bytes}, weightDataBytes={info.weight_data_bytes}.")
            try:
                storage.restore(previous, SCHEME)  # the model stored there before, or nothing
            except storage.StorageWriteFailed as lost:
                message += f" The model stored there before could not be put back: {lost}"
            raise StorageError(message) from e
        return SaveResult(model_artifacts_info=info)

    async def load(self) -> ModelArtifacts:
        path, keys = self.model_path, self.keys
        info_text = storage.get_item(keys["info"], SCHEME)
        if info_text is None:
            raise StorageError(f"In local storage, there is no model with name '{path}'")
        info = _parse(info_text, keys["info"])
        if info.get("modelTopologyType") != "JSON":
            raise UnsupportedError("BrowserLocalStorage does not support loading non-JSON model topology yet.")
        topology = storage.get_bytes(keys["model_topology"], SCHEME)
        if topology is None:
            raise StorageError(f"In local storage, the topology of model '{path}' is missing.")
        specs = storage.get_bytes(keys["weight_specs"], SCHEME)
        if specs is None:
            raise StorageError(f"In local storage, the weight specs of model '{path}' are missing.")
        artifacts = ModelArtifacts(model_topology=_parse(topology, keys["model_topology"]),
                                   weight_specs=_parse(specs, keys["weight_specs"]))
        metadata = storage.get_bytes(keys["model_metadata"], SCHEME)
        if metadata is not None:
            values = _parse(metadata, keys["model_metadata"])
            for attr, key in METADATA_KEYS:
                setattr(artifacts, attr, values.get(key))
        data = storage.get_bytes(keys["weight_data"], SCHEME)
        if data is None:
            raise StorageError(f"In local storage, the binary weight values of model '{path}' are missing.")
        try:
            artifacts.weight_data = binascii.a2b_base64(data)
        except binascii.Error as e:
            raise FormatError(f"In local storage, the weight values of model '{path}' are not valid base64 "
                              f"({len(data)} characters): {e}") from None
        return artifacts


def _parse(text: str | bytes, key: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as e:
        raise FormatError(f"In local storage, the value of '{key}' is not valid JSON: {e}") from None


class BrowserLocalStorageManager:
    """``list_models`` / ``remove_model`` for ``localstorage://`` (TF.js's ``BrowserLocalStorageManager``)."""

    async def list_models(self) -> dict[str, ModelArtifactsInfo]:
        out = {}
        prefix, suffix = PATH_PREFIX + "/", "/info"
        for key in storage.keys(SCHEME):
            if key.startswith(prefix) and key.endswith(suffix):
                segments = key.split("/")
                if len(segments) < 3:
                    raise StorageError(f"Invalid key format: {key}")
                text = storage.get_item(key, SCHEME)
                if text is not None:
                    out["/".join(segments[1:-1])] = info_from_camel(_parse(text, key))
        return out

    async def remove_model(self, path: str) -> ModelArtifactsInfo:
        if path.startswith(SCHEME):
            path = path[len(SCHEME):]
        keys = model_keys(path)
        text = storage.get_item(keys["info"], SCHEME)
        if text is None:
            raise StorageError(f"Cannot find model at path '{path}'")
        for key in keys.values():
            storage.remove_item(key, SCHEME)
        return info_from_camel(_parse(text, keys["info"]))


def browser_local_storage(model_path: str) -> BrowserLocalStorage:
    """The handler for ``localstorage://<model_path>`` (``model_path`` without the scheme)."""
    return BrowserLocalStorage(model_path)


def local_storage_router(url: Any, **_load_options: Any) -> BrowserLocalStorage | None:
    if isinstance(url, str) and url.startswith(SCHEME):
        return BrowserLocalStorage(url[len(SCHEME):])
    return None


register_save_router(local_storage_router)
register_load_router(local_storage_router)
register_manager("localstorage", BrowserLocalStorageManager())
