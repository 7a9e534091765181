"""Convolution layers: Conv1D/2D/3D, Conv2DTranspose/Conv3DTranspose, DepthwiseConv2D, SeparableConv2D."""

from __future__ import annotations

import numpy as np

from .. import ops
from .base import Layer
from .common import (BIAS_PARAMS, apply_activation, conv_output_length, deconv_length, from_channels_last,
                     make_shape, spatial_dims, to_channels_last)
from .params import REQUIRED, P

KERNEL_PARAMS = [P("kernel_initializer", "glorot_normal", "init"), P("kernel_regularizer", None, "reg"),
                 P("kernel_constraint", None, "con")]


def _window_params(n, with_format=True, with_dilation=True):
    params = [P("kernel_size", REQUIRED, "tuple", n), P("strides", 1, "tuple", n), P("padding", "valid", "enum")]
    if with_format:
        params.append(P("data_format", "channels_last", "enum"))
    if with_dilation:
        params.append(P("dilation_rate", 1, "tuple", n))
    return params + [P("activation", None, "act")] + BIAS_PARAMS


class _Conv(Layer):
    RANK = 2

    @property
    def data_format(self):
        return self.cfg.get("data_format") or self.extra_config.get("data_format") or "channels_last"

    def _channels(self, input_shape):
        _, _, c = spatial_dims(input_shape, self.data_format, self.RANK)
        if c is None:
            raise ValueError(f"{self.get_class_name()} '{self.name}': the channel dimension of the inputs should "
                             f"be defined. Found `None` (input shape {list(input_shape)}).")
        return c

    def _bias(self, size):
        if not self.cfg["use_bias"]:
            return None
        return self.add_weight("bias", [size], self.cfg["bias_initializer"], self.cfg["bias_regularizer"], True,
                               self.cfg["bias_constraint"])

    def _dilation(self):
        return self.cfg.get("dilation_rate") or [1] * self.RANK

    def compute_output_shape(self, input_shape):
        batch, spatial, _ = spatial_dims(input_shape, self.data_format, self.RANK)
        out = [conv_output_length(s, k, self.cfg["padding"], st, d) for s, k, st, d in
               zip(spatial, self.cfg["kernel_size"], self.cfg["strides"], self._dilation())]
        return make_shape(batch, out, self._out_channels(input_shape), self.data_format)

    def _out_channels(self, input_shape):
        return self.cfg["filters"]

    def _finish(self, y):
        if self.bias is not None:
            y = ops.add(y, self.bias.value)
        y = apply_activation(self.cfg["activation"], y)
        return from_channels_last(y, self.data_format)


class Conv(_Conv):
    def build(self, input_shape):
        c = self._channels(input_shape)
        self.kernel = self.add_weight("kernel", list(self.cfg["kernel_size"]) + [c, self.cfg["filters"]],
                                      self.cfg["kernel_initializer"], self.cfg["kernel_regularizer"], True,
                                      self.cfg["kernel_constraint"])
        self.bias = self._bias(self.cfg["filters"])

    def call(self, inputs, mask=None, **kwargs):
        x = to_channels_last(ops.tensor(inputs), self.data_format)
        pad = self.cfg["padding"]
        if pad == "causal":
            left = (self.cfg["kernel_size"][0] - 1) * self._dilation()[0]
            x = ops.pad(x, [[0, 0], [left, 0], [0, 0]])
            pad = "valid"
        if self.RANK == 1:  # a 2-D convolution of height 1, reshaped through ops (so gradients flow)
            n, w, cin = x.shape
            k = self.kernel.value
            pads = pad if isinstance(pad, str) else [[0, 0], list(pad[0])]
            y = ops.conv2d(ops.reshape(x, [n, 1, w, cin]), ops.reshape(k, [1, *k.shape]),
                           (1, self.cfg["strides"][0]), pads, (1, self._dilation()[0]))
            y = ops.reshape(y, [y.shape[0], y.shape[2], y.shape[3]])
        elif self.RANK == 2:
            y = ops.conv2d(x, self.kernel.value, self.cfg["strides"], pad, self._dilation())
        else:
            y = ops.conv3d(x, self.kernel.value, self.cfg["strides"], pad, self._dilation())
        return self._finish(y)


class Conv1D(Conv):
    RANK = 1
    PARAMS = [P("filters", REQUIRED)] + KERNEL_PARAMS + _window_params(1, with_format=False)


class Conv2D(Conv):
    RANK = 2
    PARAMS = [P("filters", REQUIRED)] + KERNEL_PARAMS + _window_params(2)


class Conv3D(Conv):
    RANK = 3
    PARAMS = [P("filters", REQUIRED)] + KERNEL_PARAMS + _window_params(3)


class Conv2DTranspose(_Conv):
    RANK = 2
    PARAMS = [P("filters", REQUIRED)] + KERNEL_PARAMS + _window_params(2, with_dilation=False)

    def build(self, input_shape):
        c = self._channels(input_shape)
        self.kernel = self.add_weight("kernel", list(self.cfg["kernel_size"]) + [self.cfg["filters"], c],
                                      self.cfg["kernel_initializer"], self.cfg["kernel_regularizer"], True,
                                      self.cfg["kernel_constraint"])
        self.bias = self._bias(self.cfg["filters"])

    def compute_output_shape(self, input_shape):
        batch, spatial, _ = spatial_dims(input_shape, self.data_format, self.RANK)
        out = [deconv_length(s, st, k, self.cfg["padding"]) for s, st, k in
               zip(spatial, self.cfg["strides"], self.cfg["kernel_size"])]
        return make_shape(batch, out, self.cfg["filters"], self.data_format)

    def call(self, inputs, mask=None, **kwargs):
        x = to_channels_last(ops.tensor(inputs), self.data_format)
        out_sizes = [deconv_length(s, st, k, self.cfg["padding"]) for s, st, k in
                     zip(x.shape[1:-1], self.cfg["strides"], self.cfg["kernel_size"])]
        out_shape = [x.shape[0], *out_sizes, self.cfg["filters"]]
        fn = ops.conv2d_transpose if self.RANK == 2 else ops.conv3d_transpose
        y = fn(x, self.kernel.value, out_shape, self.cfg["strides"], self.cfg["padding"])
        return self._finish(y)


class Conv3DTranspose(Conv2DTranspose):
    RANK = 3
    PARAMS = [P("filters", REQUIRED)] + KERNEL_PARAMS + _window_params(3, with_dilation=False)


class DepthwiseConv2D(_Conv):
    RANK = 2
    BASE_KEYS_AFTER = "bias_constraint"  # TF.js: the base conv keys, the layer's, then its own
    PARAMS = _window_params(2) + [P("depth_multiplier", 1), P("depthwise_initializer", "glorot_normal", "init"),
                                  P("depthwise_regularizer", None, "reg"), P("depthwise_constraint", None, "con")]

    def build(self, input_shape):
        c = self._channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", list(self.cfg["kernel_size"]) + [c, self.cfg["depth_multiplier"]],
            self.cfg["depthwise_initializer"], self.cfg["depthwise_regularizer"], True,
            self.cfg["depthwise_constraint"])
        self.bias = self._bias(c * self.cfg["depth_multiplier"])

    def _out_channels(self, input_shape):
        _, _, c = spatial_dims(input_shape, self.data_format, self.RANK)
        return None if c is None else c * self.cfg["depth_multiplier"]

    def call(self, inputs, mask=None, **kwargs):
        x = to_channels_last(ops.tensor(inputs), self.data_format)
        y = ops.depthwise_conv2d(x, self.depthwise_kernel.value, self.cfg["strides"], self.cfg["padding"],
                                 self._dilation())
        return self._finish(y)


class SeparableConv2D(_Conv):
    """depth_multiplier (absent from TF.js's saved config) is read when present and written back only then."""

    RANK = 2
    BASE_KEYS_AFTER = "bias_constraint"
    PARAMS = [P("filters", REQUIRED)] + _window_params(2) + [
        P("depthwise_initializer", "glorot_uniform", "init"), P("pointwise_initializer", "glorot_uniform", "init"),
        P("depthwise_regularizer", None, "reg"), P("pointwise_regularizer", None, "reg"),
        P("depthwise_constraint", None, "con"), P("pointwise_constraint", None, "con")]

    def build(self, input_shape):
        c = self._channels(input_shape)
        mult = int(self.extra_config.get("depth_multiplier", 1))
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", list(self.cfg["kernel_size"]) + [c, mult], self.cfg["depthwise_initializer"],
            self.cfg["depthwise_regularizer"], True, self.cfg["depthwise_constraint"])
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", [1, 1, c * mult, self.cfg["filters"]], self.cfg["pointwise_initializer"],
            self.cfg["pointwise_regularizer"], True, self.cfg["pointwise_constraint"])
        self.bias = self._bias(self.cfg["filters"])

    def call(self, inputs, mask=None, **kwargs):
        x = to_channels_last(ops.tensor(inputs), self.data_format)
        y = ops.separable_conv2d(x, self.depthwise_kernel.value, self.pointwise_kernel.value, self.cfg["strides"],
                                 self.cfg["padding"], self._dilation())
        return self._finish(y)
