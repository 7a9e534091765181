"""Keras files to a layers-model topology and weight groups, with an HDF5 reader and numpy only.

- ``.h5`` from ``model.save`` (Keras 2 / tf.keras, or Keras 3's legacy h5): root attributes ``model_config``,
  ``keras_version``, ``backend``, ``training_config``; weights under ``model_weights/<layer>`` listed by each
  layer group's ``weight_names`` attribute.
- ``.h5`` from ``model.save_weights`` (Keras 2): root attribute ``layer_names``; no topology.
- ``.keras`` (Keras 3 zip): ``config.json``, ``metadata.json``, ``model.weights.h5`` (datasets
  ``<path>/vars/<i>``).
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import TfjsError
from .hdf5 import Node, is_hdf5, open_hdf5
from .write import ConverterError

Weight = tuple[str, np.ndarray]

_CLASS_RENAMES = {"BatchNormalizationV1": "BatchNormalization", "UnifiedGRU": "GRU", "UnifiedLSTM": "LSTM"}
_KERAS3_DROP_KEYS = ("module", "registered_name", "date_saved")


@dataclass
class KerasModel:
    """What a Keras file holds, in the form a layers model.json needs."""
    topology: dict | None
    groups: list[list[Weight]] = field(default_factory=list)   # one per layer that has weights
    keras_version: str | None = None

    @property
    def generated_by(self) -> str | None:
        return f"keras v{self.keras_version}" if self.keras_version and self.topology else None

    def weight_groups(self, split_by_layer: bool) -> list[list[Weight]]:
        if split_by_layer:
            return [g for g in self.groups if g]
        return [[w for g in self.groups for w in g]]


def translate_class_names(obj: Any) -> Any:
    if isinstance(obj, list):
        return [translate_class_names(v) for v in obj]
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k == "class_name" and isinstance(v, str):
                out[k] = _CLASS_RENAMES.get(v, v)
            else:
                out[k] = translate_class_names(v)
        return out
    return obj


def _weight_name(name: str) -> str:
    return name[:-2] if name.endswith(":0") else name


def _layer_weights(group: Node) -> list[Weight]:
    """A layer group's weights, in its ``weight_names`` order (or its sub-groups', recursively)."""
    if group.has_attr("weight_names"):
        names = group.attrs_get("weight_names")
        if names is None or (isinstance(names, np.ndarray) and names.size == 0):
            return []
        if isinstance(names, str):
            names = [names]
        return [(_weight_name(n), group[n].read()) for n in names]
    out: list[Weight] = []
    for key in group.keys():
        child = group[key]
        if child.is_group:
            out.extend(_layer_weights(child))
    return out


def _config_layer_names(config: dict) -> set[str]:
    names: set[str] = set()

    def walk(obj):
        if isinstance(obj, dict):
            cfg = obj.get("config")
            if "class_name" in obj and isinstance(cfg, dict) and isinstance(cfg.get("name"), str):
                names.add(cfg["name"])
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)

    walk(config)
    return names


def fix_stale_names(layer: str, weights: list[Weight], known_layers: set[str]) -> list[Weight]:
    """Old Keras files (2.0.x) store ``conv2d_1_1/kernel:0`` under layer ``conv2d_1``: Keras loads by order,
    TF.js by name. Rename such weights to ``<layer>/<short name>`` so that both load them."""
    pattern = re.compile(re.escape(layer) + r"_\d+$")
    out = []
    for name, value in weights:
        head, sep, tail = name.partition("/")
        if sep and head != layer and pattern.match(head) and head not in known_layers:
            name = f"{layer}/{tail}"
        out.append((name, value))
    return out


def _json_attr(root: Node, name: str) -> Any:
    text = root.attrs_get(name)
    try:
        return json.loads(text)
    except (ValueError, TypeError, RecursionError) as e:
        raise ConverterError(f"The HDF5 file's '{name}' attribute is not valid JSON: {e}") from None


def _read_h5(root: Node) -> KerasModel:
    if root.has_attr("layer_names"):  # model.save_weights: weights only
        groups = [_layer_weights(root[name]) for name in root.attrs_get("layer_names")]
        return KerasModel(None, groups, root.attrs_get("keras_version"))
    if not root.has_attr("model_config") and "layers" in root and root["layers"].is_group:
        groups: list[list[Weight]] = []  # a Keras 3 style weights file (model.save_weights('x.weights.h5'))
        _keras3_weights(root, "", groups)
        return KerasModel(None, [g for g in groups if g], None)
    if not root.has_attr("model_config"):
        raise ConverterError("The HDF5 file has neither a 'model_config' attribute (model.save) nor "
                             "'layer_names' (model.save_weights): not a Keras model file")
    keras_version = root.attrs_get("keras_version")
    topology: dict[str, Any] = {}
    if keras_version is not None:
        topology["keras_version"] = keras_version
    if root.has_attr("backend"):
        topology["backend"] = root.attrs_get("backend")
    topology["model_config"] = translate_class_names(_json_attr(root, "model_config"))
    if root.has_attr("training_config"):
        topology["training_config"] = _json_attr(root, "training_config")
    weights_root = root["model_weights"] if "model_weights" in root else None
    groups: list[list[Weight]] = []
    if weights_root is not None:
        known = _config_layer_names(topology["model_config"])
        for layer in weights_root.keys():
            child = weights_root[layer]
            if child.is_group:
                groups.append(fix_stale_names(layer, _layer_weights(child), known))
    return KerasModel(topology, groups, keras_version)


def read_keras_h5(source: Any, backend: str | None = None) -> KerasModel:
    """Read a Keras .h5 file (path, bytes or binary file object)."""
    with open_hdf5(source, backend) as root:
        return _read_h5(root)


# --------------------------------------------------------------------------------------------------
# Keras 3 .keras


def strip_keras3_keys(obj: Any) -> Any:
    if isinstance(obj, list):
        return [strip_keras3_keys(v) for v in obj]
    if isinstance(obj, dict):
        return {k: strip_keras3_keys(v) for k, v in obj.items() if k not in _KERAS3_DROP_KEYS}
    return obj


def _keras3_weights(node: Node, path: str, out: list[list[Weight]]) -> None:
    """Walk the weights file in HDF5 name order; the first group found holding datasets gives one weight
    group: all its entries, named by their path (``layers/dense/vars/0``), as the official converter does."""
    for key in node.keys():
        child = node[key]
        if child.is_group:
            _keras3_weights(child, path + key + "/", out)
        else:
            out.append([(path + k, node[k].read()) for k in node.keys()])
            break


MAX_JSON_MEMBER_BYTES = 64 << 20   # config.json / metadata.json in a .keras archive
MAX_WEIGHTS_RATIO = 100            # model.weights.h5 may inflate to 100 x its compressed size (64 MiB at least)


def _read_member(archive: zipfile.ZipFile, name: str, label: str, limit: int) -> bytes:
    """A member of the archive, refused (by its header, then while inflating) beyond ``limit`` bytes."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise ConverterError(f"{label}: {name} would inflate to {info.file_size} bytes, more than the {limit} "
                             f"bytes allowed")
    with archive.open(info) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ConverterError(f"{label}: {name} inflates to more than the {limit} bytes allowed (its header says "
                             f"{info.file_size})")
    return data


def _json_member(archive: zipfile.ZipFile, name: str, label: str) -> Any:
    data = _read_member(archive, name, label, MAX_JSON_MEMBER_BYTES)
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as e:
        raise ConverterError(f"{label}: {name} is not valid JSON: {e}") from None


def read_keras_v3(source: Any, backend: str | None = None) -> KerasModel:
    """Read a Keras 3 ``.keras`` zip (path or bytes); members are read within size limits."""
    label = str(source) if isinstance(source, (str, os.PathLike)) else "<bytes>"
    data = source if isinstance(source, (bytes, bytearray, memoryview)) else open(source, "rb").read()
    try:
        archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as e:
        raise ConverterError(f"Not a .keras (zip) file: {label}") from e
    with archive:
        names = set(archive.namelist())
        for needed in ("config.json", "model.weights.h5"):
            if needed not in names:
                raise ConverterError(f"The .keras file {label} has no {needed}")
        config = strip_keras3_keys(_json_member(archive, "config.json", label))
        metadata = _json_member(archive, "metadata.json", label) if "metadata.json" in names else {}
        if not isinstance(metadata, dict):
            raise ConverterError(f"{label}: metadata.json must hold a JSON object, got {type(metadata).__name__}")
        weights_info = archive.getinfo("model.weights.h5")
        weights_bytes = _read_member(archive, "model.weights.h5", label,
                                     max(MAX_JSON_MEMBER_BYTES, MAX_WEIGHTS_RATIO * weights_info.compress_size))
    keras_version = metadata.get("keras_version")
    topology: dict[str, Any] = {}
    if keras_version is not None:
        topology["keras_version"] = keras_version
    topology["model_config"] = config
    groups: list[list[Weight]] = []
    with open_hdf5(weights_bytes, backend) as root:
        _keras3_weights(root, "", groups)
    groups = [g for g in groups if g]
    return KerasModel(topology, groups, keras_version)


def read_keras(source: Any, backend: str | None = None) -> KerasModel:
    """A .h5 or .keras file, told apart by its first bytes. A file the readers cannot make sense of is a
    ConverterError naming it."""
    head = bytes(source[:8]) if isinstance(source, (bytes, bytearray, memoryview)) else open(source, "rb").read(8)
    label = str(source) if isinstance(source, (str, os.PathLike)) else "<bytes>"
    try:
        if is_hdf5(head):
            return read_keras_h5(source, backend)
        if head[:4] == b"PK\x03\x04":
            return read_keras_v3(source, backend)
    except (TfjsError, ImportError, MemoryError):
        raise
    except Exception as e:  # noqa: BLE001 - the HDF5 libraries raise anything on a damaged file
        raise ConverterError(f"{label}: not a readable Keras file ({type(e).__name__}: {e})") from None
    raise ConverterError(f"Not a Keras file (neither HDF5 nor a .keras zip): {source!r:.200}")
