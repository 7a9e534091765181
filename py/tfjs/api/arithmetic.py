"""Elementwise ops with TF.js's dtype rules: binary ops in the inputs' common dtype (TF.js's upcast), with
broadcasting; the float functions (exp, log, sin ...) give float32; abs, neg, square, sign, relu keep int32."""

from __future__ import annotations

import numpy as np

from .. import kernel_names as K
from ..errors import InvalidArgumentError
from ..ops.dispatch import run
from .convert import broadcast_shape, convert, dtype_of, match


def _binary(kernel, js_name, doc):
    """tf.<js_name>(a, b): the two matched to one dtype as TF.js does, broadcast, then the kernel."""
    def op(a, b):
        a, b = match(a, b, js_name)
        broadcast_shape(a, b)
        return run(kernel, a, b)
    op.__name__ = js_name
    op.__doc__ = f"tf.{js_name}(a, b): {doc}, with broadcasting."
    return op


add = _binary(K.Add, "add", "a + b")
sub = _binary(K.Sub, "sub", "a - b")
mul = _binary(K.Mul, "mul", "a * b")
maximum = _binary(K.Maximum, "maximum", "the larger of a and b")
minimum = _binary(K.Minimum, "minimum", "the smaller of a and b")
pow = _binary(K.Pow, "pow", "a ** b (int32 ** int32 stays int32)")  # noqa: A001
squared_difference = _binary(K.SquaredDifference, "squaredDifference", "(a - b) ** 2")
mod = _binary(K.FloorMod, "mod", "the remainder of a / b with the divisor's sign")
floor_div = _binary(K.FloorDiv, "floorDiv", "floor(a / b)")
div_no_nan = _binary(K.DivNoNan, "divNoNan", "a / b, 0 where b is 0")
atan2 = _binary(K.Atan2, "atan2", "the angle of (b, a)")


def div(a, b):
    """tf.div(a, b): a / b; floor division when both are int32 (as TF.js)."""
    a, b = match(a, b, "div")
    broadcast_shape(a, b)
    if dtype_of(a) == "int32":
        return run(K.FloorDiv, a, b)
    if dtype_of(a) == "complex64":
        return run(K.ComplexDiv, a, b)
    return run(K.RealDiv, a, b)


def bitwise_and(x, y):
    """tf.bitwiseAnd(x, y): int32 tensors of one shape."""
    x, y = convert(x, "x", "bitwiseAnd"), convert(y, "y", "bitwiseAnd")
    if list(x.shape) != list(y.shape):
        raise InvalidArgumentError(f"BitwiseAnd: Tensors must have the same shape. x: {list(x.shape)}, "
                                   f"y: {list(y.shape)}")
    if dtype_of(x) != "int32" or dtype_of(y) != "int32":
        raise InvalidArgumentError(f"BitwiseAnd: Only supports 'int32' values in tensor, found type of x: "
                                   f"{dtype_of(x)} and type of y: {dtype_of(y)}")
    return run(K.BitwiseAnd, x, y)


def add_n(tensors):
    """tf.addN(tensors): the sum of a list of tensors of one shape and dtype."""
    if not tensors:
        raise InvalidArgumentError("Must pass at least one tensor to tf.addN()")
    xs = [convert(t, f"tensors{i}", "addN") for i, t in enumerate(tensors)]
    for t in xs[1:]:
        if list(t.shape) != list(xs[0].shape):
            raise InvalidArgumentError("All tensors passed to tf.addN() must have the same shape")
        if dtype_of(t) != dtype_of(xs[0]):
            raise InvalidArgumentError("All tensors passed to tf.addN() must have the same dtype")
    return run(K.AddN, xs)


# ------------------------------------------------------------------------------------------------ compare
def _compare(kernel, js_name, doc):
    return _binary(kernel, js_name, f"bool, {doc}")


equal = _compare(K.Equal, "equal", "a == b")
not_equal = _compare(K.NotEqual, "notEqual", "a != b")
greater = _compare(K.Greater, "greater", "a > b")
greater_equal = _compare(K.GreaterEqual, "greaterEqual", "a >= b")
less = _compare(K.Less, "less", "a < b")
less_equal = _compare(K.LessEqual, "lessEqual", "a <= b")


def _bool(x, name, op):
    t = convert(x, name, op)
    if getattr(x, "dtype", None) is not None and dtype_of(t) != "bool":
        raise InvalidArgumentError(f"Argument '{name}' passed to '{op}' must be bool tensor, but got "
                                   f"{dtype_of(t)} tensor")
    return convert(t, name, op, "bool")


def logical_and(a, b):
    """tf.logicalAnd(a, b): bool tensors, with broadcasting."""
    a, b = _bool(a, "a", "logicalAnd"), _bool(b, "b", "logicalAnd")
    broadcast_shape(a, b)
    return run(K.LogicalAnd, a, b)


def logical_or(a, b):
    """tf.logicalOr(a, b): bool tensors, with broadcasting."""
    a, b = _bool(a, "a", "logicalOr"), _bool(b, "b", "logicalOr")
    broadcast_shape(a, b)
    return run(K.LogicalOr, a, b)


def logical_not(x):
    """tf.logicalNot(x): a bool tensor."""
    return run(K.LogicalNot, _bool(x, "x", "logicalNot"))


def logical_xor(a, b):
    """tf.logicalXor(a, b): (a or b) and not (a and b), with broadcasting."""
    a, b = _bool(a, "a", "logicalXor"), _bool(b, "b", "logicalXor")
    broadcast_shape(a, b)
    return run(K.LogicalAnd, run(K.LogicalOr, a, b), run(K.LogicalNot, run(K.LogicalAnd, a, b)))


def where(condition, a, b):
    """tf.where(condition, a, b): a where condition is true, else b (condition bool; a and b of one dtype)."""
    cond = _bool(condition, "condition", "where")
    a, b = match(a, b, "where")
    shape = broadcast_shape(a, b)
    try:
        np.broadcast_shapes(tuple(cond.shape), tuple(shape))
    except ValueError:
        raise InvalidArgumentError(f"Error in where: Operands could not be broadcast together with shapes "
                                   f"{','.join(map(str, cond.shape))} and {','.join(map(str, shape))}.") from None
    return run(K.Select, cond, a, b)


# ------------------------------------------------------------------------------------------------ unary
# TF.js 4.22's dtype rules for an int32 or bool input, function by function: some insist on float32 (and throw),
# some compute in float and store the result in the input's dtype (int32 truncates towards zero), some give
# float32; abs, neg, square, sign, relu keep the input's dtype exactly.
FLOAT_ONLY = {"log", "sqrt", "rsqrt", "floor", "ceil", "sin", "cos", "tan", "cosh", "tanh", "sigmoid", "elu",
              "softmax"}
SAME_DTYPE = {"expm1", "log1p", "reciprocal", "round", "asin", "acos", "atan", "sinh", "asinh", "acosh", "atanh",
              "softplus", "selu", "relu6", "logSigmoid", "step"}


def _unary_input(x, js_name, name="x"):
    """x as a float32 op input, by TF.js's rule for js_name; returns (input, dtype to store the result in)."""
    t = convert(x, name, js_name)
    dtype = dtype_of(t)
    if dtype in ("float32", "complex64"):
        return t, None
    if js_name in FLOAT_ONLY and getattr(x, "dtype", None) is not None:
        raise InvalidArgumentError(f"Argument '{name}' passed to '{js_name}' must be float32 tensor, but got "
                                   f"{dtype} tensor")
    return convert(t, name, js_name, "float32"), (dtype if js_name in SAME_DTYPE else None)


def _store(y, dtype):
    return y if dtype is None else run(K.Cast, y, dtype=dtype)


def _unary(kernel, js_name, doc, keep=False):
    def op(x):
        if keep:
            return run(kernel, convert(x, "x", js_name))
        t, dtype = _unary_input(x, js_name)
        return _store(run(kernel, t), dtype)
    op.__name__ = js_name
    op.__doc__ = f"tf.{js_name}(x): elementwise {doc}."
    return op


abs = _unary(K.Abs, "abs", "|x| (complex64: the modulus)", keep=True)  # noqa: A001
neg = _unary(K.Neg, "neg", "-x", keep=True)
square = _unary(K.Square, "square", "x * x", keep=True)
sign = _unary(K.Sign, "sign", "sign, 0 at 0", keep=True)
relu = _unary(K.Relu, "relu", "max(x, 0)", keep=True)
exp = _unary(K.Exp, "exp", "e ** x")
expm1 = _unary(K.Expm1, "expm1", "e ** x - 1")
log = _unary(K.Log, "log", "natural logarithm")
log1p = _unary(K.Log1p, "log1p", "log(1 + x)")
sqrt = _unary(K.Sqrt, "sqrt", "square root")
rsqrt = _unary(K.Rsqrt, "rsqrt", "1 / sqrt(x)")
reciprocal = _unary(K.Reciprocal, "reciprocal", "1 / x")
floor = _unary(K.Floor, "floor", "floor")
ceil = _unary(K.Ceil, "ceil", "ceiling")
round = _unary(K.Round, "round", "rounding half to even")  # noqa: A001
sin = _unary(K.Sin, "sin", "sine")
cos = _unary(K.Cos, "cos", "cosine")
tan = _unary(K.Tan, "tan", "tangent")
asin = _unary(K.Asin, "asin", "arcsine")
acos = _unary(K.Acos, "acos", "arccosine")
atan = _unary(K.Atan, "atan", "arctangent")
sinh = _unary(K.Sinh, "sinh", "hyperbolic sine")
cosh = _unary(K.Cosh, "cosh", "hyperbolic cosine")
tanh = _unary(K.Tanh, "tanh", "hyperbolic tangent")
asinh = _unary(K.Asinh, "asinh", "inverse hyperbolic sine")
acosh = _unary(K.Acosh, "acosh", "inverse hyperbolic cosine")
atanh = _unary(K.Atanh, "atanh", "inverse hyperbolic tangent")
erf = _unary(K.Erf, "erf", "Gauss error function")
sigmoid = _unary(K.Sigmoid, "sigmoid", "1 / (1 + e ** -x)")
softplus = _unary(K.Softplus, "softplus", "log(1 + e ** x)")
selu = _unary(K.Selu, "selu", "scaled exponential linear unit")
relu6 = _unary(K.Relu6, "relu6", "min(max(x, 0), 6)")
is_nan = _unary(K.IsNan, "isNaN", "NaN test (bool)")
is_inf = _unary(K.IsInf, "isInf", "infinity test (bool)")
is_finite = _unary(K.IsFinite, "isFinite", "finiteness test (bool)")


def elu(x):
    """tf.elu(x): x where x > 0, else e ** x - 1."""
    return run(K.Elu, _unary_input(x, "elu")[0], alpha=1.0)


def log_sigmoid(x):
    """tf.logSigmoid(x): -softplus(-x)."""
    t, dtype = _unary_input(x, "logSigmoid")
    return _store(run(K.Neg, run(K.Softplus, run(K.Neg, t))), dtype)


def leaky_relu(x, alpha=0.2):
    """tf.leakyRelu(x, alpha=0.2)."""
    return run(K.LeakyRelu, convert(x, "x", "leakyRelu", "float32"), alpha=alpha)


def prelu(x, alpha):
    """tf.prelu(x, alpha): x where x > 0, else alpha * x (alpha broadcast)."""
    return run(K.Prelu, convert(x, "x", "prelu", "float32"), convert(alpha, "alpha", "prelu", "float32"))


def step(x, alpha=0.0):
    """tf.step(x, alpha=0): 1 where x > 0, else alpha."""
    t, dtype = _unary_input(x, "step")
    return _store(run(K.Step, t, alpha=alpha), dtype)


def clip_by_value(x, clip_value_min, clip_value_max):
    """tf.clipByValue(x, clipValueMin, clipValueMax)."""
    if clip_value_min > clip_value_max:
        raise InvalidArgumentError(f"Error in clip: min ({clip_value_min}) must be less than or equal to max "
                                   f"({clip_value_max}).")
    x = convert(x, "x", "clipByValue")
    out = run(K.ClipByValue, x, clip_value_min=clip_value_min, clip_value_max=clip_value_max)
    return run(K.Cast, out, dtype="int32") if dtype_of(x) == "int32" else out


def moving_average(v, x, decay, step=None, zero_debias=True):
    """tf.movingAverage(v, x, decay, step?, zeroDebias=true): v + (x - v) (1 - decay), divided by
    1 - decay ** step when zero-debiasing (step is then required). Returns the new average; v is unchanged."""
    v, x = convert(v, "v", "movingAverage"), convert(x, "x", "movingAverage")
    if dtype_of(v) != dtype_of(x):
        raise InvalidArgumentError(f"The dtypes of the first({dtype_of(v)}) and second({dtype_of(x)}) input must "
                                   f"match")
    if list(v.shape) != list(x.shape):
        raise InvalidArgumentError("Shape mismatch in v and x")
    one = np.float32(1)
    decay = convert(decay, "decay", "movingAverage")
    update = run(K.Mul, run(K.Sub, x, v), run(K.Sub, one, decay))
    if zero_debias:
        if step is None:
            raise InvalidArgumentError("When using zeroDebias: true, step is required.")
        step = convert(step, "step", "movingAverage")
        update = run(K.RealDiv, update, run(K.Sub, one, run(K.Pow, decay, step)))
    return run(K.Add, v, update)
