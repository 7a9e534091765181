"""Products: matMul (batched, broadcast batch axes), dot, outerProduct, einsum."""

from __future__ import annotations

from .. import kernel_names as K
from ..errors import InvalidArgumentError
from ..ops.dispatch import run
from .convert import convert, dtype_of, match


def mat_mul(a, b, transpose_a=False, transpose_b=False):
    """tf.matMul(a, b, transposeA=false, transposeB=false): rank >= 2, batch axes broadcast."""
    a, b = match(a, b, "matMul")
    if a.ndim < 2 or b.ndim < 2:
        raise InvalidArgumentError(f"Error in matMul: inputs must have rank >= 2, got ranks {a.ndim} and {b.ndim}.")
    inner_a = a.shape[-2] if transpose_a else a.shape[-1]
    inner_b = b.shape[-1] if transpose_b else b.shape[-2]
    if inner_a != inner_b:
        raise InvalidArgumentError(f"Error in matMul: inner shapes ({inner_a}) and ({inner_b}) of Tensors with "
                                   f"shapes {','.join(map(str, a.shape))} and {','.join(map(str, b.shape))} and "
                                   f"transposeA={str(transpose_a).lower()} and "
                                   f"transposeB={str(transpose_b).lower()} must match.")
    out = run(K.BatchMatMul, a, b, transpose_a=transpose_a, transpose_b=transpose_b)
    return run(K.Cast, out, dtype="int32") if dtype_of(a) == "int32" else out


def dot(t1, t2):
    """tf.dot(t1, t2): vector . vector (a scalar), vector . matrix, matrix . vector, matrix . matrix."""
    a, b = match(t1, t2, "dot")
    if a.ndim not in (1, 2) or b.ndim not in (1, 2):
        raise InvalidArgumentError(f"Error in dot: inputs must all be rank 1 or 2, but got ranks {a.ndim} and "
                                   f"{b.ndim}.")
    n_a, n_b = a.shape[-1], b.shape[0]
    if n_a != n_b:
        raise InvalidArgumentError(f"Error in dot: inner dimensions of inputs must match, but got {n_a} and {n_b}.")
    a2 = run(K.Reshape, a, shape=[1, -1]) if a.ndim == 1 else a
    b2 = run(K.Reshape, b, shape=[-1, 1]) if b.ndim == 1 else b
    out = run(K.BatchMatMul, a2, b2, transpose_a=False, transpose_b=False)
    if a.ndim == 1 and b.ndim == 1:
        return run(K.Reshape, out, shape=[])
    if a.ndim == 1:
        return run(K.Reshape, out, shape=[b.shape[1]])
    if b.ndim == 1:
        return run(K.Reshape, out, shape=[a.shape[0]])
    return out


def outer_product(v1, v2):
    """tf.outerProduct(v1, v2): [m] x [n] -> [m, n]."""
    a, b = match(v1, v2, "outerProduct")
    if a.ndim != 1 or b.ndim != 1:
        raise InvalidArgumentError(f"Error in outerProduct: inputs must be rank 1, but got ranks {a.ndim} and "
                                   f"{b.ndim}.")
    return run(K.BatchMatMul, run(K.Reshape, a, shape=[-1, 1]), run(K.Reshape, b, shape=[1, -1]),
               transpose_a=False, transpose_b=False)


def einsum(equation, *tensors):
    """tf.einsum(equation, ...tensors): TF.js's subset (explicit output, at most two inputs, no ellipsis)."""
    xs = [convert(t, f"tensors{i}", "einsum") for i, t in enumerate(tensors)]
    return run(K.Einsum, equation, *xs)
