"""file:// loads from strangers' folders: manifest paths stay inside the folder, sizes are bounded before reading,
and a directory, device or pipe where a file belongs says so."""

import json
import os
import tracemalloc

import pytest

import tfjs as tf
from harness import run_async
from io_samples import assert_weights_equal, sample_artifacts
from tfjs.errors import FormatError, StorageError

SPECS = [{"name": "w", "shape": [58], "dtype": "float32", "quantization": {"dtype": "uint8", "min": 0, "scale": 1}}]


def write_model(folder, paths, specs=SPECS, topology=None):
    folder.mkdir(parents=True, exist_ok=True)
    model_json = {"modelTopology": topology or {"class_name": "Sequential"},
                  "weightsManifest": [{"paths": paths, "weights": specs}]}
    (folder / "model.json").write_text(json.dumps(model_json))
    return f"file://{folder}/model.json"


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_bytes(b"s3cr3t" * 10)  # 60 bytes: uint8 weights of 58 would read it as a "too long" shard
    return path


@pytest.mark.parametrize("kind", ["absolute", "dotdot", "deep-dotdot", "symlink", "symlinked-dir", "file-url"])
def test_manifest_paths_stay_inside_the_folder(tmp_path, secret, monkeypatch, kind):
    folder = tmp_path / "models" / "m"
    folder.mkdir(parents=True)
    rel = {"absolute": str(secret), "dotdot": "../../secret.txt", "deep-dotdot": "a/../../../secret.txt",
           "symlink": "link.bin", "symlinked-dir": "sub/secret.txt", "file-url": f"file://{secret}"}[kind]
    if kind == "symlink":
        os.symlink(secret, folder / "link.bin")
    if kind == "symlinked-dir":
        os.symlink(tmp_path, folder / "sub")
    url = write_model(folder, [rel])
    opened = []
    real_open = open

    def recording_open(file, *args, **kwargs):
        opened.append(os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", recording_open)
    with pytest.raises(FormatError, match=r"weight path '.*' (is absolute|leads outside the model's folder)") as e:
        run_async(tf.io.load(url))
    monkeypatch.undo()
    assert repr(rel)[:60].strip("'") in str(e.value)
    assert str(secret) not in opened and not any("secret" in p for p in opened)
    assert "60" not in str(e.value)  # nothing about the outside file, not even its size


def test_paths_inside_the_folder_still_load(tmp_path):
    artifacts, expected = sample_artifacts()
    folder = tmp_path / "m"
    (folder / "shards").mkdir(parents=True)
    data = artifacts.weight_data
    (folder / "shards" / "a.bin").write_bytes(data[:40])
    (folder / "b.bin").write_bytes(data[40:])
    url = write_model(folder, ["./shards/a.bin", "shards/../b.bin"], artifacts.weight_specs)
    loaded = run_async(tf.io.load(url))
    assert_weights_equal(tf.io.decode_weights(loaded.weight_data, loaded.weight_specs), expected)


def test_directory_device_and_pipe_say_what_they_are(tmp_path):
    folder = tmp_path / "m"
    (folder / "adir").mkdir(parents=True)
    with pytest.raises(StorageError, match=r"Weight file .*/m/adir is a directory, not a file"):
        run_async(tf.io.load(write_model(folder, ["adir"])))
    os.symlink("/dev/zero", folder / "zero.bin")  # a link to a device: outside the folder
    with pytest.raises(FormatError, match="leads outside the model's folder"):
        run_async(tf.io.load(write_model(folder, ["zero.bin"])))
    os.mkfifo(folder / "pipe.bin")  # would block a plain open() forever
    with pytest.raises(StorageError, match=r"Weight file .*/m/pipe.bin is a pipe, not a regular file"):
        run_async(tf.io.load(write_model(folder, ["pipe.bin"])))
    with pytest.raises(StorageError, match=r"Path /dev/zero is a device, not a regular file"):
        run_async(tf.io.load("file:///dev/zero"))
    os.mkfifo(tmp_path / "model.json")
    with pytest.raises(StorageError, match=r"model.json is a pipe, not a regular file"):
        run_async(tf.io.load(f"file://{tmp_path}/model.json"))
    with pytest.raises(StorageError, match=r"Weight file .*/m/gone.bin does not exist"):
        run_async(tf.io.load(write_model(folder, ["gone.bin"])))


def test_model_json_size_cap_is_checked_before_reading(tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    with open(folder / "model.json", "w") as f:  # 70 MB of valid JSON
        f.write('{"modelTopology": {"pad": "')
        f.truncate(70 << 20)
        f.seek(70 << 20)
        f.write('"}}')
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match=r"model.json is larger than the model.json limit: 73400323 bytes, "
                                              r"at most 67108864 bytes are read \(raise max_model_json_bytes"):
            run_async(tf.io.load(f"file://{folder}/model.json"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 << 20  # one read chunk (1 MiB) at most
    small = tmp_path / "small"
    write_model(small, [], [])
    with pytest.raises(FormatError, match="larger than the model.json limit"):
        run_async(tf.io.load(f"file://{small}/model.json", max_model_json_bytes=10))
    assert run_async(tf.io.load(f"file://{small}/model.json", max_model_json_bytes=1000)).weight_specs == []
    with pytest.raises(FormatError, match="max_model_json_bytes must be a positive number, got -1"):
        run_async(tf.io.load(f"file://{small}/model.json", max_model_json_bytes=-1))


def test_a_shard_longer_than_declared_is_refused_before_it_is_read(tmp_path):
    folder = tmp_path / "m"
    url = write_model(folder, ["w.bin"])
    with open(folder / "w.bin", "wb") as f:
        f.truncate(200 << 20)  # 200 MB (sparse) for 58 declared bytes
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match=r"too long: the weight files of .* hold 209715200 bytes "
                                              r"\(w.bin: 209715200\) but the manifest's 1 weights take 58 bytes"):
            run_async(tf.io.load(url))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 << 20  # one read chunk (1 MiB) at most


@pytest.mark.parametrize("spec,field", [
    ({"name": "w", "shape": "abc", "dtype": "float32"}, "shape"),
    ({"name": "w", "shape": None, "dtype": "float32"}, "shape"),
    ({"name": "w", "shape": [True, 4], "dtype": "float32"}, "shape"),
    ({"name": "w", "shape": [4.7, 8], "dtype": "float32"}, "shape"),
    ({"name": "w", "shape": [-1], "dtype": "float32"}, "shape"),
    ({"name": "w", "shape": [2], "dtype": "float32", "quantization": "uint8"}, "quantization"),
    ({"name": "w", "shape": [2], "dtype": "float32", "quantization": {"dtype": "uint8", "min": "0", "scale": 1}},
     "quantization.min"),
    ({"name": "w", "shape": [2], "dtype": 7}, "dtype"),
    ({"name": 7, "shape": [2], "dtype": "float32"}, "name"),
])
def test_malformed_specs_name_the_weight_and_field(tmp_path, spec, field):
    url = write_model(tmp_path / "m", ["w.bin"], [spec])
    (tmp_path / "m" / "w.bin").write_bytes(bytes(8))
    with pytest.raises(FormatError, match=rf"model.json: weightsManifest\[0\].weights\[0\]: "
                                          rf"(weight 'w': field '{field}'|weight spec field '{field}'|Weight w)"):
        run_async(tf.io.load(url))


def test_an_entry_that_is_not_a_spec_or_a_path(tmp_path):
    url = write_model(tmp_path / "m", ["w.bin"], ["dense/kernel"])
    with pytest.raises(FormatError, match=r"weights\[0\]: a weight spec must be an object .* got str 'dense/kernel'"):
        run_async(tf.io.load(url))
    url = write_model(tmp_path / "n", [3], SPECS)
    with pytest.raises(FormatError, match=r"weightsManifest\[0\].paths\[0\] must be a non-empty string, got 3"):
        run_async(tf.io.load(url))
