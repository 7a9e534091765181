"""Loading: the drop zone and file picker (model.json + shards in any order, or a Keras file), and URLs
(http(s)://, indexeddb://, localstorage://), with a progress bar in bytes and shards. A failure is shown
next to the file or the URL at fault, with the message the library raised."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import js  # type: ignore[import-not-found]

import tfjs
from tfjs.platform.fetch import FetchResponse
from tfjs.platform.fetch import fetch as platform_fetch

from . import convert
from .dom import AppError, el, fmt_bytes, h, mark_done, message_of, repaint, spawn

KERAS_SUFFIXES = (".h5", ".hdf5", ".keras")
STORAGE_SCHEMES = ("indexeddb://", "localstorage://")


def basename(path: str) -> str:
    path = path.strip().rstrip("/")
    path = path.split("?", 1)[0]
    return path[path.rfind("/") + 1:]


def manifest_paths(pairs: list[tuple[str, bytes]]) -> list[str]:
    """The shard basenames the model.json among the files lists, in manifest order (empty if none found)."""
    for name, data in pairs:
        if not name.lower().endswith(".json"):
            continue
        try:
            doc = json.loads(bytes(data).decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(doc, dict) and isinstance(doc.get("weightsManifest"), list):
            return [basename(p) for g in doc["weightsManifest"] if isinstance(g, dict)
                    for p in g.get("paths", [])]
    return []


def shards_of_files(pairs: list[tuple[str, bytes]]) -> list[dict]:
    sizes = {basename(n): len(d) for n, d in pairs}
    return [{"name": p, "bytes": sizes.get(p, 0)} for p in manifest_paths(pairs)]


def shards_of_storage(artifacts) -> list[dict]:
    from tfjs.io.weights import as_shards

    parts = as_shards(artifacts.weight_data)
    if len(parts) == 1:
        return [{"name": "weight data (stored as one buffer)", "bytes": parts[0].nbytes}]
    return [{"name": f"buffer {i + 1}", "bytes": p.nbytes} for i, p in enumerate(parts)]


async def model_from_artifacts(artifacts) -> Any:
    """A LayersModel or GraphModel from artifacts (whichever they hold), through the library's loader."""
    if artifacts.weight_specs and artifacts.weight_data is None:
        raise AppError(f"The model JSON lists {len(artifacts.weight_specs)} weights, but no weight files came "
                       f"with it: give model.json together with its weight shards (.bin).")
    return await tfjs.load_model(tfjs.io.from_memory(artifacts))


class FetchRecorder:
    """A fetch function for tfjs.io.http that counts each response's bytes (progress and shard sizes)."""

    def __init__(self, on_update):
        self.entries: dict[str, dict] = {}
        self.on_update = on_update

    async def fetch(self, url: str, init: dict) -> FetchResponse:
        response = await platform_fetch(url, init)
        entry = self.entries.setdefault(url, {"received": 0, "total": response.content_length, "done": False})

        async def reader(on_chunk, limit=None):
            def chunk(n: int) -> None:
                entry["received"] += n
                self.on_update(self)
                if on_chunk is not None:
                    on_chunk(n)

            data = await response.bytes(chunk, limit)
            entry["received"], entry["done"] = len(data), True
            self.on_update(self)
            return data

        return FetchResponse(response.url, response.status, response.status_text, response.headers, reader,
                             response.abort)


class Loader:
    def __init__(self, app):
        self.app = app
        self.busy = False
        self.zone = el("dropzone")
        self.picker = el("file-picker")
        self.progress = el("load-progress")
        self.status = el("load-status")
        self.file_list = el("file-list")
        self.url_input = el("url-input")
        self.url_error = el("url-error")
        ev = app.events
        ev.on(self.zone, "dragenter", self._drag_over)
        ev.on(self.zone, "dragover", self._drag_over)
        ev.on(self.zone, "dragleave", self._drag_leave)
        ev.on(self.zone, "drop", self._drop)
        ev.on(self.picker, "change", self._picked)
        ev.on(el("url-form"), "submit", self._url_submit)

    # ------------------------------------------------------------------ events
    def _drag_over(self, event) -> None:
        event.preventDefault()
        if event.dataTransfer:
            event.dataTransfer.dropEffect = "copy"
        self.zone.classList.add("over")

    def _drag_leave(self, event) -> None:
        self.zone.classList.remove("over")

    def _drop(self, event) -> None:
        event.preventDefault()
        self.zone.classList.remove("over")
        # The DataTransfer empties once the event is over: take the File objects now.
        files = list(getattr(js.Array, "from")(event.dataTransfer.files)) if event.dataTransfer else []
        spawn(self.load_files(files), self._unexpected)

    def _picked(self, event) -> None:
        files = list(getattr(js.Array, "from")(self.picker.files))
        self.picker.value = ""  # picking the same files again fires change again
        spawn(self.load_files(files), self._unexpected)

    def _url_submit(self, event) -> None:
        event.preventDefault()
        spawn(self.load_url(self.url_input.value), self._unexpected)

    def _unexpected(self, error: BaseException) -> None:
        self.busy = False
        self._set_status(f"Loading failed: {message_of(error)}", 0)
        mark_done(el("load"), "failed")

    # ------------------------------------------------------------------ progress and errors
    def _set_status(self, text: str, fraction: float | None) -> None:
        self.status.textContent = text
        if fraction is None:
            self.progress.removeAttribute("value")  # indeterminate
        else:
            self.progress.value = max(0.0, min(1.0, fraction))

    def _render_files(self, files: list) -> list:
        rows = []
        self.file_list.replaceChildren()
        for f in files:
            row = h("li", {"data-name": str(f.name)}, h("span", {"class": "name", "text": str(f.name)}),
                    h("span", {"class": "size", "text": fmt_bytes(int(f.size))}),
                    h("span", {"class": "state detail", "text": "waiting"}))
            self.file_list.append(row)
            rows.append(row)
        return rows

    @staticmethod
    def _row_state(row, text: str) -> None:
        row.querySelector(".state").textContent = text

    def _attach_error(self, message: str, names: list[str], rows: list) -> None:
        """Show ``message`` under the file it is about: the given file named earliest in the message (a
        missing shard is the model JSON's fault); the model JSON otherwise."""
        at = None
        json_index = next((i for i, n in enumerate(names) if n.lower().endswith(".json")), 0)
        if "is not provided" in message or "no weight files came" in message:
            at = json_index
        else:
            found = [(message.find(n), i) for i, n in enumerate(names) if n and message.find(n) >= 0]
            at = min(found)[1] if found else json_index
        if not rows:
            return
        row = rows[at]
        row.classList.add("bad")
        self._row_state(row, "error")
        row.append(h("p", {"class": "field-error", "role": "alert", "text": message}))

    def _kept(self) -> str:
        return " The model loaded before stays loaded." if self.app.model is not None else ""

    def _clear(self) -> None:
        self.url_error.textContent = ""
        self.url_input.removeAttribute("aria-invalid")
        self.file_list.replaceChildren()

    # ------------------------------------------------------------------ files
    async def _read(self, files: list, rows: list) -> list[tuple[str, bytes]]:
        total = sum(int(f.size) for f in files) or 1
        shard_total = sum(1 for f in files if not str(f.name).lower().endswith(".json"))
        done_bytes, done_shards, pairs = 0, 0, []
        for f, row in zip(files, rows):
            reader = f.stream().getReader()
            parts = []
            while True:
                chunk = await reader.read()
                if chunk.done:
                    break
                data = chunk.value.to_bytes()
                parts.append(data)
                done_bytes += len(data)
                self._set_status(f"Reading {fmt_bytes(done_bytes)} of {fmt_bytes(total)}; shards "
                                 f"{done_shards} of {shard_total}", done_bytes / total)
            reader.releaseLock()
            name = str(f.name)
            if not name.lower().endswith(".json"):
                done_shards += 1
            pairs.append((name, b"".join(parts)))
            self._row_state(row, "read")
        self._set_status(f"Read {fmt_bytes(done_bytes)}; shards {done_shards} of {shard_total}", 1.0)
        return pairs

    async def load_files(self, files: list) -> None:
        if self.busy:
            self._set_status("Still loading the previous model; try again when it is done.", None)
            return
        if not files:
            return
        self.busy = True
        self._clear()
        rows = self._render_files(files)
        names = [str(f.name) for f in files]
        started = time.perf_counter()
        try:
            self._set_status(f"Reading {len(files)} file{'s' if len(files) != 1 else ''}", 0)
            keras = [n for n in names if n.lower().endswith(KERAS_SUFFIXES)]
            if keras:
                if len(files) != 1:
                    raise AppError(f"A Keras file ({keras[0]}) is converted on its own: drop it without other files.")
                pairs = await self._read(files, rows)
                self._set_status(f"Converting {names[0]} in the page", None)
                await repaint()
                pairs = await convert.convert_keras(names[0], pairs[0][1], lambda t: self._set_status(t, None))
                source = f"{names[0]} (converted in the page)"
            else:
                pairs = await self._read(files, rows)
                listed = manifest_paths(pairs)
                if listed and len(pairs) == 1:  # TF.js would load the topology alone, with random weights
                    raise AppError(f"{names[0]}: no weight files came with it, but its manifest lists "
                                   f"{len(listed)}: {', '.join(listed)}. Drop them together with it.")
                shards = len(files) - 1
                source = f"files: {', '.join(n for n in names if n.lower().endswith('.json')) or names[0]}" + \
                         (f" + {shards} shard{'s' if shards != 1 else ''}" if shards else "")
            self._set_status("Decoding the weights and building the model", None)
            await repaint()
            artifacts = await tfjs.io.load(tfjs.io.browser_files(pairs))
            model = await model_from_artifacts(artifacts)
        except Exception as e:  # noqa: BLE001 - shown next to the file at fault
            message = message_of(e)
            self._attach_error(message, names, rows)
            self._set_status(f"Loading failed: see the file marked below.{self._kept()}", 0)
            self.busy = False
            mark_done(el("load"), "failed")
            return
        load_ms = (time.perf_counter() - started) * 1000
        for row in rows:
            self._row_state(row, "loaded")
        self.busy = False
        await self.app.set_model(model, artifacts, source, shards_of_files(pairs), load_ms)
        self._set_status(f"Loaded {source} in {load_ms:.0f} ms", 1.0)
        mark_done(el("load"), "loaded")

    # ------------------------------------------------------------------ URLs
    def _url_progress(self, recorder: FetchRecorder) -> None:
        entries = list(recorder.entries.values())
        got = sum(e["received"] for e in entries)
        shards = entries[1:]
        totals = [e["total"] for e in shards]
        total = sum(totals) if shards and all(t is not None for t in totals) else None
        done = sum(1 for e in shards if e["done"])
        text = f"Downloading: {fmt_bytes(got)}" + (f" of {fmt_bytes(total + entries[0]['received'])}" if total else "")
        text += f"; shards {done} of {len(shards)}" if shards else "; model JSON"
        self._set_status(text, (got / (total + entries[0]["received"])) if total else None)

    async def load_url(self, url: str, quiet: bool = False) -> bool:
        url = (url or "").strip()
        if self.busy:
            self._set_status("Still loading the previous model; try again when it is done.", None)
            return False
        self.busy = True
        self._clear()
        self.url_input.value = url
        started = time.perf_counter()
        try:
            if not url:
                raise AppError("Give a URL: https://…/model.json, indexeddb://name or localstorage://name")
            if re.match(r"^https?://", url) or "://" not in url:
                url = str(js.URL.new(url, js.location.href).href)  # relative paths: the page's own origin
                recorder = FetchRecorder(self._url_progress)
                self._set_status(f"Fetching {url}", None)
                artifacts = await tfjs.io.load(tfjs.io.http(url, fetch_func=recorder.fetch))
                shards = [{"name": basename(u), "bytes": e["received"]}
                          for u, e in list(recorder.entries.items())[1:]]
            elif url.startswith(STORAGE_SCHEMES):
                self._set_status(f"Reading {url}", None)
                artifacts = await tfjs.io.load(url)
                shards = shards_of_storage(artifacts)
            else:
                raise AppError(f"Unsupported URL '{url}': use http(s)://…/model.json, indexeddb://name or "
                               f"localstorage://name.")
            self._set_status("Decoding the weights and building the model", None)
            await repaint()
            model = await model_from_artifacts(artifacts)
        except Exception as e:  # noqa: BLE001 - shown next to the URL
            message = message_of(e)
            self.url_error.textContent = message
            self.url_input.setAttribute("aria-invalid", "true")
            self._set_status(f"Loading failed: see the message under the URL.{self._kept()}", 0)
            self.busy = False
            mark_done(el("load"), "failed")
            return False
        load_ms = (time.perf_counter() - started) * 1000
        self.busy = False
        await self.app.set_model(model, artifacts, url, shards, load_ms)
        self._set_status(f"Loaded {url} in {load_ms:.0f} ms", 1.0)
        mark_done(el("load"), "loaded")
        return True
