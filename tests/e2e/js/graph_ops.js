// Runs op cases in the real TF.js (cpu backend), two ways:
// - runCases: each case is a JS function over input tensors, written with TF.js's own op functions
//   (tf.stridedSlice, tf.image.resizeBilinear, ...);
// - runGraphs: each case is a whole graph model (model.json fields and base64 weights), loaded with
//   tf.loadGraphModel(tf.io.fromMemory(...)) and run with executeAsync, once per set of inputs.
// Both return every output's shape, dtype and values (string tensors: each element's bytes as numbers);
// a case that throws returns its error text.
function makeTensor(i) {
  if (i.dtype === "string") return tf.tensor(i.data.map((b) => new Uint8Array(b)), i.shape, "string");
  return tf.tensor(i.data, i.shape, i.dtype);
}

async function readTensor(t) {
  const data = t.dtype === "string" ? (await t.bytes()).map((b) => Array.from(b)) : Array.from(await t.data());
  return {shape: t.shape, dtype: t.dtype, data};
}

function bufferOf(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes.buffer;
}

globalThis.graphOps = {
  async runCases(cases) {
    await tf.setBackend("cpu");
    const results = [];
    for (const c of cases) {
      let tensors = [];
      try {
        tensors = c.inputs.map(makeTensor);
        const fn = eval(c.js);
        let out = await fn(...tensors);
        if (!Array.isArray(out)) out = [out];
        const outputs = [];
        for (const t of out) outputs.push(await readTensor(t));
        tf.dispose(out);
        results.push({ok: true, outputs});
      } catch (e) {
        results.push({ok: false, error: String(e && e.message || e)});
      } finally {
        tf.dispose(tensors);
      }
    }
    return results;
  },

  async runGraphs(cases) {
    await tf.setBackend("cpu");
    const results = [];
    for (const c of cases) {
      let model = null;
      try {
        const artifacts = {...c.artifacts, weightData: bufferOf(c.weightData)};
        model = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
        const runs = [];
        for (const run of c.runs) {
          const inputs = {};
          for (const [name, value] of Object.entries(run.inputs)) inputs[name] = makeTensor(value);
          try {
            let out = await model.executeAsync(inputs, run.outputs);
            if (!Array.isArray(out)) out = [out];
            const outputs = [];
            for (const t of out) outputs.push(await readTensor(t));
            tf.dispose(out);
            runs.push({ok: true, outputs});
          } catch (e) {
            runs.push({ok: false, error: String(e && e.message || e)});
          } finally {
            tf.dispose(Object.values(inputs));
          }
        }
        results.push({ok: true, runs});
      } catch (e) {
        results.push({ok: false, error: String(e && e.message || e)});
      } finally {
        if (model) model.dispose();
      }
    }
    return results;
  },
};
