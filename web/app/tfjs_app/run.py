"""Run the model: an image (decoded and resized by the browser, read with tf.browser.from_pixels;
normalised to the model's input) or a generic tensor (random, zeros, pasted JSON); outputs as a table of
top values, a heat map for image-shaped outputs, a chart for vectors; a backend switch; the run's time."""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np

import js  # type: ignore[import-not-found]

import tfjs
from tfjs import platform

from . import charts
from .describe import tensor_specs
from .dom import AppError, el, fmt_ms, fmt_num, fmt_shape, h, mark_done, message_of, repaint, spawn, table

PRESETS = {"0,1": (1 / 255, 0.0), "-1,1": (1 / 127.5, -1.0), "0,255": (1.0, 0.0)}
DEFAULT_SIDE = 64
NP_DTYPES = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}
TOP_K = 10


def image_input_index(specs: list[dict]) -> int | None:
    """The input an image feeds: rank 4 (NHWC) with 1, 3 or 4 channels (or unknown channels)."""
    for i, s in enumerate(specs):
        shape = s["shape"]
        if shape is not None and len(shape) == 4 and shape[3] in (1, 3, 4, None) and s["dtype"] != "string":
            return i
    return None


def concrete_shape(shape: list | None, default_side: int = 32) -> list[int]:
    """A shape to make a tensor of: an unknown batch is 1, any other unknown dimension ``default_side``."""
    if shape is None:
        return [1]
    return [(1 if i == 0 else default_side) if d is None else int(d) for i, d in enumerate(shape)]


def parse_shape(text: str) -> list[int]:
    try:
        value = json.loads(text if text.strip().startswith("[") else f"[{text}]")
        if not isinstance(value, list) or not all(isinstance(d, int) and d >= 0 for d in value):
            raise ValueError
        return value
    except ValueError:
        raise AppError(f"'{text}' is not a shape: write e.g. [1, 224, 224, 3]") from None


def pixels_to_input(rgba: np.ndarray, channels: int | None, scale: float, offset: float,
                    dtype: str) -> np.ndarray:
    """H x W x 4 uint8 pixels -> 1 x H x W x C model input: ``pixel * scale + offset`` in the input dtype."""
    px = rgba.astype(np.float32)
    if channels == 1:
        px = (px[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32))[..., None]
    elif channels == 4:
        px = px[..., :4]
    else:
        px = px[..., :3]
    x = px * np.float32(scale) + np.float32(offset)
    if dtype == "int32":
        x = np.round(x).astype(np.int32)
    return x[None].astype(NP_DTYPES.get(dtype, np.float32), copy=False)


def outputs_as_list(model, result: Any) -> list[tuple[str, np.ndarray]]:
    names = [s["name"] for s in tensor_specs(model, "outputs")]
    if isinstance(result, dict):
        return [(str(k), np.asarray(v)) for k, v in result.items()]
    values = result if isinstance(result, (list, tuple)) else [result]
    return [(names[i] if i < len(names) else f"output {i}", np.asarray(v)) for i, v in enumerate(values)]


def top_values(a: np.ndarray, k: int = TOP_K) -> list[tuple[tuple, float]]:
    flat = np.asarray(a).reshape(-1)
    if flat.dtype == object or flat.size == 0:
        return []
    f = flat.astype(np.float64)
    order = np.argsort(-np.nan_to_num(f, nan=-np.inf), kind="stable")[:k]
    return [(tuple(int(i) for i in np.unravel_index(int(j), a.shape)), float(f[j])) for j in order]


class Runner:
    def __init__(self, app):
        self.app = app
        self.image_file = None
        self.image_size: tuple[int, int] | None = None
        self.last_inputs: list[np.ndarray] | None = None
        self.last_outputs: list[tuple[str, np.ndarray]] | None = None
        self.last_ms: float | None = None
        self.specs: list[dict] = []
        ev = app.events
        self.backend_select = el("backend-select")
        self.run_button = el("run-button")
        self.status = el("run-status")
        self.output = el("run-output")
        self.run_button.disabled = True
        ev.on(self.backend_select, "change", self._backend_changed)
        ev.on(self.run_button, "click", lambda e: spawn(self.run(), self._show_error))
        for radio in js.document.querySelectorAll('input[name="input-kind"]'):
            ev.on(radio, "change", self._kind_changed)
        ev.on(el("image-picker"), "change", self._image_picked)
        zone = el("image-drop")
        ev.on(zone, "dragover", lambda e: (e.preventDefault(), zone.classList.add("over")))
        ev.on(zone, "dragleave", lambda e: zone.classList.remove("over"))
        ev.on(zone, "drop", self._image_dropped)
        ev.on(el("norm-preset"), "change", self._preset_changed)
        for name in ("norm-scale", "norm-offset"):
            ev.on(el(name), "input", self._norm_edited)
        for name in ("image-width", "image-height"):
            ev.on(el(name), "change", lambda e: self._refresh_preview())
        self._fill_backends()
        self._show_formula()

    # ------------------------------------------------------------------ backends
    def _fill_backends(self) -> None:
        self.backend_select.replaceChildren()
        active = tfjs.get_backend()
        for name in tfjs.backends.list_backends():
            missing = name == "webgl" and not hasattr(js, "WebGL2RenderingContext")
            option = h("option", {"value": name, "disabled": missing,
                                  "text": name + (" (not available here)" if missing else "")})
            self.backend_select.append(option)
        self.backend_select.value = active
        el("backend-status").textContent = f"active: {active}"

    def _backend_changed(self, event) -> None:
        name = str(self.backend_select.value)
        before = tfjs.get_backend()
        try:
            tfjs.set_backend(name)
            el("backend-status").textContent = f"active: {tfjs.get_backend()}"
        except Exception as e:  # noqa: BLE001
            self.backend_select.value = before
            el("backend-status").textContent = f"{name} could not start: {message_of(e)}; still on {before}"

    # ------------------------------------------------------------------ input settings
    def input_kind(self) -> str:
        checked = js.document.querySelector('input[name="input-kind"]:checked')
        return str(checked.value) if checked else "tensor"

    def _kind_changed(self, event) -> None:
        kind = self.input_kind()
        el("image-input").hidden = kind != "image"
        el("tensor-input").hidden = kind != "tensor"

    def _preset_changed(self, event) -> None:
        preset = str(el("norm-preset").value)
        if preset in PRESETS:
            scale, offset = PRESETS[preset]
            el("norm-scale").value = repr(scale)
            el("norm-offset").value = repr(offset)
        self._show_formula()
        self._refresh_preview()

    def _norm_edited(self, event) -> None:
        el("norm-preset").value = "custom"
        self._show_formula()

    def normalisation(self) -> tuple[float, float]:
        try:
            return float(el("norm-scale").value), float(el("norm-offset").value)
        except ValueError:
            raise AppError("The normalisation's scale and offset must be numbers") from None

    def _show_formula(self) -> None:
        try:
            scale, offset = self.normalisation()
            lo, hi = sorted((offset, 255 * scale + offset))
            text = f"input = pixel \u00d7 {fmt_num(scale)} + {fmt_num(offset)}  (pixels 0\u2013255 \u2192 " \
                   f"{fmt_num(lo)} \u2026 {fmt_num(hi)})"
        except AppError as e:
            text = str(e)
        el("norm-formula").textContent = text

    def model_changed(self, model) -> None:
        self.specs = tensor_specs(model, "inputs")
        self.run_button.disabled = False
        self.output.replaceChildren()
        self.status.textContent = ""
        self.last_inputs = self.last_outputs = None
        idx = image_input_index(self.specs)
        for radio in js.document.querySelectorAll('input[name="input-kind"]'):
            if str(radio.value) == "image":
                radio.disabled = idx is None
                radio.checked = idx is not None
            else:
                radio.checked = idx is None
        self._kind_changed(None)
        if idx is not None:
            shape = self.specs[idx]["shape"]
            for dim, field in ((shape[1], "image-height"), (shape[2], "image-width")):
                el(field).disabled = dim is not None
                if dim is not None:
                    el(field).value = str(dim)
                elif self.image_size is None:
                    el(field).value = str(DEFAULT_SIDE)
        box = el("tensor-shapes")
        box.replaceChildren()
        for i, s in enumerate(self.specs):
            box.append(h("div", {"class": "row"},
                         h("label", {"for": f"tensor-shape-{i}", "text": f"Shape of {s['name']} ({s['dtype']}, "
                                                                          f"model: {fmt_shape(s['shape'])})"}),
                         h("input", {"id": f"tensor-shape-{i}", "type": "text", "size": "18",
                                     "value": json.dumps(concrete_shape(s["shape"]))})))
        self._refresh_preview()

    # ------------------------------------------------------------------ images
    def _image_picked(self, event) -> None:
        picker = el("image-picker")
        files = list(getattr(js.Array, "from")(picker.files))
        picker.value = ""
        if files:
            spawn(self.set_image(files[0]), self._image_error)

    def _image_dropped(self, event) -> None:
        event.preventDefault()
        el("image-drop").classList.remove("over")
        files = list(getattr(js.Array, "from")(event.dataTransfer.files)) if event.dataTransfer else []
        if files:
            spawn(self.set_image(files[0]), self._image_error)

    def _image_error(self, error: BaseException) -> None:
        el("image-error").textContent = message_of(error)

    async def set_image(self, file) -> None:
        el("image-error").textContent = ""
        try:
            bitmap = await js.createImageBitmap(file)
        except Exception as e:  # noqa: BLE001
            raise AppError(f"{file.name}: the browser cannot decode this image ({message_of(e)})") from None
        self.image_size = (int(bitmap.width), int(bitmap.height))
        bitmap.close()
        self.image_file = file
        idx = image_input_index(self.specs) if self.specs else None
        shape = self.specs[idx]["shape"] if idx is not None else [None, None, None, 3]
        for dim, field, natural in ((shape[1], "image-height", self.image_size[1]),
                                    (shape[2], "image-width", self.image_size[0])):
            if dim is None:
                el(field).value = str(min(natural, 512))
        await self._refresh_preview_async()

    def _refresh_preview(self) -> None:
        if self.image_file is not None:
            spawn(self._refresh_preview_async(), self._image_error)

    async def _refresh_preview_async(self) -> None:
        if self.image_file is None:
            return
        rgba = await self.decode_image()
        tfjs.browser.draw(rgba, el("image-preview"))

    def target_size(self) -> tuple[int, int]:
        try:
            w, hgt = int(el("image-width").value), int(el("image-height").value)
        except ValueError:
            raise AppError("The image's width and height must be whole numbers") from None
        if not (0 < w <= 4096 and 0 < hgt <= 4096):
            raise AppError(f"Image size {w} x {hgt} is out of range (1 to 4096)")
        return w, hgt

    async def decode_image(self) -> np.ndarray:
        """The chosen image resized to the target size: H x W x 4 uint8 (RGBA), decoded and resized by the
        browser (createImageBitmap), read with tf.browser.from_pixels."""
        if self.image_file is None:
            raise AppError("Choose or drop an image first (or switch the input to Tensor).")
        w, hgt = self.target_size()
        options = platform.to_js({"colorSpaceConversion": "none", "premultiplyAlpha": "none",
                                  "resizeWidth": w, "resizeHeight": hgt, "resizeQuality": "high"})
        try:
            bitmap = await js.createImageBitmap(self.image_file, options)
        except Exception as e:  # noqa: BLE001
            raise AppError(f"{self.image_file.name}: the browser cannot decode this image ({message_of(e)})") \
                from None
        try:
            pixels = tfjs.browser.from_pixels(bitmap, 4)
        finally:
            bitmap.close()
        return np.asarray(pixels).astype(np.uint8)

    # ------------------------------------------------------------------ inputs
    def _tensor(self, i: int, spec: dict, fill: str, pasted: Any, rng) -> np.ndarray:
        field = js.document.getElementById(f"tensor-shape-{i}")
        shape = parse_shape(str(field.value)) if field is not None else concrete_shape(spec["shape"])
        dtype = NP_DTYPES.get(spec["dtype"], np.float32)
        if fill == "zeros":
            return np.zeros(shape, dtype)
        if fill == "json":
            value = pasted.get(spec["name"]) if isinstance(pasted, dict) else pasted
            if value is None:
                raise AppError(f"The pasted JSON has no value for input '{spec['name']}'")
            arr = np.asarray(value, dtype=dtype)
            if arr.size != int(np.prod(shape)):
                raise AppError(f"The pasted JSON for '{spec['name']}' has {arr.size} values; shape "
                               f"{shape} needs {int(np.prod(shape))}")
            return arr.reshape(shape)
        if dtype == np.int32:
            return rng.integers(0, 256, shape).astype(np.int32)
        if dtype == np.bool_:
            return rng.random(shape) < 0.5
        return rng.random(shape, dtype=np.float32)

    async def build_inputs(self, kind: str | None = None) -> list[np.ndarray]:
        """The model's inputs, in input order, from the Run panel's settings."""
        if not self.specs:
            raise AppError("Load a model first.")
        kind = kind or self.input_kind()
        el("tensor-error").textContent = ""
        rng = np.random.default_rng(0)
        fill = str(el("tensor-fill").value)
        pasted = None
        if kind == "tensor" and fill == "json":
            try:
                pasted = json.loads(str(el("tensor-json").value))
            except ValueError as e:
                raise AppError(f"The pasted JSON does not parse: {e}") from None
        image_idx = image_input_index(self.specs) if kind == "image" else None
        out = []
        for i, spec in enumerate(self.specs):
            if i == image_idx:
                scale, offset = self.normalisation()
                rgba = await self.decode_image()
                out.append(pixels_to_input(rgba, spec["shape"][3], scale, offset, spec["dtype"]))
            elif kind == "image":
                out.append(np.zeros(concrete_shape(spec["shape"]), NP_DTYPES.get(spec["dtype"], np.float32)))
            else:
                out.append(self._tensor(i, spec, fill, pasted, rng))
        return out

    # ------------------------------------------------------------------ running
    def _show_error(self, error: BaseException) -> None:
        self.run_button.disabled = self.app.model is None
        self.status.textContent = f"Failed: {message_of(error)}"
        self.status.classList.add("field-error")
        mark_done(el("panel-run"), "failed")

    async def run(self) -> None:
        model = self.app.model
        if model is None:
            raise AppError("Load a model first.")
        self.status.classList.remove("field-error")
        self.run_button.disabled = True
        self.status.textContent = "Preparing the input"
        inputs = await self.build_inputs()
        self.status.textContent = f"Running on {tfjs.get_backend()}\u2026"
        await repaint()
        started = time.perf_counter()
        result = model.predict(inputs if len(inputs) > 1 else inputs[0])
        ms = (time.perf_counter() - started) * 1000
        outputs = outputs_as_list(model, result)
        self.last_inputs, self.last_outputs, self.last_ms = inputs, outputs, ms
        self.status.textContent = f"Ran in {fmt_ms(ms)} on {tfjs.get_backend()}"
        self.run_button.disabled = False
        self.render_outputs(outputs)
        mark_done(el("panel-run"), "ran")

    def render_outputs(self, outputs: list[tuple[str, np.ndarray]]) -> None:
        self.output.replaceChildren()
        for name, a in outputs:
            box = h("div", {"class": "output", "data-output": name})
            box.append(h("h3", None, h("code", {"text": name}), f" {fmt_shape(list(a.shape))} {a.dtype}"))
            if a.dtype != object and a.size:
                f = a.astype(np.float64)
                box.append(h("p", {"class": "detail", "text": f"min {fmt_num(np.nanmin(f))}, max "
                                                              f"{fmt_num(np.nanmax(f))}, mean {fmt_num(np.nanmean(f))}"}))
                visual = self._visual(name, a)
                if visual is not None:
                    box.append(visual)
                box.append(table(["#", "Index", "Value"],
                                 [[str(k + 1), fmt_shape(list(idx)), fmt_num(v)]
                                  for k, (idx, v) in enumerate(top_values(a))],
                                 numeric={0, 2}, caption=f"Top {min(TOP_K, a.size)} values"))
            self.output.append(box)

    @staticmethod
    def _visual(name: str, a: np.ndarray):
        squeezed = np.squeeze(a)
        if a.ndim == 4 and a.shape[0] == 1 and a.shape[3] == 3 and min(a.shape[1:3]) > 1:
            rgba, lo, hi = charts.image_rgba(a[0])
            return h("figure", None, charts.canvas_element(rgba, f"{name} as an image"),
                     h("figcaption", {"class": "detail", "text": f"as RGB, {fmt_num(lo)} \u2026 {fmt_num(hi)} "
                                                                 f"stretched to 0\u2026255"}))
        if a.ndim >= 2 and squeezed.ndim in (2, 3) and min(squeezed.shape[:2]) > 1:
            matrix = squeezed if squeezed.ndim == 2 else squeezed[..., 0]
            what = "" if squeezed.ndim == 2 else " (channel 0)"
            if matrix.shape[0] > 4 * matrix.shape[1]:  # tall and thin: shown on its side
                matrix = matrix.T
                what += ", transposed (rows across)"
            rgba, lo, hi = charts.heat_rgba(matrix)
            return h("figure", None, charts.canvas_element(rgba, f"{name} heat map"),
                     h("figcaption", {"class": "detail", "text": f"heat map{what}: {fmt_num(lo)} (dark) \u2026 "
                                                                 f"{fmt_num(hi)} (bright)"}))
        if squeezed.ndim == 1 and squeezed.size > 1:
            return charts.chart_element([(name, squeezed)], f"{name}: {squeezed.size} values", x_label="index",
                                        markers=True)
        return None
