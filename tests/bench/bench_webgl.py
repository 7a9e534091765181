"""WebGL: ours-webgl vs TF.js webgl (and ours-cpu, TF.js wasm) for a MobileNetV2-shaped layers model and for
the blazeface and movenet-lightning graph models; median of RUNS after warm-up, first run (shader
compilation) apart, and where our time goes per op (wall time per op with a GPU sync around each: SwiftShader
has no EXT_disjoint_timer_query_webgl2)."""

import json

from bench.bench_layers import BUILD_JS
from bench.runner import Row
from harness import BOOT_JS, add_reference_tfjs, run_py

RUNS = 10
GRAPH_MODELS = ["blazeface", "movenet-lightning"]

TFJS_LAYERS_JS = """async ([backend, runs]) => {
  await tf.setBackend(backend); await tf.ready();
  const m = globalThis.__benchModel, x = tf.randomNormal([1, 224, 224, 3]);
  let t0 = performance.now(); let y = m.predict(x); await y.data(); y.dispose();
  const first = performance.now() - t0; const times = [];
  for (let i = 0; i < runs; i++) { t0 = performance.now(); y = m.predict(x); await y.data(); y.dispose();
    times.push(performance.now() - t0); }
  times.sort((a, b) => a - b);
  return {first, median: times[Math.floor(times.length / 2)]};
}"""

TFJS_GRAPH_JS = """async ([url, backend, runs]) => {
  await tf.setBackend(backend); await tf.ready();
  const model = await tf.loadGraphModel(url);
  const info = model.inputs[0];
  const shape = info.shape.map((d) => (d === -1 ? 1 : d));
  const n = shape.reduce((a, b) => a * b, 1);
  const dtype = info.dtype === "int32" ? "int32" : "float32";
  const values = dtype === "int32" ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = dtype === "int32" ? (i * 7919) % 256 : ((i * 7919) % 2001) / 1000 - 1;
  const x = tf.tensor(values, shape, dtype);
  const once = async () => { const t = performance.now(); const out = await model.executeAsync(x);
    await Promise.all((Array.isArray(out) ? out : [out]).map((o) => o.data())); tf.dispose(out);
    return performance.now() - t; };
  const first = await once(); await once();
  const times = []; for (let i = 0; i < runs; i++) times.push(await once());
  times.sort((a, b) => a - b); x.dispose(); model.dispose();
  return {first, median: times[Math.floor(times.length / 2)]};
}"""

OURS_COMMON = """
import json, time, statistics, js, numpy as np, tfjs as tf
from tfjs import io, platform
from tfjs.backends import webgl

def timed(fn, runs):
    t0 = time.perf_counter(); fn(); first = (time.perf_counter() - t0) * 1000
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter(); fn(); times.append((time.perf_counter() - t0) * 1000)
    return {"first": first, "median": statistics.median(times)}

def profile(fn):
    gl = webgl.current(); fn(); gl.profile = {}
    fn()
    prof = gl.profile; gl.profile = None
    tot = {k: sum(v) for k, v in prof.items()}
    return sorted(([k, round(v, 2), len(prof[k])] for k, v in tot.items()), key=lambda e: -e[1])[:8]
"""

OURS_LAYERS = OURS_COMMON + """
await tf.platform.load_packages("scipy")
a = js.globalThis.__benchArtifacts
art = io.ModelArtifacts(model_topology=json.loads(js.JSON.stringify(a.modelTopology)),
                        weight_specs=json.loads(js.JSON.stringify(a.weightSpecs)),
                        weight_data=platform.to_bytes(a.weightData), format=a.format)
model = await tf.load_layers_model(io.from_memory(art))
x = np.random.default_rng(0).standard_normal((1, 224, 224, 3)).astype("f4")
tf.set_backend("cpu"); want = model.predict(x)
cpu = timed(lambda: model.predict(x), 3)
tf.set_backend("webgl")
t0 = time.perf_counter(); info = model.warmup(); warm_ms = (time.perf_counter() - t0) * 1000
gl_t = timed(lambda: model.predict(x), RUNS)
err = float(np.max(np.abs(model.predict(x) - want)))
prof = profile(lambda: model.predict(x))
fb = model.fallback_report()
model.dispose(); tf.set_backend("cpu")
json.dumps({"cpu": cpu, "webgl": gl_t, "warmup_ms": warm_ms, "programs": info["programs"], "err": err,
            "profile": prof, "fallbacks": fb})
"""

OURS_GRAPH = OURS_COMMON + """
await tf.platform.load_packages("scipy")
tf.set_backend("cpu")
model = await tf.load_graph_model(URL)
spec = model.inputs[0]
shape = [1 if d == -1 else d for d in spec["shape"]]
i = np.arange(int(np.prod(shape)), dtype=np.int64)
x = (((i * 7919) % 256).astype(np.int32) if spec["dtype"] == "int32"
     else (((i * 7919) % 2001) / 1000 - 1).astype(np.float32)).reshape(shape)
cpu = timed(lambda: model.predict(x), 3)
tf.set_backend("webgl")
t0 = time.perf_counter(); info = model.warmup(); warm_ms = (time.perf_counter() - t0) * 1000
gl_t = timed(lambda: model.predict(x), RUNS)
prof = profile(lambda: model.predict(x))
fb = model.fallback_report()
model.dispose(); tf.set_backend("cpu")
json.dumps({"cpu": cpu, "webgl": gl_t, "warmup_ms": warm_ms, "programs": info["programs"], "profile": prof,
            "fallbacks": fb})
"""


def _rows(label, ours, tfgl, wasm):
    prof = "; ".join(f"{k} {v:.1f}ms/{n}" for k, v, n in ours["profile"][:5])
    fb = ", ".join(f"{k} x{v['calls']}" for k, v in ours["fallbacks"].items()) or "none"
    return [
        Row(f"{label}, ours-webgl vs TF.js webgl", ours["webgl"]["median"], tfgl["median"],
            note=f"median of {RUNS}; cpu fallbacks: {fb}"),
        Row(f"{label} first run (shader compile), ours-webgl vs TF.js webgl", ours["webgl"]["first"] +
            ours["warmup_ms"], tfgl["first"], note=f"{ours['programs']} programs; warmup {ours['warmup_ms']:.0f} ms"),
        Row(f"{label}, ours-cpu vs TF.js wasm", ours["cpu"]["median"], wasm["median"]),
        Row(f"{label}, ours-webgl per-op time (top 5)", None, note=prof),
    ]


def webgl_models(ctx):
    page = ctx.fresh_page()
    page.goto(ctx.url)
    page.evaluate(BOOT_JS)
    add_reference_tfjs(page, wasm=True)
    rows = []
    page.evaluate(BUILD_JS)
    tfgl = page.evaluate(TFJS_LAYERS_JS, ["webgl", RUNS])
    wasm = page.evaluate(TFJS_LAYERS_JS, ["wasm", RUNS])
    ours = json.loads(run_py(page, f"RUNS = {RUNS}\n" + OURS_LAYERS))
    rows += _rows("MobileNetV2", ours, tfgl, wasm)
    for name in GRAPH_MODELS:
        url = page.evaluate("(m) => new URL(`reference/models/human/${m}.json`, location.href).href", name)
        tfgl = page.evaluate(TFJS_GRAPH_JS, [url, "webgl", RUNS])
        wasm = page.evaluate(TFJS_GRAPH_JS, [url, "wasm", RUNS])
        ours = json.loads(run_py(page, f"RUNS = {RUNS}\nURL = {url!r}\n" + OURS_GRAPH))
        rows += _rows(name, ours, tfgl, wasm)
    page.close()
    return rows


BENCHMARKS = [webgl_models]
