"""Pooling layers: Max/Average Pooling 1D/2D/3D and global pooling."""

from __future__ import annotations

import numpy as np

from .. import ops
from .base import Layer
from .common import conv_output_length, from_channels_last, make_shape, spatial_dims, to_channels_last
from .params import P


class _Pooling(Layer):
    RANK = 2
    MODE = "max"

    def init(self):
        if self.cfg["strides"] is None:
            self.cfg["strides"] = list(self.cfg["pool_size"])

    @property
    def data_format(self):
        return self.cfg.get("data_format") or self.extra_config.get("data_format") or "channels_last"

    def compute_output_shape(self, input_shape):
        batch, spatial, c = spatial_dims(input_shape, self.data_format, self.RANK)
        out = [conv_output_length(s, k, self.cfg["padding"], st) for s, k, st in
               zip(spatial, self.cfg["pool_size"], self.cfg["strides"])]
        return make_shape(batch, out, c, self.data_format)

    def call(self, inputs, mask=None, **kwargs):
        x = to_channels_last(ops.tensor(inputs), self.data_format)
        if self.RANK == 1:
            x = ops.reshape(x, [x.shape[0], x.shape[1], 1, x.shape[2]])
            ksize, strides = [self.cfg["pool_size"][0], 1], [self.cfg["strides"][0], 1]
        else:
            ksize, strides = self.cfg["pool_size"], self.cfg["strides"]
        fn = ops.max_pool if self.MODE == "max" else ops.avg_pool
        y = fn(x, ksize, strides, self.cfg["padding"])
        if self.RANK == 1:
            y = ops.reshape(y, [y.shape[0], y.shape[1], y.shape[3]])
        return from_channels_last(y, self.data_format)


def _pool_params(n, with_format):
    params = [P("pool_size", 2, "tuple", n), P("padding", "valid", "enum"), P("strides", None, "tuple", n)]
    if with_format:
        params.append(P("data_format", "channels_last", "enum"))
    return params


class MaxPooling1D(_Pooling):
    RANK, MODE, PARAMS = 1, "max", _pool_params(1, False)


class AveragePooling1D(_Pooling):
    RANK, MODE, PARAMS = 1, "avg", _pool_params(1, False)


class MaxPooling2D(_Pooling):
    RANK, MODE, PARAMS = 2, "max", _pool_params(2, True)


class AveragePooling2D(_Pooling):
    RANK, MODE, PARAMS = 2, "avg", _pool_params(2, True)


class MaxPooling3D(_Pooling):
    RANK, MODE, PARAMS = 3, "max", _pool_params(3, True)


class AveragePooling3D(_Pooling):
    RANK, MODE, PARAMS = 3, "avg", _pool_params(3, True)


class _GlobalPooling(Layer):
    RANK = 2
    MODE = "avg"

    @property
    def data_format(self):
        return self.cfg.get("data_format") or self.extra_config.get("data_format") or "channels_last"

    def _axes(self):
        return list(range(2, 2 + self.RANK)) if self.data_format == "channels_first" else list(range(1, 1 + self.RANK))

    def compute_output_shape(self, input_shape):
        batch, spatial, c = spatial_dims(input_shape, self.data_format, self.RANK)
        if self.extra_config.get("keepdims"):
            return make_shape(batch, [1] * self.RANK, c, self.data_format)
        return [batch, c]

    def call(self, inputs, mask=None, **kwargs):
        keep = bool(self.extra_config.get("keepdims"))
        fn = ops.mean if self.MODE == "avg" else ops.max
        return fn(inputs, axis=self._axes(), keep_dims=keep)


class GlobalAveragePooling1D(_GlobalPooling):
    RANK, MODE = 1, "avg"


class GlobalMaxPooling1D(_GlobalPooling):
    RANK, MODE = 1, "max"


class GlobalAveragePooling2D(_GlobalPooling):
    RANK, MODE, PARAMS = 2, "avg", [P("data_format", "channels_last", "enum")]


class GlobalMaxPooling2D(_GlobalPooling):
    RANK, MODE, PARAMS = 2, "max", [P("data_format", "channels_last", "enum")]
