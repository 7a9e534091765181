"""wasm: ours-wasm vs TF.js wasm (SIMD, one thread: the page is not cross-origin isolated) for the
MobileNetV2-shaped layers model, blazeface and movenet-lightning; ours-wasm vs ours-cpu (scipy's sgemm). First
runs apart; then, after a warm-up run of each, RUNS rounds of one TF.js run, one ours-wasm run and one ours-cpu
run, interleaved so that the three share the machine's moments (medians). Then where ours-wasm spends one
inference (wall time per op), and the GFLOP/s of the 1x1 convolutions of the MobileNetV2 shape against a
multiply-add peak measured by a microbenchmark of the same module in the same page.
"""

import json
import os

from bench.bench_layers import BUILD_JS
from bench.page_inputs import GRAPH_INPUT_JS, GRAPH_INPUT_PY, TIMED_PY
from bench.runner import Row, median
from harness import BOOT_JS, add_reference_tfjs, run_py

RUNS = int(os.environ.get("TFJS_BENCH_WASM_RUNS", "10"))  # rounds of the interleaved medians
GRAPH_MODELS = ["blazeface", "movenet-lightning"]
#: TFJS_BENCH_WASM_MODELS=blazeface,movenet-lightning runs only those (names: MobileNetV2, the graph models, gflops)
ONLY = [m for m in os.environ.get("TFJS_BENCH_WASM_MODELS", "").split(",") if m]


def _wanted(name):
    return not ONLY or name in ONLY

# TF.js on its wasm backend: set up once (first run timed), then globalThis.__tfOnce() times one run.
TFJS_LAYERS_SETUP = """async () => {
  await tf.setBackend("wasm"); await tf.ready();
  const m = globalThis.__benchModel, x = tf.randomNormal([1, 224, 224, 3]);
  globalThis.__tfOnce = async () => { const t0 = performance.now(); const y = m.predict(x); await y.data();
    y.dispose(); return performance.now() - t0; };
  const first = await globalThis.__tfOnce(); await globalThis.__tfOnce();
  return first;
}"""

TFJS_GRAPH_SETUP = """async (url) => {
  await tf.setBackend("wasm"); await tf.ready();
  if (globalThis.__tfModel) globalThis.__tfModel.dispose();
  const model = globalThis.__tfModel = await tf.loadGraphModel(url);
""" + GRAPH_INPUT_JS + """  globalThis.__tfOnce = async () => { const t0 = performance.now(); const out = await model.executeAsync(x);
    await Promise.all((Array.isArray(out) ? out : [out]).map((o) => o.data())); tf.dispose(out);
    return performance.now() - t0; };
  const first = await globalThis.__tfOnce(); await globalThis.__tfOnce();
  return first;
}"""

OURS_COMMON = """
import json, time, statistics, js, numpy as np, tfjs as tf
from tfjs import io, platform
from tfjs.backends import wasm

""" + TIMED_PY + """
def once(backend):
    tf.set_backend(backend)
    t0 = time.perf_counter(); FN(); ms = (time.perf_counter() - t0) * 1000
    tf.set_backend("cpu")
    return ms

def profile(fn, runs=5):
    # the run of median wall time among `runs` profiled ones: its wall time, the time inside the ops (kernels
    # with their Python glue) and inside the module's calls; the rest is the executor and the graph mappers
    be = wasm.current(); fn()
    host_call, in_module = be.host.call, [0.0]
    def timed_call(name, *args):
        t0 = time.perf_counter()
        try:
            return host_call(name, *args)
        finally:
            in_module[0] += time.perf_counter() - t0
    samples = []
    be.host.call = timed_call
    try:
        for _ in range(runs):
            be.reset_stats(); in_module[0] = 0.0; be.start_profile()
            t0 = time.perf_counter(); fn(); wall = (time.perf_counter() - t0) * 1000
            samples.append((wall, be.stop_profile(), in_module[0] * 1000))
    finally:
        be.host.call = host_call
    wall, prof, module_ms = sorted(samples, key=lambda e: e[0])[len(samples) // 2]
    tot = {k: sum(v) for k, v in prof.items()}
    top = sorted(([k, round(v, 2), len(prof[k])] for k, v in tot.items()), key=lambda e: -e[1])[:6]
    return {"top": top, "total_ms": sum(tot.values()), "wall_ms": wall, "module_ms": module_ms,
            "nodes": sum(len(v) for v in prof.values()), "fallbacks": be.fallback_report()}

def setup(fn):
    # first runs of each backend, the largest difference between them, one profiled wasm run; then FN is
    # what once() times
    global FN
    FN = fn
    tf.set_backend("cpu"); t0 = time.perf_counter(); want = fn(); first_cpu = (time.perf_counter() - t0) * 1000
    tf.set_backend("wasm"); t0 = time.perf_counter(); got = fn(); first_wasm = (time.perf_counter() - t0) * 1000
    want, got = (want if isinstance(want, list) else [want]), (got if isinstance(got, list) else [got])
    err = max(float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))) /
                    max(float(np.max(np.abs(a))), 1e-6)) for a, b in zip(want, got))
    prof = profile(fn)
    tf.set_backend("cpu")
    once("cpu"); once("wasm")
    return {"first_cpu": first_cpu, "first_wasm": first_wasm, "err": err, "profile": prof}
"""

OURS_LAYERS = OURS_COMMON + """
await tf.platform.load_packages("scipy")
a = js.globalThis.__benchArtifacts
art = io.ModelArtifacts(model_topology=json.loads(js.JSON.stringify(a.modelTopology)),
                        weight_specs=json.loads(js.JSON.stringify(a.weightSpecs)),
                        weight_data=platform.to_bytes(a.weightData), format=a.format)
model = await tf.load_layers_model(io.from_memory(art))
x = np.random.default_rng(0).standard_normal((1, 224, 224, 3)).astype("f4")
json.dumps(setup(lambda: model.predict(x)))
"""

OURS_GRAPH = OURS_COMMON + """
await tf.platform.load_packages("scipy")
tf.set_backend("cpu")
model = await tf.load_graph_model(URL)
""" + GRAPH_INPUT_PY + """json.dumps(setup(lambda: model.predict(x)))
"""

# The largest 1x1 convolution of the MobileNetV2 shape by work (112x112x96 <- 16 ... 7x7x1280 <- 320: the
# expansion 56x56x24 -> 144 and the head 7x7x320 -> 1280 are the largest; both are timed) against the module's
# multiply-add peak (12 independent f32x4 multiply-add chains: wasm_kernels' fma_peak).
GFLOPS = OURS_COMMON + """
from tfjs.backends.wasm import kernels as K
tf.set_backend("wasm")
be = wasm.current()
rng = np.random.default_rng(0)
PEAK_ITERS = 2_000_000   # 2e6 x 96 flops: a few ms (the page's clock ticks in 0.1 ms)

def peak_sample():
    t0 = time.perf_counter(); be.host.call("fma_peak", PEAK_ITERS, 1.0)
    return PEAK_ITERS * 96 / (time.perf_counter() - t0) / 1e9

rows = []
for (h, cin, cout) in [(112, 16, 96), (56, 24, 144), (28, 32, 192), (14, 96, 576), (7, 320, 1280)]:
    x = rng.standard_normal((1, h, h, cin)).astype("f4"); w = rng.standard_normal((1, 1, cin, cout)).astype("f4")
    conv = lambda: K.conv2d(be.host, be.packed, x, w)
    conv(); peak_sample()
    conv_rates, peaks = [], []
    for _ in range(7):   # conv samples (20 convolutions each: the page's clock ticks in 0.1 ms) and peak
        t0 = time.perf_counter()   # samples taken in turn, so that both see the machine's same moments
        for _ in range(20):
            conv()
        conv_rates.append(2 * h * h * cin * cout * 20 / (time.perf_counter() - t0) / 1e9)
        peaks.append(peak_sample())
    rows.append([f"{h}x{h}x{cin}->{cout}", statistics.median(conv_rates), statistics.median(peaks)])
tf.set_backend("cpu")
json.dumps({"convs": rows})
"""


def _interleaved(page):
    """RUNS rounds of TF.js wasm, ours-wasm, ours-cpu: their medians."""
    tfjs, wasm, cpu = [], [], []
    for _ in range(RUNS):
        tfjs.append(page.evaluate("globalThis.__tfOnce()"))
        wasm.append(run_py(page, "once('wasm')"))
        cpu.append(run_py(page, "once('cpu')"))
    return median(tfjs), median(wasm), median(cpu)


def _rows(label, ours, tfjs_first, medians):
    tfjs_med, wasm_med, cpu_med = medians
    p = ours["profile"]
    top = "; ".join(f"{k} {v:.1f}ms x{c}" for k, v, c in p["top"][:5])
    fb = ", ".join(f"{k} x{v['calls']}" for k, v in p["fallbacks"].items()) or "none"
    return [
        Row(f"{label}, ours-wasm vs TF.js wasm", wasm_med, tfjs_med,
            note=f"median of {RUNS} interleaved rounds; max rel. diff to ours-cpu {ours['err']:.1e}"),
        Row(f"{label} first run, ours-wasm vs TF.js wasm", ours["first_wasm"], tfjs_first),
        Row(f"{label}, ours-wasm vs ours-cpu", wasm_med, cpu_med,
            note=f"median of {RUNS}; ours-cpu with scipy's sgemm (first run {ours['first_cpu']:.0f} ms)"),
        Row(f"{label}, ours-wasm where the time goes (wall time per op, top 5)", p["total_ms"], note=top),
        Row(f"{label}, ours-wasm one profiled run: in the module / kernel glue / executor", p["wall_ms"],
            note=f"{p['module_ms']:.1f} ms in the module's calls, {p['total_ms'] - p['module_ms']:.1f} ms in the "
                 f"kernels' Python glue, {p['wall_ms'] - p['total_ms']:.1f} ms in the executor and mappers "
                 f"({p['nodes']} op calls); median of 5 profiled runs"),
        Row(f"{label}, ours-wasm ops on the cpu kernels", None, note=fb),
    ]


def wasm_models(ctx):
    page = ctx.fresh_page()
    page.goto(ctx.url)
    page.evaluate(BOOT_JS)
    add_reference_tfjs(page, wasm=True)
    rows = []
    if _wanted("MobileNetV2"):
        page.evaluate(BUILD_JS)
        tfjs_first = page.evaluate(TFJS_LAYERS_SETUP)
        ours = json.loads(run_py(page, f"RUNS = {RUNS}\n" + OURS_LAYERS))
        rows += _rows("MobileNetV2", ours, tfjs_first, _interleaved(page))
    for name in filter(_wanted, GRAPH_MODELS):
        url = page.evaluate("(m) => new URL(`reference/models/human/${m}.json`, location.href).href", name)
        tfjs_first = page.evaluate(TFJS_GRAPH_SETUP, url)
        ours = json.loads(run_py(page, f"RUNS = {RUNS}\nURL = {url!r}\n" + OURS_GRAPH))
        rows += _rows(name, ours, tfjs_first, _interleaved(page))
    g = json.loads(run_py(page, f"RUNS = {RUNS}\n" + GFLOPS)) if _wanted("gflops") else {"convs": []}
    for shape, gflops, peak in g["convs"]:
        rows.append(Row(f"1x1 conv {shape}, ours-wasm vs the SIMD128 multiply-add peak", gflops, peak,
                        unit="GFLOP/s", note=f"{100 * gflops / peak:.0f}% of the peak (12 independent f32x4 "
                                             "mul+add chains), samples taken in turn"))
    page.close()
    return rows


BENCHMARKS = [wasm_models]
