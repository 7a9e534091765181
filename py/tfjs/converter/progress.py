"""A progress display for long conversions: one self-updating line on a terminal, sparse lines otherwise."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, enabled: bool | None = None, stream=None, min_interval: float = 0.25):
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = self.tty if enabled is None else enabled
        self.min_interval = min_interval if self.tty else 2.0
        self.started = time.monotonic()
        self._last = 0.0
        self._open_line = False

    def update(self, stage: str, done: int | None = None, total: int | None = None, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < self.min_interval and not (done is not None and done == total):
            return
        self._last = now
        text = f"[tfjs-convert] {stage}"
        if done is not None and total:
            width = 24
            filled = int(width * done / total)
            text += f" [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        text += f" {now - self.started:5.1f}s"
        if self.tty:
            self.stream.write("\r" + text + "\x1b[K")
            self._open_line = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def done(self, message: str | None = None) -> None:
        if not self.enabled:
            return
        if self._open_line:
            self.stream.write("\n")
            self._open_line = False
        if message:
            self.stream.write(f"[tfjs-convert] {message} ({time.monotonic() - self.started:.1f}s)\n")
        self.stream.flush()
