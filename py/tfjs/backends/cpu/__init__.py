"""The cpu backend: numpy kernels, matrix products through scipy's sgemm when scipy imports."""

from __future__ import annotations

from .. import Backend, register_backend
from . import array, conv, elementwise, gemm, image
from .gemm import active_path, blas_mode, use_blas
from .graph_kernels import KERNELS as GRAPH_KERNELS  # graph models' kernels


def _batch_matmul(a, b, transpose_a=False, transpose_b=False):
    return gemm.matmul(a, b, transpose_a, transpose_b)


def create_cpu_backend() -> Backend:
    backend = Backend("cpu")
    for table in (elementwise.KERNELS, array.KERNELS, conv.KERNELS, image.KERNELS):
        for name, kernel in table.items():
            backend.register_kernel(name, kernel)
    backend.register_kernel("BatchMatMul", _batch_matmul)
    backend.register_kernel("MatMul", _batch_matmul)
    for name, kernel in GRAPH_KERNELS.items():  # graph models' kernels, never replacing a shared one
        backend.kernels.setdefault(name, kernel)
    return backend


register_backend("cpu", create_cpu_backend, priority=1)

__all__ = ["create_cpu_backend", "use_blas", "blas_mode", "active_path"]
