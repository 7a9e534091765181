"""tf.linalg: bandPart, gramSchmidt, qr (Householder reflections, TF.js's sign convention)."""

from __future__ import annotations

import numpy as np

from .. import kernel_names as K
from ..errors import InvalidArgumentError
from ..ops.dispatch import run
from .convert import convert


def band_part(a, num_lower, num_upper):
    """tf.linalg.bandPart(a, numLower, numUpper): zero outside a band of the innermost matrices (-1: keep
    the whole lower / upper triangle)."""
    x = convert(a, "a", "bandPart")
    if x.ndim < 2:
        raise InvalidArgumentError(f"bandPart(): Rank must be at least 2, got {x.ndim}.")
    m, n = x.shape[-2:]
    if num_lower > m:
        raise InvalidArgumentError(f"bandPart(): numLower ({num_lower}) must not be greater than the number of "
                                   f"rows ({m}).")
    if num_upper > n:
        raise InvalidArgumentError(f"bandPart(): numUpper ({num_upper}) must not be greater than the number of "
                                   f"columns ({n}).")
    return run(K.MatrixBandPart, x, int(num_lower), int(num_upper))


def gram_schmidt(xs):
    """tf.linalg.gramSchmidt(xs): orthonormal vectors from a list of vectors or the rows of a matrix."""
    as_list = isinstance(xs, (list, tuple))
    rows = [convert(x, "xs", "gramSchmidt", "float32") for x in xs] if as_list else \
        list(convert(xs, "xs", "gramSchmidt", "float32"))
    if not rows:
        raise InvalidArgumentError("Empty input to gramSchmidt")
    if as_list and any(r.shape != rows[0].shape or r.ndim != 1 for r in rows):
        raise InvalidArgumentError("Non-unique lengths found in the list of xs")
    if len(rows) > rows[0].shape[0]:
        raise InvalidArgumentError(f"Gram-Schmidt: Number of vectors ({len(rows)}) exceeds number of dimensions "
                                   f"({rows[0].shape[0]}).")
    ys = []
    for x in rows:
        for y in ys:
            x = run(K.Sub, x, run(K.Mul, run(K.Sum, run(K.Mul, y, x), axis=None, keep_dims=False), y))
        norm = run(K.Sqrt, run(K.Sum, run(K.Square, x), axis=None, keep_dims=False))
        ys.append(run(K.RealDiv, x, norm))
    return ys if as_list else run(K.Pack, ys, axis=0)


def _qr2d(a: np.ndarray, full: bool):
    m, n = a.shape
    q, r = np.eye(m), a.astype(np.float64)
    for j in range(min(m, n)):
        col = r[j:, j].copy()
        norm = np.sqrt(np.sum(col * col))
        s = -1.0 if r[j, j] > 0 else 1.0
        u1 = r[j, j] - s * norm
        w = col / u1
        w[0] = 1.0
        tau = -s * u1 / norm
        r[j:, :] -= tau * np.outer(w, w @ r[j:, :])
        q[:, j:] -= tau * np.outer(q[:, j:] @ w, w)
    if not full and m > n:
        q, r = q[:, :n], r[:n, :]
    return q.astype(np.float32), r.astype(np.float32)


def qr(x, full_matrices=False):
    """tf.linalg.qr(x, fullMatrices=false): [q, r] of each innermost matrix, by Householder reflections."""
    a = np.asarray(convert(x, "x", "qr", "float32"))
    if a.ndim < 2:
        raise InvalidArgumentError(f"qr() requires input tensor to have a rank >= 2, but got rank {a.ndim}")
    m, n = a.shape[-2:]
    flat = a.reshape(-1, m, n)
    pairs = [_qr2d(mat, full_matrices) for mat in flat]
    lead = list(a.shape[:-2])
    qs = np.stack([p[0] for p in pairs]) if pairs else np.zeros((0, m, m if full_matrices or m <= n else n), np.float32)
    rs = np.stack([p[1] for p in pairs]) if pairs else np.zeros((0, qs.shape[-1], n), np.float32)
    return [qs.reshape(lead + list(qs.shape[1:])), rs.reshape(lead + list(rs.shape[1:]))]
