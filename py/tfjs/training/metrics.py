"""Metrics by TF.js's names (tfjs-layers/src/metrics.ts): accuracy variants, precision, recall and the losses.
Functions of (y_true, y_pred) giving per-sample values (precision/recall: one value for the batch)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import ops
from ..naming import to_snake_case
from . import losses as L

F32 = np.float32


def binary_accuracy(y_true, y_pred):
    y_true = np.asarray(y_true, F32)
    pred = (np.asarray(y_pred) > 0.5).astype(F32)
    return np.mean((y_true == pred).astype(F32), axis=-1)


def categorical_accuracy(y_true, y_pred):
    return (np.argmax(np.asarray(y_true), -1) == np.argmax(np.asarray(y_pred), -1)).astype(F32)


def sparse_categorical_accuracy(y_true, y_pred):
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.ndim == y_pred.ndim:
        y_true = np.squeeze(y_true, -1)
    return (y_true.astype(F32) == np.argmax(y_pred, -1).astype(F32)).astype(F32)


def _counts(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tp = F32(np.sum((t == 1) & (p == 1)))
    fp = F32(np.sum((t == 0) & (p == 1)))
    fn = F32(np.sum((t == 1) & (p == 0)))
    return tp, fp, fn


def precision(y_true, y_pred):
    tp, fp, _ = _counts(y_true, y_pred)
    return np.asarray(tp / (tp + fp) if tp + fp > 0 else 0.0, F32)


def recall(y_true, y_pred):
    tp, _, fn = _counts(y_true, y_pred)
    return np.asarray(tp / (tp + fn) if tp + fn > 0 else 0.0, F32)


def binary_crossentropy(y_true, y_pred):
    return L.binary_crossentropy(y_true, y_pred)


def categorical_crossentropy(y_true, y_pred):
    return L.categorical_crossentropy(y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred):
    return L.sparse_categorical_crossentropy(y_true, y_pred)


def r2_score(y_true, y_pred):
    """The coefficient of determination over the whole batch (TF.js's ``tf.metrics.r2Score``):
    ``1 - sum((y_true - y_pred)^2) / sum((y_true - mean(y_true))^2)``."""
    residuals = ops.sum(ops.square(ops.sub(y_true, y_pred)))
    total = ops.sum(ops.square(ops.sub(y_true, ops.mean(y_true))))
    return ops.sub(F32(1), ops.div(residuals, total))


# TF.js's tf.metrics names for the losses (and their aliases).
cosine_proximity = L.cosine_proximity
mean_absolute_error = L.mean_absolute_error
mean_absolute_percentage_error = mape = MAPE = L.mean_absolute_percentage_error
mean_squared_error = mse = MSE = L.mean_squared_error

METRICS: dict[str, Callable] = {
    "binary_accuracy": binary_accuracy, "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy, "precision": precision, "recall": recall,
    "binary_crossentropy": binary_crossentropy, "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "cosine_proximity": L.cosine_proximity, "mean_absolute_error": L.mean_absolute_error,
    "mean_absolute_percentage_error": L.mean_absolute_percentage_error, "mean_squared_error": L.mean_squared_error,
    "mse": L.mean_squared_error, "MSE": L.mean_squared_error, "mae": L.mean_absolute_error,
    "MAE": L.mean_absolute_error, "mape": L.mean_absolute_percentage_error,
    "MAPE": L.mean_absolute_percentage_error, "cosine": L.cosine_proximity,
}
for _name, _fn in L.LOSSES.items():
    METRICS.setdefault(_name, _fn)


def get(identifier) -> Callable:
    """A metric function by TF.js's name (camelCase or snake_case) or the function itself."""
    if callable(identifier):
        return identifier
    name = str(identifier)
    if name not in METRICS:
        name = to_snake_case(name)
    if name in METRICS:
        return METRICS[name]
    raise ValueError(f"Unknown metric {identifier}")


__all__ = list(METRICS) + ["get"]
