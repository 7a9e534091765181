"""Creation kernels of the webgl backend: Fill, Range, LinSpace, ZerosLike, OnesLike and Diag.

Fill, Range and LinSpace take attributes and scalars only (registry ``generator`` kernels): outputs of more
than ``SMALL`` values are written by a pass on the GPU, with no host array uploaded; smaller ones are made on
the host, as the cpu kernel makes them (a shape computation reading them back then costs no readback).
ZerosLike and OnesLike read only their input's shape and dtype, never its values.

int32 outputs are integer-valued floats, exact up to 2^24 in magnitude: a Fill or Range whose values go past
that runs on the cpu kernel (its result exact), as does any other dtype (complex64, strings).
"""

from __future__ import annotations

import math

import numpy as np

from .... import kernel_names as K
from ..dispatch import SMALL
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import BOOL, F32, I32, GPUTensor
from ..textures import MAX_EXACT_INDEX
from .base import KernelBase, register
from .elementwise import EXACT_INT

FILL_BODY = "  r = vec4(uf[0]);"

# float32 Range and LinSpace: start + i * step, in float32 as the cpu kernel computes it
STEP_BODY = """  for (int q = 0; q < 4; q++) r[q] = uf[0] + float(i0 + q) * uf[1];"""

# int32 Range: start + i * step in integer arithmetic (exact: the predicate bounds every value by 2^24)
INT_STEP_BODY = """  for (int q = 0; q < 4; q++) r[q] = float(P(0) + (i0 + q) * P(1));"""

DIAG_BODY = """  int N = P(0);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int row = i / N;
    r[q] = i - row * N == row ? S0(row) : 0.0;
  }"""

GPU_DTYPES = (F32, I32, BOOL)


class CreationKernels(KernelBase):
    """Fill, Range, LinSpace, ZerosLike, OnesLike and Diag of the webgl backend."""

    def _const(self, shape, value: float, dtype) -> GPUTensor:
        shape = tuple(int(s) for s in shape)
        if math.prod(shape) == 0:
            raise NotOnGPU()
        return GPUTensor(self.b, shape, plan=Plan(("fill",), FILL_BODY, [], [], [float(value)],
                                                  shape[-1] if shape else 1), dtype=dtype)

    def fill(self, shape, value, dtype=None):  # see _fill_on_gpu
        probe = self.b.cpu.kernels[K.Fill]([], value, dtype=dtype)
        return self._const(shape, float(probe), probe.dtype)

    def like(self, one: bool):
        def kernel(x):  # x's shape and dtype only: see _like_on_gpu
            dtype = x.dtype if isinstance(x, GPUTensor) else _host_dtype(np.asarray(x))
            return self._const(np.shape(x), 1.0 if one else 0.0, dtype)
        return kernel

    def range_(self, start, stop, step, dtype="float32"):  # see _range_on_gpu
        n = _range_length(start, stop, step)
        if dtype == "int32":
            return GPUTensor(self.b, (n,), plan=Plan(("range",), INT_STEP_BODY, [], [int(np.int64(float(start))),
                                                                               int(np.int64(float(step)))], [], 1),
                             dtype=I32)
        return GPUTensor(self.b, (n,), plan=Plan(("range",), STEP_BODY, [], [], [float(np.float32(float(start))),
                                                                          float(np.float32(float(step)))], 1))

    def linspace(self, start, stop, num):  # see _linspace_on_gpu
        num = int(num)
        step = (np.float32(stop) - np.float32(start)) / np.float32(num - 1)
        return GPUTensor(self.b, (num,), plan=Plan(("linspace",), STEP_BODY, [], [], [float(np.float32(start)),
                                                                                float(step)], 1))

    def diag(self, x):  # see _diag_on_gpu
        x = self.g(x)
        n = x.size
        if n == 0 or n * n >= MAX_EXACT_INDEX:
            raise NotOnGPU()
        shape = tuple(x.shape) + tuple(x.shape)
        return GPUTensor(self.b, shape, plan=Plan(("diag",), DIAG_BODY, [x], [n], [], shape[-1] if shape else 1),
                         dtype=x.dtype)


def _host_dtype(a: np.ndarray) -> np.dtype:
    """The TF.js dtype of a host array (as the cpu kernels give it)."""
    return {"f": F32, "i": I32, "u": I32, "b": BOOL}.get(a.dtype.kind, a.dtype)


def _range_length(start, stop, step) -> int:
    start, stop, step = float(start), float(stop), float(step)
    return max(int(math.ceil((stop - start) / step)), 0)


def _worth_it(n: int) -> bool:
    """An output of n values made on the GPU: more than SMALL values (below that, the host makes it and a
    consumer on the GPU uploads it) and indices a float32 holds."""
    return SMALL < n < MAX_EXACT_INDEX


def _scalar(v) -> bool:
    return not isinstance(v, GPUTensor) and np.size(v) == 1 and np.asarray(v).dtype.kind in "fiub"


def _fill_on_gpu(shape, value, dtype=None, **attrs) -> bool:
    """A numeric scalar of float32, int32 (below 2^24) or bool, and an output of more than SMALL values."""
    try:
        n = math.prod(int(s) for s in shape)
    except (TypeError, ValueError):
        return False
    if not _scalar(value) or not _worth_it(n):
        return False
    if dtype is None:
        dt = _host_dtype(np.asarray(value))
    else:
        try:
            dt = BOOL if dtype == "bool" else np.dtype(dtype)
        except TypeError:
            return False
    if dt not in GPU_DTYPES:
        return False
    v = np.asarray(value).reshape(()).item()
    return dt != I32 or (math.isfinite(float(v)) and abs(int(v)) <= EXACT_INT)


def _like_on_gpu(x, **attrs) -> bool:
    dt = x.dtype if isinstance(x, GPUTensor) else _host_dtype(np.asarray(x))
    return dt in GPU_DTYPES


def _range_on_gpu(start, stop, step, dtype="float32", **attrs) -> bool:
    """A float32 or int32 Range of more than SMALL values (int32: every value below 2^24 in magnitude)."""
    if not (_scalar(start) and _scalar(stop) and _scalar(step)) or dtype not in ("float32", "int32"):
        return False
    fs, fe, fd = float(np.asarray(start).reshape(())), float(np.asarray(stop).reshape(())), \
        float(np.asarray(step).reshape(()))
    if not (math.isfinite(fs) and math.isfinite(fe) and math.isfinite(fd)) or fd == 0:
        return False  # the cpu kernel's error or values
    n = _range_length(fs, fe, fd)
    if not _worth_it(n):
        return False
    if dtype == "int32":
        s, d = int(np.int64(fs)), int(np.int64(fd))
        return d != 0 and max(abs(s), abs(s + (n - 1) * d)) <= EXACT_INT
    return True


def _linspace_on_gpu(start, stop, num, **attrs) -> bool:
    """Finite ends and more than SMALL points (one point, and none, are the cpu kernel's)."""
    if not (_scalar(start) and _scalar(stop) and _scalar(num)):
        return False
    if not (math.isfinite(float(np.asarray(start).reshape(()))) and
            math.isfinite(float(np.asarray(stop).reshape(())))):
        return False
    return _worth_it(int(np.asarray(num).reshape(())))


def _diag_on_gpu(x, **attrs) -> bool:
    """A GPU tensor, or a host array of float32, bool or integers below 2^24; at most 4095 values."""
    if isinstance(x, GPUTensor):
        return x.size * x.size < MAX_EXACT_INDEX
    a = np.asarray(x)
    if a.size * a.size >= MAX_EXACT_INDEX:
        return False
    if a.dtype.kind in "iu":
        return a.size == 0 or int(np.max(np.abs(a.astype(np.int64)))) <= EXACT_INT
    return a.dtype == F32 or a.dtype == BOOL


def _register() -> None:
    all_dtypes = ("float32", "int32", "bool")
    register(K.Fill, lambda b: CreationKernels(b).fill, ("matrix", "large"), supports=_fill_on_gpu,
             generator=True)
    register(K.Range, lambda b: CreationKernels(b).range_, ("vector", "large"), supports=_range_on_gpu,
             generator=True)
    register(K.LinSpace, lambda b: CreationKernels(b).linspace, ("vector", "large"), supports=_linspace_on_gpu,
             generator=True)
    register(K.ZerosLike, lambda b: CreationKernels(b).like(False), ("matrix", "large"), supports=_like_on_gpu,
             dtypes=all_dtypes)
    register(K.OnesLike, lambda b: CreationKernels(b).like(True), ("matrix", "large"), supports=_like_on_gpu,
             dtypes=all_dtypes)
    register(K.Diag, lambda b: CreationKernels(b).diag, ("vector", "matrix"), supports=_diag_on_gpu,
             dtypes=all_dtypes)


_register()
