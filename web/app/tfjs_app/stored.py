"""Stored models: every model in localStorage and IndexedDB (tfjs.io.list_models), with load, copy, move,
rename and remove; the storage use and quota (navigator.storage.estimate) and a persistent-storage request."""

from __future__ import annotations

import js  # type: ignore[import-not-found]

import tfjs
from tfjs.io.model_json import iso_date

from .dom import AppError, el, fmt_bytes, h, mark_done, message_of, spawn

ACTIONS = {"copy": "Copy", "move": "Move", "rename": "Rename", "remove": "Remove"}


class StoredModels:
    def __init__(self, app):
        self.app = app
        self.body = el("stored-body")
        self.form = el("stored-action")
        self.error = el("stored-error")
        self.status = el("stored-status")
        self.models: dict = {}
        self.pending: tuple[str, str] | None = None  # (action, url)
        ev = app.events
        ev.on(self.body, "click", self._clicked)  # one delegated listener for every row's buttons
        ev.on(el("stored-refresh"), "click", lambda e: spawn(self.refresh(), self._show_error))
        ev.on(el("persist-button"), "click", lambda e: spawn(self.persist(), self._show_error))
        ev.on(self.form, "submit", self._confirm)
        ev.on(el("stored-cancel"), "click", lambda e: self._close_form())

    def _show_error(self, error: BaseException) -> None:
        self.error.textContent = message_of(error)
        mark_done(el("panel-stored"), "failed")

    # ------------------------------------------------------------------ list
    async def refresh(self) -> None:
        self.models = await tfjs.io.list_models()
        self.body.replaceChildren()
        if not self.models:
            self.body.append(h("tr", None, h("td", {"colspan": "5", "class": "empty",
                                                    "text": "No models stored in this browser yet."})))
        for url in sorted(self.models):
            info = self.models[url]
            buttons = h("div", {"class": "row"},
                        h("button", {"type": "button", "data-action": "load", "data-url": url,
                                     "aria-label": f"Load {url}", "text": "Load"}),
                        *[h("button", {"type": "button", "data-action": action, "data-url": url,
                                       "aria-label": f"{label} {url}", "text": label})
                          for action, label in ACTIONS.items()])
            self.body.append(h("tr", {"data-url": url},
                               h("td", None, h("code", {"text": url})),
                               h("td", {"text": iso_date(info.date_saved).replace("T", " ")[:19]}),
                               h("td", {"class": "num", "text": fmt_bytes(info.model_topology_bytes)}),
                               h("td", {"class": "num", "text": fmt_bytes(info.weight_data_bytes)}),
                               h("td", None, buttons)))
        await self.estimate()
        mark_done(el("panel-stored"), "listed")

    async def estimate(self) -> None:
        storage = getattr(js.navigator, "storage", None)
        if storage is None or not hasattr(storage, "estimate"):
            el("storage-estimate").textContent = "This browser does not report storage use."
            return
        estimate = await storage.estimate()
        persisted = bool(await storage.persisted()) if hasattr(storage, "persisted") else False
        usage, quota = int(estimate.usage or 0), int(estimate.quota or 0)
        share = f" ({usage / quota:.2%})" if quota else ""
        el("storage-estimate").textContent = (f"Using {fmt_bytes(usage)} of {fmt_bytes(quota)}{share}; storage is "
                                              f"{'persistent' if persisted else 'best-effort (may be evicted)'}.")

    async def persist(self) -> None:
        storage = getattr(js.navigator, "storage", None)
        if storage is None or not hasattr(storage, "persist"):
            raise AppError("This browser cannot make storage persistent.")
        granted = bool(await storage.persist())
        self.status.textContent = ("Persistent storage granted." if granted else
                                   "The browser did not grant persistent storage (it decides, e.g. by how "
                                   "much the site is used).")
        await self.estimate()

    # ------------------------------------------------------------------ actions
    def _clicked(self, event) -> None:
        button = event.target.closest("button[data-action]") if event.target else None
        if button is None:
            return
        action, url = str(button.dataset.action), str(button.dataset.url)
        self.error.textContent = ""
        if action == "load":
            spawn(self.load(url), self._show_error)
        else:
            self.open_form(action, url)

    def open_form(self, action: str, url: str) -> None:
        self.pending = (action, url)
        scheme, _, name = url.partition("://")
        titles = {"copy": f"Copy {url} to:", "move": f"Move {url} to (another name or medium):",
                  "rename": f"Rename {url} to:", "remove": f"Remove {url}? This cannot be undone."}
        el("stored-action-title").textContent = titles[action]
        dest = el("stored-dest")
        el("stored-dest-row").hidden = action == "remove"
        other = "indexeddb" if scheme == "localstorage" else "localstorage"
        dest.value = {"copy": f"{scheme}://{name}-copy", "move": f"{other}://{name}", "rename": name}.get(action, "")
        el("stored-dest-row").querySelector("label").textContent = "New name" if action == "rename" else "Destination"
        el("stored-confirm").textContent = ACTIONS[action]
        self.form.hidden = False
        (el("stored-confirm") if action == "remove" else dest).focus()

    def _close_form(self) -> None:
        self.form.hidden = True
        self.pending = None

    def _confirm(self, event) -> None:
        event.preventDefault()
        if self.pending is None:
            return
        action, url = self.pending
        spawn(self.apply(action, url, str(el("stored-dest").value).strip()), self._show_error)

    async def apply(self, action: str, url: str, dest: str) -> None:
        scheme, _, _name = url.partition("://")
        if action == "rename":
            if not dest or "://" in dest:
                raise AppError("Give a new name (without a scheme): a rename stays in the same storage.")
            dest = f"{scheme}://{dest}"
        if action in ("copy", "move", "rename") and "://" not in dest:
            raise AppError("Give the destination as a URL: indexeddb://name or localstorage://name")
        if action == "copy":
            await tfjs.io.copy_model(url, dest)
            done = f"Copied {url} to {dest}."
        elif action in ("move", "rename"):
            await tfjs.io.move_model(url, dest)
            done = f"{'Moved' if action == 'move' else 'Renamed'} {url} to {dest}."
        else:
            await tfjs.io.remove_model(url)
            done = f"Removed {url}."
        self._close_form()
        await self.refresh()
        self.status.textContent = done

    async def load(self, url: str) -> None:
        self.status.textContent = f"Loading {url}\u2026"
        ok = await self.app.loader.load_url(url)
        self.status.textContent = f"Loaded {url}." if ok else f"Loading {url} failed (see the loader above)."
        if ok:
            self.app.tabs.select("card")
