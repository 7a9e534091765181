"""Weight regularizers (``tf.regularizers``): TF.js's L1L2 and its ``l1`` / ``l2`` / ``l1l2`` factories.

A regularizer adds ``sum(l1 * |w|) + sum(l2 * w^2)`` to the training loss; layers keep it as its serialized
form ``{"class_name": "L1L2", "config": {"l1", "l2"}}``, which the training engine reads.
"""

from __future__ import annotations

from .. import ops
from .serializable import Serializable


class Regularizer(Serializable):
    """A penalty on a weight's value: ``apply(x)`` gives the scalar added to the loss."""

    class_name = "Regularizer"


class L1L2(Regularizer):
    """``sum(l1 * |x|) + sum(l2 * x^2)``; TF.js's defaults are 0.01 for both."""

    class_name = "L1L2"

    def __init__(self, l1: float | None = 0.01, l2: float | None = 0.01):
        self.l1 = 0.01 if l1 is None else l1
        self.l2 = 0.01 if l2 is None else l2

    def apply(self, x):
        total = ops.zeros([1])
        if self.l1:
            total = ops.add(total, ops.sum(ops.mul(self.l1, ops.abs(x))))
        if self.l2:
            total = ops.add(total, ops.sum(ops.mul(self.l2, ops.square(x))))
        return ops.reshape(total, [])

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


def l1l2(l1: float | None = 0.01, l2: float | None = 0.01) -> L1L2:
    return L1L2(l1, l2)


def l1(l1: float | None = 0.01) -> L1L2:  # noqa: E741 (TF.js's name)
    return L1L2(l1, 0)


def l2(l2: float | None = 0.01) -> L1L2:
    return L1L2(0, l2)


__all__ = ["Regularizer", "L1L2", "l1", "l2", "l1l2"]
