"""The converter on inputs from strangers: it checks before it writes, confines the paths a model.json names,
bounds what a .keras archive may inflate to, names the file, layer and weight, and exits non-zero."""

import json
import os
import re
import zipfile

import h5py
import numpy as np
import pytest

import tfjs as tf
from harness import run_async
from tfjs.converter.cli import main as cli_main


@pytest.fixture
def layers_model(tmp_path):
    model = tf.sequential(layers=[tf.layers.dense(units=8, activation="relu", input_shape=[4], name="hidden"),
                                  tf.layers.dense(units=3, name="out")])
    run_async(model.save(f"file://{tmp_path}/tfjs"))
    return tmp_path / "tfjs" / "model.json"


@pytest.fixture
def keras_h5(tmp_path, layers_model):
    path = tmp_path / "model.h5"
    assert cli_main([str(layers_model), str(path), "--input_format", "tfjs_layers_model", "--output_format", "keras",
                     "--no_progress"]) == 0
    return path


def convert(capsys, *args):
    code = cli_main([*map(str, args), "--no_progress"])
    return code, capsys.readouterr().err


def test_a_good_h5_still_converts(capsys, tmp_path, keras_h5):
    code, err = convert(capsys, keras_h5, tmp_path / "out")
    assert code == 0, err
    loaded = run_async(tf.load_layers_model(f"file://{tmp_path}/out/model.json"))
    assert [w.shape for w in loaded.weights] == [(4, 8), (8,), (8, 3), (3,)]


def tamper(path, edit):
    with h5py.File(path, "r+") as f:
        edit(f)


def set_config(f, change):
    config = json.loads(f.attrs["model_config"])
    change(config)
    f.attrs["model_config"] = json.dumps(config)


@pytest.mark.parametrize("case,message", [
    ("wrong shape", r"model.h5: the model config and the weights do not fit: .*'out/kernel'.* \[8, 3\].*\[8, 5\]"),
    ("missing group", r"model.h5: the model config and the weights do not fit: .*2 of 4 weights are not set: "
                      r"out/kernel,out/bias"),
    ("config is a list", r"model.h5: the model config and the weights do not fit: Layers model config must be a "
                         r"JSON object with 'class_name' and 'config', got list"),
    ("units eight", r"model.h5: the model config and the weights do not fit: Layer 'hidden'.*shape \[4, 'eight'\]"),
    ("config not json", r"The HDF5 file's 'model_config' attribute is not valid JSON"),
])
def test_bad_keras_h5_exits_non_zero_and_writes_nothing(capsys, tmp_path, keras_h5, case, message):
    def edit(f):
        if case == "wrong shape":
            del f["model_weights/out/out/kernel:0"]
            f["model_weights/out"].create_dataset("out/kernel:0", data=np.zeros((8, 5), "f4"))
        elif case == "missing group":
            del f["model_weights/out"]
        elif case == "config is a list":
            f.attrs["model_config"] = json.dumps([json.loads(f.attrs["model_config"])])
        elif case == "units eight":
            set_config(f, lambda c: c["config"]["layers"][0]["config"].update(units="eight"))
        else:
            f.attrs["model_config"] = "{not json"

    tamper(keras_h5, edit)
    code, err = convert(capsys, keras_h5, tmp_path / "out")
    assert code == 1
    assert err.startswith("tfjs-convert: error: ")
    import re
    assert re.search(message, err), err
    assert not (tmp_path / "out").exists()


def keras_v3(path, config, weights=b"", weights_size=None, compress=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression=compress) as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.5.0"}))
        z.writestr("config.json", config)
        z.writestr("model.weights.h5", weights)


def test_keras_archive_members_are_bounded(capsys, tmp_path):
    bomb = tmp_path / "bomb.keras"
    keras_v3(bomb, b'{"class_name": "Sequential", "config": {"pad": "' + b" " * (70 << 20) + b'"}}')
    assert os.path.getsize(bomb) < 1 << 20
    code, err = convert(capsys, bomb, tmp_path / "out")
    assert code == 1 and "bomb.keras: config.json would inflate to 73400371 bytes, more than the 67108864" in err
    assert "not valid JSON" not in err
    big_weights = tmp_path / "weights.keras"
    keras_v3(big_weights, b"{}", weights=bytes(80 << 20))
    code, err = convert(capsys, big_weights, tmp_path / "out")
    assert code == 1 and "weights.keras: model.weights.h5 would inflate to 83886080 bytes" in err
    bad_json = tmp_path / "badjson.keras"
    keras_v3(bad_json, b"{oops")
    code, err = convert(capsys, bad_json, tmp_path / "out")
    assert code == 1 and "badjson.keras: config.json is not valid JSON: Expecting property name" in err
    assert not (tmp_path / "out").exists()


def test_a_damaged_hdf5_names_the_file(capsys, tmp_path, keras_h5):
    data = bytearray(keras_h5.read_bytes())
    data[200:4000] = bytes(3800)
    broken = tmp_path / "broken.h5"
    broken.write_bytes(bytes(data))
    code, err = convert(capsys, broken, tmp_path / "out")
    assert code == 1 and "broken.h5" in err


@pytest.mark.parametrize("rel", ["/etc/hostname", "../secret.bin", "link.bin"])
def test_layers_model_input_stays_in_its_folder(capsys, tmp_path, layers_model, rel):
    secret = tmp_path / "secret.bin"
    secret.write_bytes(bytes(range(256)) * 4)
    if rel == "link.bin":
        os.symlink(secret, layers_model.parent / "link.bin")
    model_json = json.loads(layers_model.read_text())
    model_json["weightsManifest"][0]["paths"] = [rel]
    layers_model.write_text(json.dumps(model_json))
    code, err = convert(capsys, layers_model, tmp_path / "out.h5", "--input_format", "tfjs_layers_model",
                        "--output_format", "keras")
    assert code == 1 and re.search(r"weight path '.*' (is absolute|leads outside the model's folder)", err), err
    assert not (tmp_path / "out.h5").exists()


def test_layers_model_input_checked_against_its_config(capsys, tmp_path, layers_model):
    model_json = json.loads(layers_model.read_text())
    model_json["modelTopology"]["config"]["layers"][1]["config"]["units"] = 5
    layers_model.write_text(json.dumps(model_json))
    code, err = convert(capsys, layers_model, tmp_path / "out.h5", "--input_format", "tfjs_layers_model",
                        "--output_format", "keras")
    assert code == 1 and "Layer 'out': weight 'out/kernel' has shape [8, 5] by the layer's config but [8, 3]" in err
    assert not (tmp_path / "out.h5").exists()



def test_an_hdf5_dataset_larger_than_its_file_can_hold_is_not_read(capsys, tmp_path, keras_h5):
    def edit(f):  # 4 GB declared, nothing stored: reading it would allocate it all
        del f["model_weights/out/out/kernel:0"]
        f["model_weights/out"].create_dataset("out/kernel:0", shape=(1 << 15, 1 << 15), dtype="f4")

    tamper(keras_h5, edit)
    code, err = convert(capsys, keras_h5, tmp_path / "out")
    assert code == 1 and re.search(r"HDF5 dataset /model_weights/out/out/kernel:0 \[32768, 32768\] float32 would take "
                                   r"4294967296 bytes: the datasets read from this \d+-byte file would exceed", err), err
    assert not (tmp_path / "out").exists()
