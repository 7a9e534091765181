"""Scans of the webgl backend: Cumsum and Cumprod along one axis, inclusive or exclusive, forward or reversed.
Each output element runs its own loop over the axis, in the order the cpu kernel accumulates (from the first
element, or from the last when reversed), so the float32 roundings agree.
"""

from __future__ import annotations

from .... import kernel_names as K
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import GPUTensor
from ..textures import MAX_EXACT_INDEX
from .base import KernelBase, _ax, float32_first, register

#: the longest axis scanned on the GPU (each output element loops over up to this many inputs)
MAX_AXIS = 4096

BODY = """  for (int q = 0; q < 4; q++) {
    int i = i0 + q;
    if (i >= NOUT) break;
    int s = P(0); int len = P(1); int rev = P(2); int excl = P(3);
    int k = (i / s) % len;
    int base = i - k * s;
    int lo = rev == 1 ? k + excl : 0;
    int hi = rev == 1 ? len - 1 : k - excl;
    float acc = P(4) == 1 ? 1.0 : 0.0;
    for (int n = 0; n <= hi - lo; n++) {
      float v = S0(base + (rev == 1 ? hi - n : lo + n) * s);
      acc = P(4) == 1 ? acc * v : acc + v;
    }
    r[q] = acc;
  }"""


class ScanKernels(KernelBase):
    """Cumsum and Cumprod of the webgl backend."""

    def scan(self, product: bool):
        def kernel(x, axis, exclusive=False, reverse=False):  # float32 x: see float32_first
            x = self.g(x)
            if not x.shape or x.size == 0 or x.size >= MAX_EXACT_INDEX:
                raise NotOnGPU()
            a = _ax(int(axis), len(x.shape))
            length = x.shape[a]
            if length > MAX_AXIS:
                raise NotOnGPU()
            stride = 1
            for d in x.shape[a + 1:]:
                stride *= d
            params = [stride, length, int(bool(reverse)), int(bool(exclusive)), int(product)]
            key = ("cumprod" if product else "cumsum",)
            return GPUTensor(self.b, x.shape, plan=Plan(key, BODY, [x], params, [], x.shape[-1]))
        return kernel


def _register() -> None:
    shapes = ("vector", "matrix", "rank3", "large")
    register(K.Cumsum, lambda b: ScanKernels(b).scan(False), shapes, supports=float32_first)
    register(K.Cumprod, lambda b: ScanKernels(b).scan(True), shapes, supports=float32_first)


_register()
