"""Code the graph-model benchmarks run in the page on both sides: the same deterministic input for a model's
first input (JS for TF.js, Python for ours, both given ``model``), and a timer of the first and median runs."""

GRAPH_INPUT_JS = """
  const info = model.inputs[0];
  const shape = info.shape.map((d) => (d === -1 ? 1 : d));
  const n = shape.reduce((a, b) => a * b, 1);
  const dtype = info.dtype === "int32" ? "int32" : "float32";
  const values = dtype === "int32" ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = dtype === "int32" ? (i * 7919) % 256 : ((i * 7919) % 2001) / 1000 - 1;
  const x = tf.tensor(values, shape, dtype);
"""

GRAPH_INPUT_PY = """
spec = model.inputs[0]
shape = [1 if d == -1 else d for d in spec["shape"]]
i = np.arange(int(np.prod(shape)), dtype=np.int64)
x = (((i * 7919) % 256).astype(np.int32) if spec["dtype"] == "int32"
     else (((i * 7919) % 2001) / 1000 - 1).astype(np.float32)).reshape(shape)
"""

TIMED_PY = """
def timed(fn, runs):
    t0 = time.perf_counter(); fn(); first = (time.perf_counter() - t0) * 1000
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter(); fn(); times.append((time.perf_counter() - t0) * 1000)
    return {"first": first, "median": statistics.median(times)}
"""
