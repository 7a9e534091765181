"""DOM chores for the app: finding and building elements, event listeners (proxies kept and destroyed),
background tasks whose errors land on the page (never as uncaught console errors), and number formatting.

This is the app shell: it may use ``js`` and ``pyodide`` directly (the library keeps that to tfjs.platform).
"""

from __future__ import annotations

import asyncio
import html
from typing import Any, Callable

import js  # type: ignore[import-not-found]
from pyodide.ffi import JsException, create_proxy  # type: ignore[import-not-found]

document = js.document


class AppError(Exception):
    """A problem the app itself reports (not raised by the library): the message is shown as it is."""


def el(element_id: str):
    found = document.getElementById(element_id)
    if found is None:
        raise AppError(f"the page has no element #{element_id} (index.html and the app are out of step)")
    return found


def h(tag: str, attrs: dict | None = None, *children: Any):
    """A new element: ``attrs`` are attributes (``class``, ``text`` for textContent, True for a bare
    attribute, None/False to leave out); children are elements or strings."""
    node = document.createElement(tag)
    for name, value in (attrs or {}).items():
        if value is None or value is False:
            continue
        if name == "text":
            node.textContent = str(value)
        elif value is True:
            node.setAttribute(name, "")
        else:
            node.setAttribute(name, str(value))
    for child in children:
        if child is None:
            continue
        node.append(child if not isinstance(child, (str, int, float)) else str(child))
    return node


def table(headers: list[str], rows: list[list[Any]], numeric: set[int] = frozenset(), caption: str | None = None,
          cls: str = "table"):
    """A <table> (in a horizontally scrollable wrapper) with a header row and string cells."""
    head = h("tr", None, *[h("th", {"scope": "col", "class": "num" if i in numeric else None, "text": t})
                           for i, t in enumerate(headers)])
    body = h("tbody")
    for row in rows:
        body.append(h("tr", None, *[h("td", {"class": "num" if i in numeric else None},
                                      cell if not isinstance(cell, (str, int, float)) else str(cell))
                                    for i, cell in enumerate(row)]))
    out = h("table", {"class": cls}, h("caption", {"text": caption}) if caption else None, h("thead", None, head),
            body)
    return h("div", {"class": "table-wrap"}, out)


def facts(pairs: list[tuple[str, Any]]):
    """A definition list of label/value pairs."""
    dl = h("dl", {"class": "facts"})
    for label, value in pairs:
        dl.append(h("dt", {"text": label}))
        dl.append(h("dd", None, value if not isinstance(value, (str, int, float)) else str(value)))
    return dl


def set_html(node, markup: str) -> None:
    """Only for markup the app generates itself (SVG charts), with every text escaped by :func:`esc`."""
    node.innerHTML = markup


esc = html.escape


class Events:
    """Event listeners made with create_proxy, kept so that :meth:`close` removes and destroys them."""

    def __init__(self):
        self._listeners: list[tuple[Any, str, Any]] = []

    def on(self, target, event: str, handler: Callable[[Any], Any]) -> None:
        proxy = create_proxy(handler)
        target.addEventListener(event, proxy)
        self._listeners.append((target, event, proxy))

    def close(self) -> None:
        for target, event, proxy in self._listeners:
            target.removeEventListener(event, proxy)
            proxy.destroy()
        self._listeners.clear()


_tasks: set = set()


def message_of(error: BaseException) -> str:
    """What the user reads: the library's own message, with its error class."""
    if isinstance(error, AppError):
        return str(error)
    if isinstance(error, JsException):
        text = str(error)
        return text if text else repr(error)
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def spawn(coro, on_error: Callable[[BaseException], Any]) -> asyncio.Task:
    """Run a coroutine in the background; an exception goes to ``on_error`` (shown on the page)."""

    async def runner():
        try:
            await coro
        except Exception as e:  # noqa: BLE001 - every failure is shown to the user
            try:
                on_error(e)
            except Exception as shown:  # noqa: BLE001
                js.console.warn(f"tfjs_app: could not show an error: {shown!r} (for {e!r})")

    task = asyncio.ensure_future(runner())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return task


async def repaint() -> None:
    """Give the browser a chance to paint (before a long computation blocks the page's one thread)."""
    await asyncio.sleep(0.02)


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    n = int(n)
    if n < 1024:
        return f"{n} B"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        n /= 1024
        if n < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}"
    return f"{n} B"


def fmt_int(n: int) -> str:
    return f"{int(n):,}"


def fmt_ms(ms: float | None) -> str:
    if ms is None:
        return "-"
    return f"{ms:.1f} ms" if ms < 1000 else f"{ms / 1000:.2f} s"


def fmt_shape(shape) -> str:
    if shape is None:
        return "unknown"
    return "[" + ", ".join("?" if d is None or (isinstance(d, int) and d < 0) else str(d) for d in shape) + "]"


def fmt_num(x: float) -> str:
    x = float(x)
    if x != x:
        return "NaN"
    if x == 0:
        return "0"
    if abs(x) >= 1e5 or abs(x) < 1e-3:
        return f"{x:.4e}"
    return f"{x:.5g}"


def mark_done(node, state: str) -> None:
    """Record on an element that an operation ended (``data-state``, and ``data-count`` counts them): what
    tests and assistive scripts wait on, instead of guessing from texts."""
    count = node.getAttribute("data-count")
    node.setAttribute("data-state", state)
    node.setAttribute("data-count", str(int(count) + 1 if count else 1))
