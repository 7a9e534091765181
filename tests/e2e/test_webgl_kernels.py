"""Every webgl kernel against the cpu kernel on the same inputs (headless Chromium, WebGL2 on SwiftShader)."""

import pytest

from harness import run_py

pytestmark = pytest.mark.e2e

SETUP_PY = r"""
import numpy as np, tfjs as tf
from tfjs import backends
from tfjs.backends import webgl
tf.set_backend("webgl")
GL = webgl.current()
CPU = backends.find_backend("cpu")
rng = np.random.default_rng(0)

def R(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, shape).astype(np.float32)

def check(op, inputs, attrs=None, tol=1e-4, gpu_args=None):
    attrs = attrs or {}
    want = CPU.kernels[op](*inputs, **attrs)
    args = gpu_args if gpu_args is not None else [GL.upload(x) if isinstance(x, np.ndarray) and x.dtype == np.float32
                                                  and x.size > 1 else x for x in inputs]
    got = GL.kernels[op](*args, **attrs)
    wants = want if isinstance(want, list) else [want]
    gots = got if isinstance(got, list) else [got]
    errs = []
    for w, g in zip(wants, gots):
        g = np.asarray(g)
        w = np.asarray(w)
        if g.shape != w.shape:
            return f"{op} {attrs}: shape {g.shape} != {w.shape}"
        if w.size == 0:
            continue
        scale = max(float(np.max(np.abs(w))), 1e-6)
        err = float(np.max(np.abs(g.astype(np.float64) - w.astype(np.float64)))) / scale
        if not np.isfinite(err) and not np.array_equal(np.isnan(g), np.isnan(w)):
            return f"{op} {attrs}: nan mismatch"
        errs.append(err if np.isfinite(err) else 0.0)
    if errs and max(errs) > tol:
        return f"{op} {attrs} shapes {[list(np.shape(x)) for x in inputs]}: relative error {max(errs):.2e}"
    return None
"""

CASES_PY = r"""
fails = []
n = 0
def c(*a, **k):
    global n
    n += 1
    r = check(*a, **k)
    if r: fails.append(r)

x = R(2, 9, 7, 8); xs = R(1, 7, 6, 3)
for op in ["Relu", "Relu6", "Sigmoid", "Tanh", "Exp", "Abs", "Neg", "Square", "Floor", "Ceil", "Round", "Sign",
           "Sin", "Cos", "Erf", "Softplus", "Selu", "Expm1", "Log1p"]:
    c(op, [R(3, 5, 7, lo=-4, hi=4)])
for op in ["Log", "Sqrt", "Rsqrt", "Reciprocal"]:
    c(op, [R(3, 5, 7, lo=0.1, hi=4)])
c("Elu", [R(4, 6)], {"alpha": 0.7}); c("LeakyRelu", [R(4, 6)], {"alpha": 0.1}); c("Step", [R(4, 6)], {"alpha": 0.3})
c("ClipByValue", [R(4, 6, lo=-9, hi=9)], {"clip_value_min": -2.0, "clip_value_max": 6.0})
for op in ["Add", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "SquaredDifference"]:
    c(op, [R(2, 3, 4, 8), R(2, 3, 4, 8, lo=0.5, hi=2)])
    c(op, [R(2, 3, 4, 8), R(8, lo=0.5, hi=2)])
    c(op, [R(5, lo=0.5, hi=2), R(3, 5)])
    c(op, [R(2, 1, 4, 1), R(1, 3, 1, 5, lo=0.5, hi=2)])
    c(op, [R(2, 3, 6), np.float32(1.5)])
    y = R(2, 3, 6)
    c(op, [np.array(2.5, np.float32), y], gpu_args=[np.array(2.5, np.float32), GL.upload(y)])
c("Pow", [R(3, 4, lo=0.1, hi=3), R(3, 4, lo=-2, hi=2)])
c("Pow", [R(3, 4, lo=-3, hi=3), np.float32(2.0)])
c("Prelu", [R(2, 4, 4, 6), R(6)])
c("FusedBatchNorm", [R(2, 4, 4, 8), R(8), R(8, lo=0.5, hi=2), R(8), R(8)], {"variance_epsilon": 1e-3})
c("FusedBatchNorm", [R(2, 4, 4, 5), R(5), R(5, lo=0.5, hi=2), None, R(5)], {"variance_epsilon": 1e-3})
for ta in (False, True):
    for tb in (False, True):
        for (m, k, nn) in ((5, 8, 12), (3, 7, 5), (1, 16, 4)):
            a = R(k, m) if ta else R(m, k); b = R(nn, k) if tb else R(k, nn)
            c("BatchMatMul", [a, b], {"transpose_a": ta, "transpose_b": tb})
c("BatchMatMul", [R(3, 4, 8), R(3, 8, 4)]); c("BatchMatMul", [R(3, 4, 8), R(8, 12)]); c("MatMul", [R(1, 4, 8), R(3, 8, 4)])
for pad in ("same", "valid", [[1, 2], [0, 1]]):
    for (cin, cout) in ((3, 8), (8, 12), (4, 5), (5, 7)):
        for st, dil in ((1, 1), (2, 1), (1, 2)):
            c("Conv2D", [R(2, 9, 8, cin), R(3, 3, cin, cout)], {"strides": st, "pad": pad, "dilations": dil})
c("Conv2D", [R(1, 6, 5, 8), R(1, 1, 8, 16)], {"strides": 1, "pad": "valid", "dilations": 1})
c("Conv2D", [R(1, 6, 5, 8), R(1, 1, 8, 16)], {"strides": 2, "pad": "same", "dilations": 1})
for pad in ("same", "valid"):
    for (ch, mult) in ((8, 1), (6, 1), (4, 2)):
        for st in (1, 2):
            c("DepthwiseConv2dNative", [R(2, 9, 8, ch), R(3, 3, ch, mult)], {"strides": st, "pad": pad, "dilations": 1})
c("DepthwiseConv2dNative", [R(1, 9, 9, 8), R(5, 5, 8, 1)], {"strides": 1, "pad": "same", "dilations": 2})
for pad in ("same", "valid"):
    for (cin, cout) in ((8, 4), (3, 5)):
        for st in (1, 2):
            h = 5
            oh = h * st if pad == "same" else (h - 1) * st + 3
            c("Conv2DBackpropInput", [R(2, h, h, cin), R(3, 3, cout, cin)],
              {"output_shape": [2, oh, oh, cout], "strides": st, "pad": pad})
for op in ("MaxPool", "AvgPool"):
    for ch in (8, 3):
        for pad in ("same", "valid"):
            c(op, [R(2, 9, 7, ch)], {"ksize": 3, "strides": 2, "pad": pad})
            c(op, [R(2, 8, 8, ch)], {"ksize": [2, 2], "strides": [2, 2], "pad": pad})
for op in ("Sum", "Mean", "Max", "Min"):
    for axis, kd in ((None, False), (-1, False), ([1, 2], True), (1, False), ([0, 2], False), (0, True)):
        c(op, [R(2, 5, 6, 8)], {"axis": axis, "keep_dims": kd})
    c(op, [R(3, 7, 5)], {"axis": -1, "keep_dims": False})
for op in ("ArgMax", "ArgMin"):
    c(op, [R(3, 7, 5)], {"axis": 1}); c(op, [R(3, 8)], {"axis": -1})
for op in ("Softmax", "LogSoftmax"):
    c(op, [R(3, 8, lo=-5, hi=5)], {"axis": -1}); c(op, [R(2, 3, 7, lo=-5, hi=5)], {"axis": -1})
    c(op, [R(1, 1000, lo=-5, hi=5)], {"axis": -1})
c("Concat", [[R(2, 3, 4), R(2, 5, 4), R(2, 1, 4)]], {"axis": 1}, gpu_args=None)
c("Concat", [[R(2, 3, 8), R(2, 3, 4)]], {"axis": -1})
c("Concat", [[R(2, 3, 3), R(2, 3, 5)]], {"axis": 2})
c("Concat", [[R(3, 2) for _ in range(9)]], {"axis": 0})
c("Pack", [[R(3, 4), R(3, 4), R(3, 4)]], {"axis": 1})
c("PadV2", [R(2, 4, 5, 3)], {"paddings": [[0, 0], [1, 2], [2, 1], [0, 0]], "constant_value": 0.5})
c("Slice", [R(3, 6, 5)], {"begin": [1, 2, 0], "size": [2, -1, 3]})
c("StridedSlice", [R(4, 6, 5)], {"begin": [0, 1, 0], "end": [4, 6, 5], "strides": [2, 2, -1], "begin_mask": 0,
                                 "end_mask": 4, "shrink_axis_mask": 0})
c("StridedSlice", [R(4, 6, 5)], {"begin": [1, 0], "end": [2, 3], "strides": [1, 1], "shrink_axis_mask": 1})
c("Transpose", [R(2, 3, 4, 5)], {"perm": [0, 3, 1, 2]}); c("Transpose", [R(6, 7)], {"perm": [1, 0]})
c("Reshape", [R(2, 3, 4)], {"shape": [6, -1]}); c("ExpandDims", [R(3, 4)], {"axis": 1})
c("Squeeze", [R(3, 1, 4)], {"axis": [1]})
c("Tile", [R(2, 3)], {"reps": [2, 3]}); c("Reverse", [R(2, 3, 4)], {"dims": [1, 2]})
for ac, hp in ((False, False), (True, False), (False, True)):
    for ch in (8, 3):
        c("ResizeBilinear", [R(2, 5, 6, ch)], {"size": [9, 4], "align_corners": ac, "half_pixel_centers": hp})
        c("ResizeNearestNeighbor", [R(2, 5, 6, ch)], {"size": [9, 4], "align_corners": ac, "half_pixel_centers": hp})
idx = np.array([[0, 2], [1, 1], [3, 0]], np.int32)
c("GatherV2", [R(4, 5), idx], {"axis": 0}); c("GatherV2", [R(4, 5, 3), np.array([4, 0, 2], np.int32)], {"axis": 1})
c("Unpack", [R(3, 4, 2)], {"axis": 1}); c("SplitV", [R(4, 6)], {"sizes": [2, 4], "axis": 1})
c("Cast", [R(3, 4)], {"dtype": "float32"})
{"n": n, "fails": fails, "gpu_ops": len(GL.gpu_ops()), "fallbacks": GL.fallback_report()}
"""

FUSION_PY = r"""
fails = []
x = R(1, 8, 8, 8); w = R(3, 3, 8, 16); b = R(16); mean, var, off, sc = R(16), R(16, lo=0.5, hi=2), R(16), R(16)
res = R(1, 8, 8, 16)
from tfjs import ops
def chain(xx, ww, rr):
    y = ops.conv2d(xx, ww, 1, "same")
    y = ops.add(y, b)
    y = ops.batch_norm(y, mean, var, off, sc, 1e-3)
    y = ops.relu(y)
    y = ops.clip_by_value(y, -np.inf, 6.0)
    return ops.add(y, rr)
tf.set_backend("cpu"); want = chain(x, w, res)
tf.set_backend("webgl")
before = GL.stats.programs_run
got = chain(GL.upload(x), w, GL.upload(res))
ran_pending = got.is_pending
got = np.asarray(got)
passes = GL.stats.programs_run - before
err = float(np.max(np.abs(got - want)) / np.max(np.abs(want)))
{"err": err, "passes": passes, "pending": ran_pending}
"""


def test_every_kernel_matches_cpu(app_page):
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, CASES_PY)
    assert out["fails"] == [], "\n".join(out["fails"])
    assert out["n"] > 200
    assert out["fallbacks"] == {}, out["fallbacks"]


def test_conv_epilogue_is_one_pass(app_page):
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, FUSION_PY)
    assert out["pending"] is True
    assert out["err"] < 1e-4
    assert out["passes"] == 1, out
