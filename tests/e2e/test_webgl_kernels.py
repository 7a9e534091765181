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

from tfjs.backends.webgl import GPUTensor

# ops that run no GPU pass: the output shares the input's texture
ZERO_PASS = {"Reshape", "ExpandDims", "Squeeze", "Cast"}

def up(x):
    # inputs as the webgl kernel sees them in a model: arrays (also inside lists) on the GPU
    if isinstance(x, np.ndarray) and x.dtype == np.float32 and x.size > 1:
        return GL.upload(x)
    if isinstance(x, list):
        return [up(v) for v in x]
    return x

def check(op, inputs, attrs=None, tol=1e-4, gpu_args=None):
    # the webgl kernel against the cpu kernel; None, or what went wrong. It must have run on the GPU: no
    # cpu fallback, no small-input cpu shortcut, its outputs GPU tensors made by at least one GPU pass
    attrs = attrs or {}
    want = CPU.kernels[op](*inputs, **attrs)
    args = gpu_args if gpu_args is not None else [up(x) for x in inputs]
    fb0, small0, runs0 = GL.fallback_report(), GL.stats.cpu_small, GL.stats.programs_run
    got = GL.kernels[op](*args, **attrs)
    wants = want if isinstance(want, list) else [want]
    gots = got if isinstance(got, list) else [got]
    kinds = [type(g).__name__ for g in gots]
    host = [np.asarray(g) for g in gots]
    passes = GL.stats.programs_run - runs0
    shp = lambda v: [shp(e) for e in v] if isinstance(v, list) else list(np.shape(v))
    where = f"{op} {attrs} shapes {shp(list(inputs))}"
    if GL.fallback_report() != fb0:
        return f"{where}: fell back to the cpu kernel"
    if GL.stats.cpu_small != small0:
        return f"{where}: ran the cpu kernel (small inputs)"
    int_out = op in ("ArgMax", "ArgMin")
    if not int_out and not all(isinstance(g, GPUTensor) for g in gots):
        return f"{where}: outputs are {kinds}, not GPU tensors"
    if op in ZERO_PASS:
        if passes != 0 or gots[0].texture is not args[0].texture:
            return f"{where}: expected a free view of the input texture ({passes} passes)"
    elif passes < 1:
        return f"{where}: no GPU pass ran"
    errs = []
    for w, g in zip(wants, host):
        w = np.asarray(w)
        if g.shape != w.shape:
            return f"{where}: shape {g.shape} != {w.shape}"
        if w.size == 0:
            continue
        scale = max(float(np.max(np.abs(w))), 1e-6)
        err = float(np.max(np.abs(g.astype(np.float64) - w.astype(np.float64)))) / scale
        if not np.isfinite(err) and not np.array_equal(np.isnan(g), np.isnan(w)):
            return f"{where}: nan mismatch"
        errs.append(err if np.isfinite(err) else 0.0)
    if errs and max(errs) > tol:
        return f"{where}: relative error {max(errs):.2e}"
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
zeros_at = R(3, 4, 8); zeros_at[:, 1] = 0.0; zeros_at[2, :, 3] = 0.0   # 0 where the divisor is 0 (also 0 / 0)
c("DivNoNan", [R(3, 4, 8), zeros_at]); c("DivNoNan", [np.zeros((3, 4, 8), np.float32), zeros_at])
c("DivNoNan", [R(3, 4, 8), np.float32(0.0)])
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
c("Concat", [[R(2, 3, 4), R(2, 5, 4), R(2, 1, 4)]], {"axis": 1})
c("Concat", [[R(2, 3, 8), R(2, 3, 4)]], {"axis": -1})
c("Concat", [[R(2, 3, 3), R(2, 3, 5)]], {"axis": 2})
c("Concat", [[R(3, 2) for _ in range(9)]], {"axis": 0})
c("Pack", [[R(3, 4), R(3, 4), R(3, 4)]], {"axis": 1})
c("AddN", [[R(3, 4, 5) for _ in range(3)]]); c("AddN", [[R(2, 7) for _ in range(9)]])
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
c("GatherNd", [R(4, 5, 3), np.array([[0, 4], [3, 1], [2, 2]], np.int32)])
c("GatherNd", [R(6, 7, 2), np.array([[[5], [0]]], np.int32)]); c("GatherNd", [R(3, 4, 5), np.array([[2, 3, 4], [0, 0, 1]])])
c("Unpack", [R(3, 4, 2)], {"axis": 1}); c("SplitV", [R(4, 6)], {"sizes": [2, 4], "axis": 1})
c("Cast", [R(3, 4)], {"dtype": "float32"})
for axis, kd in ((None, False), (-1, False), ([1, 2], True), (0, False)):
    c("Prod", [R(2, 5, 6, 8, lo=0.7, hi=1.3)], {"axis": axis, "keep_dims": kd})
c("Prod", [R(3, 7, 5, lo=0.7, hi=1.3)], {"axis": 1, "keep_dims": False})
for mode in ("reflect", "symmetric", "REFLECT"):
    c("MirrorPad", [R(2, 5, 6, 3)], {"paddings": [[0, 0], [2, 1], [1, 2], [0, 0]], "mode": mode})
c("MirrorPad", [R(7, 8)], {"paddings": [[1, 1], [3, 0]], "mode": "symmetric"})
c("BroadcastTo", [R(1, 5, 1)], {"shape": [3, 5, 4]}); c("BroadcastTo", [R(6)], {"shape": [2, 3, 6]})
c("DepthToSpace", [R(2, 3, 4, 12)], {"block_size": 2}); c("DepthToSpace", [R(1, 2, 3, 18)], {"block_size": 3})
c("SpaceToBatchND", [R(2, 6, 4, 3)], {"block_shape": [2, 2], "paddings": [[0, 0], [0, 0]]})
c("SpaceToBatchND", [R(2, 5, 4, 3)], {"block_shape": [2, 3], "paddings": [[1, 0], [1, 1]]})
c("SpaceToBatchND", [R(1, 7, 3)], {"block_shape": [3], "paddings": [[1, 1]]})
c("BatchToSpaceND", [R(8, 3, 2, 3)], {"block_shape": [2, 2], "crops": [[0, 0], [0, 0]]})
c("BatchToSpaceND", [R(12, 3, 2, 5)], {"block_shape": [2, 3], "crops": [[0, 1], [2, 1]]})
# big enough that textures span several rows (4096 texels a row: more than 16384 values)
big = R(2, 40, 41, 9)                      # 29520 values: 7380 texels, 2 rows, the last partly filled
c("Relu6", [R(3, 41, 37, 5, lo=-8, hi=8)]); c("Add", [big, R(9)]); c("Mul", [big, big])
c("Conv2D", [R(1, 40, 40, 8), R(3, 3, 8, 16)], {"strides": 1, "pad": "same", "dilations": 1})
c("Conv2D", [R(1, 33, 35, 3), R(3, 3, 3, 5)], {"strides": 1, "pad": "same", "dilations": 1})
c("DepthwiseConv2dNative", [R(1, 48, 40, 12), R(3, 3, 12, 1)], {"strides": 1, "pad": "same", "dilations": 1})
c("BatchMatMul", [R(130, 64), R(64, 132)]); c("BatchMatMul", [R(130, 63), R(127, 63)], {"transpose_b": True})
c("MaxPool", [big], {"ksize": 3, "strides": 1, "pad": "same"}); c("AvgPool", [R(1, 64, 64, 8)], {"ksize": 2, "strides": 2, "pad": "valid"})
c("Transpose", [big], {"perm": [0, 3, 1, 2]}); c("Softmax", [R(40, 1001, lo=-5, hi=5)], {"axis": -1})
c("Sum", [big], {"axis": [1, 2], "keep_dims": False}); c("Max", [big], {"axis": -1, "keep_dims": True})
c("Concat", [[R(1, 40, 40, 8), R(1, 40, 40, 4), R(1, 40, 40, 3)]], {"axis": -1})
c("Pack", [[R(70, 90), R(70, 90), R(70, 90)]], {"axis": 0})
c("ResizeBilinear", [R(1, 30, 30, 8)], {"size": [60, 60], "align_corners": False, "half_pixel_centers": True})
c("MirrorPad", [R(1, 60, 60, 5)], {"paddings": [[0, 0], [3, 3], [3, 3], [0, 0]], "mode": "reflect"})
c("DepthToSpace", [R(1, 32, 32, 32)], {"block_size": 2})
c("FusedBatchNorm", [big, R(9), R(9, lo=0.5, hi=2), R(9), R(9)], {"variance_epsilon": 1e-3})
{"n": n, "fails": fails, "gpu_ops": len(GL.gpu_ops()), "fallbacks": GL.fallback_report()}
"""

# The same cases with textures at most 7 texels wide: every tensor spans many rows (odd widths, partial last rows),
# so all the row arithmetic of every kernel and of every index map is exercised.
NARROW_PY = r"""
from tfjs.backends.webgl import textures as _B
_wide = _B.MAX_WIDTH
GL.release_cached()
_B.MAX_WIDTH = 7
try:
    exec(CASES_SRC)
    res = {"n": n, "fails": fails, "fallbacks": GL.fallback_report(),
           "rows": [t.h for t in [GL.upload(R(9, 11)).texture]]}
finally:
    _B.MAX_WIDTH = _wide
    GL.release_cached()
res
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

# Fused producers as the graph ops build them (_FusedConv2D, FusedDepthwiseConv2dNative, _FusedMatMul): the
# producer then its fused_ops in order. Each chain must run as one GPU pass, read back once (the result), and match cpu.
FUSED_PY = r"""
from tfjs import ops
from tfjs.graph.mappers.convolution import apply_fused

class FusedNode:
    def __init__(self, fused, **attrs):
        self.attrs = {"fused_ops": fused, "epsilon": 1e-3, **attrs}
    def attr(self, name, default=None):
        return self.attrs.get(name, default)
    def describe(self):
        return f"test node {self.attrs['fused_ops']}"

def epilogue_ops(fused, y, extra, alpha=0.2):
    # the same steps through the ops layer (what a layers model runs)
    extra = list(extra)
    for f in fused:
        f = f.lower()
        if f in ("biasadd", "add"): y = ops.add(y, extra.pop(0))
        elif f == "fusedbatchnorm":
            sc, off, mean, var = (extra.pop(0) for _ in range(4)); y = ops.batch_norm(y, mean, var, off, sc, 1e-3)
        elif f == "prelu": y = ops.prelu(y, extra.pop(0))
        elif f == "leakyrelu": y = ops.leaky_relu(y, alpha)
        else: y = getattr(ops, {"relu6": "relu6"}.get(f, f))(y)
    return y

C = 16
x4, xd, xm = R(1, 10, 9, 8), R(1, 11, 10, C), R(7, 24)
wc, wd, wm = R(3, 3, 8, C), R(3, 3, C, 1), R(24, C)
bias, alpha, res = R(C), R(C, lo=0.05, hi=0.3), R(1, 10, 9, C)
bn = [R(C, lo=0.5, hi=2), R(C), R(C), R(C, lo=0.5, hi=2)]
producers = {
    "conv": (lambda a: ops.conv2d(a, wc, 1, "same"), x4),
    "depthwise": (lambda a: ops.depthwise_conv2d(a, wd, 1, "same"), xd),
    "matmul": (lambda a: ops.matmul(a, wm), xm),
}
CASES = [("conv", ["BiasAdd", "Relu"], [bias]), ("conv", ["BiasAdd", "Add", "Relu6"], [bias, res]),
         ("conv", ["FusedBatchNorm", "Relu6"], bn), ("conv", ["BiasAdd", "Prelu"], [bias, alpha]),
         ("depthwise", ["BiasAdd", "Relu6"], [bias]), ("depthwise", ["BiasAdd", "Prelu"], [bias, alpha]),
         ("depthwise", ["BiasAdd", "Elu"], [bias]), ("depthwise", ["BiasAdd"], [bias]),
         ("matmul", ["BiasAdd", "Relu"], [bias]), ("matmul", ["BiasAdd", "LeakyRelu"], [bias]),
         ("matmul", ["BiasAdd", "Sigmoid"], [bias]), ("matmul", ["BiasAdd", "Tanh"], [bias]),
         ("matmul", ["BiasAdd", "Prelu"], [bias, alpha]), ("matmul", ["BiasAdd", "Elu"], [bias])]
out = {}
for via in ("ops", "graph"):
    for prod, fused, extra in CASES:
        fn, xin = producers[prod]
        run = (lambda y: epilogue_ops(fused, y, extra)) if via == "ops" else \
              (lambda y: apply_fused(FusedNode(fused, leakyrelu_alpha=0.2), y, extra))
        tf.set_backend("cpu"); want = np.asarray(run(fn(xin)))
        tf.set_backend("webgl")
        r0, d0, fb0 = GL.stats.programs_run, GL.stats.downloads, GL.fallback_report()
        got = run(fn(GL.upload(xin)))
        pending, kind = getattr(got, "is_pending", False), type(got).__name__
        got = np.asarray(got)
        err = float(np.max(np.abs(got - want)) / np.max(np.abs(want)))
        out[f"{via} {prod} {'+'.join(fused)}"] = {"err": err, "passes": GL.stats.programs_run - r0,
            "downloads": GL.stats.downloads - d0, "pending": pending, "type": kind,
            "fellback": GL.fallback_report() != fb0}
tf.set_backend("webgl")
out
"""


def _fails(out):
    return "\n".join(out["fails"])


def test_every_kernel_matches_cpu(app_page):
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, CASES_PY)
    assert out["fails"] == [], _fails(out)
    assert out["n"] > 250
    assert out["fallbacks"] == {}, out["fallbacks"]


def test_every_kernel_with_textures_of_many_rows(app_page):
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, f"CASES_SRC = {CASES_PY!r}\n" + NARROW_PY)
    assert out["rows"] == [4], out        # 99 values: 25 texels, 7 a row
    assert out["fails"] == [], _fails(out)
    assert out["n"] > 250
    assert out["fallbacks"] == {}, out["fallbacks"]


# Both ways of fusing an epilogue (the ops layer, and the graph executor's apply_fused through
# tfjs.ops.graph_extra.binary) keep GPU tensors on the GPU: one pass, one readback (the caller's), no fallback.
@pytest.mark.parametrize("via", ["ops", "graph"])
def test_fused_epilogues_are_one_pass(app_page, via):
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, FUSED_PY)
    cases = {k: v for k, v in out.items() if k.startswith(via + " ")}
    assert len(cases) == 14
    bad = {k: v for k, v in cases.items() if not (v["err"] < 1e-4 and v["passes"] == 1 and v["downloads"] == 1
                                                  and v["pending"] and not v["fellback"])}
    assert bad == {}, bad


# The layouts the products pick for speed, against the cpu kernel: weights as host arrays (re-laid on upload:
# one matrix row per texture row, transposed when the output's columns are not a multiple of 4, input channels
# zero-padded to 4), and activations made by a previous pass (one pixel per texture row) or uploaded.
LAYOUTS_PY = r"""
fails = []
def made(x):
    # x as a previous pass leaves it (its output layout), not as an upload
    t = GL.kernels["Relu"](GL.kernels["Add"](GL.upload(x), np.float32(2.0))); t.texture
    return t, np.maximum(x + 2.0, 0).astype(np.float32)
def frozen(a):
    a.flags.writeable = False
    return a
cases = []
for (hw, cin, cout) in [(5, 8, 16), (6, 24, 34), (4, 96, 17), (3, 16, 100), (7, 64, 4), (2, 12, 8), (1, 20, 6)]:
    x = R(1, hw, hw, cin); f = frozen(R(1, 1, cin, cout))
    cases.append(("Conv2D", x, f, {"strides": 1, "pad": "valid"}))
for (m, k, n) in [(9, 16, 24), (5, 32, 10), (33, 8, 3), (4, 5, 8)]:
    cases.append(("MatMul", R(m, k), frozen(R(k, n)), {}))
for (hw, cin, cout, kk, st) in [(9, 3, 24, 5, 2), (8, 3, 16, 3, 1), (7, 6, 8, 3, 2), (6, 1, 4, 3, 1)]:
    cases.append(("Conv2D", R(1, hw, hw, cin), frozen(R(kk, kk, cin, cout)), {"strides": st, "pad": "same"}))
cases.append(("Conv2D", R(1, 9, 9, 3), frozen(R(3, 3, 3, 8)), {"strides": 1, "pad": "same", "dilations": 2}))
cases.append(("Conv2D", R(1, 9, 8, 2), frozen(R(3, 3, 2, 8)), {"strides": 2, "pad": "valid", "dilations": 1}))
for (hw, c, st) in [(8, 16, 1), (9, 24, 2), (5, 32, 1), (6, 8, 1)]:
    cases.append(("DepthwiseConv2dNative", R(1, hw, hw, c), frozen(R(3, 3, c, 1)), {"strides": st, "pad": "same"}))
n = 0
for op, x, f, attrs in cases:
    for how in ("made", "upload"):
        xg, xh = made(x) if how == "made" else (GL.upload(x), x)
        want = CPU.kernels[op](xh, f, **attrs)
        fb0 = GL.fallback_report()
        got = np.asarray(GL.kernels[op](xg, f, **attrs))
        n += 1
        err = float(np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-6))
        if GL.fallback_report() != fb0 or not err < 1e-4:
            fails.append(f"{op} {how} {x.shape} {f.shape} {attrs}: err {err}")
{"n": n, "fails": fails}
"""


def test_product_layouts_match_cpu(app_page):
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, LAYOUTS_PY)
    assert out["n"] == 42
    assert out["fails"] == [], "\n".join(out["fails"])


# Channels-last outputs with more pixels than the max texture height: a few pixels per texture row (2, 4), with
# their own 1x1-conv/matmul and depthwise shader paths; sizes from the context's limit so that each layout is hit.
WIDE_ROWS_PY = LAYOUTS_PY.split("cases = []")[0] + r"""
import math
mt = GL._gl.max_texture_size
def side(pp):
    s = math.isqrt(int((pp - 0.5) * mt * 1.1)) + 1
    return s + s % 2
h2, h4 = side(2), side(4)
cases = []
for (hw, cin, cout) in [(h2, 16, 32), (h2, 32, 16), (h2, 20, 24), (h4, 16, 16)]:
    cases.append(("Conv2D", R(1, hw, hw, cin), frozen(R(1, 1, cin, cout)), {"strides": 1, "pad": "valid"}))
for (hw, c, st) in [(h2, 16, 1), (h2, 32, 2), (h4, 16, 1), (h4, 16, 2)]:
    cases.append(("DepthwiseConv2dNative", R(1, hw, hw, c), frozen(R(3, 3, c, 1)), {"strides": st, "pad": "same"}))
n = 0
widths = []
for op, x, f, attrs in cases:
    for how in ("made", "upload"):
        xg, xh = made(x) if how == "made" else (GL.upload(x), x)
        want = CPU.kernels[op](xh, f, **attrs)
        fb0 = GL.fallback_report()
        gt = GL.kernels[op](xg, f, **attrs)
        got = np.asarray(gt)
        n += 1
        c = gt.shape[-1]
        widths.append(gt.texture.w // (c // 4) if gt.texture.w % (c // 4) == 0 else 0)
        err = float(np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-6))
        if GL.fallback_report() != fb0 or not err < 1e-4:
            fails.append(f"{op} {how} {x.shape} {f.shape} {attrs}: err {err}")
keys = sorted(str(k[-1]) for k in GL.program_keys() if isinstance(k, tuple) and k and k[0] in ("matmul", "depthwise"))
{"n": n, "fails": fails, "widths": widths, "keys": keys}
"""


# A head whose channels are not a multiple of 4 (17 heat maps, 34 offsets): the 1x1 conv runs with the weight's
# columns zero-padded to 4 on the row path, and a channel-slice pass drops the padding and carries the epilogue
# (bias, sigmoid, a same-shape divisor). Inputs 1 and 2 pixels per texture row.
HEADS_PY = LAYOUTS_PY.split("cases = []")[0] + r"""
import math
from tfjs import ops
mt = GL._gl.max_texture_size
tall = math.isqrt(int(1.6 * mt)) + 1
tall += tall % 2
n = 0
# (5 channels pad to 8: too few for the row layout, so the product and its epilogue stay one pass)
for (hw, cin, cout, npass) in [(12, 96, 17, 2), (12, 24, 34, 2), (9, 16, 5, 1), (tall, 16, 17, 2)]:
    x = R(1, hw, hw, cin); f = frozen(R(1, 1, cin, cout)); b = R(cout); d = R(1, hw, hw, cout, lo=0.5, hi=2.0)
    def head(xx, dd):
        return ops.div(ops.sigmoid(ops.add(ops.conv2d(xx, f, 1, "valid"), b)), dd)
    xg, xh = made(x)
    tf.set_backend("cpu"); want = head(xh, d)
    tf.set_backend("webgl")
    dg = GL.upload(d)
    before, fb0 = GL.stats.programs_run, GL.fallback_report()
    got = np.asarray(head(xg, dg))
    passes = GL.stats.programs_run - before
    n += 1
    err = float(np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-6))
    if GL.fallback_report() != fb0 or not err < 1e-4 or passes != npass:
        fails.append(f"head {x.shape} -> {cout}: err {err}, {passes} passes")
keys = [k for k in GL.program_keys() if k == ("chslice",)]
{"n": n, "fails": fails, "sliced": len(keys)}
"""


def test_heads_with_odd_channels_match_cpu(app_page):
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, HEADS_PY)
    assert out["n"] == 4
    assert out["fails"] == [], "\n".join(out["fails"])
    assert out["sliced"] >= 1, out


def test_wide_pixel_rows_match_cpu(app_page):
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, WIDE_ROWS_PY)
    assert out["n"] == 16
    assert out["fails"] == [], "\n".join(out["fails"])
    # outputs 2 and 4 pixels per texture row (a stride-2 depthwise from 2 per row gives 1 per row)
    assert out["widths"] == [2] * 6 + [4] * 2 + [2] * 2 + [1] * 2 + [4] * 2 + [1] * 2, out
    assert any("x2" in k for k in out["keys"]) and any("x4" in k for k in out["keys"]), out


def test_conv_epilogue_is_one_pass(app_page):
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, FUSION_PY)
    assert out["pending"] is True
    assert out["err"] < 1e-4
    assert out["passes"] == 1, out


def test_profile_keeps_fusion(app_page):
    """Profiling times each GPU pass as it runs: the conv epilogue stays fused (one pass, labelled with its
    steps), results are unchanged, and the timer kind is what the context offers."""
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, FUSION_PY + r"""
plain = got
GL.stats.reset()
GL.start_profile()
prof_got = np.asarray(chain(GL.upload(x), w, GL.upload(res)))
prof = await GL.stop_profile()
{"passes": GL.stats.programs_run, "labels": sorted(prof["ops"]), "timer": prof["timer"],
 "tq": GL.has_timer_query, "same": bool(np.array_equal(prof_got, plain)),
 "ms": [v for k, v in prof["ops"].items() if k.startswith("conv2d")]}
""")
    assert out["passes"] == 1, out
    assert [k for k in out["labels"] if k not in ("upload", "readback")] == \
        ["conv2d+Add(chan)+batchnorm+Relu+ClipByValue+Add(same)"], out
    assert out["same"], out
    assert out["timer"] == ("gpu" if out["tq"] else "wall"), out
    assert len(out["ms"]) == 1 and len(out["ms"][0]) == 1 and out["ms"][0][0] >= 0, out


# A gather by host indices that points outside the input fails as the cpu kernel does (the index, the bound), and
# leaves nothing half-made: the next gather on the same input is right.
BAD_INDEX_PY = r"""
x = R(4, 5, 3); xg = GL.upload(x)
errs = []
for op, idx, attrs in (("GatherNd", np.array([[0, 1], [4, 0]], np.int32), {}),
                       ("GatherV2", np.array([1, 7], np.int32), {"axis": 1})):
    for backend in (CPU, GL):
        try:
            backend.kernels[op](xg if backend is GL else x, idx, **attrs)
            errs.append(None)
        except Exception as e:
            errs.append(f"{type(e).__name__}: {e}")
good = np.asarray(GL.kernels["GatherNd"](xg, np.array([[3, 4]], np.int32)))
{"errs": errs, "good": bool(np.array_equal(good, x[3:4, 4]))}
"""


def test_gather_out_of_range_index_fails_like_cpu(app_page):
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, BAD_INDEX_PY)
    errs = out["errs"]
    assert errs[0] is not None and errs[0] == errs[1], errs
    assert errs[2] is not None and errs[2] == errs[3], errs
    assert "4" in errs[0] and "7" in errs[2], errs
    assert out["good"] is True


MASKS_PY = r"""
K = GL.kernels
scores = R(2, 30, 40, 8)
boxes = R(2, 30, 40, 8, lo=-5, hi=5)
sg, bg = GL.upload(scores), GL.upload(boxes)
fb0, runs0 = GL.fallback_report(), GL.stats.programs_run
# a detector head's masks: a threshold, a second bound, their conjunction, the kept values, the mask as numbers
keep = K["LogicalAnd"](K["Greater"](sg, np.float32(0.2)), K["Less"](bg, np.float32(3.0)))
kept = K["Select"](keep, bg, np.float32(0.0))
as_float = K["Cast"](keep, dtype="float32")
as_int = K["Cast"](keep, dtype="int32")
finite = K["IsFinite"](K["RealDiv"](bg, sg))
on_gpu = [type(v).__name__ for v in (keep, kept, as_float, as_int, finite)]
# layout kernels move bool values on the GPU and keep the dtype
t = K["Transpose"](keep, perm=[0, 3, 1, 2])
# int32 on the GPU: class numbers from a division, one-hot encoded
cls = K["FloorDiv"](bg, np.float32(2.0))
hot = K["OneHot"](cls, 3)
int_path = [type(cls).__name__, str(cls.dtype), type(hot).__name__]
gpu_fallbacks = GL.fallback_report() != fb0
# a kernel with no GPU version (Where): the mask reads back (once) as bool and runs on the cpu kernel
w = K["Where"](keep)
vals = [np.asarray(v) for v in (keep, kept, as_float, as_int, finite)]
want_keep = (scores > 0.2) & (boxes < 3.0)
{"types": on_gpu, "fell_back": gpu_fallbacks, "dtypes": [str(v.dtype) for v in vals],
 "keep": bool(np.array_equal(vals[0], want_keep)),
 "kept": bool(np.array_equal(vals[1], np.where(want_keep, boxes, np.float32(0)))),
 "as_float": bool(np.array_equal(vals[2], want_keep.astype(np.float32))),
 "as_int": bool(np.array_equal(vals[3], want_keep.astype(np.int32))),
 "finite": bool(np.array_equal(vals[4], np.isfinite(boxes / scores))),
 "transpose": [type(t).__name__, str(t.dtype), bool(np.array_equal(t, np.transpose(want_keep, (0, 3, 1, 2))))],
 "int_path": int_path,
 "hot": bool(np.array_equal(hot, CPU.kernels["OneHot"](np.floor(boxes / np.float32(2)).astype(np.int32), 3))),
 "cls": str(np.asarray(cls).dtype),
 "where": bool(np.array_equal(w, CPU.kernels["Where"](want_keep))),
 "where_fallback": GL.fallback_report().get("Where"), "fallbacks": sorted(GL.fallback_report()),
 "repr": repr(keep)}
"""


def test_bool_results_stay_on_the_gpu_and_read_back_as_bool(app_page):
    run_py(app_page, SETUP_PY)
    out = run_py(app_page, MASKS_PY)
    assert out["types"] == ["GPUTensor"] * 5, out
    assert out["fell_back"] is False, out
    assert out["dtypes"] == ["bool", "float32", "float32", "int32", "bool"], out
    assert all(out[k] is True for k in ("keep", "kept", "as_float", "as_int", "finite")), out
    assert out["transpose"] == ["GPUTensor", "bool", True], out
    assert out["int_path"] == ["GPUTensor", "int32", "GPUTensor"], out
    assert out["hot"] is True and out["cls"] == "int32", out
    assert out["where"] is True, out
    assert out["where_fallback"] == {"calls": 1, "downloads": 1, "uploads": 0}, out
    assert out["fallbacks"] == ["Where"], out
    assert out["repr"].startswith("<GPUTensor bool[2, 30, 40, 8]"), out
