"""The weights codec: TF.js's byte layout for every dtype, dequantization, shards, and size errors."""

import numpy as np
import pytest

import tfjs as tf
from tfjs.errors import FormatError, UnsupportedError


def test_float32_layout_and_specs():
    data, specs = tf.io.encode_weights({"x": np.array([1, 2, 3], np.float32), "s": np.float32(4)})
    assert data == np.array([1, 2, 3, 4], "<f4").tobytes()
    assert specs == [{"name": "x", "shape": [3], "dtype": "float32"}, {"name": "s", "shape": [], "dtype": "float32"}]


def test_every_dtype_round_trips_through_shards():
    tensors = [
        ("f", np.arange(12, dtype=np.float32).reshape(3, 4) / 7),
        ("i", np.array([[-1, 2], [3, 2**31 - 1]], np.int32)),
        ("b", np.array([True, False, True])),
        ("c", np.array([1 + 2j, -3.5 - 0.25j], np.complex64)),
        ("s", np.array([["", "abc"], ["Жук", "文字"]], dtype=object)),
        ("bytes", np.array([b"\x00\xff", b""], dtype=object)),
    ]
    data, specs = tf.io.encode_weights(tensors, group="model")
    assert [s["dtype"] for s in specs] == ["float32", "int32", "bool", "complex64", "string", "string"]
    assert all(s["group"] == "model" for s in specs)
    shards = [data[:5], data[5:41], data[41:]]  # cuts inside weights
    out = tf.io.decode_weights(shards, specs)
    for name, value in tensors:
        if value.dtype == object:
            expected = np.vectorize(lambda v: v.encode() if isinstance(v, str) else v, otypes=[object])(value)
            assert out[name].shape == value.shape and out[name].tolist() == expected.tolist()
        else:
            assert out[name].dtype == value.dtype and np.array_equal(out[name], value)


def test_bool_is_one_byte_and_complex_is_interleaved():
    data, _ = tf.io.encode_weights([("b", np.array([True, False])), ("c", np.array([1 + 2j], np.complex64))])
    assert data[:2] == b"\x01\x00"
    assert np.frombuffer(data[2:], "<f4").tolist() == [1.0, 2.0]


def test_string_byte_layout():
    data, specs = tf.io.encode_weights({"s": np.array(["a", "Ж", "文", ""], dtype=object)})
    assert data == b"\x01\x00\x00\x00a" + b"\x02\x00\x00\x00\xd0\x96" + b"\x03\x00\x00\x00\xe6\x96\x87" + b"\x00" * 4
    assert specs == [{"name": "s", "shape": [4], "dtype": "string"}]


def test_wider_types_are_stored_as_tfjs_types():
    _, specs = tf.io.encode_weights({"a": np.zeros(2, np.float64), "b": np.zeros(2, np.int64),
                                     "c": np.zeros(1, np.complex128)})
    assert [s["dtype"] for s in specs] == ["float32", "int32", "complex64"]
    with pytest.raises(FormatError, match="'big' has values outside int32"):
        tf.io.encode_weights({"big": np.array([2**40])})
    with pytest.raises(FormatError, match="Unsupported dtype in weight 'd'"):
        tf.io.encode_weights({"d": np.array([np.datetime64("2020-01-01")])})
    with pytest.raises(FormatError, match="Duplicate weight name: 'a'"):
        tf.io.encode_weights([("a", np.zeros(1)), ("a", np.zeros(1))])


@pytest.mark.parametrize("qdtype,raw", [("uint8", np.array([0, 48, 255], np.uint8)),
                                        ("uint16", np.array([0, 48, 255], "<u2"))])
def test_affine_dequantization_as_tfjs(qdtype, raw):
    quant = {"dtype": qdtype, "min": -1, "scale": 0.1}
    specs = [{"name": "f", "shape": [3], "dtype": "float32", "quantization": quant},
             {"name": "i", "shape": [3], "dtype": "int32", "quantization": quant}]
    out = tf.io.decode_weights(raw.tobytes() * 2, specs)
    assert out["f"].dtype == np.float32
    np.testing.assert_array_equal(out["f"], np.array([-1, 3.8, 24.5], np.float32))
    assert out["i"].dtype == np.int32 and out["i"].tolist() == [-1, 4, 25]


def test_int32_dequantization_rounds_half_up_like_math_round():
    spec = {"name": "i", "shape": [2], "dtype": "int32", "quantization": {"dtype": "uint8", "min": -2, "scale": 0.5}}
    assert tf.io.decode_weights(bytes([1, 5]), [spec])["i"].tolist() == [-1, 1]  # -1.5 -> -1, 0.5 -> 1


def test_float16_dequantization():
    raw = np.array([13312, 14336, 14848, 0x7E00, 0x7C00, 0xFC00, 0x8000, 0x0001], "<u2").tobytes()
    spec = {"name": "h", "shape": [8], "dtype": "float32", "quantization": {"dtype": "float16"}}
    out = tf.io.decode_weights(raw, [spec])["h"]
    assert out[:3].tolist() == [0.25, 0.5, 0.75]
    assert np.isnan(out[3]) and out[4] == np.inf and out[5] == -np.inf
    assert out[6] == 0 and np.signbit(out[6]) and out[7] == np.float32(2.0**-24)


@pytest.mark.parametrize("spec,message", [
    ({"name": "w", "shape": [1], "dtype": "float32", "quantization": {"dtype": "uint8"}},
     "Weight w with quantization uint8 doesn't have corresponding metadata min and scale."),
    ({"name": "w", "shape": [1], "dtype": "int32", "quantization": {"dtype": "float16"}},
     "Unsupported quantization type float16 for weight type int32."),
    ({"name": "w", "shape": [1], "dtype": "float32", "quantization": {"dtype": "int4"}},
     "Weight w has unknown quantization dtype .int4."),
    ({"name": "w", "shape": [1], "dtype": "int16"}, "Unsupported dtype in weight 'w': int16"),
])
def test_bad_specs(spec, message):
    with pytest.raises((FormatError, UnsupportedError), match=message.replace("(", r"\(").split(".")[0]):
        tf.io.decode_weights(b"\x00" * 8, [spec])


def three_shard_model():
    rng = np.random.default_rng(0)
    weights = {f"layer{i}/kernel": rng.standard_normal((64, 64)).astype(np.float32) for i in range(6)}
    data, specs = tf.io.encode_weights(weights)
    size = len(data) // 3
    shards = [bytearray(data[:size]), bytearray(data[size:2 * size]), bytearray(data[2 * size:])]
    return weights, specs, shards


def test_short_data_names_weight_shard_and_sizes():
    _, specs, shards = three_shard_model()
    shards[2] = shards[2][:-10]
    with pytest.raises(FormatError) as info:
        tf.io.decode_weights(shards, specs, shard_names=["a.bin", "b.bin", "c.bin"])
    message = str(info.value)
    assert "too short for weight 'layer5/kernel'" in message
    assert "shard 3 of 3 (c.bin)" in message
    total = sum(len(s) for s in shards)
    assert f"expected at least {total + 10} bytes, got {total}" in message


def test_long_data_names_extra_bytes_and_last_weight():
    _, specs, shards = three_shard_model()
    shards[2] = shards[2] + b"\x00" * 6
    with pytest.raises(FormatError, match=r"too long.*6 unexpected bytes after the last weight 'layer5/kernel'"
                                          r".*shard 3 of 3 \(c.bin"):
        tf.io.decode_weights(shards, specs, shard_names=["a.bin", "b.bin", "c.bin"])


def test_three_shards_are_never_joined():
    """Weights inside one shard are views of it; only a straddling weight is copied, on its own."""
    weights, specs, shards = three_shard_model()
    out = tf.io.decode_weights(shards, specs)
    for name, value in weights.items():
        np.testing.assert_array_equal(out[name], value)
    shard_arrays = [np.frombuffer(s, np.uint8) for s in shards]
    views = {name for name, arr in out.items() if any(np.shares_memory(arr, s) for s in shard_arrays)}
    # 6 weights of 16 KiB over 3 shards of 32 KiB: weights 0,1 | 2,3 | 4,5 each lie in one shard.
    assert views == set(weights)
    model_bytes = sum(len(s) for s in shards)
    assert all(arr.base is not None and arr.nbytes < model_bytes for arr in out.values())


def test_straddling_weight_is_copied_alone():
    weights, specs, shards = three_shard_model()
    cut = [shards[0] + shards[1][:100], shards[1][100:], shards[2]]
    out = tf.io.decode_weights(cut, specs)
    for name, value in weights.items():
        np.testing.assert_array_equal(out[name], value)


def test_many_strings_across_shards_decode_exactly():
    values = np.array([b"", b"a", b"", b"longer string", b""] * 2000, dtype=object)
    data, specs = tf.io.encode_weights({"s": values, "after": np.arange(3, dtype=np.float32)})
    for cuts in ([], [1], [2, 3, 7], [len(data) // 2 + 1], list(range(0, len(data), 997))):
        edges = [0, *cuts, len(data)]
        shards = [data[a:b] for a, b in zip(edges, edges[1:])]
        out = tf.io.decode_weights(shards, specs)
        assert out["s"].tolist() == values.tolist() and out["after"].tolist() == [0, 1, 2]
    empty = tf.io.decode_weights(bytes(4 * 100000), [{"name": "e", "shape": [100000], "dtype": "string"}])
    assert empty["e"].shape == (100000,) and set(empty["e"].tolist()) == {b""}


def test_string_counts_beyond_the_data_fail_before_walking():
    spec = {"name": "s", "shape": [10**12], "dtype": "string"}
    with pytest.raises(FormatError, match=r"too short for weight 's'.* to read the lengths of its 1000000000000 "
                                          r"strings"):
        tf.io.decode_weights(bytes(8), [spec])


@pytest.mark.parametrize("spec,message", [
    ({"name": "w", "shape": "abc", "dtype": "float32"}, "weight 'w': field 'shape' must be a list of non-negative"),
    ({"name": "w", "shape": [4.7, 8], "dtype": "float32"}, r"field 'shape' .* got \[4.7, 8\]"),
    ({"name": "w", "shape": [True, 4], "dtype": "float32"}, "field 'shape'"),
    ({"name": "w", "shape": [1], "dtype": None}, "field 'dtype'"),
    ({"name": "w", "shape": [1], "dtype": "float32", "quantization": "uint8"}, "field 'quantization' must be"),
    ({"name": "w", "shape": [1], "dtype": "float32", "quantization": {"dtype": "uint8", "min": 0, "scale": None}},
     "field 'quantization.scale' must be a finite number"),
    ({"name": "w", "shape": [1], "dtype": "float32", "quantization": {"dtype": "float16", "original_dtype": 3}},
     "field 'quantization.original_dtype'"),
    ("w", "a weight spec must be an object"),
    ({"shape": [1], "dtype": "float32"}, "weight spec field 'name' must be a non-empty string, got None"),
])
def test_every_spec_field_is_checked(spec, message):
    with pytest.raises(FormatError, match=message):
        tf.io.decode_weights(bytes(8), [spec])
    with pytest.raises(FormatError, match=message):
        tf.io.check_weight_data(bytes(8), [spec])


def test_integral_float_dims_are_accepted():
    out = tf.io.decode_weights(bytes(8), [{"name": "w", "shape": [2.0], "dtype": "float32"}])
    assert out["w"].shape == (2,)


def test_weight_data_that_is_not_bytes():
    with pytest.raises(FormatError, match="Weight data must be a bytes-like buffer or a list of them, got str"):
        tf.io.decode_weights("abcd", [{"name": "w", "shape": [1], "dtype": "float32"}])
    with pytest.raises(FormatError, match="got list"):
        tf.io.decode_weights([b"ab", 3], [])
