"""The PyScript example page runs whole, offline, on the app's own Pyodide and wheel: a model TF.js saved to
IndexedDB classifies the page's picture (tf.browser.from_pixels) and is saved to downloads://."""

import json

import pytest

from harness import add_reference_tfjs

pytestmark = pytest.mark.e2e

# A model made and saved by TF.js itself, and its prediction on the example's picture.
SAVE_MODEL_JS = """async () => {
  const init = (seed) => tf.initializers.randomNormal({mean: 0, stddev: 0.3, seed});
  const model = tf.sequential({layers: [
    tf.layers.conv2d({filters: 4, kernelSize: 3, activation: "relu", inputShape: [32, 32, 3],
                      kernelInitializer: init(1)}),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({units: 3, activation: "softmax", kernelInitializer: init(2)})]});
  await model.save("indexeddb://pyscript-demo");
  const img = new Image(32, 32);
  img.src = "web/examples/pyscript/photo.svg";
  await img.decode();
  const x = tf.tidy(() => tf.browser.fromPixels(img).toFloat().div(255).expandDims(0));
  const y = model.predict(x);
  const probabilities = Array.from(await y.data());
  const weightBytes = model.getWeights().reduce((n, w) => n + w.size * 4, 0);
  tf.dispose([x, y]);
  return {probabilities, weightBytes};
}"""


def test_pyscript_page_classifies_and_saves(browser, app_server):
    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(app_server.url + "build-info.json")
        add_reference_tfjs(page)
        page.evaluate("tf.setBackend('cpu')")
        reference = page.evaluate(SAVE_MODEL_JS)

        example = context.new_page()
        requests, errors, downloads = [], [], []
        example.on("request", lambda r: requests.append(r.url))
        example.on("pageerror", lambda e: errors.append(str(e)))
        example.on("download", lambda d: downloads.append(d))
        example.goto(app_server.url + "web/examples/pyscript/")
        example.wait_for_function("() => ['done'].includes(document.getElementById('status').textContent) || "
                                  "document.querySelector('.py-error')", timeout=240_000)
        assert example.locator(".py-error").count() == 0, example.locator(".py-error").first.inner_text()
        assert example.locator("#status").inner_text() == "done"
        probabilities = json.loads(example.locator("#probabilities").inner_text())
        assert probabilities == pytest.approx(reference["probabilities"], abs=1e-6)
        labels = ["sky", "sun", "field"]
        best = max(range(3), key=lambda i: reference["probabilities"][i])
        assert example.locator("#prediction").inner_text() == labels[best]

        for _ in range(100):
            if len(downloads) == 2:
                break
            example.wait_for_timeout(100)
        files = {d.suggested_filename: open(d.path(), "rb").read() for d in downloads}
        assert sorted(files) == ["pyscript-demo.json", "pyscript-demo.weights.bin"]
        manifest = json.loads(files["pyscript-demo.json"])
        assert manifest["weightsManifest"][0]["paths"] == ["./pyscript-demo.weights.bin"]
        assert manifest["modelTopology"]["config"]["layers"][0]["class_name"] == "Conv2D"
        assert len(files["pyscript-demo.weights.bin"]) == reference["weightBytes"]

        origin = app_server.url.rstrip("/")
        assert [u for u in requests if not u.startswith((origin, "data:", "blob:"))] == []
        assert any("/vendor/pyscript/core.js" in u for u in requests)
        assert any("/wheels/tfjs-" in u for u in requests)
        assert errors == []
    finally:
        context.close()
