"""Model management across storage media: ``list_models``, ``copy_model``, ``move_model``, ``remove_model``.

Each medium registers a manager for its scheme (``localstorage``, ``indexeddb``) with ``list_models()`` and
``remove_model(path)``. Copies and moves go through the URL router, so they work across media. A move saves
the destination first and removes the source only once that save succeeded: a failed move loses nothing.
"""

from __future__ import annotations

from typing import Protocol

from ..errors import StorageError
from .router import get_load_handlers, get_save_handlers
from .types import ModelArtifactsInfo

SEPARATOR = "://"


class ModelStoreManager(Protocol):
    async def list_models(self) -> dict[str, ModelArtifactsInfo]: ...

    async def remove_model(self, path: str) -> ModelArtifactsInfo: ...


_managers: dict[str, ModelStoreManager] = {}


def register_manager(scheme: str, manager: ModelStoreManager) -> None:
    """Register the manager of a scheme (``'localstorage'`` or ``'localstorage://'``)."""
    if scheme is None:
        raise StorageError("scheme must not be undefined or null.")
    if scheme.endswith(SEPARATOR):
        scheme = scheme[:-len(SEPARATOR)]
    if not scheme:
        raise StorageError("scheme must not be an empty string.")
    if scheme in _managers:
        raise StorageError(f"A model store manager is already registered for scheme '{scheme}'.")
    _managers[scheme] = manager


def get_schemes() -> list[str]:
    return list(_managers)


def get_manager(scheme: str) -> ModelStoreManager:
    if scheme not in _managers:
        raise StorageError(f"Cannot find model manager for scheme '{scheme}'")
    return _managers[scheme]


def parse_url(url: str) -> tuple[str, str]:
    """``'indexeddb://a/b'`` -> ``('indexeddb', 'a/b')``."""
    if SEPARATOR not in url:
        raise StorageError("The url string provided does not contain a scheme. Supported schemes are: "
                           + ",".join(get_schemes()))
    scheme, _, path = url.partition(SEPARATOR)
    return scheme, path


async def list_models() -> dict[str, ModelArtifactsInfo]:
    """Every stored model of every registered medium: ``{'<scheme>://<path>': ModelArtifactsInfo}``."""
    out: dict[str, ModelArtifactsInfo] = {}
    for scheme, manager in _managers.items():
        for path, info in (await manager.list_models()).items():
            out[f"{scheme}{SEPARATOR}{path}"] = info
    return out


async def remove_model(url: str) -> ModelArtifactsInfo:
    """Remove the model at ``url`` and return its ModelArtifactsInfo."""
    scheme, path = parse_url(url)
    return await get_manager(scheme).remove_model(path)


async def _clone(source_url: str, dest_url: str, delete_source: bool) -> ModelArtifactsInfo:
    if source_url == dest_url:
        raise StorageError(f"Old path and new path are the same: '{source_url}'")
    loaders = get_load_handlers(source_url)
    if not loaders:
        raise StorageError(f"Copying failed because no load handler is found for source URL {source_url}.")
    if len(loaders) > 1:
        raise StorageError(f"Copying failed because more than one ({len(loaders)}) load handlers for source URL "
                           f"{source_url}.")
    savers = get_save_handlers(dest_url)
    if not savers:
        raise StorageError(f"Copying failed because no save handler is found for destination URL {dest_url}.")
    if len(savers) > 1:
        raise StorageError(f"Copying failed because more than one ({len(savers)}) save handlers for destination "
                           f"URL {dest_url}.")
    scheme, path = parse_url(source_url)
    source_manager = get_manager(scheme) if delete_source else None
    artifacts = await loaders[0].load()
    result = await savers[0].save(artifacts)
    if source_manager is not None:
        await source_manager.remove_model(path)
    return result.model_artifacts_info


async def copy_model(source_url: str, dest_url: str) -> ModelArtifactsInfo:
    """Copy a model from one URL to another (same or different medium); returns the copy's info."""
    return await _clone(source_url, dest_url, delete_source=False)


async def move_model(source_url: str, dest_url: str) -> ModelArtifactsInfo:
    """Move a model: save it at ``dest_url``, then (only if that succeeded) remove it from ``source_url``."""
    return await _clone(source_url, dest_url, delete_source=True)
