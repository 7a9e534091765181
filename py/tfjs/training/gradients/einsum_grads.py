"""The gradient of Einsum with two operands (what EinsumDense and MultiHeadAttention run), so that models using
them train. TF.js registers none; the rule is the product's: the gradient of operand A in ``A,B->O`` is
``einsum('O,B->A', dy, B)``, with A's letters that appear in neither O nor B (summed away in the forward pass)
broadcast back. An ellipsis, a letter repeated within one operand (a diagonal) or another operand count is an
error naming the equation.
"""

from __future__ import annotations

import numpy as np

from ... import kernel_names as K
from .registry import register


def _parse(equation: str) -> tuple[str, str, str]:
    eq = equation.replace(" ", "")
    if "..." in eq or "->" not in eq:
        raise ValueError(f"Einsum gradient: equation {equation!r} is not supported (write it without '...' and "
                         f"with an explicit '->')")
    lhs, out = eq.split("->")
    operands = lhs.split(",")
    if len(operands) != 2:
        raise ValueError(f"Einsum gradient: equation {equation!r} has {len(operands)} operand(s); two are supported")
    for spec in (*operands, out):
        if len(set(spec)) != len(spec):
            raise ValueError(f"Einsum gradient: equation {equation!r} repeats a letter within one operand")
    return operands[0], operands[1], out


def _operand_grad(dy, spec_out, other, spec_other, spec_self, shape_self):
    kept = "".join(c for c in spec_self if c in spec_out or c in spec_other)
    g = np.einsum(f"{spec_out},{spec_other}->{kept}", dy, other)
    if kept != spec_self:  # letters summed away in the forward pass: each element got the same gradient
        g = g.reshape([g.shape[kept.index(c)] if c in kept else 1 for c in spec_self])
        g = np.broadcast_to(g, shape_self)
    return np.ascontiguousarray(g)


@register(K.Einsum)
def _einsum(dy, inputs, attrs, y, need):
    equation = inputs[0] if isinstance(inputs[0], str) else attrs["equation"]
    arrays = [x for x in inputs if not isinstance(x, str)]
    a_spec, b_spec, out = _parse(equation)
    a, b = (np.asarray(x) for x in arrays)
    dy = np.asarray(dy, a.dtype)
    ga = _operand_grad(dy, out, b, b_spec, a_spec, a.shape) if need[-2] else None
    gb = _operand_grad(dy, out, a, a_spec, b_spec, b.shape) if need[-1] else None
    return ([None] if isinstance(inputs[0], str) else []) + [ga, gb]
