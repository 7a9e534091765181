"""What the model card shows, computed from a loaded model and its artifacts (no DOM here: plain data).

Works on both kinds the library loads: ``tfjs.LayersModel`` and ``tfjs.GraphModel``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

import tfjs

DTYPE_BYTES = {"float32": 4, "int32": 4, "bool": 1, "complex64": 8, "float16": 2, "uint16": 2, "uint8": 1}


def is_graph(model: Any) -> bool:
    return isinstance(model, tfjs.GraphModel)


def tensor_specs(model: Any, which: str) -> list[dict]:
    """[{name, shape (None for unknown dims; None if unknown rank), dtype}] of the inputs or outputs."""
    if is_graph(model):
        out = []
        for spec in (model.inputs if which == "inputs" else model.outputs):
            shape = spec.get("shape")
            out.append({"name": spec.get("signature_key") or spec["name"], "node": spec["name"],
                        "shape": None if shape is None else [None if d is None or d < 0 else int(d) for d in shape],
                        "dtype": spec.get("dtype") or "float32"})
        return out
    tensors = model.inputs if which == "inputs" else model.outputs
    names = model.input_names if which == "inputs" else model.output_names
    return [{"name": n, "node": n, "shape": list(t.shape), "dtype": t.dtype} for n, t in zip(names, tensors)]


def _layer_shape(layer) -> str:
    try:
        shape = layer.output_shape
    except (ValueError, IndexError, AttributeError):
        return "multiple"
    from .dom import fmt_shape

    if isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple)):
        return ", ".join(fmt_shape(s) for s in shape)
    return fmt_shape(shape)


def layer_rows(model: Any) -> list[dict]:
    """One row per layer, as summary() prints them: name, class, output shape, parameters, inbound layers."""
    rows = []
    for layer in model.layers:
        inbound = [t.source_layer.name for node in layer.inbound_nodes for t in node.input_tensors]
        rows.append({"name": layer.name, "class": layer.get_class_name(), "shape": _layer_shape(layer),
                     "params": int(layer.count_params()), "inbound": inbound})
    return rows


def op_histogram(model: Any) -> list[tuple[str, int]]:
    """(op, count) for every node of the graph and of its functions, most used first."""
    counts: Counter = Counter()
    graphs = [model.graph] + [fn.graph for fn in getattr(model.graph, "functions", {}).values()]
    for graph in graphs:
        counts.update(node.op for node in graph.nodes.values())
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def weight_groups(specs: list[dict] | None) -> list[dict]:
    """Weights grouped by dtype and quantization: how many, how many values, bytes stored and decoded."""
    groups: dict[tuple[str, str], dict] = {}
    for spec in specs or []:
        n = int(np.prod(spec.get("shape") or [], dtype=np.int64))
        dtype = spec.get("dtype", "float32")
        q = spec.get("quantization") or {}
        stored_as = q.get("dtype")
        key = (dtype, stored_as or "")
        g = groups.setdefault(key, {"dtype": dtype, "quantization": stored_as, "weights": 0, "values": 0,
                                    "stored_bytes": 0, "decoded_bytes": 0})
        g["weights"] += 1
        g["values"] += n
        if dtype == "string":
            continue  # variable length: counted in the total of the shards, not here
        g["stored_bytes"] += n * DTYPE_BYTES.get(stored_as or dtype, 4)
        g["decoded_bytes"] += n * DTYPE_BYTES.get(dtype, 4)
    return sorted(groups.values(), key=lambda g: (-g["stored_bytes"], g["dtype"]))


def param_count(model: Any, specs: list[dict] | None) -> int:
    if not is_graph(model):
        return int(model.count_params())
    return int(sum(int(np.prod(s.get("shape") or [], dtype=np.int64)) for s in specs or []))


def describe(model: Any, artifacts: Any, shards: list[dict], source: str) -> dict:
    """Everything the card shows, as plain data (also handy for tests)."""
    graph = is_graph(model)
    specs = artifacts.weight_specs or []
    info = {
        "source": source,
        "kind": "graph" if graph else "layers",
        "format": artifacts.format or ("graph-model" if graph else "layers-model"),
        "generated_by": artifacts.generated_by,
        "converted_by": artifacts.converted_by,
        "inputs": tensor_specs(model, "inputs"),
        "outputs": tensor_specs(model, "outputs"),
        "params": param_count(model, specs),
        "weights": weight_groups(specs),
        "weight_count": len(specs),
        "shards": shards,
        "weight_bytes": sum(s["bytes"] for s in shards),
    }
    if graph:
        info["ops"] = op_histogram(model)
        info["nodes"] = sum(n for _, n in info["ops"])
    else:
        info["layers"] = layer_rows(model)
        info["class_name"] = model.get_class_name()
        info["name"] = model.name
    return info
