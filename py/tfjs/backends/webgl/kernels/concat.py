"""Joining kernels of the webgl backend: Concat, Pack, AddN."""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..fusion import Plan
from ..tensor import F32, GPUTensor
from .base import _ax, float32_list, register
from .elementwise import ElementwiseKernels


class ConcatKernels(ElementwiseKernels):
    """Joining kernels of the webgl backend: Concat, Pack, AddN."""

    def concat(self, xs, axis=0):  # a non-empty list of float32 tensors: see float32_list
        xs = list(xs)
        rank = len(np.shape(xs[0]))
        axis = _ax(int(axis), rank)
        xs = [x for x in xs if int(np.prod(np.shape(x))) > 0] or xs[:1]
        if len(xs) == 1:
            return self.g(xs[0])
        shapes = [tuple(np.shape(x)) for x in xs]
        for s in shapes:
            if len(s) != rank or s[:axis] != shapes[0][:axis] or s[axis + 1:] != shapes[0][axis + 1:]:
                raise ValueError(f"Concat: shapes {[list(s) for s in shapes]} differ outside axis {axis}")
        while len(xs) > 6:
            head = self.concat(xs[:6], axis)
            xs = [head] + xs[6:]
            shapes = [tuple(np.shape(x)) for x in xs]
        post = int(np.prod(shapes[0][axis + 1:]))
        inners = [s[axis] * post for s in shapes]
        total = sum(inners)
        out_shape = shapes[0][:axis] + (sum(s[axis] for s in shapes),) + shapes[0][axis + 1:]
        offs = np.cumsum([0] + inners).tolist()
        fast = all(v % 4 == 0 for v in inners)
        params = [total] + [int(v) for v in offs[1:]] + inners
        k = len(xs)
        if fast:
            lines = ["  int TOT = P(0); int oo = i0 / TOT; int rr = i0 % TOT;"]
            for j in range(k):
                cond = f"rr < P({1 + j})" if j < k - 1 else "true"
                lo = "0" if j == 0 else f"P({j})"
                lines.append(f"  {'if' if j == 0 else 'else if'} ({cond}) r = X{j}((oo * P({1 + k + j}) + rr - {lo}) >> 2);")
            body = "\n".join(lines)
        else:
            lines = ["  int TOT = P(0);", "  for (int q = 0; q < 4; q++) {", "    int i = i0 + q; if (i >= NOUT) break;",
                     "    int oo = i / TOT; int rr = i % TOT;"]
            for j in range(k):
                cond = f"rr < P({1 + j})" if j < k - 1 else "true"
                lo = "0" if j == 0 else f"P({j})"
                lines.append(f"    {'if' if j == 0 else 'else if'} ({cond}) r[q] = S{j}(oo * P({1 + k + j}) + rr - {lo});")
            lines.append("  }")
            body = "\n".join(lines)
        key = ("concat", k, fast)
        ins = [self.g(x) for x in xs]
        return Plan(key, body, ins, params, [], out_shape[-1]).execute(self.b, out_shape)

    def add_n(self, xs):  # a non-empty list of float32 tensors: see _float32s
        xs = list(xs)
        shape = tuple(np.shape(xs[0]))
        if any(tuple(np.shape(x)) != shape for x in xs):
            raise ValueError(f"AddN: inputs must have one shape, got {[list(np.shape(x)) for x in xs]}")
        add = self.binary("Add")
        y = self.g(xs[0])
        for x in xs[1:]:  # same-shape adds: epilogue steps of one pass (a new pass every MAX_STEPS)
            y = add(y, x)
        return y

    def pack(self, xs, axis=0):  # as concat: see float32_list
        xs = list(xs)
        rank = len(np.shape(xs[0])) + 1
        axis = _ax(int(axis), rank)
        parts = []
        for x in xs:
            s = tuple(np.shape(x))
            ns = s[:axis] + (1,) + s[axis:]
            parts.append(x.reshape(ns) if isinstance(x, GPUTensor) else np.asarray(x).reshape(ns))
        return self.concat(parts, axis)


def _float32s(xs, *args, **attrs) -> bool:
    xs = list(xs)
    return bool(xs) and all(isinstance(x, GPUTensor) or np.asarray(x).dtype == F32 for x in xs)


def _register() -> None:
    register(K.Concat, lambda b: ConcatKernels(b).concat, ("rank3", "image_c4"), supports=float32_list)
    register(K.Pack, lambda b: ConcatKernels(b).pack, ("matrix",), supports=float32_list)
    register(K.AddN, lambda b: ConcatKernels(b).add_n, ("matrix", "rank3"), supports=_float32s)


_register()
