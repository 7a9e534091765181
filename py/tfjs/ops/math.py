"""Elementwise and reduction ops (float32)."""

from __future__ import annotations

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


abs = _unary("Abs")  # noqa: A001
neg = _unary("Neg")
exp = _unary("Exp")
expm1 = _unary("Expm1")
log = _unary("Log")
log1p = _unary("Log1p")
sqrt = _unary("Sqrt")
rsqrt = _unary("Rsqrt")
square = _unary("Square")
reciprocal = _unary("Reciprocal")
sign = _unary("Sign")
floor = _unary("Floor")
ceil = _unary("Ceil")
round = _unary("Round")  # noqa: A001
tanh = _unary("Tanh")
sin = _unary("Sin")
cos = _unary("Cos")
relu = _unary("Relu")
relu6 = _unary("Relu6")
sigmoid = _unary("Sigmoid")
softplus = _unary("Softplus")
selu = _unary("Selu")
erf = _unary("Erf")

add = _binary("Add")
sub = _binary("Sub")
mul = _binary("Mul")
div = _binary("RealDiv")
maximum = _binary("Maximum")
minimum = _binary("Minimum")
pow = _binary("Pow")  # noqa: A001
squared_difference = _binary("SquaredDifference")


def elu(x, alpha=1.0):
    return run("Elu", tensor(x), alpha=alpha)


def leaky_relu(x, alpha=0.2):
    return run("LeakyRelu", tensor(x), alpha=alpha)


def prelu(x, alpha):
    return run("Prelu", tensor(x), tensor(alpha))


def step(x, alpha=0.0):
    return run("Step", tensor(x), alpha=alpha)


def clip_by_value(x, clip_value_min, clip_value_max):
    return run("ClipByValue", tensor(x), clip_value_min=clip_value_min, clip_value_max=clip_value_max)


def softmax(x, axis=-1):
    return run("Softmax", tensor(x), axis=axis)


def log_softmax(x, axis=-1):
    return run("LogSoftmax", tensor(x), axis=axis)


def greater(a, b):
    return run("Greater", a, b)


def greater_equal(a, b):
    return run("GreaterEqual", a, b)


def less(a, b):
    return run("Less", a, b)


def equal(a, b):
    return run("Equal", a, b)


def not_equal(a, b):
    return run("NotEqual", a, b)


def logical_and(a, b):
    return run("LogicalAnd", a, b)


def logical_or(a, b):
    return run("LogicalOr", a, b)


def logical_not(x):
    return run("LogicalNot", x)


def where(condition, a, b):
    return run("Select", condition, tensor(a), tensor(b))


def cast(x, dtype):
    return run("Cast", x, dtype=dtype)


def sum(x, axis=None, keep_dims=False):  # noqa: A001
    return run("Sum", tensor(x, None), axis=axis, keep_dims=keep_dims)


def mean(x, axis=None, keep_dims=False):
    return run("Mean", tensor(x), axis=axis, keep_dims=keep_dims)


def max(x, axis=None, keep_dims=False):  # noqa: A001
    return run("Max", tensor(x, None), axis=axis, keep_dims=keep_dims)


def min(x, axis=None, keep_dims=False):  # noqa: A001
    return run("Min", tensor(x, None), axis=axis, keep_dims=keep_dims)


def prod(x, axis=None, keep_dims=False):
    return run("Prod", tensor(x, None), axis=axis, keep_dims=keep_dims)


def any(x, axis=None, keep_dims=False):  # noqa: A001
    return run("Any", tensor(x, None), axis=axis, keep_dims=keep_dims)


def all(x, axis=None, keep_dims=False):  # noqa: A001
    return run("All", tensor(x, None), axis=axis, keep_dims=keep_dims)


def arg_max(x, axis=0):
    return run("ArgMax", tensor(x, None), axis=axis)


def arg_min(x, axis=0):
    return run("ArgMin", tensor(x, None), axis=axis)
