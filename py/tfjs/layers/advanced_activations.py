"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax."""

from __future__ import annotations

import numpy as np

from .. import ops
from .base import Layer
from .params import P


class ReLU(Layer):
    PARAMS = [P("max_value", None)]
    supports_masking = True

    def call(self, inputs, mask=None, **kwargs):
        slope = self.extra_config.get("negative_slope", 0) or 0
        threshold = self.extra_config.get("threshold", 0) or 0
        x = ops.tensor(inputs)
        if slope or threshold:
            y = ops.where(np.asarray(x) >= threshold, x, ops.mul(ops.sub(x, float(threshold)), float(slope)))
        else:
            y = ops.relu(x)
        if self.cfg["max_value"] is not None:
            y = ops.clip_by_value(y, -np.inf, self.cfg["max_value"])
        return y


class LeakyReLU(Layer):
    PARAMS = [P("alpha", 0.3)]
    supports_masking = True

    def call(self, inputs, mask=None, **kwargs):
        alpha = self.extra_config.get("negative_slope", self.cfg["alpha"])
        return ops.leaky_relu(inputs, alpha)


class PReLU(Layer):
    PARAMS = [P("alpha_initializer", "zeros", "init"), P("alpha_regularizer", None, "reg"),
              P("alpha_constraint", None, "con"), P("shared_axes", None)]
    supports_masking = True

    def build(self, input_shape):
        shape = list(input_shape[1:])
        shared = self.cfg["shared_axes"]
        for a in ([shared] if isinstance(shared, int) else shared or []):
            shape[a - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(f"PReLU '{self.name}': the input shape {list(input_shape)} has undefined dimensions "
                             f"that are not shared")
        self.alpha = self.add_weight("alpha", shape, self.cfg["alpha_initializer"], self.cfg["alpha_regularizer"],
                                     True, self.cfg["alpha_constraint"])

    def call(self, inputs, mask=None, **kwargs):
        return ops.prelu(inputs, self.alpha.value)


class ELU(Layer):
    PARAMS = [P("alpha", 1.0)]
    supports_masking = True

    def call(self, inputs, mask=None, **kwargs):
        return ops.elu(inputs, self.cfg["alpha"])


class ThresholdedReLU(Layer):
    PARAMS = [P("theta", 1.0)]
    supports_masking = True

    def call(self, inputs, mask=None, **kwargs):
        x = ops.tensor(inputs)
        return ops.mul(x, (x > np.float32(self.cfg["theta"])).astype(np.float32))


class Softmax(Layer):
    PARAMS = [P("axis", 1)]
    supports_masking = True

    def call(self, inputs, mask=None, **kwargs):
        axis = self.cfg["axis"]
        return ops.softmax(inputs, tuple(axis) if isinstance(axis, list) else axis)
