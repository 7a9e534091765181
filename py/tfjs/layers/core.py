"""Core layers: Dense, Activation, Flatten, Reshape, Dropout, SpatialDropout1D, RepeatVector, Permute, Masking."""

from __future__ import annotations

import math

import numpy as np

from .. import ops
from .base import Layer
from .common import BIAS_PARAMS, apply_activation
from .params import REQUIRED, P


class Dense(Layer):
    PARAMS = [P("units", REQUIRED), P("activation", None, "act"), P("use_bias", True),
              P("kernel_initializer", "glorot_normal", "init"), P("bias_initializer", "zeros", "init"),
              P("kernel_regularizer", None, "reg"), P("bias_regularizer", None, "reg"),
              P("activity_regularizer", None, "reg"), P("kernel_constraint", None, "con"),
              P("bias_constraint", None, "con")]

    def __init__(self, input_dim=None, **kwargs):
        if input_dim is not None and "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = [input_dim]
        super().__init__(**kwargs)

    def build(self, input_shape):
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"Dense '{self.name}': the last dimension of the input must be known, got shape "
                             f"{list(input_shape)}")
        self.kernel = self.add_weight("kernel", [in_dim, self.cfg["units"]], self.cfg["kernel_initializer"],
                                      self.cfg["kernel_regularizer"], True, self.cfg["kernel_constraint"])
        self.bias = self.add_weight("bias", [self.cfg["units"]], self.cfg["bias_initializer"],
                                    self.cfg["bias_regularizer"], True, self.cfg["bias_constraint"]) \
            if self.cfg["use_bias"] else None

    def compute_output_shape(self, input_shape):
        return list(input_shape[:-1]) + [self.cfg["units"]]

    def call(self, inputs, mask=None, **kwargs):
        x = ops.tensor(inputs)
        kernel = self.kernel.value
        if x.shape[-1] != kernel.shape[0]:
            raise ValueError(f"Dense '{self.name}': expected input with last dimension {kernel.shape[0]}, got "
                             f"shape {list(x.shape)}")
        lead = x.shape[:-1]
        if x.ndim == 2:
            y = ops.matmul(x, kernel)
        else:
            y = ops.reshape(ops.matmul(ops.reshape(x, [-1, x.shape[-1]]), kernel), [*lead, kernel.shape[1]])
        if self.bias is not None:
            y = ops.add(y, self.bias.value)
        return apply_activation(self.cfg["activation"], y)


class Activation(Layer):
    PARAMS = [P("activation", REQUIRED, "act")]
    supports_masking = True

    def call(self, inputs, mask=None, **kwargs):
        return apply_activation(self.cfg["activation"], inputs)


class Flatten(Layer):
    """data_format (Keras) is read when present and written back only then."""

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        if any(d is None for d in rest):
            raise ValueError(f"The shape of the input to \"Flatten\" is not fully defined (got "
                             f"{list(rest)}). Make sure to pass a complete \"input_shape\" or "
                             f"\"batch_input_shape\" argument to the first layer in your model.")
        return [input_shape[0], math.prod(rest)]

    def call(self, inputs, mask=None, **kwargs):
        x = inputs
        if self.extra_config.get("data_format") in ("channels_first", "channelsFirst") and x.ndim > 2:
            x = ops.transpose(x, [0] + list(range(2, x.ndim)) + [1])
        return ops.reshape(x, [x.shape[0], -1])


class Reshape(Layer):
    PARAMS = [P("target_shape", REQUIRED, "shape")]

    def _fix(self, input_shape):
        target = list(self.cfg["target_shape"])
        known = [d for d in input_shape[1:]]
        if any(d is None for d in known):
            return target
        total = math.prod(known)
        unknown = [i for i, d in enumerate(target) if d in (-1, None)]
        if len(unknown) > 1:
            raise ValueError(f"Reshape '{self.name}': can only specify one unknown dimension, got {target}")
        if unknown:
            rest = math.prod(d for d in target if d not in (-1, None))
            if rest == 0 or total % rest:
                raise ValueError(f"Reshape '{self.name}': total size of new array must be unchanged: input shape "
                                 f"{list(input_shape)}, target shape {target}")
            target[unknown[0]] = total // rest
        elif math.prod(target) != total:
            raise ValueError(f"Reshape '{self.name}': total size of new array must be unchanged: input shape "
                             f"{list(input_shape)} ({total} values), target shape {target}")
        return target

    def compute_output_shape(self, input_shape):
        return [input_shape[0]] + self._fix(input_shape)

    def call(self, inputs, mask=None, **kwargs):
        target = self._fix(inputs.shape)
        return ops.reshape(inputs, [inputs.shape[0]] + [-1 if d is None else d for d in target])


def dropout(x, rate, noise_shape=None, seed=None):
    """TF.js's ``tf.dropout``: x * floor(uniform + keep) / keep, the mask drawn over noise_shape."""
    keep = 1.0 - rate
    shape = list(noise_shape) if noise_shape is not None else list(x.shape)
    shape = [x.shape[i] if d is None or d == -1 else d for i, d in enumerate(shape)]
    rng = np.random.default_rng(seed)
    mask = np.floor(rng.uniform(0, 1, shape).astype(np.float32) + np.float32(keep)) / np.float32(keep)
    return ops.mul(x, mask.astype(np.float32))


class Dropout(Layer):
    """Identity at inference; in training (fit) TF.js's dropout with 0 < rate < 1."""

    PARAMS = [P("rate", REQUIRED), P("noise_shape", None), P("seed", None)]
    supports_masking = True

    def _noise_shape(self, x):
        return self.cfg["noise_shape"]

    def call(self, inputs, mask=None, training=False, **kwargs):
        rate = self.cfg["rate"]
        if not training or not 0 < rate < 1:
            return inputs
        return dropout(inputs, rate, self._noise_shape(inputs), self.cfg["seed"])


class SpatialDropout1D(Dropout):
    """Drops whole channels: the noise shape is [batch, 1, channels]."""

    def _noise_shape(self, x):
        return [x.shape[0], 1, x.shape[2]]


class RepeatVector(Layer):
    PARAMS = [P("n", REQUIRED)]

    def compute_output_shape(self, input_shape):
        return [input_shape[0], self.cfg["n"], input_shape[1]]

    def call(self, inputs, mask=None, **kwargs):
        return ops.tile(ops.expand_dims(inputs, 1), [1, self.cfg["n"], 1])


class Permute(Layer):
    PARAMS = [P("dims", REQUIRED)]

    def init(self):
        dims = list(self.cfg["dims"])
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Invalid permutation `dims`: {dims} `dims` must contain consecutive integers "
                             f"starting from 1.")

    def compute_output_shape(self, input_shape):
        return [input_shape[0]] + [input_shape[d] for d in self.cfg["dims"]]

    def call(self, inputs, mask=None, **kwargs):
        return ops.transpose(inputs, [0] + list(self.cfg["dims"]))


class Masking(Layer):
    PARAMS = [P("mask_value", 0.0)]
    supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return np.any(inputs != self.cfg["mask_value"], axis=-1)

    def call(self, inputs, mask=None, **kwargs):
        keep = np.any(np.asarray(inputs) != self.cfg["mask_value"], axis=-1, keepdims=True)
        return ops.mul(inputs, keep.astype(np.float32))
