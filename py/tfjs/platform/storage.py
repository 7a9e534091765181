"""The browser's ``localStorage``.

Values may cross the boundary as Python ``str`` or, for big ones, as UTF-8 ``bytes``: those are turned into
a JS string (and back) by the browser's TextDecoder/TextEncoder inside one JS call, many times faster than
converting a multi-megabyte Python string. A :func:`snapshot` keeps values on the JS side only, to be put
back by :func:`restore`.

Every function raises :class:`~tfjs.errors.BrowserOnlyError` naming ``feature`` outside a browser, and
:class:`StorageUnavailable` when the page has no usable localStorage (disabled, sandboxed, a worker).
"""

from __future__ import annotations

from typing import Any

from ..errors import StorageError
from . import ffi, js, require_browser, to_uint8array


class StorageUnavailable(StorageError):
    """The page has no localStorage."""


class StorageWriteFailed(Exception):
    """``localStorage.setItem`` refused a value (``QuotaExceededError``, usually)."""

    def __init__(self, key: str, name: str, message: str):
        super().__init__(f"{message} (writing key '{key}')")
        self.key, self.name = key, name


_helpers: dict[str, Any] = {}


def _helper(name: str) -> Any:
    """Small JS functions that do in one call what would otherwise copy big strings across the boundary."""
    if not _helpers:
        new = js.Function.new
        _helpers.update(
            set_utf8=new("key", "bytes", "localStorage.setItem(key, new TextDecoder().decode(bytes));"),
            get_utf8=new("key", "const v = localStorage.getItem(key);"
                                "return v === null ? null : new TextEncoder().encode(v);"),
            snapshot=new("keys", "return keys.map((k) => localStorage.getItem(k));"),
            restore=new("keys", "values", "keys.forEach((k) => localStorage.removeItem(k));"
                                          "keys.forEach((k, i) => { if (values[i] !== null) "
                                          "localStorage.setItem(k, values[i]); });"),
        )
    return _helpers[name]


def _storage(feature: str):
    require_browser(feature)
    storage = getattr(js, "localStorage", None)
    if storage is None:
        raise StorageUnavailable("The current environment does not support local storage.")
    return storage


def get_item(key: str, feature: str = "localStorage") -> str | None:
    value = _storage(feature).getItem(key)
    return None if value is None else str(value)


def get_bytes(key: str, feature: str = "localStorage") -> bytes | None:
    """The value under ``key`` as UTF-8 bytes (fast for big values), or None."""
    _storage(feature)
    value = _helper("get_utf8")(key)
    return None if value is None else value.to_bytes()


def set_item(key: str, value: str | bytes, feature: str = "localStorage") -> None:
    """Store ``value``: a ``str``, or UTF-8 ``bytes`` (decoded to a JS string in JS: fast for big values)."""
    storage = _storage(feature)
    try:
        if isinstance(value, str):
            storage.setItem(key, value)
        else:
            _helper("set_utf8")(key, to_uint8array(value))
    except ffi.JsException as e:
        raise StorageWriteFailed(key, str(getattr(e, "name", "Error")), str(e)) from None


def remove_item(key: str, feature: str = "localStorage") -> None:
    _storage(feature).removeItem(key)


def keys(feature: str = "localStorage") -> list[str]:
    """Every key in localStorage (in the browser's order)."""
    storage = _storage(feature)
    return [str(storage.key(i)) for i in range(int(storage.length))]


class Snapshot:
    """The values of some keys (or their absence), held on the JS side."""

    def __init__(self, keys: list[str], values: Any):
        self.keys, self.values = keys, values


def snapshot(keys: list[str], feature: str = "localStorage") -> Snapshot:
    _storage(feature)
    return Snapshot(list(keys), _helper("snapshot")(ffi.to_js(list(keys))))


def restore(saved: Snapshot, feature: str = "localStorage") -> None:
    """Put the keys back as they were: first remove them all (freeing their room), then set the old values."""
    _storage(feature)
    try:
        _helper("restore")(ffi.to_js(saved.keys), saved.values)
    except ffi.JsException as e:
        raise StorageWriteFailed(", ".join(saved.keys), str(getattr(e, "name", "Error")), str(e)) from None
