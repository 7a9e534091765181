"""Losses by the names compile takes (TF.js's layers losses: functions of (y_true, y_pred), reduced over the last axis),
with TF.js's formulas and epsilon clipping (tfjs-layers/src/losses.ts). Computed through ``tfjs.ops`` so that
the gradient tape sees them."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .. import ops
from ..naming import to_camel_case, to_snake_case

EPSILON = 1e-7  # TF.js's backend epsilon (float32)
MAX_VALUE = float(np.finfo(np.float32).max)


def _f(x):
    return x if isinstance(x, np.ndarray) and x.dtype == np.float32 else np.asarray(x, np.float32)


def mean_squared_error(y_true, y_pred):
    return ops.mean(ops.square(ops.sub(_f(y_true), y_pred)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    return ops.mean(ops.abs(ops.sub(y_pred, _f(y_true))), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true = _f(y_true)
    diff = ops.sub(y_true, y_pred)
    clipped_true = ops.clip_by_value(ops.abs(y_true), EPSILON, MAX_VALUE)
    return ops.mul(100.0, ops.mean(ops.abs(ops.div(diff, clipped_true)), axis=-1))


def mean_squared_logarithmic_error(y_true, y_pred):
    first = ops.log(ops.add(1.0, ops.clip_by_value(y_pred, EPSILON, MAX_VALUE)))
    second = ops.log(ops.add(1.0, ops.clip_by_value(_f(y_true), EPSILON, MAX_VALUE)))
    return ops.mean(ops.square(ops.sub(first, second)), axis=-1)


def squared_hinge(y_true, y_pred):
    return ops.mean(ops.square(ops.maximum(0.0, ops.sub(1.0, ops.mul(_f(y_true), y_pred)))), axis=-1)


def hinge(y_true, y_pred):
    return ops.mean(ops.maximum(0.0, ops.sub(1.0, ops.mul(_f(y_true), y_pred))), axis=-1)


def categorical_hinge(y_true, y_pred):
    y_true = _f(y_true)
    pos = ops.sum(ops.mul(y_true, y_pred), axis=-1)
    neg = ops.max(ops.mul(ops.sub(1.0, y_true), y_pred), axis=-1)
    return ops.maximum(0.0, ops.add(1.0, ops.sub(neg, pos)))


def logcosh(y_true, y_pred):
    diff = ops.sub(y_pred, _f(y_true))
    return ops.mean(ops.sub(ops.add(diff, ops.softplus(ops.mul(-2.0, diff))), math.log(2.0)), axis=-1)


def categorical_crossentropy_raw(target, output, from_logits=False):
    """TF.js's K.categoricalCrossentropy (no mean): -sum(target * log(clip(output / sum(output))))."""
    if from_logits:
        output = ops.softmax(output)
    else:
        output = ops.div(output, ops.sum(output, axis=-1, keep_dims=True))
    output = ops.clip_by_value(output, EPSILON, 1 - EPSILON)
    return ops.neg(ops.sum(ops.mul(_f(target), ops.log(output)), axis=-1))


def categorical_crossentropy(y_true, y_pred):
    return categorical_crossentropy_raw(y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred):
    depth = y_pred.shape[-1]
    flat = np.floor(np.asarray(y_true, np.float32)).reshape(-1).astype(np.int32)
    output = ops.clip_by_value(y_pred, EPSILON, 1 - EPSILON)
    one_hot = np.asarray(ops.one_hot(flat, depth)).reshape(y_pred.shape)
    return categorical_crossentropy_raw(one_hot, output)


def sigmoid_cross_entropy_with_logits(labels, logits):
    labels = _f(labels)
    return ops.add(ops.sub(ops.relu(logits), ops.mul(logits, labels)), ops.log1p(ops.exp(ops.neg(ops.abs(logits)))))


def binary_crossentropy_raw(target, output, from_logits=False):
    if not from_logits:
        y = ops.clip_by_value(output, EPSILON, 1 - EPSILON)
        output = ops.log(ops.div(y, ops.sub(1.0, y)))
    return sigmoid_cross_entropy_with_logits(target, output)


def binary_crossentropy(y_true, y_pred):
    return ops.mean(binary_crossentropy_raw(y_true, y_pred), axis=-1)


def kullback_leibler_divergence(y_true, y_pred):
    y_true = _f(y_true)
    clipped_true = ops.clip_by_value(y_true, EPSILON, 1.0)
    clipped_pred = ops.clip_by_value(y_pred, EPSILON, 1.0)
    return ops.sum(ops.mul(y_true, ops.log(ops.div(clipped_true, clipped_pred))), axis=-1)


def poisson(y_true, y_pred):
    log_pred = ops.log(ops.add(EPSILON, y_pred))
    return ops.mean(ops.sub(y_pred, ops.mul(_f(y_true), log_pred)), axis=-1)


def l2_normalize(x, axis=-1):
    square_sum = ops.sum(ops.square(x), axis=axis, keep_dims=True)
    norm = ops.sqrt(ops.maximum(square_sum, np.full(np.shape(x), EPSILON, np.float32)))
    return ops.div(x, norm)


def cosine_proximity(y_true, y_pred):
    return ops.neg(ops.sum(ops.mul(l2_normalize(_f(y_true)), l2_normalize(y_pred)), axis=-1))


LOSSES: dict[str, Callable] = {
    "mean_squared_error": mean_squared_error, "mean_absolute_error": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error, "squared_hinge": squared_hinge,
    "hinge": hinge, "categorical_hinge": categorical_hinge, "logcosh": logcosh,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy, "binary_crossentropy": binary_crossentropy,
    "kullback_leibler_divergence": kullback_leibler_divergence, "poisson": poisson,
    "cosine_proximity": cosine_proximity,
}


def normalize_name(identifier: str) -> str:
    return identifier if identifier in LOSSES else to_snake_case(identifier)


def get(identifier) -> Callable:
    """A loss function by TF.js's name (camelCase or snake_case) or the function itself."""
    if callable(identifier):
        return identifier
    name = normalize_name(str(identifier))
    if name in LOSSES:
        return LOSSES[name]
    message = f"Unknown loss {identifier}"
    if "softmaxcrossentropy" in str(identifier).lower():
        message += (". Use \"categoricalCrossentropy\" as the loss function. Do not use \"softmaxCrossEntropy\", "
                    "which has a different interface.")
    raise ValueError(message)


def name_of(fn) -> str:
    for name, f in LOSSES.items():
        if f is fn:
            return name
    return getattr(fn, "__name__", str(fn))


__all__ = list(LOSSES) + ["get", "l2_normalize", "sigmoid_cross_entropy_with_logits", "EPSILON", "to_camel_case"]
