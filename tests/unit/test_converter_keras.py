"""The converter's Keras paths against the official tensorflowjs_converter 4.22 (run in its own virtual
environment, tests/fixtures/reference_env.py; models built by Keras from PyPI, cached on disk).

Same model.json modulo convertedBy, byte-identical shards (quantized ones included), predictions equal to
Keras's, the pyfive reader giving the same bytes as h5py, round trips back to Keras files Keras loads.
"""

from __future__ import annotations

import filecmp
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))

import conv_support  # noqa: E402
import reference_env  # noqa: E402
from harness import run_async  # noqa: E402

import tfjs  # noqa: E402
from tfjs.converter import ConverterError, convert  # noqa: E402

pytestmark = pytest.mark.needs_tf

K2 = ["mlp", "cnn", "functional", "rnn", "nested"]
K3 = ["k3_mlp", "k3_cnn", "k3_functional", "k3_rnn"]
QUANT = ["--quantize_uint8=conv2d*", "--quantize_float16=dense*", "--quantize_uint16", "--output_format=tfjs_layers_model"]


@pytest.fixture(scope="module")
def k2():
    return conv_support.keras_models("keras2")


@pytest.fixture(scope="module")
def k3():
    return conv_support.keras_models("keras3")


@pytest.fixture(scope="module")
def reference(k2, k3):
    cases = [(n, ["--input_format=keras"], k2 / f"{n}.h5") for n in K2]
    cases += [("cnn_split", ["--input_format=keras", "--split_weights_by_layer", "--weight_shard_size_bytes=1000"],
               k2 / "cnn.h5"),
              ("cnn_quant", ["--input_format=keras", *QUANT], k2 / "cnn.h5"),
              ("rnn_uint8", ["--input_format=keras", "--quantize_uint8=*"], k2 / "rnn.h5")]
    cases += [(n, ["--input_format=keras_keras", "--output_format=tfjs_layers_model"], k3 / f"{n}.keras") for n in K3]
    return conv_support.official(cases)


def assert_same_as_official(ref: Path, ours: Path, quantized_close: bool = False):
    a = json.loads((ref / "model.json").read_text())
    b = json.loads((ours / "model.json").read_text())
    assert a.pop("convertedBy").startswith("TensorFlow.js Converter")
    assert b.pop("convertedBy").startswith("TensorFlow.js Converter")
    assert a == b
    assert sorted(os.listdir(ref)) == sorted(os.listdir(ours))
    for name in os.listdir(ref):
        if name.endswith(".bin"):
            assert filecmp.cmp(ref / name, ours / name, shallow=False), name


@pytest.mark.parametrize("name", K2)
def test_keras2_h5_same_as_official(name, k2, reference, tmp_path):
    out = tmp_path / name
    convert(k2 / f"{name}.h5", out, log=None)
    assert_same_as_official(reference[name], out)


@pytest.mark.parametrize("name", K3)
def test_keras3_keras_same_as_official(name, k3, reference, tmp_path):
    out = tmp_path / name
    convert(k3 / f"{name}.keras", out, log=None)  # detected: keras_keras -> tfjs_layers_model
    assert_same_as_official(reference[name], out)


def test_split_and_shard_size_same_as_official(k2, reference, tmp_path):
    out = tmp_path / "split"
    convert(k2 / "cnn.h5", out, input_format="keras", split_weights_by_layer=True, weight_shard_size_bytes=1000,
            log=None)
    assert_same_as_official(reference["cnn_split"], out)
    sizes = [(out / p).stat().st_size for g in json.loads((out / "model.json").read_text())["weightsManifest"]
             for p in g["paths"]]
    assert max(sizes) == 1000


def test_quantized_same_as_official(k2, reference, tmp_path):
    out = tmp_path / "q"
    messages = []
    convert(k2 / "cnn.h5", out, quantize_uint8="conv2d*", quantize_float16="dense*", quantize_uint16=True,
            log=messages.append)
    assert_same_as_official(reference["cnn_quant"], out)
    assert any("largest absolute error" in m for m in messages)
    out2 = tmp_path / "q8"
    convert(k2 / "rnn.h5", out2, quantize_uint8="*", log=None)
    assert_same_as_official(reference["rnn_uint8"], out2)


def test_quantized_values_within_resolution(k2, tmp_path):
    plain, q = tmp_path / "plain", tmp_path / "q"
    convert(k2 / "cnn.h5", plain, log=None)
    convert(k2 / "cnn.h5", q, quantize_uint8="conv2d*", quantize_float16="dense*", quantize_uint16=True, log=None)

    def weights(d):
        mj = json.loads((d / "model.json").read_text())
        specs = [w for g in mj["weightsManifest"] for w in g["weights"]]
        shards = [(d / p).read_bytes() for g in mj["weightsManifest"] for p in g["paths"]]
        return specs, tfjs.io.decode_weights(shards, specs)

    specs, got = weights(q)
    _, want = weights(plain)
    for spec in specs:
        quant = spec.get("quantization")
        assert quant is not None, spec["name"]
        tol = quant["scale"] / 2 + 1e-7 if "scale" in quant else np.abs(want[spec["name"]]).max() * 2 ** -11 + 1e-7
        assert np.max(np.abs(got[spec["name"]] - want[spec["name"]])) <= tol, spec["name"]


@pytest.mark.parametrize("name", K2 + K3)
def test_converted_predicts_like_keras(name, k2, k3, tmp_path):
    src = k2 / f"{name}.h5" if name in K2 else k3 / f"{name}.keras"
    out = tmp_path / name
    convert(src, out, log=None)
    data = np.load((k2 if name in K2 else k3) / f"{name}.npz")
    xs = [data[f"x{i}"] for i in range(sum(f.startswith("x") for f in data.files))]
    ys = [data[f"y{i}"] for i in range(sum(f.startswith("y") for f in data.files))]
    model = run_async(tfjs.load_layers_model(f"file://{out / 'model.json'}"))
    got = model.predict(xs if len(xs) > 1 else xs[0])
    got = got if isinstance(got, list) else [got]
    for g, y in zip(got, ys):
        np.testing.assert_allclose(np.asarray(g), y, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["cnn", "rnn", "k3_rnn"])
def test_pyfive_reader_gives_the_same_bytes(name, k2, k3, tmp_path):
    src = k2 / f"{name}.h5" if name in K2 else k3 / f"{name}.keras"
    a, b = tmp_path / "h5py", tmp_path / "pyfive"
    convert(src, a, hdf5_backend="h5py", log=None)
    convert(src, b, hdf5_backend="pyfive", log=None)
    assert (a / "model.json").read_bytes() == (b / "model.json").read_bytes()
    assert (a / "group1-shard1of1.bin").read_bytes() == (b / "group1-shard1of1.bin").read_bytes()


def test_weights_only_h5(k2, tmp_path):
    # The official converter 4.22 fails on tf_keras 2.19's save_weights files (no keras_version attribute).
    out = tmp_path / "w"
    convert(k2 / "cnn_weights.h5", out, log=None)
    mj = json.loads((out / "model.json").read_text())
    assert mj["modelTopology"] is None and mj["generatedBy"] is None
    full = tmp_path / "full"
    convert(k2 / "cnn.h5", full, log=None)
    full_specs = json.loads((full / "model.json").read_text())["weightsManifest"][0]["weights"]
    assert sorted(w["name"] for w in mj["weightsManifest"][0]["weights"]) == sorted(w["name"] for w in full_specs)


def test_roundtrip_keras_h5_and_keras_v3(k2, k3, tmp_path):
    for name in K2:
        convert(k2 / f"{name}.h5", tmp_path / name, log=None)
        convert(tmp_path / name / "model.json", tmp_path / f"{name}.h5", input_format="tfjs_layers_model", log=None)
    for name in K3:
        convert(k3 / f"{name}.keras", tmp_path / name, log=None)
        convert(tmp_path / name / "model.json", tmp_path / f"{name}.keras", input_format="tfjs_layers_model",
                output_format="keras_keras", log=None)
    check = """
import sys, numpy as np
import {mod} as k
for n in sys.argv[2:]:
    a = k.models.load_model(f"{{sys.argv[1]}}/{{n}}", compile=False)
    b = k.models.load_model(f"{tmp}/{{n}}", compile=False)
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb) and all(np.array_equal(x, y) for x, y in zip(wa, wb)), n
print("ok")
"""
    r = reference_env.run_in("tfjs", ["-c", check.format(mod="tf_keras", tmp=tmp_path), k2] + [f"{n}.h5" for n in K2])
    assert r.stdout.strip().endswith("ok")
    r = reference_env.run_in("tf", ["-c", check.format(mod="keras", tmp=tmp_path), k3] + [f"{n}.keras" for n in K3])
    assert r.stdout.strip().endswith("ok")


def test_reshard_and_requantize_layers_model(k2, tmp_path):
    convert(k2 / "cnn.h5", tmp_path / "a", log=None)
    convert(tmp_path / "a" / "model.json", tmp_path / "b", input_format="tfjs_layers_model",
            output_format="tfjs_layers_model", weight_shard_size_bytes=2048, quantize_uint16=True, log=None)
    total = sum(p.stat().st_size for p in (tmp_path / "a").glob("*.bin"))
    files = sorted((tmp_path / "b").glob("*.bin"))
    assert sum(p.stat().st_size for p in files) == total // 2
    assert all(p.stat().st_size == 2048 for p in files[:-1])
    model = run_async(tfjs.load_layers_model(f"file://{tmp_path / 'b' / 'model.json'}"))
    assert len(model.weights) > 0


def test_failed_conversion_leaves_nothing(tmp_path):
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    with pytest.raises(Exception):
        convert(bad, tmp_path / "out", log=None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.h5"]


def test_errors_name_the_path_and_flag(k2, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConverterError, match="already exists as a file"):
        convert(k2 / "mlp.h5", tmp_path / "file", log=None)
    with pytest.raises(ConverterError, match="Nonexistent path to HDF5 file"):
        convert(tmp_path / "missing.h5", tmp_path / "o", input_format="keras", log=None)
    with pytest.raises(ConverterError, match="signature_name flag is applicable only"):
        convert(k2 / "mlp.h5", tmp_path / "o", signature_name="x", log=None)
    with pytest.raises(ConverterError, match="weight_shard_size_bytes"):
        convert(k2 / "mlp.h5", tmp_path / "o", weight_shard_size_bytes=0, log=None)
    with pytest.raises(ConverterError, match="input path should be a model.json file"):
        convert(tmp_path, tmp_path / "m.h5", input_format="tfjs_layers_model", log=None)
    with pytest.raises(ConverterError, match="Unsupported input_format - output_format pair"):
        convert(k2 / "mlp.h5", tmp_path / "o", input_format="keras", output_format="keras", log=None)


def test_cli(k2, tmp_path):
    import subprocess

    py = sys.executable
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "py"))
    r = subprocess.run([py, "-m", "tfjs.converter", "--input_format=bogus", "a", "b"], capture_output=True,
                       text=True, env=env)
    assert r.returncode != 0 and "--input_format" in r.stderr
    r = subprocess.run([py, "-m", "tfjs.converter"], capture_output=True, text=True, env=env)
    assert r.returncode != 0 and "input_path" in r.stderr
    r = subprocess.run([py, "-m", "tfjs.converter", "--version"], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and "tfjs-convert" in r.stdout
    r = subprocess.run([py, "-m", "tfjs.converter", "--quantize_uint8", "dense*", str(k2 / "mlp.h5"),
                        str(tmp_path / "cli")], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    mj = json.loads((tmp_path / "cli" / "model.json").read_text())
    assert all(w["quantization"]["dtype"] == "uint8" for w in mj["weightsManifest"][0]["weights"]
               if w["name"].startswith("dense"))
    r = subprocess.run([py, "-m", "tfjs.converter", str(tmp_path / "nowhere.h5"), str(tmp_path / "x")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 1 and "nowhere.h5" in r.stderr


def test_metadata(k2, tmp_path):
    meta = tmp_path / "meta.json"
    meta.write_text('{"a": 1}')
    convert(k2 / "mlp.h5", tmp_path / "o", metadata=f"key:{meta}", log=None)
    mj = json.loads((tmp_path / "o" / "model.json").read_text())
    assert mj["userDefinedMetadata"] == {"key": {"a": 1}}
    assert list(mj)[:4] == ["format", "generatedBy", "convertedBy", "userDefinedMetadata"]
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ConverterError, match="cannot read valid JSON content from"):
        convert(k2 / "mlp.h5", tmp_path / "o2", metadata=f"key:{tmp_path / 'bad.json'}", log=None)


class _Terminal:
    """A stream that says it is a terminal (what the progress display shows on by default)."""

    def __init__(self):
        self.parts = []

    def isatty(self):
        return True

    def write(self, text):
        self.parts.append(text)

    def flush(self):
        pass

    @property
    def text(self):
        return "".join(self.parts)


def test_progress_display_on_a_terminal(k2, tmp_path, monkeypatch):
    import re

    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    out = tmp_path / "o"
    convert(k2 / "cnn.h5", out, weight_shard_size_bytes=1000, log=None)  # progress=None: on, stderr is a tty
    text = term.text
    n_shards = len(json.loads((out / "model.json").read_text())["weightsManifest"][0]["paths"])
    assert n_shards > 3
    # one self-updating line: carriage return, the stage, a bar, erase to the end of the line
    assert text.startswith("\r[tfjs-convert] reading the Keras file ")
    lines = text.split("\r")[1:]
    assert all(line.endswith("\x1b[K") or line.endswith("\n") for line in lines)
    bars = [re.match(r"\[tfjs-convert\] writing weights \[([#.]{24})\] (\d+)/(\d+) +\d+\.\ds\x1b\[K", line)
            for line in lines[1:]]
    assert bars and all(bars), lines
    total = int(bars[-1].group(3))
    assert bars[-1].group(1) == "#" * 24 and int(bars[-1].group(2)) == total
    # the last line closes the bar and names the output directory
    assert re.search(rf"\x1b\[K\n\[tfjs-convert\] wrote {re.escape(str(out))} \(\d+\.\ds\)\n$", text)
    # --no_progress / progress=False: silent on the terminal too; a stream that is no terminal: silent by default
    term2 = _Terminal()
    monkeypatch.setattr(sys, "stderr", term2)
    convert(k2 / "cnn.h5", tmp_path / "o2", progress=False, log=None)
    assert term2.text == ""


def test_progress_display_forced_on_without_terminal(k2, tmp_path, capsys):
    convert(k2 / "mlp.h5", tmp_path / "quiet", log=None)
    assert capsys.readouterr().err == ""
    convert(k2 / "mlp.h5", tmp_path / "o", progress=True, log=None)
    err = capsys.readouterr().err
    lines = err.splitlines()
    # no terminal: whole lines, no carriage returns or escapes
    assert "\r" not in err and "\x1b" not in err
    assert lines[0].startswith("[tfjs-convert] reading the Keras file")
    assert any(line.startswith("[tfjs-convert] writing weights [" + "#" * 24 + "]") for line in lines)
    assert lines[-1].startswith(f"[tfjs-convert] wrote {tmp_path / 'o'} (")
