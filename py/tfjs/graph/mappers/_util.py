"""Helpers the op mappers share: reading small tensors as Python values, axes, padding attrs."""

from __future__ import annotations

import numpy as np

from ...errors import FormatError


def ints(value) -> list[int]:
    """A shape/axis/index tensor as a list of Python ints."""
    return [int(v) for v in np.asarray(value).reshape(-1)]


def scalar(value):
    arr = np.asarray(value)
    if arr.size != 1:
        raise ValueError(f"expected a scalar, got shape {list(arr.shape)}")
    return arr.reshape(()).item()


def axis_list(value, rank: int) -> list[int]:
    return [a % rank if rank else 0 for a in ints(value)]


def as_array(value) -> np.ndarray:
    return value if isinstance(value, np.ndarray) else np.asarray(value)


def spatial(node, name: str, default, n: int = 2) -> list[int]:
    """strides / dilations / ksize attrs: [1, h, w, 1] (NHWC) or [1, 1, h, w] (NCHW) -> [h, w]."""
    value = node.attr(name, default)
    if isinstance(value, int):
        return [value] * n
    value = list(value)
    if len(value) == n:
        return value
    if len(value) == n + 2:
        if data_format(node).startswith("nc"):
            return value[2:]
        return value[1:-1]
    raise FormatError(f"{node.describe()}: attribute '{name}' should have {n + 2} values, got {value}")


def data_format(node) -> str:
    return node.str_attr("data_format", "nhwc")


def padding(node, n: int = 2):
    """'same', 'valid' or explicit [[before, after], ...] for the spatial dims."""
    pad = node.str_attr("padding", "valid")
    if pad == "explicit":
        flat = list(node.attr("explicit_paddings", []))
        pairs = [flat[i:i + 2] for i in range(0, len(flat), 2)]
        if len(pairs) != n + 2:
            raise FormatError(f"{node.describe()}: explicit_paddings should have {2 * (n + 2)} values, got {flat}")
        return pairs[2:] if data_format(node).startswith("nc") else pairs[1:-1]
    return pad


def to_nhwc(node, x):
    if data_format(node).startswith("nc") and np.ndim(x) >= 3:
        return np.moveaxis(x, 1, -1)
    return x


def from_nhwc(node, y):
    if data_format(node).startswith("nc") and np.ndim(y) >= 3:
        return np.ascontiguousarray(np.moveaxis(y, -1, 1))
    return y
