"""Handlers that keep artifacts in memory or hand them to a function (``fromMemory``, ``withSaveHandler``)."""

from __future__ import annotations

import inspect
from typing import Any

from .model_json import artifacts_info
from .types import ModelArtifacts, SaveFunction, SaveResult


class PassthroughLoader:
    """``load()`` returns the artifacts it was made with."""

    def __init__(self, artifacts: ModelArtifacts):
        self.artifacts = artifacts

    async def load(self) -> ModelArtifacts:
        return self.artifacts


class PassthroughSaver:
    """``save(artifacts)`` calls a function (plain or async) and returns its SaveResult."""

    def __init__(self, save_function: SaveFunction):
        self.save_function = save_function

    async def save(self, artifacts: ModelArtifacts) -> SaveResult:
        result = self.save_function(artifacts)
        if inspect.isawaitable(result):
            result = await result
        if result is None:
            result = SaveResult(model_artifacts_info=artifacts_info(artifacts))
        return result


def from_memory(artifacts: ModelArtifacts | dict[str, Any]) -> PassthroughLoader:
    """A load handler for artifacts already in memory (a ModelArtifacts or a parsed model.json-like dict
    with camelCase keys and ``weightSpecs``/``weightData``)."""
    if isinstance(artifacts, dict):
        from .model_json import from_camel_dict

        artifacts = from_camel_dict(artifacts)
    return PassthroughLoader(artifacts)


def with_save_handler(save_function: SaveFunction) -> PassthroughSaver:
    """A save handler that hands the artifacts to ``save_function`` (which may be async); if it returns
    None, the SaveResult is computed from the artifacts."""
    return PassthroughSaver(save_function)
