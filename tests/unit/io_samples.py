"""Sample artifacts for the IO tests: weights of every dtype, including quantized entries."""

import numpy as np

import tfjs as tf


def sample_artifacts(seed: int = 0, scale: int = 1) -> tuple[tf.io.ModelArtifacts, dict]:
    """Artifacts with float32, int32, bool, complex64, string and uint8/uint16/float16-quantized weights.

    Returns the artifacts and the values decode_weights must give back.
    """
    rng = np.random.default_rng(seed)
    plain = {
        "dense/kernel": rng.standard_normal((4 * scale, 3)).astype(np.float32),
        "dense/bias": rng.standard_normal(3).astype(np.float32),
        "ids": np.array([[1, -2], [3, 2**31 - 1]], np.int32),
        "mask": np.array([True, False, True]),
        "spectrum": np.array([1 + 2j, -0.5j], np.complex64),
        "vocab": np.array(["", "hello", "Жук", "文字"], dtype=object),
    }
    data, specs = tf.io.encode_weights(plain)
    q8 = np.array([0, 7, 128, 255], np.uint8)
    q16 = np.array([0, 300, 65535], "<u2")
    f16 = np.array([0.25, -2.5, 65504.0], np.float16)
    specs += [
        {"name": "q8", "shape": [4], "dtype": "float32", "quantization": {"dtype": "uint8", "min": -1.0, "scale": 0.01}},
        {"name": "q16", "shape": [3], "dtype": "int32", "quantization": {"dtype": "uint16", "min": -5.0, "scale": 0.5}},
        {"name": "f16", "shape": [3], "dtype": "float32", "quantization": {"dtype": "float16"}},
    ]
    data += q8.tobytes() + q16.tobytes() + f16.tobytes()
    expected = dict(plain)
    expected["vocab"] = np.array([v.encode() for v in plain["vocab"]], dtype=object)
    expected["q8"] = (q8.astype(np.float64) * 0.01 - 1.0).astype(np.float32)
    expected["q16"] = np.floor(q16 * 0.5 - 5.0 + 0.5).astype(np.int32)
    expected["f16"] = f16.astype(np.float32)
    topology = {"class_name": "Sequential", "config": {"name": "s", "layers": []},
                "keras_version": "tfjs-layers 4.22.0", "backend": "tensor_flow.js"}
    artifacts = tf.io.ModelArtifacts(
        model_topology=topology, weight_specs=specs, weight_data=data, format="layers-model",
        generated_by="TensorFlow.js tfjs-layers v4.22.0", converted_by=None,
        user_defined_metadata={"note": "ünïcode"}, training_config={"loss": "meanSquaredError"})
    return artifacts, expected


def assert_weights_equal(decoded: dict, expected: dict) -> None:
    assert list(decoded) == list(expected)
    for name, value in expected.items():
        got = decoded[name]
        assert got.shape == value.shape, name
        if value.dtype == object:
            assert got.tolist() == value.tolist(), name
        else:
            assert got.dtype == value.dtype, name
            np.testing.assert_array_equal(got, value, err_msg=name)
