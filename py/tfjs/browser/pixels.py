"""from_pixels / to_pixels / draw with TF.js's shapes, dtypes, value ranges and error texts."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import backends, platform
from ..errors import InvalidArgumentError, UnsupportedError
from ..platform import pixels as px

SOURCE_TYPES = ("HTMLVideoElement, HTMLImageElement, HTMLCanvasElement, ImageData in browser, or OffscreenCanvas, "
                "ImageData in webworker or {data: Uint32Array, width: number, height: number}")


def _check_channels(num_channels: int) -> int:
    if not isinstance(num_channels, (int, np.integer)) or isinstance(num_channels, bool):
        raise InvalidArgumentError(f"num_channels must be an integer from 1 to 4, got {num_channels!r}")
    if num_channels > 4:
        raise InvalidArgumentError("Cannot construct Tensor with more than 4 channels from pixels.")
    if num_channels < 1:
        raise InvalidArgumentError(f"num_channels must be from 1 to 4, got {num_channels}")
    return int(num_channels)


def _source(pixels: Any) -> tuple[Any, str, int, int]:
    """The JS source, its kind, width and height; clear errors for what cannot be read."""
    if pixels is None:
        raise InvalidArgumentError("pixels passed to tf.browser.from_pixels() can not be null")
    platform.require_browser("tf.browser.from_pixels")
    source = px.unwrap(pixels)
    kind = px.kind(source)
    if kind not in px.KINDS:
        name = kind.split(":", 1)[1] if ":" in kind else kind
        raise InvalidArgumentError(f"pixels passed to tf.browser.from_pixels() must be either an {SOURCE_TYPES}, "
                                   f"but was {name}")
    width, height, ready = px.size(source, kind)
    if kind == "video" and not ready:
        raise InvalidArgumentError("The video element has not loaded data yet. Please wait for `loadeddata` event "
                                   "on the <video> element.")
    if kind == "image" and not ready:
        raise InvalidArgumentError("The image element has not loaded (or could not be decoded): wait for its `load` event (or await "
                                   "img.decode()) before tf.browser.from_pixels().")
    return source, kind, width, height


def from_pixels(pixels: Any, num_channels: int = 3):
    """A [height, width, num_channels] int32 tensor of an image source's pixels (0..255): the first
    ``num_channels`` of R, G, B, A (so 1 channel is the red one, as in TF.js).

    Sources: HTMLImageElement (at its ``width`` x ``height``: scaled when those differ from the picture),
    HTMLCanvasElement, OffscreenCanvas, HTMLVideoElement (its current frame at videoWidth x videoHeight),
    ImageData, ImageBitmap, ``{data: Uint8Array, width, height}``; their JsProxy forms, or a wrapper holding
    one in ``_dom_element`` (PyScript's ``pyscript.web`` elements). On webgl the result stays on the GPU.
    """
    num_channels = _check_channels(num_channels)
    source, kind, width, height = _source(pixels)
    return _read(source, kind, width, height, num_channels)


def _read(source, kind: str, width: int, height: int, num_channels: int, rect=None):
    if width == 0 or height == 0:
        return np.zeros((height, width, num_channels), np.int32)
    active = backends.backend()
    if kind != "pixeldata" and active.reads_pixels:  # webgl: the browser copies the element into a texture
        direct = rect is None and not (kind == "image" and _scaled_image(source, width, height))
        out = active.from_pixels(source if direct else px.scaled(source, kind, width, height, rect),
                                 width, height, num_channels)
        if out is not None:
            return out
    rgba = px.read_rgba(source, kind, width, height, rect)
    if num_channels == 4:
        return rgba.astype(np.int32)
    return np.ascontiguousarray(rgba[..., :num_channels], dtype=np.int32)


def _scaled_image(source, width: int, height: int) -> bool:
    return int(source.naturalWidth) != width or int(source.naturalHeight) != height


async def from_pixels_async(pixels: Any, num_channels: int = 3):
    """:func:`from_pixels` after decoding the source through ``createImageBitmap(source, {premultiplyAlpha:
    "none"})`` (TF.js's WRAP_TO_IMAGEBITMAP path): images, canvases and video frames are decoded by the
    browser off the page's thread. ImageData and pixel data are read as they are (their bytes are already
    there; a bitmap of translucent pixels would lose precision), and so is a source the browser cannot make a
    bitmap of, or makes one of another size of."""
    num_channels = _check_channels(num_channels)
    source, kind, width, height = _source(pixels)
    if kind not in ("bitmap", "pixeldata", "imagedata") and width and height:
        bitmap = await px.image_bitmap(source)
        if bitmap is not None:
            try:
                if int(bitmap.width) == width and int(bitmap.height) == height:
                    return _read(bitmap, "bitmap", width, height, num_channels)
            finally:
                bitmap.close()
    return _read(source, kind, width, height, num_channels)


# ---------------------------------------------------------------------------------------------- to pixels


def _js_number(value: float) -> str:
    """A number as JavaScript prints it (1, 1.5, -0.25, NaN)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(float(value))
    return text.replace("e-0", "e-").replace("e+0", "e+") if "e" in text else text


def _image_array(img: Any, api: str) -> tuple[np.ndarray, str]:
    """The image as an array and its TF.js dtype ("float32" or "int32"); TF.js's rank/depth/dtype checks."""
    if isinstance(img, (list, tuple)):  # TF.js: a plain array is taken as int32
        arr = np.asarray(img)
        if arr.dtype.kind not in "biuf":
            raise InvalidArgumentError(f"{api}: the pixel values are not numbers (dtype {arr.dtype})")
        arr, dtype = np.trunc(arr.astype(np.float64)).astype(np.int64), "int32"
    else:
        arr = np.asarray(img)
        kind = arr.dtype.kind
        if kind == "f":
            dtype = "float32"
        elif kind in "iu":
            dtype = "int32"
        else:
            name = {"b": "bool", "U": "string", "S": "string", "O": "string"}.get(kind, str(arr.dtype))
            raise InvalidArgumentError(f"Unsupported type for {api}: {name}. Please use float32 or int32 tensors.")
    if arr.ndim not in (2, 3):
        raise InvalidArgumentError(f"{api} only supports rank 2 or 3 tensors, got rank {arr.ndim}.")
    depth = 1 if arr.ndim == 2 else arr.shape[2]
    if depth > 4 or depth == 2:
        raise InvalidArgumentError(f"{api} only supports depth of size 1, 3 or 4 but got {depth}")
    return arr, dtype


def _rgba(arr: np.ndarray, dtype: str, alpha: float = 1.0) -> np.ndarray:
    """H x W x 4 uint8: float32 values 0..1 times 255, int32 values 0..255 as they are, Math.round'ed; one
    channel is grey; three get ``alpha``; an error names the first value out of range."""
    height, width = arr.shape[:2]
    values = arr.reshape(height, width, -1)
    v64 = values.astype(np.float64) if dtype == "float32" else values
    if dtype == "float32":
        v64 = values.astype(np.float32).astype(np.float64)
        bad = (v64 < 0) | (v64 > 1)
        hi, scale = "1", 255.0
    else:
        bad = (values < 0) | (values > 255)
        hi, scale = "255", 1.0
    if bad.any():
        first = v64.reshape(-1)[int(np.argmax(bad.reshape(-1)))]
        raise InvalidArgumentError(f"Tensor values for a {dtype} Tensor must be in the range [0 - {hi}] but "
                                   f"encountered {_js_number(float(first))}.")
    scaled = v64.astype(np.float64) * scale
    rgba = np.empty((height, width, 4), np.float64)
    rgba[..., 3] = 255.0 * alpha
    depth = scaled.shape[2]
    if depth == 1:
        rgba[..., :3] = scaled
    else:
        rgba[..., :depth] = scaled
    rounded = np.floor(rgba + 0.5)  # Math.round; NaN becomes 0 in a Uint8ClampedArray
    return np.clip(np.nan_to_num(rounded, nan=0.0), 0, 255).astype(np.uint8)


async def to_pixels(img: Any, canvas: Any = None) -> np.ndarray:
    """``tf.browser.toPixels``: a rank-2 ([h, w], grey) or rank-3 ([h, w, 1|3|4]) image as H x W x 4 uint8
    RGBA (TF.js's byte array, shaped). Float images hold 0..1, integer images 0..255 (an error names the first
    value outside); three channels get alpha 255. With ``canvas``, it is resized to the image and drawn on.
    Works under CPython too, without a canvas."""
    arr, dtype = _image_array(img, "toPixels")
    rgba = _rgba(arr, dtype)
    if canvas is not None:
        platform.require_browser("tf.browser.to_pixels onto a canvas")
        px.put_rgba(px.unwrap(canvas), rgba)
    return rgba


def draw(image: Any, canvas: Any, options: dict | None = None) -> None:
    """``tf.browser.draw``: the image onto the canvas (resized to it) through a 2d context.
    ``options``: ``{"imageOptions": {"alpha": 0..1}}`` (the alpha of 1- and 3-channel images),
    ``{"contextOptions": {"contextType": "2d", "contextAttributes": {...}}}``."""
    arr, dtype = _image_array(image, "draw")
    options = options or {}
    alpha = (options.get("imageOptions") or {}).get("alpha") or 1
    if alpha > 1 or alpha < 0:
        raise InvalidArgumentError(f"Alpha value {_js_number(float(alpha))} is suppoed to be in range [0 - 1].")
    context = options.get("contextOptions") or {}
    context_type = context.get("contextType") or "2d"
    if context_type != "2d":
        raise UnsupportedError(f"Context type {context_type} is not supported by tf.browser.draw (2d only).")
    platform.require_browser("tf.browser.draw")
    px.put_rgba(px.unwrap(canvas), _rgba(arr, dtype, float(alpha)), context.get("contextAttributes"))
