"""Training throughput (samples per second) of the small digits CNN (8x8x1 -> conv16 -> pool -> conv32 -> pool ->
dense64 -> dense10, Adam, batch 32): ours (Python in the page, cpu backend) against TF.js's cpu and wasm
backends in the same page, same model and data (tests/fixtures/digits.npz). One warm-up epoch, then the median
epoch time of EPOCHS."""

import base64
import json

from bench.runner import Row
from harness import BOOT_JS, ROOT, add_reference_tfjs, run_py

EPOCHS = 3

MODEL_JS = """tf.sequential({layers: [
  tf.layers.conv2d({filters: 16, kernelSize: 3, activation: 'relu', padding: 'same', inputShape: [8, 8, 1]}),
  tf.layers.maxPooling2d({poolSize: 2}),
  tf.layers.conv2d({filters: 32, kernelSize: 3, activation: 'relu', padding: 'same'}),
  tf.layers.maxPooling2d({poolSize: 2}), tf.layers.flatten(),
  tf.layers.dense({units: 64, activation: 'relu'}), tf.layers.dense({units: 10, activation: 'softmax'})]})"""

TFJS_JS = """async ([backend, epochs, xb64, yb64, n]) => {
  await tf.setBackend(backend); await tf.ready();
  const xs = Uint8Array.from(atob(xb64), c => c.charCodeAt(0)), ys = Uint8Array.from(atob(yb64), c => c.charCodeAt(0));
  const x = tf.tensor4d(Float32Array.from(xs, v => v / 16), [n, 8, 8, 1]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from(ys), 'int32'), 10).cast('float32');
  const m = %s;
  m.compile({optimizer: tf.train.adam(0.005), loss: 'categoricalCrossentropy', metrics: ['accuracy']});
  await m.fit(x, y, {epochs: 1, batchSize: 32, verbose: 0});
  const times = [];
  for (let e = 0; e < epochs; e++) { const t0 = performance.now();
    await m.fit(x, y, {epochs: 1, batchSize: 32, verbose: 0}); times.push(performance.now() - t0); }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}""" % MODEL_JS

OURS_PY = """
import base64, io as _io, json, time, numpy as np, tfjs as tf
tf.set_backend("cpu")  # these rows are the cpu backend's (the page's default is wasm)
d = np.load(_io.BytesIO(base64.b64decode(DIGITS_B64)))
x = (d["x_train"].astype("float32") / 16)[..., None]
y = np.eye(10, dtype="float32")[d["y_train"]]
L = tf.layers
m = tf.sequential(layers=[
    L.conv2d(filters=16, kernel_size=3, activation="relu", padding="same", input_shape=[8, 8, 1]),
    L.max_pooling2d(pool_size=2), L.conv2d(filters=32, kernel_size=3, activation="relu", padding="same"),
    L.max_pooling2d(pool_size=2), L.flatten(), L.dense(units=64, activation="relu"),
    L.dense(units=10, activation="softmax")])
m.compile(optimizer=tf.train.adam(0.005), loss="categoricalCrossentropy", metrics=["accuracy"])
await tf.platform.load_packages("scipy")
await m.fit(x, y, epochs=1, batch_size=32, verbose=0)
times = []
for _ in range(EPOCHS):
    t0 = time.perf_counter()
    await m.fit(x, y, epochs=1, batch_size=32, verbose=0)
    times.append((time.perf_counter() - t0) * 1000)
json.dumps({"median_ms": float(np.median(times)), "n": int(x.shape[0])})
"""


# Whether TF.js's wasm backend can train the CNN at all: conv2d's gradient for its filter runs the
# Conv2DBackpropFilter kernel, which @tensorflow/tfjs-backend-wasm 4.22.0 does not register (its dist has
# Conv2DBackpropInput, Conv3DBackpropFilterV2 and Dilation2DBackpropFilter, no Conv2DBackpropFilter).
WASM_PROBE_JS = """() => ({version: (tf.wasm && tf.wasm.version_wasm) || null,
  backprop_filter: tf.getKernel('Conv2DBackpropFilter', 'wasm') != null,
  conv2d: tf.getKernel('Conv2D', 'wasm') != null})"""


def wasm_training_note(probe: dict, error: str | None) -> str:
    """The wasm row's note: plain about why there is no TF.js number."""
    version = probe.get("version") or "?"
    if probe.get("conv2d") and not probe.get("backprop_filter"):
        return (f"NO TF.js NUMBER: TF.js wasm {version} has no Conv2DBackpropFilter kernel, so it cannot train "
                f"conv layers" + (f"; its fit fails: {error}" if error else ""))
    if error:
        return f"NO TF.js NUMBER: TF.js wasm {version} failed to train it: {error}"
    return ""


def digits_cnn_training(ctx):
    import numpy as np

    data = (ROOT / "tests" / "fixtures" / "digits.npz").read_bytes()
    d = np.load(ROOT / "tests" / "fixtures" / "digits.npz")
    xb64 = base64.b64encode(d["x_train"].astype(np.uint8).tobytes()).decode()
    yb64 = base64.b64encode(d["y_train"].astype(np.uint8).tobytes()).decode()
    n = int(d["x_train"].shape[0])
    page = ctx.fresh_page()
    page.goto(ctx.url)
    page.evaluate(BOOT_JS)
    add_reference_tfjs(page, wasm=True)
    ours = json.loads(run_py(page, f"EPOCHS = {EPOCHS}\nDIGITS_B64 = {base64.b64encode(data).decode()!r}\n"
                                   + OURS_PY))
    cpu = page.evaluate(TFJS_JS, ["cpu", EPOCHS, xb64, yb64, n])
    probe = page.evaluate(WASM_PROBE_JS)
    wasm, error = None, None
    try:
        wasm = page.evaluate(TFJS_JS, ["wasm", EPOCHS, xb64, yb64, n])
    except Exception as e:  # noqa: BLE001  reported in the row
        error = str(e).splitlines()[0].replace("Error: ", "")[:100]
    wasm_note = wasm_training_note(probe, error)
    page.close()
    rate = lambda ms: n / (ms / 1000)  # noqa: E731
    note = f"digits CNN, {n} samples/epoch, batch 32, Adam; median of {EPOCHS} epochs"
    return [
        Row("digits CNN training, ours vs TF.js cpu", rate(ours["median_ms"]), rate(cpu), unit="samples/s",
            note=note),
        Row("digits CNN training, ours vs TF.js wasm", rate(ours["median_ms"]), rate(wasm) if wasm else None,
            unit="samples/s", note=wasm_note if wasm is None else note),
    ]


BENCHMARKS = [digits_cnn_training]
