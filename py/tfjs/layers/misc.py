"""Embedding, noise layers (identity at inference) and preprocessing (Rescaling, Resizing, CenterCrop)."""

from __future__ import annotations

import numpy as np

from .. import ops
from .base import Layer
from .params import REQUIRED, P


class Embedding(Layer):
    PARAMS = [P("input_dim", REQUIRED), P("output_dim", REQUIRED),
              P("embeddings_initializer", "random_uniform", "init"), P("embeddings_regularizer", None, "reg"),
              P("activity_regularizer", None, "reg"), P("embeddings_constraint", None, "con"),
              P("mask_zero", None), P("input_length", None)]

    def __init__(self, **kwargs):
        dtype = kwargs.get("dtype")
        if kwargs.get("batch_input_shape") is None and kwargs.get("input_shape") is None:
            length = kwargs.get("input_length")
            length = list(length) if isinstance(length, (list, tuple)) else [length]
            kwargs["batch_input_shape"] = [kwargs.get("batch_size")] + length
        super().__init__(**kwargs)
        self.dtype = dtype

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", [self.cfg["input_dim"], self.cfg["output_dim"]],
                                          self.cfg["embeddings_initializer"], self.cfg["embeddings_regularizer"],
                                          True, self.cfg["embeddings_constraint"])

    def compute_output_shape(self, input_shape):
        return list(input_shape) + [self.cfg["output_dim"]]

    def compute_mask(self, inputs, mask=None):
        if not self.cfg["mask_zero"]:
            return None
        return np.asarray(inputs) != 0

    def call(self, inputs, mask=None, **kwargs):
        idx = np.asarray(inputs).astype(np.int32)
        if idx.size and (idx.min() < 0 or idx.max() >= self.cfg["input_dim"]):
            raise ValueError(f"Embedding '{self.name}': indices must be in [0, {self.cfg['input_dim']}), got values "
                             f"from {idx.min()} to {idx.max()}")
        return ops.gather(self.embeddings.value, idx.reshape(-1)).reshape(idx.shape + (self.cfg["output_dim"],))


class GaussianNoise(Layer):
    PARAMS = [P("stddev", REQUIRED)]
    supports_masking = True


class GaussianDropout(Layer):
    PARAMS = [P("rate", REQUIRED)]
    supports_masking = True


class AlphaDropout(Layer):
    PARAMS = [P("rate", REQUIRED)]
    supports_masking = True


class Rescaling(Layer):
    PARAMS = [P("scale", REQUIRED), P("offset", 0)]

    def call(self, inputs, mask=None, **kwargs):
        return ops.add(ops.mul(np.asarray(inputs, np.float32), self.cfg["scale"]), self.cfg["offset"])


class Resizing(Layer):
    PARAMS = [P("height", REQUIRED), P("width", REQUIRED), P("interpolation", "bilinear", "enum"),
              P("crop_to_aspect_ratio", False)]

    def compute_output_shape(self, input_shape):
        return [input_shape[0], self.cfg["height"], self.cfg["width"], input_shape[-1]] if len(input_shape) == 4 \
            else [self.cfg["height"], self.cfg["width"], input_shape[-1]]

    def call(self, inputs, mask=None, **kwargs):
        x = np.asarray(inputs, np.float32)
        squeeze = x.ndim == 3
        if squeeze:
            x = x[None]
        size = [self.cfg["height"], self.cfg["width"]]
        # TF.js passes alignCorners = !cropToAspectRatio.
        align = not self.cfg["crop_to_aspect_ratio"]
        if self.cfg["interpolation"] == "nearest":
            y = ops.resize_nearest_neighbor(x, size, align)
        elif self.cfg["interpolation"] == "bilinear":
            y = ops.resize_bilinear(x, size, align)
        else:
            raise ValueError(f"Invalid interpolation parameter: {self.cfg['interpolation']} is not implemented")
        return y[0] if squeeze else y


class CenterCrop(Layer):
    PARAMS = [P("height", REQUIRED), P("width", REQUIRED)]

    def compute_output_shape(self, input_shape):
        return list(input_shape[:-3]) + [self.cfg["height"], self.cfg["width"], input_shape[-1]]

    def call(self, inputs, mask=None, **kwargs):
        x = np.asarray(inputs, np.float32)
        h, w = x.shape[-3], x.shape[-2]
        th, tw = self.cfg["height"], self.cfg["width"]
        if h >= th and w >= tw:
            top, left = (h - th) // 2, (w - tw) // 2
            return np.ascontiguousarray(x[..., top:top + th, left:left + tw, :])
        squeeze = x.ndim == 3
        y = ops.resize_bilinear(x[None] if squeeze else x, [th, tw])
        return y[0] if squeeze else y
