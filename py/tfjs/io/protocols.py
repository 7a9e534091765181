"""The handler and manager protocols of ``tf.io`` in one place (TF.js's ``IOHandler``, ``IOHandlerSync``,
``LoadHandler``, ``SaveHandler`` and ``ModelStoreManager``): a handler is any object with ``load()`` and/or
``save(artifacts)``, plain or async; ``isinstance(h, tf.io.IOHandler)`` asks whether it has either."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from .model_management import ModelStoreManager
from .types import LoadHandler, ModelArtifacts, SaveHandler, SaveResult


@runtime_checkable
class LoadHandlerSync(Protocol):
    def load(self) -> ModelArtifacts: ...


@runtime_checkable
class SaveHandlerSync(Protocol):
    def save(self, artifacts: ModelArtifacts) -> SaveResult: ...


class _HandlerMeta(type):
    def __instancecheck__(cls, obj) -> bool:
        return callable(getattr(obj, "load", None)) or callable(getattr(obj, "save", None))


class IOHandler(metaclass=_HandlerMeta):
    """Loads (``load()``), saves (``save(artifacts)``) or both; either may be a coroutine."""


class IOHandlerSync(metaclass=_HandlerMeta):
    """An IOHandler whose ``load`` / ``save`` answer at once (``from_memory_sync``, ``with_save_handler_sync``)."""


__all__ = ["IOHandler", "IOHandlerSync", "LoadHandler", "SaveHandler", "LoadHandlerSync", "SaveHandlerSync",
           "ModelStoreManager"]
