"""Padding, cropping and upsampling of images: ZeroPadding2D, Cropping2D, UpSampling2D."""

from __future__ import annotations

import numpy as np

from .. import ops
from .base import Layer
from .common import from_channels_last, make_shape, spatial_dims, to_channels_last
from .params import P


def _pairs(value, what):
    if isinstance(value, (int, float)):
        return [[int(value)] * 2, [int(value)] * 2]
    value = list(value)
    if len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
        return [[int(value[0])] * 2, [int(value[1])] * 2]
    if len(value) == 2:
        return [[int(a) for a in value[0]], [int(a) for a in value[1]]]
    raise ValueError(f"{what}: expected an integer, 2 integers or 2 pairs of integers, got {value}")


class _Image(Layer):
    @property
    def data_format(self):
        return self.cfg.get("data_format") or "channels_last"


class ZeroPadding2D(_Image):
    PARAMS = [P("padding", 1), P("data_format", "channels_last", "enum")]

    def init(self):
        self.cfg["padding"] = _pairs(self.cfg["padding"], f"ZeroPadding2D '{self.name}' padding")

    def compute_output_shape(self, input_shape):
        batch, (h, w), c = spatial_dims(input_shape, self.data_format, 2)
        (t, b), (l, r) = self.cfg["padding"]
        return make_shape(batch, [None if h is None else h + t + b, None if w is None else w + l + r], c,
                          self.data_format)

    def call(self, inputs, mask=None, **kwargs):
        x = to_channels_last(ops.tensor(inputs), self.data_format)
        (t, b), (l, r) = self.cfg["padding"]
        return from_channels_last(ops.pad(x, [[0, 0], [t, b], [l, r], [0, 0]]), self.data_format)


class Cropping2D(_Image):
    PARAMS = [P("cropping", 0), P("data_format", "channels_last", "enum")]
    class_name = "Cropping2D"

    def init(self):
        self.cfg["cropping"] = _pairs(self.cfg["cropping"], f"Cropping2D '{self.name}' cropping")

    def compute_output_shape(self, input_shape):
        batch, (h, w), c = spatial_dims(input_shape, self.data_format, 2)
        (t, b), (l, r) = self.cfg["cropping"]
        return make_shape(batch, [None if h is None else h - t - b, None if w is None else w - l - r], c,
                          self.data_format)

    def call(self, inputs, mask=None, **kwargs):
        x = to_channels_last(ops.tensor(inputs), self.data_format)
        (t, b), (l, r) = self.cfg["cropping"]
        return from_channels_last(ops.slice(x, [0, t, l, 0], [x.shape[0], x.shape[1] - t - b, x.shape[2] - l - r,
                                                              x.shape[3]]), self.data_format)


class UpSampling2D(_Image):
    """``size`` is written back as given (an int stays an int), as TF.js does."""

    PARAMS = [P("size", [2, 2]), P("data_format", "channels_last", "enum"), P("interpolation", "nearest", "enum")]

    @property
    def _size(self):
        return P("size", None, "tuple", 2).read(self.cfg["size"], f"UpSampling2D '{self.name}'")

    def compute_output_shape(self, input_shape):
        batch, (h, w), c = spatial_dims(input_shape, self.data_format, 2)
        sh, sw = self._size
        return make_shape(batch, [None if h is None else h * sh, None if w is None else w * sw], c,
                          self.data_format)

    def call(self, inputs, mask=None, **kwargs):
        x = to_channels_last(ops.tensor(inputs), self.data_format)
        size = [x.shape[1] * self._size[0], x.shape[2] * self._size[1]]
        if self.cfg["interpolation"] == "nearest":
            y = ops.resize_nearest_neighbor(x, size)
        else:
            y = ops.resize_bilinear(x, size)
        return from_channels_last(y, self.data_format)
