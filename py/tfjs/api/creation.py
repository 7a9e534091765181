"""Creating tensors: tf.tensor, tf.scalar, tf.tensor1d ... tf.tensor6d, zeros, ones, fill, eye, range,
linspace, one_hot, the random ones, meshgrid, clone, cast, complex, real, imag."""

from __future__ import annotations

import numpy as np

from .. import kernel_names as K
from ..errors import InvalidArgumentError
from ..ops.dispatch import run
from .convert import _NP, DTYPES, convert, dtype_of


def _check_dtype(dtype):
    if dtype is not None and dtype not in DTYPES:
        raise InvalidArgumentError(f"Unknown data type {dtype}")


def tensor(values, shape=None, dtype=None):
    """tf.tensor(values, shape?, dtype?): a tensor of ``values`` (nested lists, a flat list with ``shape``, a
    numpy array); Python numbers become float32, bools bool, strings string unless ``dtype`` says."""
    _check_dtype(dtype)
    if dtype == "string" or (dtype is None and np.asarray(values).dtype.kind in "USO"):
        arr = convert(values, "values", "tensor")
    else:
        arr = convert(values, "values", "tensor", dtype)
    if shape is not None:
        shape = [int(d) for d in shape]
        size = int(np.prod(shape)) if shape else 1
        if arr.ndim > 1 or (arr.ndim == 1 and arr.size != size) or (arr.ndim == 0 and size != 1 and arr.size):
            if arr.size != size:
                raise InvalidArgumentError(f"Based on the provided shape, [{','.join(map(str, shape))}], the "
                                           f"tensor should have {size} values but has {arr.size}")
        arr = np.broadcast_to(arr, shape).copy() if arr.ndim == 0 else arr.reshape(shape)
    return arr


def scalar(value, dtype=None):
    """tf.scalar(value, dtype?): a rank-0 tensor."""
    if isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) > 0:
        raise InvalidArgumentError("The value passed to scalar() must be a primitive value, not an array")
    return tensor(value, [], dtype)


_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def _ranked(rank):
    def make(values, shape=None, dtype=None):
        if shape is not None and len(shape) != rank:
            raise InvalidArgumentError(f"tensor{rank}d() requires shape to have {_WORDS[rank]} numbers")
        ndim = np.ndim(values)
        if ndim not in (rank, 1):
            raise InvalidArgumentError(f"tensor{rank}d() requires values to be number{'[]' * rank} or "
                                       f"flat/TypedArray")
        if ndim == 1 and shape is None:
            raise InvalidArgumentError(f"tensor{rank}d() requires shape to be provided when `values` are a "
                                       f"flat/TypedArray")
        return tensor(values, shape, dtype)
    make.__name__ = f"tensor{rank}d"
    make.__doc__ = f"tf.tensor{rank}d(values, shape?, dtype?): a rank-{rank} tensor."
    return make


tensor2d, tensor3d, tensor4d, tensor5d, tensor6d = (_ranked(r) for r in range(2, 7))


def tensor1d(values, dtype=None):
    """tf.tensor1d(values, dtype?): a rank-1 tensor."""
    if np.ndim(values) != 1:
        raise InvalidArgumentError("tensor1d() requires values to be a flat/TypedArray")
    return tensor(values, [len(values)], dtype)


def fill(shape, value, dtype=None):
    """tf.fill(shape, value, dtype?): dtype defaults to the value's (float32 for numbers, bool, string)."""
    _check_dtype(dtype)
    if dtype is None:
        dtype = "string" if isinstance(value, (str, bytes)) else "bool" if isinstance(value, bool) else "float32"
    if dtype == "string":
        return tensor([value] * int(np.prod(shape)) if shape else value, shape, "string")
    return run(K.Fill, [int(d) for d in shape], value, dtype=dtype)


def zeros(shape, dtype="float32"):
    """tf.zeros(shape, dtype='float32')."""
    if dtype == "complex64":
        return np.zeros(shape, np.complex64)
    return fill(shape, 0, dtype)


def ones(shape, dtype="float32"):
    """tf.ones(shape, dtype='float32')."""
    if dtype == "complex64":
        return np.ones(shape, np.complex64)
    return fill(shape, 1, dtype)


def zeros_like(x):
    """tf.zerosLike(x): zeros of x's shape and dtype."""
    return run(K.ZerosLike, convert(x, "x", "zerosLike"))


def ones_like(x):
    """tf.onesLike(x): ones of x's shape and dtype."""
    return run(K.OnesLike, convert(x, "x", "onesLike"))


def clone(x):
    """tf.clone(x): a new tensor with x's values (a copy of a host array; a device tensor's identity)."""
    x = convert(x, "x", "clone")
    return x.copy() if isinstance(x, np.ndarray) else x


def cast(x, dtype):
    """tf.cast(x, dtype): float -> int truncates towards zero; anything -> bool is x != 0."""
    _check_dtype(dtype)
    x = convert(x, "x", "cast")
    if dtype == "string" or dtype_of(x) == "string":
        if dtype_of(x) != dtype:
            raise InvalidArgumentError("Only strings can be casted to strings")
        return x
    if dtype == "complex64":
        return np.asarray(x).astype(np.complex64)
    if dtype_of(x) == "complex64":
        return run(K.Cast, run(K.Real, x), dtype=dtype)
    return run(K.Cast, x, dtype=dtype)


def eye(num_rows, num_columns=None, batch_shape=None, dtype="float32"):
    """tf.eye(numRows, numColumns?, batchShape?, dtype='float32')."""
    _check_dtype(dtype)
    cols = num_rows if num_columns is None else num_columns
    out = np.eye(int(num_rows), int(cols), dtype=_NP[dtype])
    if batch_shape:
        out = np.broadcast_to(out, [*batch_shape, int(num_rows), int(cols)]).copy()
    return out


def range(start, stop=None, step=1, dtype="float32"):  # noqa: A001
    """tf.range(start, stop, step=1, dtype='float32'); TF.js's one-argument form is range(0, start)."""
    if step == 0:
        raise InvalidArgumentError("Cannot have a step of zero")
    if stop is None:
        start, stop = 0, start
    return run(K.Range, start, stop, step, dtype=dtype)


def linspace(start, stop, num):
    """tf.linspace(start, stop, num): float32."""
    if num <= 0:
        raise InvalidArgumentError("The number of values should be positive.")
    return run(K.LinSpace, start, stop, int(num))


def one_hot(indices, depth, on_value=1, off_value=0, dtype="int32"):
    """tf.oneHot(indices, depth, onValue=1, offValue=0, dtype='int32'): indices are int32."""
    if depth < 2:
        raise InvalidArgumentError(f"Error in oneHot: depth must be >=2, but it is {depth}")
    idx = convert(indices, "indices", "oneHot", "int32")
    out = run(K.OneHot, idx, depth=int(depth), on_value=on_value, off_value=off_value)
    return cast(out, dtype)


def complex(real, imag):  # noqa: A001
    """tf.complex(real, imag): complex64 from two float32 tensors of one shape."""
    real, imag = convert(real, "real", "complex", "float32"), convert(imag, "imag", "complex", "float32")
    if list(real.shape) != list(imag.shape):
        raise InvalidArgumentError(f"real and imag shapes, {list(real.shape)} and {list(imag.shape)}, must match "
                                   f"in call to tf.complex().")
    return run(K.Complex, real, imag)


def real(x):
    """tf.real(x): the real part (float32)."""
    return run(K.Real, convert(x, "input", "real"))


def imag(x):
    """tf.imag(x): the imaginary part (float32)."""
    return run(K.Imag, convert(x, "input", "imag"))


def meshgrid(x=None, y=None, indexing="xy"):
    """tf.meshgrid(x, y, {indexing}): two grids from two vectors (indexing 'xy' or 'ij')."""
    if indexing not in ("xy", "ij"):
        raise InvalidArgumentError(f"indexing {indexing} must be either 'xy' or 'ij'")
    if x is None:
        return []
    x = convert(x, "x", "meshgrid", None).reshape(-1)
    if y is None:
        return [x.reshape(1, -1) if indexing == "xy" else x.reshape(-1, 1)]
    y = convert(y, "y", "meshgrid", None).reshape(-1)
    if indexing == "xy":
        shape = (y.size, x.size)
        return [np.broadcast_to(x[None, :], shape).copy(), np.broadcast_to(y[:, None], shape).copy()]
    shape = (x.size, y.size)
    return [np.broadcast_to(x[:, None], shape).copy(), np.broadcast_to(y[None, :], shape).copy()]


# ------------------------------------------------------------------------------------------------ random
def random_uniform(shape, minval=0, maxval=1, dtype="float32", seed=None):
    """tf.randomUniform(shape, minval=0, maxval=1, dtype='float32', seed?): values in [minval, maxval)."""
    return run(K.RandomUniform, [int(d) for d in shape], minval=minval, maxval=maxval, dtype=dtype, seed=seed)


def random_uniform_int(shape, minval, maxval, seed=None):
    """tf.randomUniformInt(shape, minval, maxval, seed?): int32 values in [minval, maxval)."""
    return run(K.RandomUniform, [int(d) for d in shape], minval=minval, maxval=maxval, dtype="int32", seed=seed)


def random_normal(shape, mean=0, std_dev=1, dtype="float32", seed=None):
    """tf.randomNormal(shape, mean=0, stdDev=1, dtype='float32', seed?)."""
    if dtype not in ("float32", "int32"):
        raise InvalidArgumentError(f"Unsupported data type {dtype}")
    out = run(K.RandomStandardNormal, [int(d) for d in shape], mean=mean, stddev=std_dev, seed=seed)
    return np.round(out).astype(np.int32) if dtype == "int32" else out


def random_standard_normal(shape, dtype="float32", seed=None):
    """tf.randomStandardNormal(shape, dtype='float32', seed?)."""
    return random_normal(shape, 0, 1, dtype, seed)


def truncated_normal(shape, mean=0, std_dev=1, dtype="float32", seed=None):
    """tf.truncatedNormal(shape, mean=0, stdDev=1, dtype='float32', seed?): within two std devs of the mean."""
    if dtype not in ("float32", "int32"):
        raise InvalidArgumentError(f"Unsupported data type {dtype}")
    out = run(K.RandomStandardNormal, [int(d) for d in shape], mean=mean, stddev=std_dev, truncated=True, seed=seed)
    return np.round(out).astype(np.int32) if dtype == "int32" else out


def random_gamma(shape, alpha, beta=1, dtype="float32", seed=None):
    """tf.randomGamma(shape, alpha, beta=1, dtype='float32', seed?): gamma-distributed values of shape alpha
    and rate beta (mean alpha / beta), drawn on the host (numpy's generator; TF.js's own sequence differs)."""
    if alpha <= 0:
        raise InvalidArgumentError("Error in randomGamma: alpha must be > 0.")
    if beta <= 0:
        raise InvalidArgumentError("Error in randomGamma: beta must be > 0.")
    if dtype not in ("float32", "int32"):
        raise InvalidArgumentError(f"Unsupported data type {dtype}")
    rng = np.random.default_rng(seed)
    out = rng.gamma(float(alpha), 1.0 / float(beta), size=[int(d) for d in shape])
    return np.round(out).astype(np.int32) if dtype == "int32" else out.astype(np.float32)


def rand(shape, rand_function, dtype="float32"):
    """tf.rand(shape, randFunction, dtype='float32'): each value from a call of ``rand_function()``."""
    size = int(np.prod(shape)) if len(shape) else 1
    return np.asarray([rand_function() for _ in _range(size)], _NP[dtype]).reshape(shape)


def multinomial(logits, num_samples, seed=None, normalized=False):
    """tf.multinomial(logits, numSamples, seed?, normalized=false): int32 class indices."""
    logits = convert(logits, "logits", "multinomial", "float32")
    if logits.ndim not in (1, 2):
        raise InvalidArgumentError(f"Rank of probabilities must be 1 or 2, but is {logits.ndim}")
    out = run(K.Multinomial, logits.reshape(1, -1) if logits.ndim == 1 else logits, num_samples=num_samples,
              seed=seed, normalized=normalized)
    return out.reshape(-1) if logits.ndim == 1 else out


import builtins as _builtins  # noqa: E402

_range = _builtins.range
