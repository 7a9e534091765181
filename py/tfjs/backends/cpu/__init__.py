"""The cpu backend: numpy kernels, matrix products through scipy's sgemm when scipy imports.

Its kernels are the reference every other backend is checked against (tests/unit/test_conformance.py).
"""

from __future__ import annotations

from ..manager import register_backend
from ..base import Backend
from ..registry import register_kernel
from . import array, conv, elementwise, gemm, image
from .gemm import active_path, blas_mode, use_blas
from .graph_kernels import KERNELS as GRAPH_KERNELS  # graph models' kernels
from ... import kernel_names as K


def _batch_matmul(a, b, transpose_a=False, transpose_b=False):
    return gemm.matmul(a, b, transpose_a, transpose_b)


def _register() -> None:
    table = {}
    for part in (elementwise.KERNELS, array.KERNELS, conv.KERNELS, image.KERNELS):
        table.update(part)
    table[K.BatchMatMul] = table[K.MatMul] = _batch_matmul
    for name, kernel in GRAPH_KERNELS.items():  # graph models' kernels, never replacing a shared one
        table.setdefault(name, kernel)
    for name, kernel in table.items():
        register_kernel("cpu", name, fn=kernel)


def create_cpu_backend() -> Backend:
    return Backend("cpu")


_register()
register_backend("cpu", create_cpu_backend, priority=1)

__all__ = ["create_cpu_backend", "use_blas", "blas_mode", "active_path"]
