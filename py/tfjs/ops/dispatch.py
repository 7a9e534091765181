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
    arr = np.asarray(value)
    if dtype is None:
        return arr
    if arr.dtype != dtype:
        arr = arr.astype(dtype)
    return arr


def run(op_name: str, *inputs: Any, **attrs: Any) -> Any:
    """Run ``op_name`` on the active backend; kernel errors name the op and the input shapes."""
    kernel = backends.get_kernel(op_name)
    try:
        return kernel(*inputs, **attrs)
    except TfjsError:
        raise
    except (ValueError, IndexError) as e:
        shapes = [list(np.shape(x)) if not isinstance(x, (list, tuple)) else [list(np.shape(v)) for v in x]
                  for x in inputs]
        raise ValueError(f"{op_name} failed on inputs of shapes {shapes}: {e}") from e
