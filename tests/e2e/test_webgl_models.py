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

async def compare(name):
    tf.set_backend("cpu")
    import js
    model = await tf.load_graph_model(str(js.URL.new(f"reference/models/human/{name}.json", js.location.href).href))
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
    model.dispose()
    tf.set_backend("cpu")
    return {"errs": errs, "fallbacks": report, "types": [type(g).__name__ for g in got]}
"""

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


@pytest.mark.parametrize("name", ["blazeface", "movenet-lightning"])
def test_graph_model_webgl_matches_cpu(app_page, name):
    run_py(app_page, GRAPH_PY)
    out = run_py(app_page, f"await compare({name!r})")
    assert max(out["errs"]) < 1e-3, out
    assert all(t == "ndarray" for t in out["types"]), out


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


def test_no_leaks_over_100_cycles(app_page):
    run_py(app_page, LAYERS_PY)
    out = run_py(app_page, r"""
tf.set_backend("webgl")
gl = webgl.current()
x = np.random.default_rng(3).standard_normal((1, 32, 32, 3)).astype(np.float32)
m = build(); m.predict(x); m.dispose(); del m; gc.collect()
gl.empty_pool()
start = gl.memory()
for i in range(100):
    m = build(); y = m.predict(x); m.dispose(); del m, y
gc.collect(); gl.empty_pool()
end = gl.memory()
tf.set_backend("cpu")
{"start": start, "end": end}
""")
    s, e = out["start"], out["end"]
    for key in ("numTensors", "numTexturesInUse", "numTexturesInGPU", "numJsListeners", "numUploadsCached"):
        assert e[key] == s[key], (key, s, e)


def test_fallback_is_reported(app_page):
    out = run_py(app_page, r"""
import numpy as np, tfjs as tf
from tfjs.backends import webgl
from tfjs.ops import graph_extra as gx
tf.set_backend("webgl")
gl = webgl.current(); gl.stats.reset()
x = webgl.upload(np.arange(4096, dtype=np.float32).reshape(64, 64))
y = gx.cumsum(x, 1)             # no webgl kernel: download, cpu, upload on next use
z = tf.ops.relu(y)
ok = bool(np.allclose(np.asarray(z), np.cumsum(np.arange(4096, dtype=np.float32).reshape(64, 64), 1)))
rep = gl.fallback_report()
tf.set_backend("cpu")
{"ok": ok, "rep": rep}
""")
    assert out["ok"]
    assert out["rep"]["Cumsum"] == {"calls": 1, "downloads": 1, "uploads": 1}


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
