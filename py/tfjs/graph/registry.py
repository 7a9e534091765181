"""The op registry of graph models: TF op name -> mapper (node, input values, context) -> output values.

Mappers live in :mod:`tfjs.graph.mappers` (one module per TF.js op category) and register themselves with
:func:`op`. Users add or replace kernels with :func:`register_op` (TF.js's ``tf.registerOp``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

Mapper = Callable[..., Any]

_MAPPERS: dict[str, Mapper] = {}
_CATEGORIES: dict[str, str] = {}
_CUSTOM: dict[str, Callable] = {}


def op(*names: str, category: str | None = None) -> Callable[[Mapper], Mapper]:
    """Decorator registering a mapper for one or more TF op names."""
    def deco(fn: Mapper) -> Mapper:
        cat = category or fn.__module__.rsplit(".", 1)[-1]
        for name in names:
            _MAPPERS[name] = fn
            _CATEGORIES[name] = cat
        return fn
    return deco


@dataclass
class CustomOpNode:
    """What a user kernel receives (TF.js's custom-op node): the input arrays and the decoded attrs."""
    name: str
    op: str
    inputs: list
    attrs: dict


def register_op(name: str, fn: Callable[[CustomOpNode], Any]) -> None:
    """Register a Python kernel for a TF op (``tf.registerOp``): ``fn(node)`` returns an array or a list."""
    if not callable(fn):
        raise TypeError(f"register_op('{name}'): the kernel must be callable, got {type(fn).__name__}")
    _CUSTOM[name] = fn


def deregister_op(name: str) -> None:
    _CUSTOM.pop(name, None)


def lookup(name: str) -> tuple[Mapper | None, bool]:
    """(mapper, is_custom) for an op name; custom kernels win over built-in mappers."""
    if name in _CUSTOM:
        return _CUSTOM[name], True
    return _MAPPERS.get(name), False


def supported_ops(category: str | None = None) -> list[str]:
    """Every TF op name graph models can run (built-in mappers and registered kernels), sorted."""
    names = {n for n, c in _CATEGORIES.items() if category is None or c == category}
    if category is None:
        names |= set(_CUSTOM)
    return sorted(names)


def categories() -> dict[str, str]:
    return dict(_CATEGORIES)
