"""Each graph pass of the graph converter on its own (tfjs/converter/graph_passes.py): on a small graph, the
outputs are unchanged (run here before and after with tfjs.graph) and the structure is as expected."""

from __future__ import annotations

import base64
import copy

import numpy as np
import pytest

from tfjs.converter import graph_passes as gp
from tfjs.converter.pbwire import tensor_to_json
from tfjs.graph import builder as gb

rng = np.random.default_rng(0)
F = {"T": {"type": "DT_FLOAT"}}


def const(name, value, dtype=None):
    return gp.make_const(name, np.asarray(value), dtype)


def n(name, op, inputs=(), **attrs):
    node = {"name": name, "op": op, "input": list(inputs), "attr": {"T": {"type": "DT_FLOAT"}}}
    node["attr"].update(attrs)
    if not node["input"]:
        del node["input"]
    return node


def ph(name, shape):
    return gb.placeholder(name, "float32", shape)


def conv_attrs(**kw):
    base = {"strides": {"list": {"i": ["1", "1", "1", "1"]}}, "padding": gp.s_attr("SAME"),
            "data_format": gp.s_attr("NHWC"), "dilations": {"list": {"i": ["1", "1", "1", "1"]}}}
    base.update(kw)
    return base


def run(nodes, feeds, outputs):
    """Run a node list (Const arrays inline) with this package's executor."""
    def inline(nd):
        nd = copy.deepcopy(nd)
        for v in nd.get("attr", {}).values():
            if "tensor" in v:
                v["tensor"] = tensor_to_json(v["tensor"])
        return nd
    model = gb.model(gb.graph_def([inline(x) for x in nodes]))
    out = model.execute(feeds, outputs)
    return [np.asarray(o) for o in (out if isinstance(out, list) else [out])]


def same_outputs(before, after, feeds, outputs, rtol=1e-5):
    for a, b in zip(run(before, feeds, outputs), run(after, feeds, outputs)):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-5)


def ops_of(nodes):
    return [x["op"] for x in nodes]


def test_strip_debug_ops():
    nodes = [ph("x", [2]), n("chk", "CheckNumerics", ["x"], message=gp.s_attr("bad")),
             {"name": "assert", "op": "Assert", "input": ["x"]},
             n("y", "Relu", ["chk", "^assert"]), n("out", "Identity", ["y"])]
    before = copy.deepcopy(nodes)
    before = [x for x in before if x["op"] != "Assert"]
    before[-2]["input"] = ["chk"]
    after = gp.strip_debug_ops(copy.deepcopy(nodes), {"x", "out"})
    assert "CheckNumerics" not in ops_of(after) and "Assert" not in ops_of(after)
    assert [x for x in after if x["name"] == "y"][0]["input"] == ["x"]
    same_outputs(before, after, {"x": np.array([-1.0, 2.0], np.float32)}, ["out"])


def test_remove_identities_keeps_outputs_and_control_flow():
    nodes = [ph("x", [3]), n("i1", "Identity", ["x"]), n("i2", "Identity", ["i1"]), n("y", "Neg", ["i2"]),
             n("i3", "Identity", ["y"]), n("out", "Identity", ["i3"])]
    after = gp.remove_identities(copy.deepcopy(nodes), {"x", "out"})
    assert [x["name"] for x in after] == ["x", "y", "out"]
    assert after[1]["input"] == ["x"] and after[2]["input"] == ["y"]
    same_outputs(nodes, after, {"x": np.array([1, 2, 3], np.float32)}, ["out"])
    # an Identity with a control input stays
    guarded = [ph("x", [1]), n("c", "Const"), n("g", "Identity", ["x", "^c"]), n("out", "Identity", ["g"])]
    assert "g" in [x["name"] for x in gp.remove_identities(guarded, {"x", "out"})]


def test_remove_noops_forwards_control_deps():
    nodes = [ph("x", [1]), n("a", "Relu", ["x"]), {"name": "noop", "op": "NoOp", "input": ["^a"]},
             n("out", "Identity", ["x", "^noop"])]
    after = gp.remove_noops(copy.deepcopy(nodes), {"x", "out"})
    assert "NoOp" not in ops_of(after)
    assert after[-1]["input"] == ["x", "^a"]


def test_fold_constants():
    nodes = [ph("x", [2]), const("a", np.array([1.0, 2.0], np.float32)), const("b", np.float32(3.0)),
             n("ab", "Mul", ["a", "b"]), n("abn", "Neg", ["ab"]), const("shape", np.array([2], np.int64), "DT_INT64"),
             {"name": "sh", "op": "Cast", "input": ["shape"], "attr": {"SrcT": {"type": "DT_INT64"},
                                                                      "DstT": {"type": "DT_INT32"}}},
             n("r", "Reshape", ["abn", "sh"]), n("y", "AddV2", ["x", "r"]), n("out", "Identity", ["y"])]
    after = gp.fold_constants(copy.deepcopy(nodes), {"x", "out"})
    by = {x["name"]: x for x in after}
    assert by["abn"]["op"] == "Const" and by["r"]["op"] == "Const" and by["y"]["op"] == "AddV2"
    np.testing.assert_array_equal(gp.const_value(by["r"]), [-3.0, -6.0])
    assert by["sh"]["attr"]["dtype"]["type"] == "DT_INT32"
    same_outputs(nodes, gp.prune(after, {"x", "out"}), {"x": np.array([1, 1], np.float32)}, ["out"])
    assert sorted(ops_of(gp.prune(after, {"x", "out"}))) == ["AddV2", "Const", "Identity", "Placeholder"]


def test_fold_constants_leaves_stateful_and_controlled_nodes():
    nodes = [const("s", np.array([2], np.int32)), n("r", "RandomUniform", ["s"], dtype={"type": "DT_FLOAT"}),
             const("a", np.float32(1)), n("g", "Neg", ["a", "^r"]), n("out", "AddV2", ["r", "g"])]
    after = gp.fold_constants(copy.deepcopy(nodes), {"out"})
    assert [x["op"] for x in after] == ["Const", "RandomUniform", "Const", "Neg", "AddV2"]


@pytest.mark.parametrize("depthwise", [False, True])
def test_fold_batch_norms(depthwise):
    cin = 3
    w = rng.standard_normal((3, 3, cin, 2 if depthwise else 4)).astype(np.float32)
    cout = cin * 2 if depthwise else 4
    params = [np.abs(rng.standard_normal(cout)).astype(np.float32) + 0.5, rng.standard_normal(cout).astype(np.float32),
              rng.standard_normal(cout).astype(np.float32), np.abs(rng.standard_normal(cout)).astype(np.float32) + 0.1]
    op = "DepthwiseConv2dNative" if depthwise else "Conv2D"
    nodes = [ph("x", [1, 5, 5, cin]), const("w", w), n("conv", op, ["x", "w"], **conv_attrs()),
             const("scale", params[0]), const("offset", params[1]), const("mean", params[2]), const("var", params[3]),
             n("bn", "FusedBatchNormV3", ["conv", "scale", "offset", "mean", "var"], epsilon={"f": 0.001},
               is_training={"b": False}, data_format=gp.s_attr("NHWC")),
             n("out", "Identity", ["bn"])]
    after = gp.prune(gp.fold_batch_norms(copy.deepcopy(nodes), {"x", "out"}), {"x", "out"})
    assert "FusedBatchNormV3" not in ops_of(after)
    assert [x["op"] for x in after if x["name"] == "bn"] == ["BiasAdd"]
    x = rng.standard_normal((1, 5, 5, cin)).astype(np.float32)
    same_outputs(nodes, after, {"x": x}, ["out"], rtol=1e-4)


def test_fold_scale_into_conv():
    w = rng.standard_normal((2, 2, 3, 4)).astype(np.float32)
    nodes = [ph("x", [1, 4, 4, 3]), const("w", w), n("conv", "Conv2D", ["x", "w"], **conv_attrs()),
             const("s", rng.standard_normal(4).astype(np.float32)), n("m", "Mul", ["conv", "s"]),
             n("out", "Identity", ["m"])]
    after = gp.prune(gp.fold_scale_into_conv(copy.deepcopy(nodes), {"x", "out"}), {"x", "out"})
    assert sorted(ops_of(after)) == ["Const", "Conv2D", "Identity", "Placeholder"]
    same_outputs(nodes, after, {"x": rng.standard_normal((1, 4, 4, 3)).astype(np.float32)}, ["out"], rtol=1e-4)


ACTS = ["Relu", "Relu6", "Elu", "LeakyRelu", "Sigmoid", "Prelu", None]


@pytest.mark.parametrize("kind", ["Conv2D", "DepthwiseConv2dNative", "MatMul"])
@pytest.mark.parametrize("act", ACTS)
def test_fuse_bias_activation(kind, act):
    if kind == "MatMul":
        w = rng.standard_normal((3, 5)).astype(np.float32)
        x_shape, cout = [2, 3], 5
        body = n("conv", "MatMul", ["x", "w"], transpose_a={"b": False}, transpose_b={"b": False})
    else:
        w = rng.standard_normal((2, 2, 3, 2 if kind != "Conv2D" else 4)).astype(np.float32)
        x_shape, cout = [1, 4, 4, 3], (6 if kind != "Conv2D" else 4)
        body = n("conv", kind, ["x", "w"], **conv_attrs())
    nodes = [ph("x", x_shape), const("w", w), body, const("b", rng.standard_normal(cout).astype(np.float32)),
             n("bias", "BiasAdd", ["conv", "b"], data_format=gp.s_attr("NHWC"))]
    last = "bias"
    if act == "Prelu":
        nodes += [const("alpha", np.full(cout, 0.3, np.float32)), n("act", "Prelu", ["bias", "alpha"])]
        last = "act"
    elif act:
        extra = {"alpha": {"f": 0.15}} if act == "LeakyRelu" else {}
        nodes.append(n("act", act, ["bias"], **extra))
        last = "act"
    nodes.append(n("out", "Identity", [last]))
    after = gp.fuse_bias_activation(copy.deepcopy(nodes), {"x", "out"})
    fused = [x for x in after if x["op"].startswith(("_Fused", "FusedDepthwise"))]
    # named as the official converter names them: the last node of the chain; the depthwise one as the conv
    assert len(fused) == 1 and fused[0]["name"] == ("conv" if kind == "DepthwiseConv2dNative" else last)
    attrs = fused[0]["attr"]
    names = [base64.b64decode(s).decode() for s in attrs["fused_ops"]["list"]["s"]]
    if kind == "DepthwiseConv2dNative" and act in ("LeakyRelu", "Sigmoid"):
        # the official depthwise fusion takes Relu, Relu6, Elu (and Prelu) only: the activation stays
        assert names == ["BiasAdd"] and [x for x in after if x["name"] == "act"][0]["input"] == ["conv"]
    else:
        assert names == ["BiasAdd"] + ([act] if act else [])
        assert [x for x in after if x["name"] == "out"][0]["input"] == [fused[0]["name"]]
    assert attrs["num_args"] == {"i": "2" if act == "Prelu" else "1"}
    # the official converter's attr sets (TensorFlow's remapper; its own depthwise pass)
    base = {"T"} | ({"transpose_a", "transpose_b"} if kind == "MatMul" else set(conv_attrs()))
    extra = {"Conv2D": {"TArgs", "epsilon", "leakyrelu_alpha", "filter_format", "num_host_args"},
             "MatMul": {"epsilon", "leakyrelu_alpha"}, "DepthwiseConv2dNative": set()}[kind]
    assert set(attrs) == base | extra | {"fused_ops", "num_args"}
    if kind != "DepthwiseConv2dNative":
        assert attrs["epsilon"] == {"f": 0.0}
        assert attrs["leakyrelu_alpha"] == {"f": 0.15 if act == "LeakyRelu" else 0.2}
    if kind == "Conv2D":
        assert attrs["filter_format"] == gp.s_attr("HWIO") and attrs["num_host_args"] == {"i": "0"}
        assert attrs["TArgs"] == {"list": {"type": ["DT_FLOAT"] * int(attrs["num_args"]["i"])}}
    x = rng.standard_normal(x_shape).astype(np.float32)
    same_outputs(nodes, after, {"x": x}, ["out"], rtol=1e-4)


def test_tanh_is_not_fused():
    nodes = [ph("x", [2, 3]), const("w", np.ones((3, 2), np.float32)), n("mm", "MatMul", ["x", "w"]),
             const("b", np.ones(2, np.float32)), n("bias", "BiasAdd", ["mm", "b"]), n("t", "Tanh", ["bias"]),
             n("out", "Identity", ["t"])]
    after = gp.fuse_bias_activation(copy.deepcopy(nodes), {"x", "out"})
    assert "Tanh" in ops_of(after) and "_FusedMatMul" in ops_of(after)


def test_prune_and_used_functions():
    nodes = [ph("x", [1]), n("a", "Relu", ["x"]), n("dead", "Neg", ["x"]),
             {"name": "call", "op": "StatelessIf", "input": ["x"], "attr": {"then_branch": {"func": {"name": "f1"}}}},
             n("out", "AddV2", ["a", "call"])]
    lib = [{"signature": {"name": "f1"}, "nodeDef": [{"name": "z", "op": "X", "attr": {"f": {"func": {"name": "f2"}}}}]},
           {"signature": {"name": "f2"}, "nodeDef": []}, {"signature": {"name": "unused"}, "nodeDef": []}]
    after = gp.prune(nodes, {"x", "out"})
    assert "dead" not in [x["name"] for x in after]
    assert [f["signature"]["name"] for f in gp.used_functions(after, lib)] == ["f1", "f2"]


def test_drop_const_controls():
    nodes = [ph("x", [1]), const("c", np.float32(1)), n("out", "Identity", ["x", "^c"])]
    after = gp.prune(gp.drop_const_controls(copy.deepcopy(nodes), {"x", "out"}), {"x", "out"})
    assert [x["name"] for x in after] == ["x", "out"]


# ------------------------------------------------------------------------------------------------------
# Outputs unchanged by prune, remove_noops and drop_const_controls: the graph run before and after on the same
# inputs.


def test_prune_keeps_outputs():
    w = rng.standard_normal((3, 4)).astype(np.float32)
    nodes = [ph("x", [2, 3]), const("w", w), n("mm", "MatMul", ["x", "w"]), n("r", "Relu", ["mm"]),
             const("dead_c", np.float32(5)), n("dead", "Mul", ["mm", "dead_c"]), n("dead2", "Neg", ["dead"]),
             const("gate", np.float32(1)), n("t", "Tanh", ["r", "^gate"]), n("out", "Identity", ["t"]),
             n("out2", "Neg", ["r"])]
    keep = {"x", "out", "out2"}
    after = gp.prune(copy.deepcopy(nodes), keep)
    assert {x["name"] for x in after} == {"x", "w", "mm", "r", "gate", "t", "out", "out2"}
    x = rng.standard_normal((2, 3)).astype(np.float32)
    before_vals = run(nodes, {"x": x}, ["out", "out2"])
    after_vals = run(after, {"x": x}, ["out", "out2"])
    for a, b in zip(before_vals, after_vals):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(after_vals[0], np.tanh(np.maximum(x @ w, 0)), rtol=1e-6)


def test_remove_noops_keeps_outputs():
    nodes = [ph("x", [3]), n("a", "Relu", ["x"]), n("b", "Neg", ["x"]),
             {"name": "noop1", "op": "NoOp", "input": ["^a", "^b"]},
             {"name": "noop2", "op": "NoOp", "input": ["^noop1"]},
             n("y", "AddV2", ["a", "b", "^noop2"]), n("out", "Identity", ["y", "^noop1"])]
    after = gp.remove_noops(copy.deepcopy(nodes), {"x", "out"})
    assert "NoOp" not in ops_of(after)
    by = {x["name"]: x for x in after}
    assert by["y"]["input"] == ["a", "b"]  # the controls on a and b are data inputs already
    assert sorted(by["out"]["input"][1:]) == ["^a", "^b"] and by["out"]["input"][0] == "y"
    x = np.array([-1.5, 0.0, 2.0], np.float32)
    for a, b in zip(run(nodes, {"x": x}, ["out"]), run(after, {"x": x}, ["out"])):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(run(after, {"x": x}, ["out"])[0], np.maximum(x, 0) - x)


def test_drop_const_controls_keeps_outputs():
    nodes = [ph("x", [2]), const("c1", np.array([1.0, 2.0], np.float32)), const("c2", np.float32(3.0)),
             n("m", "Mul", ["x", "c1", "^c2"]), n("a", "AddV2", ["m", "c2", "^c1"]),
             n("out", "Identity", ["a", "^c2"])]
    keep = {"x", "out"}
    after = gp.drop_const_controls(copy.deepcopy(nodes), keep)
    assert not any(t.startswith("^") for x in after for t in x.get("input", []))
    x = np.array([0.5, -4.0], np.float32)
    for a, b in zip(run(nodes, {"x": x}, ["out"]), run(gp.prune(after, keep), {"x": x}, ["out"])):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(run(after, {"x": x}, ["out"])[0], x * np.array([1, 2], np.float32) + 3)


def test_remove_identities_folds_waited_on_constants():
    """An Identity of a constant that something waits on (a frozen variable's ReadVariableOp) becomes the constant
    under its own name, as TensorFlow's constant folding leaves it; other Identities are bypassed."""
    w = rng.standard_normal((3, 2)).astype(np.float32)
    nodes = [ph("x", [1, 3]), const("unknown", w), n("pass", "Identity", ["unknown"]), n("read", "Identity", ["pass"]),
             n("mm", "MatMul", ["x", "read"]), n("out", "Identity", ["mm", "^read"])]
    after = gp.prune(gp.drop_const_controls(gp.remove_identities(copy.deepcopy(nodes), {"x", "out"}), {"x", "out"}),
                     {"x", "out"})
    by = {x["name"]: x for x in after}
    assert "pass" not in by and "unknown" not in by and by["read"]["op"] == "Const"
    np.testing.assert_array_equal(gp.const_value(by["read"]), w)
    assert by["mm"]["input"] == ["x", "read"] and by["out"]["input"] == ["mm"]
    x = rng.standard_normal((1, 3)).astype(np.float32)
    for a, b in zip(run(nodes, {"x": x}, ["out"]), run(after, {"x": x}, ["out"])):
        np.testing.assert_array_equal(a, b)


def test_remove_trivial_arithmetic():
    w = rng.standard_normal((3, 4)).astype(np.float32)
    nodes = [ph("x", [2, 3]), const("w", w), n("mm", "MatMul", ["x", "w"]),
             const("zeros", np.zeros(4, np.float32)),
             n("bias", "BiasAdd", ["mm", "zeros"], data_format=gp.s_attr("NHWC")),
             const("one", np.float32(1)), n("scaled", "Mul", ["one", "bias"]),
             const("zero", np.float32(0)), n("shifted", "AddV2", ["scaled", "zero"]),
             const("two", np.float32(2)), n("doubled", "Mul", ["shifted", "two"]),
             const("b1", np.ones(4, np.float32)),
             n("bias1", "BiasAdd", ["doubled", "b1"], data_format=gp.s_attr("NHWC")),
             n("out", "Identity", ["bias1"])]
    after = gp.prune(gp.remove_trivial_arithmetic(copy.deepcopy(nodes), {"x", "out"}), {"x", "out"})
    names = [x["name"] for x in after]
    assert "bias" not in names and "scaled" not in names and "shifted" not in names
    assert "doubled" in names and "bias1" in names  # x * 2 and a non-zero bias stay
    assert [x for x in after if x["name"] == "doubled"][0]["input"] == ["mm", "two"]
    x = rng.standard_normal((2, 3)).astype(np.float32)
    for a, b in zip(run(nodes, {"x": x}, ["out"]), run(after, {"x": x}, ["out"])):
        np.testing.assert_array_equal(a, b)


def test_swap_maxpool_of_monotonic():
    pool_attrs = {"ksize": {"list": {"i": ["1", "2", "2", "1"]}}, "strides": {"list": {"i": ["1", "2", "2", "1"]}},
                  "padding": gp.s_attr("VALID"), "data_format": gp.s_attr("NHWC")}
    w = rng.standard_normal((3, 3, 2, 1)).astype(np.float32)
    nodes = [ph("x", [1, 6, 6, 2]), const("w", w), n("dw", "DepthwiseConv2dNative", ["x", "w"], **conv_attrs()),
             n("act", "Relu6", ["dw"]), n("pool", "MaxPool", ["act"], **pool_attrs), n("out", "Identity", ["pool"])]
    after = gp.swap_maxpool_of_monotonic(copy.deepcopy(nodes), {"x", "out"})
    by = {x["name"]: x for x in after}
    assert by["pool"]["input"] == ["dw"] and by["act"]["input"] == ["pool"] and by["out"]["input"] == ["act"]
    order = [x["name"] for x in after]
    assert order.index("pool") < order.index("act")
    x = rng.standard_normal((1, 6, 6, 2)).astype(np.float32) * 4
    for a, b in zip(run(nodes, {"x": x}, ["out"]), run(after, {"x": x}, ["out"])):
        np.testing.assert_array_equal(a, b)
    # Relu of a BiasAdd stays where it is (the remapper fuses that chain)
    biased = [ph("x", [1, 6, 6, 2]), const("b", np.ones(2, np.float32)),
              n("ba", "BiasAdd", ["x", "b"], data_format=gp.s_attr("NHWC")), n("act", "Relu", ["ba"]),
              n("pool", "MaxPool", ["act"], **pool_attrs), n("out", "Identity", ["pool"])]
    kept = gp.swap_maxpool_of_monotonic(copy.deepcopy(biased), {"x", "out"})
    assert {x["name"]: x["input"] for x in kept if "input" in x} == {x["name"]: x["input"] for x in biased
                                                                         if "input" in x}
    # a non-monotonic op (Neg) is not swapped
    neg = [ph("x", [1, 4, 4, 1]), n("act", "Neg", ["x"]), n("pool", "MaxPool", ["act"], **pool_attrs),
           n("out", "Identity", ["pool"])]
    assert [x.get("input") for x in gp.swap_maxpool_of_monotonic(copy.deepcopy(neg), {"x", "out"})] == \
        [None, ["x"], ["act"], ["pool"]]


def test_fold_batch_norms_official_names_and_bytes():
    """The folded filter and offset carry the official converter's names (<conv>_weights, <conv>_bn_offset) and
    its arithmetic: var + epsilon in float32, then 1/sqrt, the scale and offset in float64, rounded once."""
    w = rng.standard_normal((3, 3, 2, 3)).astype(np.float32)
    gamma, beta, mean = (rng.standard_normal(3).astype(np.float32) for _ in range(3))
    var = np.abs(rng.standard_normal(3)).astype(np.float32) + 0.1
    nodes = [ph("x", [1, 4, 4, 2]), const("w", w), n("conv", "Conv2D", ["x", "w"], **conv_attrs()),
             const("g", gamma), const("be", beta), const("m", mean), const("v", var),
             n("bn", "FusedBatchNormV3", ["conv", "g", "be", "m", "v"], epsilon={"f": 0.001},
               is_training={"b": False}, data_format=gp.s_attr("NHWC")), n("out", "Identity", ["bn"])]
    after = gp.prune(gp.fold_batch_norms(copy.deepcopy(nodes), {"x", "out"}), {"x", "out"})
    by = {x["name"]: x for x in after}
    eps = float(np.float32(0.001))
    scale = (1.0 / np.sqrt((var + np.float32(eps)).astype(np.float64))) * gamma.astype(np.float64)
    want_w = np.array([[[[np.float32(float(w[i, j, k, c]) * float(scale[c])) for c in range(3)] for k in range(2)]
                        for j in range(3)] for i in range(3)], np.float32)
    want_b = np.array([np.float32(float(-mean[c]) * float(scale[c]) + float(beta[c])) for c in range(3)], np.float32)
    assert gp.const_value(by["conv_weights"]).tobytes() == want_w.tobytes()
    assert gp.const_value(by["conv_bn_offset"]).tobytes() == want_b.tobytes()
    assert by["conv"]["input"] == ["x", "conv_weights"] and by["bn"]["input"] == ["conv", "conv_bn_offset"]
    # placed before the convolution, the filter first (the order the official converter creates them in, which
    # Grappler's topological sort then keeps among the graph's sources)
    names = [x["name"] for x in after]
    assert names.index("conv_weights") + 1 == names.index("conv_bn_offset") < names.index("conv")


def test_hide_from_remapper():
    """Contractions whose BiasAdd feeds what TF.js cannot run fused (Tanh, a residual Add) lose their device for
    Grappler's remapper (which fuses only CPU contractions); the others keep it; the input is not changed."""
    def chain(p, act):
        return [const(f"{p}w", np.ones((3, 2), np.float32)), {**n(f"{p}mm", "MatMul", ["x", f"{p}w"]),
                                                              "device": "/device:CPU:0"},
                const(f"{p}b", np.ones(2, np.float32)), n(f"{p}bias", "BiasAdd", [f"{p}mm", f"{p}b"]),
                n(f"{p}act", act, [f"{p}bias"] + (["x2"] if act == "AddV2" else []))]
    nodes = [ph("x", [2, 3]), ph("x2", [2, 2])] + chain("t", "Tanh") + chain("r", "Relu") + chain("a", "AddV2")
    out = {x["name"]: x for x in gp.hide_from_remapper(nodes, {"x", "tact", "ract", "aact"})}
    assert [x.get("device") for x in nodes if x["op"] == "MatMul"] == ["/device:CPU:0"] * 3  # input unchanged
    assert "device" not in out["tmm"] and "device" not in out["amm"] and out["rmm"]["device"] == "/device:CPU:0"
    # the usual fusion afterwards: BiasAdd only before the Tanh, BiasAdd + Relu
    fused = gp.fuse_bias_activation(gp.place_contractions_on_cpu(list(out.values()), set()), {"x", "x2", "tact",
                                                                                            "ract", "aact"})
    by = {x["name"]: x for x in fused}
    assert by["tbias"]["op"] == "_FusedMatMul" and by["tact"]["op"] == "Tanh" and by["ract"]["op"] == "_FusedMatMul"
    # a batch norm that could not be folded (its parameters not constant) stays a node of its own
    bn = [ph("x", [1, 4, 4, 2]), const("w", np.ones((1, 1, 2, 3), np.float32)),
          {**n("conv", "Conv2D", ["x", "w"], **conv_attrs()), "device": "/device:CPU:0"},
          ph("g", [3]), n("bn", "FusedBatchNormV3", ["conv", "g", "g", "g", "g"], is_training={"b": False})]
    assert "device" not in {x["name"]: x for x in gp.hide_from_remapper(bn, {"x", "bn"})}["conv"]


def test_optimize_before_fusion_hook():
    """optimize(before_fusion=) hands the graph over just before fuse_bias_activation (the converter's second
    Grappler pass); what it returns is what the fusion and pruning passes go on with."""
    nodes = [ph("x", [2, 3]), const("w", np.ones((3, 2), np.float32)), n("mm", "MatMul", ["x", "w"]),
             const("b", np.ones(2, np.float32)), n("bias", "BiasAdd", ["mm", "b"]), n("r", "Relu", ["bias"]),
             n("out", "Identity", ["r"])]
    seen = []

    def hook(ns):
        seen.append([x["op"] for x in ns])
        assert all(x.get("device") == "/device:CPU:0" for x in ns if x["op"] == "MatMul")
        return list(reversed(ns))  # any order: the remaining passes keep what they get

    after = gp.optimize(copy.deepcopy(nodes), {"x", "out"}, before_fusion=hook)
    assert len(seen) == 1 and "MatMul" in seen[0] and "_FusedMatMul" not in seen[0]
    assert "_FusedMatMul" in ops_of(after)
    assert sorted(ops_of(after)) == sorted(ops_of(gp.optimize(copy.deepcopy(nodes), {"x", "out"})))
    x = rng.standard_normal((2, 3)).astype(np.float32)
    same_outputs(nodes, gp.topo_order(after), {"x": x}, ["out"])
