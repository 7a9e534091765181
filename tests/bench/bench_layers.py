"""Layers inference: a MobileNetV2-shaped model (about 3.5 M params, 1x224x224x3) built by TF.js in the page.

Ours (cpu backend, with scipy's sgemm and with plain numpy) against TF.js's cpu and wasm backends in the same
page: median of RUNS predictions after one warm-up, plus the first run and the load time.
"""

from bench.runner import Row
from harness import BOOT_JS, add_reference_tfjs, run_py

RUNS = 10

BUILD_JS = """async () => {
  const L = tf.layers;
  const input = tf.input({shape: [224, 224, 3]});
  const cbr = (x, f, k, s) => L.reLU({maxValue: 6}).apply(L.batchNormalization().apply(
      L.conv2d({filters: f, kernelSize: k, strides: s, padding: 'same', useBias: false}).apply(x)));
  const block = (x, cin, expand, cout, stride) => {
    let y = x;
    if (expand !== 1) y = cbr(y, cin * expand, 1, 1);
    y = L.reLU({maxValue: 6}).apply(L.batchNormalization().apply(L.depthwiseConv2d({kernelSize: 3,
        strides: stride, padding: 'same', useBias: false}).apply(y)));
    y = L.batchNormalization().apply(L.conv2d({filters: cout, kernelSize: 1, useBias: false}).apply(y));
    return (stride === 1 && cin === cout) ? L.add().apply([x, y]) : y;
  };
  let x = cbr(input, 32, 3, 2), c = 32;
  const cfg = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  for (const [t, o, n, s] of cfg) for (let i = 0; i < n; i++) { x = block(x, c, t, o, i === 0 ? s : 1); c = o; }
  x = cbr(x, 1280, 1, 1);
  x = L.globalAveragePooling2d({}).apply(x);
  x = L.dense({units: 1000, activation: 'softmax'}).apply(x);
  const m = tf.model({inputs: input, outputs: x});
  globalThis.__benchModel = m;
  await m.save(tf.io.withSaveHandler(async (a) => { globalThis.__benchArtifacts = a;
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}}; }));
  return m.countParams();
}"""

TFJS_TIME_JS = """async ([backend, runs]) => {
  await tf.setBackend(backend); await tf.ready();
  const m = globalThis.__benchModel, x = tf.randomNormal([1, 224, 224, 3]);
  let t0 = performance.now(); let y = m.predict(x); await y.data(); y.dispose();
  const first = performance.now() - t0; const times = [];
  for (let i = 0; i < runs; i++) { t0 = performance.now(); y = m.predict(x); await y.data(); y.dispose();
    times.push(performance.now() - t0); }
  times.sort((a, b) => a - b);
  return {first, median: times[Math.floor(times.length / 2)]};
}"""

OURS_PY = """
import json, time, js, numpy as np, tfjs as tf
tf.set_backend("cpu")  # these rows are the cpu backend's (the page's default is wasm)
from tfjs import io, platform
a = js.globalThis.__benchArtifacts
t0 = time.perf_counter()
art = io.ModelArtifacts(model_topology=json.loads(js.JSON.stringify(a.modelTopology)),
                        weight_specs=json.loads(js.JSON.stringify(a.weightSpecs)),
                        weight_data=platform.to_bytes(a.weightData), format=a.format)
model = await tf.load_layers_model(io.from_memory(art))
load_ms = (time.perf_counter() - t0) * 1000
x = np.random.default_rng(0).standard_normal((1, 224, 224, 3)).astype("f4")
out = {"load": load_ms}
for mode in ["scipy", "numpy"]:
    tf.backends.cpu.use_blas(mode)
    t0 = time.perf_counter(); model.predict(x); first = (time.perf_counter() - t0) * 1000
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter(); model.predict(x); times.append((time.perf_counter() - t0) * 1000)
    out[mode] = {"first": first, "median": float(np.median(times))}
tf.backends.cpu.use_blas("auto")
json.dumps(out)
"""


def mobilenet_v2_inference(ctx):
    import json

    page = ctx.fresh_page()
    page.goto(ctx.url)
    page.evaluate(BOOT_JS)
    add_reference_tfjs(page, wasm=True)
    params = page.evaluate(BUILD_JS)
    cpu = page.evaluate(TFJS_TIME_JS, ["cpu", RUNS])
    wasm = page.evaluate(TFJS_TIME_JS, ["wasm", RUNS])
    ours = json.loads(run_py(page, f"RUNS = {RUNS}\n" + OURS_PY))
    page.close()
    note = f"{params / 1e6:.2f} M params, 1x224x224x3, median of {RUNS}"
    return [
        Row("MobileNetV2 predict, ours scipy vs TF.js cpu", ours["scipy"]["median"], cpu["median"], note=note),
        Row("MobileNetV2 predict, ours numpy vs TF.js cpu", ours["numpy"]["median"], cpu["median"], note=note),
        Row("MobileNetV2 predict, ours scipy vs TF.js wasm", ours["scipy"]["median"], wasm["median"], note=note),
        Row("MobileNetV2 first predict, ours scipy vs TF.js cpu", ours["scipy"]["first"], cpu["first"]),
        Row("MobileNetV2 load from memory (ours)", ours["load"]),
    ]


BENCHMARKS = [mobilenet_v2_inference]
