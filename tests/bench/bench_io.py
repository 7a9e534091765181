"""Save and load times of tfjs.io vs TF.js's tf.io, in the same page, on the same artifacts."""

from bench.runner import Row, median
from harness import BOOT_JS, add_reference_tfjs, run_py

RUNS = 3
CASES = [("indexeddb", 14), ("indexeddb", 100), ("localstorage", 3)]

MAKE_ARTIFACTS_JS = """(mb) => {
  const total = mb * 1024 * 1024 / 4, chunk = 1 << 20;
  const specs = [], data = new Float32Array(total);
  for (let i = 0; i < total; i++) data[i] = Math.random() * 2 - 1;
  for (let off = 0, i = 0; off < total; off += chunk, i++)
    specs.push({name: `layer${i}/kernel`, shape: [Math.min(chunk, total - off)], dtype: "float32"});
  globalThis.benchArtifacts = {modelTopology: {class_name: "Sequential", config: {layers: []}},
    weightSpecs: specs, weightData: data.buffer, format: "layers-model", generatedBy: "bench", convertedBy: null};
}"""

TFJS_JS = """async (url) => {
  const save = tf.io.getSaveHandlers(url)[0], load = tf.io.getLoadHandlers(url)[0];
  const artifacts = {...globalThis.benchArtifacts};
  let t0 = performance.now();
  await save.save(artifacts);
  const saveMs = performance.now() - t0;
  t0 = performance.now();
  const loaded = await load.load();
  const loadMs = performance.now() - t0;
  if (loaded.weightData.byteLength !== globalThis.benchArtifacts.weightData.byteLength) throw new Error("size");
  await tf.io.removeModel(url);
  return [saveMs, loadMs];
}"""

OURS_PY = """
import time, tfjs as tf
from tfjs.io.weights import weight_data_byte_length
t0 = time.perf_counter()
await tf.io.save(URL, BENCH_ARTIFACTS)
save_ms = (time.perf_counter() - t0) * 1000
t0 = time.perf_counter()
loaded = await tf.io.load(URL)
load_ms = (time.perf_counter() - t0) * 1000
assert weight_data_byte_length(loaded.weight_data) == weight_data_byte_length(BENCH_ARTIFACTS.weight_data)
await tf.io.remove_model(URL)
[save_ms, load_ms]
"""

TO_PYTHON = """
import js
from tfjs import platform
from tfjs.io.model_json import from_camel_dict
a = js.benchArtifacts
BENCH_ARTIFACTS = from_camel_dict(platform.to_py(a) | {"weightData": platform.to_bytes(a.weightData)})
"""


def save_and_load(ctx):
    page = ctx.fresh_page()
    page.goto(ctx.url)
    page.evaluate(BOOT_JS)
    add_reference_tfjs(page)
    rows = []
    for scheme, mb in CASES:
        page.evaluate(MAKE_ARTIFACTS_JS, mb)
        run_py(page, TO_PYTHON)
        theirs, ours = [], []
        for i in range(RUNS):
            url = f"{scheme}://bench-{mb}mb"
            theirs.append(page.evaluate(TFJS_JS, url))
            ours.append(run_py(page, f"URL = {url!r}\n" + OURS_PY))
        for k, what in enumerate(["save", "load"]):
            rows.append(Row(f"{scheme} {what}, {mb} MB model", median(o[k] for o in ours),
                            median(t[k] for t in theirs), note=f"median of {RUNS}"))
        page.evaluate("delete globalThis.benchArtifacts")
        run_py(page, "del BENCH_ARTIFACTS")
    page.close()
    return rows


BENCHMARKS = [save_and_load]
