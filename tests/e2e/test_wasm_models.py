"""The wasm backend in the page: real models give the cpu backend's outputs, fallbacks are reported, memory
stays steady over load/predict/dispose cycles, and a browser without SIMD128 stays on cpu with a clear error."""

import pytest

from harness import run_py

pytestmark = pytest.mark.e2e

WASM_PY = r"""
import gc, js, numpy as np, tfjs as tf
from tfjs.backends import wasm

def url(path):
    return str(js.URL.new(f"reference/models/{path}", js.location.href).href)

def inputs_for(model):
    out = {}
    for s in model.inputs:
        shape = [1 if d == -1 else d for d in s["shape"]]
        i = np.arange(int(np.prod(shape)), dtype=np.int64)
        v = ((i * 7919) % 256).astype(np.int32) if s["dtype"] == "int32" else (((i * 7919) % 2001) / 1000 - 1).astype(np.float32)
        out[s["name"]] = v.reshape(shape)
    return out

def rel_errs(want, got):
    errs = []
    for w, g in zip(want, got):
        w = np.asarray(w, np.float64); g = np.asarray(g, np.float64)
        assert w.shape == g.shape, (w.shape, g.shape)
        errs.append(float(np.max(np.abs(w - g)) / max(np.max(np.abs(w)), 1e-6)) if w.size else 0.0)
    return errs

async def compare_graph(path):
    tf.set_backend("cpu")
    model = await tf.load_graph_model(url(path))
    feeds = inputs_for(model)
    want = model.execute(feeds, model.output_nodes)
    want = want if isinstance(want, list) else [want]
    tf.set_backend("wasm")
    be = wasm.current(); be.reset_stats()
    got = model.execute(feeds, model.output_nodes)
    got = got if isinstance(got, list) else [got]
    out = {"errs": rel_errs(want, got), "fallbacks": model.fallback_report(), "wasm_calls": be.wasm_calls,
           "types": [type(g).__name__ for g in got]}
    model.dispose()
    tf.set_backend("cpu")
    return out

async def compare_layers(path, shape, lo, hi):
    tf.set_backend("cpu")
    model = await tf.load_layers_model(url(path))
    x = np.random.default_rng(17).uniform(lo, hi, shape).astype(np.float32)
    want = model.predict(x)
    tf.set_backend("wasm")
    be = wasm.current(); be.reset_stats()
    got = model.predict(x)
    out = {"errs": rel_errs([want], [got]), "fallbacks": model.fallback_report(), "wasm_calls": be.wasm_calls}
    model.dispose()
    tf.set_backend("cpu")
    return out
"""

HEAVY = {"Conv2D", "DepthwiseConv2dNative", "MatMul", "BatchMatMul"}
GRAPH_MODELS = ["human/blazeface.json", "human/movenet-lightning.json", "human/facemesh.json", "human/iris.json",
                "human/emotion.json", "human/antispoof.json", "human/liveness.json", "human/faceres.json",
                "human/centernet.json", "human/handlandmark-lite.json", "human/handtrack.json",
                "basic-pitch/model.json"]


@pytest.mark.parametrize("path", GRAPH_MODELS)
def test_graph_model_wasm_matches_cpu(app_page, path):
    run_py(app_page, WASM_PY)
    out = run_py(app_page, f"await compare_graph({path!r})")
    assert max(out["errs"]) < 1e-4, out
    assert all(t == "ndarray" for t in out["types"]), out
    assert out["wasm_calls"] > 0, out
    assert not HEAVY & set(out["fallbacks"]), out     # every convolution and matrix product ran in wasm


def test_upscaler_layers_model_wasm_matches_cpu(app_page):
    run_py(app_page, WASM_PY)
    out = run_py(app_page, "await compare_layers('upscaler/default/model.json', [1, 18, 14, 3], 0.0, 255.0)")
    assert max(out["errs"]) < 1e-4, out
    assert out["wasm_calls"] > 0 and not HEAVY & set(out["fallbacks"]), out


def test_wasm_is_the_default_in_the_page_and_cpu_stays_a_choice(app_page):
    out = run_py(app_page, """
import js, tfjs as tf
[tf.backends.list_backends(), tf.get_backend(), bool(js.tfjsWasmKernels.exports)]
""")
    assert out[0][0] == "wasm" and {"cpu", "webgl"} <= set(out[0]) and out[2], out


def test_without_simd_wasm_is_a_clear_error_and_the_page_stays_on_cpu(page, base_url):
    page.add_init_script("WebAssembly.validate = () => false;")   # a WebAssembly without SIMD128
    page.goto(base_url)
    page.evaluate("globalThis.tfjsReady.then(() => 1)")
    out = run_py(page, """
import tfjs as tf
try:
    tf.set_backend("wasm")
    err = None
except Exception as e:
    err = f"{type(e).__name__}: {e}"
[err, tf.get_backend(), tf.backends.list_backends()[0]]
""")
    assert out[0].startswith("WasmError: The wasm backend is not available") and "SIMD128" in out[0], out
    assert out[1] == "cpu" and out[2] == "cpu", out


LEAK_PY = r"""
async def leak_check(path, cycles):
    tf.set_backend("wasm")
    be = wasm.current()
    feeds = None
    marks = []
    for i in range(cycles):
        model = await tf.load_graph_model(url(path))
        feeds = feeds or inputs_for(model)
        y = model.execute(feeds, model.output_nodes)
        model.dispose()
        del model, y
        gc.collect()
        m = be.memory()
        marks.append([m["numBytesInWasmHeap"], m["numPackedWeights"], m["numJsRefs"]])
    tf.set_backend("cpu")
    return marks
"""


def test_load_predict_dispose_cycles_keep_memory_steady(app_page):
    run_py(app_page, WASM_PY)
    run_py(app_page, LEAK_PY)
    marks = run_py(app_page, "await leak_check('human/blazeface.json', 100)")
    settled = marks[10:]
    assert max(m[0] for m in settled) == marks[10][0], marks[::10]   # the heap's high-water mark stops growing
    assert all(m[1] == 0 for m in marks), marks[::10]                 # packed weights go with their model
    assert len({m[2] for m in settled}) == 1, marks[::10]             # JS references steady


def test_mobilenet_shaped_layers_model_wasm_matches_cpu(app_page):
    """Conv / batch norm / relu6 / depthwise / residual add / pooling / dense softmax, batch of 2."""
    from test_webgl_models import LAYERS_PY

    run_py(app_page, LAYERS_PY)
    out = run_py(app_page, r"""
from tfjs.backends import wasm as wasm_backend
tf.set_backend("cpu")
m = build()
x = np.random.default_rng(2).standard_normal((2, 32, 32, 3)).astype(np.float32)
want = m.predict(x)
tf.set_backend("wasm")
be = wasm_backend.current(); be.reset_stats()
got = m.predict(x)
res = {"err": float(np.max(np.abs(got - want)) / np.max(np.abs(want))), "fallbacks": m.fallback_report(),
       "wasm_calls": be.wasm_calls}
tf.set_backend("cpu")
res
""")
    assert out["err"] < 1e-4, out
    assert out["wasm_calls"] > 0 and out["fallbacks"] == {}, out
