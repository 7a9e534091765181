"""Elementwise kernels of the cpu backend (float32 in, float32 out), with TF.js's formulas."""

from __future__ import annotations

import numpy as np

F32 = np.float32
SELU_SCALE = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717
# Abramowitz & Stegun 7.1.26, the approximation TF.js's erf kernel uses.
ERF_P, ERF_A = 0.3275911, (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
SOFTPLUS_THRESHOLD = float(np.log(np.float32(1.1920928955078125e-7))) + 2.0


def _f(x):
    return np.asarray(x, dtype=F32)


def _quiet(fn):
    def wrapped(*args, **kwargs):
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            return fn(*args, **kwargs)
    wrapped.__name__ = fn.__name__
    return wrapped


def sigmoid(x):
    x = _f(x)
    return (F32(1) / (F32(1) + np.exp(-x))).astype(F32)


def softplus(x):
    x = _f(x)
    ex = np.exp(x)
    out = np.where(x > -SOFTPLUS_THRESHOLD, x, np.where(x < SOFTPLUS_THRESHOLD, ex, np.log1p(ex)))
    return out.astype(F32)


def elu(x, alpha=1.0):
    x = _f(x)
    return np.where(x > 0, x, F32(alpha) * np.expm1(x)).astype(F32)


def selu(x):
    x = _f(x)
    return np.where(x > 0, F32(SELU_SCALE) * x, F32(SELU_SCALE * SELU_ALPHA) * np.expm1(x)).astype(F32)


def erf(x):
    x = _f(x).astype(np.float64)
    sign = np.sign(x)
    ax = np.abs(x)
    t = 1.0 / (1.0 + ERF_P * ax)
    a1, a2, a3, a4, a5 = ERF_A
    poly = ((((a5 * t + a4) * t + a3) * t + a2) * t + a1) * t
    return (sign * (1.0 - poly * np.exp(-ax * ax))).astype(F32)


def leaky_relu(x, alpha=0.2):
    x = _f(x)
    return np.where(x >= 0, x, x * F32(alpha)).astype(F32)


def prelu(x, alpha):
    x = _f(x)
    return np.where(x >= 0, x, x * _f(alpha)).astype(F32)


def relu6(x):
    return np.clip(_f(x), F32(0), F32(6))


def step(x, alpha=0.0):
    x = _f(x)
    return np.where(x > 0, F32(1), F32(alpha)).astype(F32)


def clip(x, clip_value_min, clip_value_max):
    return np.clip(_f(x), F32(clip_value_min), F32(clip_value_max))


def softmax(x, axis=-1):
    x = _f(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return (e / np.sum(e, axis=axis, keepdims=True)).astype(F32)


def log_softmax(x, axis=-1):
    x = _f(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return (shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))).astype(F32)


def _unary(fn):
    return _quiet(lambda x: fn(_f(x)).astype(F32, copy=False))


def _binary(fn):
    return _quiet(lambda a, b: np.asarray(fn(_f(a), _f(b))).astype(F32, copy=False))


def _compare(fn):
    return lambda a, b: fn(np.asarray(a), np.asarray(b))


KERNELS = {
    "Abs": _unary(np.abs), "Neg": _unary(np.negative), "Exp": _unary(np.exp), "Expm1": _unary(np.expm1),
    "Log": _unary(np.log), "Log1p": _unary(np.log1p), "Sqrt": _unary(np.sqrt),
    "Rsqrt": _unary(lambda x: F32(1) / np.sqrt(x)), "Square": _unary(np.square),
    "Reciprocal": _unary(lambda x: F32(1) / x), "Sign": _unary(np.sign), "Floor": _unary(np.floor),
    "Ceil": _unary(np.ceil), "Round": _unary(np.round), "Tanh": _unary(np.tanh), "Sin": _unary(np.sin),
    "Cos": _unary(np.cos), "Relu": _unary(lambda x: np.maximum(x, F32(0))),
    "Relu6": _quiet(relu6), "Sigmoid": _quiet(sigmoid), "Softplus": _quiet(softplus),
    "Elu": _quiet(elu), "Selu": _quiet(selu), "Erf": _quiet(erf), "LeakyRelu": _quiet(leaky_relu),
    "Prelu": _quiet(prelu), "Step": _quiet(step), "ClipByValue": _quiet(clip),
    "Softmax": _quiet(softmax), "LogSoftmax": _quiet(log_softmax),
    "Add": _binary(np.add), "Sub": _binary(np.subtract), "Mul": _binary(np.multiply),
    "RealDiv": _binary(np.divide), "Maximum": _binary(np.maximum), "Minimum": _binary(np.minimum),
    "Pow": _binary(np.power), "SquaredDifference": _binary(lambda a, b: np.square(a - b)),
    "Greater": _compare(np.greater), "GreaterEqual": _compare(np.greater_equal), "Less": _compare(np.less),
    "LessEqual": _compare(np.less_equal), "Equal": _compare(np.equal), "NotEqual": _compare(np.not_equal),
    "LogicalAnd": _compare(np.logical_and), "LogicalOr": _compare(np.logical_or),
    "LogicalNot": lambda x: np.logical_not(np.asarray(x)),
    "Select": lambda cond, a, b: np.where(np.asarray(cond, bool), a, b),
    "Cast": lambda x, dtype="float32": np.asarray(x).astype(dtype if dtype != "bool" else np.bool_),
}
