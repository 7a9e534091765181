"""Softmax and LogSoftmax of the webgl backend (over the last axis)."""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..fusion import Plan
from ..tensor import GPUTensor
from .base import KernelBase, _ax, float32_first, register


class SoftmaxKernels(KernelBase):
    """Softmax and LogSoftmax of the webgl backend (over the last axis)."""

    def softmax(self, log=False):
        def kernel(x, axis=-1):  # float32 over the last axis: see _last_axis
            shape = tuple(np.shape(x))
            x = self.g(x)
            c = shape[-1]
            fin = "(xv - m) - log(s)" if log else "exp(xv - m) / s"
            if c % 4 == 0:
                body = f"""  int C = P(0); int row = i0 / C; int bt = row * C >> 2;
  float m = -3.4028234663852886e38;
  for (int k = 0; k < C; k += 4) {{ vec4 v = X0(bt + (k >> 2)); m = max(m, max(max(v.x, v.y), max(v.z, v.w))); }}
  float s = 0.0;
  for (int k = 0; k < C; k += 4) s += dot(exp(X0(bt + (k >> 2)) - m), vec4(1.0));
  vec4 xv = X0(t);
  r = {fin};"""
            else:
                body = f"""  int C = P(0);
  for (int q = 0; q < 4; q++) {{
    int i = i0 + q; if (i >= NOUT) break;
    int base = (i / C) * C;
    float m = -3.4028234663852886e38;
    for (int k = 0; k < C; k++) m = max(m, S0(base + k));
    float s = 0.0;
    for (int k = 0; k < C; k++) s += exp(S0(base + k) - m);
    float xv = S0(i);
    r[q] = {fin};
  }}"""
            key = ("softmax", log, c % 4 == 0)
            return GPUTensor(self.b, shape, plan=Plan(key, body, [x], [c], [], c))
        return kernel


def _last_axis(x, axis=-1, *args, **attrs) -> bool:
    shape = tuple(np.shape(x))
    return float32_first(x) and bool(shape) and _ax(int(axis), len(shape)) == len(shape) - 1


def _register() -> None:
    register(K.Softmax, lambda b: SoftmaxKernels(b).softmax(False), ("matrix", "rank3", "large"),
             supports=_last_axis)
    register(K.LogSoftmax, lambda b: SoftmaxKernels(b).softmax(True), ("matrix", "rank3", "large"),
             supports=_last_axis)


_register()
