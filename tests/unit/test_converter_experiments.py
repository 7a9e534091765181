"""--experiments: on SavedModel inputs to graph models it does what the official converter does with it (Grappler
without its compressed-tensor optimization, in both passes): the same model.json and shards as
tensorflowjs_converter 4.22 with --experiments=True. Elsewhere it says that it has no effect."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))

import tfjs as tf  # noqa: E402
from harness import run_async  # noqa: E402
from tfjs.converter import convert  # noqa: E402

def test_experiments_elsewhere_says_it_has_no_effect(tmp_path):
    model = tf.sequential(layers=[tf.layers.dense(units=2, input_shape=[3])])
    run_async(model.save(f"file://{tmp_path}/m"))
    messages = []
    convert(tmp_path / "m" / "model.json", tmp_path / "out", input_format="tfjs_layers_model",
            output_format="tfjs_layers_model", experiments=True, log=messages.append)
    assert any("--experiments has no effect on this conversion" in m for m in messages), messages
    messages.clear()
    convert(tmp_path / "m" / "model.json", tmp_path / "out2", input_format="tfjs_layers_model",
            output_format="tfjs_layers_model", log=messages.append)
    assert not any("--experiments" in m for m in messages)


@pytest.mark.needs_tf
def test_experiments_as_the_official_converter(tmp_path):
    import reference_env
    import saved_model_support as sms

    saved = sms.saved_models() / "conv_bn"  # one of the fixtures ours converts exactly as the official converter
    official = tmp_path / "official"
    reference_env.tfjs_convert(["--input_format=tf_saved_model", "--output_format=tfjs_graph_model",
                                "--experiments=True", str(saved), str(official)])
    ours = tmp_path / "ours"
    messages = []
    convert(saved, ours, input_format="tf_saved_model", output_format="tfjs_graph_model",
            tf_python=str(reference_env.ensure("tfjs")), experiments=True, log=messages.append)
    assert not any("no effect" in m for m in messages)

    def model_json(d):
        mj = json.loads((d / "model.json").read_text())
        mj.pop("convertedBy")
        return mj

    assert model_json(ours) == model_json(official)
    shards = sorted(p.name for p in official.iterdir() if p.suffix == ".bin")
    assert shards and shards == sorted(p.name for p in ours.iterdir() if p.suffix == ".bin")
    assert all((ours / s).read_bytes() == (official / s).read_bytes() for s in shards)
