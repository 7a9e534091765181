"""Benchmark: warm-up runs discarded, N timed runs; load time, first run, mean, median, min, p90, and a chart
of every run. Optionally the same artifacts in TF.js (webgl / wasm / cpu) side by side, in this page: TF.js
is loaded on demand from ./reference/ (never otherwise)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import numpy as np

import js  # type: ignore[import-not-found]
from pyodide.ffi import JsException  # type: ignore[import-not-found]

import tfjs
from tfjs import platform
from tfjs.io.weights import join_weight_data

from . import charts
from .describe import is_graph
from .dom import AppError, el, fmt_ms, h, mark_done, message_of, spawn, table
from .loading import model_from_artifacts

TFJS_SCRIPTS = {"core": "reference/tf.min.js", "wasm": "reference/tf-backend-wasm.min.js"}


def stats(first_ms: float, runs: list[float], load_ms: float | None) -> dict:
    a = np.asarray(runs, np.float64)
    return {"load_ms": load_ms, "first_ms": first_ms, "mean_ms": float(a.mean()), "median_ms": float(np.median(a)),
            "min_ms": float(a.min()), "p90_ms": float(np.percentile(a, 90)), "runs": [float(x) for x in runs]}


async def load_script(src: str) -> None:
    """Add a same-origin <script> and wait for it (its onload/onerror are the Promise's own functions)."""
    url = str(js.URL.new(src, js.location.href).href)
    if js.document.querySelector(f'script[data-src="{src}"]') is not None:
        return
    script = js.document.createElement("script")
    script.dataset.src = src
    done = js.Promise.withResolvers() if hasattr(js.Promise, "withResolvers") else None
    if done is None:
        raise AppError("This browser lacks Promise.withResolvers (needed to load TF.js on demand)")
    script.onload = done.resolve
    script.onerror = done.reject
    script.src = url
    js.document.head.append(script)
    try:
        await done.promise
    except JsException:
        raise AppError(f"{url} could not be loaded (is dist/reference/ built?)") from None


class TfjsSide:
    """The real TF.js in this page, fed the same artifacts and inputs."""

    def __init__(self):
        self.ready = False

    async def ensure(self, backends: list[str]) -> None:
        await load_script(TFJS_SCRIPTS["core"])
        if "wasm" in backends:
            await load_script(TFJS_SCRIPTS["wasm"])
            js.tf.wasm.setWasmPaths(str(js.URL.new("reference/", js.location.href).href))

    @staticmethod
    async def set_backend(name: str) -> None:
        ok = await js.tf.setBackend(name)
        await js.tf.ready()
        if not ok or str(js.tf.getBackend()) != name:
            raise AppError(f"TF.js could not start its {name} backend here")

    @staticmethod
    def artifacts_js(artifacts) -> Any:
        fields = {"modelTopology": artifacts.model_topology, "weightSpecs": artifacts.weight_specs,
                  "format": artifacts.format, "generatedBy": artifacts.generated_by,
                  "convertedBy": artifacts.converted_by, "signature": artifacts.signature,
                  "userDefinedMetadata": artifacts.user_defined_metadata,
                  "modelInitializer": artifacts.model_initializer,
                  "initializerSignature": artifacts.initializer_signature}
        obj = js.JSON.parse(json.dumps({k: v for k, v in fields.items() if v is not None}))
        if artifacts.weight_data is not None:
            obj.weightData = platform.to_array_buffer(join_weight_data(artifacts.weight_data))
        return obj

    @staticmethod
    def tensor(x: np.ndarray):
        dtype = "int32" if x.dtype.kind in "iu" else "bool" if x.dtype == np.bool_ else "float32"
        flat = np.ascontiguousarray(x, dtype={"int32": np.int32, "bool": np.uint8}.get(dtype, np.float32))
        typed = {"int32": js.Int32Array, "bool": js.Uint8Array}.get(dtype, js.Float32Array)
        return js.tf.tensor(typed.new(platform.to_array_buffer(flat)), platform.to_js(list(x.shape)), dtype)

    async def run_once(self, model, graph: bool, inputs: list[np.ndarray]) -> float:
        xs = [self.tensor(x) for x in inputs]
        feed = xs[0] if len(xs) == 1 else platform.to_js(xs)
        started = time.perf_counter()
        ys = await model.executeAsync(feed) if graph else model.predict(feed)
        outs = list(ys) if js.Array.isArray(ys) else [ys]
        for y in outs:
            await y.data()  # the run is over once its outputs are read back
        ms = (time.perf_counter() - started) * 1000
        for t in outs + xs:
            t.dispose()
        return ms


class Benchmark:
    def __init__(self, app):
        self.app = app
        self.button = el("bench-button")
        self.status = el("bench-status")
        self.error = el("bench-error")
        self.output = el("bench-output")
        self.button.disabled = True
        self.results: dict[str, dict] = {}
        self.tfjs = TfjsSide()
        app.events.on(self.button, "click", lambda e: spawn(self.run(), self._show_error))

    def model_changed(self, model) -> None:
        self.button.disabled = False
        self.results = {}
        self.output.replaceChildren()
        self.status.textContent = ""
        self.error.textContent = ""

    def _show_error(self, error: BaseException) -> None:
        self.button.disabled = self.app.model is None
        self.error.textContent = message_of(error)
        self.status.textContent = ""
        mark_done(el("panel-bench"), "failed")

    def _counts(self) -> tuple[int, int]:
        try:
            warmup, runs = int(el("bench-warmup").value), int(el("bench-runs").value)
        except ValueError:
            raise AppError("Warm-up and timed runs must be whole numbers") from None
        if warmup < 0 or runs < 1 or warmup > 1000 or runs > 10000:
            raise AppError("Warm-up runs: 0 to 1000; timed runs: 1 to 10000")
        return warmup, runs

    async def _inputs(self) -> list[np.ndarray]:
        runner = self.app.runner
        kind = runner.input_kind()
        if kind == "image" and runner.image_file is None:
            kind = "tensor"  # no image picked: random tensors of the model's input shapes
        return await runner.build_inputs(kind)

    async def _time(self, label: str, once, warmup: int, runs: int) -> tuple[float, list[float]]:
        first = None
        for i in range(warmup):
            self.status.textContent = f"{label}: warm-up {i + 1} of {warmup}"
            await asyncio.sleep(0)
            ms = await once()
            first = ms if first is None else first
        times = []
        for i in range(runs):
            self.status.textContent = f"{label}: run {i + 1} of {runs}"
            await asyncio.sleep(0)
            ms = await once()
            first = ms if first is None else first
            times.append(ms)
        return first, times

    async def run(self) -> None:
        model, artifacts = self.app.model, self.app.artifacts
        if model is None:
            raise AppError("Load a model first.")
        warmup, runs = self._counts()
        self.error.textContent = ""
        self.button.disabled = True
        self.results = {}
        self.output.replaceChildren()
        inputs = await self._inputs()
        feed = inputs if len(inputs) > 1 else inputs[0]
        label = f"tfjs for Python ({tfjs.get_backend()})"
        # A fresh model from the same in-memory artifacts TF.js gets: its load time, and a first run that is
        # really the first (the app's own model may have run already).
        self.status.textContent = f"{label}: loading"
        await asyncio.sleep(0)
        started = time.perf_counter()
        fresh = await model_from_artifacts(artifacts)
        load_ms = (time.perf_counter() - started) * 1000

        async def ours() -> float:
            started = time.perf_counter()
            fresh.predict(feed)
            return (time.perf_counter() - started) * 1000

        try:
            first, times = await self._time(label, ours, warmup, runs)
        finally:
            fresh.dispose()
        self.results[label] = stats(first, times, load_ms)
        self.render()
        wanted = [str(b.value) for b in js.document.querySelectorAll('input[name="bench-tfjs"]:checked')]
        if wanted:
            self.status.textContent = "Loading TF.js from ./reference/"
            await self.tfjs.ensure(wanted)
            graph = is_graph(model)
            handler_source = TfjsSide.artifacts_js(artifacts)
            for backend in wanted:
                label = f"TF.js {js.tf.version.tfjs} ({backend})"
                try:
                    await self.tfjs.set_backend(backend)
                    started = time.perf_counter()
                    handler = js.tf.io.fromMemory(handler_source)
                    tf_model = await (js.tf.loadGraphModel(handler) if graph else js.tf.loadLayersModel(handler))
                    load_ms = (time.perf_counter() - started) * 1000
                    try:
                        first, times = await self._time(label, lambda: self.tfjs.run_once(tf_model, graph, inputs),
                                                        warmup, runs)
                    finally:
                        tf_model.dispose()
                    self.results[label] = stats(first, times, load_ms)
                except Exception as e:  # noqa: BLE001 - one engine failing does not hide the others
                    self.results[label] = {"error": message_of(e)}
                self.render()
        self.status.textContent = f"Done: {warmup} warm-up run{'s' if warmup != 1 else ''} discarded, {runs} timed."
        self.button.disabled = False
        mark_done(el("panel-bench"), "done")

    def render(self) -> None:
        rows, series = [], []
        for label, r in self.results.items():
            if "error" in r:
                rows.append([label, h("span", {"class": "field-error", "text": r["error"]}), "", "", "", "", ""])
                continue
            rows.append([label, fmt_ms(r["load_ms"]), fmt_ms(r["first_ms"]), fmt_ms(r["mean_ms"]),
                         fmt_ms(r["median_ms"]), fmt_ms(r["min_ms"]), fmt_ms(r["p90_ms"])])
            series.append((label, np.asarray(r["runs"])))
        self.output.replaceChildren(
            table(["Engine", "Load", "First run", "Mean", "Median", "Min", "p90"], rows,
                  numeric={1, 2, 3, 4, 5, 6}, caption="Times (warm-up runs discarded)"))
        if series:
            self.output.append(charts.chart_element(series, "Time of every timed run (ms)", x_label="run",
                                                    y_label="ms", markers=True))
