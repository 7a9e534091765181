"""tfjs_layers_model -> keras_saved_model: TensorFlow (the reference environment's, through --tf_python) loads
the SavedModel we write and predicts what the layers model predicts here, within 1e-5; the output folder is
whole or absent; without TensorFlow the error says what to install."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))

import tfjs as tf  # noqa: E402
from harness import run_async  # noqa: E402
from tfjs.converter import convert  # noqa: E402
from tfjs.converter.write import ConverterError  # noqa: E402

PREDICT = r'''
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, tensorflow as tf
loaded = tf.saved_model.load(sys.argv[1])
fn = loaded.signatures["serving_default"]
x = np.load(sys.argv[2])
(out,) = fn(tf.constant(x)).values()
np.save(sys.argv[3], out.numpy())
'''


def _layers_model(tmp_path: Path) -> Path:
    model = tf.sequential(layers=[
        tf.layers.conv2d(filters=3, kernel_size=3, input_shape=[6, 6, 2], activation="relu", padding="same"),
        tf.layers.max_pooling2d(pool_size=2), tf.layers.flatten(),
        tf.layers.dense(units=4, activation="tanh"), tf.layers.dense(units=2, activation="softmax")])
    run_async(model.save(f"file://{tmp_path}/layers"))
    return tmp_path / "layers" / "model.json"


@pytest.mark.needs_tf
def test_tensorflow_predicts_what_the_layers_model_predicts(tmp_path):
    import reference_env

    py = str(reference_env.ensure("tf"))
    src = _layers_model(tmp_path)
    out = tmp_path / "saved"
    result = convert(src, out, input_format="tfjs_layers_model", output_format="keras_saved_model", tf_python=py,
                     log=None)
    assert "saved_model.pb" in result["files"] and (out / "variables").is_dir()
    x = np.random.default_rng(3).normal(size=(4, 6, 6, 2)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    subprocess.run([py, "-c", PREDICT, str(out), str(tmp_path / "x.npy"), str(tmp_path / "y.npy")], check=True,
                   capture_output=True, timeout=600)
    ours = run_async(tf.load_layers_model(f"file://{src}")).predict(x)
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), ours, rtol=1e-5, atol=1e-6)


def test_output_is_refused_when_not_empty_and_needs_tensorflow(tmp_path, monkeypatch):
    src = _layers_model(tmp_path)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("x")
    with pytest.raises(ConverterError, match="not empty"):
        convert(src, busy, input_format="tfjs_layers_model", output_format="keras_saved_model", log=None)
    assert (busy / "keep.txt").read_text() == "x"
    monkeypatch.delenv("TFJS_TF_PYTHON", raising=False)
    with pytest.raises(ConverterError, match="no such interpreter"):
        convert(src, tmp_path / "o", input_format="tfjs_layers_model", output_format="keras_saved_model",
                tf_python=str(tmp_path / "nope" / "python"), log=None)
    assert not (tmp_path / "o").exists()
    assert json.loads(src.read_text())["format"] == "layers-model"
