"""Matrix products for the cpu backend: ``scipy.linalg.blas.sgemm`` when scipy imports, numpy otherwise.

In the browser scipy is loaded on demand (``await tfjs.platform.load_packages("scipy")``); until then the
products run on numpy. :func:`use_blas` forces one path ('scipy' or 'numpy') or goes back to 'auto'.
"""

from __future__ import annotations

import time

import numpy as np

_mode = "auto"
_sgemm = None
_last_failure = -1e9
_RETRY_S = 1.0


def use_blas(mode: str = "auto") -> None:
    """'auto' (sgemm when scipy imports), 'scipy' (sgemm or an ImportError) or 'numpy'."""
    global _mode, _last_failure
    if mode not in ("auto", "scipy", "numpy"):
        raise ValueError(f"use_blas: mode must be 'auto', 'scipy' or 'numpy', got {mode!r}")
    _mode = mode
    _last_failure = -1e9


def blas_mode() -> str:
    return _mode


def sgemm_function():
    """scipy's sgemm, or None when the numpy path is to be used."""
    global _sgemm, _last_failure
    if _mode == "numpy":
        return None
    if _sgemm is None:
        now = time.monotonic()
        if _mode == "auto" and now - _last_failure < _RETRY_S:
            return None
        try:
            from scipy.linalg.blas import sgemm
        except ImportError:
            _last_failure = now
            if _mode == "scipy":
                raise
            return None
        _sgemm = sgemm
    return _sgemm


def active_path() -> str:
    """'scipy' or 'numpy': the path the next product takes."""
    return "scipy" if sgemm_function() is not None else "numpy"


def matmul2d(a: np.ndarray, b: np.ndarray, transpose_a: bool = False, transpose_b: bool = False) -> np.ndarray:
    """op(a) @ op(b) for 2-D float32 arrays; a C-contiguous float32 result."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    b = np.ascontiguousarray(b, dtype=np.float32)
    sgemm = sgemm_function()
    if sgemm is None:
        return np.ascontiguousarray((a.T if transpose_a else a) @ (b.T if transpose_b else b))
    if 0 in a.shape or 0 in b.shape:
        m = a.shape[1] if transpose_a else a.shape[0]
        n = b.shape[0] if transpose_b else b.shape[1]
        return np.zeros((m, n), np.float32)
    # out.T = op(b).T @ op(a).T; the .T views of C-contiguous arrays are Fortran-contiguous: no copies.
    out_t = sgemm(1.0, b.T, a.T, trans_a=int(transpose_b), trans_b=int(transpose_a))
    return out_t.T


def matmul(a: np.ndarray, b: np.ndarray, transpose_a: bool = False, transpose_b: bool = False) -> np.ndarray:
    """Batched op(a) @ op(b) (rank >= 2, batch dims broadcast)."""
    if a.ndim == 2 and b.ndim == 2:
        return matmul2d(a, b, transpose_a, transpose_b)
    if sgemm_function() is None:
        aa = np.swapaxes(a, -1, -2) if transpose_a else a
        bb = np.swapaxes(b, -1, -2) if transpose_b else b
        return np.matmul(aa.astype(np.float32, copy=False), bb.astype(np.float32, copy=False))
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a3 = np.broadcast_to(a, batch + a.shape[-2:]).reshape((-1,) + a.shape[-2:])
    b3 = np.broadcast_to(b, batch + b.shape[-2:]).reshape((-1,) + b.shape[-2:])
    outs = [matmul2d(a3[i], b3[i], transpose_a, transpose_b) for i in range(a3.shape[0])]
    m = a.shape[-1] if transpose_a else a.shape[-2]
    n = b.shape[-2] if transpose_b else b.shape[-1]
    if not outs:
        return np.zeros(batch + (m, n), np.float32)
    return np.stack(outs).reshape(batch + (m, n))
