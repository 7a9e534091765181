"""Running an op: find the active backend's kernel by the op's name and call it."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import backends
from ..errors import TfjsError


def tensor(value: Any, dtype: str | None = "float32") -> np.ndarray:
    """A numpy array for an op input: float32 unless the value is already an integer/bool array or
    dtype says otherwise."""
    if isinstance(value, np.ndarray) and dtype is None:
        return value
    if getattr(value, "__tfjs_tensor__", False) and (dtype is None or value.dtype == dtype):
        return value  # a backend's device-resident tensor (webgl) passes through to that backend's kernels
    arr = np.asarray(value)
    if dtype is None:
        return arr
    if arr.dtype != dtype:
        arr = arr.astype(dtype)
    return arr


# Set by tfjs.training.tape while a gradient tape records: called with (op_name, inputs, attrs, output) and
# returns the output. None otherwise, and then running an op costs nothing more.
recorder = None


def run(op_name: str, *inputs: Any, **attrs: Any) -> Any:
    """Run ``op_name`` on the active backend; kernel errors name the op and the input shapes."""
    kernel = backends.get_kernel(op_name)
    try:
        out = kernel(*inputs, **attrs)
    except TfjsError:
        raise
    except (ValueError, IndexError) as e:
        shapes = [list(np.shape(x)) if not isinstance(x, (list, tuple)) else [list(np.shape(v)) for v in x]
                  for x in inputs]
        raise ValueError(f"{op_name} failed on inputs of shapes {shapes}: {e}") from e
    if recorder is not None:  # a gradient tape is recording (tfjs.training.tape)
        return recorder(op_name, inputs, attrs, out)
    return out
