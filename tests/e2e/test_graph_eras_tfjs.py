"""model.json from every converter era (tests/graph_eras.py: 1.x byte-array strings and enum-number dtypes
with uint8 weights, 2.x base64 with float16 weights, 4.x with a signature) loads here from disk and predicts
what TF.js 4.22 predicts from the same model.json and shards (loadGraphModel from memory, cpu backend)."""

import base64
import json

import numpy as np
import pytest

import graph_eras as ge
import tfjs as tf
from harness import add_reference_tfjs, run_async
from pathlib import Path
from test_graph_ops import assert_outputs_match, js_input

pytestmark = pytest.mark.e2e
HERE = Path(__file__).parent


def tfjs_payload(path: Path, x: np.ndarray) -> dict:
    """What graphOps.runGraphs takes: the model.json's fields as TF.js's ModelArtifacts, the shards joined."""
    model_json = json.loads(path.read_text())
    manifest = model_json.pop("weightsManifest")
    data = b"".join((path.parent / p).read_bytes() for group in manifest for p in group["paths"])
    artifacts = dict(model_json, weightSpecs=[w for group in manifest for w in group["weights"]])
    return {"artifacts": artifacts, "weightData": base64.b64encode(data).decode("ascii"),
            "runs": [{"inputs": {"x": js_input(x)}, "outputs": ge.OUTPUTS}]}


@pytest.fixture(scope="module")
def eras(app_page, tmp_path_factory):
    add_reference_tfjs(app_page)
    app_page.add_script_tag(path=str(HERE / "js" / "graph_ops.js"))
    folder = tmp_path_factory.mktemp("eras")
    paths = {era: ge.write(era, folder / era) for era in ge.ERAS}
    x = ge.sample_input()
    payload = [tfjs_payload(paths[era], x) for era in ge.ERAS]
    results = app_page.evaluate("(cases) => graphOps.runGraphs(cases)", payload)
    return x, paths, dict(zip(ge.ERAS, results))


@pytest.mark.parametrize("era", ge.ERAS)
def test_era_predicts_as_tfjs(eras, era):
    x, paths, results = eras
    ref = results[era]
    assert ref["ok"] and ref["runs"][0]["ok"], f"TF.js failed on the {era} model: {ref}"
    model = run_async(tf.load_model(f"file://{paths[era]}"))
    ours = model.execute({"x": x}, ge.OUTPUTS)
    assert_outputs_match(f"era {era}", ours, ref["runs"][0]["outputs"], tol=1e-5)
