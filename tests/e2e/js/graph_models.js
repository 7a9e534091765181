// Runs a graph model in the real TF.js (cpu backend) on deterministic inputs and keeps the outputs in
// globalThis.graphRef for the Python side of the page to compare with, without sending them through JSON.
globalThis.graphModels = {
  // The same values as graph_inputs() in the Python tests: exact in float32 on both sides.
  values(n, dtype) {
    const out = dtype === "int32" ? new Int32Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = dtype === "int32" ? (i * 7919) % 256 : ((i * 7919) % 2001) / 1000 - 1;
    }
    return out;
  },
  shapeOf(info) { return info.shape.map((d) => (d === -1 ? 1 : d)); },
  async run(url, backend = "cpu", outputNames = null) {
    await tf.setBackend(backend);
    const t0 = performance.now();
    const model = await tf.loadGraphModel(url);
    const loadMs = performance.now() - t0;
    const inputs = {};
    const specs = [];
    for (const info of model.inputs) {
      const shape = this.shapeOf(info);
      const dtype = info.dtype === "int32" ? "int32" : "float32";
      const n = shape.reduce((a, b) => a * b, 1);
      inputs[info.name] = tf.tensor(this.values(n, dtype), shape, dtype);
      specs.push({name: info.name, shape, dtype});
    }
    const names = outputNames || model.outputNodes;
    const t1 = performance.now();
    let outs = await model.executeAsync(inputs, names);
    const runMs = performance.now() - t1;
    if (!Array.isArray(outs)) outs = [outs];
    const arrays = [];
    const shapes = [];
    const dtypes = [];
    for (const t of outs) {
      const data = await t.data();
      // A float32 tensor may hold its values in an Int32Array (TF.js keeps a cast's buffer): normalize.
      arrays.push(t.dtype === "float32" && !(data instanceof Float32Array) ? Float32Array.from(data) : data);
      shapes.push(t.shape);
      dtypes.push(t.dtype);
    }
    tf.dispose(outs);
    tf.dispose(Object.values(inputs));
    model.dispose();
    globalThis.graphRef = {arrays};
    return {names, shapes, dtypes, specs, loadMs, runMs};
  },
};
