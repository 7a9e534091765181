"""Callbacks for fit (TF.js's ``tf.callbacks`` and ``CustomCallback``): hooks per train/epoch/batch, History,
EarlyStopping. A hook may be a plain function or a coroutine function (awaited), so a page can draw a live loss
curve between batches.

    history = await model.fit(x, y, epochs=5, callbacks=[
        {"on_batch_end": lambda batch, logs: points.append(logs["loss"])},
        tf.training.callbacks.early_stopping(monitor="val_loss", patience=2)])
"""

from __future__ import annotations

import inspect
import math
from typing import Any, Callable

HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_batch_begin", "on_batch_end",
         "on_yield")


class Callback:
    """Base callback: override the hooks you need. ``self.model`` is set by fit; ``self.params`` too."""

    def __init__(self):
        self.model = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...
    def on_yield(self, epoch, batch, logs=None): ...


class CustomCallback(Callback):
    """Hooks given as functions: ``CustomCallback(on_epoch_end=fn, ...)`` (camelCase names are taken too)."""

    def __init__(self, **hooks: Callable):
        super().__init__()
        from ..naming import to_snake_case

        for name, fn in hooks.items():
            key = to_snake_case(name)
            if key not in HOOKS:
                raise ValueError(f"Unknown callback hook {name!r}; expected one of {', '.join(HOOKS)}")
            setattr(self, key, fn)


class History(Callback):
    """``model.fit``'s result: ``history`` {metric name: [value per epoch]}, ``epoch`` [epoch indices]."""

    def __init__(self):
        super().__init__()
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        return f"<History epochs={self.epoch} keys={list(self.history)}>"


class EarlyStopping(Callback):
    """Stop when a monitored quantity stops improving (TF.js's ``tf.callbacks.earlyStopping``)."""

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False):
        super().__init__()
        if restore_best_weights:
            raise NotImplementedError("restoreBestWeights = True is not implemented in EarlyStopping yet.")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"Invalid mode: {mode}. Expected one of 'auto', 'min' or 'max'.")
        self.monitor, self.patience, self.verbose, self.mode, self.baseline = monitor, patience, verbose, mode, baseline
        self.min_delta = abs(min_delta)
        if mode == "min" or (mode == "auto" and "acc" not in monitor):
            self.better = lambda a, b: a < b
            self.min_delta *= -1
        else:
            self.better = lambda a, b: a > b
        self.wait = 0
        self.stopped_epoch = 0
        self.best = math.inf

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = math.inf if self.better(0, 1) else -math.inf

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            print(f"Metric for EarlyStopping {self.monitor} is not available. Available metrics are: "
                  f"{', '.join((logs or {}).keys())}")
            return
        if self.better(current - self.min_delta, self.best):
            self.best = current
            self.wait = 0
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True


def early_stopping(**kwargs) -> EarlyStopping:
    """``tf.callbacks.earlyStopping``."""
    return EarlyStopping(**kwargs)


def to_callback(item: Any) -> Callback:
    if isinstance(item, Callback):
        return item
    if isinstance(item, dict):
        return CustomCallback(**item)
    raise TypeError(f"A callback must be a Callback or a dict of hooks, got {type(item).__name__}")


class CallbackList:
    def __init__(self, callbacks: list[Callback]):
        self.callbacks = callbacks

    async def call(self, hook: str, *args) -> None:
        for cb in self.callbacks:
            fn = getattr(cb, hook, None)
            if fn is None:
                continue
            out = fn(*args)
            if inspect.isawaitable(out):
                await out


__all__ = ["Callback", "CustomCallback", "History", "EarlyStopping", "early_stopping", "CallbackList"]
