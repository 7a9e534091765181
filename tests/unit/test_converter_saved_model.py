"""SavedModels -> graph models: ours (tfjs-convert, the TensorFlow freeze step run in the `tf` reference
environment through tf_python=) against TensorFlow's outputs and against the official tensorflowjs_converter 4.22
on the same SavedModels (tests/fixtures/make_saved_models.py; cached under ~/.cache/tfjs-reference/work/).

Deliberate differences from the official output (documented in tfjs/converter/graph_passes.py):
- Tanh is not fused into _FusedMatMul (TF.js 4.22's fused kernels reject it); the official converter fuses it.
- Keras 3 BatchNormalization (Mul + AddV2 after the convolution) and Relu6 / Dense activations fold and fuse here;
  the official converter leaves Conv2D/DepthwiseConv2dNative/MatMul + Mul/AddV2/Relu6 there.
- Signature output keys are the SavedModel's structured names; the official converter's v1 fallback (taken for
  graphs with Assert) keys them by tensor name.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from harness import run_async

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))

import saved_model_support as sms  # noqa: E402

import tfjs  # noqa: E402
from tfjs.converter import convert  # noqa: E402
from tfjs.converter.pbwire import read_graph_def, strip_arrays  # noqa: E402

VARIANTS = {**{n: (n, []) for n in sms.NAMES},
            "cond_v2": ("cond", ["--control_flow_v2=True"]), "while_v2": ("while", ["--control_flow_v2=True"])}


@pytest.fixture(scope="module")
def saved():
    return sms.saved_models()


@pytest.fixture(scope="module")
def ours(saved, tmp_path_factory):
    root = tmp_path_factory.mktemp("ours-graph")
    tf_python = sms.tf_python()
    out = {}
    for tag, (src, flags) in VARIANTS.items():
        convert(saved / src, root / tag, tf_python=tf_python, control_flow_v2="--control_flow_v2=True" in flags,
                log=None)
        out[tag] = root / tag
    return out


@pytest.fixture(scope="module")
def official():
    return sms.official_graph_models(VARIANTS)


def cases(saved, src):
    d = np.load(saved / f"{src}.npz", allow_pickle=True)
    for case in sorted({k.split("/")[0] for k in d.files}):
        ins = {k.split("in:")[1]: d[k] for k in d.files if k.startswith(case + "/in:")}
        outs = {k.split("out:")[1]: d[k] for k in d.files if k.startswith(case + "/out:")}
        yield ins, outs


def predict_all(model_dir, ins, out_keys):
    model = run_async(tfjs.load_graph_model(f"file://{model_dir}/model.json"))
    sig = json.loads((Path(model_dir) / "model.json").read_text())["signature"]
    feed = {}
    for k, v in ins.items():
        if k in sig["inputs"]:
            feed[k] = v.astype(object) if v.dtype.kind in "SUO" else v
    got = model.execute(feed, [sig["outputs"][k]["name"] for k in out_keys] if set(out_keys) <= set(sig["outputs"])
                        else None)
    got = got if isinstance(got, (list, tuple)) else [got]
    return dict(zip(out_keys, got))


def check(got, want, label):
    got = np.asarray(got)
    assert list(got.shape) == list(want.shape), label
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5, err_msg=label)
    elif want.dtype.kind in "SUO":
        assert [bytes(v) for v in got.reshape(-1)] == [bytes(v) for v in want.reshape(-1)], label
    else:
        np.testing.assert_array_equal(got.astype(want.dtype), want, err_msg=label)


@pytest.mark.parametrize("tag", sorted(VARIANTS))
def test_ours_predicts_like_tensorflow(saved, ours, tag):
    src = VARIANTS[tag][0]
    for ins, outs in cases(saved, src):
        got = predict_all(ours[tag], ins, sorted(outs))
        for k, v in outs.items():
            check(got[k], v, f"{tag}:{k}")


def _official_keys(official_dir, ours_dir, keys):
    """The official signature's output keys for our keys (same tensor names)."""
    osig = json.loads((Path(official_dir) / "model.json").read_text())["signature"]["outputs"]
    ssig = json.loads((Path(ours_dir) / "model.json").read_text())["signature"]["outputs"]
    by_name = {v["name"]: k for k, v in osig.items()}
    return [by_name.get(ssig[k]["name"], k) for k in keys]


@pytest.mark.parametrize("tag", sorted(VARIANTS))
def test_official_output_predicts_here_too(saved, ours, official, tag):
    if isinstance(official[tag], str):
        pytest.fail(f"official converter failed: {official[tag]}")
    src = VARIANTS[tag][0]
    for ins, outs in cases(saved, src):
        keys = sorted(outs)
        got = predict_all(official[tag], ins, _official_keys(official[tag], ours[tag], keys))
        for k, ok in zip(keys, _official_keys(official[tag], ours[tag], keys)):
            check(got[ok], outs[k], f"official {tag}:{k}")


def ops(model_dir):
    mj = json.loads((Path(model_dir) / "model.json").read_text())
    return Counter(n["op"] for n in mj["modelTopology"]["node"])


def test_conv_bn_same_fusions_and_weights_as_official(ours, official):
    """Conv + BatchNorm + activations: the same op histogram as the official converter, and the same weights
    (batch-norm-folded filters and biases equal within float rounding, other weights byte-identical)."""
    assert ops(ours["conv_bn"]) == ops(official["conv_bn"])
    for d in (ours["conv_bn"], official["conv_bn"]):
        assert ops(d)["_FusedConv2D"] == 3 and ops(d)["FusedDepthwiseConv2dNative"] == 1
    model_o = run_async(tfjs.load_graph_model(f"file://{ours['conv_bn']}/model.json"))
    model_r = run_async(tfjs.load_graph_model(f"file://{official['conv_bn']}/model.json"))
    mine = sorted(model_o.weights.values(), key=lambda a: (a.shape, a.reshape(-1)[:1].tolist()))
    theirs = sorted(model_r.weights.values(), key=lambda a: (a.shape, a.reshape(-1)[:1].tolist()))
    assert [a.shape for a in mine] == [a.shape for a in theirs]
    exact = 0
    for a in theirs:
        match = [b for b in mine if b.shape == a.shape and np.allclose(a, b, rtol=1e-5, atol=1e-6)]
        assert match, f"official weight of shape {a.shape} has no counterpart here"
        exact += any(b.tobytes() == a.tobytes() for b in match)
    assert exact >= 4  # the unfolded ones (1x1 / 3x3 conv filters and biases, dense) are byte-identical
    # fused attrs follow TF.js's conventions
    mj = json.loads((ours["conv_bn"] / "model.json").read_text())
    fused = [n for n in mj["modelTopology"]["node"] if n["op"] == "_FusedConv2D"]
    for n in fused:
        assert n["attr"]["num_args"] == {"i": "1"} and n["attr"]["epsilon"] == {"f": 0.0}
    leaky = [n for n in fused if "TGVha3lSZWx1" in n["attr"]["fused_ops"]["list"]["s"][1:]]
    assert leaky and leaky[0]["attr"]["leakyrelu_alpha"]["f"] == pytest.approx(0.1)


def test_dense_fusions(ours, official):
    mine, theirs = ops(ours["dense"]), ops(official["dense"])
    assert mine["_FusedMatMul"] == theirs["_FusedMatMul"] == 4
    # debug ops stripped (CheckNumerics, Assert); Tanh stays unfused on purpose
    assert not {"CheckNumerics", "Assert", "Print"} & set(mine)
    mj = json.loads((ours["dense"] / "model.json").read_text())
    fused_ops = [[__import__("base64").b64decode(s).decode() for s in n["attr"]["fused_ops"]["list"]["s"]]
                 for n in mj["modelTopology"]["node"] if n["op"] == "_FusedMatMul"]
    assert ["BiasAdd", "Relu"] in fused_ops and ["BiasAdd", "Elu"] in fused_ops and ["BiasAdd"] in fused_ops


def test_keras_saved_model(ours, official):
    mine = ops(ours["keras"])
    assert mine["_FusedConv2D"] == 1 and mine["FusedDepthwiseConv2dNative"] == 1 and mine["_FusedMatMul"] == 2
    assert "Mul" not in mine and "AddV2" not in mine  # Keras 3 batch norm folded into the convolution
    assert ops(official["keras"])["_FusedConv2D"] == 1


def test_control_flow_v2_kept_as_functions(ours, official):
    for tag in ("cond_v2", "while_v2"):
        mine, theirs = ops(ours[tag]), ops(official[tag])
        cf = {"If", "StatelessIf", "While", "StatelessWhile"}
        assert set(mine) & cf and (set(mine) & cf) == (set(theirs) & cf), tag
        mj = json.loads((ours[tag] / "model.json").read_text())
        assert mj["modelTopology"]["library"]["function"]
    for tag in ("cond", "while"):
        assert not {"If", "StatelessIf", "While", "StatelessWhile"} & set(ops(ours[tag]))
        assert {"Switch", "Merge"} <= set(ops(ours[tag]))
    # function-body constants are weights named <function>/<node>
    mj = json.loads((ours["cond_v2"] / "model.json").read_text())
    fnames = {f["signature"]["name"] for f in mj["modelTopology"]["library"]["function"]}
    names = [w["name"] for w in mj["weightsManifest"][0]["weights"]]
    assert any(n.split("/")[0] in fnames for n in names)


def test_hash_table_initializer(ours, official):
    mj = json.loads((ours["hash_table"] / "model.json").read_text())
    ref = json.loads((official["hash_table"] / "model.json").read_text())
    assert set(mj) == set(ref) - {"userDefinedMetadata"}
    res_inputs = [v for v in mj["signature"]["inputs"].values() if v["dtype"] == "DT_RESOURCE"]
    assert len(res_inputs) == 1
    rid = res_inputs[0]["resourceId"]
    assert [v["resourceId"] for v in mj["initializerSignature"]["outputs"].values()] == [rid]
    init_ops = Counter(n["op"] for n in mj["modelInitializer"]["node"])
    assert init_ops["HashTableV2"] == 1 and init_ops["LookupTableImportV2"] == 1
    weights = mj["weightsManifest"][0]["weights"]
    assert {"dtype": "string", "shape": [3]} in [{k: w[k] for k in ("dtype", "shape")} for w in weights]


def test_model_json_layout(ours, saved):
    for tag, d in ours.items():
        mj = json.loads((d / "model.json").read_text())
        assert list(mj)[:5] == ["format", "generatedBy", "convertedBy", "signature", "modelTopology"], tag
        assert mj["format"] == "graph-model" and mj["generatedBy"] == "2.21.0"
        assert "tfjs for Python" in mj["convertedBy"]
        assert len(mj["weightsManifest"]) == 1
        for n in mj["modelTopology"]["node"]:
            if n["op"] == "Const":
                assert set(n["attr"]["value"]["tensor"]) <= {"dtype", "tensorShape"}, (tag, n["name"])
        consts = [n["name"] for n in mj["modelTopology"]["node"] if n["op"] == "Const"]
        assert [w["name"] for w in mj["weightsManifest"][0]["weights"]][:len(consts)] == consts


def test_metadata_structured_outputs_and_sharding(saved, tmp_path):
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({"a": 1}))
    out = tmp_path / "out"
    convert(saved / "conv_bn", out, tf_python=sms.tf_python(), metadata=f"info:{meta}",
            use_structured_outputs_names=True, weight_shard_size_bytes=1000, quantize_uint8="*filter*", log=None)
    mj = json.loads((out / "model.json").read_text())
    assert mj["userDefinedMetadata"] == {"info": {"a": 1}, "structuredOutputKeys": ["features", "probs"]}
    paths = mj["weightsManifest"][0]["paths"]
    assert len(paths) > 1 and all((out / p).stat().st_size == 1000 for p in paths[:-1])
    assert any(w.get("quantization", {}).get("dtype") == "uint8" for w in mj["weightsManifest"][0]["weights"])
    model = run_async(tfjs.load_graph_model(f"file://{out}/model.json"))
    ins, outs = next(cases(saved, "conv_bn"))
    got = model.predict(ins)
    assert isinstance(got, dict)
    np.testing.assert_allclose(got["probs"], outs["probs"], atol=0.05)


def test_signature_errors_and_missing_tensorflow(saved, tmp_path, monkeypatch):
    from tfjs.converter import ConverterError

    with pytest.raises(ConverterError, match="Signature 'nope' does not exist"):
        convert(saved / "dense", tmp_path / "x", tf_python=sms.tf_python(), signature_name="nope", log=None)
    assert not (tmp_path / "x").exists()
    monkeypatch.delenv("TFJS_TF_PYTHON", raising=False)
    import tfjs.converter.saved_model as sm

    monkeypatch.setattr(sm, "_tf_importable", lambda: False)
    with pytest.raises(ImportError, match=r"pip install 'tfjs\[tensorflow\]'"):
        convert(saved / "dense", tmp_path / "y", log=None)
    monkeypatch.setenv("TFJS_TF_PYTHON", sms.tf_python())
    convert(saved / "hash_table", tmp_path / "z", log=None)
    assert (tmp_path / "z" / "model.json").exists()


def test_cli_saved_model(saved, tmp_path):
    from tfjs.converter.cli import main

    rc = main(["--input_format=tf_saved_model", "--output_format=tfjs_graph_model", f"--tf_python={sms.tf_python()}",
               "--no_progress", str(saved / "while"), str(tmp_path / "w")])
    assert rc == 0 and (tmp_path / "w" / "group1-shard1of1.bin").exists()


# ------------------------------------------------------------------------------------------------------
# Frozen GraphDef input (no TensorFlow) and our protobuf reader


def _no_values(obj):
    if isinstance(obj, dict):
        if "tensor" in obj and isinstance(obj["tensor"], dict):
            t = obj["tensor"]
            obj = {**obj, "tensor": {k: t[k] for k in ("dtype", "tensorShape") if k in t}}
        return {k: _no_values(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_no_values(v) for v in obj]
    return obj


def test_protobuf_reader_matches_message_to_dict(saved):
    ref = json.loads((saved / "dense_frozen.json").read_text())
    mine = read_graph_def((saved / "dense_frozen.pb").read_bytes())
    assert _no_values(strip_arrays(mine)) == _no_values(ref["graph_def"])
    for n in mine["node"]:
        if n["op"] == "Const" and n["name"] in ref["consts"]:
            np.testing.assert_array_equal(n["attr"]["value"]["tensor"]["__array__"], np.array(ref["consts"][n["name"]]))


def test_frozen_model_without_tensorflow(saved, tmp_path, monkeypatch):
    monkeypatch.delenv("TFJS_TF_PYTHON", raising=False)
    ref = json.loads((saved / "dense_frozen.json").read_text())
    outs = ",".join(t.split(":")[0] for t in ref["outputs"])
    out = tmp_path / "frozen"
    convert(saved / "dense_frozen.pb", out, input_format="tf_frozen_model", output_node_names=outs, log=None)
    mj = json.loads((out / "model.json").read_text())
    assert set(mj["signature"]) == {"outputs"}
    model = run_async(tfjs.load_graph_model(f"file://{out}/model.json"))
    for ins, want in cases(saved, "dense"):
        got = model.execute({"x": ins["x"]}, [f"{t.split(':')[0]}" for t in ref["outputs"]])
        check(got[0], want["logits"], "frozen logits")


def test_unsupported_ops_reported_before_writing(tmp_path):
    from tfjs.converter.saved_model import graph_def_to_model
    from tfjs.errors import UnsupportedError
    from tfjs.graph import builder as gb

    topo = gb.graph_def([gb.placeholder("x", "float32", [2]), gb.node("a", "FancyOp", ["x"]),
                         gb.node("b", "FancyOp", ["a"]), gb.node("c", "OtherOp", ["b"]),
                         gb.node("y", "Identity", ["c"])])
    sig = {"inputs": {"x": {"name": "x:0"}}, "outputs": {"y": {"name": "y:0"}}}
    with pytest.raises(UnsupportedError) as e:
        graph_def_to_model(topo, sig)
    assert "FancyOp: a, b" in str(e.value) and "OtherOp: c" in str(e.value)
    topology, _, _ = graph_def_to_model(gb.graph_def(topo["node"]), sig, skip_op_check=True)
    assert [n["op"] for n in topology["node"]].count("FancyOp") == 2


_ = os
