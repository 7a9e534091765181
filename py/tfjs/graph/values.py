"""Values flowing through a graph: arrays in TF.js dtypes, resources (tensor arrays, lists, hash tables),
and the dead marker of v1 control flow (the output of a Switch branch not taken)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import TfjsError, UnsupportedError


class GraphExecutionError(TfjsError, ValueError):
    """An op failed while a graph model ran; the message names the node, the op and the inputs."""


class UnsupportedOpsError(UnsupportedError):
    """A graph model uses ops this package has no kernel for; the message lists each with its nodes."""


class _Dead:
    __slots__ = ()

    def __repr__(self) -> str:
        return "DEAD"

    def __getitem__(self, index: int) -> "_Dead":  # every output of a dead node is dead
        return self


DEAD = _Dead()

_INT_KINDS = "iu"


def normalize(value: Any) -> Any:
    """An op output in a TF.js dtype: float32, int32, bool, complex64 or object (strings); resources as is."""
    if isinstance(value, np.ndarray):
        dt = value.dtype
        if dt == np.float32 or dt == np.int32 or dt == np.bool_ or dt == np.complex64 or dt == object:
            return value
        kind = dt.kind
        if kind == "f":
            return value.astype(np.float32)
        if kind in _INT_KINDS:
            return value.astype(np.int32)
        if kind == "c":
            return value.astype(np.complex64)
        if kind in "SU":
            return value.astype(object)
        return value
    if isinstance(value, (np.generic, int, float, bool)):
        return normalize(np.asarray(value))
    return value


def describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        dtype = "string" if value.dtype == object else str(value.dtype)
        return f"{dtype}{list(value.shape)}"
    if value is DEAD:
        return "dead"
    return type(value).__name__
