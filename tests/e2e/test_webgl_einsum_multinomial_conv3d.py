"""What the conformance suite does not reach of the webgl kernels of Multinomial, Einsum, Conv3D and
ImageProjectiveTransformV3 (headless Chromium, WebGL2 on SwiftShader): seeds and frequencies of the sampler,
Einsum with a model's weights on the host and inside an attention layer, a fused epilogue on Conv3D, transforms
from the host, and the equations TF.js refuses (they run on the cpu kernel, as a counted fallback).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from harness import run_py

pytestmark = pytest.mark.e2e

SETUP_PY = r"""
import numpy as np, tfjs as tf
from tfjs import backends
from tfjs.backends import webgl
from tfjs.backends.webgl import GPUTensor
tf.set_backend("webgl")
GL = webgl.current()
CPU = backends.find_backend("cpu")
rng = np.random.default_rng(22)

def R(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, shape).astype(np.float32)

def frozen(a):
    a.flags.writeable = False
    return a

def rel_err(got, want):
    want = np.asarray(want, np.float64)
    return float(np.max(np.abs(np.asarray(got, np.float64) - want)) / max(np.max(np.abs(want)), 1e-6))
True
"""

MULTINOMIAL_PY = r"""
logits = R(3, 12, lo=-2, hi=2)
logits[:, [0, 5]] = -np.inf          # never drawn
logits[2, :] = -np.inf
logits[2, 7] = 0.5                   # one class left: every sample
x = GL.upload(logits)
fb0 = GL.fallback_report()
draw = GL.kernels["Multinomial"]
a = draw(x, 20000, seed=1234)
b = draw(x, 20000, seed=1234)
c = draw(x, 20000, seed=1235)
u1, u2 = draw(x, 2000), draw(x, 2000, seed=0)
probs = np.array([[0.5, 0.0, 0.25, 0.125, 0.125]], np.float32)
norm = draw(GL.upload(np.repeat(probs, 2, axis=0)), 16000, seed=99, normalized=True)
big = draw(GL.upload(R(2, 3000, lo=-3, hi=3)), 500, seed=5)
{"type": type(a).__name__, "dtype": str(a.dtype), "shape": list(a.shape),
 "same_seed": bool(np.array_equal(a, b)),
 # rows of several classes: draws of other seeds agree about as often as two independent draws (sum of p^2)
 "other_seed_same": float(np.mean(np.asarray(a)[:2] == np.asarray(c)[:2])),
 "unseeded_same": float(np.mean(np.asarray(u1)[:2] == np.asarray(u2)[:2])),
 "independent_same": float(np.mean(np.sum(np.exp(logits[:2] - logits[:2].max(1, keepdims=True)) ** 2, 1) /
                                   np.sum(np.exp(logits[:2] - logits[:2].max(1, keepdims=True)), 1) ** 2)),
 "counts": [np.bincount(np.asarray(r), minlength=12).tolist() for r in np.asarray(a)],
 "norm_counts": [np.bincount(np.asarray(r), minlength=5).tolist() for r in np.asarray(norm)],
 "big_range": [int(np.asarray(big).min()), int(np.asarray(big).max())],
 "big_other": float(np.mean(np.asarray(big) == np.asarray(draw(GL.upload(np.ones((2, 3000), np.float32)), 500,
                                                                seed=5)))),
 "logits": np.where(np.isfinite(logits), logits, -1e30).tolist(),
 "fallbacks": GL.fallback_report() != fb0}
"""


def _chi2_p(counts, probs):
    live = probs > 0
    total = sum(counts)
    return stats.chisquare(np.asarray(counts)[live], total * probs[live]).pvalue


def test_multinomial_draws_by_seed_and_probability(app_page):
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, MULTINOMIAL_PY)
    assert out["type"] == "GPUTensor" and out["dtype"] == "int32" and out["shape"] == [3, 20000], out
    assert out["fallbacks"] is False
    assert out["same_seed"] is True
    chance = out["independent_same"]  # about 0.15 for these logits
    assert abs(out["other_seed_same"] - chance) < 0.05 and abs(out["unseeded_same"] - chance) < 0.05, out
    logits = np.asarray(out["logits"], np.float64)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    for row, counts in enumerate(out["counts"]):
        assert all(counts[k] == 0 for k in np.flatnonzero(probs[row] == 0)), (row, counts)
        if row == 2:
            assert counts[7] == 20000, counts
        else:
            assert _chi2_p(counts, probs[row]) > 1e-6, (row, counts, probs[row].round(4).tolist())
    want = np.array([0.5, 0.0, 0.25, 0.125, 0.125])
    for counts in out["norm_counts"]:
        assert counts[1] == 0 and _chi2_p(counts, want) > 1e-6, counts
    assert 0 <= out["big_range"][0] and out["big_range"][1] < 3000, out["big_range"]
    assert out["big_other"] < 0.5, out["big_other"]  # other logits, same seed: other samples


EINSUM_PY = r"""
x, q, k = R(2, 6, 8), R(2, 5, 3, 4), R(2, 7, 3, 4)
w1, w2, w3 = frozen(R(8, 3, 4)), frozen(R(3, 8)), frozen(R(3, 4, 5))
cases = [("abc,cde->abde", x, w1), ("abc,dc->abd", x, w2), ("cde,abc->abde", w1, x), ("abcd,cde->abe", q, w3),
         ("aecd,abcd->acbe", k, q)]
res = {}
fb0 = GL.fallback_report()
for eq, a, b in cases:
    want = CPU.kernels["Einsum"](eq, a, b)
    ga = a if not a.flags.writeable else GL.upload(a)
    gb = b if not b.flags.writeable else GL.upload(b)
    got = GL.kernels["Einsum"](eq, ga, gb)
    np.asarray(got)
    up0 = GL.stats.uploads
    again = GL.kernels["Einsum"](eq, ga, gb)
    res[eq] = [type(got).__name__, rel_err(got, want), GL.stats.uploads - up0, bool(np.array_equal(got, again))]
gpu_fb = GL.fallback_report() != fb0
refused = {}
for eq, ops in (("...ij,...jk->...ik", [R(2, 3, 4), R(2, 4, 5)]), ("ii->i", [R(5, 5)]),
                ("ij,jk,kl->il", [R(4, 5), R(5, 6), R(6, 3)]), ("ij->ij", [R(40, 40).astype(np.int32)])):
    before = GL.fallback_report().get("Einsum", {}).get("calls", 0)
    got = GL.kernels["Einsum"](eq, *[GL.upload(o) for o in ops])
    want = CPU.kernels["Einsum"](eq, *ops)
    after = GL.fallback_report().get("Einsum", {}).get("calls", 0)
    refused[eq] = [bool(np.array_equal(np.asarray(got), want)), str(np.asarray(got).dtype), after - before]
{"res": res, "gpu_fallbacks": gpu_fb, "refused": refused}
"""


def test_einsum_with_host_weights_stays_on_the_gpu(app_page):
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, EINSUM_PY)
    assert out["gpu_fallbacks"] is False
    for eq, (kind, err, uploads, same) in out["res"].items():
        assert kind == "GPUTensor" and err < 1e-5 and same, (eq, kind, err)
        assert uploads == 0, f"{eq}: a second call uploaded {uploads} textures (the weight's layout is cached)"
    # what TF.js refuses runs on the cpu kernel, with its values and dtype, counted as a fallback
    assert out["refused"]["...ij,...jk->...ik"] == [True, "float32", 1], out["refused"]
    assert out["refused"]["ii->i"] == [True, "float32", 1], out["refused"]
    assert out["refused"]["ij,jk,kl->il"] == [True, "float32", 1], out["refused"]
    assert out["refused"]["ij->ij"] == [True, "int32", 1], out["refused"]


ATTENTION_PY = r"""
tf.set_backend("cpu")
qi, vi = tf.input(shape=[5, 8]), tf.input(shape=[7, 8])
mha = tf.layers.multi_head_attention(num_heads=2, key_dim=4, bias_initializer="random_normal")
m = tf.model(inputs=[qi, vi], outputs=mha.apply([qi, vi]))
qv, vv = R(3, 5, 8), R(3, 7, 8)
want = np.asarray(m.predict([qv, vv]))
tf.set_backend("webgl")
GL.stats.reset()
got = m.predict([qv, vv])
{"err": rel_err(got, want), "shape": list(np.shape(got)), "fallbacks": sorted(GL.fallback_report())}
"""


def test_attention_layer_runs_its_einsums_on_the_gpu(app_page):
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, ATTENTION_PY)
    assert out["shape"] == [3, 5, 8] and out["err"] < 1e-5, out
    assert "Einsum" not in out["fallbacks"], out


VOLUME_PY = r"""
x, w, bias = GL.upload(R(1, 5, 6, 7, 3)), R(3, 3, 3, 3, 8), R(8)
want = np.maximum(CPU.kernels["Conv3D"](np.asarray(x), w, strides=1, pad="same", dilations=1) + bias, 0)
runs0 = GL.stats.programs_run
y = GL.kernels["Relu"](GL.kernels["Add"](GL.kernels["Conv3D"](x, w, strides=1, pad="same", dilations=1), bias))
np.asarray(y)
passes = GL.stats.programs_run - runs0
img = GL.upload(R(2, 9, 8, 3))
tr = np.array([[0.93, -0.31, 1.37, 0.29, 1.13, -2.21, 0.0, 0.0]], np.float32)
fb0 = GL.fallback_report()
t_got = GL.kernels["ImageProjectiveTransformV3"](img, tr, [9, 8], 0.0, "bilinear", "nearest")
t_want = CPU.kernels["ImageProjectiveTransformV3"](np.asarray(img), tr, [9, 8], 0.0, "bilinear", "nearest")
{"err": rel_err(y, want), "passes": passes, "t_err": rel_err(t_got, t_want), "t_type": type(t_got).__name__,
 "fallbacks": GL.fallback_report() != fb0}
"""


def test_conv3d_takes_an_epilogue_and_transform_takes_host_transforms(app_page):
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, VOLUME_PY)
    assert out["err"] < 1e-5 and out["passes"] == 1, out  # conv, bias and relu: one shader
    assert out["t_type"] == "GPUTensor" and out["t_err"] < 1e-5 and out["fallbacks"] is False, out
