"""Elementwise kernels of the cpu backend, with TF.js's formulas.

Arithmetic keeps TF.js's dtypes: complex64 if an input is complex, float32 if an input is a float, int32 for
int32/bool inputs. The other math functions work in float32.
"""

from __future__ import annotations

import numpy as np

from ... import kernel_names as K

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


def result_dtype(*xs) -> np.dtype:
    """TF.js's upcast: complex64 over float32 over int32 (bool counts as int32)."""
    kinds = {np.asarray(x).dtype.kind for x in xs}
    if "c" in kinds:
        return np.dtype(np.complex64)
    if "f" in kinds or not kinds <= set("iub"):
        return np.dtype(F32)
    return np.dtype(np.int32)


def _int_pow(a, b):
    out = np.power(a.astype(np.float64), b.astype(np.float64))
    return np.where(np.isfinite(out), np.trunc(out), 0)


def _arith(fn, int_fn=None):
    """A binary kernel in the inputs' common TF.js dtype."""
    def kernel(a, b):
        dtype = result_dtype(a, b)
        a, b = np.asarray(a).astype(dtype, copy=False), np.asarray(b).astype(dtype, copy=False)
        use = int_fn if int_fn is not None and dtype == np.int32 else fn
        return np.asarray(use(a, b)).astype(dtype, copy=False)
    return _quiet(kernel)


def _keep(fn, complex_out=None):
    """A unary kernel that keeps int32 and complex64 (or gives complex_out for complex input)."""
    def kernel(x):
        x = np.asarray(x)
        dtype = result_dtype(x)
        out = np.asarray(fn(x.astype(dtype, copy=False)))
        return out.astype(complex_out if dtype.kind == "c" and complex_out else dtype, copy=False)
    return _quiet(kernel)


def _complex_sign(x):
    mag = np.abs(x)
    return np.where(mag == 0, 0, x / np.where(mag == 0, 1, mag))


def _compare(fn):
    return lambda a, b: fn(np.asarray(a), np.asarray(b))


KERNELS = {
    K.Abs: _keep(np.abs, complex_out=F32), K.Neg: _keep(np.negative), K.Exp: _unary(np.exp), K.Expm1: _unary(np.expm1),
    K.Log: _unary(np.log), K.Log1p: _unary(np.log1p), K.Sqrt: _unary(np.sqrt),
    K.Rsqrt: _unary(lambda x: F32(1) / np.sqrt(x)), K.Square: _keep(np.square),
    K.Reciprocal: _unary(lambda x: F32(1) / x), K.Sign: _keep(lambda x: _complex_sign(x) if x.dtype.kind == "c" else np.sign(x)), K.Floor: _unary(np.floor),
    K.Ceil: _unary(np.ceil), K.Round: _unary(np.round), K.Tanh: _unary(np.tanh), K.Sin: _unary(np.sin),
    K.Cos: _unary(np.cos), K.Relu: _keep(lambda x: np.maximum(x, 0)),
    K.Relu6: _quiet(relu6), K.Sigmoid: _quiet(sigmoid), K.Softplus: _quiet(softplus),
    K.Elu: _quiet(elu), K.Selu: _quiet(selu), K.Erf: _quiet(erf), K.LeakyRelu: _quiet(leaky_relu),
    K.Prelu: _quiet(prelu), K.Step: _quiet(step), K.ClipByValue: _quiet(clip),
    K.Softmax: _quiet(softmax), K.LogSoftmax: _quiet(log_softmax),
    K.Add: _arith(np.add), K.Sub: _arith(np.subtract), K.Mul: _arith(np.multiply),
    K.RealDiv: _binary(np.divide), K.Maximum: _arith(np.maximum), K.Minimum: _arith(np.minimum),
    K.Pow: _arith(np.power, int_fn=_int_pow), K.SquaredDifference: _arith(lambda a, b: np.square(a - b)),
    K.Greater: _compare(np.greater), K.GreaterEqual: _compare(np.greater_equal), K.Less: _compare(np.less),
    K.LessEqual: _compare(np.less_equal), K.Equal: _compare(np.equal), K.NotEqual: _compare(np.not_equal),
    K.LogicalAnd: _compare(np.logical_and), K.LogicalOr: _compare(np.logical_or),
    K.LogicalNot: lambda x: np.logical_not(np.asarray(x)),
    K.Select: lambda cond, a, b: np.where(np.asarray(cond, bool), a, b),
    K.Cast: lambda x, dtype="float32": np.asarray(x).astype(dtype if dtype != "bool" else np.bool_),
}
