"""Weight constraints (``tf.constraints``): projections applied to a weight after each optimizer step and when
its value is set (``set_weights``, loading), with TF.js's classes, defaults and configs.

    tf.layers.dense(units=4, kernel_constraint=tf.constraints.max_norm(max_value=1.5, axis=0))

``axis`` is an int or a list of ints (the norm is taken over those axes, kept for broadcasting). The norms use
TF.js's epsilon (1e-7) in the denominator: ``w * desired / (epsilon + norms)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UnsupportedError
from ..naming import to_camel_case, to_snake_case
from .serializable import Serializable

EPSILON = np.float32(1e-7)
F32 = np.float32


def _axis(axis) -> int | tuple[int, ...]:
    return tuple(int(a) for a in axis) if isinstance(axis, (list, tuple)) else int(axis)


def _l2_norms(w: np.ndarray, axis) -> np.ndarray:
    return np.sqrt(np.sum(w * w, axis=_axis(axis), keepdims=True, dtype=F32)).astype(F32)


class Constraint(Serializable):
    """A projection of a weight's value; ``apply(w)`` returns the constrained array."""

    class_name = "Constraint"


class MaxNorm(Constraint):
    """Each slice's L2 norm (over ``axis``) is at most ``max_value``."""

    class_name = "MaxNorm"

    def __init__(self, max_value: float = 2, axis: int | list[int] = 0):
        self.max_value = 2 if max_value is None else max_value
        self.axis = 0 if axis is None else axis

    def apply(self, w):
        w = np.asarray(w, F32)
        norms = _l2_norms(w, self.axis)
        desired = np.clip(norms, F32(0), F32(self.max_value))
        return (w * (desired / (EPSILON + norms))).astype(F32)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class UnitNorm(Constraint):
    """Each slice's L2 norm (over ``axis``) is 1."""

    class_name = "UnitNorm"

    def __init__(self, axis: int | list[int] = 0):
        self.axis = 0 if axis is None else axis

    def apply(self, w):
        w = np.asarray(w, F32)
        return (w / (EPSILON + _l2_norms(w, self.axis))).astype(F32)

    def get_config(self):
        return {"axis": self.axis}


class NonNeg(Constraint):
    """No negative values."""

    class_name = "NonNeg"

    def apply(self, w):
        return np.maximum(np.asarray(w, F32), F32(0))


class MinMaxNorm(Constraint):
    """Each slice's L2 norm is moved towards [min_value, max_value] at ``rate`` (1: all the way)."""

    class_name = "MinMaxNorm"

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: int | list[int] = 0):
        self.min_value = 0.0 if min_value is None else min_value
        self.max_value = 1.0 if max_value is None else max_value
        self.rate = 1.0 if rate is None else rate
        self.axis = 0 if axis is None else axis

    def apply(self, w):
        w = np.asarray(w, F32)
        norms = _l2_norms(w, self.axis)
        clipped = np.clip(norms, F32(self.min_value), F32(self.max_value))
        desired = F32(self.rate) * clipped + F32(1.0 - self.rate) * norms
        return (w * (desired / (EPSILON + norms))).astype(F32)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


CLASSES: dict[str, type[Constraint]] = {c.class_name: c for c in (MaxNorm, UnitNorm, NonNeg, MinMaxNorm)}
# TF.js's string identifiers.
IDENTIFIERS = {"maxNorm": "MaxNorm", "minMaxNorm": "MinMaxNorm", "nonNeg": "NonNeg", "unitNorm": "UnitNorm"}
_custom: dict[str, type] = {}


def register(name: str, cls: type) -> type:
    """Register a custom constraint class (``apply(w)``, ``get_config()``, constructed from its config)."""
    _custom[name] = cls
    return cls


def deserialize(identifier: Any) -> Constraint | None:
    """A constraint object for None, a Constraint, a TF.js identifier ('maxNorm', 'MaxNorm', 'max_norm') or a
    serialized ``{class_name, config}`` (config keys in either case)."""
    if identifier is None or isinstance(identifier, Constraint) or hasattr(identifier, "apply") and \
            not isinstance(identifier, (str, dict)):
        return identifier
    if isinstance(identifier, str):
        name = IDENTIFIERS.get(to_camel_case(identifier), identifier)
        identifier = {"class_name": name, "config": {}}
    if not isinstance(identifier, dict) or "class_name" not in identifier:
        raise UnsupportedError(f"Unknown constraint: {identifier!r}")
    name = identifier["class_name"]
    cls = CLASSES.get(name) or _custom.get(name)
    if cls is None:
        raise UnsupportedError(f"Unknown constraint: {name}. Known: {', '.join(sorted(CLASSES))}; register others "
                               f"with tf.constraints.register(name, cls)")
    config = {to_snake_case(k): v for k, v in (identifier.get("config") or {}).items()}
    try:
        return cls(**config)
    except TypeError as exc:
        raise UnsupportedError(f"Constraint {name}: bad config {identifier.get('config')!r}: {exc}") from exc


# ---------------------------------------------------------------------------------- TF.js's factories
def max_norm(max_value: float = 2, axis: int | list[int] = 0) -> MaxNorm:
    return MaxNorm(max_value, axis)


def unit_norm(axis: int | list[int] = 0) -> UnitNorm:
    return UnitNorm(axis)


def non_neg() -> NonNeg:
    return NonNeg()


def min_max_norm(min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: int | list[int] = 0) -> MinMaxNorm:
    return MinMaxNorm(min_value, max_value, rate, axis)


__all__ = ["Constraint", "MaxNorm", "UnitNorm", "NonNeg", "MinMaxNorm", "max_norm", "unit_norm", "non_neg",
           "min_max_norm", "deserialize", "register"]
