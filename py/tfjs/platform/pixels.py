"""Pixels across the FFI: what kind of image source a JS object is, its size, its RGBA bytes, drawing RGBA
bytes onto a canvas, decoding through createImageBitmap, and camera streams for a video element.

``tfjs.browser`` holds the semantics (shapes, dtypes, channel counts, errors); this module only moves pixels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import IN_PYODIDE, ffi, js, require_browser, to_bytes, to_js, to_uint8array

# Source kinds, in the order TF.js tells them apart.
KINDS = ("pixeldata", "imagedata", "video", "image", "canvas", "offscreen", "bitmap")

_GLUE_JS = r"""
(() => {
  const P = {};
  const is = (x, name) => typeof globalThis[name] !== "undefined" && x instanceof globalThis[name];
  P.kind = (x) => {
    if (x === null || x === undefined) return "null";
    if (x.data instanceof Uint8Array && typeof x.width === "number") return "pixeldata";
    if (is(x, "ImageData")) return "imagedata";
    if (is(x, "HTMLVideoElement")) return "video";
    if (is(x, "HTMLImageElement")) return "image";
    if (is(x, "HTMLCanvasElement")) return "canvas";
    if (is(x, "OffscreenCanvas")) return "offscreen";
    if (is(x, "ImageBitmap")) return "bitmap";
    return "other:" + (x.constructor && x.constructor.name ? x.constructor.name : typeof x);
  };
  // [width, height, ready]: a video's frame size and whether a frame is there (readyState >= 2)
  P.size = (x, kind) => kind === "video" ? [x.videoWidth, x.videoHeight, x.readyState >= 2]
                                         : [x.width, x.height, kind !== "image" || (x.complete && x.naturalWidth > 0)];
  P.scratch = () => {
    if (!P.ctx) {
      const canvas = typeof OffscreenCanvas !== "undefined" ? new OffscreenCanvas(1, 1)
                                                            : document.createElement("canvas");
      P.ctx = canvas.getContext("2d", {willReadFrequently: true});
    }
    return P.ctx;
  };
  // The source drawn at w x h (the whole source, or the rect sx, sy, sw, sh of it) on a cleared canvas.
  P.draw = (x, w, h, rect) => {
    const ctx = P.scratch();
    if (ctx.canvas.width !== w || ctx.canvas.height !== h) { ctx.canvas.width = w; ctx.canvas.height = h; }
    else ctx.clearRect(0, 0, w, h);
    if (rect) ctx.drawImage(x, rect[0], rect[1], rect[2], rect[3], 0, 0, w, h);
    else ctx.drawImage(x, 0, 0, w, h);
    return ctx;
  };
  P.read = (x, kind, w, h, rect) => {
    if ((kind === "imagedata" || kind === "pixeldata") && !rect) return x.data;
    if (kind === "imagedata" && rect) x = P.toBitmapSync(x);
    return P.draw(x, w, h, rect).getImageData(0, 0, w, h).data;
  };
  P.scaled = (x, kind, w, h, rect) => P.draw(kind === "imagedata" ? P.toBitmapSync(x) : x, w, h, rect).canvas;
  P.toBitmapSync = (imageData) => {  // ImageData -> a canvas holding it (drawImage does not take ImageData)
    const c = new OffscreenCanvas(imageData.width, imageData.height);
    c.getContext("2d").putImageData(imageData, 0, 0);
    return c;
  };
  P.put = (canvas, bytes, w, h, contextAttributes) => {
    canvas.width = w; canvas.height = h;
    const ctx = canvas.getContext("2d", contextAttributes || {});
    if (!ctx) throw new Error("the canvas gives no 2d context (it already has another kind of context)");
    ctx.putImageData(new ImageData(new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, w * h * 4), w, h), 0, 0);
  };
  P.bitmap = async (x) => {
    try { return await createImageBitmap(x, {premultiplyAlpha: "none"}); } catch (e) { return null; }
  };
  // Camera: a stream on the video element, resolved once the first frame is there.
  P.openCamera = async (video, constraints, timeoutMs) => {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia)
      throw new Error("this page has no navigator.mediaDevices.getUserMedia (it needs a secure context)");
    const stream = await navigator.mediaDevices.getUserMedia({video: constraints, audio: false});
    video.srcObject = stream;
    video.muted = true; video.playsInline = true;
    const ready = new Promise((resolve, reject) => {
      if (video.readyState >= 2) { resolve(); return; }
      const timer = setTimeout(() => reject(new Error(`no frame from the camera within ${timeoutMs} ms`)),
                               timeoutMs);
      video.addEventListener("loadeddata", () => { clearTimeout(timer); resolve(); }, {once: true});
    });
    try { await video.play(); await ready; } catch (e) { stream.getTracks().forEach((t) => t.stop()); throw e; }
    return stream;
  };
  // Resolves when the video shows a frame newer than the last one handed out (or after timeoutMs).
  P.nextFrame = (video, timeoutMs) => new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const done = () => { clearTimeout(timer); resolve(true); };
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(done);
    else requestAnimationFrame(done);
  });
  P.closeCamera = (video, stream) => {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    if (video && video.srcObject === stream) { video.pause(); video.srcObject = null; }
  };
  return P;
})()
"""

_glue = None


def _p():
    global _glue
    require_browser("tf.browser")
    if _glue is None:
        _glue = js.eval(_GLUE_JS)
    return _glue


def unwrap(source: Any) -> Any:
    """The JS object behind a source: a JsProxy as is; a wrapper that holds one (PyScript's
    ``pyscript.web`` elements keep it in ``_dom_element``) gives that."""
    if IN_PYODIDE and isinstance(source, ffi.JsProxy):
        return source
    inner = getattr(source, "_dom_element", None)
    if inner is not None:
        return inner
    return source


def is_js(value: Any) -> bool:
    return IN_PYODIDE and isinstance(value, ffi.JsProxy)


def kind(source: Any) -> str:
    """One of KINDS, "null", or "other:<constructor name>"."""
    if source is None:
        return "null"
    if not is_js(source):
        return f"other:{type(source).__name__}"
    return str(_p().kind(source))


def size(source: Any, source_kind: str) -> tuple[int, int, bool]:
    """(width, height, has_data) of a source."""
    w, h, ready = _p().size(source, source_kind)
    return int(w), int(h), bool(ready)


def read_rgba(source: Any, source_kind: str, width: int, height: int,
              rect: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """The source's pixels as height x width x 4 uint8 (RGBA, not premultiplied), drawn at that size (or the
    ``rect`` (x, y, w, h) of the source scaled to it). ImageData and pixel data are read as they are."""
    data = _p().read(source, source_kind, width, height, to_js(list(rect)) if rect else None)
    flat = np.frombuffer(to_bytes(data), np.uint8)
    return flat.reshape(height, width, 4)


def scaled(source: Any, source_kind: str, width: int, height: int,
           rect: tuple[int, int, int, int] | None = None):
    """A canvas holding the source (or its ``rect``) drawn at width x height; valid until the next read."""
    return _p().scaled(source, source_kind, width, height, to_js(list(rect)) if rect else None)


def put_rgba(canvas: Any, rgba: np.ndarray, context_attributes: dict | None = None) -> None:
    """Resize the canvas to the pixels and put them on it (H x W x 4 uint8)."""
    height, width = int(rgba.shape[0]), int(rgba.shape[1])
    _p().put(canvas, to_uint8array(np.ascontiguousarray(rgba, np.uint8)), width, height,
             to_js(context_attributes) if context_attributes else None)


async def image_bitmap(source: Any):
    """createImageBitmap(source, {premultiplyAlpha: "none"}), or None where the browser refuses."""
    bitmap = await _p().bitmap(source)
    return None if bitmap is None else bitmap


def create_video():
    """A detached <video> element (for a camera stream nobody shows)."""
    require_browser("tf.browser.webcam")
    return js.document.createElement("video")


async def open_camera(video: Any, constraints: dict, timeout_ms: int):
    """Start a camera stream on the video element; returns the MediaStream once a frame is there."""
    return await _p().openCamera(video, to_js(constraints), timeout_ms)


async def next_frame(video: Any, timeout_ms: int) -> bool:
    """Wait for the video's next frame; False when none came within the time."""
    return bool(await _p().nextFrame(video, timeout_ms))


def close_camera(video: Any, stream: Any) -> None:
    _p().closeCamera(video, stream)
