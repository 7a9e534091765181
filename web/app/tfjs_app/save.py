"""Save the loaded model's artifacts (as loaded: quantization, signature and metadata kept) to
localstorage://, indexeddb://, downloads:// or an http(s) URL with optional headers; the SaveResult shown."""

from __future__ import annotations

import js  # type: ignore[import-not-found]

import tfjs
from tfjs.io.model_json import iso_date

from .dom import AppError, el, facts, fmt_bytes, h, mark_done, message_of, spawn


def parse_headers(text: str) -> dict[str, str]:
    headers = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise AppError(f"Header line {number} ('{line.strip()}') is not 'Name: value'")
        headers[name.strip()] = value.strip()
    return headers


class Saver:
    def __init__(self, app):
        self.app = app
        self.target = el("save-target")
        self.button = el("save-button")
        self.error = el("save-error")
        self.result_box = el("save-result")
        self.last_result = None
        self.button.disabled = True
        app.events.on(self.target, "change", self._target_changed)
        app.events.on(el("save-form"), "submit", self._submit)
        self._target_changed(None)

    def _target_changed(self, event) -> None:
        http = str(self.target.value) == "http"
        el("save-http").hidden = not http
        el("save-name").hidden = http
        el("save-name-label").hidden = http

    def model_changed(self, model, default_name: str) -> None:
        self.button.disabled = False
        el("save-name").value = default_name
        self.error.textContent = ""
        self.result_box.replaceChildren()

    def _submit(self, event) -> None:
        event.preventDefault()
        spawn(self.save(), self._show_error)

    def _show_error(self, error: BaseException) -> None:
        self.button.disabled = self.app.artifacts is None
        self.error.textContent = message_of(error)
        self.result_box.replaceChildren()
        mark_done(el("panel-save"), "failed")

    def destination(self):
        """(what to pass to tfjs.io.save, the URL to show)."""
        target = str(self.target.value)
        if target == "http":
            url = str(el("save-url").value).strip()
            if not url:
                raise AppError("Give the URL to save to (e.g. the model store's …/api/models/<name>)")
            url = str(js.URL.new(url, js.location.href).href)
            if not url.startswith(("http://", "https://")):
                raise AppError(f"'{url}' is not an http(s) URL")
            init = {"method": str(el("save-method").value)}
            headers = parse_headers(str(el("save-headers").value))
            if headers:
                init["headers"] = headers
            return tfjs.io.http(url, request_init=init), url
        name = str(el("save-name").value).strip()
        if not name:
            raise AppError("Give the model a name")
        return target + name, target + name

    async def save(self) -> None:
        if self.app.artifacts is None:
            raise AppError("Load a model first.")
        self.error.textContent = ""
        self.result_box.replaceChildren()
        handler, url = self.destination()
        self.button.disabled = True
        self.result_box.textContent = f"Saving to {url}\u2026"
        try:
            result = await tfjs.io.save(handler, self.app.artifacts)
        finally:
            self.button.disabled = False
        self.last_result = result
        info = result.model_artifacts_info
        rows = [("Saved to", h("code", {"text": url})),
                ("Date", iso_date(info.date_saved)),
                ("Topology", fmt_bytes(info.model_topology_bytes)),
                ("Weight specs", fmt_bytes(info.weight_specs_bytes)),
                ("Weight data", fmt_bytes(info.weight_data_bytes))]
        if result.responses:
            statuses = ", ".join(f"{r.status} {r.status_text}".strip() for r in result.responses)
            rows.append(("Server answered", statuses))
        self.result_box.replaceChildren(facts(rows))
        self.result_box.dataset.url = url
        if url.startswith(("indexeddb://", "localstorage://")):
            await self.app.stored.refresh()
        mark_done(el("panel-save"), "saved")
