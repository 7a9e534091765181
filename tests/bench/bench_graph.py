"""Graph models in the page: ours (cpu backend, scipy's sgemm) vs TF.js's cpu and wasm backends, on the same
model files and inputs: load time, first run, median of RUNS runs after warm-up."""

from bench.runner import Row
from harness import BOOT_JS, add_reference_tfjs, run_py

RUNS = 10
MODELS = ["blazeface", "movenet-lightning"]

TFJS_JS = """async ([url, backend, runs]) => {
  await tf.setBackend(backend);
  await tf.ready();
  let t0 = performance.now();
  const model = await tf.loadGraphModel(url);
  const loadMs = performance.now() - t0;
  const info = model.inputs[0];
  const shape = info.shape.map((d) => (d === -1 ? 1 : d));
  const dtype = info.dtype === "int32" ? "int32" : "float32";
  const n = shape.reduce((a, b) => a * b, 1);
  const values = dtype === "int32" ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = dtype === "int32" ? (i * 7919) % 256 : ((i * 7919) % 2001) / 1000 - 1;
  const x = tf.tensor(values, shape, dtype);
  const once = async () => {
    const t = performance.now();
    const out = await model.executeAsync(x);
    await Promise.all((Array.isArray(out) ? out : [out]).map((o) => o.data()));
    tf.dispose(out);
    return performance.now() - t;
  };
  const first = await once();
  await once();
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  times.sort((a, b) => a - b);
  x.dispose();
  model.dispose();
  return {loadMs, first, median: times[Math.floor(times.length / 2)]};
}"""

OURS_PY = """
import time, statistics, numpy as np, tfjs as tf
tf.set_backend("cpu")  # these rows are the cpu backend's (the page's default is wasm)
await tf.platform.load_packages("scipy")
t0 = time.perf_counter()
model = await tf.load_graph_model(URL)
load_ms = (time.perf_counter() - t0) * 1000
spec = model.inputs[0]
shape = [1 if d == -1 else d for d in spec["shape"]]
i = np.arange(int(np.prod(shape)), dtype=np.int64)
x = (((i * 7919) % 256).astype(np.int32) if spec["dtype"] == "int32"
     else (((i * 7919) % 2001) / 1000 - 1).astype(np.float32)).reshape(shape)
def once():
    t = time.perf_counter()
    model.predict(x)
    return (time.perf_counter() - t) * 1000
first = once()
once()
times = [once() for _ in range(RUNS)]
model.dispose()
{"load": load_ms, "first": first, "median": statistics.median(times)}
"""


def graph_models(ctx):
    page = ctx.fresh_page()
    page.goto(ctx.url)
    page.evaluate(BOOT_JS)
    add_reference_tfjs(page, wasm=True)
    rows = []
    for name in MODELS:
        url = page.evaluate("(m) => new URL(`reference/models/human/${m}.json`, location.href).href", name)
        ours = run_py(page, f"URL = {url!r}; RUNS = {RUNS}\n" + OURS_PY)
        ref = {b: page.evaluate(TFJS_JS, [url, b, RUNS]) for b in ("cpu", "wasm")}
        for backend, r in ref.items():
            rows.append(Row(f"{name} predict, median of {RUNS} (vs TF.js {backend})", ours["median"], r["median"]))
            rows.append(Row(f"{name} first run (vs TF.js {backend})", ours["first"], r["first"]))
            rows.append(Row(f"{name} load (vs TF.js {backend})", ours["load"], r["loadMs"]))
    page.close()
    return rows


BENCHMARKS = [graph_models]
