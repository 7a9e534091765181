"""Whole small graphs with control flow and resources, run here (under CPython) and by TF.js's own
loadGraphModel (from memory, executeAsync, cpu backend) in the page, on the same artifacts and inputs:

- v1 control flow: Switch/Merge (a cond), Enter/Exit/NextIteration/LoopCond (a while loop), and a v1 while
  loop that writes a TensorArray;
- v2 control flow: StatelessIf and StatelessWhile with a function library, and a StatelessWhile whose loop
  state carries a TensorList (see v2_while_tensor_list for what TF.js can read back from it);
- TensorListReserve/SetItem/GetItem/Stack/FromTensor, TensorArrayV3 write/read/gather/scatter/size;
- HashTableV2 filled by LookupTableImportV2 in the model initializer, read with LookupTableFindV2 and
  LookupTableSizeV2 (string -> int32 and int32 -> string tables).

Every graph runs several times (different predicates, trip counts, keys); every output must agree: floats
within 1e-5 (relative above 1), int32, bool and strings exactly.
"""

from pathlib import Path

import numpy as np
import pytest

from harness import add_reference_tfjs
from test_graph_ops import artifacts_payload, assert_outputs_match, graph_artifacts, strs
from tfjs.graph import builder as gb

pytestmark = pytest.mark.e2e
HERE = Path(__file__).parent
F, I, B, S, V = gb.dtype("float32"), gb.dtype("int32"), gb.dtype("bool"), gb.dtype("string"), gb.dtype("variant")
RNG = np.random.default_rng(77)
GRAPHS: dict[str, dict] = {}


def graph(name, artifacts, runs):
    """``runs``: [(feeds {input name: array}, output names)]; each run is one test."""
    assert name not in GRAPHS, name
    GRAPHS[name] = {"artifacts": artifacts, "runs": runs}


def f32(*shape, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, shape).astype(np.float32)


def scalar_i(v):
    return np.asarray(v, np.int32)


# ------------------------------------------------------------------------------------------ v1 control flow
def v1_cond():
    """y = x * 10 if p else x - 1 (Switch sends x down one branch, Merge takes the live one)."""
    return gb.graph_def([
        gb.placeholder("x", "float32", [-1]), gb.placeholder("p", "bool", []),
        gb.const("ten", np.asarray(10, np.float32)), gb.const("one", np.asarray(1, np.float32)),
        gb.node("sw", "Switch", ["x", "p"], T=F),
        gb.node("t", "Mul", ["sw:1", "ten"], T=F), gb.node("f", "Sub", ["sw:0", "one"], T=F),
        gb.node("m", "Merge", ["f", "t"], T=F, N=2), gb.node("y", "Identity", ["m"], T=F)])


_X4 = f32(4)
graph("v1/cond", graph_artifacts(v1_cond()),
      [({"x": _X4, "p": np.asarray(True)}, ["y"]), ({"x": _X4, "p": np.asarray(False)}, ["y"])])


def v1_while():
    """i = 0; acc = x; while i < n: acc = acc * 2 + i; i += 1. Returns acc and i (TF 1 frames)."""
    fr = "while/while_context"
    return gb.graph_def([
        gb.placeholder("x", "float32", [-1]), gb.placeholder("n", "int32", []),
        gb.const("zero", np.asarray(0, np.int32)), gb.const("one", np.asarray(1, np.int32)),
        gb.const("two", np.asarray(2, np.float32)),
        gb.node("i_enter", "Enter", ["zero"], T=I, frame_name=fr, is_constant=False, parallel_iterations=10),
        gb.node("acc_enter", "Enter", ["x"], T=F, frame_name=fr, is_constant=False, parallel_iterations=10),
        gb.node("n_enter", "Enter", ["n"], T=I, frame_name=fr, is_constant=True, parallel_iterations=10),
        gb.node("i_merge", "Merge", ["i_enter", "i_next"], T=I, N=2),
        gb.node("acc_merge", "Merge", ["acc_enter", "acc_next"], T=F, N=2),
        gb.node("less", "Less", ["i_merge", "n_enter"], T=I),
        gb.node("cond", "LoopCond", ["less"]),
        gb.node("i_switch", "Switch", ["i_merge", "cond"], T=I),
        gb.node("acc_switch", "Switch", ["acc_merge", "cond"], T=F),
        gb.node("i_body", "Identity", ["i_switch:1"], T=I),
        gb.node("acc_body", "Identity", ["acc_switch:1"], T=F),
        gb.node("one_in", "Identity", ["one", "^i_body"], T=I),
        gb.node("two_in", "Identity", ["two", "^i_body"], T=F),
        gb.node("i_float", "Cast", ["i_body"], SrcT=I, DstT=F),
        gb.node("acc_mul", "Mul", ["acc_body", "two_in"], T=F),
        gb.node("acc_add", "AddV2", ["acc_mul", "i_float"], T=F),
        gb.node("i_add", "AddV2", ["i_body", "one_in"], T=I),
        gb.node("i_next", "NextIteration", ["i_add"], T=I),
        gb.node("acc_next", "NextIteration", ["acc_add"], T=F),
        gb.node("i_exit", "Exit", ["i_switch"], T=I),
        gb.node("acc_exit", "Exit", ["acc_switch"], T=F),
        gb.node("out", "Identity", ["acc_exit"], T=F), gb.node("count", "Identity", ["i_exit"], T=I)])


_X3 = f32(3)
graph("v1/while", graph_artifacts(v1_while()),
      [({"x": _X3, "n": scalar_i(n)}, ["out", "count"]) for n in (0, 1, 4, 7)])


def v1_while_tensor_array():
    """for i in range(n): ta[i] = x[i] * x[i] + i, in a v1 while loop; then gather every element."""
    fr = "loop_ta"
    return gb.graph_def([
        gb.placeholder("x", "float32", [-1, 2]), gb.placeholder("n", "int32", []),
        gb.const("zero", np.asarray(0, np.int32)), gb.const("one", np.asarray(1, np.int32)),
        gb.const("axis", np.asarray(0, np.int32)),
        gb.node("ta", "TensorArrayV3", ["n"], dtype=F, element_shape=gb.shape([2]), dynamic_size=False,
                clear_after_read=True, identical_element_shapes=True, tensor_array_name="acc"),
        gb.node("i_enter", "Enter", ["zero"], T=I, frame_name=fr, is_constant=False),
        gb.node("flow_enter", "Enter", ["ta:1"], T=F, frame_name=fr, is_constant=False),
        gb.node("handle_enter", "Enter", ["ta"], T=gb.dtype("resource"), frame_name=fr, is_constant=True),
        gb.node("x_enter", "Enter", ["x"], T=F, frame_name=fr, is_constant=True),
        gb.node("n_enter", "Enter", ["n"], T=I, frame_name=fr, is_constant=True),
        gb.node("i_merge", "Merge", ["i_enter", "i_next"], T=I, N=2),
        gb.node("flow_merge", "Merge", ["flow_enter", "flow_next"], T=F, N=2),
        gb.node("less", "Less", ["i_merge", "n_enter"], T=I),
        gb.node("cond", "LoopCond", ["less"]),
        gb.node("i_switch", "Switch", ["i_merge", "cond"], T=I),
        gb.node("flow_switch", "Switch", ["flow_merge", "cond"], T=F),
        gb.node("i_body", "Identity", ["i_switch:1"], T=I),
        gb.node("flow_body", "Identity", ["flow_switch:1"], T=F),
        gb.node("one_in", "Identity", ["one", "^i_body"], T=I),
        gb.node("axis_in", "Identity", ["axis", "^i_body"], T=I),
        gb.node("row", "GatherV2", ["x_enter", "i_body", "axis_in"], Tparams=F, Tindices=I, Taxis=I, batch_dims=0),
        gb.node("sq", "Mul", ["row", "row"], T=F),
        gb.node("i_float", "Cast", ["i_body"], SrcT=I, DstT=F),
        gb.node("val", "AddV2", ["sq", "i_float"], T=F),
        gb.node("write", "TensorArrayWriteV3", ["handle_enter", "i_body", "val", "flow_body"], T=F),
        gb.node("i_add", "AddV2", ["i_body", "one_in"], T=I),
        gb.node("i_next", "NextIteration", ["i_add"], T=I),
        gb.node("flow_next", "NextIteration", ["write"], T=F),
        gb.node("i_exit", "Exit", ["i_switch"], T=I),
        gb.node("flow_exit", "Exit", ["flow_switch"], T=F),
        gb.node("size", "TensorArraySizeV3", ["ta", "flow_exit"]),
        gb.node("range", "Range", ["zero", "size", "one"], Tidx=I),
        gb.node("stacked", "TensorArrayGatherV3", ["ta", "range", "flow_exit"], dtype=F,
                element_shape=gb.shape([2]))])


_XTA = f32(5, 2)
graph("v1/while+TensorArray", graph_artifacts(v1_while_tensor_array()),
      [({"x": _XTA, "n": scalar_i(n)}, ["stacked", "size", "i_exit"]) for n in (1, 3, 5)])


# ------------------------------------------------------------------------------------------ v2 control flow
def v2_if_while():
    """StatelessIf(p, then: x + 1, else: x * 3); StatelessWhile(i < n: i += 1, acc += i * i)."""
    then_f = gb.function("then_f", [("x", "float32")], [("y", "float32", "add:z:0")],
                         [gb.const("c1", np.asarray(1, np.float32)), gb.node("add", "AddV2", ["x", "c1"], T=F)])
    else_f = gb.function("else_f", [("x", "float32")], [("y", "float32", "mul:z:0")],
                         [gb.const("c3", np.asarray(3, np.float32)), gb.node("mul", "Mul", ["x", "c3"], T=F)])
    cond_f = gb.function("cond_f", [("i", "int32"), ("acc", "int32"), ("n", "int32")],
                         [("ok", "bool", "less:z:0")], [gb.node("less", "Less", ["i", "n"], T=I)])
    body_f = gb.function("body_f", [("i", "int32"), ("acc", "int32"), ("n", "int32")],
                         [("i2", "int32", "inc:z:0"), ("acc2", "int32", "sum:z:0"), ("n2", "int32", "n")],
                         [gb.const("k1", np.asarray(1, np.int32)), gb.node("inc", "AddV2", ["i", "k1"], T=I),
                          gb.node("sq", "Mul", ["inc:z:0", "inc:z:0"], T=I),
                          gb.node("sum", "AddV2", ["acc", "sq:z:0"], T=I)])
    nodes = [gb.placeholder("x", "float32", [-1]), gb.placeholder("p", "bool", []),
             gb.placeholder("n", "int32", []), gb.const("z", np.asarray(0, np.int32)),
             gb.node("if", "StatelessIf", ["p", "x"], Tcond=B, Tin=[F], Tout=[F],
                     then_branch=gb.func("then_f"), else_branch=gb.func("else_f")),
             gb.node("while", "StatelessWhile", ["z", "z", "n"], T=[I, I, I], cond=gb.func("cond_f"),
                     body=gb.func("body_f"), parallel_iterations=10),
             gb.node("y", "Identity", ["if"], T=F), gb.node("total", "Identity", ["while:1"], T=I),
             gb.node("steps", "Identity", ["while:0"], T=I)]
    return gb.graph_def(nodes, [then_f, else_f, cond_f, body_f])


_XV2 = f32(3)
graph("v2/StatelessIf+StatelessWhile", graph_artifacts(v2_if_while()),
      [({"x": _XV2, "p": np.asarray(p), "n": scalar_i(n)}, ["y", "total", "steps"])
       for p, n in ((True, 0), (False, 1), (True, 4), (False, 6))])


def v2_while_tensor_list():
    """list = TensorListReserve([2], n); acc = x; StatelessWhile(i < n: list[i] = acc; acc = acc * 2 + (i + 1));
    then Stack(list) and the last acc.

    The item set in each iteration is a loop variable (computed by the iteration before): TF.js 4.22 disposes
    a tensor computed inside a While body once the body returns, even when a TensorListSetItem of that body
    stored it, so a list item computed in the same iteration cannot be read after the loop there (our
    executor has no such limit; the graph-executor unit tests cover it)."""
    args = [("i", "int32"), ("n", "int32"), ("lst", "variant"), ("acc", "float32")]
    cond_f = gb.function("tl_cond", args, [("ok", "bool", "lt:z:0")], [gb.node("lt", "Less", ["i", "n"], T=I)])
    body_f = gb.function(
        "tl_body", args,
        [("i2", "int32", "inc:z:0"), ("n2", "int32", "n"), ("lst2", "variant", "set:output_handle:0"),
         ("acc2", "float32", "next:z:0")],
        [gb.const("b1", np.asarray(1, np.int32)), gb.const("b2", np.asarray(2, np.float32)),
         gb.node("inc", "AddV2", ["i", "b1"], T=I),
         gb.node("set", "TensorListSetItem", ["lst", "i", "acc"], element_dtype=F),
         gb.node("scale", "Cast", ["inc:z:0"], SrcT=I, DstT=F),
         gb.node("twice", "Mul", ["acc", "b2"], T=F),
         gb.node("next", "AddV2", ["twice:z:0", "scale:y:0"], T=F)])
    nodes = [gb.placeholder("x", "float32", [2]), gb.placeholder("n", "int32", []),
             gb.const("shape2", np.asarray([2], np.int32)), gb.const("zero", np.asarray(0, np.int32)),
             gb.node("reserve", "TensorListReserve", ["shape2", "n"], element_dtype=F, shape_type=I),
             gb.node("loop", "StatelessWhile", ["zero", "n", "reserve", "x"], T=[I, I, V, F],
                     cond=gb.func("tl_cond"), body=gb.func("tl_body"), parallel_iterations=10),
             gb.node("stack", "TensorListStack", ["loop:2", "shape2"], element_dtype=F, num_elements=-1),
             gb.node("first", "TensorListGetItem", ["loop:2", "zero", "shape2"], element_dtype=F)]
    return gb.graph_def(nodes, [cond_f, body_f])


_XTL = f32(2)
graph("v2/StatelessWhile+TensorList", graph_artifacts(v2_while_tensor_list()),
      [({"x": _XTL, "n": scalar_i(n)}, ["stack", "first", "loop:0", "loop:3"]) for n in (1, 2, 4)])


# ------------------------------------------------------------------------------------------ TensorList
def tensor_lists():
    return gb.graph_def([
        gb.placeholder("x", "float32", [3, 2]), gb.placeholder("v", "float32", [2]),
        gb.placeholder("k", "int32", []),
        gb.const("shape", np.asarray([2], np.int32)), gb.const("three", np.asarray(3, np.int32)),
        gb.const("i0", np.asarray(0, np.int32)), gb.const("i1", np.asarray(1, np.int32)),
        gb.const("i2", np.asarray(2, np.int32)),
        # from a tensor, one item replaced, read back and stacked
        gb.node("from", "TensorListFromTensor", ["x", "shape"], element_dtype=F, shape_type=I),
        gb.node("set", "TensorListSetItem", ["from", "k", "v"], element_dtype=F),
        gb.node("get", "TensorListGetItem", ["set", "k", "shape"], element_dtype=F),
        gb.node("get_other", "TensorListGetItem", ["set", "i0", "shape"], element_dtype=F),
        gb.node("stack", "TensorListStack", ["set", "shape"], element_dtype=F, num_elements=3),
        # reserved, every item set (out of order), stacked
        gb.node("reserve", "TensorListReserve", ["shape", "three"], element_dtype=F, shape_type=I),
        gb.node("r1", "TensorListSetItem", ["reserve", "i2", "v"], element_dtype=F),
        gb.node("neg", "Neg", ["v"], T=F),
        gb.node("r2", "TensorListSetItem", ["r1", "i0", "neg"], element_dtype=F),
        gb.node("sq", "Square", ["v"], T=F),
        gb.node("r3", "TensorListSetItem", ["r2", "i1", "sq"], element_dtype=F),
        gb.node("rstack", "TensorListStack", ["r3", "shape"], element_dtype=F, num_elements=3),
        gb.node("rget", "TensorListGetItem", ["r3", "i1", "shape"], element_dtype=F)])


_XL = f32(3, 2)
_VL = f32(2)
graph("TensorList/Reserve+FromTensor+SetItem+GetItem+Stack", graph_artifacts(tensor_lists()),
      [({"x": _XL, "v": _VL, "k": scalar_i(k)}, ["stack", "get", "get_other", "rstack", "rget"]) for k in (0, 2)])


# ------------------------------------------------------------------------------------------ TensorArray
def tensor_arrays():
    return gb.graph_def([
        gb.placeholder("x", "float32", [3, 2]), gb.placeholder("v", "float32", [2]),
        gb.placeholder("idx", "int32", [3]), gb.placeholder("k", "int32", []),
        gb.const("three", np.asarray(3, np.int32)), gb.const("i0", np.asarray(0, np.int32)),
        gb.const("i1", np.asarray(1, np.int32)), gb.const("i2", np.asarray(2, np.int32)),
        gb.const("order", np.asarray([2, 0, 1], np.int32)),
        # scattered (in the order given), read at k, gathered in another order, sized
        gb.node("ta", "TensorArrayV3", ["three"], dtype=F, element_shape=gb.shape([2]), dynamic_size=False,
                clear_after_read=False, identical_element_shapes=True, tensor_array_name="scattered"),
        gb.node("scatter", "TensorArrayScatterV3", ["ta", "idx", "x", "ta:1"], T=F),
        gb.node("read", "TensorArrayReadV3", ["ta", "k", "scatter"], dtype=F),
        gb.node("gather", "TensorArrayGatherV3", ["ta", "order", "scatter"], dtype=F, element_shape=gb.shape([2])),
        gb.node("size", "TensorArraySizeV3", ["ta", "scatter"]),
        # written item by item, then read and gathered
        gb.node("tw", "TensorArrayV3", ["three"], dtype=F, element_shape=gb.shape([2]), dynamic_size=False,
                clear_after_read=False, identical_element_shapes=True, tensor_array_name="written"),
        gb.node("w0", "TensorArrayWriteV3", ["tw", "i1", "v", "tw:1"], T=F),
        gb.node("neg", "Neg", ["v"], T=F),
        gb.node("w1", "TensorArrayWriteV3", ["tw", "i0", "neg", "w0"], T=F),
        gb.node("twice", "AddV2", ["v", "v"], T=F),
        gb.node("w2", "TensorArrayWriteV3", ["tw", "i2", "twice", "w1"], T=F),
        gb.node("wread", "TensorArrayReadV3", ["tw", "i0", "w2"], dtype=F),
        gb.node("wgather", "TensorArrayGatherV3", ["tw", "order", "w2"], dtype=F, element_shape=gb.shape([2])),
        gb.node("wsize", "TensorArraySizeV3", ["tw", "w2"])])


_XA = f32(3, 2)
_VA = f32(2)
graph("TensorArray/write+read+gather+scatter+size", graph_artifacts(tensor_arrays()),
      [({"x": _XA, "v": _VA, "idx": np.asarray(order, np.int32), "k": scalar_i(k)},
        ["read", "gather", "size", "wread", "wgather", "wsize"]) for order, k in (((0, 1, 2), 1), ((2, 0, 1), 0))])


# ------------------------------------------------------------------------------------------ hash tables
def hash_tables():
    """Two tables made and filled by the model initializer (as the converter lays it out: the initializer's
    outputs are the tables, after their imports through control edges), looked up by the main graph."""
    init = gb.graph_def([
        gb.const("init/keys", strs("apple", "banana", "cherry", "", "dürüm")),
        gb.const("init/vals", np.asarray([3, -1, 7, 0, 42], np.int32)),
        gb.node("init/table", "HashTableV2", [], key_dtype=S, value_dtype=I, shared_name="words",
                use_node_name_sharing=False, container=""),
        gb.node("init/import", "LookupTableImportV2", ["init/table", "init/keys", "init/vals"], Tin=S, Tout=I),
        gb.node("init/out", "Identity", ["init/table", "^init/import"], T=gb.dtype("resource")),
        gb.const("init/ikeys", np.asarray([1, 5, 9, -2], np.int32)),
        gb.const("init/ivals", strs("one", "five", "nine", "minus two")),
        gb.node("init/itable", "HashTableV2", [], key_dtype=I, value_dtype=S, shared_name="names",
                use_node_name_sharing=False, container=""),
        gb.node("init/iimport", "LookupTableImportV2", ["init/itable", "init/ikeys", "init/ivals"], Tin=I, Tout=S),
        gb.node("init/iout", "Identity", ["init/itable", "^init/iimport"], T=gb.dtype("resource"))])
    main = gb.graph_def([
        gb.placeholder("words", "string", [-1]), gb.placeholder("ids", "int32", [-1]),
        gb.placeholder("table", "resource", []), gb.placeholder("itable", "resource", []),
        gb.const("default", np.asarray(-100, np.int32)), gb.const("idefault", strs("?", shape=())),
        gb.node("find", "LookupTableFindV2", ["table", "words", "default"], Tin=S, Tout=I),
        gb.node("size", "LookupTableSizeV2", ["table"]),
        gb.node("ifind", "LookupTableFindV2", ["itable", "ids", "idefault"], Tin=I, Tout=S),
        gb.node("isize", "LookupTableSizeV2", ["itable"])])
    signature = {"inputs": {"words": {"name": "words:0", "dtype": "DT_STRING"},
                            "ids": {"name": "ids:0", "dtype": "DT_INT32"},
                            "table:0": {"name": "table:0", "dtype": "DT_RESOURCE", "resourceId": 11},
                            "itable:0": {"name": "itable:0", "dtype": "DT_RESOURCE", "resourceId": 12}},
                 "outputs": {"out": {"name": "find:0", "dtype": "DT_INT32"},
                             "names": {"name": "ifind:0", "dtype": "DT_STRING"}}}
    init_sig = {"outputs": {"init/out:0": {"name": "init/out:0", "dtype": "DT_RESOURCE", "resourceId": 11},
                            "init/iout:0": {"name": "init/iout:0", "dtype": "DT_RESOURCE", "resourceId": 12}}}
    return graph_artifacts(main, init, signature=signature, initializer_signature=init_sig)


graph("HashTableV2/LookupTableImportV2+FindV2+SizeV2", hash_tables(),
      [({"words": strs(*w), "ids": np.asarray(i, np.int32)}, ["find", "size", "ifind", "isize"])
       for w, i in ((("banana", "kiwi", "apple", "", "dürüm", "Apple"), (9, 1, 2, -2, 5)),
                    (("cherry",), (0,)))])


# ------------------------------------------------------------------------------------------ running
RUNS = [(g, k) for g in GRAPHS for k in range(len(GRAPHS[g]["runs"]))]


@pytest.fixture(scope="module")
def reference(app_page):
    add_reference_tfjs(app_page)
    app_page.add_script_tag(path=str(HERE / "js" / "graph_ops.js"))
    payload = [artifacts_payload(GRAPHS[g]["artifacts"], GRAPHS[g]["runs"]) for g in GRAPHS]
    return dict(zip(GRAPHS, app_page.evaluate("(cases) => graphOps.runGraphs(cases)", payload)))


@pytest.fixture(scope="module")
def ours():
    from tfjs.graph.model import graph_model_from_artifacts

    return {g: graph_model_from_artifacts(GRAPHS[g]["artifacts"]) for g in GRAPHS}


@pytest.mark.parametrize("name, run", RUNS, ids=[f"{g}#{k}" for g, k in RUNS])
def test_graph_matches_tfjs(reference, ours, name, run):
    ref = reference[name]
    assert ref["ok"], f"TF.js could not load {name}: {ref.get('error')}"
    want = ref["runs"][run]
    assert want["ok"], f"TF.js failed on {name} run {run}: {want.get('error')}"
    feeds, outputs = GRAPHS[name]["runs"][run]
    got = ours[name].execute(dict(feeds), list(outputs))
    got = got if isinstance(got, list) else [got]
    assert_outputs_match(f"{name}#{run}", got, want["outputs"])


def test_every_group_of_the_issue_is_covered():
    ops = set()
    for g in GRAPHS.values():
        topo = g["artifacts"].model_topology
        for graph_json in [topo, g["artifacts"].model_initializer or {}]:
            ops |= {n["op"] for n in graph_json.get("node", [])}
        for fn in topo.get("library", {}).get("function", []):
            ops |= {n["op"] for n in fn["nodeDef"]}
    want = {"Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond", "StatelessIf", "StatelessWhile",
            "TensorListReserve", "TensorListSetItem", "TensorListGetItem", "TensorListStack", "TensorListFromTensor",
            "TensorArrayV3", "TensorArrayWriteV3", "TensorArrayReadV3", "TensorArrayGatherV3",
            "TensorArrayScatterV3", "TensorArraySizeV3", "HashTableV2", "LookupTableImportV2", "LookupTableFindV2"}
    assert want <= ops, want - ops
