"""Weight regularizers (``tf.regularizers``): TF.js's L1L2 and its ``l1`` / ``l2`` / ``l1l2`` factories.

A regularizer adds ``sum(l1 * |w|) + sum(l2 * w^2)`` to the training loss; layers keep it as its serialized
form ``{"class_name": "L1L2", "config": {"l1", "l2"}}``, which the training engine reads.
"""

from __future__ import annotations

from .. import ops


class Regularizer:
    class_name = "Regularizer"

    def apply(self, x):
        raise NotImplementedError

    __call__ = apply

    def get_class_name(self) -> str:
        return self.class_name

    def get_config(self) -> dict:
        return {}

    def serialize(self) -> dict:
        return {"class_name": self.class_name, "config": self.get_config()}

    def __repr__(self) -> str:
        return f"{self.class_name}({self.get_config()})"


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
