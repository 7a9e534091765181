"""Model weights by name: TF.js's strict loading rules and error texts, and the named list saved."""

from __future__ import annotations

import re
from typing import Mapping

import numpy as np

from ..errors import FormatError


def _is_keras3_names(names) -> bool:
    return any("/vars/" in n for n in names)


def _snake(name: str) -> str:
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _keras3_file_paths(model) -> dict:
    """{'layers/<snake class name>[_n]/vars/<i>': '<layer name>/vars/<i>'}: where Keras 3's .keras weights file
    keeps each layer's variables (layers named by class, numbered in model order)."""
    out = {}
    used: dict[str, int] = {}
    for layer in model.layers:
        base = _snake(layer.get_class_name())
        if base in used:
            used[base] += 1
            base = f"{base}_{used[base]}"
        else:
            used[base] = 0
        # A layer made of sublayers says where Keras keeps each of its weights ('query_dense/vars/0', ...).
        subpaths = layer.keras3_weight_paths() if hasattr(layer, "keras3_weight_paths") else None
        for index, _ in enumerate(layer.weights):
            sub = subpaths[index] if subpaths else f"vars/{index}"
            out[f"layers/{base}/{sub}"] = f"{layer.name}/vars/{index}"
    return out


def load_named_weights(model, weights: Mapping[str, np.ndarray], strict: bool = True, check_only: bool = False
                       ) -> None:
    """Set a model's weights from {name: array} as TF.js's ``Container.loadWeights`` does; with ``check_only``,
    only check that the names and shapes fit (the arrays may be shape-only views, e.g. ``np.broadcast_to``)."""
    name_to_weight = {}
    total = 0
    keras3 = _is_keras3_names(weights)
    for layer in model.layers:
        for index, weight in enumerate(layer.weights):
            key = f"{layer.name}/vars/{index}" if keras3 else weight.original_name
            if key in name_to_weight:
                raise FormatError(f"Duplicate weight name: {key}")
            name_to_weight[key] = weight
            total += 1
    keras3_paths = _keras3_file_paths(model) if keras3 else {}
    pairs = []
    for name, value in weights.items():
        target = name
        if name not in name_to_weight:
            tokens = name.split("/")
            target = "/".join(tokens[:-2] + [tokens[-1]])
            if keras3 and target not in name_to_weight:
                target = "/".join(t.lstrip("_") for t in name.split("/") if t.lstrip("_") not in
                                  ("layer_checkpoint_dependencies",))
            if keras3 and target not in name_to_weight:
                # The converter's .keras names: Keras 3 weight-file paths 'layers/<snake class>[_n][/cell]/vars/<i>'.
                target = keras3_paths.get(name.replace("/cell/vars/", "/vars/"), keras3_paths.get(name, target))
        if target in name_to_weight:
            pairs.append((name_to_weight.pop(target), value, name))
        elif strict:
            raise FormatError(f"Provided weight data has no target variable: {name}")
    if strict and name_to_weight:
        raise FormatError(f"{len(name_to_weight)} of {total} weights are not set: {','.join(name_to_weight)}")
    for variable, value, name in pairs:
        value = np.asarray(value)
        if tuple(value.shape) != variable.shape:
            raise FormatError(f"Shape mismatch for weight '{name}': the model's variable '{variable.name}' has "
                              f"shape {list(variable.shape)} but the weight data has shape {list(value.shape)}")
    if check_only:
        return
    for variable, value, _ in pairs:
        variable.write(value)


def named_weights(model) -> list[tuple[str, np.ndarray]]:
    """(name, value) of every weight, in the order TF.js saves them (trainable first, then the rest)."""
    return [(w.original_name, w.read()) for w in model.weights]
