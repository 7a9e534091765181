"""Wrappers: TimeDistributed and Bidirectional."""

from __future__ import annotations

import copy

import numpy as np

from .. import ops
from .base import Layer
from ..naming import name_scope
from .params import P


def _inner(value, custom_objects=None):
    if isinstance(value, Layer):
        return value
    from .serialization import deserialize_layer

    return deserialize_layer(copy.deepcopy(value), custom_objects)


class TimeDistributed(Layer):
    def __init__(self, layer=None, **kwargs):
        custom = kwargs.pop("custom_objects", None)
        super().__init__(**kwargs)
        self.layer = _inner(layer, custom)

    def get_config(self):
        config = {"layer": {"class_name": self.layer.get_class_name(), "config": self.layer.get_config()}}
        config.update(super().get_config())
        return config

    def build(self, input_shape):
        self.layer._ensure_built(tuple([input_shape[0]] + list(input_shape[2:])))

    @property
    def trainable_weights(self):
        return self.layer.trainable_weights if self.trainable else []

    @property
    def non_trainable_weights(self):
        return self.layer.non_trainable_weights

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape(tuple([input_shape[0]] + list(input_shape[2:])))
        return [inner[0], input_shape[1]] + list(inner[1:])

    def call(self, inputs, mask=None, **kwargs):
        x = ops.tensor(inputs)
        b, t = x.shape[:2]
        y = self.layer.call(ops.reshape(x, [b * t] + list(x.shape[2:])), **kwargs)
        return ops.reshape(y, [b, t] + list(np.shape(y)[1:]))


class Bidirectional(Layer):
    PARAMS = [P("merge_mode", "concat")]

    def __init__(self, layer=None, **kwargs):
        custom = kwargs.pop("custom_objects", None)
        kwargs.pop("backward_layer", None)
        super().__init__(**kwargs)
        template = _inner(layer, custom)
        self.layer = template
        fwd_cfg = template.get_config()
        fwd_cfg["name"] = "forward_" + template.name
        bwd_cfg = template.get_config()
        bwd_cfg["name"] = "backward_" + template.name
        bwd_cfg["go_backwards"] = not bwd_cfg.get("go_backwards", False)
        self.forward_layer = type(template)(**fwd_cfg)
        self.backward_layer = type(template)(**bwd_cfg)
        self.return_sequences = fwd_cfg.get("return_sequences", False)
        self.return_state = fwd_cfg.get("return_state", False)

    def get_config(self):
        config = {"merge_mode": self.cfg["merge_mode"],
                  "layer": {"class_name": self.layer.get_class_name(), "config": self.layer.get_config()}}
        config.update(super().get_config())
        config.pop("merge_mode")
        return {"merge_mode": self.cfg["merge_mode"], **config}

    def build(self, input_shape):
        with name_scope(self.forward_layer.name):
            self.forward_layer._ensure_built(input_shape)
        with name_scope(self.backward_layer.name):
            self.backward_layer._ensure_built(input_shape)

    @property
    def trainable_weights(self):
        return (self.forward_layer.trainable_weights + self.backward_layer.trainable_weights) if self.trainable \
            else []

    @property
    def non_trainable_weights(self):
        return self.forward_layer.non_trainable_weights + self.backward_layer.non_trainable_weights

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            states = shape[1:] * 2
            shape = shape[0]
        shape = list(shape)
        if self.cfg["merge_mode"] == "concat":
            shape[-1] *= 2
        elif self.cfg["merge_mode"] is None:
            return [shape, list(shape)] + states
        return [shape] + states if self.return_state else shape

    def call(self, inputs, mask=None, **kwargs):
        y = self.forward_layer.call(inputs, mask=mask, **kwargs)
        yb = self.backward_layer.call(inputs, mask=mask, **kwargs)
        states = []
        if self.return_state:
            states = y[1:] + yb[1:]
            y, yb = y[0], yb[0]
        if self.return_sequences:
            yb = ops.reverse(yb, 1)
        mode = self.cfg["merge_mode"]
        if mode == "concat":
            out = ops.concat([y, yb], axis=-1)
        elif mode == "sum":
            out = ops.add(y, yb)
        elif mode == "mul":
            out = ops.mul(y, yb)
        elif mode == "ave":
            out = ops.mul(ops.add(y, yb), 0.5)
        else:
            return [y, yb] + states
        return [out] + states if self.return_state else out
