"""tfjs_layers_model -> keras_saved_model: the layers model written as a Keras file (ours, no TensorFlow: .keras
for Keras 3, HDF5 for Keras 2), then loaded by Keras and saved as a SavedModel by TensorFlow, in this Python when
it has TensorFlow or in the one named by ``--tf_python`` / ``$TFJS_TF_PYTHON``. Keras 3 writes it with ``model.export`` (a SavedModel with a
``serving_default`` signature); Keras 2 with ``save_format="tf"``, as the official converter does.

The output folder appears whole or not at all: TensorFlow writes into a sibling folder that is renamed at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .write import ConverterError

SCRIPT = r'''
import os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf
try:
    import keras
except ImportError:
    keras = tf.keras
keras3 = int(getattr(keras, "__version__", "2").split(".")[0]) >= 3
model = keras.models.load_model(sys.argv[1] if keras3 else sys.argv[3], compile=False)
if hasattr(model, "export"):
    model.export(sys.argv[2])
else:
    tf.keras.models.save_model(model, sys.argv[2], save_format="tf")
print("@@TFJS_SAVED@@")
'''


def _explicit_input_layer(model_json: dict) -> dict:
    """A Sequential whose first layer carries ``batch_input_shape`` gets an explicit InputLayer in front (Keras 3
    reads the first layer's shape without its batch dimension otherwise)."""
    import copy

    mj = copy.deepcopy(model_json)
    topo = mj.get("modelTopology") or {}
    cfg = topo.get("model_config", topo)
    if cfg.get("class_name") != "Sequential":
        return mj
    inner = cfg.get("config")
    layers = inner.get("layers") if isinstance(inner, dict) else inner
    if not layers or layers[0].get("class_name") == "InputLayer":
        return mj
    first = layers[0].get("config", {})
    shape = first.pop("batch_input_shape", None)
    if shape is None:
        return mj
    layers.insert(0, {"class_name": "InputLayer", "config": {"batch_input_shape": shape,
                                                             "dtype": first.get("dtype", "float32"),
                                                             "sparse": False, "name": "input_1"}})
    return mj


def write_keras_saved_model(model_json: dict, weights, output_dir: str, *, tf_python: str | None, log,
                            write_keras_v3, write_keras_h5) -> dict:
    """``write_keras_v3`` / ``write_keras_h5(model_json, weights, path)``: the writers of the .keras and .h5 files."""

    out = Path(output_dir)
    if out.is_file():
        raise ConverterError(f'Output path "{output_dir}" already exists as a file')
    if out.exists() and any(out.iterdir()):
        raise ConverterError(f"Output directory {output_dir} is not empty: a SavedModel is written into an empty "
                             f"or new directory")
    tf_python = tf_python or os.environ.get("TFJS_TF_PYTHON") or None
    if tf_python is None:
        import importlib.util

        if importlib.util.find_spec("tensorflow") is None:
            raise ConverterError("Writing a keras_saved_model needs TensorFlow: pip install 'tfjs[tensorflow]' (or "
                                 "name a Python that has TensorFlow with --tf_python PATH or $TFJS_TF_PYTHON)")
        tf_python = sys.executable
    elif not Path(tf_python).exists():
        raise ConverterError(f"--tf_python {tf_python}: no such interpreter")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tfjs-keras-sm-") as tmp:
        v3, h5 = Path(tmp) / "model.keras", Path(tmp) / "model.h5"
        model_json = _explicit_input_layer(model_json)
        write_keras_v3(model_json, weights, v3)
        write_keras_h5(model_json, weights, h5)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
        shutil.rmtree(staging)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONNOUSERSITE="1")
        env.pop("PYTHONPATH", None)
        try:
            proc = subprocess.run([tf_python, "-c", SCRIPT, str(v3), str(staging), str(h5)], capture_output=True,
                                  text=True, env=env, timeout=1800)
        except subprocess.TimeoutExpired:
            shutil.rmtree(staging, ignore_errors=True)
            raise ConverterError(f"TensorFlow ({tf_python}) did not save the SavedModel within 30 minutes") from None
        if proc.returncode != 0 or "@@TFJS_SAVED@@" not in proc.stdout:
            shutil.rmtree(staging, ignore_errors=True)
            raise ConverterError(f"TensorFlow ({tf_python}) failed to save the Keras model as a SavedModel "
                                 f"(exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    if log:
        log(f"wrote the SavedModel {out}")
    return {"output": str(out), "files": sorted(p.name for p in out.iterdir())}
