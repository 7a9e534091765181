"""Input formats and SavedModel flags of the graph converter: input-format detection of a model.json, a real Keras
2 SavedModel (keras_metadata.pb, written by tf_keras), --saved_model_tags, --strip_debug_ops=False, tf_hub with a
local module directory (and a URL: no network). Models: tests/fixtures/make_converter_inputs.py, built by
TensorFlow 2.21 / tf_keras 2.19 in the reference environments, with their outputs on a fixed input."""

from __future__ import annotations

import filecmp
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))

import conv_support  # noqa: E402
import saved_model_support as sms  # noqa: E402
from harness import run_async  # noqa: E402

import tfjs  # noqa: E402
from tfjs.converter import ConverterError, convert  # noqa: E402
from tfjs.converter.api import detect_input_format  # noqa: E402
from tfjs.converter.cli import main as cli_main  # noqa: E402
from tfjs.errors import UnsupportedError  # noqa: E402

pytestmark = pytest.mark.needs_tf


@pytest.fixture(scope="module")
def inputs():
    return sms.converter_inputs()


@pytest.fixture(scope="module")
def tf_python():
    return sms.tf_python()


def ops(out: Path) -> Counter:
    return Counter(n["op"] for n in json.loads((out / "model.json").read_text())["modelTopology"]["node"])


def predict(out: Path, x: np.ndarray) -> np.ndarray:
    model = run_async(tfjs.load_graph_model(f"file://{out}/model.json"))
    return np.asarray(model.predict(x))


def test_model_json_detected_as_layers_model(tmp_path):
    k2 = conv_support.keras_models("keras2")
    convert(k2 / "cnn.h5", tmp_path / "layers", log=None)
    mj_path = tmp_path / "layers" / "model.json"
    assert detect_input_format(str(mj_path)) == "tfjs_layers_model"
    # no --input_format: model.json -> tfjs_layers_model -> keras (.h5, the default output for it)
    rc = cli_main(["--no_progress", str(mj_path), str(tmp_path / "back.h5")])
    assert rc == 0
    res = convert(mj_path, tmp_path / "back2.h5", log=None)
    assert (res["input_format"], res["output_format"]) == ("tfjs_layers_model", "keras")
    # the .h5 converts back to the very same model.json and shards
    convert(tmp_path / "back.h5", tmp_path / "again", log=None)
    a = json.loads(mj_path.read_text())
    b = json.loads((tmp_path / "again" / "model.json").read_text())
    assert a == b
    for p in a["weightsManifest"][0]["paths"]:
        assert filecmp.cmp(tmp_path / "layers" / p, tmp_path / "again" / p, shallow=False)
    # re-sharding a model.json with no --input_format
    res = convert(mj_path, tmp_path / "resharded", output_format="tfjs_layers_model", weight_shard_size_bytes=500,
                  log=None)
    assert res["input_format"] == "tfjs_layers_model"
    paths = json.loads((tmp_path / "resharded" / "model.json").read_text())["weightsManifest"][0]["paths"]
    assert len(paths) > 2 and all((tmp_path / "resharded" / p).stat().st_size == 500 for p in paths[:-1])


def test_keras_saved_model(inputs, tf_python, tmp_path):
    src = inputs / "keras_sm"
    assert (src / "keras_metadata.pb").exists()
    assert detect_input_format(str(src)) == "keras_saved_model"
    out = tmp_path / "graph"
    res = convert(src, out, input_format="keras_saved_model", output_format="tfjs_graph_model", tf_python=tf_python,
                  log=None)
    assert res["input_format"] == "keras_saved_model"
    # the untrained model's biases are zeros: dropped (as TensorFlow's constant folding drops them in the official
    # converter), so the MatMuls stay plain, Relu a node of its own
    assert ops(out)["MatMul"] == 2 and ops(out)["Relu"] == 1 and ops(out)["Softmax"] == 1
    assert "BiasAdd" not in ops(out) and "_FusedMatMul" not in ops(out)
    mj = json.loads((out / "model.json").read_text())
    assert list(mj["signature"]["inputs"]) == ["features"]
    d = np.load(inputs / "keras_sm.npz")
    np.testing.assert_allclose(predict(out, d["x"]), d["y"], rtol=1e-5, atol=1e-6)
    # detected, without --input_format (and --output_format tfjs_graph_model)
    res = convert(src, tmp_path / "detected", output_format="tfjs_graph_model", tf_python=tf_python, log=None)
    assert res["input_format"] == "keras_saved_model"
    # to a layers model: refused with a reason that names the path
    with pytest.raises(UnsupportedError, match="keras_saved_model --output_format tfjs_layers_model"):
        convert(src, tmp_path / "layers", input_format="keras_saved_model", tf_python=tf_python, log=None)
    assert not (tmp_path / "layers").exists()


def test_saved_model_tags(inputs, tf_python, tmp_path):
    src = inputs / "tagged"
    d = np.load(inputs / "tagged.npz")
    out = tmp_path / "tagged"
    convert(src, out, saved_model_tags="custom,edge", tf_python=tf_python, log=None)
    np.testing.assert_allclose(predict(out, d["x"]), d["y"], rtol=1e-5)
    # the order of the tags does not matter; the CLI flag reaches the freeze step
    rc = cli_main(["--input_format=tf_saved_model", "--saved_model_tags=edge,custom", f"--tf_python={tf_python}",
                   "--no_progress", str(src), str(tmp_path / "cli")])
    assert rc == 0
    np.testing.assert_allclose(predict(tmp_path / "cli", d["x"]), d["y"], rtol=1e-5)
    # the default tags (serve) are not in this SavedModel: an error naming the flag and the tag sets there are
    with pytest.raises(ConverterError, match=r"--saved_model_tags serve: .*its tag sets: custom,edge"):
        convert(src, tmp_path / "serve", tf_python=tf_python, log=None)
    assert not (tmp_path / "serve").exists()
    with pytest.raises(ConverterError, match=r"--saved_model_tags custom: "):
        convert(src, tmp_path / "one", saved_model_tags="custom", tf_python=tf_python, log=None)


def test_strip_debug_ops_false_keeps_them(inputs, tf_python, tmp_path):
    src = inputs / "hub"
    d = np.load(inputs / "hub.npz")
    stripped, kept = tmp_path / "stripped", tmp_path / "kept"
    convert(src, stripped, input_format="tf_hub", tf_python=tf_python, log=None)
    rc = cli_main(["--input_format=tf_hub", "--strip_debug_ops=False", f"--tf_python={tf_python}", "--no_progress",
                   str(src), str(kept)])
    assert rc == 0
    assert ops(stripped)["CheckNumerics"] == 0 and ops(stripped)["Assert"] == 0
    assert ops(kept)["CheckNumerics"] == 1 and ops(kept)["Assert"] == 1
    for out in (stripped, kept):
        np.testing.assert_allclose(predict(out, d["x"]), d["y"], rtol=1e-5)
    # and they stay wired in: the matmul reads the input through CheckNumerics; the Assert reads the input
    nodes = {n["name"]: n for n in json.loads((kept / "model.json").read_text())["modelTopology"]["node"]}
    check = [n for n in nodes.values() if n["op"] == "CheckNumerics"][0]
    assert check["input"] == ["x"] and gp_attr(check, "message") == "bad input"
    fused = [n for n in nodes.values() if n["op"] == "_FusedMatMul"][0]
    assert fused["input"][0] == check["name"]
    assert any(t.split(":")[0].lstrip("^") in nodes for t in
               [n for n in nodes.values() if n["op"] == "Assert"][0]["input"])


def gp_attr(node, key):
    from tfjs.converter.graph_passes import attr_s

    return attr_s(node, key)


def test_tf_hub_local_module_and_url(inputs, tf_python, tmp_path):
    src = inputs / "hub"
    d = np.load(inputs / "hub.npz")
    out = tmp_path / "hub"
    res = convert(src, out, input_format="tf_hub", tf_python=tf_python, log=None)
    assert res["output_format"] == "tfjs_graph_model"  # the default for tf_hub
    mj = json.loads((out / "model.json").read_text())
    assert list(mj["signature"]["inputs"]) == ["x"] and list(mj["signature"]["outputs"]) == ["y"]
    np.testing.assert_allclose(predict(out, d["x"]), d["y"], rtol=1e-5)
    # tf_saved_model on the same directory looks for serving_default, which a hub module lacks
    with pytest.raises(ConverterError, match="Signature 'serving_default' does not exist.*'default'"):
        convert(src, tmp_path / "sm", tf_python=tf_python, log=None)
    # a URL: no network here, a clear error before anything is fetched or written
    url = "https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/classification/5"
    for fmt in ("tf_hub", None):
        with pytest.raises(ConverterError, match=r"is a URL; this converter reads local SavedModel directories"):
            convert(url, tmp_path / "url", input_format=fmt, tf_python=tf_python, log=None)
    assert not (tmp_path / "url").exists()
    rc = cli_main(["--input_format=tf_hub", "--no_progress", url, str(tmp_path / "url")])
    assert rc == 1
