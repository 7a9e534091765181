"""The model store on S3 (SeaweedFS), from the page: TF.js's ``model.save('http://...')`` and
``tf.loadLayersModel``, and ours the same, through an app server whose store is a bucket."""

from __future__ import annotations

import json

import pytest

from harness import BOOT_JS, AppServer, add_reference_tfjs, run_async, run_py
from store_helpers import http, make_store

pytestmark = pytest.mark.e2e

BUILD_AND_SAVE_JS = """async ([url, token]) => {
  const model = tf.sequential({layers: [
    tf.layers.conv2d({inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'relu'}),
    tf.layers.flatten(),
    tf.layers.dense({units: 4, activation: 'softmax'})]});
  const x = tf.randomNormal([2, 6, 6, 2]);
  const y = model.predict(x);
  const saved = await model.save(tf.io.http(url, {requestInit: {headers: {Authorization: `Bearer ${token}`}}}));
  globalThis.__x = {shape: x.shape, data: Array.from(x.dataSync())};
  globalThis.__y = Array.from(y.dataSync());
  return [saved.responses[0].status, globalThis.__x, globalThis.__y];
}"""

TFJS_LOAD_JS = """async (url) => {
  const model = await tf.loadLayersModel(url);
  const x = tf.tensor(globalThis.__x.data, globalThis.__x.shape);
  return Array.from(model.predict(x).dataSync());
}"""

OURS_PY = """
import numpy as np, tfjs as tf
x = np.array({x}, np.float32).reshape({shape})
model = await tf.load_layers_model("{base}from-tfjs/model.json")
ours = model.predict(x)
await model.save(tf.io.http("{base}from-ours", request_init={{"headers": {{"Authorization": "Bearer {token}"}}}}))
again = await tf.load_layers_model("{base}from-ours/model.json")
[np.asarray(ours).ravel().tolist(), np.asarray(again.predict(x)).ravel().tolist()]
"""


@pytest.fixture(scope="module")
def s3_server(request):
    with AppServer(store=make_store("s3", request)) as server:
        yield server


@pytest.fixture(scope="module")
def s3_page(browser, s3_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(s3_server.url)
    page.evaluate(BOOT_JS)
    add_reference_tfjs(page)
    yield page
    context.close()


def close(a, b, tol=1e-5):
    return len(a) == len(b) and all(abs(p - q) <= tol * max(1.0, abs(q)) for p, q in zip(a, b))


def test_tfjs_saves_to_the_s3_store_and_both_load_it(s3_page, s3_server):
    base = f"{s3_server.url}api/models/"
    status, x, expected = s3_page.evaluate(BUILD_AND_SAVE_JS, [base + "from-tfjs", s3_server.token])
    assert status == 200
    listing = {m["name"]: m for m in json.loads(http(base[:-1])[1])}
    versions = run_async(s3_server.store.backend.list_dirs("models/from-tfjs/versions/"))
    assert versions == [listing["from-tfjs"]["version"]]  # in the bucket
    assert close(s3_page.evaluate(TFJS_LOAD_JS, base + "from-tfjs/model.json"), expected)

    ours, again = run_py(s3_page, OURS_PY.format(x=x["data"], shape=x["shape"], base=base, token=s3_server.token))
    assert close(ours, expected) and close(again, expected)
    # What we saved, TF.js loads from the bucket and predicts the same.
    assert close(s3_page.evaluate(TFJS_LOAD_JS, base + "from-ours/model.json"), expected)
