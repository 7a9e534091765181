"""Variables: named, trainable weights (a layer's kernel and bias, an optimizer's slots are plain arrays).

Layers make them; gradients (``tf.variable_grads`` with no list) find every one alive here, so training
needs no layer module to find them.
"""

from __future__ import annotations

import weakref

import numpy as np

from .errors import FormatError

_variables: "weakref.WeakSet[LayerVariable]" = weakref.WeakSet()


def all_variables() -> list:
    """The LayerVariables alive (``tf.variableGrads`` with no list takes the trainable ones)."""
    return list(_variables)


def forget_all() -> int:
    """Forget every LayerVariable (``tf.disposeVariables``): ``tf.variableGrads`` with no list finds none of them
    afterwards. Returns how many there were."""
    n = len(_variables)
    _variables.clear()
    return n


class LayerVariable:
    """A weight: its TF.js name ('<layer>/<weight>'), value (numpy float32), trainable flag and constraint (an
    object with ``apply(array) -> array``, or None). As in TF.js, :meth:`write` applies the constraint (so
    ``set_weights`` and loading do); optimizers apply it after each update (:meth:`constrain`)."""

    def __init__(self, name: str, value: np.ndarray, trainable: bool = True, constraint=None):
        self.name = self.original_name = name
        self.value = np.asarray(value)
        self.trainable = trainable
        self.constraint = constraint
        _variables.add(self)

    @property
    def shape(self) -> tuple:
        return tuple(self.value.shape)

    @property
    def dtype(self) -> str:
        return str(self.value.dtype) if self.value.dtype != np.bool_ else "bool"

    def read(self) -> np.ndarray:
        return self.value

    def write(self, value) -> None:
        value = np.asarray(value)
        if tuple(value.shape) != self.shape:
            raise FormatError(f"Shape mismatch for weight '{self.name}': expected {list(self.shape)}, "
                              f"got {list(value.shape)}")
        self.value = value.astype(self.value.dtype, copy=True)
        self.constrain()

    def constrain(self) -> None:
        """Project the value with the constraint, if any."""
        if self.constraint is not None:
            self.value = np.asarray(self.constraint.apply(self.value)).astype(self.value.dtype, copy=False)

    def __repr__(self) -> str:
        return f"<LayerVariable {self.name} {list(self.shape)} {self.dtype}>"


__all__ = ["LayerVariable", "all_variables"]
