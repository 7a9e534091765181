"""JSON text and byte counts equal JavaScript's JSON.stringify (checked against node)."""

import json
import random
import shutil
import subprocess
import sys

import pytest

from tfjs.io import jsjson

NODE = shutil.which("node")


def node_stringify(values):
    script = "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{" \
             "for (const v of JSON.parse(s)) console.log(JSON.stringify(v));});"
    out = subprocess.run([NODE, "-e", script], input=json.dumps(values), capture_output=True, text=True,
                         check=True)
    return out.stdout.splitlines()


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_numbers_match_javascript():
    rng = random.Random(7)
    values = [0.0, -0.0, 1.0, -1.0, 0.5, 1e-7, 1e-6, 1.234e-6, 1e21, 1e20, 1.5e300, 5e-324, 0.1, 100.0, 1e-5,
              2**53, 2**53 + 2.0, 123456789.125, 1.7976931348623157e308]
    values += [rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30) for _ in range(300)]
    values += [float(rng.randint(-10**6, 10**6)) for _ in range(50)]
    expected = node_stringify(values)
    got = [jsjson.stringify(v) for v in values]
    assert got == expected


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_structures_and_strings_match_javascript():
    values = [{"a": [1, 2.5, None, True, False], "b": {"c": "x\"\\\n\t\u0001é文"}, "d": []},
              {"keras_version": "tfjs-layers 4.22.0", "config": {"l2": 0.0, "rate": 1e-7}}]
    assert [jsjson.stringify(v) for v in values] == node_stringify(values)


def test_nan_and_infinity_become_null_and_byte_length_counts_utf8():
    assert jsjson.stringify([float("nan"), float("inf"), -float("inf")]) == "[null,null,null]"
    assert jsjson.byte_length({"a": "Ж"}) == len('{"a":"Ж"}'.encode())
    assert jsjson.byte_length(None) == 0


def test_numpy_values_are_written_as_numbers():
    import numpy as np

    assert jsjson.stringify({"s": np.float32(0.5), "i": np.int64(3), "a": np.array([1, 2])}) == \
        '{"s":0.5,"i":3,"a":[1,2]}'
    with pytest.raises(TypeError, match="cannot write object"):
        jsjson.stringify(object())
