"""TF.js's core tf.losses (weights and reductions), tf.metrics.r2Score and tf.callbacks against TF.js 4.22 in
the page on the same values: within 1e-5 relative. Ours runs under CPython."""

from __future__ import annotations

import numpy as np
import pytest

import tfjs as tf
from harness import add_reference_tfjs

pytestmark = pytest.mark.e2e
RNG = np.random.default_rng(180)
N, K = 5, 4
LABELS01 = RNG.integers(0, 2, (N, K)).astype(np.float32)
PROBS = RNG.uniform(0.02, 0.98, (N, K)).astype(np.float32)
A = RNG.normal(size=(N, K)).astype(np.float32)
B = RNG.normal(size=(N, K)).astype(np.float32) * 2
ONEHOT = np.eye(K, dtype=np.float32)[RNG.integers(0, K, N)]
UNIT_A = A / np.linalg.norm(A, axis=1, keepdims=True)
UNIT_B = B / np.linalg.norm(B, axis=1, keepdims=True)
WEIGHTS = {"none": None, "rows": RNG.uniform(0, 2, (N, 1)).astype(np.float32),
           "full": np.where(RNG.random((N, K)) > 0.3, RNG.uniform(0.5, 2, (N, K)), 0).astype(np.float32),
           "scalar": np.float32(0.7)}
ROW_WEIGHTS = {"none": None, "rows": WEIGHTS["rows"][:, 0], "scalar": np.float32(0.7)}
REDUCTIONS = {"NONE": 0, "MEAN": 1, "SUM": 2, "SUM_BY_NONZERO_WEIGHTS": 3}

# id -> (js call with a, b, w, r; python call; a, b, weights table)
LOSSES = {
    "absoluteDifference": ("tf.losses.absoluteDifference(a, b, w, r)",
                           lambda a, b, w, r: tf.losses.absolute_difference(a, b, w, r), A, B, WEIGHTS),
    "meanSquaredError": ("tf.losses.meanSquaredError(a, b, w, r)",
                         lambda a, b, w, r: tf.losses.mean_squared_error(a, b, w, r), A, B, WEIGHTS),
    "cosineDistance": ("tf.losses.cosineDistance(a, b, 1, w, r)",
                       lambda a, b, w, r: tf.losses.cosine_distance(a, b, 1, w, r), UNIT_A, UNIT_B,
                       {k: v for k, v in WEIGHTS.items() if k != "full"}),
    "hingeLoss": ("tf.losses.hingeLoss(a, b, w, r)", lambda a, b, w, r: tf.losses.hinge_loss(a, b, w, r),
                  LABELS01, B, WEIGHTS),
    "huberLoss": ("tf.losses.huberLoss(a, b, w, 0.7, r)",
                  lambda a, b, w, r: tf.losses.huber_loss(a, b, w, 0.7, r), A, B, WEIGHTS),
    "logLoss": ("tf.losses.logLoss(a, b, w, 1e-6, r)", lambda a, b, w, r: tf.losses.log_loss(a, b, w, 1e-6, r),
                LABELS01, PROBS, WEIGHTS),
    "sigmoidCrossEntropy": ("tf.losses.sigmoidCrossEntropy(a, b, w, 0.2, r)",
                            lambda a, b, w, r: tf.losses.sigmoid_cross_entropy(a, b, w, 0.2, r), LABELS01, B,
                            WEIGHTS),
    "sigmoidCrossEntropy/noSmoothing": ("tf.losses.sigmoidCrossEntropy(a, b, w, 0, r)",
                                        lambda a, b, w, r: tf.losses.sigmoid_cross_entropy(a, b, w, 0, r),
                                        LABELS01, B, WEIGHTS),
    "softmaxCrossEntropy": ("tf.losses.softmaxCrossEntropy(a, b, w, 0.1, r)",
                            lambda a, b, w, r: tf.losses.softmax_cross_entropy(a, b, w, 0.1, r), ONEHOT, B,
                            ROW_WEIGHTS),
    "computeWeightedLoss": ("tf.losses.computeWeightedLoss(a, w, r)",
                            lambda a, b, w, r: tf.losses.compute_weighted_loss(a, w, r), A, B, WEIGHTS),
}
CASES = [(lid, wid, rid) for lid, spec in LOSSES.items() for wid in spec[4] for rid in REDUCTIONS]

JS = """(cases) => cases.map(([code, a, aShape, b, bShape, w, wShape, r]) => {
  try {
    const fn = new Function('tf', 'a', 'b', 'w', 'r', 'return ' + code);
    const out = fn(tf, tf.tensor(a, aShape), tf.tensor(b, bShape), w == null ? undefined : tf.tensor(w, wShape), r);
    return {shape: out.shape, data: Array.from(out.dataSync())};
  } catch (e) { return {error: String(e.message || e)}; }
})"""


def _flat(x):
    return None if x is None else np.asarray(x, np.float32).reshape(-1).tolist()


@pytest.fixture(scope="module")
def reference(app_page):
    add_reference_tfjs(app_page)
    payload = []
    for lid, wid, rid in CASES:
        code, _, a, b, weights = LOSSES[lid]
        w = weights[wid]
        payload.append([code, _flat(a), list(a.shape), _flat(b), list(b.shape), _flat(w),
                        None if w is None else list(np.shape(w)), REDUCTIONS[rid]])
    results = app_page.evaluate(JS, payload)
    r2 = app_page.evaluate("([a, b, s]) => tf.metrics.r2Score(tf.tensor(a, s), tf.tensor(b, s)).dataSync()[0]",
                           [_flat(A), _flat(A + 0.3 * B), list(A.shape)])
    return dict(zip(CASES, results)), r2


@pytest.mark.parametrize("case", CASES, ids=["/".join(c) for c in CASES])
def test_loss_as_tfjs(reference, case):
    lid, wid, rid = case
    ref = reference[0][case]
    assert "error" not in ref, f"TF.js failed: {ref}"
    _, fn, a, b, weights = LOSSES[lid]
    ours = np.asarray(fn(a, b, weights[wid], getattr(tf.losses.Reduction, rid)), np.float64)
    want = np.asarray(ref["data"], np.float64)
    assert list(ours.shape) == ref["shape"], f"shape {list(ours.shape)} here, {ref['shape']} in TF.js"
    np.testing.assert_allclose(ours.reshape(-1), want, rtol=1e-5, atol=1e-6)


def test_r2_score_as_tfjs(reference):
    ours = float(tf.metrics.r2_score(A, A + 0.3 * B))
    assert 0 < ours < 1
    np.testing.assert_allclose(ours, reference[1], rtol=1e-5)


def test_default_reduction_and_errors():
    # The default reduction is SUM_BY_NONZERO_WEIGHTS: zero weights leave their elements out of the count.
    w = np.array([[1], [0], [1], [0], [2]], np.float32)
    got = float(tf.losses.absolute_difference(A, B, w))
    want = float(np.sum(np.abs(A - B) * w) / np.count_nonzero(np.broadcast_to(w, A.shape)))
    assert np.isclose(got, want, rtol=1e-6)
    with pytest.raises(ValueError, match=r"Error in hingeLoss: Shapes \[5, 4\] and \[4, 5\] must match"):
        tf.losses.hinge_loss(LABELS01, B.T)
    with pytest.raises(ValueError, match="Unknown reduction: 7"):
        tf.losses.compute_weighted_loss(A, None, 7)
    assert tf.callbacks.early_stopping(monitor="loss", patience=2).patience == 2
