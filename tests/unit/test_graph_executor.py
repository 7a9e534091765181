"""The graph executor under CPython: v1 control flow (frames, dead branches), v2 control flow through the
function library, TensorArrays, TensorLists, hash tables with a model initializer, signatures, errors."""

import numpy as np
import pytest

import tfjs as tf
from harness import run_async
from tfjs.graph import builder as gb
from tfjs.graph.values import GraphExecutionError, UnsupportedOpsError

F, I, B = gb.dtype("float32"), gb.dtype("int32"), gb.dtype("bool")


def v1_while_sum():
    """i = 0; acc = x; while i < n: acc = acc * 2; i += 1  (TF 1 control flow)."""
    frame = "loop"
    n = [gb.placeholder("x", "float32", [-1]), gb.placeholder("n", "int32", []),
         gb.const("zero", np.asarray(0, np.int32)), gb.const("one", np.asarray(1, np.int32)),
         gb.const("two", np.asarray(2, np.float32)),
         gb.node("i_enter", "Enter", ["zero"], frame_name=frame, is_constant=False),
         gb.node("acc_enter", "Enter", ["x"], frame_name=frame, is_constant=False),
         gb.node("n_enter", "Enter", ["n"], frame_name=frame, is_constant=True),
         gb.node("i_merge", "Merge", ["i_enter", "i_next"]),
         gb.node("acc_merge", "Merge", ["acc_enter", "acc_next"]),
         gb.node("less", "Less", ["i_merge", "n_enter"]),
         gb.node("cond", "LoopCond", ["less"]),
         gb.node("i_switch", "Switch", ["i_merge", "cond"]),
         gb.node("acc_switch", "Switch", ["acc_merge", "cond"]),
         gb.node("i_body", "Identity", ["i_switch:1"]),
         gb.node("acc_body", "Identity", ["acc_switch:1"]),
         gb.node("one_in", "Identity", ["one", "^i_body"]),
         gb.node("two_in", "Identity", ["two", "^i_body"]),
         gb.node("i_add", "AddV2", ["i_body", "one_in"]),
         gb.node("acc_mul", "Mul", ["acc_body", "two_in"]),
         gb.node("i_next", "NextIteration", ["i_add"]),
         gb.node("acc_next", "NextIteration", ["acc_mul"]),
         gb.node("i_exit", "Exit", ["i_switch"]),
         gb.node("acc_exit", "Exit", ["acc_switch"]),
         gb.node("out", "Identity", ["acc_exit"]), gb.node("count", "Identity", ["i_exit"])]
    return gb.model(gb.graph_def(n))


@pytest.mark.parametrize("n", [0, 1, 5])
def test_v1_while_loop_runs_n_iterations(n):
    model = v1_while_sum()
    out, count = model.execute({"x": np.asarray([1.0, -2.0], np.float32), "n": np.asarray(n, np.int32)},
                               ["out", "count"])
    assert count.tolist() == n
    assert out.tolist() == [2.0 ** n, -2.0 * 2 ** n]


def v1_cond():
    """y = x * 10 if p else x - 1 (Switch/Merge; the untaken branch is dead)."""
    n = [gb.placeholder("x", "float32", [-1]), gb.placeholder("p", "bool", []),
         gb.const("ten", np.asarray(10, np.float32)), gb.const("one", np.asarray(1, np.float32)),
         gb.node("sw", "Switch", ["x", "p"]),
         gb.node("t", "Mul", ["sw:1", "ten"]), gb.node("f", "Sub", ["sw:0", "one"]),
         gb.node("m", "Merge", ["f", "t"]), gb.node("y", "Identity", ["m"]), gb.node("which", "Identity", ["m:1"])]
    return gb.model(gb.graph_def(n))


@pytest.mark.parametrize("p, want, index", [(True, [10.0, 20.0], 1), (False, [0.0, 1.0], 0)])
def test_v1_cond_takes_one_branch(p, want, index):
    y, which = v1_cond().execute({"x": np.asarray([1, 2], np.float32), "p": np.asarray(p)}, ["y", "which"])
    assert y.tolist() == want and which.tolist() == index


def test_dead_output_is_an_error_naming_it():
    model = v1_cond()
    with pytest.raises(GraphExecutionError, match="dead"):
        model.execute({"x": np.asarray([1], np.float32), "p": np.asarray(True)}, ["f"])


def v2_model():
    """If(p, then: x + 1, else: x * 3) and While(i < n: i += 1, acc += i) with library functions."""
    then_f = gb.function("then_f", [("x", "float32")], [("y", "float32", "add:z:0")],
                         [gb.const("c1", np.asarray(1, np.float32)), gb.node("add", "AddV2", ["x", "c1"])])
    else_f = gb.function("else_f", [("x", "float32")], [("y", "float32", "mul:z:0")],
                         [gb.const("c3", np.asarray(3, np.float32)), gb.node("mul", "Mul", ["x", "c3"])])
    cond_f = gb.function("cond_f", [("i", "int32"), ("acc", "int32"), ("n", "int32")],
                         [("ok", "bool", "less:z:0")], [gb.node("less", "Less", ["i", "n"])])
    body_f = gb.function("body_f", [("i", "int32"), ("acc", "int32"), ("n", "int32")],
                         [("i2", "int32", "inc:z:0"), ("acc2", "int32", "sum:z:0"), ("n2", "int32", "n")],
                         [gb.const("k1", np.asarray(1, np.int32)), gb.node("inc", "AddV2", ["i", "k1"]),
                          gb.node("sum", "AddV2", ["acc", "inc:z:0"])])
    nodes = [gb.placeholder("x", "float32", [-1]), gb.placeholder("p", "bool", []),
             gb.placeholder("n", "int32", []), gb.const("z", np.asarray(0, np.int32)),
             gb.node("if", "StatelessIf", ["p", "x"], then_branch=gb.func("then_f"), else_branch=gb.func("else_f")),
             gb.node("while", "StatelessWhile", ["z", "z", "n"], cond=gb.func("cond_f"), body=gb.func("body_f")),
             gb.node("y", "Identity", ["if"]), gb.node("total", "Identity", ["while:1"])]
    return gb.model(gb.graph_def(nodes, [then_f, else_f, cond_f, body_f]))


def test_v2_if_and_while_run_library_functions():
    model = v2_model()
    feeds = {"x": np.asarray([1, 2], np.float32), "n": np.asarray(4, np.int32)}
    assert model.execute({**feeds, "p": np.asarray(True)}, ["y"]).tolist() == [2.0, 3.0]
    assert model.execute({**feeds, "p": np.asarray(False)}, ["y"]).tolist() == [3.0, 6.0]
    assert model.execute({**feeds, "p": np.asarray(False)}, "total").tolist() == 10


def test_tensor_array_write_read_gather_concat():
    nodes = [gb.placeholder("x", "float32", [3, 2]), gb.const("three", np.asarray(3, np.int32)),
             gb.const("i0", np.asarray(0, np.int32)), gb.const("i2", np.asarray(2, np.int32)),
             gb.const("idx", np.asarray([0, 1, 2], np.int32)),
             gb.node("ta", "TensorArrayV3", ["three"], dtype=F, element_shape=gb.shape([2]),
                     clear_after_read=False),
             gb.node("scatter", "TensorArrayScatterV3", ["ta", "idx", "x", "ta:1"]),
             gb.node("read", "TensorArrayReadV3", ["ta", "i2", "scatter"], dtype=F),
             gb.node("gather", "TensorArrayGatherV3", ["ta", "idx", "scatter"], dtype=F),
             gb.node("size", "TensorArraySizeV3", ["ta", "scatter"])]
    model = gb.model(gb.graph_def(nodes))
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    read, gather, size = model.execute({"x": x}, ["read", "gather", "size"])
    assert read.tolist() == [4.0, 5.0] and gather.tolist() == x.tolist() and size.tolist() == 3


def test_tensor_list_ops():
    nodes = [gb.placeholder("x", "float32", [3, 2]), gb.const("shape", np.asarray([2], np.int32)),
             gb.const("i1", np.asarray(1, np.int32)), gb.const("v", np.asarray([9, 9], np.float32)),
             gb.node("list", "TensorListFromTensor", ["x", "shape"], element_dtype=F),
             gb.node("set", "TensorListSetItem", ["list", "i1", "v"], element_dtype=F),
             gb.node("stack", "TensorListStack", ["set", "shape"], element_dtype=F),
             gb.node("orig", "TensorListStack", ["list", "shape"], element_dtype=F),
             gb.node("len", "TensorListLength", ["set"]),
             gb.node("pop", "TensorListPopBack", ["set", "shape"], element_dtype=F)]
    model = gb.model(gb.graph_def(nodes))
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    stack, orig, n, last = model.execute({"x": x}, ["stack", "orig", "len", "pop:1"])
    assert stack.tolist() == [[0, 1], [9, 9], [4, 5]] and orig.tolist() == x.tolist()
    assert n.tolist() == 3 and last.tolist() == [4, 5]


def test_hash_table_from_model_initializer():
    init = gb.graph_def([gb.const("keys", np.asarray([b"a", b"b"], object)),
                         gb.const("vals", np.asarray([1, 2], np.int32)),
                         gb.node("table", "HashTableV2", [], key_dtype=gb.dtype("string"), value_dtype=I),
                         gb.node("import", "LookupTableImportV2", ["table", "keys", "vals"])])
    main = gb.graph_def([gb.placeholder("k", "string", [-1]),
                         gb.node("handle", "Placeholder", [], dtype=gb.dtype("resource")),
                         gb.const("default", np.asarray(-1, np.int32)),
                         gb.node("find", "LookupTableFindV2", ["handle", "k", "default"]),
                         gb.node("size", "LookupTableSizeV2", ["handle"])])
    signature = {"inputs": {"k": {"name": "k:0", "dtype": "DT_STRING"},
                            "unknown": {"name": "handle:0", "dtype": "DT_RESOURCE", "resourceId": 7}},
                 "outputs": {"out": {"name": "find:0", "dtype": "DT_INT32"}}}
    init_sig = {"outputs": {"table:0": {"name": "table:0", "dtype": "DT_RESOURCE", "resourceId": 7}}}
    model = gb.model(main, signature=signature, model_initializer=init, initializer_signature=init_sig)
    assert model.input_nodes == ["k"]
    out = model.predict(np.asarray([b"b", b"z", b"a"], object))
    assert out.tolist() == [2, -1, 1]
    assert model.execute({"k": np.asarray([b"a"], object)}, "size:0").tolist() == 2


def test_unsupported_ops_are_reported_together_with_their_nodes():
    topo = gb.graph_def([gb.placeholder("x"), gb.node("a", "FancyOp", ["x"]), gb.node("b", "FancyOp", ["a"]),
                         gb.node("c", "OtherOp", ["b"])])
    with pytest.raises(UnsupportedOpsError) as info:
        gb.model(topo)
    text = str(info.value)
    assert "FancyOp: a, b" in text and "OtherOp: c" in text


def test_register_op_makes_a_model_loadable():
    topo = gb.graph_def([gb.placeholder("x", "float32", [2]), gb.node("y", "TimesThree", ["x"])])
    tf.register_op("TimesThree", lambda node: node.inputs[0] * 3)
    try:
        assert gb.model(topo).predict(np.asarray([1, 2], np.float32)).tolist() == [3, 6]
    finally:
        tf.graph.deregister_op("TimesThree")


def test_errors_name_node_op_and_inputs():
    topo = gb.graph_def([gb.placeholder("x", "float32", [-1, 3]), gb.const("shape", np.asarray([4], np.int32)),
                         gb.node("bad", "Reshape", ["x", "shape"])])
    with pytest.raises(GraphExecutionError, match=r"node 'bad' \(op Reshape\).*float32\[2, 3\]"):
        gb.model(topo).predict(np.zeros((2, 3), np.float32))


def test_inputs_checked_and_given_as_list_dict_or_array():
    topo = gb.graph_def([gb.placeholder("a", "float32", [-1, 2]), gb.placeholder("b", "int32", [2]),
                         gb.node("c", "Cast", ["b"], DstT=F), gb.node("y", "AddV2", ["a", "c"])])
    model = gb.model(topo)
    a, b = np.ones((1, 2), np.float32), np.asarray([1, 2], np.int64)
    assert model.predict([a, b]).tolist() == [[2, 3]]
    assert model.execute({"b": b, "a:0": a}).tolist() == [[2, 3]]
    with pytest.raises(ValueError, match=r"shape of dict\['a'\].*must be \[-1, 2\], but was \[3\]"):
        model.execute({"a": np.ones(3, np.float32), "b": b})
    with pytest.raises(ValueError, match="must be int32, but was float32"):
        model.execute({"a": a, "b": np.ones(2, np.float32)})
    assert model.inputs == [{"name": "a", "shape": [-1, 2], "dtype": "float32"},
                            {"name": "b", "shape": [2], "dtype": "int32"}]
    assert model.output_nodes == ["y"]


def test_structured_outputs_and_signature_from_user_metadata():
    topo = gb.graph_def([gb.placeholder("x", "float32", [2]), gb.node("n", "Neg", ["x"]),
                         gb.node("s", "Square", ["x"])])
    sig = {"inputs": {"inp": {"name": "x:0", "dtype": "DT_FLOAT"}},
           "outputs": {"neg": {"name": "n:0"}, "sq": {"name": "s:0"}}}
    model = gb.model(topo, user_defined_metadata={"signature": sig, "structuredOutputKeys": ["neg", "sq"]},
                     signature={"inputs": {}, "outputs": {}})
    out = model.predict({"inp": np.asarray([1, 2], np.float32)})
    assert out["neg"].tolist() == [-1, -2] and out["sq"].tolist() == [1, 4]


def test_load_graph_model_rejects_layers_and_save_round_trips(tmp_path):
    layers = tf.io.ModelArtifacts(model_topology={"class_name": "Sequential", "config": {}}, format="layers-model")
    with pytest.raises(tf.errors.FormatError, match="load_layers_model"):
        run_async(tf.load_graph_model(tf.io.from_memory(layers)))
    topo = gb.graph_def([gb.placeholder("x", "float32", [2]), gb.const("w", np.zeros(2, np.float32)),
                         gb.node("y", "AddV2", ["x", "w"])])
    model = gb.model(topo, weights={"w": np.asarray([1, 2], np.float32)})
    run_async(model.save(f"file://{tmp_path}"))
    again = run_async(tf.load_model(f"file://{tmp_path}/model.json"))
    assert isinstance(again, tf.GraphModel)
    assert again.predict(np.asarray([1, 1], np.float32)).tolist() == [2, 3]
