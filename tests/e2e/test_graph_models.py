"""Real graph models other people published (npm), run here and in the real TF.js on the same inputs.

Served from dist/reference/models/ (build.py copies them from node_modules). Each model is loaded from the
same files by both, and every output must agree within 1e-4 of the output's scale (detections: as sets of
joint rows, matched one to one within that tolerance, at any size; see DETECTIONS and MATCH_PY).
"""

from pathlib import Path

import numpy as np
import pytest

from harness import add_reference_tfjs, run_py

pytestmark = pytest.mark.e2e
HERE = Path(__file__).parent

HUMAN = ["antispoof", "blazeface", "centernet", "emotion", "facemesh", "faceres", "handlandmark-lite",
         "handtrack", "iris", "liveness", "movenet-lightning"]
MODELS = [f"human/{m}.json" for m in HUMAN] + ["basic-pitch/model.json"]
# basic-pitch normalizes a log spectrogram by its min and max. Its faintest constant-Q bins are sums of large
# terms that cancel, so their float32 rounding depends on the summation order, and the log magnifies it: TF.js's
# own wasm and cpu backends disagree by up to 1.4e-4 on its outputs (1.3e-3 after the log). Its spectrogram,
# before the log, is held to 1e-4 of scale; its outputs to 3x the spread between TF.js wasm and TF.js cpu.
SPREAD_BOUND = {"basic-pitch/model.json": 3.0}
# Sets of detections (after non-max suppression, or a top-k whose ties may come out in another order): the
# outputs of one group hold one detection per index of their leading axes (boxes [1, 100, 4], scores
# [1, 100], ...). When one of them differs element-wise, the group is compared as a set of joint rows (a
# detection's box, score, class... together): every detection of TF.js paired with one of ours, each field
# within 1e-4 of its output's scale. Every other output must match element by element.
DETECTIONS: dict[str, list[list[str]]] = {
    "human/handtrack.json": [["Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0", "Identity_4:0"]],
    "human/centernet.json": [["tower_0/detections"]],
}
EXTRA_OUTPUTS = {"basic-pitch/model.json": ["StatefulPartitionedCall/model_1/normalized_log_1/add"]}

# Detections compared as sets, in pure numpy: run in the page (part of COMPARE_PY) and tested under CPython.
MATCH_PY = r"""
import numpy as np
from collections import Counter

def _rows(x):
    # A detection is a row along the last axis (boxes [..., 4], [..., 6] with score and class); a 1-D output
    # (selected indices, scores) has one value per detection. NaN and +-inf become far, distinct sentinels.
    x = np.asarray(x, np.float64)
    x = x.reshape(-1, x.shape[-1]) if x.ndim >= 2 else x.reshape(-1, 1)
    return np.where(np.isnan(x), 3e300, np.clip(x, -1e300, 1e300))

def rows_match_as_sets(got, want, tol):
    # Whether got holds want's rows in some order: a one-to-one pairing in which every pair of rows differs
    # by at most tol in every column. Any size: exactly equal rows pair off first (padding rows, repeats);
    # the rest are sorted by the column that spreads the most, so the candidates of a row lie in a window of
    # that column (binary search). Each want row takes its nearest free candidate; when none is free, a
    # breadth-first augmenting path (Kuhn) re-pairs earlier rows, so a pairing is found whenever one exists.
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        return False
    if got.size == 0:
        return True
    a, b = _rows(got), _rows(want)
    ka, kb = Counter(map(bytes, a)), Counter(map(bytes, b))
    left, right = ka - kb, kb - ka
    if not left and not right:
        return True
    width = a.shape[1]
    a = np.asarray([np.frombuffer(k, np.float64) for k, n in left.items() for _ in range(n)]).reshape(-1, width)
    b = np.asarray([np.frombuffer(k, np.float64) for k, n in right.items() for _ in range(n)]).reshape(-1, width)
    if len(a) != len(b):
        return False
    col = int(np.argmax(np.ptp(b, axis=0)))
    a = a[np.argsort(a[:, col], kind="stable")]
    keys = a[:, col]

    def candidates(j):  # the a rows within tol of b row j, nearest first
        row = b[j]
        lo, hi = np.searchsorted(keys, row[col] - tol, "left"), np.searchsorted(keys, row[col] + tol, "right")
        dist = np.max(np.abs(a[lo:hi] - row), axis=1)
        near = np.flatnonzero(dist <= tol)
        return lo + near[np.argsort(dist[near], kind="stable")]

    owner = np.full(len(a), -1)  # a row -> the b row paired with it
    match = np.full(len(b), -1)  # b row -> its a row
    for j in range(len(b)):
        cs = candidates(j)
        free = cs[owner[cs] < 0]
        if free.size:
            owner[free[0]], match[j] = j, free[0]
            continue
        if cs.size == 0:
            return False
        prev = np.full(len(a), -1)  # a row -> the b row the search reached it from
        seen_b = {j}
        frontier, end = [j], -1
        while frontier and end < 0:
            nxt = []
            for k in frontier:
                cs = candidates(k)
                cs = cs[prev[cs] < 0]
                prev[cs] = k
                free = cs[owner[cs] < 0]
                if free.size:
                    end = int(free[0])
                    break
                for o in owner[cs].tolist():
                    if o not in seen_b:
                        seen_b.add(o)
                        nxt.append(o)
            frontier = nxt
        if end < 0:
            return False
        c = end
        while True:
            k = int(prev[c])
            old = int(match[k])
            owner[c], match[k] = k, c
            if k == j:
                break
            c = old
    return True

def joint_rows(arrays, tols):
    # One row per detection: each output reshaped to (detections, fields), divided by its tolerance, side by side.
    ndims = {a.ndim for a in arrays}
    lead = arrays[0].shape[:-1] if len(ndims) == 1 else min(arrays, key=lambda a: a.ndim).shape
    n = int(np.prod(lead))
    return np.concatenate([np.asarray(a, np.float64).reshape(n, -1) / t for a, t in zip(arrays, tols)], axis=1)
"""

COMPARE_PY = MATCH_PY + r"""
import js, tfjs as tf
from tfjs import platform

def graph_inputs(specs):
    out = {}
    for s in specs:
        n = int(np.prod(s["shape"]))
        i = np.arange(n, dtype=np.int64)
        if s["dtype"] == "int32":
            v = ((i * 7919) % 256).astype(np.int32)
        else:
            v = (((i * 7919) % 2001) / 1000 - 1).astype(np.float32)
        out[s["name"]] = v.reshape(s["shape"])
    return out

async def compare_with_reference(url, ref, groups=()):
    import time
    t0 = time.perf_counter()
    model = await tf.load_graph_model(url)
    load_ms = (time.perf_counter() - t0) * 1000
    t1 = time.perf_counter()
    ours = model.execute(graph_inputs(ref["specs"]), list(ref["names"]))
    run_ms = (time.perf_counter() - t1) * 1000
    ours = ours if isinstance(ours, list) else [ours]
    report = []
    for k, (name, shape, dtype) in enumerate(zip(ref["names"], ref["shapes"], ref["dtypes"])):
        np_dtype = {"float32": np.float32, "int32": np.int32, "bool": np.uint8}[dtype]
        expected = np.frombuffer(platform.to_bytes(js.graphRef.arrays[k]), np_dtype).reshape(list(shape))
        got = np.asarray(ours[k])
        entry = {"name": name, "shape": list(got.shape), "want_shape": list(shape), "dtype": str(got.dtype),
                 "want_dtype": dtype}
        if list(got.shape) == list(shape):
            diff = np.abs(got.astype(np.float64) - expected.astype(np.float64))
            finite = np.abs(expected[np.isfinite(expected)]) if expected.dtype.kind == "f" else np.abs(expected)
            scale = float(np.max(finite)) if finite.size else 0.0
            max_diff = float(np.nanmax(diff)) if diff.size and not np.isnan(diff).all() else 0.0
            if got.dtype.kind == "f" and np.any(np.isnan(got) != np.isnan(expected)):
                max_diff = float("inf")  # NaN in one and not in the other: never within any tolerance
            tol = 1e-4 * max(scale, 1.0)
            entry.update(max_diff=max_diff, scale=scale,
                         differs=max_diff > tol)
        report.append(entry)
    sets = []
    for group in groups:
        idx = [list(ref["names"]).index(name) for name in group]
        if any(report[k].get("differs") for k in idx):
            tols = [1e-4 * max(report[k]["scale"], 1.0) for k in idx]
            wants = [np.frombuffer(platform.to_bytes(js.graphRef.arrays[k]),
                                   {"float32": np.float32, "int32": np.int32}[ref["dtypes"][k]]).reshape(
                                       list(ref["shapes"][k])) for k in idx]
            got_rows = joint_rows([np.asarray(ours[k]) for k in idx], tols)
            same = rows_match_as_sets(got_rows, joint_rows(wants, tols), 1.0)
        else:
            same = None
        sets.append({"members": list(group), "rows_equal_as_sets": same})
    model.dispose()
    return {"outputs": report, "sets": sets, "load_ms": load_ms, "run_ms": run_ms}
"""


@pytest.fixture(scope="module")
def page(app_page):
    add_reference_tfjs(app_page, wasm=True)
    app_page.add_script_tag(path=str(HERE / "js" / "graph_models.js"))
    run_py(app_page, COMPARE_PY)
    return app_page


@pytest.mark.parametrize("model", MODELS)
def test_model_matches_tfjs(page, model):
    url = page.evaluate("(m) => new URL('reference/models/' + m, location.href).href", model)
    ref = page.evaluate("async ([url, extra, spread]) => { const m = await tf.loadGraphModel(url); const names = "
                        "extra ? m.outputNodes.concat(extra) : null; m.dispose(); "
                        "const wasm = spread ? (await graphModels.run(url, 'wasm', names), graphRef.arrays) : null; "
                        "const ref = await graphModels.run(url, 'cpu', names); "
                        "if (wasm) ref.spread = graphRef.arrays.map((a, k) => "
                        "a.reduce((m, v, i) => Math.max(m, Math.abs(v - wasm[k][i])), 0)); "
                        "return ref; }", [url, EXTRA_OUTPUTS.get(model), model in SPREAD_BOUND])
    page.evaluate("(ref) => { globalThis.graphRefInfo = ref; }", ref)
    groups = DETECTIONS.get(model, [])
    assert all(name in ref["names"] for group in groups for name in group), (groups, ref["names"])
    result = run_py(page, f"""
import js
from tfjs import platform
await compare_with_reference({url!r}, platform.to_py(js.graphRefInfo), {groups!r})
""")
    assert len(result["outputs"]) == len(ref["names"])
    for k, entry in enumerate(result["outputs"]):
        assert entry["shape"] == entry["want_shape"], entry
        assert entry["dtype"] == entry["want_dtype"] or (entry["dtype"] == "bool" and entry["want_dtype"] == "bool"), entry
        extra = entry["name"] in EXTRA_OUTPUTS.get(model, [])
        tol = 1e-4 * max(entry["scale"], 1.0)
        if model in SPREAD_BOUND and not extra:  # TF.js's wasm-vs-cpu spread on this output, times the bound
            tol = max(tol, SPREAD_BOUND[model] * ref["spread"][k])
        if entry["max_diff"] > tol:
            # Detections: the same detections in another order are the same detections (their group, jointly).
            group = [g for g in result["sets"] if entry["name"] in g["members"]]
            assert group, ("not a detection output: compared element-wise", entry["name"], entry["max_diff"],
                           entry["scale"], tol)
            assert group[0]["rows_equal_as_sets"], (group[0]["members"], entry["name"], entry["max_diff"], tol)


def _matcher():
    scope = {}
    exec(MATCH_PY, scope)
    return scope["rows_match_as_sets"]


def test_rows_match_as_sets_pairs_rows_in_any_order_within_tolerance_only():
    match = _matcher()
    rng = np.random.default_rng(5)
    want = rng.uniform(0, 1, (300, 6))
    perm = rng.permutation(300)
    tol = 1e-4
    assert match(want[perm], want, tol)
    assert match(want[perm] + rng.uniform(-0.9, 0.9, want.shape) * tol, want, tol)
    off = want[perm].copy()
    off[17, 3] += 2.5 * tol  # one field of one detection off by more than the tolerance
    assert not match(off, want, tol)
    dup = want[perm].copy()
    dup[5] = dup[6]  # a detection repeated and another missing: not the same set
    assert not match(dup, want, tol)
    assert not match(want[perm][:, ::-1], want, tol)  # columns are fields, not interchangeable
    assert not match(want[:299], want, tol)
    # 1-D outputs (selected indices, scores): one value per detection
    assert match(np.asarray([3, 1, 2]), np.asarray([1, 2, 3]), 0) and not match(np.asarray([3, 1, 1]),
                                                                                    np.asarray([1, 2, 3]), 0)
    # NaN only matches NaN
    assert match(np.asarray([[np.nan, 1.0], [2.0, 3.0]]), np.asarray([[2.0, 3.0], [np.nan, 1.0]]), tol)
    assert not match(np.asarray([[np.nan, 1.0], [2.0, 3.0]]), np.asarray([[2.0, 3.0], [0.0, 1.0]]), tol)


def test_rows_match_as_sets_finds_a_pairing_greedy_matching_misses():
    match = _matcher()
    tol = 1.0
    # got row 0 (1.0) is the nearest for want row 0 (1.4), but it is want row 1's (0.1) only candidate:
    # a greedy nearest-first pass pairs want 0 with got 0 and strands want 1; the full search pairs them right.
    got = np.asarray([[1.0], [2.3]])
    want = np.asarray([[1.4], [0.1]])
    assert match(got, want, tol) and match(got[::-1], want, tol)
    assert not match(got, np.asarray([[1.4], [-0.1]]), tol)
    # each greedy choice takes the next row's only partner: a re-pairing down the whole chain is needed
    chain_got = np.asarray([[1.0], [2.0], [3.0], [4.0]])
    chain_want = np.asarray([[1.6], [2.6], [3.6], [4.5]])
    assert match(chain_got, chain_want, tol)
    assert not match(chain_got, np.asarray([[1.6], [2.6], [3.6], [5.5]]), tol)


def test_rows_match_as_sets_handles_large_outputs_quickly():
    import time

    match = _matcher()
    rng = np.random.default_rng(9)
    # 40000 detections, 3000 near-identical ones (within the tolerance of each other) and 20000 exact
    # padding rows, in another order, every value moved by up to half the tolerance
    want = np.concatenate([rng.uniform(0, 1, (40000, 6)), np.full((3000, 6), 0.5) + rng.uniform(0, 1e-5, (3000, 6))])
    got = want[rng.permutation(len(want))] + rng.uniform(-5e-5, 5e-5, want.shape)
    want, got = np.concatenate([want, np.zeros((20000, 6))]), np.concatenate([np.zeros((20000, 6)), got])
    t0 = time.perf_counter()
    assert match(got, want, 1e-4)
    got[20123, 0] += 1e-3
    assert not match(got, want, 1e-4)
    assert time.perf_counter() - t0 < 30


def test_detection_groups_are_compared_as_joint_rows():
    scope = {}
    exec(MATCH_PY, scope)
    match, joint = scope["rows_match_as_sets"], scope["joint_rows"]
    rng = np.random.default_rng(11)
    boxes, scores, classes = rng.uniform(0, 1, (1, 50, 4)), rng.uniform(0, 1, (1, 50)), rng.integers(0, 90, (1, 50))
    tols = [1e-4, 1e-4, 1e-4 * 89]
    perm = rng.permutation(50)
    want = joint([boxes, scores, classes], tols)
    assert want.shape == (50, 6)
    # the same detections in another order (every output permuted alike): equal as sets
    assert match(joint([boxes[:, perm], scores[:, perm], classes[:, perm]], tols), want, 1.0)
    # scores permuted apart from their boxes: the boxes and the scores are each the same set, the detections not
    other = np.roll(perm, 1)
    assert match(joint([scores[:, other, None]], tols[1:2]), joint([scores[:, :, None]], tols[1:2]), 1.0)
    assert not match(joint([boxes[:, perm], scores[:, other], classes[:, perm]], tols), want, 1.0)
    # a class id differs by one: a different detection (the tolerance of each field is its output's)
    bad = classes[:, perm].copy()
    bad[0, 3] += 1
    assert not match(joint([boxes[:, perm], scores[:, perm], bad], tols), want, 1.0)
