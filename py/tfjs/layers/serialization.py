"""Layer classes by name, deserialization, and the topology formats read: TF.js's own, the Keras 2
converter's (``model_config`` inside ``modelTopology``) and Keras 3's (``module``/``registered_name``,
dict-shaped ``inbound_nodes``)."""

from __future__ import annotations

import copy
from typing import Any

from ..errors import FormatError, UnsupportedError

_registry: dict[str, type] = {}

# Names the Keras converter translates (``translate_class_names``) and Keras aliases.
CLASS_ALIASES = {"BatchNormalizationV1": "BatchNormalization", "UnifiedGRU": "GRU", "UnifiedLSTM": "LSTM",
                 "BatchNormalizationV2": "BatchNormalization", "Functional": "Model"}


def register(name: str, cls: type | None = None):
    """Register a layer class under a class name (``tf.layers.register('MyLayer', MyLayer)``); usable as a
    decorator: ``@tf.layers.register('MyLayer')``."""
    if cls is None:
        def decorator(c):
            _registry[name] = c
            return c
        return decorator
    _registry[name] = cls
    return cls


def registered_classes() -> dict[str, type]:
    return dict(_registry)


def get_class(class_name: str, custom_objects: dict | None = None, what: str = "layer") -> type:
    if custom_objects and class_name in custom_objects:
        return custom_objects[class_name]
    name = CLASS_ALIASES.get(class_name, class_name)
    if name in _registry:
        return _registry[name]
    raise UnsupportedError(
        f"Unknown {what}: {class_name}. This may be due to one of the following reasons:\n"
        f"1. The {what} is defined in Python Keras or TF.js but not implemented by tfjs for Python; or\n"
        f"2. The custom {what} is defined in your code but not registered. Register it with "
        f"tf.layers.register('{class_name}', {class_name}) or pass custom_objects={{'{class_name}': "
        f"{class_name}}} to tf.load_layers_model().")


def deserialize_layer(layer_data: dict, custom_objects: dict | None = None):
    if not isinstance(layer_data, dict) or "class_name" not in layer_data or "config" not in layer_data:
        raise FormatError(f"layer: Improper config format: {layer_data!r}.\n'className' and 'config' must set.")
    cls = get_class(layer_data["class_name"], custom_objects)
    config = dict(layer_data["config"]) if isinstance(layer_data["config"], dict) else layer_data["config"]
    if isinstance(config, dict) and "name" not in config and layer_data.get("name"):
        config["name"] = layer_data["name"]
    return cls.from_config(config, custom_objects)


# ---------------------------------------------------------------------------------------------- formats


def unwrap_topology(model_topology: Any) -> dict:
    """The {class_name, config} of a model from any envelope (TF.js's, Keras 2 ``model_config``)."""
    if not isinstance(model_topology, dict):
        raise FormatError(f"Layers model topology must be a JSON object, got {type(model_topology).__name__}")
    topology = model_topology.get("model_config") if model_topology.get("model_config") is not None \
        else model_topology
    if not isinstance(topology, dict):
        raise FormatError(f"Layers model config must be a JSON object with 'class_name' and 'config', got "
                          f"{type(topology).__name__}")
    if "class_name" not in topology or "config" not in topology:
        raise FormatError("Layers model topology must have 'class_name' and 'config' (or 'model_config' holding "
                          f"them); got keys {sorted(topology)}")
    return normalize_keras(copy.deepcopy(topology))


_KERAS3_DROP = ("module", "registered_name", "build_config", "compile_config", "shared_object_id")


def normalize_keras(obj: Any) -> Any:
    """Rewrite Keras 3 forms into the Keras 2 / TF.js forms, recursively: drop module/registered_name,
    turn dict-shaped inbound nodes into lists, wrap single input/output refs, batch_shape -> batch_input_shape."""
    if isinstance(obj, list):
        return [normalize_keras(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "class_name" in obj and "config" in obj:
        for key in _KERAS3_DROP:
            obj.pop(key, None)
    out = {}
    for key, value in obj.items():
        if key == "inbound_nodes" and isinstance(value, list):
            out[key] = [_node_from_keras3(n) if isinstance(n, dict) else normalize_keras(n) for n in value]
        elif key in ("input_layers", "output_layers") and isinstance(value, list) and value \
                and isinstance(value[0], str):
            out[key] = [value]
        else:
            out[key] = normalize_keras(value)
    cfg = out.get("config")
    if isinstance(cfg, dict) and "class_name" in out:
        if "batch_shape" in cfg and "batch_input_shape" not in cfg:
            cfg["batch_input_shape"] = cfg.pop("batch_shape")
        if isinstance(cfg.get("dtype"), dict):
            cfg["dtype"] = cfg["dtype"].get("config", {}).get("name", "float32")
    return out


def _node_from_keras3(node: dict) -> list:
    refs = []

    def collect(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            history = value["config"]["keras_history"]
            refs.append([history[0], history[1], history[2]])
        elif isinstance(value, (list, tuple)):
            for v in value:
                collect(v)

    collect(node.get("args", []))
    kwargs = {k: v for k, v in (node.get("kwargs") or {}).items()
              if not (isinstance(v, dict) and v.get("class_name") == "__keras_tensor__")}
    for ref in refs:
        ref.append(kwargs)
    return refs
