"""Per-op conformance: each graph op, as a one-node graph model here (under CPython), against TF.js on the
same inputs in the page (cpu backend): either TF.js's own op function, or (``js=GRAPH``) the very same graph
model loaded with TF.js's loadGraphModel (from memory) and run with executeAsync, which checks TF.js's
converter mapping of the op too. Floats equal within 1e-5 (relative above 1); int32, bool and string results
exactly. All TF.js cases run in two page.evaluate calls.

The helpers below (``artifacts_payload``, ``js_input``, ``assert_outputs_match``) are shared with
test_graph_control.py, which runs whole graphs (control flow, TensorArrays, TensorLists, hash tables)."""

import base64

from pathlib import Path

import numpy as np
import pytest

from harness import add_reference_tfjs
from tfjs.graph import builder as gb

pytestmark = pytest.mark.e2e
HERE = Path(__file__).parent
RNG = np.random.default_rng(1234)
F, I, B, S = "float32", "int32", "bool", "string"
CASES: dict[str, dict] = {}
GRAPH = "graph"  # the js of a case that TF.js runs as the same graph model, through loadGraphModel


def r(*shape, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, shape).astype(np.float32)


def ri(*shape, lo=-5, hi=6):
    return RNG.integers(lo, hi, shape).astype(np.int32)


def rb(*shape):
    return RNG.random(shape) > 0.5


def i32(*values):
    return np.asarray(values, np.int32)


def f32(*values):
    return np.asarray(values, np.float32)


def strs(*values, shape=None):
    arr = np.empty(len(values), object)
    arr[:] = [v.encode("utf-8") if isinstance(v, str) else v for v in values]
    return arr.reshape(shape if shape is not None else (len(values),))


def case(cid, op, inputs, js, outs=(0,), tol=1e-5, marks=(), unfed=(), dtype_exceptions=(), feed_op=None, **attrs):
    """One op case: ``inputs`` feed Placeholders in0, in1, ...; ``js`` gets the same values as tensors, or is
    GRAPH (TF.js runs the same graph). ``unfed``: input indices not fed (PlaceholderWithDefault's own);
    ``consts=[k, ...]`` (an attr here) makes those inputs Const nodes (weights) instead of Placeholders;
    ``feed_op``: a value fed to the op node itself (a PlaceholderWithDefault given a value)."""
    assert cid not in CASES, cid
    CASES[cid] = {"op": op, "inputs": [np.asarray(x) for x in inputs], "js": js, "outs": list(outs),
                  "attrs": attrs, "tol": tol, "marks": list(marks), "unfed": set(unfed),
                  "dtype_exceptions": set(dtype_exceptions), "feed_op": feed_op}


# ---------------------------------------------------------------------------------------------- arithmetic
case("Add/broadcast", "Add", [r(2, 3), r(3)], "(a, b) => tf.add(a, b)")
case("AddV2/int32", "AddV2", [ri(2, 3), ri(1, 3)], "(a, b) => tf.add(a, b)")
case("AddV2/rank3-broadcast", "AddV2", [r(2, 1, 3), r(4, 1)], "(a, b) => tf.add(a, b)")
case("AddN", "AddN", [r(2, 3), r(2, 3), r(2, 3)], "(a, b, c) => tf.addN([a, b, c])", N=3)
case("BiasAdd", "BiasAdd", [r(2, 3, 4), r(4)], "(a, b) => tf.add(a, b)")
case("Sub/broadcast", "Sub", [r(2, 1, 3), r(4, 1)], "(a, b) => tf.sub(a, b)")
case("Sub/int32", "Sub", [ri(3), ri(3)], "(a, b) => tf.sub(a, b)")
case("Mul", "Mul", [r(3, 4), r(1, 4)], "(a, b) => tf.mul(a, b)")
case("Mul/int32", "Mul", [ri(3, 4), ri(3, 1)], "(a, b) => tf.mul(a, b)")
case("RealDiv", "RealDiv", [r(3, 4), r(3, 4, lo=0.5, hi=2)], "(a, b) => tf.div(a, b)")
case("Div/int32", "Div", [ri(8), ri(8, lo=1, hi=4) * i32(1, -1, 1, -1, 1, -1, 1, -1)], "(a, b) => tf.div(a, b)")
case("DivNoNan", "DivNoNan", [r(6), f32(1, 0, 2, 0, -3, 0.5)], "(a, b) => tf.divNoNan(a, b)")
case("FloorDiv/float", "FloorDiv", [r(8, lo=-9, hi=9), f32(2, -2, 3, -3, 1.5, -1.5, 4, -4)],
     "(a, b) => tf.floorDiv(a, b)")
case("FloorDiv/int32", "FloorDiv", [ri(8, lo=-9, hi=9), i32(2, -2, 3, -3, 5, -5, 4, -4)],
     "(a, b) => tf.floorDiv(a, b)")
case("FloorMod/float", "FloorMod", [r(8, lo=-9, hi=9), f32(2, -2, 3, -3, 1.5, -1.5, 4, -4)],
     "(a, b) => tf.mod(a, b)")
case("FloorMod/int32", "FloorMod", [ri(8, lo=-9, hi=9), i32(2, -2, 3, -3, 5, -5, 4, -4)], "(a, b) => tf.mod(a, b)")
case("Mod", "Mod", [ri(6, lo=-9, hi=9), i32(4, 4, 4, -4, -4, -4)], "(a, b) => tf.mod(a, b)")
case("Maximum", "Maximum", [r(3, 4), r(4)], "(a, b) => tf.maximum(a, b)")
case("Minimum/int32", "Minimum", [ri(3, 4), ri(4)], "(a, b) => tf.minimum(a, b)")
case("Pow", "Pow", [r(5, lo=0.1, hi=3), r(5)], "(a, b) => tf.pow(a, b)")
case("Pow/int32", "Pow", [ri(5, lo=-3, hi=4), i32(0, 1, 2, 3, 2)], "(a, b) => tf.pow(a, b)")
case("SquaredDifference", "SquaredDifference", [r(2, 3), r(3)], "(a, b) => tf.squaredDifference(a, b)")

# ---------------------------------------------------------------------------------------------- basic_math
_UNARY = {"Abs": ("abs", None), "Acos": ("acos", (-0.99, 0.99)), "Asin": ("asin", (-0.99, 0.99)),
          "Atan": ("atan", None), "Ceil": ("ceil", None), "Cos": ("cos", None), "Cosh": ("cosh", None),
          "Elu": ("elu", None), "Exp": ("exp", None), "Floor": ("floor", None), "Log": ("log", (0.01, 5)),
          "Neg": ("neg", None), "Relu": ("relu", None), "Relu6": ("relu6", (-3, 9)), "Selu": ("selu", None),
          "Sigmoid": ("sigmoid", (-8, 8)), "Sin": ("sin", None), "Sinh": ("sinh", None),
          "Sqrt": ("sqrt", (0, 5)), "Rsqrt": ("rsqrt", (0.1, 5)), "Square": ("square", None),
          "Tan": ("tan", (-1.2, 1.2)), "Tanh": ("tanh", None), "Sign": ("sign", None),
          "Expm1": ("expm1", None), "Log1p": ("log1p", (-0.9, 4)), "Reciprocal": ("reciprocal", (0.2, 4)),
          "Softplus": ("softplus", (-20, 20)), "Asinh": ("asinh", None), "Acosh": ("acosh", (1, 5)),
          "Atanh": ("atanh", (-0.95, 0.95)), "Erf": ("erf", None)}
for _op, (_fn, _range) in _UNARY.items():
    lo, hi = _range or (-3, 3)
    case(f"{_op}", _op, [r(3, 5, lo=lo, hi=hi)], f"(x) => tf.{_fn}(x)")
case("Round/halves", "Round", [f32(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.4, -0.6)], "(x) => tf.round(x)")
case("Sign/zero", "Sign", [f32(-2, 0, 3)], "(x) => tf.sign(x)")
for _op, _fn in (("IsNan", "isNaN"), ("IsFinite", "isFinite"), ("IsInf", "isInf")):
    case(_op, _op, [f32(1, np.nan, np.inf, -np.inf, 0)], f"(x) => tf.{_fn}(x)")
case("Abs/int32", "Abs", [ri(6)], "(x) => tf.abs(x)")
case("Neg/int32", "Neg", [ri(6)], "(x) => tf.neg(x)")
case("Square/int32", "Square", [ri(6)], "(x) => tf.square(x)")
case("LeakyRelu", "LeakyRelu", [r(3, 4)], "(x) => tf.leakyRelu(x, 0.1)", alpha=0.1)
case("Prelu", "Prelu", [r(2, 3, 4), r(4)], "(x, a) => tf.prelu(x, a)")
case("ClipByValue", "ClipByValue", [r(3, 4), f32(-0.5), f32(0.7)], "(x) => tf.clipByValue(x, -0.5, 0.7)")
case("Atan2", "Atan2", [r(3, 4), r(3, 4)], "(a, b) => tf.atan2(a, b)")

# ---------------------------------------------------------------------------------------------- convolution
_X = r(2, 7, 6, 3)
_W = r(3, 3, 3, 4)
for _pad in ("SAME", "VALID"):
    for _s, _d in ((1, 1), (2, 1), (1, 2)):
        case(f"Conv2D/{_pad}/s{_s}d{_d}", "Conv2D", [_X, _W],
             f"(x, w) => tf.conv2d(x, w, {_s}, '{_pad.lower()}', 'NHWC', {_d})",
             strides=[1, _s, _s, 1], padding=_pad, dilations=[1, _d, _d, 1], data_format="NHWC")
case("Conv2D/EXPLICIT", "Conv2D", [_X, _W], "(x, w) => tf.conv2d(x, w, 1, [[0, 0], [1, 2], [0, 1], [0, 0]])",
     strides=[1, 1, 1, 1], padding="EXPLICIT", explicit_paddings=[0, 0, 1, 2, 0, 1, 0, 0])
_ACT_JS = {"Relu": "relu", "Relu6": "relu6", "Elu": "elu", "Sigmoid": "sigmoid", "Tanh": "tanh",
           "LeakyRelu": "leakyrelu", "Prelu": "prelu"}
for _act, _js in _ACT_JS.items():
    ins = [_X, _W, r(4)] + ([r(4)] if _act == "Prelu" else [])
    extra = ", preluActivationWeights: p" if _act == "Prelu" else ""
    js = (f"(x, w, b, p) => tf.fused.conv2d({{x, filter: w, strides: 2, pad: 'same', bias: b, activation: '{_js}', "
          f"leakyreluAlpha: 0.3{extra}}})")
    if _act == "Tanh":  # TF.js's cpu backend has no fused tanh: the same sum, unfused
        js = "(x, w, b) => tf.tanh(tf.add(tf.conv2d(x, w, 2, 'same'), b))"
    case(f"_FusedConv2D/BiasAdd+{_act}", "_FusedConv2D", ins, js,
         strides=[1, 2, 2, 1], padding="SAME", dilations=[1, 1, 1, 1], fused_ops=["BiasAdd", _act],
         num_args=len(ins) - 2, leakyrelu_alpha=0.3, epsilon=0.0)
case("_FusedConv2D/BiasAdd", "_FusedConv2D", [_X, _W, r(4)],
     "(x, w, b) => tf.fused.conv2d({x, filter: w, strides: 1, pad: 'valid', bias: b})",
     strides=[1, 1, 1, 1], padding="VALID", fused_ops=["BiasAdd"], num_args=1)
_DW = r(3, 3, 3, 2)
case("DepthwiseConv2dNative/SAME/s2", "DepthwiseConv2dNative", [_X, _DW],
     "(x, w) => tf.depthwiseConv2d(x, w, 2, 'same')", strides=[1, 2, 2, 1], padding="SAME")
case("DepthwiseConv2dNative/VALID/d2", "DepthwiseConv2dNative", [_X, _DW],
     "(x, w) => tf.depthwiseConv2d(x, w, 1, 'valid', 'NHWC', 2)", strides=[1, 1, 1, 1], padding="VALID",
     dilations=[1, 2, 2, 1])
case("FusedDepthwiseConv2dNative/BiasAdd+Relu6", "FusedDepthwiseConv2dNative", [_X, _DW, r(6)],
     "(x, w, b) => tf.fused.depthwiseConv2d({x, filter: w, strides: 1, pad: 'same', bias: b, activation: 'relu6'})",
     strides=[1, 1, 1, 1], padding="SAME", fused_ops=["BiasAdd", "Relu6"], num_args=1)
case("Conv2DBackpropInput/SAME/s2", "Conv2DBackpropInput", [i32(2, 8, 6, 4), r(3, 3, 4, 5), r(2, 4, 3, 5)],
     "(s, w, dy) => tf.conv2dTranspose(dy, w, [2, 8, 6, 4], 2, 'same')", strides=[1, 2, 2, 1], padding="SAME")
case("Conv2DBackpropInput/VALID", "Conv2DBackpropInput", [i32(1, 7, 6, 2), r(2, 3, 2, 3), r(1, 6, 4, 3)],
     "(s, w, dy) => tf.conv2dTranspose(dy, w, [1, 7, 6, 2], 1, 'valid')", strides=[1, 1, 1, 1], padding="VALID")
case("Conv3D/SAME", "Conv3D", [r(1, 4, 5, 6, 2), r(2, 3, 2, 2, 3)], "(x, w) => tf.conv3d(x, w, 1, 'same')",
     strides=[1, 1, 1, 1, 1], padding="SAME", dilations=[1, 1, 1, 1, 1])
case("Conv3D/VALID/s2", "Conv3D", [r(1, 5, 5, 6, 2), r(2, 2, 2, 2, 3)], "(x, w) => tf.conv3d(x, w, 2, 'valid')",
     strides=[1, 2, 2, 2, 1], padding="VALID", dilations=[1, 1, 1, 1, 1])
for _pool, _fn in (("MaxPool", "maxPool"), ("AvgPool", "avgPool")):
    for _pad in ("SAME", "VALID"):
        case(f"{_pool}/{_pad}", _pool, [_X], f"(x) => tf.{_fn}(x, [3, 2], [2, 2], '{_pad.lower()}')",
             ksize=[1, 3, 2, 1], strides=[1, 2, 2, 1], padding=_pad)
for _pool, _fn in (("MaxPool3D", "maxPool3d"), ("AvgPool3D", "avgPool3d")):
    case(f"{_pool}/SAME", _pool, [r(1, 4, 5, 6, 2)], f"(x) => tf.{_fn}(x, 2, 2, 'same')",
         ksize=[1, 2, 2, 2, 1], strides=[1, 2, 2, 2, 1], padding="SAME")
case("MaxPoolWithArgmax", "MaxPoolWithArgmax", [r(2, 5, 4, 3)],
     "async (x) => { const r = tf.maxPoolWithArgmax(x, 2, 2, 'same', true); return [r.result, r.indexes]; }",
     outs=(0, 1), ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME", include_batch_in_index=True)
case("Dilation2D/SAME", "Dilation2D", [r(1, 6, 5, 2), r(3, 2, 2)],
     "(x, w) => tf.dilation2d(x, w, 1, 'same', 2)", strides=[1, 1, 1, 1], rates=[1, 2, 2, 1], padding="SAME")
case("Dilation2D/VALID/s2", "Dilation2D", [r(1, 7, 6, 2), r(2, 2, 2)],
     "(x, w) => tf.dilation2d(x, w, 2, 'valid')", strides=[1, 2, 2, 1], rates=[1, 1, 1, 1], padding="VALID")
case("Conv1D", "Conv1D", [r(2, 9, 3), r(3, 3, 4)], "(x, w) => tf.conv1d(x, w, 2, 'same')", stride=2, pad="SAME")

# ---------------------------------------------------------------------------------------------- creation
case("Fill/float", "Fill", [i32(2, 3), f32(1.5)], "() => tf.fill([2, 3], 1.5)")
case("Fill/int", "Fill", [i32(3), i32(7)], "() => tf.fill([3], 7, 'int32')")
case("LinSpace", "LinSpace", [f32(-1), f32(2), i32(7)], "() => tf.linspace(-1, 2, 7)")
case("OneHot", "OneHot", [i32(0, 2, -1, 1), i32(3), f32(5), f32(-1)], "(i) => tf.oneHot(i, 3, 5, -1, 'float32')", axis=-1,
     T=gb.dtype(F))
case("OnesLike", "OnesLike", [ri(2, 3)], "(x) => tf.onesLike(x)")
case("ZerosLike", "ZerosLike", [r(2, 3)], "(x) => tf.zerosLike(x)")
case("Range/float", "Range", [f32(0.5), f32(4), f32(0.75)], "() => tf.range(0.5, 4, 0.75)", Tidx=gb.dtype(F))
case("Range/int", "Range", [i32(10), i32(-3), i32(-3)], "() => tf.range(10, -3, -3, 'int32')", Tidx=gb.dtype(I))

# ---------------------------------------------------------------------------------------------- dynamic
_BOXES = np.concatenate([RNG.uniform(0, 0.6, (30, 2)), RNG.uniform(0.3, 1, (30, 2))], 1).astype(np.float32)
_BOXES = _BOXES[:, [0, 1, 2, 3]]
_SCORES = RNG.random(30).astype(np.float32)
case("NonMaxSuppressionV3", "NonMaxSuppressionV3", [_BOXES, _SCORES, i32(10), f32(0.4), f32(0.2)],
     "(b, s) => tf.image.nonMaxSuppressionAsync(b, s, 10, 0.4, 0.2)")
case("NonMaxSuppressionV2", "NonMaxSuppressionV2", [_BOXES, _SCORES, i32(20), f32(0.5)],
     "(b, s) => tf.image.nonMaxSuppressionAsync(b, s, 20, 0.5)")
case("NonMaxSuppressionV4/padded", "NonMaxSuppressionV4", [_BOXES, _SCORES, i32(25), f32(0.3), f32(0.4)],
     "async (b, s) => { const r = await tf.image.nonMaxSuppressionPaddedAsync(b, s, 25, 0.3, 0.4, true); "
     "return [r.selectedIndices, r.validOutputs]; }", outs=(0, 1), pad_to_max_output_size=True)
case("NonMaxSuppressionV5/soft", "NonMaxSuppressionV5",
     [_BOXES, _SCORES, i32(12), f32(0.6), f32(0.1), f32(0.5)],
     "async (b, s) => { const r = await tf.image.nonMaxSuppressionWithScoreAsync(b, s, 12, 0.6, 0.1, 0.5); "
     "return [r.selectedIndices, r.selectedScores]; }", outs=(0, 1))
case("NonMaxSuppressionV5/hard", "NonMaxSuppressionV5",
     [_BOXES, _SCORES, i32(12), f32(0.5), f32(0.0), f32(0.0)],
     "async (b, s) => { const r = await tf.image.nonMaxSuppressionWithScoreAsync(b, s, 12, 0.5, 0.0, 0.0); "
     "return [r.selectedIndices, r.selectedScores]; }", outs=(0, 1))
case("Where/2d", "Where", [rb(3, 4)], "(c) => tf.whereAsync(c)")
case("Where/float", "Where", [f32(0, 1, 0, 2.5)], "(c) => tf.whereAsync(tf.cast(c, 'bool'))")
case("ListDiff", "ListDiff", [i32(1, 2, 3, 4, 5, 6, 2), i32(2, 4, 9)],
     "async (x, y) => await tf.setdiff1dAsync(x, y)", outs=(0, 1))

# ---------------------------------------------------------------------------------------------- evaluation
case("TopKV2", "TopKV2", [np.round(r(3, 8), 1), i32(3)],
     "(x) => { const r = tf.topk(x, 3); return [r.values, r.indices]; }", outs=(0, 1), sorted=True)
case("TopKV2/int", "TopKV2", [ri(10), i32(4)], "(x) => { const r = tf.topk(x, 4); return [r.values, r.indices]; }",
     outs=(0, 1))
case("Unique", "Unique", [i32(3, 1, 3, 2, 1, 7)],
     "(x) => { const r = tf.unique(x); return [r.values, r.indices]; }", outs=(0, 1))
case("UniqueV2/axis1", "UniqueV2", [i32(1, 0, 1, 2, 0, 2, 1, 0, 1).reshape(3, 3), i32(1)],
     "(x) => { const r = tf.unique(x, 1); return [r.values, r.indices]; }", outs=(0, 1))
case("LowerBound", "LowerBound", [np.sort(r(2, 6), -1), r(2, 4)], "(s, v) => tf.lowerBound(s, v)")
case("UpperBound", "UpperBound", [i32(1, 2, 2, 3, 5).reshape(1, 5), i32(2, 0, 5, 6).reshape(1, 4)],
     "(s, v) => tf.upperBound(s, v)")

# ---------------------------------------------------------------------------------------------- image
_IMG = r(2, 5, 7, 3)
_IMG1 = _IMG[:1].copy()  # TF.js's cpu transform fills every image after the first with the fill value
for _ac, _hp in ((False, False), (True, False), (False, True)):
    for _size in ((9, 4), (3, 11)):
        tag = f"{_size[0]}x{_size[1]}/ac{int(_ac)}hp{int(_hp)}"
        case(f"ResizeBilinear/{tag}", "ResizeBilinear", [_IMG, i32(*_size)],
             f"(x) => tf.image.resizeBilinear(x, {list(_size)}, {str(_ac).lower()}, {str(_hp).lower()})",
             align_corners=_ac, half_pixel_centers=_hp)
        marks = []
        case(f"ResizeNearestNeighbor/{tag}", "ResizeNearestNeighbor", [_IMG, i32(*_size)],
             f"(x) => tf.image.resizeNearestNeighbor(x, {list(_size)}, {str(_ac).lower()}, {str(_hp).lower()})",
             marks=marks, align_corners=_ac, half_pixel_centers=_hp)
_CB = f32(0.1, 0.2, 0.8, 0.9, -0.2, 0.3, 0.6, 1.3, 0.5, 0.5, 0.5, 0.5).reshape(3, 4)
for _m in ("bilinear", "nearest"):
    case(f"CropAndResize/{_m}", "CropAndResize", [_IMG, _CB, i32(0, 1, 1), i32(4, 3)],
         f"(x, b, i) => tf.image.cropAndResize(x, b, i, [4, 3], '{_m}', -7)", method=_m,
         extrapolation_value=-7.0)
for _interp in ("nearest", "bilinear"):
    for _fill in ("constant", "reflect", "wrap", "nearest"):
        case(f"ImageProjectiveTransformV3/{_interp}/{_fill}", "ImageProjectiveTransformV3",
             [_IMG1, f32(0.9, 0.2, 1.5, -0.3, 1.1, -0.8, 0.01, 0.02).reshape(1, 8),
              i32(6, 5), f32(0.5)],
             f"(x, t) => tf.image.transform(x, t, '{_interp}', '{_fill}', 0.5, [6, 5])",
             interpolation=_interp.upper(), fill_mode=_fill.upper())

# ---------------------------------------------------------------------------------------------- logical
for _op, _fn in (("Equal", "equal"), ("NotEqual", "notEqual"), ("Greater", "greater"),
                 ("GreaterEqual", "greaterEqual"), ("Less", "less"), ("LessEqual", "lessEqual")):
    case(f"{_op}/int-broadcast", _op, [ri(3, 4, lo=-2, hi=3), ri(4, lo=-2, hi=3)], f"(a, b) => tf.{_fn}(a, b)")
    case(f"{_op}/float", _op, [np.round(r(5), 0), np.round(r(5), 0)], f"(a, b) => tf.{_fn}(a, b)")
case("LogicalAnd", "LogicalAnd", [rb(3, 4), rb(4)], "(a, b) => tf.logicalAnd(a, b)")
case("LogicalOr", "LogicalOr", [rb(3, 4), rb(3, 4)], "(a, b) => tf.logicalOr(a, b)")
case("LogicalNot", "LogicalNot", [rb(5)], "(a) => tf.logicalNot(a)")
case("Select/rank1-cond", "Select", [rb(3), r(3, 4), r(3, 4)], "(c, a, b) => tf.where(c.reshape([3, 1]), a, b)")
case("SelectV2/broadcast", "SelectV2", [rb(1, 4), r(3, 4), r(3, 1)], "(c, a, b) => tf.where(c, a, b)")
case("SelectV2/int", "SelectV2", [rb(3, 4), ri(3, 4), ri(3, 4)], "(c, a, b) => tf.where(c, a, b)")
case("BitwiseAnd", "BitwiseAnd", [ri(6, lo=0, hi=64), ri(6, lo=0, hi=64)], "(a, b) => tf.bitwiseAnd(a, b)")

# ---------------------------------------------------------------------------------------------- matrices
for _ta, _tb in ((False, False), (True, False), (False, True), (True, True)):
    a = r(4, 3) if _ta else r(3, 4)
    b = r(5, 4) if _tb else r(4, 5)
    case(f"MatMul/ta{int(_ta)}tb{int(_tb)}", "MatMul", [a, b],
         f"(a, b) => tf.matMul(a, b, {str(_ta).lower()}, {str(_tb).lower()})", transpose_a=_ta, transpose_b=_tb)
case("BatchMatMulV2/broadcast", "BatchMatMulV2", [r(2, 3, 4), r(1, 4, 2)], "(a, b) => tf.matMul(a, b)")
case("BatchMatMul/adj", "BatchMatMul", [r(2, 4, 3), r(2, 5, 4)], "(a, b) => tf.matMul(a, b, true, true)",
     adj_x=True, adj_y=True)
case("_FusedMatMul/BiasAdd+Relu", "_FusedMatMul", [r(3, 4), r(4, 5), r(5)],
     "(a, b, c) => tf.fused.matMul({a, b, bias: c, activation: 'relu'})", fused_ops=["BiasAdd", "Relu"], num_args=1)
case("_FusedMatMul/tb+BiasAdd+LeakyRelu", "_FusedMatMul", [r(3, 4), r(5, 4), r(5)],
     "(a, b, c) => tf.fused.matMul({a, b, transposeB: true, bias: c, activation: 'leakyrelu', leakyreluAlpha: 0.2})",
     fused_ops=["BiasAdd", "LeakyRelu"], num_args=1, transpose_b=True, leakyrelu_alpha=0.2)
case("Transpose", "Transpose", [r(2, 3, 4), i32(2, 0, 1)], "(x) => tf.transpose(x, [2, 0, 1])")
case("Einsum/matmul", "Einsum", [r(3, 4), r(4, 2)], "(a, b) => tf.einsum('ij,jk->ik', a, b)", equation="ij,jk->ik", N=2)
case("Einsum/batch", "Einsum", [r(2, 3, 4), r(2, 4, 5)], "(a, b) => tf.einsum('bij,bjk->bik', a, b)",
     equation="bij,bjk->bik", N=2)
case("MatrixBandPart", "MatrixBandPart", [r(2, 4, 5), i32(1), i32(-1)], "(x) => tf.linalg.bandPart(x, 1, -1)")
case("MatrixBandPart/0-2", "MatrixBandPart", [r(4, 4), i32(0), i32(2)], "(x) => tf.linalg.bandPart(x, 0, 2)")

# ---------------------------------------------------------------------------------------------- normalization
case("FusedBatchNormV3", "FusedBatchNormV3", [r(2, 3, 3, 4), r(4), r(4), r(4), r(4, lo=0.5, hi=2)],
     "(x, s, o, m, v) => tf.batchNorm(x, m, v, o, s, 0.001)", epsilon=0.001)
case("FusedBatchNorm", "FusedBatchNorm", [r(2, 4), r(4), r(4), r(4), r(4, lo=0.5, hi=2)],
     "(x, s, o, m, v) => tf.batchNorm(x, m, v, o, s, 0.01)", epsilon=0.01)
case("LRN", "LRN", [r(1, 3, 3, 8)], "(x) => tf.localResponseNormalization(x, 2, 1.5, 0.3, 0.75)",
     depth_radius=2, bias=1.5, alpha=0.3, beta=0.75)
case("Softmax", "Softmax", [r(3, 7, lo=-5, hi=5)], "(x) => tf.softmax(x)")
case("LogSoftmax", "LogSoftmax", [r(3, 7, lo=-5, hi=5)], "(x) => tf.logSoftmax(x)")
case("EuclideanNorm", "EuclideanNorm", [r(3, 4, 5), i32(0, -1)], "(x) => tf.euclideanNorm(x, [0, -1], true)",
     keep_dims=True)

# ---------------------------------------------------------------------------------------------- reduction
for _op, _fn in (("Sum", "sum"), ("Max", "max"), ("Min", "min"), ("Mean", "mean"), ("Prod", "prod")):
    case(f"{_op}/axis-neg-keep", _op, [r(2, 3, 4, lo=0.5, hi=1.5), i32(-1, 0)], f"(x) => tf.{_fn}(x, [-1, 0], true)",
         keep_dims=True)
    case(f"{_op}/scalar-axis", _op, [r(2, 3, 4, lo=0.5, hi=1.5), i32(1)], f"(x) => tf.{_fn}(x, 1)")
case("Sum/int32", "Sum", [ri(3, 4), i32(1)], "(x) => tf.sum(x, 1)")
case("Max/int32", "Max", [ri(3, 4), i32(0)], "(x) => tf.max(x, 0)")
case("All", "All", [rb(3, 4), i32(1)], "(x) => tf.all(x, 1)")
case("Any/keep", "Any", [rb(3, 4), i32(0)], "(x) => tf.any(x, 0, true)", keep_dims=True)
case("ArgMax", "ArgMax", [r(3, 5), i32(1)], "(x) => tf.argMax(x, 1)")
case("ArgMin/neg", "ArgMin", [r(3, 5, 2), i32(-2)], "(x) => tf.argMin(x, -2)")
for _ex in (False, True):
    for _rev in (False, True):
        case(f"Cumsum/ex{int(_ex)}rev{int(_rev)}", "Cumsum", [r(3, 4), i32(1)],
             f"(x) => tf.cumsum(x, 1, {str(_ex).lower()}, {str(_rev).lower()})", exclusive=_ex, reverse=_rev)
        case(f"Cumprod/ex{int(_ex)}rev{int(_rev)}", "Cumprod", [r(3, 4, lo=0.5, hi=1.5), i32(0)],
             f"(x) => tf.cumprod(x, 0, {str(_ex).lower()}, {str(_rev).lower()})", exclusive=_ex, reverse=_rev)
case("Bincount", "Bincount", [i32(1, 2, 2, 5, 0, 1, 7), i32(6), r(7, lo=0, hi=1)],
     "(x, s, w) => tf.bincount(x, w, 6)")
case("DenseBincount/binary", "DenseBincount", [i32(1, 2, 2, 5, 0, 1, 3, 3).reshape(2, 4), i32(5), f32()],
     "(x, s, w) => tf.denseBincount(x, tf.tensor1d([], 'float32'), 5, true)", binary_output=True)

# ---------------------------------------------------------------------------------------------- slice_join
case("ConcatV2/neg-axis", "ConcatV2", [r(2, 3), r(2, 1), i32(-1)], "(a, b) => tf.concat([a, b], -1)", N=2)
case("Concat/axis0", "Concat", [i32(0), ri(2, 3), ri(1, 3)], "(ax, a, b) => tf.concat([a, b], 0)", N=2)
case("GatherV2/axis1", "GatherV2", [r(3, 5, 2), i32(4, 0, 2, 2), i32(1)], "(x, i) => tf.gather(x, i, 1)")
case("GatherV2/batch_dims", "GatherV2", [r(2, 4, 3), i32(0, 3, 1, 2, 2, 0).reshape(2, 3), i32(1)],
     "(x, i) => tf.gather(x, i, 1, 1)", batch_dims=1)
case("GatherV2/neg-axis", "GatherV2", [ri(3, 4), i32(1, 1, 0).reshape(3, 1), i32(-1)], "(x, i) => tf.gather(x, i, -1)")
case("Gather", "Gather", [r(4, 2), i32(3, 0)], "(x, i) => tf.gather(x, i)")
case("ReverseV2", "ReverseV2", [r(2, 3, 4), i32(0, -1)], "(x) => tf.reverse(x, [0, -1])")
case("Slice", "Slice", [r(4, 5, 3), i32(1, 0, 1), i32(2, -1, 2)], "(x) => tf.slice(x, [1, 0, 1], [2, -1, 2])")
_SS = r(5, 6, 7)
for _cid, (_b, _e, _s, _masks) in {
        "basic": ([1, 0, 2], [4, 5, 7], [1, 2, 2], {}),
        "negative-strides": ([-1, 5, -2], [0, 0, 0], [-1, -2, -1], {}),
        "begin_end_mask": ([3, 1, 1], [1, 4, 5], [1, 1, 2], {"begin_mask": 5, "end_mask": 2}),
        "shrink": ([2, 1, 0], [3, 2, 7], [1, 1, 1], {"shrink_axis_mask": 3}),
        "new_axis": ([0, 1, 0], [0, 3, 7], [1, 1, 2], {"new_axis_mask": 1}),
        "ellipsis": ([0, 1], [0, 3], [1, 1], {"ellipsis_mask": 1}),
        "ellipsis+shrink+new": ([0, 2, 0], [0, 3, 0], [1, 1, 1],
                                {"ellipsis_mask": 1, "shrink_axis_mask": 2, "new_axis_mask": 4}),
        "clamp": ([-10, 2, 3], [10, 100, -100], [1, 1, -1], {}),
        "neg-begin-end": ([-3, -5, -1], [-1, -2, -8], [1, 2, -3], {}),
}.items():
    m = {k: _masks.get(k, 0) for k in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                                       "shrink_axis_mask")}
    case(f"StridedSlice/{_cid}", "StridedSlice", [_SS, i32(*_b), i32(*_e), i32(*_s)],
         f"(x) => tf.stridedSlice(x, {_b}, {_e}, {_s}, {m['begin_mask']}, {m['end_mask']}, {m['ellipsis_mask']}, "
         f"{m['new_axis_mask']}, {m['shrink_axis_mask']})", **m)
case("Pack/axis1", "Pack", [r(2, 3), r(2, 3), r(2, 3)], "(a, b, c) => tf.stack([a, b, c], 1)", axis=1, N=3)
case("Pack/neg-axis", "Pack", [ri(2, 3), ri(2, 3)], "(a, b) => tf.stack([a, b], -1)", axis=-1, N=2)
case("Unpack/axis1", "Unpack", [r(2, 3, 4)], "(x) => tf.unstack(x, 1)", outs=(0, 1, 2), axis=1, num=3)
case("Tile", "Tile", [r(2, 3), i32(2, 3)], "(x) => tf.tile(x, [2, 3])")
case("Split", "Split", [i32(1), r(2, 6)], "(a, x) => tf.split(x, 3, 1)", outs=(0, 1, 2), num_split=3)
case("SplitV/-1", "SplitV", [r(7, 2), i32(2, -1, 1), i32(0)], "(x) => tf.split(x, [2, -1, 1], 0)",
     outs=(0, 1, 2), num_split=3)
case("ScatterNd/dup", "ScatterNd", [i32(0, 2, 0).reshape(3, 1), r(3, 4), i32(4, 4)],
     "(i, u) => tf.scatterND(i, u, [4, 4])")
case("GatherNd", "GatherNd", [r(3, 4, 2), i32(0, 1, 2, 3, 1, 0).reshape(3, 2)], "(x, i) => tf.gatherND(x, i)")
case("GatherNd/full", "GatherNd", [ri(3, 4), i32(2, 3, 0, 0).reshape(2, 2)], "(x, i) => tf.gatherND(x, i)")
case("SparseToDense", "SparseToDense", [i32(0, 1, 2, 3, 1, 0).reshape(3, 2), i32(3, 4), r(3), f32(-1)],
     "(i, s, v) => tf.sparseToDense(i, v, [3, 4], -1)")
case("TensorScatterUpdate", "TensorScatterUpdate", [r(4, 3), i32(1, 3).reshape(2, 1), r(2, 3)],
     "(t, i, u) => tf.tensorScatterUpdate(t, i, u)")

# ---------------------------------------------------------------------------------------------- spectral
case("RFFT", "RFFT", [r(2, 8), i32(8)], "(x) => tf.spectral.rfft(x)")
case("RFFT/odd", "RFFT", [r(3, 5), i32(5)], "(x) => tf.spectral.rfft(x)")
case("FFT", "FFT", [r(2, 6), r(2, 6)], "(re, im) => tf.spectral.fft(tf.complex(re, im))", pre="Complex")
case("IFFT", "IFFT", [r(2, 6), r(2, 6)], "(re, im) => tf.spectral.ifft(tf.complex(re, im))", pre="Complex")
case("IRFFT", "IRFFT", [r(2, 5), r(2, 5)], "(re, im) => tf.spectral.irfft(tf.complex(re, im))", pre="Complex")
case("Complex+ComplexAbs", "ComplexAbs", [r(4), r(4)], "(re, im) => tf.abs(tf.complex(re, im))", pre="Complex")
case("Complex+Imag", "Imag", [r(4), r(4)], "(re, im) => tf.imag(tf.complex(re, im))", pre="Complex")

# ---------------------------------------------------------------------------------------------- transformation
case("Cast/float-int", "Cast", [f32(-2.7, -0.5, 0.5, 2.7, 3.0)], "(x) => tf.cast(x, 'int32')", DstT=gb.dtype(I))
case("Cast/int-bool", "Cast", [i32(0, 3, -1)], "(x) => tf.cast(x, 'bool')", DstT=gb.dtype(B))
case("Cast/bool-float", "Cast", [rb(4)], "(x) => tf.cast(x, 'float32')", DstT=gb.dtype(F))
case("ExpandDims/neg", "ExpandDims", [r(2, 3), i32(-1)], "(x) => tf.expandDims(x, -1)")
for _mode in ("REFLECT", "SYMMETRIC"):
    case(f"MirrorPad/{_mode}", "MirrorPad", [r(3, 4), i32(1, 2, 2, 0).reshape(2, 2)],
         f"(x) => tf.mirrorPad(x, [[1, 2], [2, 0]], '{_mode.lower()}')", mode=_mode)
case("Pad", "Pad", [r(2, 3), i32(1, 0, 2, 1).reshape(2, 2)], "(x) => tf.pad(x, [[1, 0], [2, 1]])")
case("PadV2/int", "PadV2", [ri(2, 3), i32(0, 1, 1, 1).reshape(2, 2), i32(9)], "(x) => tf.pad(x, [[0, 1], [1, 1]], 9)")
case("Reshape/-1", "Reshape", [r(2, 3, 4), i32(4, -1)], "(x) => tf.reshape(x, [4, -1])")
case("Squeeze/dims", "Squeeze", [r(1, 3, 1, 2)], "(x) => tf.squeeze(x, [2])", squeeze_dims=[2])
case("Squeeze/all", "Squeeze", [r(1, 3, 1, 2)], "(x) => tf.squeeze(x)", squeeze_dims=[])
case("SpaceToBatchND", "SpaceToBatchND", [r(2, 4, 5, 3), i32(2, 3), i32(0, 0, 1, 0).reshape(2, 2)],
     "(x) => tf.spaceToBatchND(x, [2, 3], [[0, 0], [1, 0]])")
case("BatchToSpaceND", "BatchToSpaceND", [r(12, 2, 2, 3), i32(2, 3), i32(0, 1, 1, 0).reshape(2, 2)],
     "(x) => tf.batchToSpaceND(x, [2, 3], [[0, 1], [1, 0]])")
case("DepthToSpace", "DepthToSpace", [r(2, 2, 3, 8)], "(x) => tf.depthToSpace(x, 2, 'NHWC')", block_size=2,
     data_format="NHWC")
case("BroadcastTo", "BroadcastTo", [r(3, 1), i32(2, 3, 4)], "(x) => tf.broadcastTo(x, [2, 3, 4])")
case("BroadcastArgs", "BroadcastArgs", [i32(3, 1), i32(2, 1, 4)], "(a, b) => tf.broadcastArgs(a, b)")


# ---------------------------------------------------------------------------------------------- graph
# TF.js runs these as the same graph model (loadGraphModel + executeAsync): what is checked is how TF.js's
# converter executes the node (its attrs, its inputs, the dtype it gives the result), not an op function.
_STR = strs("a", "", "héllo", "\x00z", "tf.js", "Ω", shape=(2, 3))
for _cid, _x in (("float", r(2, 3, 4)), ("int32", ri(5)), ("bool", rb(2, 2)), ("string", _STR),
                 ("scalar", f32(2.5).reshape(()))):
    case(f"Identity/{_cid}", "Identity", [_x], GRAPH)
    case(f"Shape/{_cid}", "Shape", [_x], GRAPH)
    case(f"Rank/{_cid}", "Rank", [_x], GRAPH)
    case(f"Size/{_cid}", "Size", [_x], GRAPH)
case("IdentityN/mixed", "IdentityN", [r(2, 3), ri(4), _STR, rb(3)], GRAPH, outs=(0, 1, 2, 3),
     T=[gb.dtype(F), gb.dtype(I), gb.dtype(S), gb.dtype(B)])
# TF.js's converter makes ShapeN's outputs with tensor1d(shape) and no dtype: float32 there; TF's out_type
# (int32) here. The values are compared exactly; the dtype is this one known divergence.
case("ShapeN", "ShapeN", [r(2, 3, 4), ri(5), _STR], GRAPH, outs=(0, 1, 2), dtype_exceptions=(0, 1, 2), N=3)
case("Snapshot", "Snapshot", [r(3, 2)], GRAPH)
case("Snapshot/string", "Snapshot", [_STR], GRAPH)
case("StopGradient", "StopGradient", [r(4)], GRAPH)
case("PlaceholderWithDefault/default", "PlaceholderWithDefault", [r(2, 3)], GRAPH, consts=[0], unfed=(0,),
     dtype=gb.dtype(F), shape=gb.shape([2, 3]))
case("PlaceholderWithDefault/fed", "PlaceholderWithDefault", [r(2, 3)], GRAPH, consts=[0], unfed=(0,),
     feed_op=r(2, 3), dtype=gb.dtype(F), shape=gb.shape([2, 3]))
case("PlaceholderWithDefault/int-default", "PlaceholderWithDefault", [ri(4)], GRAPH, consts=[0], unfed=(0,),
     dtype=gb.dtype(I), shape=gb.shape([4]))
case("FakeQuantWithMinMaxVars", "FakeQuantWithMinMaxVars", [r(3, 4), f32(-1.0), f32(1.5)], GRAPH, consts=[1, 2],
     num_bits=8, narrow_range=False)
# TF.js's op list reads EnsureShape's shape from a second input (TF has it as an attr; both work here)
case("EnsureShape", "EnsureShape", [r(2, 3, 4), i32(2, 3, 4)], GRAPH, consts=[1])
case("EnsureShape/string", "EnsureShape", [_STR, i32(2, 3)], GRAPH, consts=[1])
case("FusedBatchNormV2", "FusedBatchNormV2", [r(2, 3, 3, 4), r(4), r(4), r(4), r(4, lo=0.5, hi=2)], GRAPH,
     epsilon=0.001, data_format="NHWC", is_training=False)
case("FusedBatchNormV3/graph", "FusedBatchNormV3", [r(1, 2, 5, 3), r(3), r(3), r(3), r(3, lo=0.5, hi=2)], GRAPH,
     epsilon=0.01, data_format="NHWC", is_training=False)
case("Reverse/dims", "Reverse", [r(2, 3, 4), np.asarray([True, False, True])], GRAPH)
case("Reverse/none", "Reverse", [ri(2, 3), np.asarray([False, False])], GRAPH)
case("DepthwiseConv2d/SAME/s2", "DepthwiseConv2d", [_X, _DW], GRAPH, strides=[1, 2, 2, 1], padding="SAME",
     dilations=[1, 1, 1, 1], data_format="NHWC")
case("DepthwiseConv2d/VALID", "DepthwiseConv2d", [_X, _DW], GRAPH, strides=[1, 1, 1, 1], padding="VALID",
     dilations=[1, 1, 1, 1], data_format="NHWC")
case("DepthwiseConv2dNative/graph", "DepthwiseConv2dNative", [_X, _DW], GRAPH, strides=[1, 1, 1, 1],
     padding="SAME", dilations=[1, 2, 2, 1], data_format="NHWC")
case("Complex+Real", "Real", [r(5), r(5)], GRAPH, pre="Complex")
case("Complex+Real/fn", "Real", [r(2, 3), r(2, 3)], "(re, im) => tf.real(tf.complex(re, im))", pre="Complex")
case("Complex+Imag/graph", "Imag", [r(4), r(4)], GRAPH, pre="Complex")
for _op in ("Ones", "Zeros"):  # TF.js's own ops; their dtype attr is T
    case(f"{_op}/float", _op, [i32(2, 3)], GRAPH, T=gb.dtype(F))
    case(f"{_op}/int32", _op, [i32(4)], GRAPH, T=gb.dtype(I))
    case(f"{_op}/bool", _op, [i32(2, 1)], GRAPH, T=gb.dtype(B))
    case(f"{_op}/no-T", _op, [i32(3)], GRAPH, dtype=gb.dtype(I))  # an attr TF.js does not read: float32
case("Fill/graph", "Fill", [i32(2, 2), f32(-0.5)], GRAPH)
case("Cast/graph-int-float", "Cast", [ri(5)], GRAPH, SrcT=gb.dtype(I), DstT=gb.dtype(F))

# ---------------------------------------------------------------------------------------------- strings
# Ops on string tensors: TF.js returns each element's bytes and they must equal ours exactly.
case("Reshape/string", "Reshape", [_STR, i32(3, -1)], GRAPH)
case("ExpandDims/string", "ExpandDims", [_STR, i32(-1)], GRAPH)
case("Squeeze/string", "Squeeze", [_STR.reshape(2, 1, 3)], GRAPH, squeeze_dims=[1])
case("ConcatV2/string", "ConcatV2", [_STR, strs("x", "yy", "", shape=(1, 3)), i32(0)], GRAPH, N=2)
case("Pack/string", "Pack", [strs("a", "b"), strs("c", "d"), strs("e", "")], GRAPH, axis=1, N=3)
case("Fill/string", "Fill", [i32(2, 2), strs("fill me", shape=())], GRAPH)
case("Tile/string", "Tile", [_STR, i32(2, 1)], GRAPH)
case("Slice/string", "Slice", [_STR, i32(0, 1), i32(2, 2)], GRAPH)
case("StridedSlice/string", "StridedSlice", [_STR, i32(0, 0), i32(2, 3), i32(1, 2)], GRAPH, begin_mask=0,
     end_mask=0, ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0)
case("Unpack/string", "Unpack", [_STR], GRAPH, outs=(0, 1), axis=0, num=2)
# (TF.js's Gather, Transpose, Reverse and Select refuse string tensors, and its StridedSlice with a shrink mask
# reads out of range on them: no reference to compare with.)


# ---------------------------------------------------------------------------------------------- running
def dtype_name(arr):
    return {"f": F, "i": I, "u": I, "b": B, "O": S, "S": S, "U": S, "c": "complex64"}[np.asarray(arr).dtype.kind]


def _bytes_of(value):
    return list(value.encode("utf-8") if isinstance(value, str) else bytes(value))


def js_input(x):
    """An array as makeTensor() in graph_ops.js takes it: flat data (strings: each element's bytes)."""
    x = np.asarray(x)
    data = x.reshape(-1).tolist()
    dt = dtype_name(x)
    if dt == S:
        data = [_bytes_of(v) for v in data]
    elif x.dtype.kind == "f":
        data = [float(v) for v in data]
    else:
        data = [int(v) for v in data]
    return {"data": data, "shape": list(x.shape), "dtype": dt}


def consts_to_weights(topology, initializer=None):
    """Move every inline Const value (main graph, function bodies, initializer) into weights, as the converter
    writes them: TF.js reads a Const's value from the weights only. Returns (topology, initializer, weights)."""
    import copy

    from tfjs.graph.attrs import parse_attrs

    topology, initializer = copy.deepcopy(topology), copy.deepcopy(initializer)
    weights = {}

    def move(nodes):
        for n in nodes:
            if n["op"] == "Const" and "value" in n.get("attr", {}):
                assert n["name"] not in weights, f"Const names must be unique across graphs: {n['name']}"
                weights[n["name"]] = parse_attrs({"value": n["attr"].pop("value")})["value"]

    move(topology.get("node", []))
    for fn in topology.get("library", {}).get("function", []):
        move(fn.get("nodeDef", []))
    if initializer is not None:
        move(initializer.get("node", []))
    return topology, initializer, weights


def graph_artifacts(topology, initializer=None, **fields):
    """The artifacts of a small graph model (Consts as weights), the same for us and for TF.js."""
    from tfjs import io

    topology, initializer, weights = consts_to_weights(topology, initializer)
    data, specs = io.encode_weights(weights)
    return io.ModelArtifacts(model_topology=topology, weight_specs=specs, weight_data=data, format="graph-model",
                             model_initializer=initializer, **fields)


def artifacts_payload(artifacts, runs):
    """What graphOps.runGraphs takes for one model: its model.json fields, its weights in base64, and runs
    ``[(inputs {name: array}, output names)]``."""
    from tfjs.io.model_json import to_camel_dict

    fields = to_camel_dict(artifacts.replace(weight_data=None))
    fields.pop("weightData", None)
    data = artifacts.weight_data or b""
    return {"artifacts": fields, "weightData": base64.b64encode(bytes(data)).decode("ascii"),
            "runs": [{"inputs": {k: js_input(v) for k, v in ins.items()}, "outputs": list(outs)}
                     for ins, outs in runs]}


def _flat(arr):
    arr = np.asarray(arr)
    if arr.dtype.kind == "c":
        return arr.astype(np.complex64).view(np.float32).reshape(-1).astype(np.float64), list(arr.shape)
    if arr.dtype.kind in "OSU":
        return [_bytes_of(v) for v in arr.reshape(-1).tolist()], list(arr.shape)
    return arr.reshape(-1).astype(np.float64), list(arr.shape)


def assert_outputs_match(cid, ours, want_outputs, tol=1e-5, dtype_exceptions=()):
    """Our outputs against TF.js's: same count, shapes and dtypes; floats within ``tol`` (relative above 1),
    int32, bool and string exactly. ``dtype_exceptions``: output indices whose dtype is a known TF.js
    divergence (values are still compared, exactly)."""
    assert len(want_outputs) == len(ours), f"{cid}: {len(ours)} outputs here, {len(want_outputs)} in TF.js"
    for k, (got, want) in enumerate(zip(ours, want_outputs)):
        values, shape = _flat(got)
        assert shape == list(want["shape"]), f"{cid} output {k}: shape {shape} here, {want['shape']} in TF.js"
        dtype = dtype_name(got)
        if k not in dtype_exceptions:
            assert dtype == want["dtype"], f"{cid} output {k}: dtype {dtype} here, {want['dtype']} in TF.js"
        if dtype == S:
            assert values == want["data"], f"{cid} output {k}: {values[:6]} vs {want['data'][:6]}"
            continue
        expected = np.asarray(want["data"], np.float64)
        if dtype in (I, B) or want["dtype"] in (I, B):
            assert values.tolist() == expected.tolist(), f"{cid} output {k}: {values[:8]} vs {expected[:8]}"
        else:
            assert np.array_equal(np.isnan(values), np.isnan(expected)), f"{cid} output {k}: NaN positions"
            ok = ~np.isnan(values)
            diff = np.abs(values[ok] - expected[ok])
            bound = tol * np.maximum(1.0, np.abs(expected[ok]))
            assert np.all(diff <= bound), \
                f"{cid} output {k}: max diff {diff.max():.3g} (values {values[:6]} vs {expected[:6]})"


def case_topology(spec):
    """The one-node graph of a case: Placeholders in0, in1, ... (or Consts for ``consts`` indices), the op."""
    ins = spec["inputs"]
    attrs = dict(spec["attrs"])
    pre = attrs.pop("pre", None)
    const_inputs = set(attrs.pop("consts", ()))
    nodes = [gb.const(f"in{k}", x) if k in const_inputs else gb.placeholder(f"in{k}", dtype_name(x), list(x.shape))
             for k, x in enumerate(ins)]
    names = [f"in{k}" for k in range(len(ins))]
    if pre == "Complex":
        nodes.append(gb.node("c", "Complex", names[:2]))
        names = ["c"] + names[2:]
    nodes.append(gb.node("op", spec["op"], names, **attrs))
    feeds = {f"in{k}": x for k, x in enumerate(ins) if k not in const_inputs and k not in spec["unfed"]}
    if spec["feed_op"] is not None:
        feeds["op"] = spec["feed_op"]
    return gb.graph_def(nodes), feeds


def run_ours(spec):
    from tfjs.graph.model import graph_model_from_artifacts

    topology, feeds = case_topology(spec)
    model = graph_model_from_artifacts(graph_artifacts(topology))
    out = model.execute(feeds, [f"op:{i}" for i in spec["outs"]])
    return out if isinstance(out, list) and len(spec["outs"]) > 1 else [out]


@pytest.fixture(scope="module")
def reference(app_page):
    add_reference_tfjs(app_page)
    app_page.add_script_tag(path=str(HERE / "js" / "graph_ops.js"))
    fn_ids = [c for c in CASES if CASES[c]["js"] != GRAPH]
    payload = [{"js": CASES[c]["js"], "inputs": [js_input(x) for x in CASES[c]["inputs"]]} for c in fn_ids]
    results = dict(zip(fn_ids, app_page.evaluate("(cases) => graphOps.runCases(cases)", payload)))
    graph_ids = [c for c in CASES if CASES[c]["js"] == GRAPH]
    graphs = []
    for c in graph_ids:
        topology, feeds = case_topology(CASES[c])
        graphs.append(artifacts_payload(graph_artifacts(topology), [(feeds, [f"op:{i}" for i in CASES[c]["outs"]])]))
    for c, res in zip(graph_ids, app_page.evaluate("(cases) => graphOps.runGraphs(cases)", graphs)):
        results[c] = res["runs"][0] if res["ok"] else res
    return results


@pytest.mark.parametrize("cid", [pytest.param(c, marks=CASES[c]["marks"]) for c in CASES])
def test_op_matches_tfjs(reference, cid):
    spec = CASES[cid]
    ref = reference[cid]
    assert ref["ok"], f"TF.js failed on {cid}: {ref.get('error')}"
    ours = run_ours(spec)
    want_outputs = ref["outputs"][:len(ours)] if len(ref["outputs"]) >= len(ours) else ref["outputs"]
    assert_outputs_match(cid, ours, want_outputs, spec["tol"], spec["dtype_exceptions"])
