"""A camera as a source of frames (TF.js's ``tf.data.webcam``): an async iterator of pixel tensors."""

from __future__ import annotations

from typing import Any

from .. import platform
from ..errors import InvalidArgumentError, TfjsError
from ..platform import pixels as px
from .pixels import _read

CONFIG_KEYS = {"facingMode", "deviceId", "resizeWidth", "resizeHeight", "centerCrop"}


class Webcam:
    """Frames of a camera stream shown in a <video> element, as [height, width, 3] int32 tensors.

    ``await cam.capture()`` gives the current frame; ``async for frame in cam`` gives one tensor per new
    frame until :meth:`stop`. ``resizeWidth`` / ``resizeHeight`` scale each frame (after cutting the
    centre to that aspect with ``centerCrop``)."""

    def __init__(self, video: Any = None, config: dict | None = None, timeout_s: float = 10.0):
        config = dict(config or {})
        unknown = set(config) - CONFIG_KEYS
        if unknown:
            raise InvalidArgumentError(f"webcam config: unknown key(s) {sorted(unknown)}; known: "
                                       f"{sorted(CONFIG_KEYS)}")
        rw, rh = config.get("resizeWidth"), config.get("resizeHeight")
        if (rw is None) != (rh is None) or (rw is not None and not (int(rw) > 0 and int(rh) > 0)):
            raise InvalidArgumentError(f"webcam config: resizeWidth and resizeHeight go together and must be "
                                       f"positive, got {rw!r} x {rh!r}")
        platform.require_browser("tf.browser.webcam")
        self.config = config
        self.video = px.unwrap(video) if video is not None else px.create_video()
        if px.kind(self.video) != "video":
            raise InvalidArgumentError(f"webcam() needs an HTMLVideoElement, got {px.kind(self.video)}")
        self.timeout_ms = int(timeout_s * 1000)
        self._stream = None

    async def start(self) -> "Webcam":
        if self._stream is not None:
            return self
        constraints: dict = {}
        width, height = int(self.video.width or 0), int(self.video.height or 0)
        if width and height:
            constraints.update(width=width, height=height)
        for key in ("facingMode", "deviceId"):
            if self.config.get(key):
                constraints[key] = self.config[key]
        try:
            self._stream = await px.open_camera(self.video, constraints, self.timeout_ms)
        except Exception as e:  # a JsException: NotAllowedError, NotFoundError, no frame in time
            raise TfjsError(f"the camera could not start ({e})") from None
        return self

    @property
    def running(self) -> bool:
        return self._stream is not None

    def _frame_rect(self, width: int, height: int):
        rw, rh = self.config.get("resizeWidth"), self.config.get("resizeHeight")
        if rw is None:
            return width, height, None
        rw, rh = int(rw), int(rh)
        if not self.config.get("centerCrop"):
            return rw, rh, (0, 0, width, height)
        scale = min(width / rw, height / rh)
        cw, ch = round(rw * scale), round(rh * scale)
        return rw, rh, ((width - cw) // 2, (height - ch) // 2, cw, ch)

    async def capture(self):
        """The frame the video shows now, as a [height, width, 3] int32 tensor."""
        if self._stream is None:
            raise TfjsError("the webcam is stopped: await webcam.start() first")
        width, height, ready = px.size(self.video, "video")
        if not ready or not width:
            raise TfjsError("the camera has no frame yet")
        out_w, out_h, rect = self._frame_rect(width, height)
        return _read(self.video, "video", out_w, out_h, 3, rect)

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self._stream is None:
            raise StopAsyncIteration
        if not await px.next_frame(self.video, self.timeout_ms):
            raise TfjsError(f"no new frame from the camera within {self.timeout_ms} ms")
        if self._stream is None:
            raise StopAsyncIteration
        return await self.capture()

    def stop(self) -> None:
        """Stop the camera (its tracks end); iteration ends."""
        if self._stream is not None:
            px.close_camera(self.video, self._stream)
            self._stream = None


async def webcam(video: Any = None, config: dict | None = None, timeout_s: float = 10.0) -> Webcam:
    """Start the camera on ``video`` (a hidden one when None) and return its frame source.
    ``config``: TF.js's webcam config keys (facingMode, deviceId, resizeWidth, resizeHeight, centerCrop)."""
    return await Webcam(video, config, timeout_s).start()
