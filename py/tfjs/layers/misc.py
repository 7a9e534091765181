"""Embedding, noise layers (identity at inference) and preprocessing (Rescaling, Resizing, CenterCrop)."""

from __future__ import annotations

import numpy as np

from .. import ops
from .base import Layer, shape_str
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
        return ops.reshape(ops.gather(self.embeddings.value, idx.reshape(-1)),
                           list(idx.shape) + [self.cfg["output_dim"]])


_rng = np.random.default_rng()


class GaussianNoise(Layer):
    """Identity at inference; adds N(0, stddev) noise in training (TF.js)."""

    PARAMS = [P("stddev", REQUIRED)]
    supports_masking = True

    def call(self, inputs, mask=None, training=False, **kwargs):
        if not training:
            return inputs
        noise = _rng.normal(0.0, self.cfg["stddev"], np.shape(inputs)).astype(np.float32)
        return ops.add(inputs, noise)


class GaussianDropout(Layer):
    """Identity at inference; multiplies by N(1, sqrt(rate / (1 - rate))) noise in training (TF.js)."""

    PARAMS = [P("rate", REQUIRED)]
    supports_masking = True

    def call(self, inputs, mask=None, training=False, **kwargs):
        rate = self.cfg["rate"]
        if not training or not 0 < rate < 1:
            return inputs
        noise = _rng.normal(1.0, np.sqrt(rate / (1.0 - rate)), np.shape(inputs)).astype(np.float32)
        return ops.mul(inputs, noise)


class AlphaDropout(Layer):
    """Identity at inference; in training TF.js's alpha dropout (keeps SELU's mean and variance)."""

    PARAMS = [P("rate", REQUIRED)]
    supports_masking = True

    def call(self, inputs, mask=None, training=False, **kwargs):
        rate = self.cfg["rate"]
        if not training or not 0 < rate < 1:
            return inputs
        alpha = 1.6732632423543772848170429916717
        scale = 1.0507009873554804934193349852946
        alpha_p = -alpha * scale
        kept = (_rng.uniform(0, 1, np.shape(inputs)) >= rate).astype(np.float32)
        a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * rate
        x = ops.add(ops.mul(inputs, kept), (kept - np.float32(1)) * np.float32(alpha_p))
        return ops.add(ops.mul(x, a), b)


class Rescaling(Layer):
    PARAMS = [P("scale", REQUIRED), P("offset", 0)]

    def call(self, inputs, mask=None, **kwargs):
        return ops.add(ops.mul(ops.tensor(inputs), self.cfg["scale"]), self.cfg["offset"])


def _check_image(layer, shape):
    if len(shape) not in (3, 4):
        raise ValueError(f"{layer.get_class_name()} '{layer.name}': expected an image of rank 3 [height, width, "
                         f"channels] or 4 [batch, height, width, channels], got shape {shape_str(shape)}")


def _aspect_crop(x, height, width):
    """Keras's ``smart_resize`` crop: the largest centered window of the target's aspect ratio (NHWC)."""
    h, w = x.shape[1], x.shape[2]
    crop_h = min(h, int(float(w * height) / width))
    crop_w = min(w, int(float(h * width) / height))
    top, left = int(float(h - crop_h) / 2), int(float(w - crop_w) / 2)
    return x[:, top:top + crop_h, left:left + crop_w, :]


def _resize(x, size, interpolation, layer):
    # Keras's tf.image.resize: half-pixel centers, no corner alignment, no antialiasing.
    if interpolation == "nearest":
        return ops.resize_nearest_neighbor(x, size, False, True)
    if interpolation == "bilinear":
        return ops.resize_bilinear(x, size, False, True)
    raise ValueError(f"{layer.get_class_name()} '{layer.name}': invalid interpolation parameter: {interpolation} is "
                     f"not implemented (bilinear and nearest are)")


class Resizing(Layer):
    """Keras's semantics (``tf.image.resize`` with half-pixel centers; ``crop_to_aspect_ratio`` crops the largest
    centered window of the target's aspect ratio first). TF.js 4.22's own Resizing cannot run a model (its predict
    fails on a rank check), so there is no TF.js behaviour to follow; Keras's is the one the format comes from."""

    PARAMS = [P("height", REQUIRED), P("width", REQUIRED), P("interpolation", "bilinear", "enum"),
              P("crop_to_aspect_ratio", False)]

    def compute_output_shape(self, input_shape):
        _check_image(self, input_shape)
        return list(input_shape[:-3]) + [self.cfg["height"], self.cfg["width"], input_shape[-1]]

    def call(self, inputs, mask=None, **kwargs):
        x = ops.tensor(inputs)
        _check_image(self, x.shape)
        squeeze = x.ndim == 3
        if squeeze:
            x = x[None]
        size = [self.cfg["height"], self.cfg["width"]]
        if self.cfg["crop_to_aspect_ratio"]:
            x = _aspect_crop(x, *size)
        y = _resize(x, size, self.cfg["interpolation"], self)
        return y[0] if squeeze else y


class CenterCrop(Layer):
    """Keras's semantics: the centered height x width window (top/left offsets floor((size - target) / 2)); an
    input smaller than the target in either dimension is instead cropped to the target's aspect ratio and resized
    (bilinear, half-pixel centers: Keras's ``smart_resize``). TF.js 4.22's own CenterCrop refuses inputs of any
    size but the target's in predict, so it cannot serve as the reference."""

    PARAMS = [P("height", REQUIRED), P("width", REQUIRED)]

    def compute_output_shape(self, input_shape):
        _check_image(self, input_shape)
        return list(input_shape[:-3]) + [self.cfg["height"], self.cfg["width"], input_shape[-1]]

    def call(self, inputs, mask=None, **kwargs):
        x = ops.tensor(inputs)
        _check_image(self, x.shape)
        h, w = x.shape[-3], x.shape[-2]
        th, tw = self.cfg["height"], self.cfg["width"]
        if h >= th and w >= tw:
            top, left = (h - th) // 2, (w - tw) // 2
            return np.ascontiguousarray(x[..., top:top + th, left:left + tw, :])
        squeeze = x.ndim == 3
        y = _resize(_aspect_crop(x[None] if squeeze else x, th, tw), [th, tw], "bilinear", self)
        return y[0] if squeeze else y
