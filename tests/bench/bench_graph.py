"""Graph models in the page: ours (cpu backend, scipy's sgemm) vs TF.js's cpu and wasm backends, on the same
model files and inputs: load time, first run, median of RUNS runs after warm-up."""

from bench.page_inputs import GRAPH_INPUT_JS, GRAPH_INPUT_PY
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
""" + GRAPH_INPUT_JS + """  const once = async () => {
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
""" + GRAPH_INPUT_PY + """def once():
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
