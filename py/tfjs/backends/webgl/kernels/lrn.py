"""LRN of the webgl backend: local response normalization across channels,
x / (bias + alpha * sum of x^2 over the channels within depth_radius) ^ beta."""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..fusion import Plan
from ..tensor import GPUTensor
from .base import IMAGES, KernelBase, float32_first, register

BODY = """  int C = P(0); int R = P(1);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int c = i % C; int base = i - c;
    int hi = min(c + R, C - 1);
    float s = 0.0;
    for (int j = max(c - R, 0); j <= hi; j++) { float v = S0(base + j); s += v * v; }
    r[q] = S0(i) / pow(uf[0] + uf[1] * s, uf[2]);
  }"""


class LRNKernels(KernelBase):
    """LRN of the webgl backend."""

    def lrn(self, x, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):  # float32 x: see _float32_nhwc
        x = self.g(x)
        c = x.shape[-1]
        return GPUTensor(self.b, x.shape, plan=Plan(("lrn",), BODY, [x], [c, int(depth_radius)],
                                                    [float(bias), float(alpha), float(beta)], c))


def _float32_nhwc(x, *args, **attrs) -> bool:
    return np.ndim(x) == 4 and float32_first(x)


def _register() -> None:
    register(K.LRN, lambda b: LRNKernels(b).lrn, IMAGES + ("large",), supports=_float32_nhwc)


_register()
