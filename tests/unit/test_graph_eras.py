"""model.json from every converter era (tests/graph_eras.py): each encoding of an attribute reads to the same
value, and each era's files load from disk and predict. tests/e2e/test_graph_eras_tfjs.py checks the predictions
against TF.js."""

import numpy as np
import pytest

import graph_eras as ge
import tfjs as tf
from harness import run_async
from tfjs.errors import FormatError
from tfjs.graph.attrs import parse_attr
from tfjs.graph.graph_def import parse_graph_def

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("encoded, value", [
    ({"s": [78, 72, 87, 67]}, "NHWC"),
    ({"s": "TkhXQw=="}, "NHWC"),
    ({"list": {"s": [[66, 105, 97, 115, 65, 100, 100], "UmVsdQ=="]}}, ["BiasAdd", "Relu"]),
    ({"i": 3}, 3), ({"i": "-3"}, -3),
    ({"list": {"i": [1, "2", 3]}}, [1, 2, 3]),
    ({"list": {"s": [], "i": ["1", "2"], "f": []}}, [1, 2]),   # every ListValue field written, one filled
    ({"f": 0.5}, 0.5), ({"f": "-Infinity"}, float("-inf")),
    ({"type": 1}, "float32"), ({"type": "DT_FLOAT"}, "float32"), ({"type": 9}, "int32"), ({"type": "3"}, "int32"),
    ({"list": {"type": [1, "DT_INT32", 10]}}, ["float32", "int32", "bool"]),
    ({"shape": {"dim": [{"size": -1}, {"size": "6"}]}}, [-1, 6]),
    ({"shape": {"unknownRank": True}}, None),
    ({"func": {"name": "body"}}, "body"),
])
def test_every_encoding_tfjs_reads(encoded, value):
    assert parse_attr(encoded) == value


def test_tensor_attrs_in_every_encoding():
    want = np.array([[1.5, -2.0]], np.float32)
    for tensor in ({"dtype": "DT_FLOAT", "tensorShape": {"dim": [{"size": "1"}, {"size": "2"}]},
                    "floatVal": [1.5, -2.0]},
                   {"dtype": 1, "tensorShape": {"dim": [{"size": 1}, {"size": 2}]},
                    "tensorContent": list(want.astype("<f4").tobytes())},
                   {"dtype": 1, "tensorShape": {"dim": [{"size": 1}, {"size": 2}]},
                    "tensorContent": "AADAPwAAAMA="}):
        got = parse_attr({"tensor": tensor})
        assert got.dtype == np.float32 and np.array_equal(got, want)
    strings = parse_attr({"tensor": {"dtype": 7, "tensorShape": {"dim": [{"size": 2}]},
                                     "stringVal": [[104, 105], "eW8="]}})
    assert strings.tolist() == [b"hi", b"yo"]


def test_a_bytes_attr_that_is_neither_form_names_it():
    with pytest.raises(FormatError, match="byte values"):
        parse_attr({"s": [{"x": 1}]})


def test_eras_parse_to_the_same_attributes():
    modern = parse_graph_def(ge.modern_topology())
    v1 = parse_graph_def(ge.topology_v1(ge.modern_topology()))
    for name, node in modern.nodes.items():
        assert v1.nodes[name].attrs == node.attrs, name
    assert v1.nodes["conv"].attrs["fused_ops"] == ["BiasAdd", "Relu"]
    assert v1.nodes["x"].attrs["shape"] == [-1, 6, 6, 2]


@pytest.mark.parametrize("era", ge.ERAS)
def test_each_era_loads_from_disk_and_predicts(tmp_path, era):
    path = ge.write(era, tmp_path / era)
    model = run_async(tf.load_model(f"file://{path}"))
    assert isinstance(model, tf.GraphModel)
    ref = run_async(tf.load_model(f"file://{ge.write('4.x', tmp_path / 'ref')}"))
    x = ge.sample_input()
    got = model.execute({"x": x}, ge.OUTPUTS)
    want = ref.execute({"x": x}, ge.OUTPUTS)
    # The same graph: only the weights' quantization (uint8 in 1.x, float16 in 2.x) moves the values.
    assert np.allclose(got[0], want[0], atol=0.03 if era == "1.x" else 2e-3)
    assert got[0].shape == (3, 3) and np.allclose(got[0].sum(axis=1), 1.0, atol=1e-6)
    assert got[1].dtype == np.int32 and got[1].shape == (3,)
