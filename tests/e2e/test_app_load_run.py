"""The web app: real drag-and-drop of published models (shards re-cut and shuffled), the model card, and runs on
an image and on tensors that give the same outputs as the library run directly in the same page."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from app_helpers import (MODELS, assert_clean, click_and_wait, drop, load_url, open_app, picture, png, sharded,
                         shot)
from harness import run_py

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def page(browser, app_server):
    context, page = open_app(browser, app_server)
    yield page
    context.close()


def info(page) -> dict:
    return json.loads(run_py(page, "import json, tfjs_app\njson.dumps(tfjs_app.current.info, default=str)"))


def drop_image(page, rgb: np.ndarray, name: str = "picture.png") -> None:
    data = base64.b64encode(png(rgb)).decode()
    page.evaluate("() => { globalThis.__previewDrawn = false; }")
    drop(page, "#image-drop", [{"name": name, "b64": data, "type": "image/png"}], wait=None)
    # the preview is drawn once the image is decoded
    page.wait_for_function(f"() => document.getElementById('image-preview').width === {rgb.shape[1]}"
                           f" && document.getElementById('image-preview').height === {rgb.shape[0]}")


COMPARE = """
import js, json, numpy as np, tfjs, tfjs_app
app = tfjs_app.current
direct = await tfjs.load_model(str(js.URL.new(URL, js.location.href).href))                # the library, straight from the served files
xs = app.runner.last_inputs
want = direct.predict(xs if len(xs) > 1 else xs[0])
want = tfjs_app.run.outputs_as_list(direct, want)
got = app.runner.last_outputs
direct.dispose()
json.dumps({"names": [n for n, _ in got], "shapes": [list(a.shape) for _, a in got],
            "want_shapes": [list(a.shape) for _, a in want],
            "max_diff": [float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) for (_, a), (_, b) in zip(got, want)],
            "input": xs[0].ravel()[:12].tolist(), "input_shape": list(xs[0].shape), "input_dtype": str(xs[0].dtype)})
"""


def compare(page, url: str) -> dict:
    return json.loads(run_py(page, f"URL = {url!r}\n" + COMPARE))


def test_drop_layers_model_with_shuffled_shards_then_run_on_an_image(page, app_server):
    specs = sharded(MODELS / "upscaler" / "default" / "model.json", 3, "reference/models/upscaler/default/")
    specs = [specs[3], specs[0], specs[1], specs[2]]  # shard 3, model.json, shard 1, shard 2
    shot(page, "01-start")
    assert drop(page, "#dropzone", specs) == "loaded"
    shot(page, "02-layers-card")

    card = info(page)
    direct = json.loads(run_py(page, """
import js, json, tfjs
m = await tfjs.load_layers_model(str(js.URL.new("reference/models/upscaler/default/model.json", js.location.href).href))
out = json.dumps({"params": m.count_params(), "layers": len(m.layers), "weights": len(m.weights)})
m.dispose()
out"""))
    assert card["kind"] == "layers" and card["format"] == "layers-model"
    assert card["generated_by"] == "keras v2.10.0" and card["converted_by"] == "TensorFlow.js Converter v1.2.6"
    assert card["params"] == direct["params"] == 222075
    assert len(card["layers"]) == direct["layers"]
    assert card["inputs"] == [{"name": "LR", "node": "LR", "shape": [None, None, None, 3], "dtype": "float32"}]
    assert card["outputs"][0]["shape"] == [None, None, None, 3]
    assert [s["name"] for s in card["shards"]] == ["group1-shard1of3.bin", "group1-shard2of3.bin",
                                                    "group1-shard3of3.bin"]
    assert sum(s["bytes"] for s in card["shards"]) == 888300
    text = page.inner_text("#card")
    assert "222,075" in text and "3 shards" in text and "group1-shard2of3.bin" in text
    assert page.locator("#card-detail tbody tr").count() == direct["layers"] + 1  # + the total row
    assert "4 files" not in page.inner_text("#load-status")
    assert page.locator("#file-list li").count() == 4

    page.click("#tab-run")
    assert page.is_checked('input[name="input-kind"][value="image"]')
    rgb = picture(12, 16)
    drop_image(page, rgb)
    assert page.input_value("#image-width") == "16" and page.input_value("#image-height") == "12"
    page.select_option("#norm-preset", "0,255")
    assert "pixel \u00d7 1 + 0" in page.inner_text("#norm-formula")
    assert click_and_wait(page, "#run-button", "panel-run") == "ran"
    shot(page, "03-layers-run-image")
    result = compare(page, "reference/models/upscaler/default/model.json")
    assert result["input_shape"] == [1, 12, 16, 3] and result["input_dtype"] == "float32"
    assert result["input"] == rgb.reshape(-1)[:12].astype(float).tolist()  # decoded in the page, exactly
    assert result["shapes"] == result["want_shapes"] == [[1, 24, 32, 3]]
    assert result["max_diff"] == [0.0]
    assert page.locator("#run-output canvas.heatmap").count() == 1  # an RGB image output
    assert "Ran in" in page.inner_text("#run-status")
    assert_clean(page, app_server)


def test_drop_graph_model_with_shuffled_shards_then_run_on_an_image(page, app_server):
    specs = sharded(MODELS / "human" / "blazeface.json", 2, "reference/models/human/", "blazeface.json")
    specs.reverse()  # shards first, in reverse order
    assert drop(page, "#dropzone", specs) == "loaded"
    page.click("#tab-card")
    shot(page, "04-graph-card")
    card = info(page)
    assert card["kind"] == "graph" and card["format"] == "graph-model"
    assert card["generated_by"] == "https://github.com/google/mediapipe"
    assert card["inputs"] == [{"name": "input:0", "node": "input", "shape": [1, 256, 256, 3], "dtype": "float32"}]
    assert sorted(o["shape"] for o in card["outputs"]) == [[1, 384, 1], [1, 384, 16], [1, 512, 1], [1, 512, 16]]
    assert len(card["shards"]) == 2 and sum(s["bytes"] for s in card["shards"]) == 538928
    ops = dict(card["ops"])
    assert ops["_FusedConv2D"] == 37 and ops["DepthwiseConv2dNative"] == 32 and card["nodes"] == 257
    assert card["params"] == sum(g["values"] for g in card["weights"])
    text = page.inner_text("#card")
    assert "DepthwiseConv2dNative" in text and "2 shards" in text and "[1, 256, 256, 3]" in text

    page.click("#tab-run")
    assert page.is_disabled("#image-width") and page.input_value("#image-width") == "256"
    rgb = picture(256, 256, seed=9)
    drop_image(page, rgb, "face.png")
    page.select_option("#norm-preset", "-1,1")
    assert click_and_wait(page, "#run-button", "panel-run") == "ran"
    shot(page, "05-graph-run-image")
    result = compare(page, "reference/models/human/blazeface.json")
    want_input = (rgb.reshape(-1)[:12].astype(np.float32) * np.float32(1 / 127.5) + np.float32(-1)).tolist()
    np.testing.assert_allclose(result["input"], want_input, rtol=0, atol=1e-6)
    assert result["shapes"] == result["want_shapes"]
    assert max(result["max_diff"]) == 0.0
    assert page.locator("#run-output canvas.heatmap").count() == 2  # [1, N, 16]: heat maps
    assert page.locator("#run-output svg.chart").count() == 2  # [1, N, 1]: vectors, as charts
    assert_clean(page, app_server)


def test_tensor_inputs_backends_and_vector_chart(page, app_server):
    assert load_url(page, "reference/models/human/liveness.json") == "loaded"
    page.click("#tab-run")
    # a [-1, 32, 32, 3] input: image and tensor both possible; use pasted JSON
    page.check('input[name="input-kind"][value="tensor"]')
    page.select_option("#tensor-fill", "json")
    assert page.input_value("#tensor-shape-0") == "[1, 32, 32, 3]"
    values = (np.arange(32 * 32 * 3) % 17 / 17).round(4).tolist()
    page.fill("#tensor-json", json.dumps(values))
    assert click_and_wait(page, "#run-button", "panel-run") == "ran"
    result = compare(page, "reference/models/human/liveness.json")
    assert result["input"] == pytest.approx(values[:12], abs=1e-6)
    assert result["shapes"] == [[1, 2]] and result["max_diff"] == [0.0]
    assert page.locator("#run-output svg.chart polyline").count() == 1  # a vector: a chart
    shot(page, "06-tensor-run-chart")

    # wrong JSON: a readable error, the page stays usable
    page.fill("#tensor-json", "[1, 2, 3]")
    assert click_and_wait(page, "#run-button", "panel-run") == "failed"
    assert "has 3 values; shape [1, 32, 32, 3] needs 3072" in page.inner_text("#run-status")
    page.select_option("#tensor-fill", "zeros")
    assert click_and_wait(page, "#run-button", "panel-run") == "ran"

    options = page.eval_on_selector_all("#backend-select option", "os => os.map(o => [o.value, o.disabled])")
    listed = run_py(page, "import tfjs; tfjs.backends.list_backends()")
    assert [o[0] for o in options] == listed and "cpu" in listed
    page.select_option("#backend-select", "cpu")
    assert page.inner_text("#backend-status") == "active: cpu"
    page.select_option("#tensor-fill", "random")
    assert click_and_wait(page, "#run-button", "panel-run") == "ran"
    assert "on cpu" in page.inner_text("#run-status")
    last = "import json, tfjs_app\njson.dumps([a.tolist() for _, a in tfjs_app.current.runner.last_outputs])"
    on_cpu = json.loads(run_py(page, last))
    if "webgl" in listed:  # the same run on the GPU backend (SwiftShader here): the same numbers, nearly
        page.select_option("#backend-select", "webgl")
        assert page.inner_text("#backend-status") == "active: webgl"
        assert click_and_wait(page, "#run-button", "panel-run") == "ran"
        assert "on webgl" in page.inner_text("#run-status")
        np.testing.assert_allclose(json.loads(run_py(page, last))[0], on_cpu[0], rtol=0, atol=1e-4)
        shot(page, "06b-run-webgl")
        page.select_option("#backend-select", "cpu")
        assert page.inner_text("#backend-status") == "active: cpu"
    assert_clean(page, app_server)


def test_drop_keras_h5_converted_in_the_page(page, app_server):
    """A Keras .h5 dropped alone is converted in the page (tfjs.converter, pyfive) and runs like Keras did."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))
    import conv_support

    folder = conv_support.keras_models("keras2")
    io = np.load(folder / "cnn.npz")
    data = base64.b64encode((folder / "cnn.h5").read_bytes()).decode()
    assert drop(page, "#dropzone", [{"name": "cnn.h5", "b64": data}]) == "loaded"
    card = info(page)
    assert card["kind"] == "layers" and card["source"] == "cnn.h5 (converted in the page)"
    assert card["inputs"][0]["shape"] == [None, 16, 16, 3] and card["outputs"][0]["shape"] == [None, 5]
    assert card["converted_by"].startswith("TensorFlow.js Converter")
    page.click("#tab-card")
    shot(page, "07-keras-converted-card")

    page.click("#tab-run")
    page.check('input[name="input-kind"][value="tensor"]')
    page.select_option("#tensor-fill", "json")
    page.fill("#tensor-shape-0", json.dumps(list(io["x0"].shape)))
    page.fill("#tensor-json", json.dumps(io["x0"].tolist()))
    assert click_and_wait(page, "#run-button", "panel-run") == "ran"
    got = json.loads(run_py(page, "import json, tfjs_app\n"
                                  "json.dumps([a.tolist() for _, a in tfjs_app.current.runner.last_outputs])"))
    np.testing.assert_allclose(np.asarray(got[0]), io["y0"], rtol=1e-5, atol=1e-5)  # Keras's own outputs
    assert_clean(page, app_server)
