"""The URL router: which IO handler serves a URL, and the ``save``/``load`` conveniences built on it.

Each handler module registers its routers at import (as TF.js does). A router is a function
``router(url, **load_options) -> handler | None``. The registry itself is dumb: it asks every router and
collects the handlers. Callers want exactly one, so :func:`resolve_save_handler` and
:func:`resolve_load_handler` raise an error naming the URL when none or several match.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

from ..errors import TfjsError
from .types import ModelArtifacts, SaveResult

Router = Callable[..., Any]

_save_routers: list[Router] = []
_load_routers: list[Router] = []


def register_save_router(router: Router) -> None:
    _save_routers.append(router)


def register_load_router(router: Router) -> None:
    _load_routers.append(router)


def get_save_handlers(url: str | list[str]) -> list:
    return [h for h in (router(url) for router in _save_routers) if h is not None]


def get_load_handlers(url: str | list[str], **load_options: Any) -> list:
    return [h for h in (router(url, **load_options) for router in _load_routers) if h is not None]


def _has_async(obj: Any, name: str) -> bool:
    return callable(getattr(obj, name, None))


def resolve_save_handler(url_or_handler: Any) -> Any:
    """The one save handler for a URL (or the handler itself, if given one with ``save``)."""
    if not isinstance(url_or_handler, (str, list, tuple)):
        if not _has_async(url_or_handler, "save"):
            raise TfjsError("Saving cannot proceed because the IOHandler provided does not have the `save` "
                            "attribute defined.")
        return url_or_handler
    handlers = get_save_handlers(url_or_handler)
    if not handlers:
        raise TfjsError(f"Cannot find any save handlers for URL '{url_or_handler}'")
    if len(handlers) > 1:
        raise TfjsError(f"Found more than one ({len(handlers)}) save handlers for URL '{url_or_handler}'")
    return handlers[0]


def resolve_load_handler(url_or_handler: Any, **load_options: Any) -> Any:
    """The one load handler for a URL (or the handler itself, if given one with ``load``)."""
    if not isinstance(url_or_handler, (str, list, tuple)):
        if not _has_async(url_or_handler, "load"):
            raise TfjsError("Cannot proceed with model loading because the IOHandler provided does not have the "
                            "`load` method implemented.")
        return url_or_handler
    handlers = get_load_handlers(url_or_handler, **load_options)
    if not handlers:
        raise TfjsError(f"Cannot find any load handlers for URL '{url_or_handler}'")
    if len(handlers) > 1:
        raise TfjsError(f"Found more than one ({len(handlers)}) load handlers for URL '{url_or_handler}'")
    return handlers[0]


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


async def save(url_or_handler: Any, artifacts: ModelArtifacts) -> SaveResult:
    """Save artifacts to a URL (``localstorage://m``, ``indexeddb://m``, ``http://...``, ``file://dir``) or handler."""
    return await _maybe_await(resolve_save_handler(url_or_handler).save(artifacts))


async def load(url_or_handler: Any, **load_options: Any) -> ModelArtifacts:
    """Load artifacts from a URL or handler; ``load_options`` as TF.js's LoadOptions, in snake_case."""
    return await _maybe_await(resolve_load_handler(url_or_handler, **load_options).load())
