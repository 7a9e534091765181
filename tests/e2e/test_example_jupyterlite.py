"""The JupyterLite site (dist/lite/) runs its example notebook whole, offline: `%pip install tfjs` from the
site's own index, a layers model over http://, a prediction, a save to indexeddb://; the test reads the
notebook's outputs and checks them against TF.js in the same browser."""

import json

import pytest

import tfjs

from harness import add_reference_tfjs

pytestmark = pytest.mark.e2e

RUN_ALL_JS = """async () => {
  const app = window.jupyterapp;
  await app.started; await app.restored;
  const panel = app.shell.currentWidget;
  await panel.context.ready;
  await panel.sessionContext.ready;
  await app.commands.execute("notebook:run-all-cells");
}"""
OUTPUTS_JS = """() => Array.from(document.querySelectorAll(".jp-Cell")).map((cell) =>
  Array.from(cell.querySelectorAll(".jp-OutputArea-output")).map((o) => o.innerText).join("\\n"))"""


def test_notebook_runs_whole_offline(browser, app_server):
    context = browser.new_context()
    try:
        page = context.new_page()
        requests, errors = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        context.on("request", lambda r: requests.append(r.url))  # the kernel's worker too
        page.goto(app_server.url + "lite/lab/index.html?path=tfjs-demo.ipynb")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                               "&& window.jupyterapp.shell.currentWidget.context", timeout=120_000)
        page.evaluate(RUN_ALL_JS)
        page.wait_for_function(f"() => ({OUTPUTS_JS})().some((t) => t.includes('weight_bytes')) || "
                               "document.querySelector('.jp-OutputArea-output[data-mime-type="
                               "\"application/vnd.jupyter.stderr\"]')", timeout=400_000)
        outputs = page.evaluate(OUTPUTS_JS)
        text = "\n".join(outputs)
        assert "Traceback" not in text and "Error" not in text, text
        ran = json.loads(outputs[2].strip().splitlines()[-1])
        saved = json.loads(outputs[3].strip().splitlines()[-1])

        # TF.js on the same model and input, and the model it finds in IndexedDB
        check = context.new_page()
        check.goto(app_server.url + "build-info.json")
        add_reference_tfjs(check)
        reference = check.evaluate("""async (url) => {
          await tf.setBackend("cpu");
          const model = await tf.loadLayersModel(url);
          const x = tf.tidy(() => tf.range(0, 8 * 8 * 3).mod(17).div(16).reshape([1, 8, 8, 3]));
          const y = model.predict(x);
          const values = Array.from(await y.data());
          const stored = await tf.io.listModels();
          const back = await tf.loadLayersModel("indexeddb://jupyterlite-demo");
          const same = Array.from(await back.predict(x).data());
          return {shape: y.shape, sum: values.reduce((a, b) => a + b, 0), first: values.slice(0, 8),
                  stored: stored["indexeddb://jupyterlite-demo"] || null, same: same.slice(0, 8)};
        }""", ran["url"])
        assert ran["tfjs"] == tfjs.__version__  # the wheel %pip installed from the site's index (see below)
        assert ran["url"].startswith("http://") and ran["shape"] == reference["shape"] == [1, 16, 16, 3]
        assert ran["first"] == pytest.approx(reference["first"], abs=1e-5)
        assert ran["sum"] == pytest.approx(reference["sum"], rel=1e-5)
        assert saved["saved"] == "indexeddb://jupyterlite-demo"
        assert reference["stored"]["weightDataBytes"] == saved["weight_bytes"]
        assert reference["same"] == pytest.approx(reference["first"], abs=1e-6)

        origin = app_server.url.rstrip("/")
        assert [u for u in requests if not u.startswith((origin, "data:", "blob:"))] == []
        assert any("/lite/pypi/tfjs-" in u for u in requests)
    finally:
        context.close()
