"""tf.math: confusionMatrix."""

from __future__ import annotations

from .. import kernel_names as K
from ..errors import InvalidArgumentError
from ..ops.dispatch import run
from .convert import convert


def confusion_matrix(labels, predictions, num_classes):
    """tf.math.confusionMatrix(labels, predictions, numClasses): int32 [numClasses, numClasses], rows the
    labels, columns the predictions."""
    lab = convert(labels, "labels", "confusionMatrix", "int32")
    pred = convert(predictions, "predictions", "confusionMatrix", "int32")
    if num_classes is None or num_classes <= 0 or int(num_classes) != num_classes:
        raise InvalidArgumentError(f"If provided, numClasses must be a positive integer, but got {num_classes}")
    if lab.ndim != 1:
        raise InvalidArgumentError(f"Expected the rank of labels to be 1, but got {lab.ndim}")
    if pred.ndim != 1:
        raise InvalidArgumentError(f"Expected the rank of predictions to be 1, but got {pred.ndim}")
    if lab.shape[0] != pred.shape[0]:
        raise InvalidArgumentError(f"Mismatch in the number of examples: {lab.shape[0]} vs. {pred.shape[0]}. "
                                   f"Labels and predictions should have the same number of elements.")
    n = int(num_classes)
    one_l = run(K.OneHot, lab, depth=n, on_value=1.0, off_value=0.0)
    one_p = run(K.OneHot, pred, depth=n, on_value=1.0, off_value=0.0)
    prod = run(K.BatchMatMul, one_l, one_p, transpose_a=True, transpose_b=False)
    return run(K.Cast, prod, dtype="int32")
