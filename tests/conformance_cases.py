"""The conformance suite's cases: for each op and shape class, inputs and attributes to run a backend's kernel
on, to be held against the cpu kernel (numpy, the reference).

numpy alone: the browser tests run this file's source in the page. ``cases(op, shape_class)`` returns a list
of (inputs, attrs); ``classes(op)`` the shape classes the table has cases for; ``check(backend, cpu, op,
shape_class)`` runs them and says what differs (or nothing).

Shape classes (tfjs.backends.registry.SHAPE_CLASSES): scalar (rank 0), vector (rank 1), matrix (rank 2),
rank3, image (N, H, W, C) with few channels, image_c4 (C a multiple of 4, at least 16: webgl's pixel-per-row
layout), broadcast (inputs of different shapes), large (more than 16384 values: several texture rows), volume
(N, D, H, W, C).

Ops that draw random samples (``SAMPLED``) are held to what a sampler must give rather than to the cpu kernel's
draws: the cpu kernel's shape and dtype, the same samples again for the same seed, only classes of positive
probability, and class frequencies a chi-square test accepts.
"""

from __future__ import annotations

import zlib

import numpy as np

from tfjs.backends import registry

UNARY = ["Abs", "Ceil", "Cos", "Erf", "Exp", "Expm1", "Floor", "Log1p", "Neg", "Relu", "Relu6", "Round", "Selu",
         "Sigmoid", "Sign", "Sin", "Softplus", "Square", "Tanh"]
UNARY_POSITIVE = ["Log", "Sqrt", "Rsqrt", "Reciprocal"]
BINARY = ["Add", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "SquaredDifference"]
REDUCE = ["Sum", "Mean", "Max", "Min"]
# unary ops on their domains: op -> (lo, hi)
UNARY_DOMAIN = {"Tan": (-1.3, 1.3), "Asin": (-1.0, 1.0), "Acos": (-1.0, 1.0), "Atan": (-6.0, 6.0),
                "Sinh": (-4.0, 4.0), "Cosh": (-4.0, 4.0), "Asinh": (-6.0, 6.0), "Acosh": (1.0, 6.0),
                "Atanh": (-0.95, 0.95)}
COMPARE = ["Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual"]


class _Gen:
    def __init__(self, op: str, shape_class: str):
        self.rng = np.random.default_rng(zlib.crc32(f"{op}/{shape_class}".encode()))

    def __call__(self, *shape, lo=-1.0, hi=1.0):
        return self.rng.uniform(lo, hi, shape).astype(np.float32)


def _unary(R, shape_class, lo=-4.0, hi=4.0):
    shapes = {"matrix": (7, 9), "rank3": (3, 5, 7), "image": (2, 5, 4, 3), "image_c4": (1, 4, 5, 16),
              "large": (3, 41, 37, 5)}
    return [([R(*shapes[shape_class], lo=lo, hi=hi)], {})]


def _binary(R, shape_class, op):
    lo = 0.5 if op == "RealDiv" else -1.0
    if shape_class == "matrix":
        return [([R(6, 9), R(6, 9, lo=0.5, hi=2)], {})]
    if shape_class == "image_c4":
        return [([R(1, 4, 5, 16), R(16, lo=0.5, hi=2)], {}), ([R(1, 4, 5, 16), R(1, 4, 5, 16, lo=0.5, hi=2)], {})]
    if shape_class == "broadcast":
        return [([R(2, 3, 4, 8), R(8, lo=0.5, hi=2)], {}), ([R(5, lo=0.5, hi=2), R(3, 5)], {}),
                ([R(2, 1, 4, 1), R(1, 3, 1, 5, lo=0.5, hi=2)], {})]
    if shape_class == "large":
        big = R(2, 40, 41, 9, lo=lo)
        return [([big, R(9, lo=0.5, hi=2)], {}), ([big, R(2, 40, 41, 9, lo=0.5, hi=2)], {})]
    raise KeyError(shape_class)


def _table():
    t: dict[str, dict[str, object]] = {}

    def add(op, shape_class, fn):
        t.setdefault(op, {})[shape_class] = fn

    for op in UNARY:
        lo = -0.9 if op == "Log1p" else -4.0
        for sc in ("matrix", "rank3", "image", "image_c4", "large"):
            add(op, sc, lambda R, sc=sc, lo=lo: _unary(R, sc, lo))
    for op in UNARY_POSITIVE:
        for sc in ("matrix", "rank3", "image", "image_c4", "large"):
            add(op, sc, lambda R, sc=sc: _unary(R, sc, 0.1, 4.0))
    for op, (lo, hi) in UNARY_DOMAIN.items():
        for sc in ("matrix", "rank3", "image", "image_c4", "large"):
            add(op, sc, lambda R, sc=sc, lo=lo, hi=hi: _unary(R, sc, lo, hi))
    for op in ("IsNan", "IsInf", "IsFinite"):
        for sc in ("matrix", "image_c4", "large"):
            add(op, sc, lambda R, sc=sc: [([_specials(R, c[0][0])], {}) for c in _unary(R, sc)])
    for op in COMPARE:
        add(op, "matrix", lambda R: [([a, _ties(R, a)], {}) for a in [R(7, 9)]])
        add(op, "image_c4", lambda R: [([R(1, 4, 5, 16), R(16)], {}), ([R(1, 4, 5, 16), np.float32(0.25)], {})])
        add(op, "broadcast", lambda R: [([R(2, 1, 4, 1), R(1, 3, 1, 5)], {}),
                                        ([R(3, 5), np.arange(-2, 3, dtype=np.int32)], {})])
        add(op, "large", lambda R: [([a, _ties(R, a)], {}) for a in [R(2, 40, 41, 9)]])
    for op in ("LogicalAnd", "LogicalOr"):
        add(op, "matrix", lambda R: [([R(7, 9) > 0, R(7, 9) > 0.3], {})])
        add(op, "broadcast", lambda R: [([R(2, 3, 4, 8) > 0, R(8) > 0], {}), ([R(4, 1) > 0, R(1, 5) > 0], {})])
    add("LogicalNot", "matrix", lambda R: [([R(7, 9) > 0], {})])
    add("LogicalNot", "large", lambda R: [([R(2, 40, 41, 9) > 0], {})])
    add("Select", "matrix", lambda R: [([R(7, 9) > 0, R(7, 9), R(7, 9)], {})])
    add("Select", "broadcast", lambda R: [([R(3, 1, 5) > 0, R(3, 4, 5), np.float32(-1.0)], {}),
                                         ([R(4, 5) > 0, np.float32(7.0), R(5)], {})])
    add("Select", "large", lambda R: [([R(2, 40, 41, 9) > 0, R(2, 40, 41, 9), R(2, 40, 41, 9)], {})])
    for op, (lo, hi) in (("Cumsum", (-1.0, 1.0)), ("Cumprod", (0.8, 1.25))):
        add(op, "vector", lambda R, lo=lo, hi=hi: [([R(37, lo=lo, hi=hi), 0, ex, rev], {})
                                                   for ex in (False, True) for rev in (False, True)])
        add(op, "matrix", lambda R, lo=lo, hi=hi: [([R(6, 9, lo=lo, hi=hi), 1], {}),
                                                   ([R(6, 9, lo=lo, hi=hi), 0], {"exclusive": True}),
                                                   ([R(6, 9, lo=lo, hi=hi), -1], {"reverse": True})])
        add(op, "rank3", lambda R, lo=lo, hi=hi: [([R(4, 7, 5, lo=lo, hi=hi), 1, True, True], {}),
                                                  ([R(4, 7, 5, lo=lo, hi=hi), 0, False, True], {})])
        add(op, "large", lambda R, lo=lo, hi=hi: [([R(3, 50, 120, lo=lo, hi=hi), 2], {}),
                                                  ([R(3, 50, 120, lo=lo, hi=hi), 1, True, False], {})])
    add("OneHot", "vector", lambda R: [([np.arange(-3, 1200, dtype=np.int32) % 9 - 1, 5], {}),
                                       ([np.round(R(40, lo=-1, hi=6)), 6, 2.5, -1.0], {}),
                                       ([R(50, lo=-0.9, hi=5.5), 5], {})])
    add("OneHot", "matrix", lambda R: [([np.arange(-2, 2000, dtype=np.int32).reshape(2, -1) % 7, 6], {}),
                                       ([np.floor(R(3, 7, lo=-0.9, hi=4.9)), 4], {"on_value": 3.0,
                                                                                  "off_value": 0.5})])
    add("TensorScatterUpdate", "matrix", lambda R: [
        ([R(7, 5), np.array([[2], [0], [2], [6]], np.int32), R(4, 5)], {}),
        ([R(7, 5), np.array([[1, 3], [6, 0], [1, 3]], np.int32), R(3)], {})])
    add("TensorScatterUpdate", "rank3", lambda R: [([R(4, 3, 6), np.array([[3, 1], [0, 2]], np.int32), R(2, 6)], {})])
    add("ScatterNd", "matrix", lambda R: [
        ([np.array([[4], [0], [4], [2], [4]], np.int32), R(5, 6), [7, 6]], {}),
        ([np.array([[1, 3], [6, 0], [1, 3]], np.int32), R(3), [7, 5]], {})])
    add("ScatterNd", "rank3", lambda R: [([np.array([[[3, 1], [0, 2]], [[3, 1], [3, 1]]], np.int32), R(2, 2, 6),
                                           [4, 3, 6]], {})])
    add("LRN", "image", lambda R: [([R(2, 5, 4, 7)], {"depth_radius": 2, "bias": 1.0, "alpha": 0.5, "beta": 0.75}),
                                   ([R(1, 3, 3, 3, lo=-3, hi=3)], {})])
    add("LRN", "image_c4", lambda R: [([R(1, 4, 4, 16)], {"depth_radius": 5, "bias": 2.0, "alpha": 1e-1,
                                                          "beta": 0.5})])
    add("LRN", "large", lambda R: [([R(1, 40, 41, 12)], {"depth_radius": 1, "bias": 0.5, "alpha": 2.0,
                                                         "beta": 1.0})])
    def sorted_rows(R, *shape):
        seq = np.sort(R(*shape, lo=-3, hi=3), axis=-1)
        seq[..., 3:6] = seq[..., 3:4]  # repeated values: left and right differ there
        return seq
    add("SearchSorted", "vector", lambda R: [([s, np.concatenate([R(30, lo=-4, hi=4), s[::5]])], {"side": side})
                                             for s in [sorted_rows(R, 41)] for side in ("left", "right")])
    add("SearchSorted", "matrix", lambda R: [([s, np.concatenate([R(3, 9, lo=-4, hi=4), s[:, ::4]], axis=1)],
                                              {"side": side})
                                             for s in [sorted_rows(R, 3, 17)] for side in ("left", "right")])
    def with_ties(R, *shape):
        x = R(*shape)
        x[:, ::2, 1::3] = 0.75  # equal maxima in a window: the first one's position
        return x
    add("MaxPoolWithArgmax", "image", lambda R: [
        ([with_ties(R, 2, 9, 7, 3)], {"ksize": [3, 3], "strides": [2, 2], "pad": "same"}),
        ([with_ties(R, 2, 8, 8, 3)], {"ksize": [2, 2], "strides": [2, 2], "pad": "valid",
                                      "include_batch_in_index": True})])
    add("MaxPoolWithArgmax", "image_c4", lambda R: [([with_ties(R, 2, 6, 6, 16)], {"ksize": [3, 3],
                                                                                   "strides": [1, 1],
                                                                                   "pad": "same"})])
    add("Dilation2D", "image", lambda R: [([R(2, 9, 8, 3), R(3, 3, 3)], {"strides": [1, 1], "rates": [1, 1],
                                                                         "pad": "same"}),
                                          ([R(2, 9, 8, 3), R(2, 3, 3)], {"strides": [2, 1], "rates": [2, 2],
                                                                         "pad": "valid"})])
    add("Dilation2D", "image_c4", lambda R: [([R(1, 7, 6, 16), R(3, 2, 16)], {"strides": [1, 2], "rates": [1, 1],
                                                                              "pad": "same"})])
    add("Atan2", "matrix", lambda R: [([R(6, 9, lo=-3, hi=3), R(6, 9, lo=-3, hi=3)], {})])
    add("Atan2", "image_c4", lambda R: [([R(1, 4, 5, 16), R(16)], {})])
    add("Atan2", "broadcast", lambda R: [([R(5), R(3, 5)], {}), ([R(2, 1, 4, 1), R(1, 3, 1, 5)], {})])
    add("Atan2", "large", lambda R: [([R(2, 40, 41, 9), R(2, 40, 41, 9)], {})])
    add("FloorDiv", "matrix", lambda R: [([R(6, 9, lo=-9, hi=9), R(6, 9, lo=0.5, hi=3)], {}),
                                         ([np.arange(-27, 27, dtype=np.float32).reshape(6, 9),
                                           np.full((6, 9), 3, np.float32)], {})])
    add("FloorDiv", "broadcast", lambda R: [([R(3, 5, lo=-9, hi=9), np.float32(0.5)], {}),
                                            ([R(2, 1, 4, 1, lo=-9, hi=9), R(1, 3, 1, 5, lo=-3, hi=-1)], {})])
    add("FloorDiv", "image_c4", lambda R: [([R(1, 4, 5, 16, lo=-9, hi=9), R(16, lo=0.5, hi=3)], {})])
    add("FloorDiv", "large", lambda R: [([R(2, 40, 41, 9, lo=-90, hi=90), R(9, lo=0.5, hi=3)], {})])
    add("FloorMod", "matrix", lambda R: [([R(6, 9, lo=-9, hi=9), R(6, 9, lo=0.5, hi=3)], {}),
                                         ([R(6, 9, lo=-9, hi=9), R(6, 9, lo=-3, hi=-0.5)], {})])
    add("FloorMod", "image_c4", lambda R: [([R(1, 4, 5, 16, lo=-9, hi=9), R(16, lo=0.5, hi=3)], {})])
    add("FloorMod", "broadcast", lambda R: [([R(3, 5, lo=-9, hi=9), np.float32(2.5)], {}),
                                            ([R(2, 1, 4, 1, lo=-9, hi=9), R(1, 3, 1, 5, lo=1, hi=3)], {})])
    add("FloorMod", "large", lambda R: [([R(2, 40, 41, 9, lo=-9, hi=9), R(9, lo=0.5, hi=3)], {})])
    add("Cast", "matrix", lambda R: [([R(3, 4)], {"dtype": "float32"}), ([R(3, 4) > 0], {"dtype": "float32"}),
                                     ([R(3, 4) > 0], {"dtype": "int32"}),
                                     ([np.round(R(3, 4)) * np.float32(2)], {"dtype": "bool"})])
    for op, attrs in (("Elu", {"alpha": 0.7}), ("LeakyRelu", {"alpha": 0.1}), ("Step", {"alpha": 0.3}),
                      ("ClipByValue", {"clip_value_min": -2.0, "clip_value_max": 3.0})):
        for sc in ("matrix", "image", "image_c4"):
            add(op, sc, lambda R, sc=sc, attrs=attrs: [(c[0], attrs) for c in _unary(R, sc)])
    for op in BINARY:
        for sc in ("matrix", "image_c4", "broadcast", "large"):
            add(op, sc, lambda R, sc=sc, op=op: _binary(R, sc, op))
    add("Pow", "matrix", lambda R: [([R(3, 4, lo=0.1, hi=3), R(3, 4, lo=-2, hi=2)], {})])
    add("Pow", "broadcast", lambda R: [([R(3, 4, lo=0.1, hi=3), np.float32(2.0)], {})])
    add("Prelu", "image", lambda R: [([R(2, 4, 4, 6), R(6)], {})])
    add("Prelu", "image_c4", lambda R: [([R(1, 4, 4, 16), R(16)], {})])

    def div_no_nan(R):
        d = R(3, 4, 8)
        d[:, 1] = 0.0
        return [([R(3, 4, 8), d], {}), ([np.zeros((3, 4, 8), np.float32), d], {})]
    add("DivNoNan", "rank3", div_no_nan)
    bn = {"variance_epsilon": 1e-3}
    add("FusedBatchNorm", "image", lambda R: [([R(2, 4, 4, 5), R(5), R(5, lo=0.5, hi=2), R(5), R(5)], bn)])
    add("FusedBatchNorm", "image_c4", lambda R: [([R(2, 4, 4, 16), R(16), R(16, lo=0.5, hi=2), R(16), R(16)], bn)])
    add("FusedBatchNorm", "large", lambda R: [([R(2, 40, 41, 9), R(9), R(9, lo=0.5, hi=2), R(9), R(9)], bn)])
    for op in ("BatchMatMul", "MatMul"):
        add(op, "matrix", lambda R: [([R(5, 8), R(8, 12)], {}),
                                     ([R(8, 5), R(12, 8)], {"transpose_a": True, "transpose_b": True}),
                                     ([R(3, 7), R(5, 7)], {"transpose_b": True})])
        add(op, "rank3", lambda R: [([R(3, 4, 8), R(3, 8, 4)], {}), ([R(3, 4, 8), R(8, 12)], {})])
        add(op, "large", lambda R: [([R(130, 64), R(64, 132)], {})])
    conv = {"strides": 1, "pad": "same", "dilations": 1}
    add("Conv2D", "image", lambda R: [([R(2, 9, 8, 3), R(3, 3, 3, 5)], conv),
                                      ([R(2, 9, 8, 5), R(3, 3, 5, 7)], {"strides": 2, "pad": "valid",
                                                                        "dilations": 1})])
    add("Conv2D", "image_c4", lambda R: [([R(1, 8, 7, 16), R(3, 3, 16, 16)], conv),
                                         ([R(1, 6, 5, 16), R(1, 1, 16, 20)], {"strides": 1, "pad": "valid",
                                                                              "dilations": 1})])
    add("Conv2D", "large", lambda R: [([R(1, 40, 40, 8), R(3, 3, 8, 16)], conv)])
    add("DepthwiseConv2dNative", "image", lambda R: [([R(2, 9, 8, 6), R(3, 3, 6, 1)], conv),
                                                     ([R(2, 9, 8, 4), R(3, 3, 4, 2)],
                                                      {"strides": 2, "pad": "valid", "dilations": 1})])
    add("DepthwiseConv2dNative", "image_c4", lambda R: [([R(1, 9, 9, 16), R(3, 3, 16, 1)], conv)])
    for sc, (cin, cout) in (("image", (3, 5)), ("image_c4", (16, 16))):
        add("Conv2DBackpropInput", sc, lambda R, cin=cin, cout=cout: [
            ([R(2, 5, 5, cin), R(3, 3, cout, cin)], {"output_shape": [2, 10, 10, cout], "strides": 2, "pad": "same"}),
            ([R(2, 5, 5, cin), R(3, 3, cout, cin)], {"output_shape": [2, 7, 7, cout], "strides": 1, "pad": "valid"})])
    for op in ("MaxPool", "AvgPool"):
        for sc, ch in (("image", 3), ("image_c4", 16)):
            add(op, sc, lambda R, ch=ch: [([R(2, 9, 7, ch)], {"ksize": 3, "strides": 2, "pad": "same"}),
                                          ([R(2, 8, 8, ch)], {"ksize": [2, 2], "strides": [2, 2], "pad": "valid"})])
        add(op, "large", lambda R: [([R(2, 40, 41, 9)], {"ksize": 3, "strides": 1, "pad": "same"})])
    for op in REDUCE + ["Prod"]:
        lo, hi = (0.7, 1.3) if op == "Prod" else (-1.0, 1.0)
        add(op, "rank3", lambda R, lo=lo, hi=hi: [([R(3, 7, 5, lo=lo, hi=hi)], {"axis": -1, "keep_dims": False}),
                                                  ([R(3, 7, 5, lo=lo, hi=hi)], {"axis": 1, "keep_dims": True})])
        add(op, "image", lambda R, lo=lo, hi=hi: [([R(2, 5, 6, 8, lo=lo, hi=hi)], {"axis": a, "keep_dims": k})
                                                  for a, k in ((None, False), ([1, 2], True), ([0, 2], False))])
        add(op, "large", lambda R, lo=lo, hi=hi: [([R(2, 40, 41, 9, lo=lo, hi=hi)], {"axis": [1, 2],
                                                                                     "keep_dims": False})])
    for op in ("ArgMax", "ArgMin"):
        add(op, "matrix", lambda R: [([R(3, 8)], {"axis": -1})])
        add(op, "rank3", lambda R: [([R(3, 7, 5)], {"axis": 1})])
    for op in ("Softmax", "LogSoftmax"):
        add(op, "matrix", lambda R: [([R(3, 8, lo=-5, hi=5)], {"axis": -1})])
        add(op, "rank3", lambda R: [([R(2, 3, 7, lo=-5, hi=5)], {"axis": -1})])
        add(op, "large", lambda R: [([R(40, 1001, lo=-5, hi=5)], {"axis": -1})])
    add("Transpose", "matrix", lambda R: [([R(6, 7)], {"perm": [1, 0]}), ([R(6, 7) > 0], {"perm": [1, 0]})])
    add("Transpose", "image", lambda R: [([R(2, 3, 4, 5)], {"perm": [0, 3, 1, 2]})])
    add("PadV2", "image", lambda R: [([R(2, 4, 5, 3)], {"paddings": [[0, 0], [1, 2], [2, 1], [0, 0]],
                                                        "constant_value": 0.5})])
    add("MirrorPad", "matrix", lambda R: [([R(7, 8)], {"paddings": [[1, 1], [3, 0]], "mode": "symmetric"})])
    add("MirrorPad", "image", lambda R: [([R(2, 5, 6, 3)], {"paddings": [[0, 0], [2, 1], [1, 2], [0, 0]],
                                                            "mode": "reflect"})])
    add("GatherV2", "matrix", lambda R: [([R(4, 5), np.array([[0, 2], [1, 1], [3, 0]], np.int32)], {"axis": 0})])
    add("GatherV2", "rank3", lambda R: [([R(4, 5, 3), np.array([4, 0, 2], np.int32)], {"axis": 1})])
    add("GatherNd", "rank3", lambda R: [([R(4, 5, 3), np.array([[0, 4], [3, 1], [2, 2]], np.int32)], {})])
    add("Concat", "rank3", lambda R: [([[R(2, 3, 4), R(2, 5, 4), R(2, 1, 4)]], {"axis": 1}),
                                      ([[R(2, 3, 3), R(2, 3, 5)]], {"axis": 2})])
    add("Concat", "image_c4", lambda R: [([[R(1, 6, 6, 16), R(1, 6, 6, 4), R(1, 6, 6, 3)]], {"axis": -1})])
    add("Pack", "matrix", lambda R: [([[R(3, 4), R(3, 4), R(3, 4)]], {"axis": 1})])
    add("AddN", "matrix", lambda R: [([[R(2, 7) for _ in range(9)]], {})])
    add("AddN", "rank3", lambda R: [([[R(3, 4, 5) for _ in range(3)]], {})])
    for op in ("ResizeBilinear", "ResizeNearestNeighbor"):
        for sc, ch in (("image", 3), ("image_c4", 16)):
            add(op, sc, lambda R, ch=ch: [([R(2, 5, 6, ch)], {"size": [9, 4], "align_corners": ac,
                                                              "half_pixel_centers": hp})
                                          for ac, hp in ((False, False), (True, False), (False, True))])
    crop_boxes = np.array([[0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9], [0.8, 0.6, 0.2, 0.1], [-0.3, 0.5, 0.6, 1.4]],
                          np.float32)
    add("CropAndResize", "image", lambda R: [
        ([R(2, 9, 8, 3), crop_boxes, np.array([0, 1, 1, 0], np.int32), [5, 4]],
         {"method": m, "extrapolation_value": 0.5}) for m in ("bilinear", "nearest")] + [
        ([R(2, 9, 8, 3), crop_boxes[1:3], np.array([1, 2], np.int32), [1, 3]], {})])
    add("CropAndResize", "image_c4", lambda R: [([R(1, 6, 7, 16), crop_boxes, np.zeros(4, np.int32), [4, 6]], {})])
    add("Slice", "rank3", lambda R: [([R(3, 6, 5)], {"begin": [1, 2, 0], "size": [2, -1, 3]}),
                                     ([R(3, 6, 5) > 0], {"begin": [1, 2, 0], "size": [2, -1, 3]})])
    add("MatrixBandPart", "rank3", lambda R: [([R(3, 6, 5), 1, 2], {}), ([R(2, 5, 7), -1, 0], {}),
                                              ([R(2, 5, 7) > 0, 0, -1], {})])
    add("StridedSlice", "rank3", lambda R: [([R(4, 6, 5)], {"begin": [0, 1, 0], "end": [4, 6, 5],
                                                            "strides": [2, 2, -1], "begin_mask": 0, "end_mask": 4,
                                                            "shrink_axis_mask": 0})])
    add("Tile", "matrix", lambda R: [([R(2, 3)], {"reps": [2, 3]})])
    add("Reverse", "rank3", lambda R: [([R(2, 3, 4)], {"dims": [1, 2]})])
    add("BroadcastTo", "rank3", lambda R: [([R(1, 5, 1)], {"shape": [3, 5, 4]})])
    add("DepthToSpace", "image", lambda R: [([R(1, 2, 3, 18)], {"block_size": 3})])
    add("DepthToSpace", "image_c4", lambda R: [([R(2, 3, 4, 16)], {"block_size": 2})])
    add("SpaceToBatchND", "image", lambda R: [([R(2, 5, 4, 3)], {"block_shape": [2, 3],
                                                                 "paddings": [[1, 0], [1, 1]]})])
    add("BatchToSpaceND", "image", lambda R: [([R(12, 3, 2, 5)], {"block_shape": [2, 3],
                                                                  "crops": [[0, 1], [2, 1]]})])
    add("Unpack", "rank3", lambda R: [([R(3, 4, 2)], {"axis": 1})])
    add("SplitV", "matrix", lambda R: [([R(4, 6)], {"sizes": [2, 4], "axis": 1})])
    add("Reshape", "rank3", lambda R: [([R(2, 3, 4)], {"shape": [6, -1]}), ([R(2, 3, 4) > 0], {"shape": [6, -1]})])
    add("ExpandDims", "matrix", lambda R: [([R(3, 4)], {"axis": 1})])
    add("Squeeze", "rank3", lambda R: [([R(3, 1, 4)], {"axis": [1]})])
    return t


def _specials(R, x):
    """x with NaNs and infinities of both signs in some places."""
    x = x.copy()
    flat = x.reshape(-1)
    picks = R.rng.choice(flat.size, size=(3, max(flat.size // 10, 1)), replace=False)
    flat[picks[0]] = np.nan
    flat[picks[1]] = np.inf
    flat[picks[2]] = -np.inf
    return x


def _ties(R, a):
    """An operand for a comparison with a: equal to it in a third of the places."""
    b = R(*a.shape)
    same = R(*a.shape) > 0.33
    b[same] = a[same]
    return b


TABLE = _table()


# --------------------------------------------------------------------------------------------------
# Volumes, projective transforms, Einsum and Multinomial (kernels that keep detector heads and attention
# blocks on the GPU)

#: transform rows [a0 a1 a2 b0 b1 b2 c0 c1]: rotations, shears and perspective that send output pixels
#: inside and well outside the input (so that every fill mode folds coordinates), none within 2e-4 of a whole
#: or half pixel (float32 and float64 coordinates round alike; checked when the cases were made)
TRANSFORMS = np.array([[1.55895, -0.5975, 0.18391, 0.5975, 1.55895, -2.57038, -0.01338, -0.0035],
                       [0.75565, -0.16266, 0.66715, 0.16266, 0.75565, -2.74258, 0.01139, -0.01307],
                       [1.70394, -0.37213, -3.27218, 0.37213, 1.70394, 4.74538, 0.0, 0.0]], np.float32)
SAMPLED = {"Multinomial"}


def _more_cases(t):
    def add(op, shape_class, fn):
        t.setdefault(op, {})[shape_class] = fn

    add("Conv3D", "volume", lambda R: [
        ([R(2, 5, 6, 4, 3), R(3, 3, 2, 3, 5)], {"strides": 1, "pad": "same", "dilations": 1}),
        ([R(1, 6, 5, 7, 4), R(2, 3, 3, 4, 8)], {"strides": [2, 1, 2], "pad": "valid", "dilations": 1}),
        ([R(1, 7, 6, 6, 3), R(2, 2, 2, 3, 4)], {"strides": 1, "pad": "same", "dilations": [2, 1, 2]}),
        ([R(2, 3, 4, 5, 6), R(1, 1, 1, 6, 8)], {"strides": 1, "pad": "valid", "dilations": 1})])
    for op in ("MaxPool3D", "AvgPool3D"):
        add(op, "volume", lambda R: [([R(2, 5, 7, 6, 3)], {"ksize": 3, "strides": 2, "pad": "same"}),
                                     ([R(1, 6, 6, 5, 8)], {"ksize": [2, 3, 2], "strides": [2, 1, 2], "pad": "valid"}),
                                     ([R(1, 4, 5, 6, 4)], {"ksize": [3, 3, 3], "strides": 1, "pad": "same"})])
    op = "ImageProjectiveTransformV3"
    add(op, "image", lambda R: [
        ([R(2, 9, 8, 3), TRANSFORMS[k:k + rows], shape], {"fill_value": 0.5, "interpolation": interp,
                                                          "fill_mode": mode})
        for k, (rows, shape) in enumerate(((2, [9, 8]), (1, [7, 11]), (1, [10, 6])))
        for interp in ("nearest", "bilinear") for mode in ("constant", "reflect", "wrap", "nearest")])
    add(op, "image_c4", lambda R: [
        ([R(2, 6, 7, 16), TRANSFORMS[:2], [8, 5]], {"fill_value": -1.0, "interpolation": interp,
                                                    "fill_mode": mode})
        for interp, mode in (("bilinear", "reflect"), ("nearest", "wrap"), ("bilinear", "constant"))])
    add("Einsum", "matrix", lambda R: [(["ij,jk->ik", R(5, 8), R(8, 12)], {}), (["ij,kj->ik", R(5, 8), R(7, 8)], {}),
                                       (["ij,ij->i", R(7, 9), R(7, 9)], {}), (["ij->ji", R(6, 7)], {}),
                                       (["ij->j", R(6, 7)], {}), (["ij,j->i", R(4, 6), R(6)], {})])
    add("Einsum", "rank3", lambda R: [(["bij,bjk->bik", R(3, 4, 8), R(3, 8, 5)], {}),
                                      (["abc,cd->abd", R(2, 3, 8), R(8, 6)], {}),
                                      (["abc,acd->bd", R(2, 3, 5), R(2, 5, 4)], {}),
                                      (["abc,d->dcb", R(2, 3, 4), R(5)], {}), (["abc->cb", R(4, 3, 5)], {})])
    add("Einsum", "image", lambda R: [(["aecd,abcd->acbe", R(2, 5, 3, 4), R(2, 6, 3, 4)], {}),
                                      (["acbe,aecd->abcd", R(2, 3, 6, 5), R(2, 5, 3, 4)], {}),
                                      (["abcd,cde->abe", R(2, 5, 3, 4), R(3, 4, 7)], {})])
    add("Einsum", "large", lambda R: [(["abc,cde->abde", R(5, 64, 32), R(32, 4, 16)], {})])

    def logits(R):
        x = R(3, 10, lo=-2, hi=2)
        x[:, 4] = -np.inf  # a class that is never drawn
        return x

    def probs(R):
        p = R(2, 6, lo=0.1, hi=1)
        p[:, 2] = 0.0
        p[0, 5] = 0.0
        return p / p.sum(axis=1, keepdims=True)
    add("Multinomial", "matrix", lambda R: [([logits(R), 4000], {"seed": 7}),
                                            ([probs(R), 3000], {"seed": 11, "normalized": True})])


_more_cases(TABLE)


def _probabilities(inputs, attrs):
    x = np.asarray(inputs[0], np.float64)
    if not attrs.get("normalized", False):
        x = np.exp(x - x.max(axis=-1, keepdims=True))
    return x / x.sum(axis=-1, keepdims=True)


def _sampled_problems(where, inputs, attrs, want, got, again) -> list[str]:
    """What a sampler's draws ``got`` (and ``again``, drawn with the same seed) show wrong, against the cpu
    kernel's draws ``want`` (shape and dtype) and the probabilities of the inputs: a chi-square test per row
    at about one chance in ten million of failing a faithful sampler."""
    if got.shape != want.shape or got.dtype != want.dtype:
        return [f"{where}: {got.dtype}{list(got.shape)} != {want.dtype}{list(want.shape)}"]
    if not np.array_equal(got, again):
        return [f"{where}: a second call with the same seed drew other samples"]
    p = _probabilities(inputs, attrs)
    problems = []
    for row, (draws, pr) in enumerate(zip(got, p)):
        if draws.min() < 0 or draws.max() >= pr.size:
            return [f"{where}: row {row} has samples outside [0, {pr.size})"]
        counts = np.bincount(draws, minlength=pr.size)
        if np.any(counts[pr == 0]):
            return [f"{where}: row {row} drew classes of probability zero {np.flatnonzero(counts * (pr == 0))}"]
        live = pr > 0
        expected = draws.size * pr[live]
        chi2 = float(np.sum((counts[live] - expected) ** 2 / expected))
        df = int(live.sum()) - 1
        z = 5.2  # Wilson-Hilferty: the chi-square quantile of df degrees of freedom at the normal quantile z
        limit = df * (1 - 2 / (9 * df) + z * np.sqrt(2 / (9 * df))) ** 3 if df else 0.0
        if chi2 > limit:
            problems.append(f"{where}: row {row} frequencies {counts.tolist()} for probabilities "
                            f"{np.round(pr, 4).tolist()}: chi-square {chi2:.1f} > {limit:.1f} ({df} degrees)")
    return problems


def classes(op: str) -> list[str]:
    """The shape classes the table has cases for, for one op."""
    return sorted(TABLE.get(op, {}))


def cases(op: str, shape_class: str) -> list:
    """[(inputs, attrs), ...] for one op and shape class (the same values on every call)."""
    return TABLE[op][shape_class](_Gen(op, shape_class))


def _flat(v):
    return [x for e in v for x in _flat(e)] if isinstance(v, (list, tuple)) else [v]


def check(backend, cpu, op: str, shape_class: str, tol: float = 1e-4) -> list[str]:
    """Run the cases of (op, shape class) on ``backend``'s kernel and on the cpu kernel: what differs (shape,
    NaNs, relative error past ``tol``), or that the op ran on another backend's kernel (its fallback report
    grew). Float inputs are placed on the backend first (``backend.upload``), as a model's tensors are."""
    problems = []

    def place(v):
        on_device = (np.float32, np.bool_, np.int32) if op in INT_ON_DEVICE else (np.float32, np.bool_)
        if isinstance(v, np.ndarray) and not isinstance(v, OnHost) and v.dtype in on_device and v.size > 1:
            return backend.upload(v)
        if isinstance(v, list):
            return [place(e) for e in v]
        return v

    claimed = registry.kernel_configs(backend.name).get(op)
    checked = 0
    for inputs, attrs in cases(op, shape_class):
        if claimed is not None and not _claimed(op, inputs, claimed.dtypes):
            continue  # dtypes the kernel does not claim (int32 Add on wasm): running elsewhere is by design
        checked += 1
        where = f"{op} [{shape_class}] {attrs} shapes {[list(np.shape(x)) for x in _flat(inputs)]}"
        want = cpu.kernels[op](*inputs, **attrs)
        before = backend.fallback_report()
        got = backend.kernels[op](*[place(x) for x in inputs], **attrs)
        if backend.fallback_report() != before:
            problems.append(f"{where}: ran on the cpu kernel (fallback)")
            continue
        if op in SAMPLED:
            again = backend.kernels[op](*[place(x) for x in inputs], **attrs)
            problems += _sampled_problems(where, inputs, attrs, np.asarray(want), backend.read(got),
                                          backend.read(again))
            continue
        wants, gots = _flat(want), _flat(got)
        if len(wants) != len(gots):
            problems.append(f"{where}: {len(gots)} outputs, expected {len(wants)}")
            continue
        for w, raw in zip(wants, gots):
            w, g = np.asarray(w), backend.read(raw)
            if g.shape != w.shape:
                problems.append(f"{where}: shape {list(g.shape)} != {list(w.shape)}")
                break
            if g.dtype != w.dtype:
                problems.append(f"{where}: dtype {g.dtype} != {w.dtype}")
                break
            if w.size == 0:
                continue
            if op in MADE_ON_DEVICE and w.size > SMALL_OUT and isinstance(raw, np.ndarray):
                problems.append(f"{where}: a result of {w.size} values made on the host")
                break
            if op in EXACT and w.dtype.kind in "iub":
                if not np.array_equal(g, w):
                    bad = np.flatnonzero(g.reshape(-1) != w.reshape(-1))[:3]
                    problems.append(f"{where}: {w.dtype} values differ at flat {bad.tolist()}: "
                                    f"{g.reshape(-1)[bad].tolist()} != {w.reshape(-1)[bad].tolist()}")
                    break
                continue
            if not np.array_equal(np.isnan(g.astype(np.float64)), np.isnan(w.astype(np.float64))):
                problems.append(f"{where}: NaNs differ")
                break
            ok = ~np.isnan(w.astype(np.float64))
            scale = max(float(np.max(np.abs(w[ok]), initial=0.0)), 1e-6)
            err = float(np.max(np.abs(g[ok].astype(np.float64) - w[ok].astype(np.float64)), initial=0.0)) / scale
            if err > tol:
                problems.append(f"{where}: relative error {err:.2e} > {tol:.0e}")
                break
    if not checked:
        problems.append(f"{op} [{shape_class}]: no case in the dtypes the kernel claims ({claimed.dtypes})")
    return problems


def _claimed(op: str, inputs, dtypes) -> bool:
    """Whether a case's inputs are in the dtypes a kernel claims (those it takes on the device, as the webgl
    dispatcher checks them): every array input's dtype, except inputs kept on the host (OnHost) and int32 inputs
    of ops whose int32 inputs are indices, shapes or counts (those not in INT_ON_DEVICE)."""
    found = {"bool" if x.dtype == np.bool_ else str(x.dtype) for x in _flat(inputs)
             if isinstance(x, np.ndarray) and not isinstance(x, OnHost)}
    if op not in INT_ON_DEVICE:
        found.discard("int32")
    return found <= set(dtypes)


# --- creation, segment and int32 cases: Fill, Range, LinSpace, ZerosLike, OnesLike, Diag, UnsortedSegmentSum,
# Bincount, DenseBincount, and Select / FloorDiv / FloorMod on int32 and bool inputs ---------------------------

class OnHost(np.ndarray):
    """An input ``check`` leaves on the host (a view: ``host(a)``), where the others go to the device."""


def host(a):
    return np.asarray(a).view(OnHost)


#: ops whose int32 inputs ``check`` places on the device too (int32 tensors a model keeps there)
INT_ON_DEVICE = {"ZerosLike", "OnesLike", "Diag", "UnsortedSegmentSum", "Bincount", "DenseBincount", "Select",
                 "FloorDiv", "FloorMod"}
#: ops whose results of more than SMALL_OUT values must come back as device tensors (made there, never on the
#: host and uploaded: Fill, Range and LinSpace have no device inputs to tell a fallback by)
MADE_ON_DEVICE = {"Fill", "Range", "LinSpace", "ZerosLike", "OnesLike", "Diag", "UnsortedSegmentSum",
                  "Bincount", "DenseBincount"}
SMALL_OUT = 1024
#: ops whose int32 and bool results must equal the cpu kernel's exactly
EXACT = MADE_ON_DEVICE | {"Select", "FloorDiv", "FloorMod"}


def _ints(R, *shape, lo=-50, hi=50):
    return R.rng.integers(lo, hi, shape).astype(np.int32)


def _nonzero_ints(R, *shape, lo=-7, hi=8):
    v = _ints(R, *shape, lo=lo, hi=hi)
    v[v == 0] = 3
    return v


def _creation_cases(t):
    def add(op, shape_class, fn):
        t.setdefault(op, {})[shape_class] = fn

    def extend(op, shape_class, fn):
        before = t[op][shape_class]
        t[op][shape_class] = lambda R: before(R) + fn(R)

    add("Fill", "matrix", lambda R: [
        ([[40, 30], np.float32(2.5)], {}), ([[40, 30], np.int32(-7)], {}), ([[33, 40], True], {}),
        ([[50, 30], 1.5], {"dtype": "int32"}), ([[30, 30], np.int32(1 << 25)], {}),  # past 2^24: host, exact
        ([[0, 5], np.float32(1.0)], {}), ([[1, 1], np.float32(4.0)], {})])
    add("Fill", "large", lambda R: [([[3, 100, 70], np.float32(-0.5)], {}), ([[200, 90], np.int32(123456)], {})])
    add("Range", "vector", lambda R: [
        ([0, 3000, 1], {"dtype": "int32"}), ([10.0, -20.0, -0.0125], {}), ([5, -3000, -2], {"dtype": "int32"}),
        ([0.5, 1300.2, 1.0], {}), ([0, 0, 1], {}), ([3, 4, 5], {"dtype": "int32"}), ([7.0, 2.0, 1.0], {}),
        ([1 << 25, (1 << 25) + 1000, 1], {"dtype": "int32"})])  # past 2^24: host, exact
    add("Range", "large", lambda R: [([0, 20000, 1], {"dtype": "int32"}), ([-1.0, 1.0, 1e-4], {})])
    add("LinSpace", "vector", lambda R: [([0.0, 1.0, 2000], {}), ([5.0, -3.0, 1500], {}), ([2.0, 9.0, 1], {}),
                                         ([1.0, 1.0, 1100], {}), ([-4.0, 4.0, 9], {})])
    add("LinSpace", "large", lambda R: [([-10.0, 10.0, 20001], {})])
    for op in ("ZerosLike", "OnesLike"):
        add(op, "matrix", lambda R: [([R(40, 30)], {}), ([R(40, 30) > 0], {}), ([_ints(R, 40, 30)], {}),
                                     ([R(3, 4)], {}), ([np.zeros((0, 5), np.float32)], {}),
                                     ([np.ones((1, 1), np.float32)], {})])
        add(op, "large", lambda R: [([R(3, 100, 70)], {}), ([_ints(R, 150, 120)], {})])
    add("Diag", "vector", lambda R: [([R(37)], {}), ([np.arange(-20, 20, dtype=np.int32)], {}), ([R(50) > 0], {}),
                                     ([np.array([3.5], np.float32)], {})])
    add("Diag", "matrix", lambda R: [([R(6, 7)], {}), ([_ints(R, 5, 4)], {})])
    add("UnsortedSegmentSum", "matrix", lambda R: [
        ([R(40, 7), host(_ints(R, 40, lo=-2, hi=10)), 8], {}),
        ([R(40, 7), _ints(R, 40, lo=-2, hi=10), 8], {}),
        ([_ints(R, 30, 5), host(_ints(R, 30, lo=0, hi=6)), 6], {}),
        ([R(300, 11), host(_ints(R, 300, lo=0, hi=200)), 200], {}),
        ([R(1, 5), host(np.array([0], np.int32)), 3], {}),
        ([R(6, 4), host(np.full(6, 9, np.int32)), 3], {})])  # every id out of range: zeros
    add("UnsortedSegmentSum", "rank3", lambda R: [([R(6, 4, 5), host(_ints(R, 6, 4, lo=-1, hi=5)), 5], {}),
                                                  ([R(9, 3, 4), _ints(R, 9, lo=0, hi=4), 4], {})])
    for op in ("Bincount", "DenseBincount"):
        add(op, "vector", lambda R: [
            ([_ints(R, 300, lo=0, hi=12), 10], {}), ([_ints(R, 300, lo=0, hi=12), 10, R(300)], {}),
            ([_ints(R, 300, lo=0, hi=12), 10, _ints(R, 300)], {}),
            ([_ints(R, 300, lo=0, hi=12), 10, np.zeros(0, np.float32)], {}),
            ([_ints(R, 300, lo=0, hi=12), 1500], {}),
            ([_ints(R, 300, lo=0, hi=12), 10], {"binary_output": True}),
            ([_ints(R, 300, lo=0, hi=12), 10, R(300)], {"binary_output": True}),
            ([np.array([3], np.int32), 5], {})])
        add(op, "matrix", lambda R: [([_ints(R, 4, 60, lo=0, hi=10), 9, R(4, 60)], {}),
                                     ([_ints(R, 4, 60, lo=0, hi=10), 9], {"binary_output": True}),
                                     ([_ints(R, 30, 50, lo=0, hi=60), 50], {})])
    extend("Select", "matrix", lambda R: [([R(7, 9) > 0, _ints(R, 7, 9), _ints(R, 7, 9)], {}),
                                          ([R(7, 9) > 0, R(7, 9) > 0.5, R(7, 9) > -0.5], {})])
    extend("Select", "broadcast", lambda R: [([R(3, 1, 5) > 0, _ints(R, 3, 4, 5), np.int32(-1)], {}),
                                             ([R(4, 5) > 0, np.int32(7), _ints(R, 5)], {})])
    extend("Select", "large", lambda R: [([R(2, 40, 41, 9) > 0, _ints(R, 2, 40, 41, 9),
                                           _ints(R, 2, 40, 41, 9)], {})])
    for op in ("FloorDiv", "FloorMod"):
        extend(op, "matrix", lambda R: [([_ints(R, 6, 9), _ints(R, 6, 9, lo=-7, hi=8)], {}),  # zero divisors: 0
                                        ([_ints(R, 6, 9, lo=-(1 << 23), hi=1 << 23), _nonzero_ints(R, 6, 9)], {}),
                                        ([_ints(R, 6, 9), R(6, 9, lo=0.5, hi=3)], {})])
        extend(op, "broadcast", lambda R: [([_ints(R, 3, 5), np.int32(4)], {}),
                                           ([_ints(R, 2, 1, 4, 1), _nonzero_ints(R, 1, 3, 1, 5, lo=-5, hi=0)], {})])
        extend(op, "image_c4", lambda R: [([_ints(R, 1, 4, 5, 16), _nonzero_ints(R, 16)], {})])
        extend(op, "large", lambda R: [([_ints(R, 2, 40, 41, 9, lo=-1000, hi=1000), _nonzero_ints(R, 9)], {})])


_creation_cases(TABLE)


# --- bool reductions, bitwise and, sparse to dense, 3D transposed convolution: All, Any, BitwiseAnd (int32,
# exact up to the 2^24 a float32 holds), SparseToDense (float32, int32 and bool values; repeated indices keep
# the last value), Conv3DBackpropInputV2 ------------------------------------------------------------------------

INT_ON_DEVICE |= {"BitwiseAnd", "SparseToDense"}
MADE_ON_DEVICE |= {"SparseToDense"}
EXACT |= {"All", "Any", "BitwiseAnd", "SparseToDense"}


def _bools(R, *shape, p_true=0.5):
    """Bool values with some rows (along the last axis) all True and some all False."""
    b = R(*shape, lo=0.0, hi=1.0) < p_true
    if len(shape) >= 1 and shape[0] >= 3:
        b[0] = True
        b[1] = False
    return b


def _one_off(R, shape, fill):
    """``fill`` everywhere but at one random cell of every other (batch, channel) pair: the reductions over
    the middle axes give both outcomes."""
    b = np.full(shape, fill)
    for n in range(shape[0]):
        for c in range(0, shape[-1], 2):
            b[(n, *(int(R.rng.integers(0, s)) for s in shape[1:-1]), c)] = not fill
    return b


def _sparse(R, n, shape, repeat=True):
    """n host indices into ``shape`` (rank 1: a vector of positions; else [n, rank]), some repeated."""
    flat = R.rng.choice(int(np.prod(shape)), size=n, replace=False)
    if repeat:
        flat[-3:] = flat[:3]  # repeated indices: the cpu kernel keeps the last value written
    idx = np.stack(np.unravel_index(flat, shape), axis=-1).astype(np.int32)
    return host(idx.reshape(-1) if len(shape) == 1 else idx)


def _bitwise_cases(t):
    def add(op, shape_class, fn):
        t.setdefault(op, {})[shape_class] = fn

    for op, p in (("All", 0.9), ("Any", 0.1)):  # mostly True for All and mostly False for Any: both outcomes
        add(op, "matrix", lambda R, p=p: [([_bools(R, 7, 9, p_true=p)], {"axis": -1, "keep_dims": False}),
                                          ([_bools(R, 7, 9, p_true=p)], {"axis": None, "keep_dims": False}),
                                          ([_bools(R, 7, 9, p_true=p).T.copy()], {"axis": 0, "keep_dims": True})])
        q = 0.97 if p > 0.5 else 0.03
        add(op, "rank3", lambda R, q=q: [([_bools(R, 3, 7, 5, p_true=q)], {"axis": [0, 2], "keep_dims": False}),
                                         ([_bools(R, 3, 7, 5, p_true=q)], {"axis": 1, "keep_dims": True})])
        add(op, "large", lambda R, p=p: [([_one_off(R, (2, 40, 41, 9), p > 0.5)], {"axis": [1, 2], "keep_dims": False}),
                                         ([_one_off(R, (2, 40, 41, 9), p > 0.5)], {"axis": None, "keep_dims": True})])
    edge = np.array([-(1 << 24), (1 << 24) - 1, -1, 0, 1 << 23, -(1 << 23) - 5, 255, -256], np.int32)
    add("BitwiseAnd", "matrix", lambda R: [([_ints(R, 6, 9, lo=-1000, hi=1000), _ints(R, 6, 9, lo=-1000, hi=1000)], {}),
                                           ([np.tile(edge, (8, 1)), np.tile(edge, (8, 1)).T.copy()], {}),
                                           ([_ints(R, 6, 9, lo=-(1 << 24), hi=1 << 24),
                                             _ints(R, 6, 9, lo=-(1 << 24), hi=1 << 24)], {})])
    add("BitwiseAnd", "broadcast", lambda R: [([_ints(R, 3, 5, lo=-99, hi=99), np.int32(0x55)], {}),
                                              ([_ints(R, 4, 8, lo=-(1 << 20), hi=1 << 20), edge], {}),
                                              ([_ints(R, 2, 1, 4, 1), _ints(R, 1, 3, 1, 5)], {})])
    add("BitwiseAnd", "large", lambda R: [([_ints(R, 2, 40, 41, 9, lo=-(1 << 24), hi=1 << 24),
                                            _ints(R, 9, lo=-(1 << 16), hi=1 << 16)], {})])
    add("SparseToDense", "vector", lambda R: [
        ([_sparse(R, 40, (3000,)), [3000], R(40), np.float32(0.5)], {}),
        ([_sparse(R, 40, (3000,), repeat=False), [3000], np.float32(-2.0), np.float32(0.0)], {}),
        ([_sparse(R, 40, (2000,)), [2000], _ints(R, 40, lo=-(1 << 24), hi=1 << 24), np.int32(-7)], {}),
        ([_sparse(R, 40, (2000,)), [2000], R(40) > 0, False], {}),
        ([host(np.array([1999], np.int32)), [2000], np.float32(3.0), np.float32(1.0)], {}),
        ([_sparse(R, 30, (1500,)), [1500], R(30), 0.0], {}),  # a Python float default
        ([_sparse(R, 30, (1500,)), [1500], _ints(R, 30), np.float32(2.75)], {})])  # cast to int32: 2
    add("SparseToDense", "matrix", lambda R: [
        ([_sparse(R, 60, (60, 50)), [60, 50], R(60), np.float32(-1.0)], {}),
        ([_sparse(R, 60, (60, 50)), [60, 50], _ints(R, 60), np.int32(0)], {}),
        ([_sparse(R, 60, (40, 30)), [40, 30], R(60) > 0, True], {})])
    add("SparseToDense", "large", lambda R: [([_sparse(R, 500, (3, 100, 70)), [3, 100, 70], R(500),
                                               np.float32(0.25)], {})])
    add("Conv3DBackpropInputV2", "volume", lambda R: [
        ([R(2, 3, 4, 4, 5), R(3, 3, 3, 4, 5)], {"output_shape": [2, 6, 8, 8, 4], "strides": 2, "pad": "same"}),
        ([R(1, 4, 5, 3, 8), R(2, 3, 2, 6, 8)], {"output_shape": [1, 5, 7, 4, 6], "strides": 1, "pad": "valid"}),
        ([R(1, 3, 3, 4, 3), R(2, 2, 3, 5, 3)], {"output_shape": [1, 3, 6, 4, 5], "strides": [1, 2, 1],
                                                "pad": "same"}),
        ([R(1, 2, 3, 3, 4), R(3, 3, 3, 3, 4)], {"output_shape": [1, 5, 7, 7, 3], "strides": [2, 2, 2],
                                                "pad": "valid"}),
        # four output channels a texel: the filter on the GPU (transposed there) and on the host (laid out once)
        ([R(1, 3, 4, 4, 16), R(3, 3, 3, 8, 16)], {"output_shape": [1, 6, 8, 8, 8], "strides": 2, "pad": "same"}),
        ([R(1, 3, 4, 4, 16), host(R(3, 3, 3, 8, 16))], {"output_shape": [1, 6, 8, 8, 8], "strides": 2,
                                                        "pad": "same"}),
        ([R(2, 4, 4, 2, 6), host(R(2, 2, 2, 12, 6))], {"output_shape": [2, 4, 4, 3, 12], "strides": [1, 1, 2],
                                                       "pad": "same"})])


_bitwise_cases(TABLE)


# --- TopK on the GPU: rows of 100000 values or more and k up to 128 (shorter rows and larger k read back, as in
# TF.js's webgl backend); ties ordered by index, NaNs after every number, int32 values exact -------------------

INT_ON_DEVICE |= {"TopK"}
EXACT |= {"TopK"}


def _topk_cases(t):
    def add(op, shape_class, fn):
        t.setdefault(op, {})[shape_class] = fn

    def tied(R, *shape):
        x = np.round(R(*shape, lo=-4, hi=4) * 8) / np.float32(8)  # 65 distinct values: ties everywhere
        return x.astype(np.float32)

    def with_nans(R, *shape):
        x = R(*shape, lo=-1, hi=1)
        x[..., ::997] = np.nan  # NaNs order after every number: never among the top here
        x[..., 5] = np.float32(1.0)  # the largest value twice in a row: its lower index first
        x[..., 77777] = np.float32(1.0)
        return x
    add("TopK", "large", lambda R: [([tied(R, 2, 100003), 128], {}), ([with_nans(R, 1, 120000), 5, False], {}),
                                    ([_ints(R, 3, 100000, lo=-1000, hi=1000), 33], {}),
                                    ([tied(R, 1, 131072), 1], {}), ([R(1, 100000), 100], {})])


_topk_cases(TABLE)


# --- int32 arithmetic: Add, Sub, Mul, Maximum, Minimum, SquaredDifference, Neg, Abs, Square, Sign, Relu on int32
# operands (exact while the values stay within the 2^24 a float32 holds; host values past it go to the cpu: see
# tests/unit/test_creation_segment_kernels.py) ---------------------------------------------------------------------

INT_ARITH = {"Add", "Sub", "Mul", "Maximum", "Minimum", "SquaredDifference", "Neg", "Abs", "Square", "Sign", "Relu"}
INT_ON_DEVICE |= INT_ARITH
EXACT |= INT_ARITH


def _int_arith_cases(t):
    def extend(op, shape_class, fn):
        before = t[op][shape_class]
        t[op][shape_class] = lambda R: before(R) + fn(R)

    for op in ("Add", "Sub", "Mul", "Maximum", "Minimum", "SquaredDifference"):
        extend(op, "matrix", lambda R: [
            ([_ints(R, 6, 9), _ints(R, 6, 9)], {}),
            ([_ints(R, 6, 9, lo=-2000, hi=2000), _ints(R, 6, 9, lo=-2000, hi=2000)], {}),
            ([_ints(R, 6, 9), R(6, 9)], {}),  # int32 with float32: float32
            ([_ints(R, 6, 9), np.int32(-3)], {}), ([np.int32(4000), _ints(R, 6, 9)], {})])
        extend(op, "broadcast", lambda R: [([_ints(R, 3, 1, 5), _ints(R, 4, 1)], {}),
                                           ([_ints(R, 2, 4), host(R(4) > 0)], {})])
        extend(op, "large", lambda R: [([_ints(R, 2, 40, 41, 9, lo=-1000, hi=1000), _ints(R, 9)], {})])
    extend("Add", "image_c4", lambda R: [([_ints(R, 1, 4, 5, 16), _ints(R, 16)], {})])
    for op in ("Neg", "Abs", "Square", "Sign", "Relu"):
        edges = [] if op == "Square" else [([np.array([[-(1 << 24), 0], [5, (1 << 24) - 1]], np.int32)], {})]
        extend(op, "matrix", lambda R, edges=edges: [([_ints(R, 6, 9, lo=-3000, hi=3000)], {})] + edges)
        extend(op, "large", lambda R: [([_ints(R, 2, 40, 41, 9, lo=-1000, hi=1000)], {})])
    # GatherV2 by int32 indices on the device (a top-k's positions turned into gather indices there), and by
    # host indices (an index map)
    extend("GatherV2", "matrix", lambda R: [
        ([R(4, 5), host(np.array([[0, 2], [1, 1], [3, 0]], np.int32))], {"axis": 0}),
        ([_ints(R, 30, 7), _ints(R, 40, lo=0, hi=30)], {"axis": 0}),
        ([R(6, 50), _ints(R, 3, 9, lo=0, hi=50)], {"axis": -1})])
    extend("GatherV2", "rank3", lambda R: [([R(4, 5, 3), host(np.array([4, 0, 2], np.int32))], {"axis": 1}),
                                           ([R(3, 70, 6), _ints(R, 25, lo=0, hi=70)], {"axis": 1})])


INT_ON_DEVICE |= {"GatherV2"}
_int_arith_cases(TABLE)


# --- FlipLeftRight and RotateWithOffset (tf.image.flipLeftRight, tf.image.rotateWithOffset): float32 and int32
# images; angles whose source coordinates fall on rounding ties (quarter and half turns about a centre between
# pixels), a number or [r, g, b] fill (alpha 255), a centre as a number or [x, y] --------------------------------

INT_ON_DEVICE |= {"FlipLeftRight", "RotateWithOffset"}
EXACT |= {"FlipLeftRight", "RotateWithOffset"}


def _flip_rotate_cases(t):
    def add(op, shape_class, fn):
        t.setdefault(op, {})[shape_class] = fn

    add("FlipLeftRight", "image", lambda R: [([R(2, 5, 7, 3)], {}), ([_ints(R, 1, 4, 6, 1)], {}),
                                             ([R(1, 3, 1, 2)], {})])
    add("FlipLeftRight", "image_c4", lambda R: [([R(1, 4, 5, 16)], {})])
    add("FlipLeftRight", "large", lambda R: [([R(2, 40, 41, 9)], {})])
    add("RotateWithOffset", "image", lambda R: [
        ([R(2, 9, 11, 3)], {"radians": 0.7}),
        ([R(1, 8, 8, 1)], {"radians": np.pi / 2, "fill_value": -2.5}),
        ([R(1, 7, 10, 3)], {"radians": np.pi, "fill_value": [0.25, 0.5, 0.75], "center": [0.3, 0.6]}),
        ([R(2, 6, 5, 4)], {"radians": -1.2, "fill_value": [10.0, 20.0, 30.0], "center": 0.25}),
        ([_ints(R, 1, 9, 9, 3)], {"radians": 2.0, "fill_value": 7.9}),
        ([R(1, 5, 5, 2)], {"radians": 0.0, "center": [1.0, 0.0]})])
    add("RotateWithOffset", "large", lambda R: [([R(2, 90, 100, 3)], {"radians": 0.35, "fill_value": 1.0})])


_flip_rotate_cases(TABLE)
