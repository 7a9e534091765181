"""Real models on webgl vs cpu (graph models from dist/reference/models/human, a MobileNet-style layers model),
leaks over load/predict/dispose cycles, fallback reporting and context loss."""

import pytest

from harness import run_py

pytestmark = pytest.mark.e2e

GRAPH_PY = r"""
import numpy as np, tfjs as tf
from tfjs.backends import webgl

def inputs_for(model):
    out = {}
    for s in model.inputs:
        shape = [1 if d == -1 else d for d in s["shape"]]
        i = np.arange(int(np.prod(shape)), dtype=np.int64)
        v = ((i * 7919) % 256).astype(np.int32) if s["dtype"] == "int32" else (((i * 7919) % 2001) / 1000 - 1).astype(np.float32)
        out[s["name"]] = v.reshape(shape)
    return out

HEAVY = {"Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative", "MatMul", "_FusedMatMul",
         "BatchMatMul", "BatchMatMulV2", "Conv2DBackpropInput"}

async def compare(path):
    import js
    tf.set_backend("cpu")
    model = await tf.load_graph_model(str(js.URL.new(f"reference/models/{path}", js.location.href).href))
    feeds = inputs_for(model)
    want = model.execute(feeds, model.output_nodes)
    want = want if isinstance(want, list) else [want]
    tf.set_backend("webgl")
    gl = webgl.current(); gl.stats.reset()
    got = model.execute(feeds, model.output_nodes)
    got = got if isinstance(got, list) else [got]
    errs = []
    for w, g in zip(want, got):
        w = np.asarray(w, np.float64); g = np.asarray(g, np.float64)
        assert w.shape == g.shape, (w.shape, g.shape)
        errs.append(float(np.max(np.abs(w - g)) / max(np.max(np.abs(w)), 1e-6)) if w.size else 0.0)
    report = model.fallback_report()
    nodes = model.graph.nodes
    heavy = sum(1 for n in (nodes.values() if isinstance(nodes, dict) else nodes) if n.op in HEAVY)
    passes = gl.stats.programs_run
    model.dispose()
    tf.set_backend("cpu")
    return {"errs": errs, "fallbacks": report, "types": [type(g).__name__ for g in got], "heavy": heavy,
            "passes": passes}

async def compare_layers(path, shape, lo, hi):
    import js
    tf.set_backend("cpu")
    model = await tf.load_layers_model(str(js.URL.new(f"reference/models/{path}", js.location.href).href))
    x = np.random.default_rng(17).uniform(lo, hi, shape).astype(np.float32)
    want = np.asarray(model.predict(x), np.float64)
    tf.set_backend("webgl")
    gl = webgl.current(); gl.stats.reset()
    got = model.predict(x)
    kind = type(got).__name__
    got = np.asarray(got, np.float64)
    assert got.shape == want.shape, (got.shape, want.shape)
    heavy = sum(1 for layer in model.layers if type(layer).__name__ in ("Conv2D", "DepthwiseConv2D", "Dense"))
    out = {"errs": [float(np.max(np.abs(want - got)) / max(np.max(np.abs(want)), 1e-6))],
           "fallbacks": model.fallback_report(), "types": [kind], "heavy": heavy,
           "passes": gl.stats.programs_run, "downloads": gl.stats.downloads}
    model.dispose()
    tf.set_backend("cpu")
    return out
"""

# Ops that run on the cpu kernel with GPU inputs, per model (all others run on the GPU). Exact, so that a model
# that drifts onto the cpu fails here. centernet's TopK picks detections from a row of more than 100000 scores on
# the GPU (as TF.js's webgl backend does); the int32 Mul and Add that turn its indices into gather positions and
# the GatherV2 that reads them stay there too, and so does its Equal (a bool result).
FALLBACKS = {"human/blazeface.json": set(), "human/movenet-lightning.json": set(), "human/facemesh.json": set(),
             "human/iris.json": set(), "human/emotion.json": set(), "human/antispoof.json": set(),
             "human/liveness.json": set(), "human/faceres.json": set(), "human/centernet.json": set(),
             "human/handlandmark-lite.json": set(), "human/handtrack.json": set(),
             "basic-pitch/model.json": set()}

LAYERS_PY = r"""
import numpy as np, tfjs as tf, gc
from tfjs.backends import webgl
L = tf.layers

def build():
    inp = tf.input(shape=[32, 32, 3])
    x = L.conv2d(filters=16, kernel_size=3, strides=2, padding="same", use_bias=False).apply(inp)
    x = L.re_lu(max_value=6).apply(L.batch_normalization().apply(x))
    y = L.depthwise_conv2d(kernel_size=3, padding="same", use_bias=False).apply(x)
    y = L.re_lu(max_value=6).apply(L.batch_normalization().apply(y))
    y = L.conv2d(filters=16, kernel_size=1, use_bias=False).apply(y)
    y = L.batch_normalization().apply(y)
    x = L.add().apply([x, y])
    x = L.max_pooling2d(pool_size=2).apply(x)
    x = L.conv2d(filters=24, kernel_size=3, padding="valid", activation="relu").apply(x)
    x = L.global_average_pooling2d().apply(x)
    x = L.dense(units=10, activation="softmax").apply(x)
    m = tf.model(inputs=inp, outputs=x)
    rng = np.random.default_rng(1)
    m.set_weights([rng.uniform(0.5, 1.5, w.shape).astype(np.float32) if "variance" in w.name else
                   rng.standard_normal(w.shape).astype(np.float32) * 0.3 for w in m.weights])
    return m
"""


@pytest.mark.parametrize("path", list(FALLBACKS))
def test_graph_model_webgl_matches_cpu(app_page, path):
    run_py(app_page, GRAPH_PY)
    out = run_py(app_page, f"await compare({path!r})")
    assert max(out["errs"]) < 1e-3, out
    assert all(t == "ndarray" for t in out["types"]), out
    assert set(out["fallbacks"]) == FALLBACKS[path], out["fallbacks"]
    # every convolution / matrix product ran as (at least) one GPU pass
    assert out["heavy"] > 0 and out["passes"] >= out["heavy"], out


def test_upscaler_layers_model_webgl_matches_cpu(app_page):
    """@upscalerjs/default-model (Conv2D, Add, Concatenate, UpSampling2D / depth-to-space): a real layers model."""
    run_py(app_page, GRAPH_PY)
    out = run_py(app_page, "await compare_layers('upscaler/default/model.json', [1, 18, 14, 3], 0.0, 255.0)")
    assert max(out["errs"]) < 1e-3, out
    assert out["types"] == ["ndarray"], out
    assert out["fallbacks"] == {}, out
    assert out["heavy"] > 0 and out["passes"] >= out["heavy"], out
    assert out["downloads"] == 1, out       # one readback: the result


def test_layers_model_webgl_matches_cpu(app_page):
    run_py(app_page, LAYERS_PY)
    out = run_py(app_page, r"""
tf.set_backend("cpu")
m = build()
x = np.random.default_rng(2).standard_normal((2, 32, 32, 3)).astype(np.float32)
want = m.predict(x)
tf.set_backend("webgl")
gl = webgl.current(); gl.stats.reset()
info = m.warmup()
before = gl.stats.downloads
got = m.predict(x)
downloads = gl.stats.downloads - before
res = {"err": float(np.max(np.abs(got - want)) / np.max(np.abs(want))), "type": type(got).__name__,
       "writeable": bool(got.flags.writeable), "downloads": downloads, "programs": info["programs"],
       "fallbacks": m.fallback_report()}
tf.set_backend("cpu")
res
""")
    assert out["err"] < 1e-3, out
    assert out["type"] == "ndarray" and out["writeable"]
    assert out["downloads"] == 1, out       # one readback: the result
    assert out["fallbacks"] == {}, out


LEAK_PY = r"""
import gc, js, numpy as np, tfjs as tf
from tfjs.backends import webgl

KEYS = ("numTensors", "numTexturesInUse", "numTexturesPooled", "numBytesPooled", "numTexturesInGPU",
        "numBytesInGPU", "numPrograms", "numUploadsCached", "numUploadOwners", "numFallbackProducts",
        "numIndexMapsCached", "numIndexMapBytes", "numJsListeners", "numJsRefs")

def url(path):
    return str(js.URL.new(f"reference/models/{path}", js.location.href).href)

def mem():
    gc.collect()
    m = webgl.current().memory()
    return {k: m[k] for k in KEYS}

async def cycle(kind, path, x):
    if kind == "layers":
        model = await tf.load_layers_model(url(path))
        y = model.predict(x)
    else:
        model = await tf.load_graph_model(url(path))
        y = model.execute(x, model.output_nodes)
    loaded = mem()
    model.dispose()
    del model, y
    return loaded

async def graph_input(path):
    model = await tf.load_graph_model(url(path))
    feeds = inputs_for(model)
    model.dispose()
    return feeds

async def leak_check(kind, path, x, cycles):
    tf.set_backend("webgl")
    gl = webgl.current()
    await cycle(kind, path, x)              # first cycle: programs compiled
    gl.release_cached()                     # start from an empty pool and empty caches
    start = mem()
    loaded, after = [], []
    for _ in range(cycles):
        loaded.append((await cycle(kind, path, x))["numBytesInGPU"])
        after.append(mem())
    end = mem()
    gl.release_cached()                     # pool, cached uploads, index maps: nothing else may hold a texture
    bare = mem()
    tf.set_backend("cpu")
    return {"start": start, "end": end, "bare": bare, "loaded": loaded,
            "after": {k: [a[k] for a in after] for k in KEYS}}
"""

LEAK_KEYS = ("numTensors", "numTexturesInUse", "numTexturesPooled", "numBytesPooled", "numTexturesInGPU",
             "numBytesInGPU", "numPrograms", "numUploadsCached", "numUploadOwners", "numFallbackProducts",
             "numIndexMapsCached", "numIndexMapBytes", "numJsListeners", "numJsRefs")


@pytest.mark.parametrize("kind,path,x", [
    ("layers", "upscaler/default/model.json", "np.random.default_rng(3).uniform(0, 255, (1, 18, 14, 3)).astype(np.float32)"),
    ("graph", "human/emotion.json", "await graph_input('human/emotion.json')"),
], ids=["layers-upscaler", "graph-emotion"])
def test_no_leaks_over_100_cycles(app_page, kind, path, x):
    """100 cycles of load (from the served files) / predict / dispose: live textures, GPU bytes held (pool
    included), cached uploads and index maps, programs, and the JS objects Python references (Pyodide's own
    count of live JsProxies) end where they started; a disposed model's weight textures are deleted at once."""
    run_py(app_page, GRAPH_PY)
    run_py(app_page, LEAK_PY)
    out = run_py(app_page, f"await leak_check({kind!r}, {path!r}, {x}, 100)")
    s, e, bare, after = out["start"], out["end"], out["bare"], out["after"]
    assert s["numJsRefs"] is not None, "Pyodide exposes its JsProxy count (_hiwire_num_refs)"
    assert s["numTexturesInGPU"] == 0 and s["numBytesInGPU"] == 0 and s["numTensors"] == 0, s
    # what no cache may keep: live tensors and textures in use, cached weights, JS objects, listeners
    for key in ("numTensors", "numTexturesInUse", "numUploadsCached", "numUploadOwners", "numFallbackProducts",
                "numJsListeners", "numJsRefs"):
        assert after[key][1:] == after[key][:1] * (len(after[key]) - 1), (key, after[key])
    # bounded caches (pool, index maps, programs) fill in the first cycle and then never grow
    for key in ("numTexturesPooled", "numBytesPooled", "numTexturesInGPU", "numBytesInGPU", "numIndexMapsCached",
                "numIndexMapBytes", "numPrograms"):
        assert all(b <= a for a, b in zip(after[key][1:], after[key][2:])), (key, after[key])
    # while a model is loaded its weights are on the GPU; disposing it deletes them at once (not pooled)
    assert min(out["loaded"]) > max(after["numBytesInGPU"]), (out["loaded"][:3], after["numBytesInGPU"][:3])
    # with the caches emptied, nothing holds a texture: the GPU memory is back where it started
    for key in ("numTensors", "numTexturesInUse", "numTexturesInGPU", "numBytesInGPU", "numJsListeners"):
        assert bare[key] == s[key], (key, s, bare)
    assert e["numJsRefs"] == s["numJsRefs"] == bare["numJsRefs"], (s, e, bare)


def test_fallback_is_reported(app_page):
    out = run_py(app_page, r"""
import numpy as np, tfjs as tf
from tfjs.backends import webgl
from tfjs.ops import graph_extra as gx
tf.set_backend("webgl")
gl = webgl.current(); gl.stats.reset()
x = webgl.upload(np.arange(8192, dtype=np.float32).reshape(2048, 4))
y = gx.euclidean_norm(x, 1)     # no webgl kernel: download, cpu, upload on next use
z = tf.ops.relu(y)
ok = bool(np.allclose(np.asarray(z), np.linalg.norm(np.arange(8192, dtype=np.float64).reshape(2048, 4), axis=1)))
rep = gl.fallback_report()
tf.set_backend("cpu")
{"ok": ok, "rep": rep}
""")
    assert out["ok"]
    assert out["rep"]["EuclideanNorm"] == {"calls": 1, "downloads": 1, "uploads": 1}


def test_context_loss_is_a_clear_error(app_page):
    out = run_py(app_page, r"""
import numpy as np, tfjs as tf
from tfjs.backends import webgl
tf.set_backend("webgl")
gl = webgl.current()
x = webgl.upload(np.ones((64, 64), np.float32))
lost = gl.lose_context()
msgs = []
for fn in (lambda: np.asarray(tf.ops.relu(x)), lambda: np.asarray(x)):
    try:
        fn(); msgs.append("no error")
    except Exception as e:
        msgs.append(f"{type(e).__name__}: {e}")
# numpy inputs need no old GPU data: the next op starts a fresh context and gives the right answer
again = np.asarray(tf.ops.relu(-np.ones((64, 64), np.float32)))
tf.set_backend("webgl")          # a fresh context
fresh = webgl.current() is not gl
y = np.asarray(tf.ops.relu(webgl.upload(-np.ones((64, 64), np.float32))))
tf.set_backend("cpu")
{"lost": lost, "msgs": msgs, "fresh": fresh, "ok": bool((y == 0).all()) and bool((again == 0).all())}
""")
    assert out["lost"]
    assert all("context was lost" in m for m in out["msgs"]), out["msgs"]
    assert out["fresh"] and out["ok"]


def test_missing_float_render_targets_is_a_clear_error(app_page):
    """Without EXT_color_buffer_float (forced through the platform hook) the webgl backend does not start: a
    clear error naming the extension, the active backend stays cpu and answers right, nothing is left behind."""
    out = run_py(app_page, r"""
import gc, numpy as np, tfjs as tf
from tfjs import backends
from tfjs.backends import webgl
from tfjs.platform import webgl as glplat
tf.set_backend("webgl"); webgl.current().dispose()   # frees its JS objects; the next use starts a new context
tf.set_backend("cpu")
gc.collect(); refs0 = glplat.js_refs()
x = np.linspace(-3, 3, 4096, dtype=np.float32).reshape(64, 64)
errors = []
glplat.FORCE_NO_FLOAT = True
try:
    for attempt in (lambda: tf.set_backend("webgl"), lambda: webgl.upload(x), lambda: webgl.current(),
                    lambda: tf.set_backend("webgl")):
        try:
            attempt(); errors.append("no error")
        except Exception as e:
            errors.append(f"{type(e).__name__}: {e}")
    active = tf.get_backend()
    y = np.asarray(tf.ops.relu(x))
    right = bool(np.array_equal(y, np.maximum(x, 0)))
    gc.collect(); refs1 = glplat.js_refs()
finally:
    glplat.FORCE_NO_FLOAT = False
tf.set_backend("webgl")                                 # with the extension: a working context again
z = np.asarray(tf.ops.relu(webgl.upload(x)))
again = bool(np.array_equal(z, np.maximum(x, 0))) and webgl.is_gpu(tf.ops.relu(webgl.upload(x)))
tf.set_backend("cpu")
{"errors": errors, "active": active, "right": right, "refs": [refs0, refs1], "again": again}
""")
    assert len(out["errors"]) == 4
    for msg in out["errors"]:
        assert msg.startswith("WebGLError: ") and "EXT_color_buffer_float is missing" in msg, out["errors"]
        assert "tf.set_backend('cpu')" in msg, msg
    assert out["active"] == "cpu" and out["right"], out
    assert out["refs"][0] == out["refs"][1], out     # the failed contexts left no JS objects referenced
    assert out["again"], out
