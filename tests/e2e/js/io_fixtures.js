// Test fixtures on the TF.js side: artifacts with weights of every dtype (quantized entries included),
// built with TF.js's own tf.io.encodeWeights, and a canonical form of decoded weights to compare with Python.
"use strict";

globalThis.ioFixtures = {
  async makeArtifacts(seed = 1) {
    const r = (i) => Math.fround(Math.sin(seed * 7.1 + i * 1.3) * 3);
    const tensors = {
      "dense/kernel": tf.tensor2d(Array.from({ length: 12 }, (_, i) => r(i)), [4, 3], "float32"),
      "dense/bias": tf.tensor1d([r(20), r(21), r(22)], "float32"),
      ids: tf.tensor2d([[1, -2], [3, 2147483647]], [2, 2], "int32"),
      mask: tf.tensor1d([true, false, true], "bool"),
      spectrum: tf.complex([1, 0], [2, -0.5]),
      vocab: tf.tensor1d(["", "hello", "\u0416\u0443\u043a", "\u6587\u5b57"], "string"),
    };
    const { data, specs } = await tf.io.encodeWeights(tensors);
    const q8 = new Uint8Array([0, 7, 128, 255]);
    const q16 = new Uint16Array([0, 300, 65535]);
    const f16 = new Uint16Array([0x3400, 0xc100, 0x7bff]); // 0.25, -2.5, 65504
    specs.push(
      { name: "q8", shape: [4], dtype: "float32", quantization: { dtype: "uint8", min: -1, scale: 0.01 } },
      { name: "q16", shape: [3], dtype: "int32", quantization: { dtype: "uint16", min: -5, scale: 0.5 } },
      { name: "f16", shape: [3], dtype: "float32", quantization: { dtype: "float16" } },
    );
    const parts = [new Uint8Array(data), q8, new Uint8Array(q16.buffer), new Uint8Array(f16.buffer)];
    const total = parts.reduce((n, p) => n + p.byteLength, 0);
    const weightData = new Uint8Array(total);
    let offset = 0;
    for (const p of parts) { weightData.set(p, offset); offset += p.byteLength; }
    Object.values(tensors).forEach((t) => t.dispose());
    return {
      modelTopology: { class_name: "Sequential", config: { name: "s", layers: [] },
                       keras_version: "tfjs-layers 4.22.0", backend: "tensor_flow.js" },
      weightSpecs: specs,
      weightData: weightData.buffer,
      format: "layers-model",
      generatedBy: "TensorFlow.js tfjs-layers v4.22.0",
      convertedBy: null,
      userDefinedMetadata: { note: "\u00fcn\u00efcode" },
      trainingConfig: { loss: "meanSquaredError" },
    };
  },

  // {name: [dtype, shape, values]}: strings as byte arrays, complex as [re, im] pairs.
  async canonical(artifacts) {
    const weightData = Array.isArray(artifacts.weightData)
      ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : artifacts.weightData;
    const decoded = tf.io.decodeWeights(weightData, artifacts.weightSpecs);
    const out = {};
    for (const [name, t] of Object.entries(decoded)) {
      let values;
      if (t.dtype === "string") values = (await t.bytes()).map((b) => Array.from(b));
      else if (t.dtype === "complex64") {
        const re = tf.real(t).dataSync(), im = tf.imag(t).dataSync();
        values = Array.from(re, (v, i) => [v, im[i]]);
      } else values = Array.from(t.dataSync(), Number);
      out[name] = [t.dtype, t.shape, values];
      t.dispose();
    }
    return out;
  },
};
