"""tfjs_layers_model (model.json + shards) -> keras (.h5), keras_keras (.keras), tfjs_layers_model (re-shard,
re-quantize). Writing HDF5 needs h5py (CPython)."""

from __future__ import annotations

import datetime as _dt
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FormatError, StorageError
from ..io.limits import LoadLimits
from ..io.model_files import read_model_json, read_weight_files
from ..io.weights import decode_weights
from .check_layers import check_layers_model
from .progress import Progress
from .write import DEFAULT_SHARD_SIZE, ConverterError, atomic_file, write_layers_artifacts

_RNN = {"LSTM", "GRU", "SimpleRNN", "RNN", "ConvLSTM2D"}
_MODELS = {"Sequential", "Functional", "Model"}


def read_layers_model(path: str, output_format: str) -> tuple[dict, list[tuple[str, np.ndarray]]]:
    """(model.json, [(name, array)] in manifest order) of a layers model.json file.

    The manifest's paths stay inside the model.json's folder and the files are read within the sizes the
    manifest declares (:mod:`tfjs.io.model_files`)."""
    p = Path(path)
    pre = f"For input_type=tfjs_layers_model & output_format={output_format}, "
    if p.is_dir():
        raise ConverterError(pre + "the input path should be a model.json file, but received a directory.")
    if not p.exists():
        raise ConverterError(pre + f"the input path does not exist: {path}")
    limits = LoadLimits()
    try:
        model_json = read_model_json(p, limits)
    except FormatError as e:
        if "larger than" in str(e):
            raise ConverterError(str(e)) from None
        raise ConverterError(pre + "the input path is expected to contain valid JSON content, but cannot read "
                                   f"valid JSON content from {path}.") from e
    except StorageError as e:
        raise ConverterError(pre + str(e)) from None
    if not isinstance(model_json, dict):
        raise ConverterError(f"{path}: expected a JSON object (model.json), got {type(model_json).__name__}")
    topology = model_json.get("modelTopology")
    if model_json.get("format") not in (None, "layers-model") or (isinstance(topology, dict) and "node" in topology):
        raise ConverterError(f"{path} holds a {model_json.get('format')}, not a layers model")
    manifest = model_json.get("weightsManifest") or []
    try:
        shards, names = read_weight_files(p, manifest, limits)
    except StorageError as e:
        raise ConverterError(f"{e} (named by {path})") from None
    specs = [spec for group in manifest for spec in group["weights"]]
    values = decode_weights(shards, specs, names)
    return model_json, [(s["name"], np.array(values[s["name"]])) for s in specs]


def _model_config(topology: dict) -> dict:
    return topology.get("model_config") if topology.get("model_config") is not None else topology


def _layers_of(config: dict) -> list[dict]:
    cfg = config.get("config")
    if isinstance(cfg, list):
        return cfg
    return (cfg or {}).get("layers", [])


def _layer_name(layer: dict) -> str:
    return layer.get("name") or layer.get("config", {}).get("name")


def _assign(config: dict, weights: list[tuple[str, np.ndarray]]) -> list[tuple[str, list]]:
    """[(top-level layer name, [(weight name, value)])] in the topology's layer order."""
    owner: dict[str, str] = {}
    order = []
    for layer in _layers_of(config):
        name = _layer_name(layer)
        order.append(name)
        owner[name] = name
        if layer.get("class_name") in _MODELS:
            for inner in _layers_of(layer):
                owner.setdefault(_layer_name(inner), name)
    buckets: dict[str, list] = {n: [] for n in order}
    for wname, value in weights:
        head = wname.split("/", 1)[0]
        if head not in owner:
            raise ConverterError(f"Weight {wname} belongs to no layer of the topology (no layer named {head!r})")
        buckets[owner[head]].append((wname, value))
    return [(n, buckets[n]) for n in order]


def write_keras_h5(model_json: dict, weights: list, out_path: Path) -> None:
    try:
        import h5py
    except ImportError as e:
        raise ImportError("Writing Keras .h5 files needs h5py: pip install 'tfjs[convert]'") from e
    topology = model_json.get("modelTopology")
    if not topology:
        raise ConverterError("The model.json has no modelTopology (weights only): nothing to write as a Keras model")
    if any("/vars/" in n for n, _ in weights):
        raise ConverterError("This layers model comes from a Keras 3 .keras file: convert it to keras_keras "
                             "(--output_format keras_keras), not to a Keras 2 .h5")
    config = _model_config(topology)
    keras_version = str(topology.get("keras_version") or "2.15.0")
    if not keras_version[:1].isdigit():
        keras_version = "2.15.0"
    backend = topology.get("backend") if topology.get("backend") == "tensorflow" else "tensorflow"
    with h5py.File(out_path, "w") as f:
        f.attrs["keras_version"] = keras_version
        f.attrs["backend"] = backend
        f.attrs["model_config"] = json.dumps(config)
        mw = f.create_group("model_weights")
        assigned = _assign(config, weights)
        mw.attrs["layer_names"] = np.array([n.encode() for n, _ in assigned])
        mw.attrs["backend"] = backend
        mw.attrs["keras_version"] = keras_version
        for layer, items in assigned:
            g = mw.create_group(layer)
            g.attrs["weight_names"] = np.array([(n + ":0").encode() for n, _ in items], dtype="S")
            for name, value in items:
                g.create_dataset(name + ":0", data=value)


def _snake(name: str) -> str:
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _keras3_paths(config: dict, weights: list) -> list[tuple[str, np.ndarray]]:
    """Keras 3 weight-file paths for weights named the Keras 2 way (layers named by class, numbered)."""
    if all("/vars/" in n for n, _ in weights):
        return weights
    out = []
    used: dict[str, int] = {}
    classes = {_layer_name(layer): layer.get("class_name") for layer in _layers_of(config)}
    for layer, items in _assign(config, weights):
        base = _snake(classes[layer] or layer)
        if base in used:
            used[base] += 1
            base = f"{base}_{used[base]}"
        else:
            used[base] = 0
        if classes[layer] in _MODELS and items:
            raise ConverterError(f"Nested model {layer}: writing its weights to a .keras file is not supported")
        middle = "/cell" if classes[layer] in _RNN else ""
        out.extend((f"layers/{base}{middle}/vars/{i}", v) for i, (_, v) in enumerate(items))
    return out


def _keras3_envelope(config: dict) -> dict:
    """The top-level class needs its module back for Keras 3 to find it (the converter dropped it)."""
    out = dict(config)
    if "module" not in out:
        cls = out.get("class_name")
        if cls == "Sequential":
            out = {"module": "keras", **out, "registered_name": None}
        elif cls in ("Functional", "Model"):
            out = {"module": "keras.src.models.functional", **out, "class_name": "Functional",
                   "registered_name": "Functional"}
    return out


def write_keras_v3(model_json: dict, weights: list, out_path: Path) -> None:
    try:
        import h5py
    except ImportError as e:
        raise ImportError("Writing .keras files needs h5py: pip install 'tfjs[convert]'") from e
    topology = model_json.get("modelTopology")
    if not topology:
        raise ConverterError("The model.json has no modelTopology (weights only): nothing to write as a Keras model")
    config = _model_config(topology)
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for path, value in _keras3_paths(config, weights):
            f.create_dataset(path, data=value)
    version = str(topology.get("keras_version") or "3.0.0")
    metadata = {"keras_version": version if version.startswith("3") else "3.0.0",
                "date_saved": _dt.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    with zipfile.ZipFile(out_path, "w") as z:
        z.writestr("metadata.json", json.dumps(metadata))
        z.writestr("config.json", json.dumps(_keras3_envelope(config)))
        z.writestr("model.weights.h5", buf.getvalue())


def convert_layers_model(input_path: str, output_path: str, output_format: str, *, shard_size: int,
                         quantization_map: dict | None, metadata: dict | None, log, progress=None,
                         split_by_layer: bool = False, tf_python: str | None = None) -> dict[str, Any]:
    if progress:
        progress.update("reading the layers model", force=True)
    model_json, weights = read_layers_model(input_path, output_format)
    check_layers_model(model_json.get("modelTopology"), weights, input_path, log)
    if output_format == "keras_saved_model":
        from .keras_saved_model_out import write_keras_saved_model

        if progress:
            progress.update("saving the SavedModel (TensorFlow)", force=True)
        return write_keras_saved_model(model_json, weights, output_path, tf_python=tf_python, log=log,
                                       write_keras_v3=write_keras_v3, write_keras_h5=write_keras_h5)
    if output_format == "tfjs_layers_model":
        out = Path(output_path)
        if out.is_file():
            raise ConverterError(f'Output path "{output_path}" already exists as a file')
        groups = [weights]
        if split_by_layer and model_json.get("modelTopology"):
            groups = [items for _, items in _assign(_model_config(model_json["modelTopology"]), weights) if items]
        return write_layers_artifacts(output_path, model_json.get("modelTopology"), model_json.get("generatedBy"),
                                      groups, shard_size=shard_size, quantization_map=quantization_map,
                                      metadata=metadata or model_json.get("userDefinedMetadata"), log=log,
                                      progress=progress)
    out = Path(output_path)
    if out.is_dir():
        kind = "an HDF5 file" if output_format == "keras" else "a .keras file"
        raise ConverterError(f"For input_type=tfjs_layers_model & output_format={output_format}, the output path "
                             f"should be the path to {kind}, but received an existing directory ({output_path}).")
    if output_format == "keras_keras" and not str(output_path).endswith(".keras"):
        raise ConverterError(f"Invalid `filepath` argument: expected a `.keras` extension. Received: "
                             f"filepath={output_path}")
    with atomic_file(out) as tmp:
        (write_keras_h5 if output_format == "keras" else write_keras_v3)(model_json, weights, tmp)
    return {"output": str(out), "files": [out.name]}


def keras_to_layers(input_path: str, output_dir: str, *, shard_size: int = DEFAULT_SHARD_SIZE,
                    quantization_map: dict | None = None, metadata: dict | None = None, log=print,
                    progress: Progress | None = None, split_by_layer: bool = False, backend: str | None = None
                    ) -> dict:
    """Keras .h5 / .keras -> layers model.json + shards (h5py or pyfive, numpy; no TensorFlow)."""
    from .keras_h5 import read_keras

    if progress:
        progress.update("reading the Keras file", force=True)
    model = read_keras(input_path, backend)
    check_layers_model(model.topology, [w for group in model.groups for w in group], input_path, log)
    return write_layers_artifacts(output_dir, model.topology, model.generated_by,
                                  model.weight_groups(split_by_layer), shard_size=shard_size,
                                  quantization_map=quantization_map, metadata=metadata, log=log, progress=progress)
