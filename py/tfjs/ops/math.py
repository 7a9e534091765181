"""Elementwise and reduction ops (float32)."""

from __future__ import annotations

from .. import kernel_names as K
from .dispatch import run, tensor


def _unary(op_name):
    def op(x):
        return run(op_name, tensor(x))
    op.__name__ = op_name.lower()
    op.__doc__ = f"Elementwise {op_name} (kernel '{op_name}')."
    return op


def _binary(op_name):
    def op(a, b):
        return run(op_name, tensor(a), tensor(b))
    op.__name__ = op_name.lower()
    op.__doc__ = f"Elementwise {op_name} with broadcasting (kernel '{op_name}')."
    return op


abs = _unary(K.Abs)  # noqa: A001
neg = _unary(K.Neg)
exp = _unary(K.Exp)
expm1 = _unary(K.Expm1)
log = _unary(K.Log)
log1p = _unary(K.Log1p)
sqrt = _unary(K.Sqrt)
rsqrt = _unary(K.Rsqrt)
square = _unary(K.Square)
reciprocal = _unary(K.Reciprocal)
sign = _unary(K.Sign)
floor = _unary(K.Floor)
ceil = _unary(K.Ceil)
round = _unary(K.Round)  # noqa: A001
tanh = _unary(K.Tanh)
sin = _unary(K.Sin)
cos = _unary(K.Cos)
relu = _unary(K.Relu)
relu6 = _unary(K.Relu6)
sigmoid = _unary(K.Sigmoid)
softplus = _unary(K.Softplus)
selu = _unary(K.Selu)
erf = _unary(K.Erf)

add = _binary(K.Add)
sub = _binary(K.Sub)
mul = _binary(K.Mul)
div = _binary(K.RealDiv)
maximum = _binary(K.Maximum)
minimum = _binary(K.Minimum)
pow = _binary(K.Pow)  # noqa: A001
squared_difference = _binary(K.SquaredDifference)


def elu(x, alpha=1.0):
    return run(K.Elu, tensor(x), alpha=alpha)


def leaky_relu(x, alpha=0.2):
    return run(K.LeakyRelu, tensor(x), alpha=alpha)


def prelu(x, alpha):
    return run(K.Prelu, tensor(x), tensor(alpha))


def step(x, alpha=0.0):
    return run(K.Step, tensor(x), alpha=alpha)


def clip_by_value(x, clip_value_min, clip_value_max):
    return run(K.ClipByValue, tensor(x), clip_value_min=clip_value_min, clip_value_max=clip_value_max)


def softmax(x, axis=-1):
    return run(K.Softmax, tensor(x), axis=axis)


def log_softmax(x, axis=-1):
    return run(K.LogSoftmax, tensor(x), axis=axis)


def greater(a, b):
    return run(K.Greater, a, b)


def greater_equal(a, b):
    return run(K.GreaterEqual, a, b)


def less(a, b):
    return run(K.Less, a, b)


def equal(a, b):
    return run(K.Equal, a, b)


def not_equal(a, b):
    return run(K.NotEqual, a, b)


def logical_and(a, b):
    return run(K.LogicalAnd, a, b)


def logical_or(a, b):
    return run(K.LogicalOr, a, b)


def logical_not(x):
    return run(K.LogicalNot, x)


def where(condition, a, b):
    return run(K.Select, condition, tensor(a), tensor(b))


def cast(x, dtype):
    return run(K.Cast, x, dtype=dtype)


def sum(x, axis=None, keep_dims=False):  # noqa: A001
    return run(K.Sum, tensor(x, None), axis=axis, keep_dims=keep_dims)


def mean(x, axis=None, keep_dims=False):
    return run(K.Mean, tensor(x), axis=axis, keep_dims=keep_dims)


def max(x, axis=None, keep_dims=False):  # noqa: A001
    return run(K.Max, tensor(x, None), axis=axis, keep_dims=keep_dims)


def min(x, axis=None, keep_dims=False):  # noqa: A001
    return run(K.Min, tensor(x, None), axis=axis, keep_dims=keep_dims)


def prod(x, axis=None, keep_dims=False):
    return run(K.Prod, tensor(x, None), axis=axis, keep_dims=keep_dims)


def any(x, axis=None, keep_dims=False):  # noqa: A001
    return run(K.Any, tensor(x, None), axis=axis, keep_dims=keep_dims)


def all(x, axis=None, keep_dims=False):  # noqa: A001
    return run(K.All, tensor(x, None), axis=axis, keep_dims=keep_dims)


def arg_max(x, axis=0):
    return run(K.ArgMax, tensor(x, None), axis=axis)


def arg_min(x, axis=0):
    return run(K.ArgMin, tensor(x, None), axis=axis)
