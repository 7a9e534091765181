"""Reductions of the webgl backend: Sum, Mean, Max, Min, Prod, ArgMax, ArgMin (over any axes: the reduced axes
are moved last by a transpose when they are not), and the bool reductions All and Any (a min and a max over the
0.0 / 1.0 values a bool tensor holds).
"""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..fusion import Plan
from ..errors import NotOnGPU
from ..tensor import BOOL, GPUTensor
from .base import _ax, float32_first, register
from .layout import LayoutKernels


class ReduceKernels(LayoutKernels):
    """Reductions of the webgl backend: Sum, Mean, Max, Min, Prod, ArgMax, ArgMin (over any axes: the reduced axes"""

    def reduce(self, mode):
        def kernel(x, axis=None, keep_dims=False):  # float32 input: see float32_first
            shape = tuple(np.shape(x))
            rank = len(shape)
            if axis is None:
                axes = list(range(rank))
            else:
                axes = sorted({_ax(int(a), rank) for a in (np.asarray(axis).reshape(-1).tolist())})
            if not axes or rank == 0:
                return x if isinstance(x, GPUTensor) else self.g(x)
            x = self.g(x)
            if axes != list(range(axes[0], axes[-1] + 1)):
                rest = [d for d in range(rank) if d not in axes]
                perm = rest + axes
                x = self.transpose(x, perm)
                shape = x.shape
                axes = list(range(len(rest), rank))
            outer = int(np.prod(shape[:axes[0]]))
            red = int(np.prod(shape[axes[0]:axes[-1] + 1]))
            post = int(np.prod(shape[axes[-1] + 1:]))
            out = self._reduce(x, mode, outer, red, post)
            if keep_dims:
                oshape = tuple(1 if d in axes else s for d, s in enumerate(shape))
            else:
                oshape = tuple(s for d, s in enumerate(shape) if d not in axes)
            if mode in ("argmax", "argmin"):
                return np.asarray(out).astype(np.int32).reshape(oshape)
            return out.reshape(oshape)
        return kernel

    def _reduce(self, x, mode, outer, red, post):
        comb = {"sum": "acc += v;", "mean": "acc += v;", "max": "acc = max(acc, v);", "min": "acc = min(acc, v);",
                "prod": "acc *= v;"}
        init = {"sum": "0.0", "mean": "0.0", "max": "-3.4028234663852886e38", "min": "3.4028234663852886e38",
                "prod": "1.0"}
        params = [outer, red, post]
        fin = "acc / float(R)" if mode == "mean" else "acc"
        if mode in ("argmax", "argmin"):
            cmp = ">" if mode == "argmax" else "<"
            body = f"""  int R = P(1); int PO = P(2);
  for (int q = 0; q < 4; q++) {{
    int i = i0 + q; if (i >= NOUT) break;
    int p = i % PO; int oo = i / PO;
    int base = oo * R * PO + p;
    float best = S0(base); int bi = 0;
    for (int k = 1; k < R; k++) {{ float v = S0(base + k * PO); if (v {cmp} best) {{ best = v; bi = k; }} }}
    r[q] = float(bi);
  }}"""
            fast = False
        elif post % 4 == 0:
            fast = True
            body = f"""  int R = P(1); int PO = P(2);
  int p = i0 % PO; int oo = i0 / PO;
  int bt = (oo * R * PO + p) >> 2; int st = PO >> 2;
  vec4 acc = vec4({init[mode]});
  for (int k = 0; k < R; k++) {{ vec4 v = X0(bt); bt += st; {comb[mode]} }}
  r = {fin};"""
        else:
            fast = False
            body = f"""  int R = P(1); int PO = P(2);
  for (int q = 0; q < 4; q++) {{
    int i = i0 + q; if (i >= NOUT) break;
    int p = i % PO; int oo = i / PO;
    int base = oo * R * PO + p;
    float acc = {init[mode]};
    for (int k = 0; k < R; k++) {{ float v = S0(base + k * PO); {comb[mode]} }}
    r[q] = {fin};
  }}"""
        key = ("reduce", mode, fast)
        return Plan(key, body, [x], params, [], post).execute(self.b, (outer, post))


def _reduce_adapter(kernel, name):
    if name in ("ArgMax", "ArgMin"):
        def arg(x, axis=0):
            return kernel(x, axis=axis, keep_dims=False)
        return arg

    def red(x, axis=None, keep_dims=False):
        return kernel(x, axis=axis, keep_dims=keep_dims)
    return red


def _bool_reduce(kernel, name):
    """All (a min) or Any (a max) over bool values; an empty reduction goes to the cpu kernel (True for All,
    False for Any: a min or a max over no values has no bool to give)."""
    def run(x, axis=None, keep_dims=False):  # bool input: see _bool_input
        if 0 in tuple(np.shape(x)):
            raise NotOnGPU()
        out = kernel(x, axis=axis, keep_dims=keep_dims)
        return out if out.dtype == BOOL else out.retyped(BOOL)
    run.__name__ = name
    return run


def _bool_input(x, *args, **attrs) -> bool:
    """Predicate of All and Any: a bool tensor (TF.js's kernels take bool only)."""
    return (x.dtype if isinstance(x, GPUTensor) else np.asarray(x).dtype) == BOOL


def _register() -> None:
    for name, mode in ((K.Sum, "sum"), (K.Mean, "mean"), (K.Max, "max"), (K.Min, "min"), (K.Prod, "prod"),
                       (K.ArgMax, "argmax"), (K.ArgMin, "argmin")):
        shapes = ("matrix", "rank3") if mode.startswith("arg") else ("rank3", "image", "large")
        register(name, lambda b, name=name, mode=mode: _reduce_adapter(ReduceKernels(b).reduce(mode), name), shapes,
                 supports=float32_first)
    for name, mode in ((K.All, "min"), (K.Any, "max")):
        register(name, lambda b, name=name, mode=mode: _bool_reduce(ReduceKernels(b).reduce(mode), name),
                 ("matrix", "rank3", "large"), supports=_bool_input, dtypes=("bool",))


_register()
