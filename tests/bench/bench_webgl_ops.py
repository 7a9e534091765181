"""WebGL kernels of the ops detector heads, video and attention models run (Einsum, Conv3D, MaxPool3D,
AvgPool3D, ImageProjectiveTransformV3, Multinomial, TopK, Conv3DBackpropInputV2): ours-webgl vs TF.js webgl on
the same inputs in the same page, inputs already on the GPU, one op and the readback of its result per run. Each case runs ROUNDS rounds, TF.js
and ours taking turns (a machine whose load changes weighs on both alike); a side's figure is the median over its
rounds of the median of RUNS runs after warm-up. The note gives what the op costs ours on the cpu kernel with its
inputs on the host (what it cost before these kernels, transfers left out).
"""

import json

from bench.page_inputs import TIMED_PY
from bench.runner import Row, median
from harness import BOOT_JS, add_reference_tfjs, run_py

RUNS = 10
ROUNDS = 3

# name, op, input shapes, attributes (the same on both sides); inputs are ((i * 7919 + 13 k) % 2001) / 1000 - 1
# for input k, the transforms a fixed projective row
CASES = [
    ("Einsum attention scores aecd,abcd->acbe [1,128,4,32]", "Einsum", [[1, 128, 4, 32], [1, 128, 4, 32]],
     {"equation": "aecd,abcd->acbe"}),
    ("Einsum projection abc,cde->abde [1,128,128]x[128,4,32]", "Einsum", [[1, 128, 128], [128, 4, 32]],
     {"equation": "abc,cde->abde"}),
    ("Conv3D [1,8,32,32,8]x[3,3,3,8,16] same", "Conv3D", [[1, 8, 32, 32, 8], [3, 3, 3, 8, 16]], {}),
    ("MaxPool3D [1,16,32,32,16] 3x3x3 s2 same", "MaxPool3D", [[1, 16, 32, 32, 16]], {}),
    ("AvgPool3D [1,16,32,32,16] 3x3x3 s2 same", "AvgPool3D", [[1, 16, 32, 32, 16]], {}),
    ("Transform bilinear reflect [2,192,192,3]", "ImageProjectiveTransformV3", [[2, 192, 192, 3]],
     {"interpolation": "bilinear", "fill_mode": "reflect"}),
    ("Transform nearest constant [1,256,256,16]", "ImageProjectiveTransformV3", [[1, 256, 256, 16]],
     {"interpolation": "nearest", "fill_mode": "constant"}),
    ("Multinomial [8,1000] logits, 256 samples", "Multinomial", [[8, 1000]], {}),
    ("TopK [2,120000] k=100", "TopK", [[2, 120000]], {"k": 100}),
    ("Conv3DBackpropInputV2 [1,8,16,16,16]x[3,3,3,8,16] s2 same", "Conv3DBackpropInputV2",
     [[1, 8, 16, 16, 16], [3, 3, 3, 8, 16]], {"output_shape": [1, 16, 32, 32, 8]}),
]
TRANSFORM = [0.9, -0.2, 7.5, 0.25, 1.1, -6.25, 0.0007, -0.0004]

TFJS_JS = """async ([[name, op, shapes, attrs], transform, runs]) => {
  await tf.setBackend("webgl"); await tf.ready();
  const input = (shape, k) => {
    const n = shape.reduce((a, b) => a * b, 1); const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = ((i * 7919 + 13 * k) % 2001) / 1000 - 1;
    return tf.tensor(v, shape);
  };
  const xs = shapes.map(input);
  const t = tf.tensor2d(Array(shapes[0][0]).fill(transform), [shapes[0][0], 8]);
  const run = {
    Einsum: () => tf.einsum(attrs.equation, xs[0], xs[1]),
    Conv3D: () => tf.conv3d(xs[0], xs[1], 1, "same"),
    MaxPool3D: () => tf.maxPool3d(xs[0], 3, 2, "same"),
    AvgPool3D: () => tf.avgPool3d(xs[0], 3, 2, "same"),
    ImageProjectiveTransformV3: () => tf.image.transform(xs[0], t, attrs.interpolation, attrs.fill_mode, 0),
    Multinomial: () => tf.multinomial(xs[0], 256, 7),
    TopK: () => { const r = tf.topk(xs[0], attrs.k); return [r.values, r.indices]; },
    Conv3DBackpropInputV2: () => tf.conv3dTranspose(xs[0], xs[1], attrs.output_shape, 2, "same"),
  }[op];
  const once = async () => { const t0 = performance.now(); const y = [].concat(run());
    for (const v of y) { await v.data(); v.dispose(); }
    return performance.now() - t0; };
  const first = await once(); await once();
  const times = []; for (let i = 0; i < runs; i++) times.push(await once());
  times.sort((a, b) => a - b);
  xs.forEach((x) => x.dispose()); t.dispose();
  return {first, median: times[Math.floor(times.length / 2)]};
}"""

OURS_PY = """
import json, time, statistics, numpy as np, tfjs as tf
from tfjs import backends
from tfjs.backends import webgl
""" + TIMED_PY + """
tf.set_backend("webgl")
GL, CPU = webgl.current(), backends.find_backend("cpu")

def host(shape, k):
    i = np.arange(int(np.prod(shape)), dtype=np.int64)
    return (((i * 7919 + 13 * k) % 2001) / 1000 - 1).astype(np.float32).reshape(shape)

def call(kernels, op, xs, t, attrs):
    if op == "Einsum":
        return kernels[op](attrs["equation"], xs[0], xs[1])
    if op == "Conv3D":
        return kernels[op](xs[0], xs[1], strides=1, pad="same", dilations=1)
    if op in ("MaxPool3D", "AvgPool3D"):
        return kernels[op](xs[0], ksize=3, strides=2, pad="same")
    if op == "Multinomial":
        return kernels[op](xs[0], 256, seed=7)
    if op == "TopK":
        return kernels[op](xs[0], attrs["k"])
    if op == "Conv3DBackpropInputV2":
        return kernels[op](xs[0], xs[1], attrs["output_shape"], strides=2, pad="same")
    return kernels[op](xs[0], t, None, 0.0, attrs["interpolation"], attrs["fill_mode"])

def read(out):
    return [np.asarray(o) for o in out] if isinstance(out, (list, tuple)) else np.asarray(out)

def bench_case(name, op, shapes, attrs):
    xs = [host(s, k) for k, s in enumerate(shapes)]
    t = np.array([TRANSFORM] * shapes[0][0], np.float32)
    gx, gt = [GL.upload(x) for x in xs], GL.upload(t)
    fb = dict(GL.fallback_report())
    gl_t = timed(lambda: read(call(GL.kernels, op, gx, gt, attrs)), RUNS)
    cpu_t = timed(lambda: call(CPU.kernels, op, xs, t, attrs), max(RUNS // 2, 3))
    return json.dumps({"webgl": gl_t, "cpu": cpu_t["median"], "fallback": GL.fallback_report() != fb})
"""


def webgl_ops(ctx):
    page = ctx.fresh_page()
    page.goto(ctx.url)
    page.evaluate(BOOT_JS)
    add_reference_tfjs(page)
    run_py(page, f"RUNS = {RUNS}\nTRANSFORM = {TRANSFORM!r}\n" + OURS_PY)
    rows = []
    for case in CASES:
        name = case[0]
        tf_rounds, our_rounds = [], []
        for _ in range(ROUNDS):
            tf_rounds.append(page.evaluate(TFJS_JS, [list(case), TRANSFORM, RUNS]))
            our_rounds.append(json.loads(run_py(page, f"bench_case(*{list(case)!r})")))
        tf_ms = median(r["median"] for r in tf_rounds)
        ours_ms = median(r["webgl"]["median"] for r in our_rounds)
        cpu_ms = median(r["cpu"] for r in our_rounds)
        fell = "; FELL BACK to the cpu kernel" if any(r["fallback"] for r in our_rounds) else ""
        rows.append(Row(f"{name}, ours-webgl vs TF.js webgl", ours_ms, tf_ms,
                        note=f"{ROUNDS} rounds of {RUNS} runs, readback included; first run "
                             f"{our_rounds[0]['webgl']['first']:.0f} vs {tf_rounds[0]['first']:.0f} ms; ours on "
                             f"the cpu kernel {cpu_ms:.1f} ms{fell}"))
    page.close()
    return rows


BENCHMARKS = [webgl_ops]
