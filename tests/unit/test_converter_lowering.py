"""tfjs_layers_model / keras / keras_keras -> tfjs_graph_model without TensorFlow (tfjs/converter/lower_layers.py):
the graph model predicts what the layers model (and Keras) predicts; BatchNormalization, bias and activations fold
and fuse; a layer it cannot lower is named in the error."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from harness import run_async

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))

import conv_support  # noqa: E402

import tfjs  # noqa: E402
from tfjs.converter import convert  # noqa: E402
from tfjs.errors import UnsupportedError  # noqa: E402

pytestmark = pytest.mark.needs_tf

CASES = [("keras2", "mlp.h5"), ("keras3", "k3_cnn.keras"), ("keras3", "k3_functional.keras"),
         ("keras3", "k3_mlp.keras")]


def io_of(path):
    d = np.load(path.with_suffix(".npz"))
    xs = [d[k] for k in sorted(k for k in d.files if k.startswith("x"))]
    ys = [d[k] for k in sorted(k for k in d.files if k.startswith("y"))]
    return xs, ys


@pytest.mark.parametrize("kind,name", CASES)
def test_lowered_graph_predicts_like_layers_model(kind, name, tmp_path):
    src = conv_support.keras_models(kind) / name
    layers_dir, graph_dir, graph_dir2 = tmp_path / "layers", tmp_path / "graph", tmp_path / "graph2"
    convert(src, layers_dir, log=None)
    convert(layers_dir / "model.json", graph_dir, input_format="tfjs_layers_model",
            output_format="tfjs_graph_model", log=None)
    convert(src, graph_dir2, output_format="tfjs_graph_model", log=None)  # keras -> graph directly
    assert (graph_dir / "model.json").read_bytes() == (graph_dir2 / "model.json").read_bytes()
    mj = json.loads((graph_dir / "model.json").read_text())
    assert mj["format"] == "graph-model" and len(mj["weightsManifest"]) == 1
    ops = Counter(n["op"] for n in mj["modelTopology"]["node"])
    assert ops["_FusedMatMul"] + ops["_FusedConv2D"] >= 1
    xs, ys = io_of(src)
    layers = run_async(tfjs.load_layers_model(f"file://{layers_dir}/model.json"))
    graph = run_async(tfjs.load_graph_model(f"file://{graph_dir}/model.json"))
    want = layers.predict(xs if len(xs) > 1 else xs[0])
    got = graph.predict(xs if len(xs) > 1 else xs[0])
    want = want if isinstance(want, (list, tuple)) else [want]
    got = got if isinstance(got, (list, tuple)) else [got]
    for g, w, y in zip(got, want, ys):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(np.asarray(g), y, rtol=1e-4, atol=1e-4)


def test_k3_cnn_fuses_convolutions(tmp_path):
    src = conv_support.keras_models("keras3") / "k3_cnn.keras"
    convert(src, tmp_path / "g", output_format="tfjs_graph_model", log=None)
    ops = Counter(n["op"] for n in json.loads((tmp_path / "g" / "model.json").read_text())["modelTopology"]["node"])
    assert ops["_FusedConv2D"] == 2 and ops["FusedDepthwiseConv2dNative"] == 1 and "BiasAdd" not in ops


def test_layer_that_cannot_be_lowered_is_named(tmp_path):
    src = conv_support.keras_models("keras2") / "cnn.h5"
    with pytest.raises(UnsupportedError, match=r"layer 'conv2d_transpose' \(Conv2DTranspose\)"):
        convert(src, tmp_path / "g", output_format="tfjs_graph_model", log=None)
    assert not (tmp_path / "g").exists()
