"""The app: wires the panels to the page and holds the loaded model (shared by every panel)."""

from __future__ import annotations

import js  # type: ignore[import-not-found]

from .bench import Benchmark
from .card import ModelCard
from .describe import describe
from .dom import Events, el, message_of, spawn
from .loading import Loader
from .run import Runner
from .save import Saver
from .stored import StoredModels

TABS = ["card", "run", "save", "stored", "bench"]


class Tabs:
    """ARIA tabs: click or arrow keys (Left/Right/Home/End) move between them; one tab stop."""

    def __init__(self, events: Events):
        self.current = "card"
        events.on(js.document.querySelector('[role="tablist"]'), "click", self._clicked)
        events.on(js.document.querySelector('[role="tablist"]'), "keydown", self._key)

    def _clicked(self, event) -> None:
        tab = event.target.closest('[role="tab"]') if event.target else None
        if tab is not None:
            self.select(str(tab.id)[len("tab-"):])

    def _key(self, event) -> None:
        keys = {"ArrowRight": 1, "ArrowLeft": -1, "Home": "first", "End": "last"}
        key = str(event.key)
        if key not in keys:
            return
        event.preventDefault()
        i = TABS.index(self.current)
        step = keys[key]
        target = 0 if step == "first" else len(TABS) - 1 if step == "last" else (i + step) % len(TABS)
        self.select(TABS[target], focus=True)

    def select(self, name: str, focus: bool = False) -> None:
        self.current = name
        for t in TABS:
            tab, panel = el(f"tab-{t}"), el(f"panel-{t}")
            selected = t == name
            tab.setAttribute("aria-selected", "true" if selected else "false")
            tab.tabIndex = 0 if selected else -1
            panel.hidden = not selected
        if focus:
            el(f"tab-{name}").focus()


class App:
    def __init__(self):
        self.events = Events()
        self.model = None
        self.artifacts = None
        self.info: dict | None = None
        self.load_ms: float | None = None
        self.tabs = Tabs(self.events)
        self.card = ModelCard(self)
        self.loader = Loader(self)
        self.runner = Runner(self)
        self.saver = Saver(self)
        self.stored = StoredModels(self)
        self.bench = Benchmark(self)
        # A file dropped outside the drop zones must not navigate away from the page.
        self.events.on(js.document, "dragover", lambda e: e.preventDefault())
        self.events.on(js.document, "drop", lambda e: e.preventDefault())

    async def start(self) -> None:
        el("app-controls").disabled = False
        el("app").dataset.state = "ready"
        spawn(self.stored.refresh(), self.stored._show_error)

    async def set_model(self, model, artifacts, source: str, shards: list[dict], load_ms: float) -> None:
        """Make ``model`` the current one: every panel follows."""
        old = self.model
        self.model, self.artifacts, self.load_ms = model, artifacts, load_ms
        if old is not None and old is not model:
            try:
                old.dispose()
            except Exception as e:  # noqa: BLE001 - a failed dispose must not block the new model
                js.console.warn(f"tfjs_app: disposing the previous model: {message_of(e)}")
        self.info = describe(model, artifacts, shards, source)
        self.info["load_ms"] = load_ms
        self.card.show(self.info)
        self.runner.model_changed(model)
        name = source.rstrip("/").split("://")[-1].split("/")[-1]
        name = name.split(" ")[0].removesuffix(".json").removesuffix(".h5").removesuffix(".keras") or "model"
        if name in ("model", "files:"):
            name = "my-model"
        self.saver.model_changed(model, name)
        self.bench.model_changed(model)
        el("app").dataset.model = self.info["kind"]

    def close(self) -> None:
        self.events.close()
