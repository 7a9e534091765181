"""Values into op inputs with TF.js's dtype rules, and TF.js's argument checks.

A Python number or list becomes float32 (as a JS number does), a Python bool bool, a string a string tensor;
a numpy array keeps its kind in TF.js's dtypes (int -> int32, float -> float32, complex -> complex64); a
backend's device tensor (webgl) passes through untouched.
"""

from __future__ import annotations

import numpy as np

from .. import kernel_names as K
from ..errors import InvalidArgumentError
from ..ops.dispatch import run

DTYPES = ("float32", "int32", "bool", "complex64", "string")
_NP = {"float32": np.float32, "int32": np.int32, "bool": np.bool_, "complex64": np.complex64, "string": object}


def dtype_of(x) -> str:
    """TF.js's name of an array's dtype."""
    kind = np.dtype(x.dtype).kind
    return {"f": "float32", "i": "int32", "u": "int32", "b": "bool", "c": "complex64"}.get(kind, "string")


def _host(value) -> np.ndarray:
    arr = np.asarray(value)
    kind = arr.dtype.kind
    if kind in "iu" and not isinstance(value, (np.ndarray, np.generic)):
        return arr.astype(np.float32)  # a Python int, as a JS number, is a float
    if kind in "iu":
        return arr.astype(np.int32, copy=False)
    if kind == "f":
        return arr.astype(np.float32, copy=False)
    if kind == "c":
        return arr.astype(np.complex64, copy=False)
    if kind in "US":
        out = np.empty(arr.shape, object)
        out.reshape(-1)[:] = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in arr.reshape(-1).tolist()]
        return out
    return arr


def convert(value, name: str = "x", op: str = "", dtype: str | None = None):
    """An op input: a numpy array (or device tensor) in one of TF.js's dtypes; ``dtype`` casts to it."""
    if value is None:
        raise InvalidArgumentError(f"Argument '{name}' passed to '{op}' must be a Tensor or TensorLike, "
                                   f"but got 'null'")
    if getattr(value, "__tfjs_tensor__", False):
        return value if dtype is None or dtype_of(value) == dtype else run(K.Cast, value, dtype=dtype)
    arr = _host(value)
    if dtype is not None and dtype_of(arr) != dtype:
        arr = arr.astype(_NP[dtype])
    return arr


def upcast(*dtypes: str) -> str:
    """TF.js's upcastType: complex64 over float32 over int32 over bool."""
    for d in ("complex64", "float32", "int32"):
        if d in dtypes:
            return d
    return "bool" if dtypes else "float32"


def match(a, b, op: str):
    """Two inputs in their common dtype (TF.js's makeTypesMatch)."""
    a, b = convert(a, "a", op), convert(b, "b", op)
    da, db = dtype_of(a), dtype_of(b)
    if da != db:
        common = upcast(da, db)
        a, b = convert(a, "a", op, common), convert(b, "b", op, common)
    return a, b


def broadcast_shape(a, b) -> list[int]:
    """The broadcast shape of two arrays, or TF.js's error text."""
    try:
        return list(np.broadcast_shapes(tuple(a.shape), tuple(b.shape)))
    except ValueError:
        raise InvalidArgumentError(f"Operands could not be broadcast together with shapes "
                                   f"{','.join(map(str, a.shape))} and {','.join(map(str, b.shape))}.") from None


def parse_axis(axis, rank: int) -> list[int]:
    """TF.js's parseAxisParam: None -> every axis; negatives counted from the end; out of range -> error."""
    if axis is None:
        return list(range(rank))
    axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    for a in axes:
        if not -rank <= a < max(rank, 1):
            raise InvalidArgumentError(f"All values in axis param must be in range [-{rank}, {rank}) but got "
                                       f"axis {','.join(map(str, axes))}")
    return [int(a) % rank if rank else 0 for a in axes]


def shape_of(x) -> list[int]:
    return [int(d) for d in x.shape]
