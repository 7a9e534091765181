"""WebGL: ours-webgl vs TF.js webgl (and ours-cpu vs TF.js wasm) for a MobileNetV2-shaped layers model and for
the blazeface and movenet-lightning graph models; median of RUNS after warm-up, first run (shader compilation)
apart. Then where the time goes, for one inference of each:

- ours: every GPU pass timed as it runs, fused as it runs (the profile changes nothing about what runs: each
  producer pass carries its epilogue, labelled e.g. ``conv2d+Add(chan)+Relu6``). GPU time from
  EXT_disjoint_timer_query_webgl2 where the context has it; otherwise (SwiftShader) wall time from the pass's
  inputs being ready to its output being written (one-texel readbacks around it: gl.finish() does not wait
  for SwiftShader). Readbacks, uploads and cpu fallbacks are timed as wall time.
- TF.js: ``tf.profile`` of one inference: its kernels by name and count, with their GPU time where its timer
  query is reliable (else TF.js reports CPU-side dispatch time, shown but not comparable).
- the gap: our passes + transfers per inference against TF.js's kernel count.
"""

import json

from bench.bench_layers import BUILD_JS
from bench.page_inputs import GRAPH_INPUT_JS, GRAPH_INPUT_PY, TIMED_PY
from bench.runner import Row
from harness import BOOT_JS, add_reference_tfjs, run_py

RUNS = 10
GRAPH_MODELS = ["blazeface", "movenet-lightning"]

# TF.js's profile of one inference: kernels by name (count, and GPU ms when its timer query works).
TFJS_PROFILE_JS = """
const tfjsProfile = async (run) => {
  const info = await tf.profile(run);
  // GPU time only with a reliable timer query; otherwise TF.js times a kernel's CPU-side dispatch
  const gpu = tf.env().getNumber("WEBGL_DISJOINT_QUERY_TIMER_EXTENSION_VERSION") > 0 &&
      tf.env().getBool("WEBGL_DISJOINT_QUERY_TIMER_EXTENSION_RELIABLE");
  const byName = {}; let n = 0;
  for (const k of info.kernels) {
    if (k.name.endsWith("__op")) continue;   // an op wrapping the kernel listed beside it: counted once
    n += 1;
    const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    const e = byName[k.name] || (byName[k.name] = {n: 0, ms: 0});
    e.n += 1; e.ms += ms;
  }
  return {kernels: n, gpu, byName};
};
"""

TFJS_LAYERS_JS = """async ([backend, runs]) => {""" + TFJS_PROFILE_JS + """
  await tf.setBackend(backend); await tf.ready();
  const m = globalThis.__benchModel, x = tf.randomNormal([1, 224, 224, 3]);
  let t0 = performance.now(); let y = m.predict(x); await y.data(); y.dispose();
  const first = performance.now() - t0; const times = [];
  for (let i = 0; i < runs; i++) { t0 = performance.now(); y = m.predict(x); await y.data(); y.dispose();
    times.push(performance.now() - t0); }
  times.sort((a, b) => a - b);
  const profile = backend === "webgl" ?
    await tfjsProfile(async () => { const o = m.predict(x); await o.data(); o.dispose(); }) : null;
  x.dispose();
  return {first, median: times[Math.floor(times.length / 2)], profile};
}"""

TFJS_GRAPH_JS = """async ([url, backend, runs]) => {""" + TFJS_PROFILE_JS + """
  await tf.setBackend(backend); await tf.ready();
  const model = await tf.loadGraphModel(url);
""" + GRAPH_INPUT_JS + """  const run = async () => { const out = await model.executeAsync(x);
    await Promise.all((Array.isArray(out) ? out : [out]).map((o) => o.data())); tf.dispose(out); };
  const once = async () => { const t = performance.now(); await run(); return performance.now() - t; };
  const first = await once(); await once();
  const times = []; for (let i = 0; i < runs; i++) times.push(await once());
  times.sort((a, b) => a - b);
  const profile = backend === "webgl" ? await tfjsProfile(run) : null;
  x.dispose(); model.dispose();
  return {first, median: times[Math.floor(times.length / 2)], profile};
}"""

OURS_COMMON = """
import json, time, statistics, js, numpy as np, tfjs as tf
from tfjs import io, platform
from tfjs.backends import webgl

""" + TIMED_PY + """
async def profile(fn):
    # one inference, every pass timed as it runs (fusion unchanged); plus its transfers and fallbacks
    gl = webgl.current(); fn()
    gl.stats.reset()
    gl.start_profile()
    fn()
    prof = await gl.stop_profile()
    tot = {k: sum(v) for k, v in prof["ops"].items()}
    top = sorted(([k, round(v, 2), len(prof["ops"][k])] for k, v in tot.items()), key=lambda e: -e[1])[:8]
    return {"timer": prof["timer"], "top": top, "total_ms": sum(tot.values()), "passes": gl.stats.programs_run,
            "downloads": gl.stats.downloads, "uploads": gl.stats.uploads, "fallbacks": gl.fallback_report()}
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
cpu = timed(lambda: model.predict(x), RUNS)
tf.set_backend("webgl")
t0 = time.perf_counter(); info = model.warmup(); warm_ms = (time.perf_counter() - t0) * 1000
gl_t = timed(lambda: model.predict(x), RUNS)
err = float(np.max(np.abs(model.predict(x) - want)))
prof = await profile(lambda: model.predict(x))
model.dispose(); tf.set_backend("cpu")
json.dumps({"cpu": cpu, "webgl": gl_t, "warmup_ms": warm_ms, "programs": info["programs"], "err": err,
            "profile": prof})
"""

OURS_GRAPH = OURS_COMMON + """
await tf.platform.load_packages("scipy")
tf.set_backend("cpu")
model = await tf.load_graph_model(URL)
""" + GRAPH_INPUT_PY + """cpu = timed(lambda: model.predict(x), RUNS)
tf.set_backend("webgl")
t0 = time.perf_counter(); info = model.warmup(); warm_ms = (time.perf_counter() - t0) * 1000
gl_t = timed(lambda: model.predict(x), RUNS)
prof = await profile(lambda: model.predict(x))
model.dispose(); tf.set_backend("cpu")
json.dumps({"cpu": cpu, "webgl": gl_t, "warmup_ms": warm_ms, "programs": info["programs"], "profile": prof})
"""


def _top(items, total, n=5):
    return "; ".join(f"{k} {v:.1f}ms x{c} ({100 * v / total:.0f}%)" for k, v, c in items[:n]) if total else "-"


def _rows(label, ours, tfgl, wasm):
    p = ours["profile"]
    fb = ", ".join(f"{k} x{v['calls']}" for k, v in p["fallbacks"].items()) or "none"
    tp = tfgl["profile"]
    rows = [
        Row(f"{label}, ours-webgl vs TF.js webgl", ours["webgl"]["median"], tfgl["median"],
            note=f"median of {RUNS}; cpu fallbacks per inference: {fb}"),
        Row(f"{label} first run (shader compile), ours-webgl vs TF.js webgl", ours["webgl"]["first"] +
            ours["warmup_ms"], tfgl["first"], note=f"{ours['programs']} programs; warmup {ours['warmup_ms']:.0f} ms"),
        Row(f"{label}, ours-cpu vs TF.js wasm", ours["cpu"]["median"], wasm["median"], note=f"median of {RUNS}"),
        Row(f"{label}, GPU passes per inference, ours vs TF.js kernels", p["passes"], tp["kernels"], unit="count",
            note=f"ours also {p['downloads']} readbacks + {p['uploads']} uploads per inference"),
        Row(f"{label}, ours-webgl where the time goes ({p['timer']} time per pass, fused; top 5)", p["total_ms"],
            note=_top(p["top"], p["total_ms"])),
    ]
    by = sorted(([k, v["ms"], v["n"]] for k, v in tp["byName"].items()), key=lambda e: (-e[1], -e[2]))
    total = sum(v for _, v, _ in by)
    kind = "GPU time" if tp["gpu"] else "no timer query: CPU-side dispatch time, not comparable"
    rows.append(Row(f"{label}, TF.js webgl kernels ({kind}; top 5)", None, total if tp["gpu"] else None,
                    note=_top(by, total)))
    return rows


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
