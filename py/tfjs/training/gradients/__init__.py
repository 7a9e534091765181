"""Gradient functions, one per op, registered by the op's kernel name (as TF.js registers them).

A gradient function takes ``(dy, inputs, attrs, y, need)``: the upstream gradient (a list for ops with several
outputs), the op's inputs and attributes as it ran, its output, and for each input whether a gradient is wanted;
it returns one gradient per input (a list for a list input), None where there is none. They compute on numpy
(the cpu backend's arrays).
"""

from __future__ import annotations

from .registry import get, register, registered_ops, unbroadcast
from . import array_grads, einsum_grads, extra_grads, math_grads, nn_grads  # noqa: E402,F401  (register the gradients)

__all__ = ["register", "get", "registered_ops", "unbroadcast"]
