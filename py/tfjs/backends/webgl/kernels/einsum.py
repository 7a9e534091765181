"""Einsum of the webgl backend, lowered onto the backend's own passes: the equations TF.js runs (one or two
operands, an arrow, no ellipsis, no letter twice in one operand) become sums over the letters only one operand
has, transposes, one (batched) matrix product and a final transpose into the output's order.

Two operands: the letters of both and of the output are the batch (B), those of both but not the output are
contracted (K), the others are each operand's free letters (M, N). With A laid out [B, M, K] and the other
[B, K, N], the product is [B, M, N]. A host operand (a model's weight) is laid out on the host once (cached
with the weight when it is read-only) and multiplies from the right, so the product's weight paths apply.
"""

from __future__ import annotations

import math

import numpy as np

from .... import kernel_names as K
from ..errors import NotOnGPU
from ..tensor import F32, GPUTensor
from .base import _is_float_input, register
from .matmul import MatmulKernels
from .reduce import ReduceKernels


def parse(equation: str, ranks: list[int]) -> tuple[list[str], str] | None:
    """(input terms, output term) of an equation TF.js runs on these operand ranks, else None."""
    eq = equation.replace(" ", "")
    if eq.count("->") != 1 or "." in eq:
        return None
    lhs, out = eq.split("->")
    terms = lhs.split(",")
    if len(terms) != len(ranks) or not 1 <= len(terms) <= 2:
        return None
    for term, rank in zip(terms, ranks):
        if not term.isalpha() and term or len(set(term)) != len(term) or len(term) != rank:
            return None
    if not out.isalpha() and out or len(set(out)) != len(out) or not set(out) <= set("".join(terms)):
        return None
    return terms, out


class EinsumKernels(MatmulKernels, ReduceKernels):
    """Einsum of the webgl backend."""

    def einsum(self, equation, *xs):  # float32 operands: see _operands
        parsed = parse(str(equation), [len(np.shape(x)) for x in xs])
        if parsed is None:
            raise NotOnGPU()  # what TF.js refuses the cpu kernel may still run, or say what is wrong
        terms, out = parsed
        sizes: dict[str, int] = {}
        for term, x in zip(terms, xs):
            for letter, n in zip(term, np.shape(x)):
                if sizes.setdefault(letter, int(n)) != int(n):
                    raise NotOnGPU()  # the cpu kernel names the sizes that differ
        if len(xs) == 1:
            x, term = self._sum_out(xs[0], terms[0], set(out))
            return self._to_order(self.g(x), term, out)
        (a, ta), (b, tb) = zip(xs, terms)
        if not isinstance(a, GPUTensor) and isinstance(b, GPUTensor):
            (a, ta), (b, tb) = (b, tb), (a, ta)  # the host operand multiplies from the right
        a, ta = self._sum_out(a, ta, set(out) | set(tb))
        b, tb = self._sum_out(b, tb, set(out) | set(ta))
        batch = [c for c in out if c in ta and c in tb]
        contract = [c for c in ta if c in tb and c not in out]
        free_a = [c for c in out if c in ta and c not in tb]
        free_b = [c for c in out if c in tb and c not in ta]
        nb, m, k, n = (math.prod(sizes[c] for c in group) for group in (batch, free_a, contract, free_b))
        if nb * m * n == 0 or k == 0:
            raise NotOnGPU()
        lead = (nb,) if nb > 1 else ()
        a = self._laid_out(a, ta, batch + free_a + contract, lead + (m, k))
        # the other operand [B, K, N], or [B, N, K] (the product's transposed right side) where that is how
        # it lies already: no transpose pass, no re-laid copy of a weight
        trans_b = _is_view(tb, batch + free_b + contract) and not _is_view(tb, batch + contract + free_b)
        b = self._laid_out(b, tb, batch + free_b + contract, lead + (n, k)) if trans_b else \
            self._laid_out(b, tb, batch + contract + free_b, lead + (k, n))
        if not isinstance(a, GPUTensor):
            a = self.g(a)
        prod = self._matmul_plan(a, b, m, k, n, nb, nb, False, trans_b, lead + (m, n))
        got = batch + free_a + free_b
        prod = prod.reshape(tuple(sizes[c] for c in got))
        return self._to_order(prod, "".join(got), out)

    def _sum_out(self, x, term: str, keep: set):
        """x summed over its letters not in ``keep`` (on the host for a host operand), and the letters left."""
        axes = [i for i, c in enumerate(term) if c not in keep]
        left = "".join(c for c in term if c in keep)
        if not axes:
            return x, left
        if isinstance(x, GPUTensor):
            return self.reduce("sum")(x, axis=axes, keep_dims=False), left
        return self._host(x, ("einsum_sum", term, left), lambda v: np.sum(v, axis=tuple(axes), dtype=F32),
                          tuple(d for i, d in enumerate(np.shape(x)) if i not in axes)), left

    def _laid_out(self, x, term: str, order: list[str], shape: tuple):
        """x transposed to the letters of ``order`` and reshaped to ``shape``: a GPU tensor, or for a host
        operand a host array (a view where no transpose is needed) or the GPU tensor of its re-laid copy."""
        perm = [term.index(c) for c in order]
        if isinstance(x, GPUTensor):
            return self.transpose(x, perm).reshape(shape)
        if _is_view(term, order):
            return np.asarray(x, F32).reshape(shape)
        return self._host(x, ("einsum_layout", tuple(perm), shape),
                          lambda v: np.transpose(v, perm).reshape(shape), shape)

    def _host(self, x, tag, make, shape):
        arr = x if isinstance(x, np.ndarray) else np.asarray(x, F32)
        return self.b.upload_derived(arr, tag, make, shape)

    def _to_order(self, x: GPUTensor, term: str, out: str):
        if term == out:
            return x
        return self.transpose(x, [term.index(c) for c in out])


def _is_view(term: str, order: list[str]) -> bool:
    """The letters of ``order`` are those of ``term`` in its own order: laying it out is a reshape."""
    return list(order) == [c for c in term if c in order]


def _operands(equation, *xs, **attrs) -> bool:
    """An equation string and float32 operands (on the GPU, or host float32 arrays)."""
    return isinstance(equation, str) and 1 <= len(xs) <= 2 and all(
        isinstance(x, GPUTensor) and x.dtype == F32 or not isinstance(x, GPUTensor) and _is_float_input(x) and
        np.asarray(x).dtype == F32 for x in xs)


def _register() -> None:
    register(K.Einsum, lambda b: EinsumKernels(b).einsum, ("matrix", "rank3", "image", "large"), supports=_operands)


_register()
