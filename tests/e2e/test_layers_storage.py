"""Layers models through the real storage handlers, TF.js on one side and us on the other, in the same page.

For a representative subset of the layer cases of test_layers_tfjs.py and test_layers_rnn.py:
- TF.js ``model.save('indexeddb://tfjs-<case>')``; we ``await tf.load_layers_model('indexeddb://tfjs-<case>')`` and
  predict what TF.js predicted;
- we ``await model.save('indexeddb://ours-<case>')``, to the model store over ``http://`` and (small models) to
  ``localstorage://``; TF.js ``tf.loadLayersModel`` each of them and predicts the same;
- round trips: load -> save to file:// (Pyodide's file system), indexeddb://, localstorage://, http:// ->
  load gives identical weights and the identical topology JSON (as text).
"""

from __future__ import annotations

import json

import pytest

from harness import add_reference_tfjs, run_py
from test_layers_rnn import RNN_CASES
from test_layers_tfjs import CASES, TOL

pytestmark = pytest.mark.e2e

SUBSET = ["dense", "conv2d_same", "separable", "batchnorm", "merges", "shared_and_nested", "embedding_mask_gru",
          "lstm_state", "bidirectional", "time_distributed_conv"]
RNN_SUBSET = ["rnn_cell_list_state", "lstm_initial_state"]
LOCAL_STORAGE = ["dense", "merges", "rnn_cell_list_state"]  # small ones: localStorage holds a few MB
ALL = {**{k: CASES[k] for k in SUBSET}, **{k: RNN_CASES[k] for k in RNN_SUBSET}}
SCHEMES = ["file", "indexeddb", "localstorage", "http"]

SAVE_JS = """async (cases) => {
  globalThis.__stored = {};
  const out = {};
  for (const [id, code, inputs] of cases) {
    try {
      const m = (new Function('tf', code))(tf);
      const xs = inputs.map(([shape, kind, max]) => kind === 'int' ?
          tf.floor(tf.randomUniform(shape, 0, max)) : kind === 'masked' ?
          tf.mul(tf.randomNormal(shape), tf.cast(tf.greater(tf.randomUniform([shape[0], shape[1], 1]), 0.4),
          'float32')) : tf.randomNormal(shape));
      let y = m.predict(xs.length === 1 ? xs[0] : xs);
      y = Array.isArray(y) ? y : [y];
      await m.save('indexeddb://tfjs-' + id);
      globalThis.__stored[id] = {xs: xs.map(t => ({shape: t.shape, data: t.dataSync()})),
                                 ys: y.map(t => ({shape: t.shape, data: t.dataSync()}))};
      out[id] = 'ok';
    } catch (e) { out[id] = 'TF.js failed: ' + e.message; }
  }
  return out;
}"""

OURS_PY = """
import json, js, numpy as np, tfjs as tf
from tfjs import platform

def arr(t):
    return np.frombuffer(platform.to_bytes(t.data), np.float32).reshape([int(d) for d in t.shape])

def rel_err(ys, refs):
    return max(float(np.max(np.abs(y - r))) / max(float(np.max(np.abs(r))), 1e-6) for y, r in zip(ys, refs))

def as_list(y):
    return y if isinstance(y, list) else [y]

report = {}
for cid in json.loads(IDS):
    r = report[cid] = {}
    try:
        c = getattr(js.globalThis.__stored, cid)
        xs = [arr(t) for t in c.xs]
        x = xs if len(xs) > 1 else xs[0]
        m = await tf.load_layers_model("indexeddb://tfjs-" + cid)
        r["rel_err"] = rel_err(as_list(m.predict(x)), [arr(t) for t in c.ys])
        text, weights = m.to_json(), m.get_weights()
        targets = {"file": ("file:///models/" + cid, "file:///models/" + cid + "/model.json"),
                   "indexeddb": ("indexeddb://ours-" + cid, "indexeddb://ours-" + cid),
                   "http": (tf.io.http(STORE + "ours-" + cid, request_init=AUTH),
                            STORE + "ours-" + cid + "/model.json")}
        if cid in LOCAL:
            targets["localstorage"] = ("localstorage://ours-" + cid, "localstorage://ours-" + cid)
        r["round_trip"] = {}
        for scheme, (save_to, load_from) in targets.items():
            await m.save(save_to)
            again = await tf.load_layers_model(load_from)
            loaded = again.get_weights()
            same_weights = len(loaded) == len(weights) and all(
                a.dtype == b.dtype and np.array_equal(a, b) for a, b in zip(loaded, weights))
            r["round_trip"][scheme] = [again.to_json() == text, same_weights]
    except Exception as e:
        import traceback
        r["error"] = f"{type(e).__name__}: {e}\\n" + traceback.format_exc()[-1500:]
json.dumps(report)
"""

RELOAD_JS = """async ([ids, store, local]) => {
  const out = {};
  for (const id of ids) {
    const c = globalThis.__stored[id];
    out[id] = {};
    const urls = {indexeddb: 'indexeddb://ours-' + id, http: store + 'ours-' + id + '/model.json'};
    if (local.includes(id)) urls.localstorage = 'localstorage://ours-' + id;
    for (const [scheme, url] of Object.entries(urls)) {
      try {
        const m = await tf.loadLayersModel(url);
        const xs = c.xs.map(t => tf.tensor(t.data, t.shape));
        let y = m.predict(xs.length === 1 ? xs[0] : xs);
        y = Array.isArray(y) ? y : [y];
        let err = 0;
        y.forEach((t, i) => { const a = t.dataSync(), b = c.ys[i].data; let mx = 1e-6, d = 0;
          for (let k = 0; k < b.length; k++) {
            mx = Math.max(mx, Math.abs(b[k])); d = Math.max(d, Math.abs(a[k] - b[k])); }
          err = Math.max(err, d / mx); });
        out[id][scheme] = err;
      } catch (e) { out[id][scheme] = 'TF.js failed: ' + e.message; }
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def results(app_page, app_server):
    add_reference_tfjs(app_page)
    built = app_page.evaluate(SAVE_JS, [[cid, code, inputs] for cid, (code, inputs) in ALL.items()])
    ok = [cid for cid, status in built.items() if status == "ok"]
    store = f"{app_server.url}api/models/"
    code = (f"IDS = {json.dumps(json.dumps(ok))}\nSTORE = {json.dumps(store)}\nLOCAL = {LOCAL_STORAGE!r}\n"
            f"AUTH = {{'headers': {{'Authorization': 'Bearer {app_server.token}'}}}}\n") + OURS_PY
    report = json.loads(run_py(app_page, code))
    reverse = app_page.evaluate(RELOAD_JS, [ok, store, LOCAL_STORAGE])
    return built, report, reverse


@pytest.mark.parametrize("case", list(ALL))
def test_we_load_what_tfjs_saved_to_indexeddb(results, case):
    built, report, _ = results
    assert built[case] == "ok", built[case]
    r = report[case]
    assert "error" not in r, r["error"]
    assert r["rel_err"] <= TOL, r


@pytest.mark.parametrize("case", list(ALL))
def test_tfjs_loads_what_we_saved_to_each_scheme(results, case):
    _, _, reverse = results
    expected = {"indexeddb", "http"} | ({"localstorage"} if case in LOCAL_STORAGE else set())
    assert set(reverse[case]) == expected
    for scheme, err in reverse[case].items():
        assert not isinstance(err, str), (scheme, err)
        assert err <= TOL, (scheme, err)


@pytest.mark.parametrize("case", list(ALL))
def test_round_trip_through_each_scheme_keeps_topology_and_weights(results, case):
    _, report, _ = results
    r = report[case]
    assert "error" not in r, r["error"]
    schemes = set(SCHEMES) if case in LOCAL_STORAGE else set(SCHEMES) - {"localstorage"}
    assert set(r["round_trip"]) == schemes
    for scheme, (same_topology, same_weights) in r["round_trip"].items():
        assert same_topology and same_weights, scheme
