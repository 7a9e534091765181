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
    assert len(fused) == 1 and fused[0]["name"] == last
    names = [base64.b64decode(s).decode() for s in fused[0]["attr"]["fused_ops"]["list"]["s"]]
    assert names == ["BiasAdd"] + ([act] if act else [])
    assert fused[0]["attr"]["num_args"] == {"i": "2" if act == "Prelu" else "1"}
    assert fused[0]["attr"]["epsilon"] == {"f": 0.0}
    if act == "LeakyRelu":
        assert fused[0]["attr"]["leakyrelu_alpha"] == {"f": 0.15}
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
