"""TF.js's core ``tf.losses``: losses over whole tensors with optional ``weights`` and a ``reduction``, as
``tf.losses.absoluteDifference(labels, predictions, weights?, reduction?)`` computes them.

``Reduction`` is TF.js's enum: NONE (0: the weighted losses), MEAN (1: sum / sum of weights, divided by the
broadcast factor when the weights broadcast), SUM (2) and SUM_BY_NONZERO_WEIGHTS (3, the default: sum / number
of non-zero weights after broadcasting, or / the number of losses without weights). Built on the op layer,
so :func:`tfjs.grad` differentiates them.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from .. import ops


class Reduction(IntEnum):
    NONE = 0
    MEAN = 1
    SUM = 2
    SUM_BY_NONZERO_WEIGHTS = 3


def _t(x, name: str, fn: str):
    if x is None:
        return None
    arr = x if hasattr(x, "shape") and not isinstance(x, (list, tuple)) else np.asarray(x, np.float32)
    if getattr(arr, "dtype", None) is not None and np.dtype(arr.dtype).kind in "iub":
        arr = np.asarray(arr, np.float32)
    return arr


def _shape(x) -> tuple:
    return tuple(int(d) for d in np.shape(x)) if not hasattr(x, "shape") else tuple(int(d) for d in x.shape)


def _size(x) -> int:
    return int(np.prod(_shape(x))) if _shape(x) else 1


def _same_shape(a, b, fn: str) -> None:
    if _shape(a) != _shape(b):
        raise ValueError(f"Error in {fn}: Shapes {list(_shape(a))} and {list(_shape(b))} must match")


def _reduction(reduction) -> Reduction:
    if reduction is None:
        return Reduction.SUM_BY_NONZERO_WEIGHTS
    if isinstance(reduction, str):
        try:
            return Reduction[reduction.upper()]
        except KeyError:
            raise ValueError(f"Unknown reduction: {reduction}") from None
    try:
        return Reduction(int(reduction))
    except ValueError:
        raise ValueError(f"Unknown reduction: {reduction}") from None


def compute_weighted_loss(losses, weights=None, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weights (broadcast against ``losses``) applied, then reduced as ``reduction`` says."""
    losses = _t(losses, "losses", "computeWeightedLoss")
    weights = _t(weights, "weights", "computeWeightedLoss")
    reduction = _reduction(reduction)
    weighted = losses if weights is None else ops.mul(losses, weights)
    if reduction == Reduction.NONE:
        return weighted
    if reduction == Reduction.SUM:
        return ops.sum(weighted)
    if reduction == Reduction.MEAN:
        if weights is None:
            return ops.mean(weighted)
        factor = _size(losses) / _size(weights)
        result = ops.div(ops.sum(weighted), ops.sum(weights))
        return ops.div(result, np.float32(factor)) if factor > 1 else result
    if weights is None:
        return ops.div(ops.sum(weighted), np.float32(_size(losses)))
    broadcast = ops.mul(weights, ops.ones(list(_shape(losses))))
    nonzero = ops.cast(ops.sum(ops.cast(ops.not_equal(broadcast, np.float32(0)), "float32")), "float32")
    return ops.div(ops.sum(weighted), nonzero)


def absolute_difference(labels, predictions, weights=None, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    labels, predictions = _t(labels, "labels", ""), _t(predictions, "predictions", "")
    _same_shape(labels, predictions, "absoluteDifference")
    return compute_weighted_loss(ops.abs(ops.sub(labels, predictions)), weights, reduction)


def mean_squared_error(labels, predictions, weights=None, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    labels, predictions = _t(labels, "labels", ""), _t(predictions, "predictions", "")
    _same_shape(labels, predictions, "meanSquaredError")
    return compute_weighted_loss(ops.squared_difference(labels, predictions), weights, reduction)


def cosine_distance(labels, predictions, axis: int, weights=None, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """``1 - sum(labels * predictions, axis)`` (axis kept): labels and predictions are expected unit-normalized."""
    labels, predictions = _t(labels, "labels", ""), _t(predictions, "predictions", "")
    _same_shape(labels, predictions, "cosineDistance")
    losses = ops.sub(np.float32(1), ops.sum(ops.mul(labels, predictions), axis, True))
    return compute_weighted_loss(losses, weights, reduction)


def hinge_loss(labels, predictions, weights=None, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Binary labels (0/1) mapped to -1/1: ``relu(1 - labels * predictions)``."""
    labels, predictions = _t(labels, "labels", ""), _t(predictions, "predictions", "")
    _same_shape(labels, predictions, "hingeLoss")
    signed = ops.sub(ops.mul(np.float32(2), labels), np.float32(1))
    return compute_weighted_loss(ops.relu(ops.sub(np.float32(1), ops.mul(signed, predictions))), weights, reduction)


def huber_loss(labels, predictions, weights=None, delta: float = 1.0, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    labels, predictions = _t(labels, "labels", ""), _t(predictions, "predictions", "")
    _same_shape(labels, predictions, "huberLoss")
    d = np.float32(delta)
    error = ops.abs(ops.sub(predictions, labels))
    quadratic = ops.minimum(error, d)
    linear = ops.sub(error, quadratic)
    losses = ops.add(ops.mul(np.float32(0.5), ops.square(quadratic)), ops.mul(d, linear))
    return compute_weighted_loss(losses, weights, reduction)


def log_loss(labels, predictions, weights=None, epsilon: float = 1e-7, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    labels, predictions = _t(labels, "labels", ""), _t(predictions, "predictions", "")
    _same_shape(labels, predictions, "logLoss")
    one, eps = np.float32(1), np.float32(epsilon)
    first = ops.neg(ops.mul(labels, ops.log(ops.add(predictions, eps))))
    second = ops.mul(ops.sub(one, labels), ops.log(ops.add(ops.sub(one, predictions), eps)))
    return compute_weighted_loss(ops.sub(first, second), weights, reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=None, label_smoothing: float = 0,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    labels, logits = _t(multi_class_labels, "multiClassLabels", ""), _t(logits, "logits", "")
    _same_shape(labels, logits, "sigmoidCrossEntropy")
    if label_smoothing > 0:
        s = np.float32(label_smoothing)
        labels = ops.add(ops.mul(labels, np.float32(1) - s), ops.mul(np.float32(0.5), s))
    losses = ops.add(ops.sub(ops.relu(logits), ops.mul(logits, labels)),
                     ops.log1p(ops.exp(ops.neg(ops.abs(logits)))))
    return compute_weighted_loss(losses, weights, reduction)


def _log_softmax_last(logits):
    top = ops.max(logits, -1, True)
    lse = ops.add(top, ops.log(ops.sum(ops.exp(ops.sub(logits, top)), -1, True)))
    return ops.sub(logits, lse)


def softmax_cross_entropy(onehot_labels, logits, weights=None, label_smoothing: float = 0,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Per example over the last axis: ``-sum(labels * log_softmax(logits))``, then weighted and reduced."""
    labels, logits = _t(onehot_labels, "onehotLabels", ""), _t(logits, "logits", "")
    _same_shape(labels, logits, "softmaxCrossEntropy")
    if label_smoothing > 0:
        s = np.float32(label_smoothing)
        classes = np.float32(_shape(labels)[1])
        labels = ops.add(ops.mul(labels, np.float32(1) - s), np.float32(s / classes))
    losses = ops.sum(ops.neg(ops.mul(_log_softmax_last(logits), labels)), -1)
    return compute_weighted_loss(losses, weights, reduction)


__all__ = ["Reduction", "compute_weighted_loss", "absolute_difference", "mean_squared_error", "cosine_distance",
           "hinge_loss", "huber_loss", "log_loss", "sigmoid_cross_entropy", "softmax_cross_entropy"]
