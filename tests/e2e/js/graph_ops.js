// Runs op cases in the real TF.js (cpu backend): each case is a JS function over input tensors, written
// with TF.js's own op functions (tf.stridedSlice, tf.image.resizeBilinear, ...). Returns every output's
// shape, dtype and values; a case that throws returns its error text.
globalThis.graphOps = {
  async runCases(cases) {
    await tf.setBackend("cpu");
    const results = [];
    for (const c of cases) {
      let tensors = [];
      try {
        tensors = c.inputs.map((i) => tf.tensor(i.data, i.shape, i.dtype));
        const fn = eval(c.js);
        let out = await fn(...tensors);
        if (!Array.isArray(out)) out = [out];
        const outputs = [];
        for (const t of out) {
          const data = t.dtype === "string" ? [] : Array.from(await t.data());
          outputs.push({shape: t.shape, dtype: t.dtype, data});
        }
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
};
