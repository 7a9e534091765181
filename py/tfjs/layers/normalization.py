"""BatchNormalization (inference) and LayerNormalization."""

from __future__ import annotations

import numpy as np

from .. import ops
from .base import Layer
from .params import P


def _axes(value, rank):
    axes = value if isinstance(value, (list, tuple)) else [value]
    return sorted(a + rank if a < 0 else a for a in axes)


def _broadcast(v, axes, rank):
    shape = [1] * rank
    for a, d in zip(axes, v.shape if v.ndim else [1]):
        shape[a] = d
    if list(v.shape) == shape or (v.ndim == 1 and list(axes) == [rank - 1]):
        return v
    return ops.reshape(v, shape)


class BatchNormalization(Layer):
    PARAMS = [P("axis", -1), P("momentum", 0.99), P("epsilon", 1e-3), P("center", True), P("scale", True),
              P("beta_initializer", "zeros", "init"), P("gamma_initializer", "ones", "init"),
              P("moving_mean_initializer", "zeros", "init"), P("moving_variance_initializer", "ones", "init"),
              P("beta_regularizer", None, "reg"), P("gamma_regularizer", None, "reg"),
              P("beta_constraint", None, "con"), P("gamma_constraint", None, "con")]
    supports_masking = True

    def build(self, input_shape):
        axes = _axes(self.cfg["axis"], len(input_shape))
        shape = [input_shape[a] for a in axes]
        if any(d is None for d in shape):
            raise ValueError(f"Axis {self.cfg['axis']} of input tensor should have a defined dimension but the "
                             f"layer received an input with shape {list(input_shape)}.")
        c = self.cfg
        self.gamma = self.add_weight("gamma", shape, c["gamma_initializer"], c["gamma_regularizer"], True,
                                     c["gamma_constraint"]) if c["scale"] else None
        self.beta = self.add_weight("beta", shape, c["beta_initializer"], c["beta_regularizer"], True,
                                    c["beta_constraint"]) if c["center"] else None
        self.moving_mean = self.add_weight("moving_mean", shape, c["moving_mean_initializer"], None, False)
        self.moving_variance = self.add_weight("moving_variance", shape, c["moving_variance_initializer"], None,
                                               False)

    def call(self, inputs, mask=None, training=False, **kwargs):
        x = ops.tensor(inputs)
        axes = _axes(self.cfg["axis"], x.ndim)
        b = lambda w: None if w is None else _broadcast(w.value if len(axes) != 1 or w.value.ndim == 1 else
                                                          ops.reshape(w.value, [-1]), axes, x.ndim)
        if not training:
            return ops.batch_norm(x, b(self.moving_mean), b(self.moving_variance), b(self.beta), b(self.gamma),
                                  self.cfg["epsilon"])
        # Training (TF.js's normalizeBatchInTraining): the batch's moments over every axis but the normalized
        # ones, and the moving statistics move towards them by (1 - momentum).
        reduction = [a for a in range(x.ndim) if a not in axes]
        mean = ops.mean(x, axis=reduction, keep_dims=True)
        variance = ops.mean(ops.square(ops.sub(x, mean)), axis=reduction, keep_dims=True)
        out = ops.batch_norm(x, mean, variance, b(self.beta), b(self.gamma), self.cfg["epsilon"])
        decay = np.float32(1.0 - self.cfg["momentum"])
        for var, value in ((self.moving_mean, mean), (self.moving_variance, variance)):
            orig = var.value
            var.value = (orig - (orig - np.asarray(value, np.float32).reshape(orig.shape)) * decay).astype(np.float32)
        return out


class LayerNormalization(Layer):
    PARAMS = [P("axis", -1), P("epsilon", 1e-3), P("center", True), P("scale", True),
              P("beta_initializer", "zeros", "init"), P("gamma_initializer", "ones", "init"),
              P("beta_regularizer", None, "reg"), P("gamma_regularizer", None, "reg")]
    supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        axes = _axes(self.cfg["axis"], rank)
        self.cfg["axis"] = axes
        shape = [input_shape[a] for a in axes]
        c = self.cfg
        self.gamma = self.add_weight("gamma", shape, c["gamma_initializer"], c["gamma_regularizer"], True) \
            if c["scale"] else None
        self.beta = self.add_weight("beta", shape, c["beta_initializer"], c["beta_regularizer"], True) \
            if c["center"] else None

    def call(self, inputs, mask=None, **kwargs):
        x = ops.tensor(inputs)
        axes = _axes(self.cfg["axis"], x.ndim)
        mean = ops.mean(x, axis=axes, keep_dims=True)
        var = ops.mean(ops.square(ops.sub(x, mean)), axis=axes, keep_dims=True)
        b = lambda w: None if w is None else _broadcast(w.value, axes, x.ndim)
        return ops.batch_norm(x, mean, var, b(self.beta), b(self.gamma), self.cfg["epsilon"])
