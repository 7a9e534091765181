"""file:// under CPython: round trip, TF.js's layout, atomic saves, clear errors."""

import json
import os

import numpy as np
import pytest

import tfjs as tf
from harness import run_async
from io_samples import assert_weights_equal, sample_artifacts
from tfjs.errors import FormatError, StorageError, TfjsError


def test_round_trip_keeps_everything(tmp_path):
    artifacts, expected = sample_artifacts()
    result = run_async(tf.io.save(f"file://{tmp_path}/m", artifacts))
    info = result.model_artifacts_info
    assert info.model_topology_type == "JSON" and info.weight_data_bytes == len(artifacts.weight_data)
    assert sorted(os.listdir(tmp_path / "m")) == ["model.json", "weights.bin"]
    model_json = json.loads((tmp_path / "m" / "model.json").read_text())
    assert list(model_json) == ["modelTopology", "format", "generatedBy", "convertedBy", "weightsManifest",
                                "userDefinedMetadata", "trainingConfig"]
    assert model_json["weightsManifest"] == [{"paths": ["weights.bin"], "weights": artifacts.weight_specs}]
    assert (tmp_path / "m" / "weights.bin").read_bytes() == artifacts.weight_data

    loaded = run_async(tf.io.load(f"file://{tmp_path}/m/model.json"))
    assert loaded.model_topology == artifacts.model_topology
    assert loaded.weight_specs == artifacts.weight_specs
    assert (loaded.format, loaded.generated_by, loaded.converted_by) == \
        ("layers-model", "TensorFlow.js tfjs-layers v4.22.0", None)
    assert loaded.user_defined_metadata == {"note": "ünïcode"}
    assert loaded.training_config == {"loss": "meanSquaredError"}
    assert_weights_equal(tf.io.decode_weights(loaded.weight_data, loaded.weight_specs), expected)


def test_shards_load_as_a_list_and_are_written_without_joining(tmp_path):
    artifacts, expected = sample_artifacts()
    data = artifacts.weight_data
    artifacts.weight_data = [data[:10], data[10:50], data[50:]]
    run_async(tf.io.save(f"file://{tmp_path}", artifacts))
    assert (tmp_path / "weights.bin").read_bytes() == data
    # A converter-style model with three shard files.
    manifest = [{"paths": ["group1-shard1of3.bin", "group1-shard2of3.bin", "group1-shard3of3.bin"],
                 "weights": artifacts.weight_specs}]
    model_json = {"modelTopology": artifacts.model_topology, "weightsManifest": manifest}
    (tmp_path / "conv").mkdir()
    (tmp_path / "conv" / "model.json").write_text(json.dumps(model_json))
    for name, part in zip(manifest[0]["paths"], artifacts.weight_data):
        (tmp_path / "conv" / name).write_bytes(part)
    loaded = run_async(tf.io.load(f"file://{tmp_path}/conv/model.json"))
    assert isinstance(loaded.weight_data, list) and [len(s) for s in loaded.weight_data] == [10, 40, len(data) - 50]
    assert_weights_equal(tf.io.decode_weights(loaded.weight_data, loaded.weight_specs), expected)


def test_failed_save_leaves_previous_model_and_no_partial_files(tmp_path, monkeypatch):
    first, expected = sample_artifacts(seed=1)
    run_async(tf.io.save(f"file://{tmp_path}", first))
    before = {p: (tmp_path / p).read_bytes() for p in os.listdir(tmp_path)}

    second, _ = sample_artifacts(seed=2, scale=50)
    real_fsync = os.fsync
    calls = []

    def failing_fsync(fd):
        calls.append(fd)
        if len(calls) == 2:  # after weights.bin was staged, while staging model.json
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(StorageError, match=f"Saving the model to {tmp_path} failed: .*No space left"):
        run_async(tf.io.save(f"file://{tmp_path}", second))
    monkeypatch.undo()
    assert {p: (tmp_path / p).read_bytes() for p in os.listdir(tmp_path)} == before
    loaded = run_async(tf.io.load(f"file://{tmp_path}/model.json"))
    assert_weights_equal(tf.io.decode_weights(loaded.weight_data, loaded.weight_specs), expected)


def test_errors_name_the_path(tmp_path):
    artifacts, _ = sample_artifacts()
    (tmp_path / "afile").write_text("x")
    with pytest.raises(StorageError, match=f"Path {tmp_path}/afile exists as a file"):
        run_async(tf.io.save(f"file://{tmp_path}/afile", artifacts))
    with pytest.raises(StorageError, match=r"model.json does not exist: loading failed"):
        run_async(tf.io.load(f"file://{tmp_path}/nothing/model.json"))
    with pytest.raises(StorageError, match="is a directory"):
        run_async(tf.io.load(f"file://{tmp_path}"))
    run_async(tf.io.save(f"file://{tmp_path}/m", artifacts))
    (tmp_path / "m" / "weights.bin").unlink()
    with pytest.raises(StorageError, match=r"Weight file .*/m/weights.bin does not exist"):
        run_async(tf.io.load(f"file://{tmp_path}/m/model.json"))
    (tmp_path / "m" / "weights.bin").write_bytes(artifacts.weight_data[:-3])
    with pytest.raises(FormatError, match=r"too short for weight 'f16'.*weights.bin"):
        run_async(tf.io.load(f"file://{tmp_path}/m/model.json"))
    (tmp_path / "m" / "model.json").write_text("{not json")
    with pytest.raises(FormatError, match="Failed to parse .*model.json as JSON"):
        run_async(tf.io.load(f"file://{tmp_path}/m/model.json"))


def test_router_and_handler_resolution():
    assert len(tf.io.get_save_handlers("file:///tmp/x")) == 1
    assert tf.io.get_load_handlers("nope://x") == []
    with pytest.raises(TfjsError, match="Cannot find any save handlers for URL 'nope://x'"):
        run_async(tf.io.save("nope://x", sample_artifacts()[0]))
    with pytest.raises(TfjsError, match="does not have the `load` method"):
        run_async(tf.io.load(object()))


def test_several_handlers_for_one_url_is_an_error():
    tf.io.register_load_router(lambda url, **o: tf.io.from_memory({}) if url == "twice://x" else None)
    tf.io.register_load_router(lambda url, **o: tf.io.from_memory({}) if url == "twice://x" else None)
    with pytest.raises(TfjsError, match=r"Found more than one \(2\) load handlers for URL 'twice://x'"):
        run_async(tf.io.load("twice://x"))


def test_custom_handlers_and_passthrough():
    artifacts, expected = sample_artifacts()
    saved = []

    class MyHandler:  # any object with async save/load is an IO handler
        async def save(self, a):
            saved.append(a)
            return tf.io.SaveResult(model_artifacts_info=tf.io.artifacts_info(a))

        async def load(self):
            return saved[-1]

    handler = MyHandler()
    result = run_async(tf.io.save(handler, artifacts))
    assert result.model_artifacts_info.weight_data_bytes == len(artifacts.weight_data)
    assert run_async(tf.io.load(handler)) is artifacts
    assert run_async(tf.io.load(tf.io.from_memory(artifacts))) is artifacts
    result = run_async(tf.io.save(tf.io.with_save_handler(lambda a: saved.append(("fn", a))), artifacts))
    assert saved[-1] == ("fn", artifacts) and result.model_artifacts_info.weight_specs_bytes > 0

    async def async_saver(a):
        return tf.io.SaveResult(model_artifacts_info=tf.io.artifacts_info(a), responses=["ok"])

    assert run_async(tf.io.save(tf.io.with_save_handler(async_saver), artifacts)).responses == ["ok"]


def test_artifacts_info_counts_like_tfjs():
    artifacts, _ = sample_artifacts()
    info = tf.io.artifacts_info(artifacts)
    from tfjs.io import jsjson

    assert info.model_topology_bytes == len(jsjson.stringify(artifacts.model_topology).encode())
    assert info.weight_specs_bytes == len(jsjson.stringify(artifacts.weight_specs).encode())
    assert info.weight_data_bytes == len(artifacts.weight_data)
    empty = tf.io.artifacts_info(tf.io.ModelArtifacts(model_topology={"a": 1}))
    assert (empty.weight_specs_bytes, empty.weight_data_bytes) == (0, 0)
    np.testing.assert_equal(info.date_saved.tzinfo is not None, True)
