"""IndexedDB as Python awaitables.

A :class:`Database` opens a new connection for every operation and closes it afterwards (as TF.js does, so
that ``indexedDB.deleteDatabase`` is never blocked by us). Each operation is one transaction; its requests
are all issued before the first ``await`` (a transaction ends once the task that made it has no request
pending). Event callbacks are ``create_proxy`` proxies, destroyed when the awaited event has come.

Records cross the boundary as Python data: ``dict`` <-> plain object, ``list`` <-> Array, ``None`` <->
``null``, ``datetime`` <-> ``Date``, buffers (``bytes``, ``bytearray``, ``memoryview``) and
:class:`JoinedBuffer` -> ``ArrayBuffer``; an ``ArrayBuffer`` read back is a ``memoryview`` (one copy).
"""

from __future__ import annotations

import asyncio
import datetime as _dt
from typing import Any, Callable

from ..errors import StorageError
from . import ffi, js, require_browser, to_array_buffer


class JoinedBuffer:
    """Buffers to store as ONE ArrayBuffer, filled part by part (no joined copy is made in Python)."""

    def __init__(self, parts: list):
        self.parts = [memoryview(p).cast("B") if memoryview(p).format != "B" else memoryview(p) for p in parts]

    def to_js(self) -> Any:
        out = js.Uint8Array.new(sum(p.nbytes for p in self.parts))
        offset = 0
        for part in self.parts:
            if part.nbytes:
                js.Uint8Array.new(out.buffer, offset, part.nbytes).assign(part)
                offset += part.nbytes
        return out.buffer


class IndexedDBError(StorageError):
    """An IndexedDB request or transaction failed. ``name`` and ``detail`` are the DOMException's name (e.g.
    ``QuotaExceededError``) and message."""

    def __init__(self, what: str, name: str = "Error", detail: str = ""):
        self.name, self.detail = name, detail
        self.reason = name + (f": {detail}" if detail else "")
        super().__init__(f"{what} failed: {self.reason}")


def _dom_error(error: Any, what: str) -> IndexedDBError:
    if error is None:
        return IndexedDBError(what, "AbortError", "the transaction was aborted")
    return IndexedDBError(what, str(getattr(error, "name", "Error")), str(getattr(error, "message", "") or ""))


async def _settle(target: Any, success: str, failures: tuple[str, ...], what: str,
                  result: Callable[[], Any] = lambda: None, extra: dict[str, Callable] | None = None) -> Any:
    """Wait for ``target`` (an IDBRequest or IDBTransaction) to fire ``success`` or one of ``failures``."""
    future = asyncio.get_running_loop().create_future()

    def on_success(_event):
        if not future.done():
            future.set_result(result())

    def on_failure(event):
        if not future.done():
            source = getattr(event, "target", None)
            error = getattr(source, "error", None) if source is not None else None
            future.set_exception(_dom_error(error if error is not None else target.error, what))

    handlers = {success: on_success, **{name: on_failure for name in failures}, **(extra or {})}
    proxies = {name: ffi.create_proxy(handler) for name, handler in handlers.items()}
    for name, proxy in proxies.items():
        setattr(target, "on" + name, proxy)
    try:
        return await future
    finally:
        for name, proxy in proxies.items():
            setattr(target, "on" + name, None)
            proxy.destroy()


def _to_js_record(value: Any) -> Any:
    def prepare(v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): prepare(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [prepare(x) for x in v]
        if isinstance(v, _dt.datetime):
            return js.Date.new(v.timestamp() * 1000)
        if isinstance(v, (bytes, bytearray, memoryview)):
            return to_array_buffer(v)
        if isinstance(v, JoinedBuffer):
            return v.to_js()
        return v

    converted = ffi.to_js(prepare(value), dict_converter=js.Object.fromEntries, create_pyproxies=False)
    return _nulls_js()(converted)


_NULLS_JS = None


def _nulls_js() -> Any:
    """A JS function turning the ``undefined`` that ``to_js`` makes of ``None`` back into JSON's ``null``."""
    global _NULLS_JS
    if _NULLS_JS is None:
        _NULLS_JS = js.Function.new("value", """
            const walk = (x) => {
                if (x === null || typeof x !== "object" || x instanceof ArrayBuffer || ArrayBuffer.isView(x)
                    || x instanceof Date) return x;
                for (const k of Object.keys(x)) x[k] = x[k] === undefined ? null : walk(x[k]);
                return x;
            };
            return walk(value === undefined ? null : value);""")
    return _NULLS_JS


def _js_default(value: Any, _convert: Any, _cache: Any) -> Any:
    if str(js.Object.prototype.toString.call(value)) == "[object Date]":
        return _dt.datetime.fromtimestamp(float(value.getTime()) / 1000, tz=_dt.timezone.utc)
    return value


def _from_js_record(value: Any) -> Any:
    if isinstance(value, ffi.JsProxy):
        return value.to_py(default_converter=_js_default)
    return value


def _factory(feature: str) -> Any:
    require_browser(feature)
    factory = getattr(js, "indexedDB", None)
    if factory is None:
        raise StorageError("The current browser does not appear to support IndexedDB.")
    return factory


class Database:
    """One IndexedDB database: its name, version and object stores (``{store: keyPath}``)."""

    def __init__(self, name: str, version: int, stores: dict[str, str], feature: str = "IndexedDB"):
        self.name, self.version, self.stores, self.feature = name, version, dict(stores), feature

    async def _open(self) -> Any:
        request = _factory(self.feature).open(self.name, self.version)

        def upgrade(_event):
            db = request.result
            for store, key_path in self.stores.items():
                if not db.objectStoreNames.contains(store):
                    db.createObjectStore(store, ffi.to_js({"keyPath": key_path},
                                                          dict_converter=js.Object.fromEntries))

        return await _settle(request, "success", ("error",), f"Opening IndexedDB database '{self.name}'",
                             result=lambda: request.result, extra={"upgradeneeded": upgrade})

    async def _transact(self, stores: list[str], mode: str, issue: Callable[[Any], Any], what: str) -> Any:
        """Run ``issue(tx)`` (which makes the requests, synchronously) in one transaction; await its end."""
        db = await self._open()
        try:
            tx = db.transaction(ffi.to_js(stores), mode)
            try:
                pending = issue(tx)
            except ffi.JsException as e:
                tx.abort()
                raise IndexedDBError(what, str(getattr(e, "name", "Error")), str(e)) from None
            await _settle(tx, "complete", ("error", "abort"), what)
            return pending
        finally:
            db.close()

    async def put(self, records: list[tuple[str, dict]]) -> None:
        """Put every ``(store, record)`` in ONE readwrite transaction: all are stored or none."""
        require_browser(self.feature)
        stores = sorted({store for store, _ in records})
        converted = [(store, _to_js_record(record)) for store, record in records]

        def issue(tx):
            for store, record in converted:
                tx.objectStore(store).put(record)

        await self._transact(stores, "readwrite", issue, f"Writing to IndexedDB stores {stores}")

    async def get(self, store: str, key: Any) -> Any:
        """The record under ``key`` in ``store`` as Python data, or None."""
        request = await self._transact([store], "readonly", lambda tx: tx.objectStore(store).get(key),
                                       f"Reading '{key}' from IndexedDB store '{store}'")
        return _from_js_record(request.result)

    async def get_all(self, store: str) -> list:
        request = await self._transact([store], "readonly", lambda tx: tx.objectStore(store).getAll(),
                                       f"Listing IndexedDB store '{store}'")
        return _from_js_record(request.result) or []

    async def delete(self, keys: list[tuple[str, Any]]) -> None:
        """Delete every ``(store, key)`` in ONE readwrite transaction."""
        stores = sorted({store for store, _ in keys})

        def issue(tx):
            for store, key in keys:
                tx.objectStore(store).delete(key)

        await self._transact(stores, "readwrite", issue, f"Deleting from IndexedDB stores {stores}")


async def delete_database(name: str, feature: str = "IndexedDB") -> None:
    """Delete a whole database (waits while other connections block it)."""
    request = _factory(feature).deleteDatabase(name)
    await _settle(request, "success", ("error",), f"Deleting IndexedDB database '{name}'")
