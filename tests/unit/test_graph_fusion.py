"""The executor's folding of residual adds (and the activation after them) into the convolution before them:
which nodes fold, the same values on cpu as the graph as written, and on the wasm backend (its kernels run
under CPython through wasmtime) one fused kernel call per folded chain, within 1e-5 of cpu."""

from __future__ import annotations


import numpy as np
import pytest

import tfjs as tf
from tfjs.graph import builder as gb
from tfjs.graph.fusion import fuse_residual_adds

RNG = np.random.default_rng(15)
C = 6


def _w(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def residual_model(extra=()):
    """x -> relu(conv1x1(x) + b1 + x) = r1 -> dw3x3(r1) + bd + r1 = add2 -> out (Identity)."""
    conv = dict(strides=[1, 1, 1, 1], padding="SAME", data_format="NHWC", dilations=[1, 1, 1, 1],
                fused_ops=["BiasAdd"], num_args=1, T=gb.dtype("float32"))
    n = [gb.placeholder("x", "float32", [1, 7, 9, C]),
         gb.const("w1", _w(1, 1, C, C)), gb.const("b1", _w(C)),
         gb.const("wd", _w(3, 3, C, 1)), gb.const("bd", _w(C)),
         gb.node("conv1", "_FusedConv2D", ["x", "w1", "b1"], **conv),
         gb.node("add1", "AddV2", ["conv1", "x"]),
         gb.node("r1", "Relu", ["add1"]),
         gb.node("dw", "FusedDepthwiseConv2dNative", ["r1", "wd", "bd"], **conv),
         gb.node("add2", "AddV2", ["r1", "dw"]),
         gb.node("out", "Identity", ["add2"]), *extra]
    return gb.model(gb.graph_def(n))


def test_residual_add_and_relu_fold_into_the_convolution():
    model = residual_model()
    fused, removed = fuse_residual_adds(model.graph)
    assert removed == {"conv1", "add1", "dw"}
    r1, add2 = fused.nodes["r1"], fused.nodes["add2"]
    assert (r1.op, r1.attrs["fused_ops"], r1.attrs["num_args"]) == ("_FusedConv2D", ["BiasAdd", "Add", "Relu"], 2)
    assert r1.inputs == [("x", 0), ("w1", 0), ("b1", 0), ("x", 0)]
    assert (add2.op, add2.attrs["fused_ops"]) == ("FusedDepthwiseConv2dNative", ["BiasAdd", "Add"])
    assert add2.inputs == [("r1", 0), ("wd", 0), ("bd", 0), ("r1", 0)]
    assert "conv1" in model.graph.nodes and model.graph.nodes["r1"].op == "Relu"   # the model's graph is kept


def test_a_convolution_with_another_consumer_or_an_activation_is_not_folded():
    model = residual_model([gb.node("peek", "Identity", ["conv1"])])
    _, removed = fuse_residual_adds(model.graph)
    assert removed == {"dw"}   # conv1 is read by peek too
    conv = dict(strides=[1, 1, 1, 1], padding="SAME", data_format="NHWC", dilations=[1, 1, 1, 1],
                fused_ops=["BiasAdd", "Relu"], num_args=1)
    n = [gb.placeholder("x", "float32", [1, 4, 4, C]), gb.const("w", _w(1, 1, C, C)), gb.const("b", _w(C)),
         gb.node("conv", "_FusedConv2D", ["x", "w", "b"], **conv), gb.node("add", "AddV2", ["conv", "x"])]
    assert fuse_residual_adds(gb.model(gb.graph_def(n)).graph)[1] == set()   # add after relu: not the same
    conv["fused_ops"], conv["data_format"] = ["BiasAdd"], "NCHW"
    n[3] = gb.node("conv", "_FusedConv2D", ["x", "w", "b"], **conv)
    assert fuse_residual_adds(gb.model(gb.graph_def(n)).graph)[1] == set()   # NCHW: the add sees NCHW


def _reference(x, model):
    """The graph's arithmetic in numpy, op by op."""
    w = model.weights if model.weights else {}
    consts = {k: v.attrs["value"] for k, v in model.graph.nodes.items() if v.op == "Const"}
    consts.update(w)
    from tfjs.backends import find_backend

    cpu = find_backend("cpu")
    c1 = cpu.kernel("Conv2D")(x, consts["w1"], strides=1, pad="same", dilations=1) + consts["b1"]
    r1 = np.maximum(c1 + x, 0)
    dw = cpu.kernel("DepthwiseConv2dNative")(r1, consts["wd"], strides=1, pad="same", dilations=1) + consts["bd"]
    return r1, r1 + dw


def test_cpu_values_are_those_of_the_graph_as_written_and_removed_nodes_stay_fetchable():
    tf.set_backend("cpu")
    model = residual_model()
    x = _w(1, 7, 9, C)
    folded = model.execute(x, "out")
    r1, add1, out = model.execute(x, ["r1", "add1", "out"])   # fetches add1: the graph as written
    np.testing.assert_array_equal(folded, out)
    ref_r1, ref_out = _reference(x, model)
    np.testing.assert_allclose(out, ref_out, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(r1, ref_r1, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(np.maximum(add1, 0), r1)


@pytest.fixture
def wasm_backend(wasm_kernels_path):
    pytest.importorskip("wasmtime")
    from tfjs.backends import manager
    from tfjs.backends.wasm import WasmBackend
    from tfjs.backends.wasm.runtime_wasmtime import WasmtimeHost

    host = WasmtimeHost(wasm_kernels_path)
    manager.register_backend("wasm", lambda: WasmBackend(host=host), priority=-1)
    try:
        tf.set_backend("wasm")
        yield manager.find_backend("wasm")
    finally:
        tf.set_backend("cpu")
        manager.remove_backend("wasm")


def test_on_wasm_each_folded_chain_is_one_fused_kernel_call(wasm_backend):
    be = wasm_backend
    model = residual_model()
    x = _w(1, 7, 9, C)
    be.reset_stats()
    be.start_profile()
    got = model.execute(x, "out")
    prof = be.stop_profile()
    assert {k: len(v) for k, v in prof.items()} == {"FusedConv2D": 1, "FusedDepthwiseConv2D": 1}
    assert be.fallback_report() == {}
    tf.set_backend("cpu")
    want = model.execute(x, "out")
    scale = float(np.abs(want).max())
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * scale)
