"""wasm: ours-wasm vs TF.js wasm (SIMD, one thread: the page is not cross-origin isolated) for the
MobileNetV2-shaped layers model, blazeface and movenet-lightning; ours-wasm vs ours-cpu (scipy's sgemm); median
of RUNS after warm-up, first run apart. Then where ours-wasm spends one inference (wall time per op), and the
GFLOP/s of the largest 1x1 convolution of the MobileNetV2 shape against a multiply-add peak measured by a
microbenchmark of the same module in the same page.
"""

import json

from bench.bench_layers import BUILD_JS
from bench.bench_webgl import TFJS_GRAPH_JS, TFJS_LAYERS_JS
from bench.runner import Row
from harness import BOOT_JS, add_reference_tfjs, run_py

RUNS = 10
GRAPH_MODELS = ["blazeface", "movenet-lightning"]

OURS_COMMON = """
import json, time, statistics, js, numpy as np, tfjs as tf
from tfjs import io, platform
from tfjs.backends import wasm

def timed(fn, runs):
    t0 = time.perf_counter(); fn(); first = (time.perf_counter() - t0) * 1000
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter(); fn(); times.append((time.perf_counter() - t0) * 1000)
    return {"first": first, "median": statistics.median(times)}

def profile(fn):
    be = wasm.current(); fn()
    be.reset_stats(); be.start_profile(); fn(); prof = be.stop_profile()
    tot = {k: sum(v) for k, v in prof.items()}
    top = sorted(([k, round(v, 2), len(prof[k])] for k, v in tot.items()), key=lambda e: -e[1])[:6]
    return {"top": top, "total_ms": sum(tot.values()), "fallbacks": be.fallback_report()}

def run_both(fn):
    tf.set_backend("cpu"); want = fn()
    cpu = timed(fn, RUNS)
    tf.set_backend("wasm")
    w = timed(fn, RUNS)
    got = fn()
    want, got = (want if isinstance(want, list) else [want]), (got if isinstance(got, list) else [got])
    err = max(float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))) /
                    max(float(np.max(np.abs(a))), 1e-6)) for a, b in zip(want, got))
    prof = profile(fn)
    tf.set_backend("cpu")
    return {"cpu": cpu, "wasm": w, "err": err, "profile": prof}
"""

OURS_LAYERS = OURS_COMMON + """
await tf.platform.load_packages("scipy")
a = js.globalThis.__benchArtifacts
art = io.ModelArtifacts(model_topology=json.loads(js.JSON.stringify(a.modelTopology)),
                        weight_specs=json.loads(js.JSON.stringify(a.weightSpecs)),
                        weight_data=platform.to_bytes(a.weightData), format=a.format)
model = await tf.load_layers_model(io.from_memory(art))
x = np.random.default_rng(0).standard_normal((1, 224, 224, 3)).astype("f4")
out = run_both(lambda: model.predict(x))
model.dispose()
json.dumps(out)
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
out = run_both(lambda: model.predict(x))
model.dispose()
json.dumps(out)
"""

# The largest 1x1 convolution of the MobileNetV2 shape by work (112x112x96 <- 16 ... 7x7x1280 <- 320: the
# expansion 56x56x24 -> 144 and the head 7x7x320 -> 1280 are the largest; both are timed) against the module's
# multiply-add peak (12 independent f32x4 multiply-add chains: wasm_kernels' fma_peak).
GFLOPS = OURS_COMMON + """
from tfjs.backends.wasm import kernels as K
tf.set_backend("wasm")
be = wasm.current()
rng = np.random.default_rng(0)
rows = []
for (h, cin, cout) in [(112, 16, 96), (56, 24, 144), (28, 32, 192), (14, 96, 576), (7, 320, 1280)]:
    x = rng.standard_normal((1, h, h, cin)).astype("f4"); w = rng.standard_normal((1, 1, cin, cout)).astype("f4")
    conv = lambda: K.conv2d(be.host, be.packed, x, w)
    conv()
    times = []
    for _ in range(5):   # 20 convolutions per sample: the page's clock ticks in 0.1 ms
        t0 = time.perf_counter()
        for _ in range(20):
            conv()
        times.append((time.perf_counter() - t0) * 1000 / 20)
    t = statistics.median(times)
    rows.append([f"{h}x{h}x{cin}->{cout}", 2 * h * h * cin * cout / t / 1e6, t])
iters = 1_000_000
be.host.call("fma_peak", 1000, 1.0)
times = []
for _ in range(5):
    t0 = time.perf_counter(); be.host.call("fma_peak", iters, 1.0); times.append(time.perf_counter() - t0)
peak = iters * 12 * 4 * 2 / statistics.median(times) / 1e9
tf.set_backend("cpu")
json.dumps({"convs": rows, "peak": peak})
"""


def _rows(label, ours, tfjs_wasm):
    p = ours["profile"]
    top = "; ".join(f"{k} {v:.1f}ms x{c}" for k, v, c in p["top"][:5])
    fb = ", ".join(f"{k} x{v['calls']}" for k, v in p["fallbacks"].items()) or "none"
    return [
        Row(f"{label}, ours-wasm vs TF.js wasm", ours["wasm"]["median"], tfjs_wasm["median"],
            note=f"median of {RUNS}; max rel. diff to ours-cpu {ours['err']:.1e}"),
        Row(f"{label} first run, ours-wasm vs TF.js wasm", ours["wasm"]["first"], tfjs_wasm["first"]),
        Row(f"{label}, ours-wasm vs ours-cpu", ours["wasm"]["median"], ours["cpu"]["median"],
            note=f"median of {RUNS}; ours-cpu with scipy's sgemm"),
        Row(f"{label}, ours-wasm where the time goes (wall time per op, top 5)", p["total_ms"], note=top),
        Row(f"{label}, ours-wasm ops on the cpu kernels", None, note=fb),
    ]


def wasm_models(ctx):
    page = ctx.fresh_page()
    page.goto(ctx.url)
    page.evaluate(BOOT_JS)
    add_reference_tfjs(page, wasm=True)
    page.evaluate(BUILD_JS)
    rows = []
    tfjs_wasm = page.evaluate(TFJS_LAYERS_JS, ["wasm", RUNS])
    ours = json.loads(run_py(page, f"RUNS = {RUNS}\n" + OURS_LAYERS))
    rows += _rows("MobileNetV2", ours, tfjs_wasm)
    for name in GRAPH_MODELS:
        url = page.evaluate("(m) => new URL(`reference/models/human/${m}.json`, location.href).href", name)
        tfjs_wasm = page.evaluate(TFJS_GRAPH_JS, [url, "wasm", RUNS])
        ours = json.loads(run_py(page, f"RUNS = {RUNS}\nURL = {url!r}\n" + OURS_GRAPH))
        rows += _rows(name, ours, tfjs_wasm)
    g = json.loads(run_py(page, f"RUNS = {RUNS}\n" + GFLOPS))
    best = max(g["convs"], key=lambda r: r[1])
    for shape, gflops, ms in g["convs"]:
        rows.append(Row(f"1x1 conv {shape}, ours-wasm", gflops, None, unit="GFLOP/s",
                        note=f"{ms:.2f} ms; {100 * gflops / g['peak']:.0f}% of the multiply-add peak"))
    rows.append(Row("SIMD128 multiply-add peak (12 independent f32x4 mul+add chains)", g["peak"], None,
                    unit="GFLOP/s", note=f"best 1x1 conv: {best[0]} at {best[1]:.1f}"))
    page.close()
    return rows


BENCHMARKS = [wasm_models]
