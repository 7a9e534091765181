"""The gradient registry: op name (a name of :mod:`tfjs.kernel_names`) -> gradient function; and the
helper every gradient module shares."""

from __future__ import annotations

from typing import Callable

import numpy as np

_registry: dict[str, Callable] = {}


def register(*op_names: str):
    """Decorator: register a gradient function for op names."""
    def decorator(fn):
        for name in op_names:
            _registry[name] = fn
        return fn
    return decorator


def get(op_name: str) -> Callable | None:
    return _registry.get(op_name)


def registered_ops() -> list[str]:
    """The op names that have a gradient, sorted."""
    return sorted(_registry)


def unbroadcast(g, shape) -> np.ndarray:
    """Sum a broadcast gradient back to ``shape``."""
    g = np.asarray(g)
    shape = tuple(int(d) for d in shape)
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)
