"""Under CPython: the browser-only schemes say so clearly; what needs no browser (routing, browser_files from
(name, bytes) pairs, model-management argument checks, base64 of shards) works."""

import base64
import json
import os

import numpy as np
import pytest

import tfjs as tf
from harness import run_async
from tfjs.errors import BrowserOnlyError, FormatError, StorageError
from tfjs.io.browser_files import basename
from tfjs.io import local_storage, model_management

ART = tf.io.ModelArtifacts(model_topology={"a": 1}, weight_specs=[], weight_data=b"")


@pytest.mark.parametrize("call, scheme", [
    (lambda: tf.io.save("localstorage://m", ART), "localstorage://"),
    (lambda: tf.io.load("localstorage://m"), "localstorage://"),
    (lambda: tf.io.save("indexeddb://m", ART), "indexeddb://"),
    (lambda: tf.io.load("indexeddb://m"), "indexeddb://"),
    (lambda: tf.io.save("downloads://m", ART), "downloads://"),
    (lambda: tf.io.list_models(), "localstorage://"),
    (lambda: tf.io.remove_model("indexeddb://m"), "indexeddb://"),
    (lambda: tf.io.copy_model("localstorage://a", "indexeddb://b"), "localstorage://"),
    (lambda: tf.io.move_model("indexeddb://a", "localstorage://b"), "indexeddb://"),
])
def test_browser_only_schemes_raise_a_clear_error(call, scheme):
    with pytest.raises(BrowserOnlyError) as info:
        run_async(call())
    assert str(info.value).startswith(f"{scheme} is only available in a web browser (Pyodide in a page); "
                                      f"this is CPython ")


def test_routers_match_under_cpython_so_the_error_is_clear():
    assert [type(h).__name__ for h in tf.io.get_save_handlers("localstorage://m")] == ["BrowserLocalStorage"]
    assert [type(h).__name__ for h in tf.io.get_load_handlers("indexeddb://m")] == ["BrowserIndexedDB"]
    assert [type(h).__name__ for h in tf.io.get_save_handlers("downloads://m")] == ["BrowserDownloads"]
    assert tf.io.get_load_handlers("downloads://m") == []
    for url in ["xlocalstorage://m", "indexeddb:/m", "LOCALSTORAGE://m", ["localstorage://m"]]:
        assert tf.io.get_save_handlers(url) == []


def test_handler_factories_and_their_argument_checks():
    assert tf.io.browser_local_storage("a/b").keys["weight_data"] == "tensorflowjs_models/a/b/weight_data"
    assert tf.io.browser_indexed_db("a").model_path == "a"
    with pytest.raises(StorageError, match="^For local storage, modelPath must not be null, undefined or empty.$"):
        tf.io.browser_local_storage("")
    with pytest.raises(StorageError, match="^For IndexedDB, modelPath must not be null, undefined or empty.$"):
        tf.io.browser_indexed_db(None)
    for arg, names in [((), ("model.json", "model.weights.bin")), (("",), ("model.json", "model.weights.bin")),
                       (("downloads://x",), ("x.json", "x.weights.bin")), (("my",), ("my.json", "my.weights.bin"))]:
        handler = tf.io.browser_downloads(*arg)
        assert (handler.model_json_file_name, handler.weight_data_file_name) == names


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 17, 100])
def test_base64_of_shards_in_chunks(monkeypatch, size):
    monkeypatch.setattr(local_storage, "_B64_CHUNK", 6)
    data = os.urandom(size)
    expected = base64.b64encode(data)
    for cuts in [(), (1,), (2, 3), (0, 1, 2, size), (size // 2,), (1, 4, 11)]:
        cuts = sorted(c for c in cuts if c <= size)
        shards = [data[a:b] for a, b in zip([0, *cuts], [*cuts, size])]
        assert local_storage.base64_of(shards) == expected, cuts
    assert local_storage.base64_of(np.frombuffer(data, np.uint8)) == expected


def test_metadata_keeps_converted_by_null_only_for_a_models_save():
    assert local_storage.metadata_json(tf.io.ModelArtifacts(model_topology={})) == {}
    assert local_storage.metadata_json(tf.io.ModelArtifacts(format="layers-model", generated_by="g")) == {
        "format": "layers-model", "generatedBy": "g", "convertedBy": None}
    assert local_storage.metadata_json(tf.io.ModelArtifacts(
        converted_by="c", training_config={"loss": "mse"}, initializer_signature=None)) == {
        "convertedBy": "c", "trainingConfig": {"loss": "mse"}}


# --------------------------------------------------------------------------------------------------
# browser_files with (name, bytes) pairs: no browser needed


def _model_files():
    data, specs = tf.io.encode_weights({"a": np.arange(6, dtype=np.float32), "b": np.array([7, 8], np.int32)})
    model_json = {"modelTopology": {"k": 1}, "format": "layers-model",
                  "weightsManifest": [{"paths": ["./d/s1.bin"], "weights": specs[:1]},
                                      {"paths": ["s2a.bin", "s2b.bin"], "weights": specs[1:]}]}
    return {"model.json": json.dumps(model_json).encode(), "s1.bin": data[:24], "s2a.bin": data[24:27],
            "s2b.bin": data[27:]}


def _load(pairs):
    return run_async(tf.io.load(tf.io.browser_files(pairs)))


def test_browser_files_finds_the_json_and_orders_the_shards_whatever_the_order():
    files = _model_files()
    for order in [list(files), list(reversed(files)), ["s2b.bin", "model.json", "s1.bin", "s2a.bin"]]:
        artifacts = _load([(name, files[name]) for name in order])
        assert [bytes(s) for s in artifacts.weight_data] == [files["s1.bin"], files["s2a.bin"], files["s2b.bin"]]
        values = tf.io.decode_weights(artifacts.weight_data, artifacts.weight_specs)
        assert values["a"].tolist() == [0, 1, 2, 3, 4, 5] and values["b"].tolist() == [7, 8]
        assert artifacts.format == "layers-model"


@pytest.mark.parametrize("change, message", [
    (lambda f: f.pop("s2a.bin"), "Weight file with basename 's2a.bin' is not provided. Weight files provided: "
                                 "'s1.bin', 's2b.bin'."),
    (lambda f: f.update({"x.bin": b"1"}), "Mismatch in the number of files in weights manifest (3) and the number "
                                          "of weight files provided (4). Not in the manifest: 'x.bin'."),
    (lambda f: f.update({"model.json": b"{oops"}), "Failed to parse file model.json: "),
    (lambda f: f.update({"model.json": b"[1]"}), "modelTopology field is missing from file model.json"),
    (lambda f: f.update({"model.json": b'{"modelTopology": {}}'}), "weightManifest field is missing from file "
                                                                   "model.json"),
    (lambda f: f.update({"other.json": f["model.json"]}), "browserFiles loads one model, but 2 of the 2 JSON files "
                                                          "given (model.json, other.json) are model JSON files"),
    (lambda f: f.update({"s2b.bin": b"12"}), "Weight data is too short for weight 'b'"),
])
def test_browser_files_names_what_is_wrong(change, message):
    files = _model_files()
    change(files)
    with pytest.raises(FormatError) as info:
        _load(list(files.items()))
    assert str(info.value).startswith(message)


def test_browser_files_duplicates_and_empty():
    files = _model_files()
    pairs = list(files.items()) + [("s1.bin", b"again")]
    with pytest.raises(FormatError, match=r"provided \(4\)\. Given more than once: 's1.bin'\.$"):
        _load(pairs)
    manifest = {"modelTopology": {}, "weightsManifest": [{"paths": ["a/w.bin", "b/w.bin"], "weights": []}]}
    with pytest.raises(FormatError, match="^Duplicate file basename found in weights manifest: 'w.bin'$"):
        _load([("model.json", json.dumps(manifest).encode()), ("w.bin", b"")])
    with pytest.raises(FormatError, match="^When calling browserFiles, at least 1 file is required, but received"):
        tf.io.browser_files([])
    with pytest.raises(TypeError, match="JS File objects or \\(name, bytes\\) pairs"):
        tf.io.browser_files([42])
    only_json = _load([("model.json", files["model.json"])])
    assert (only_json.model_topology, only_json.weight_specs, only_json.weight_data) == ({"k": 1}, None, None)


def test_basename_as_tfjs():
    assert [basename(p) for p in ["foo.txt", "qux/My Model.json", "/foo/bar/baz", "/foo/bar/baz/",
                                     "/foo/bar/baz//", " a/b.bin "]] == [
        "foo.txt", "My Model.json", "baz", "baz", "baz", "b.bin"]


# --------------------------------------------------------------------------------------------------
# Model management: what is checked before any storage is touched


@pytest.mark.parametrize("call, message", [
    (lambda: tf.io.copy_model("a/1", "a/1"), "Old path and new path are the same: 'a/1'"),
    (lambda: tf.io.move_model("invalidurl", "localstorage://x"),
     "Copying failed because no load handler is found for source URL invalidurl."),
    (lambda: tf.io.copy_model("localstorage://x", "invalidurl"),
     "Copying failed because no save handler is found for destination URL invalidurl."),
    (lambda: tf.io.remove_model("foo"),
     "The url string provided does not contain a scheme. Supported schemes are: localstorage,indexeddb"),
    (lambda: tf.io.remove_model("invalidscheme://foo"), "Cannot find model manager for scheme 'invalidscheme'"),
])
def test_management_errors_with_tfjs_texts(call, message):
    with pytest.raises(StorageError) as info:
        run_async(call())
    assert str(info.value) == message


def test_manager_registry():
    assert model_management.get_schemes()[:2] == ["localstorage", "indexeddb"]
    with pytest.raises(StorageError, match="^A model store manager is already registered for scheme 'indexeddb'.$"):
        model_management.register_manager("indexeddb://", object())
    with pytest.raises(StorageError, match="^scheme must not be an empty string.$"):
        model_management.register_manager("://", object())
    assert model_management.parse_url("indexeddb://a://b") == ("indexeddb", "a://b")
