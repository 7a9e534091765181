"""Activations by TF.js's names, with TF.js's formulas (``tfjs-layers/src/activations.ts``)."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .. import ops
from ..errors import UnsupportedError
from ..naming import to_snake_case

F32 = np.float32


def linear(x):
    return x


def hard_sigmoid(x):
    return ops.clip_by_value(ops.add(ops.mul(x, 0.2), 0.5), 0.0, 1.0)


def softsign(x):
    return ops.div(x, ops.add(ops.abs(x), 1.0))


def gelu(x):
    return ops.mul(x, ops.mul(0.5, ops.add(1.0, ops.erf(ops.div(x, math.sqrt(2.0))))))


def gelu_new(x):
    inner = ops.mul(math.sqrt(2.0 / math.pi), ops.add(x, ops.mul(0.044715, ops.pow(x, 3.0))))
    return ops.mul(0.5, ops.mul(x, ops.add(1.0, ops.tanh(inner))))


def mish(x):
    return ops.mul(x, ops.tanh(ops.softplus(x)))


def swish(x, alpha=1.0):
    return ops.mul(ops.sigmoid(ops.mul(x, alpha)), x)


def relu6(x):
    return ops.minimum(6.0, ops.relu(x))


ACTIVATIONS: dict[str, Callable] = {
    "elu": ops.elu, "selu": ops.selu, "relu": ops.relu, "relu6": relu6, "linear": linear,
    "sigmoid": ops.sigmoid, "hard_sigmoid": hard_sigmoid, "softplus": ops.softplus, "softsign": softsign,
    "tanh": ops.tanh, "softmax": ops.softmax, "log_softmax": ops.log_softmax, "gelu": gelu,
    "gelu_new": gelu_new, "mish": mish, "swish": swish,
}


def normalize(identifier) -> str:
    """An activation identifier ('relu', 'hardSigmoid', {'class_name': 'relu'}, None) as TF.js's saved name."""
    if identifier is None:
        return "linear"
    if callable(identifier) and not isinstance(identifier, str):
        name = getattr(identifier, "activation_name", getattr(identifier, "__name__", None))
        if name in ACTIVATIONS:
            return name
        raise UnsupportedError(f"Unknown activation: {identifier!r}")
    if isinstance(identifier, dict):
        identifier = identifier.get("class_name") or identifier.get("config", {}).get("name")
    name = identifier if identifier in ACTIVATIONS else to_snake_case(str(identifier))
    if name not in ACTIVATIONS:
        raise UnsupportedError(f"Unknown activation: {identifier}. Known activations: {', '.join(ACTIVATIONS)}")
    return name


def get(identifier) -> Callable:
    return ACTIVATIONS[normalize(identifier)]
