"""Declared layer arguments: each layer lists its config keys (TF.js's, in snake_case), their defaults and
kinds; the same list reads factory arguments and saved configs, and writes configs back."""

from __future__ import annotations

from typing import Any

from . import activations, initializers
from ..naming import to_snake_case

REQUIRED = object()


class P:
    """One config key: 'plain', 'act' (activation), 'init', 'reg', 'con' (kept dicts), 'tuple' (n ints),
    'enum' (a string written in snake_case), 'shape' (list or None)."""

    def __init__(self, key: str, default: Any = None, kind: str = "plain", n: int | None = None):
        self.key, self.default, self.kind, self.n = key, default, kind, n

    def read(self, value: Any, owner: str) -> Any:
        if value is REQUIRED:
            raise TypeError(f"{owner}: the argument '{self.key}' is required")
        kind = self.kind
        if kind == "act":
            return activations.normalize(value)
        if kind == "init":
            return initializers.normalize(value)
        if kind in ("reg", "con"):
            return _keep_object(value)
        if kind == "tuple":
            if value is None:
                return None
            if isinstance(value, (int, float)):
                return [int(value)] * self.n
            value = [int(v) for v in value]
            if len(value) == 1 and self.n and self.n > 1:
                value = value * self.n
            if self.n and len(value) != self.n:
                raise ValueError(f"{owner}: '{self.key}' must have {self.n} values, got {value}")
            return value
        if kind == "enum":
            return to_snake_case(value) if isinstance(value, str) else value
        if kind == "shape":
            return None if value is None else [None if v is None else int(v) for v in value]
        return value

    def write(self, value: Any) -> Any:
        return value


def _keep_object(value):
    if value is None or isinstance(value, dict):
        return value
    if isinstance(value, str):
        from ..naming import to_camel_case
        name = to_camel_case(value)
        table = {"l1": {"class_name": "L1L2", "config": {"l1": 0.01, "l2": 0}},
                 "l2": {"class_name": "L1L2", "config": {"l1": 0, "l2": 0.01}},
                 "l1l2": {"class_name": "L1L2", "config": {"l1": 0.01, "l2": 0.01}},
                 "nonNeg": {"class_name": "NonNeg", "config": {}},
                 "unitNorm": {"class_name": "UnitNorm", "config": {"axis": 0}},
                 "maxNorm": {"class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}},
                 "minMaxNorm": {"class_name": "MinMaxNorm",
                                "config": {"min_value": 0, "max_value": 1, "rate": 1, "axis": 0}}}
        if name in table:
            return table[name]
        return {"class_name": value, "config": {}}
    if hasattr(value, "serialize"):
        return value.serialize()
    if hasattr(value, "get_config"):
        name = value.get_class_name() if hasattr(value, "get_class_name") else type(value).__name__
        return {"class_name": name, "config": value.get_config()}
    return value
