"""``indexeddb://path``: models in IndexedDB, in TF.js's own database and record shapes.

Database ``tensorflowjs`` version 1 with stores ``model_info_store`` (``{modelPath, modelArtifactsInfo}``)
and ``models_store`` (``{modelPath, modelArtifacts, modelArtifactsInfo}``), keyPath ``modelPath``;
``dateSaved`` is a JS Date and ``modelArtifacts.weightData`` ONE ArrayBuffer, as TF.js stores them. A save
writes both records in ONE transaction: both are stored or neither (TF.js uses two).
"""

from __future__ import annotations

from typing import Any

from ..errors import StorageError
from ..platform import indexeddb
from .model_json import (ARTIFACT_KEYS, browser_save_info, camel_fields, from_camel_dict, info_from_camel,
                         info_to_camel)
from .model_management import register_manager
from .router import register_load_router, register_save_router
from .types import ModelArtifacts, ModelArtifactsInfo, SaveResult
from .weights import as_shards

SCHEME = "indexeddb://"
DATABASE_NAME = "tensorflowjs"
DATABASE_VERSION = 1
MODEL_STORE_NAME = "models_store"
INFO_STORE_NAME = "model_info_store"


def database() -> indexeddb.Database:
    return indexeddb.Database(DATABASE_NAME, DATABASE_VERSION,
                              {MODEL_STORE_NAME: "modelPath", INFO_STORE_NAME: "modelPath"}, feature=SCHEME)


def artifacts_record(artifacts: ModelArtifacts) -> dict[str, Any]:
    """``modelArtifacts`` as TF.js stores it: camelCase keys, weightData joined into one buffer.

    ``convertedBy: null`` is kept when the artifacts carry model metadata (a model's save, as tfjs-layers sets it).
    """
    return camel_fields(artifacts, ARTIFACT_KEYS, lambda key, value: (
        indexeddb.JoinedBuffer(as_shards(value)) if key == "weightData" else value))


class BrowserIndexedDB:
    """Save to and load from ``indexeddb://<path>`` (TF.js's ``BrowserIndexedDB``)."""

    def __init__(self, model_path: str):
        if not model_path:
            raise StorageError("For IndexedDB, modelPath must not be null, undefined or empty.")
        self.model_path = model_path

    def __repr__(self) -> str:
        return f"BrowserIndexedDB({SCHEME}{self.model_path})"

    async def save(self, artifacts: ModelArtifacts) -> SaveResult:
        info = browser_save_info(artifacts)
        info_js = info_to_camel(info, date_as_string=False)
        records = [
            (INFO_STORE_NAME, {"modelPath": self.model_path, "modelArtifactsInfo": info_js}),
            (MODEL_STORE_NAME, {"modelPath": self.model_path, "modelArtifacts": artifacts_record(artifacts),
                                "modelArtifactsInfo": info_js}),
        ]
        try:
            await database().put(records)
        except indexeddb.IndexedDBError as e:
            raise StorageError(
                f"Failed to save model '{self.model_path}' to IndexedDB: {e.reason}; nothing was written "
                f"(modelTopologyBytes={info.model_topology_bytes}, weightSpecsBytes={info.weight_specs_bytes}, "
                f"weightDataBytes={info.weight_data_bytes}).") from e
        return SaveResult(model_artifacts_info=info)

    async def load(self) -> ModelArtifacts:
        record = await database().get(MODEL_STORE_NAME, self.model_path)
        if record is None:
            raise StorageError(f"Cannot find model with path '{self.model_path}' in IndexedDB.")
        stored = dict(record.get("modelArtifacts") or {})
        data = stored.get("weightData")
        if isinstance(data, (list, tuple)):
            stored["weightData"] = list(data)  # TF.js may store an array of ArrayBuffers: shards, in order
        topology = stored.get("modelTopology")
        if isinstance(topology, memoryview):
            stored["modelTopology"] = topology.tobytes()
        return from_camel_dict(stored)


class BrowserIndexedDBManager:
    """``list_models`` / ``remove_model`` for ``indexeddb://`` (TF.js's ``BrowserIndexedDBManager``)."""

    async def list_models(self) -> dict[str, ModelArtifactsInfo]:
        records = await database().get_all(INFO_STORE_NAME)
        return {r["modelPath"]: info_from_camel(r["modelArtifactsInfo"]) for r in records}

    async def remove_model(self, path: str) -> ModelArtifactsInfo:
        if path.startswith(SCHEME):
            path = path[len(SCHEME):]
        db = database()
        record = await db.get(INFO_STORE_NAME, path)
        if record is None:
            raise StorageError(f"Cannot find model with path '{path}' in IndexedDB.")
        await db.delete([(INFO_STORE_NAME, path), (MODEL_STORE_NAME, path)])
        return info_from_camel(record["modelArtifactsInfo"])


def browser_indexed_db(model_path: str) -> BrowserIndexedDB:
    """The handler for ``indexeddb://<model_path>`` (``model_path`` without the scheme)."""
    return BrowserIndexedDB(model_path)


def indexed_db_router(url: Any, **_load_options: Any) -> BrowserIndexedDB | None:
    if isinstance(url, str) and url.startswith(SCHEME):
        return BrowserIndexedDB(url[len(SCHEME):])
    return None


register_save_router(indexed_db_router)
register_load_router(indexed_db_router)
register_manager("indexeddb", BrowserIndexedDBManager())
