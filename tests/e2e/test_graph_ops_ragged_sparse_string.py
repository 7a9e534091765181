"""The ragged, sparse and string op groups, each op as a one-node graph model here (under CPython) against TF.js
4.22 on the same inputs: floats within 1e-5, ints, bools and strings exactly. Sparse and string ops run in TF.js
as the same graph model through loadGraphModel (its op mapping is exercised too); TF.js 4.22's bundled converter
does not map the ragged ops (its graph executor answers "Unknown op 'RaggedGather'"), so those are checked
against TF.js's own kernels (tf.engine().runKernel). The tfdf group is an error naming the group."""

from __future__ import annotations

import numpy as np
import pytest

from harness import add_reference_tfjs
from test_graph_ops import (artifacts_payload, assert_outputs_match, case_topology, graph_artifacts, js_input,
                            run_ours, strs)

pytestmark = pytest.mark.e2e
RNG = np.random.default_rng(18)
CASES: dict[str, dict] = {}


def case(cid, op, inputs, outs=(0,), js="graph", **attrs):
    CASES[cid] = {"op": op, "inputs": [np.asarray(x) for x in inputs], "js": js, "outs": list(outs),
                  "attrs": attrs, "tol": 1e-5, "marks": [], "unfed": set(), "dtype_exceptions": set(),
                  "feed_op": None}


def i32(*v):
    return np.asarray(v, np.int32)


def f32(*v):
    return np.asarray(v, np.float32)


# ------------------------------------------------------------------------------------------ sparse
case("SparseFillEmptyRows", "SparseFillEmptyRows",
     [i32(0, 0, 1, 0, 1, 3, 3, 4).reshape(4, 2), f32(1, 2, 3, 4), i32(6, 5), np.float32(-1)], outs=(0, 1, 2, 3))
case("SparseFillEmptyRows/unordered", "SparseFillEmptyRows",
     [i32(4, 1, 1, 2, 0, 0, 4, 0).reshape(4, 2), i32(10, 20, 30, 40), i32(5, 3), np.int32(7)], outs=(0, 1, 2, 3))
case("SparseReshape", "SparseReshape", [i32(0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 2, 3).reshape(5, 3),
                                        i32(2, 3, 6), i32(9, -1)], outs=(0, 1))
case("SparseReshape/rank1", "SparseReshape", [i32(0, 0, 1, 1, 2, 3).reshape(3, 2), i32(4, 5), i32(-1)],
     outs=(0, 1))
_DATA = RNG.normal(size=(5, 3)).astype(np.float32)
case("SparseSegmentSum", "SparseSegmentSum", [_DATA, i32(0, 1, 4, 2, 2), i32(0, 0, 1, 3, 3)])
case("SparseSegmentMean", "SparseSegmentMean", [_DATA, i32(0, 1, 4, 2, 2), i32(0, 0, 1, 3, 3)])
case("SparseSegmentSum/int", "SparseSegmentSum", [i32(1, 2, 3, 4), i32(3, 3, 0), i32(0, 1, 1)])

# ------------------------------------------------------------------------------------------ ragged
_RANGE = "(s, l, d) => tf.engine().runKernel('RaggedRange', {starts: s, limits: l, deltas: d}, {})"
case("RaggedRange", "RaggedRange", [i32(0, 5, 8, 5), i32(8, 7, 8, 1), i32(2, 1, 1, -1)], outs=(0, 1), js=_RANGE)
case("RaggedRange/float-broadcast", "RaggedRange", [np.float32(0.5), f32(2, 3.2, -1), np.float32(0.75)],
     outs=(0, 1), js=_RANGE)
_GATHER = ("(s, v, i) => tf.engine().runKernel('RaggedGather', {paramsNestedSplits: [s], paramsDenseValues: v, "
           "indices: i}, {outputRaggedRank: %d})")
case("RaggedGather", "RaggedGather", [i32(0, 2, 2, 5, 6), f32(1, 2, 3, 4, 5, 6), i32(3, 0, 2, 1)], outs=(0, 1),
     js=_GATHER % 1, OUTPUT_RAGGED_RANK=1, PARAMS_RAGGED_RANK=1)
case("RaggedGather/2d-indices", "RaggedGather", [i32(0, 2, 2, 5, 6), f32(1, 2, 3, 4, 5, 6),
                                                 i32(3, 0, 2, 1, 0, 3).reshape(2, 3)], outs=(0, 1, 2),
     js=_GATHER % 2, OUTPUT_RAGGED_RANK=2, PARAMS_RAGGED_RANK=1)
case("RaggedGather/nested", "RaggedGather", [i32(0, 2, 3, 3), i32(0, 1, 3, 6), f32(1, 2, 3, 4, 5, 6), i32(2, 0)],
     outs=(0, 1, 2), js=("(s1, s2, v, i) => tf.engine().runKernel('RaggedGather', {paramsNestedSplits: [s1, s2], "
                         "paramsDenseValues: v, indices: i}, {outputRaggedRank: 2})"),
     OUTPUT_RAGGED_RANK=2, PARAMS_RAGGED_RANK=2)
_TO_TENSOR = ("(shape, v, d, %s) => tf.engine().runKernel('RaggedTensorToTensor', {shape, values: v, defaultValue: d, "
              "rowPartitionTensors: [%s]}, {rowPartitionTypes: %s})")
case("RaggedTensorToTensor", "RaggedTensorToTensor", [i32(4, 4), f32(1, 2, 3, 4, 5, 6, 7), np.float32(-1),
                                                      i32(0, 3, 3, 7, 7)], row_partition_types=["ROW_SPLITS"],
     js=_TO_TENSOR % ("p", "p", "['ROW_SPLITS']"))
case("RaggedTensorToTensor/truncate", "RaggedTensorToTensor", [i32(3, 2), i32(1, 2, 3, 4, 5, 6, 7), np.int32(0),
                                                               i32(0, 3, 3, 7, 7)],
     row_partition_types=["ROW_SPLITS"], js=_TO_TENSOR % ("p", "p", "['ROW_SPLITS']"))
case("RaggedTensorToTensor/rowids", "RaggedTensorToTensor", [i32(-1, -1), f32(1, 2, 3, 4, 5), np.float32(9),
                                                             np.int32(4), i32(0, 0, 2, 2, 3)],
     row_partition_types=["FIRST_DIM_SIZE", "VALUE_ROWIDS"],
     js=_TO_TENSOR % ("a, b", "a, b", "['FIRST_DIM_SIZE', 'VALUE_ROWIDS']"))

# ------------------------------------------------------------------------------------------ string
_TEXT = strs("hello world", "tf js  rocks", "", "ünïcode text é")
case("StringSplit", "StringSplit", [_TEXT, strs(" ", shape=())], outs=(0, 1, 2), skip_empty=True)
case("StringSplit/keep-empty", "StringSplit", [_TEXT, strs(" o", shape=())], outs=(0, 1, 2), skip_empty=False)
case("StringToHashBucketFast", "StringToHashBucketFast",
     [strs("", "a", "abcd", "abcdefgh", "x" * 20, "y" * 40, "z" * 100, "ünïcode", "The quick brown fox " * 9)],
     num_buckets=1000003)
case("StaticRegexReplace", "StaticRegexReplace", [strs("Hello  World", "a1b22c333", "")],
     pattern="(\\d+)", rewrite="<$1>", replace_global=True)
case("StaticRegexReplace/first", "StaticRegexReplace", [strs("aaa bbb", "xyz")], pattern="[ab]", rewrite="-",
     replace_global=False)
case("StringNGrams", "StringNGrams", [strs("a", "b", "c", "d", "e", "f"), i32(0, 4, 4, 6)], outs=(0, 1),
     separator=" ", ngram_widths=[1, 2, 3], left_pad="LP", right_pad="RP", pad_width=-1,
     preserve_short_sequences=False)
case("StringNGrams/preserve-short", "StringNGrams", [strs("a", "b", "c", "d"), i32(0, 1, 4)], outs=(0, 1),
     separator="|", ngram_widths=[3], left_pad="", right_pad="", pad_width=0, preserve_short_sequences=True)


@pytest.fixture(scope="module")
def reference(app_page):
    from pathlib import Path

    add_reference_tfjs(app_page)
    app_page.add_script_tag(path=str(Path(__file__).parent / "js" / "graph_ops.js"))
    graph_ids = [c for c in CASES if CASES[c]["js"] == "graph"]
    graphs = []
    for cid in graph_ids:
        topology, feeds = case_topology(CASES[cid])
        graphs.append(artifacts_payload(graph_artifacts(topology), [(feeds, [f"op:{i}" for i in CASES[cid]["outs"]])]))
    results = app_page.evaluate("(cases) => graphOps.runGraphs(cases)", graphs)
    out = {cid: (res["runs"][0] if res["ok"] else res) for cid, res in zip(graph_ids, results)}
    fn_ids = [c for c in CASES if CASES[c]["js"] != "graph"]
    payload = [{"js": CASES[c]["js"], "inputs": [js_input(x) for x in CASES[c]["inputs"]]} for c in fn_ids]
    out.update(zip(fn_ids, app_page.evaluate("(cases) => graphOps.runCases(cases)", payload)))
    return out


@pytest.mark.parametrize("cid", list(CASES))
def test_op_matches_tfjs(reference, cid):
    spec = CASES[cid]
    ref = reference[cid]
    assert ref["ok"], f"TF.js failed on {cid}: {ref.get('error')}"
    ours = run_ours(spec)
    assert_outputs_match(cid, ours, ref["outputs"], spec["tol"])


def test_tfdf_ops_are_an_error_naming_the_group():
    from tfjs.errors import UnsupportedError
    from tfjs.graph import builder as gb
    from tfjs.graph.model import graph_model_from_artifacts

    topology = gb.graph_def([gb.node("res", "SimpleMLCreateModelResource"),
                             gb.node("run", "SimpleMLInferenceOpWithHandle", ["res"], dense_output_dim=1)])
    with pytest.raises(UnsupportedError, match="tfdf op group.*@tensorflow/tfjs-tfdf"):
        graph_model_from_artifacts(graph_artifacts(topology))
