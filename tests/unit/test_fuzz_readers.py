"""Property-based tests of the readers strangers' files go through: any input gives a result or a tfjs.errors
class, within a time and a memory bound. Each target prints how many inputs it tried.

CI runs 100 inputs per target (the same ones each run); ``python3 build.py fuzz`` runs many more
(TFJS_FUZZ_EXAMPLES)."""

import io
import json
import math
import os
import time
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tfjs as tf
from harness import run_async
from tfjs.converter import pbwire
from tfjs.converter.keras_h5 import read_keras
from tfjs.errors import TfjsError
from tfjs.io import jsjson
from tfjs.io.model_json import artifacts_from_model_json

pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name", "ignore:overflow encountered")
EXAMPLES = int(os.environ.get("TFJS_FUZZ_EXAMPLES", "100"))
MEMORY_BOUND = 64 << 20  # traced bytes one input may take at its peak
TIME_BOUND = 5.0         # seconds one input may take
# In CI the inputs are the same on every run (derandomize); build.py fuzz draws new ones each time.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize="TFJS_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=list(HealthCheck), print_blob=True)


class Bounded:
    """Runs a target on each input: a tfjs.errors class is an answer, anything else fails; checks the bounds."""

    def __init__(self, name, capsys):
        self.name, self.capsys, self.tried, self.errors = name, capsys, 0, 0

    def __call__(self, fn, *args):
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        start = time.monotonic()
        try:
            fn(*args)
        except TfjsError:
            self.errors += 1
        elapsed = time.monotonic() - start
        peak = tracemalloc.get_traced_memory()[1] - before
        self.tried += 1
        assert elapsed < TIME_BOUND, f"{self.name}: one input took {elapsed:.1f} s"
        assert peak < MEMORY_BOUND, f"{self.name}: one input took {peak} bytes"

    def report(self):
        with self.capsys.disabled():
            print(f"\n[fuzz] {self.name}: {self.tried} inputs tried, {self.errors} answered with a tfjs error")


@pytest.fixture
def bounded(request, capsys):
    tracemalloc.start()
    target = Bounded(request.node.name, capsys)
    yield target
    tracemalloc.stop()
    target.report()


# ---------------------------------------------------------------------------------------------- strategies

json_scalars = st.none() | st.booleans() | st.integers(-2**40, 2**40) | \
    st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) |
                           st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
dims = st.integers(0, 6) | st.sampled_from([-1, 1e8, 4.7, 2.0, True, "3", None, 2**62])
specs = st.fixed_dictionaries(
    {"name": st.sampled_from(["w", "dense/kernel", "", 7, None]),
     "shape": st.lists(dims, max_size=3) | json_scalars,
     "dtype": st.sampled_from(["float32", "int32", "bool", "complex64", "string", "float64", 3, None])},
    optional={"quantization": st.fixed_dictionaries(
        {"dtype": st.sampled_from(["uint8", "uint16", "float16", "int4", None])},
        optional={"min": json_scalars, "scale": json_scalars, "original_dtype": json_scalars}) | json_scalars,
        "group": json_scalars}) | json_values
valid_specs = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=6), "shape": st.lists(st.integers(0, 4), max_size=3),
     "dtype": st.sampled_from(["float32", "int32", "bool", "complex64", "string"])},
    optional={"quantization": st.sampled_from([{"dtype": "uint8", "min": -1.0, "scale": 0.5},
                                                {"dtype": "uint16", "min": 0, "scale": 2},
                                                {"dtype": "float16"}])})
specs = valid_specs | specs
manifests = st.lists(st.fixed_dictionaries({"paths": st.lists(st.sampled_from(["w.bin", "../w.bin", "/etc/hostname",
                                                                               "sub/w.bin", 3, ""]), max_size=2),
                                            "weights": st.lists(specs, max_size=3)}) | json_values, max_size=3)
model_jsons = st.fixed_dictionaries({}, optional={"modelTopology": json_values, "weightsManifest": manifests,
                                                  "format": json_values, "generatedBy": json_values}) | json_values


# ---------------------------------------------------------------------------------------------- targets


def test_weights_decoder(bounded):
    @FUZZ
    @given(st.binary(max_size=256), st.lists(specs, max_size=4))
    def run(data, spec_list):
        bounded(tf.io.decode_weights, data, spec_list)
        bounded(tf.io.decode_weights, [data[:3], data[3:]], spec_list)

    run()


def test_model_json_and_manifest(bounded):
    @FUZZ
    @given(model_jsons, st.binary(max_size=128))
    def run(model_json, data):
        def target():
            artifacts = artifacts_from_model_json(model_json, data, source="model.json")
            if artifacts.weight_specs is not None:
                tf.io.decode_weights(data, artifacts.weight_specs)

        bounded(target)

    run()


def test_file_loader(bounded, tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz-file")
    (root / "outside.bin").write_bytes(bytes(64))

    @FUZZ
    @given(st.one_of(model_jsons.map(lambda v: json.dumps(v).encode()), st.binary(max_size=200)),
           st.binary(max_size=64))
    def run(text, shard):
        folder = root / "m"
        folder.mkdir(exist_ok=True)
        (folder / "model.json").write_bytes(text)
        (folder / "w.bin").write_bytes(shard)
        bounded(lambda: run_async(tf.io.load(f"file://{folder}/model.json")))

    run()


def _varint(n):
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def _field(number, payload):
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def small_graph_def():
    """A GraphDef holding one Const float32 [2] node and one Identity node."""
    shape = _field(2, _varint(1 << 3) + _varint(2))
    tensor = _varint(1 << 3) + _varint(1) + _field(2, shape) + _field(4, np.float32([1.5, -2]).tobytes())
    attr = _field(5, _field(1, b"value") + _field(2, _field(8, tensor)))
    const = _field(1, b"c") + _field(2, b"Const") + attr
    ident = _field(1, b"y") + _field(2, b"Identity") + _field(3, b"c")
    return _field(1, const) + _field(1, ident)


def mutations(seed_bytes):
    return st.tuples(st.lists(st.tuples(st.integers(0, len(seed_bytes) - 1), st.integers(0, 255)), max_size=6),
                     st.integers(0, len(seed_bytes))).map(
        lambda m: _mutate(seed_bytes, *m))


def _mutate(data, flips, cut):
    out = bytearray(data)
    for pos, value in flips:
        out[pos] = value
    return bytes(out[:cut]) if cut < len(out) // 2 else bytes(out)


@pytest.mark.parametrize("data", [b"\x08\x00", b"\x00" * 14 + b"\x08\x00", b"\x0a\x02\x10\x05"])
def test_graph_def_fields_of_the_wrong_wire_type(data):
    """Found by fuzzing: a node (a message) sent as a varint raised TypeError."""
    with pytest.raises(pbwire.WireError, match="Not a valid GraphDef"):
        pbwire.read_graph_def(data)


def test_graph_def_reader(bounded):
    graph = small_graph_def()
    parsed = pbwire.read_graph_def(graph)
    assert [n["op"] for n in parsed["node"]] == ["Const", "Identity"]

    @FUZZ
    @given(st.binary(max_size=200) | mutations(graph))
    def run(data):
        bounded(pbwire.read_graph_def, data)

    run()


def small_keras_h5(tmp_path):
    from tfjs.converter.cli import main as cli_main

    model = tf.sequential(layers=[tf.layers.dense(units=3, input_shape=[2], name="d")])
    run_async(model.save(f"file://{tmp_path}/m"))
    assert cli_main([f"{tmp_path}/m/model.json", f"{tmp_path}/m.h5", "--output_format", "keras", "--no_progress"]) == 0
    return (tmp_path / "m.h5").read_bytes()


def test_hdf5_reader(bounded, tmp_path):
    seed = small_keras_h5(tmp_path)
    assert read_keras(seed, "pyfive").topology["model_config"]["class_name"] == "Sequential"

    @FUZZ
    @given(mutations(seed) | st.binary(max_size=64).map(lambda b: b"\x89HDF\r\n\x1a\n" + b))
    def run(data):
        bounded(read_keras, data, "pyfive")

    run()


def test_keras_archive_reader(bounded, tmp_path):
    weights = small_keras_h5(tmp_path)

    def archive(members):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for name, data in members:
                z.writestr(name, data)
        return buf.getvalue()

    members = st.lists(st.tuples(st.sampled_from(["config.json", "metadata.json", "model.weights.h5", "x"]),
                                 st.binary(max_size=64) | model_jsons.map(lambda v: json.dumps(v).encode()) |
                                 st.just(weights)), max_size=4)

    @FUZZ
    @given(members.map(archive) | st.binary(max_size=64).map(lambda b: b"PK\x03\x04" + b))
    def run(data):
        bounded(read_keras, data, "pyfive")

    run()


def test_json_writer(bounded):
    @FUZZ
    @given(json_values)
    def run(value):
        text = jsjson.stringify(value)
        back = json.loads(text)
        if isinstance(value, (dict, list)):
            assert jsjson.byte_length(value) == len(text.encode("utf-8"))
        assert _js_equal(back, value), (text, value)
        bounded(jsjson.stringify, value)

    run()


def _js_equal(back, value):
    """What JSON.stringify then JSON.parse gives back: NaN and infinities become null."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return back is None
    if isinstance(value, dict):
        return isinstance(back, dict) and back.keys() == value.keys() and all(_js_equal(back[k], value[k])
                                                                             for k in value)
    if isinstance(value, list):
        return isinstance(back, list) and len(back) == len(value) and all(map(_js_equal, back, value))
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return back == value
    return float(back) == float(value)  # JavaScript numbers are doubles
