"""Preprocessing layers TF.js 4.22 registers beyond Rescaling / Resizing / CenterCrop: CategoryEncoding,
RandomHeight and RandomWidth, with TF.js's semantics.

- ``CategoryEncoding``: integer inputs (cast by truncation, as TF.js casts) to ``multi_hot`` / ``one_hot`` /
  ``count`` vectors of ``num_tokens``; a rank-1 input in multi_hot or count mode is one sample (one vector).
  Values outside [0, num_tokens) are an error naming the layer.
- ``RandomHeight`` / ``RandomWidth``: each call draws a factor in [1 + lower, 1 + upper] and resizes the height
  (width) to ``round(factor * size)`` with TF.js's resize (no corner alignment, no half-pixel centers). As in
  TF.js 4.22, this happens whether or not the call is a training one.
"""

from __future__ import annotations

import numpy as np

from .. import ops
from .base import Layer, shape_str
from .params import REQUIRED, P

_MODES = ("multi_hot", "one_hot", "count")


class CategoryEncoding(Layer):
    PARAMS = [P("num_tokens", REQUIRED), P("output_mode", "multi_hot", "enum")]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.cfg["output_mode"] not in _MODES + ("int", "tf_idf"):
            raise ValueError(f"CategoryEncoding '{self.name}': unknown output_mode {self.cfg['output_mode']!r}; "
                             f"expected one of {', '.join(_MODES)}")

    def compute_output_shape(self, input_shape):
        if input_shape is None:
            return [self.cfg["num_tokens"]]
        shape = list(input_shape)
        if self.cfg["output_mode"] == "one_hot" and shape[-1] != 1:
            return shape + [self.cfg["num_tokens"]]
        shape[-1] = self.cfg["num_tokens"]
        return shape

    def call(self, inputs, mask=None, count_weights=None, **kwargs):
        mode, depth = self.cfg["output_mode"], self.cfg["num_tokens"]
        x = np.asarray(inputs)
        x = np.trunc(x).astype(np.int32) if x.dtype.kind == "f" else x.astype(np.int32)
        if count_weights is not None and mode != "count":
            raise ValueError(f"CategoryEncoding '{self.name}': count_weights is only used when output_mode is "
                             f"count (it is {mode})")
        if x.size and (x.max() >= depth or x.min() < 0):
            raise ValueError(f"CategoryEncoding '{self.name}': input values must be in [0, {depth}) with "
                             f"num_tokens={depth}; got values from {x.min()} to {x.max()}")
        if mode == "int":
            return x
        original = x.shape
        if x.ndim == 0:
            x = x[None]
        if mode == "one_hot" and x.shape[-1] != 1:
            x = x[..., None]
        if x.ndim > 2:
            raise ValueError(f"CategoryEncoding '{self.name}': when output_mode is not int, the output rank is at "
                             f"most 2; input shape {shape_str(original)} would give rank {x.ndim}")
        weights = None if count_weights is None else np.asarray(count_weights, np.float32).reshape(x.shape)
        rows = x[None] if x.ndim == 1 else x
        wrows = None if weights is None else (weights[None] if weights.ndim == 1 else weights)
        out = np.zeros((rows.shape[0], depth), np.float32)
        for r in range(rows.shape[0]):
            out[r] = np.bincount(rows[r], None if wrows is None else wrows[r], depth)[:depth]
        if mode in ("multi_hot", "one_hot"):
            out = (out > 0).astype(np.float32)
        return out[0] if x.ndim == 1 else out


class _RandomResize(Layer):
    """Shared by RandomHeight / RandomWidth: the factor range, the interpolation, the seed."""

    PARAMS = [P("factor", REQUIRED), P("interpolation", "bilinear", "enum"), P("seed", None)]
    AXIS = -3

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        factor = self.cfg["factor"]
        what = self.get_class_name()
        if isinstance(factor, (list, tuple)) and len(factor) == 2:
            self.lower, self.upper = float(factor[0]), float(factor[1])
        elif not isinstance(factor, (list, tuple)) and factor is not None and factor > 0:
            self.lower, self.upper = -float(factor), float(factor)
        else:
            raise ValueError(f"{what} '{self.name}': invalid factor: {factor}. Must be positive number or tuple "
                             f"of 2 numbers")
        if self.lower < -1.0 or self.upper < -1.0:
            raise ValueError(f"{what} '{self.name}': factor must have values larger than -1. Got: {factor}")
        if self.upper < self.lower:
            raise ValueError(f"{what} '{self.name}': factor cannot have upper bound less than lower bound. Got "
                             f"upper bound: {self.upper}. Got lower bound: {self.lower}")
        if self.cfg["interpolation"] not in ("bilinear", "nearest"):
            raise ValueError(f"{what} '{self.name}': invalid interpolation parameter: "
                             f"{self.cfg['interpolation']} is not implemented")
        self._rng = np.random.default_rng(self.cfg["seed"])

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[self.AXIS] = None
        return shape

    def call(self, inputs, mask=None, **kwargs):
        x = ops.tensor(inputs)
        if x.ndim not in (3, 4):
            raise ValueError(f"{self.get_class_name()} '{self.name}': expected an image of rank 3 or 4, got shape "
                             f"{shape_str(x.shape)}")
        factor = np.float32(self._rng.uniform(1.0 + self.lower, 1.0 + self.upper))
        size = [x.shape[-3], x.shape[-2]]
        k = 0 if self.AXIS == -3 else 1
        size[k] = int(np.floor(float(factor) * size[k] + 0.5))  # JavaScript's Math.round
        squeeze = x.ndim == 3
        x = x[None] if squeeze else x
        resize = ops.resize_nearest_neighbor if self.cfg["interpolation"] == "nearest" else ops.resize_bilinear
        y = resize(x, size, False, False)
        return y[0] if squeeze else y


class RandomHeight(_RandomResize):
    AXIS = -3


class RandomWidth(_RandomResize):
    AXIS = -2
