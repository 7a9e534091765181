"""Writing GraphDef JSON by hand (the inverse of :mod:`tfjs.graph.attrs`): small graphs for tests, examples
and custom pipelines.

    from tfjs.graph import builder as gb
    topo = gb.graph_def([gb.placeholder("x", "float32", [-1, 3]),
                         gb.node("y", "Relu", ["x"], T=gb.dtype("float32"))])
    model = gb.model(topo)                 # a GraphModel, weights from inline Const values
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

_DT = {"float32": "DT_FLOAT", "int32": "DT_INT32", "bool": "DT_BOOL", "string": "DT_STRING",
       "complex64": "DT_COMPLEX64", "resource": "DT_RESOURCE", "variant": "DT_VARIANT", "int64": "DT_INT64",
       "uint8": "DT_UINT8", "float64": "DT_DOUBLE", "half": "DT_HALF"}


class dtype(str):
    """Marks a value as a ``type`` attr: ``dtype('float32')`` -> ``{"type": "DT_FLOAT"}``."""


class shape(list):
    """Marks a value as a ``shape`` attr (``None`` dims allowed as -1)."""


class func(str):
    """Marks a value as a ``func`` attr (a function-library name)."""


def _b64(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return base64.b64encode(data).decode("ascii")


def _shape_json(dims) -> dict:
    if dims is None:
        return {"unknownRank": True}
    return {"dim": [{"size": str(int(d))} for d in dims]}


def tensor_json(value: Any) -> dict:
    arr = np.asarray(value)
    if arr.dtype.kind == "f":
        body = {"dtype": "DT_FLOAT", "floatVal": [float(v) for v in arr.reshape(-1)]}
    elif arr.dtype.kind == "b":
        body = {"dtype": "DT_BOOL", "boolVal": [bool(v) for v in arr.reshape(-1)]}
    elif arr.dtype.kind in "iu":
        body = {"dtype": "DT_INT32", "intVal": [int(v) for v in arr.reshape(-1)]}
    else:
        body = {"dtype": "DT_STRING", "stringVal": [_b64(v) for v in arr.reshape(-1).tolist()]}
    body["tensorShape"] = _shape_json(arr.shape)
    return body


def attr_value(value: Any) -> dict:
    """A Python value as AttrValue JSON: str -> s (base64), bool -> b, int -> i (string), float -> f,
    :class:`dtype` -> type, :class:`shape` -> shape, :class:`func` -> func, ndarray -> tensor, lists -> list."""
    if isinstance(value, dtype):
        return {"type": _DT[str(value)]}
    if isinstance(value, func):
        return {"func": {"name": str(value)}}
    if isinstance(value, shape):
        return {"shape": _shape_json(list(value))}
    if isinstance(value, bool):
        return {"b": value}
    if isinstance(value, int):
        return {"i": str(value)}
    if isinstance(value, float):
        return {"f": value}
    if isinstance(value, (str, bytes)):
        return {"s": _b64(value)}
    if isinstance(value, np.ndarray):
        return {"tensor": tensor_json(value)}
    if isinstance(value, (list, tuple)):
        if not value:
            return {"list": {}}
        first = value[0]
        if isinstance(first, dtype):
            return {"list": {"type": [_DT[str(v)] for v in value]}}
        if isinstance(first, shape):
            return {"list": {"shape": [_shape_json(list(v)) for v in value]}}
        if isinstance(first, bool):
            return {"list": {"b": list(value)}}
        if isinstance(first, int):
            return {"list": {"i": [str(v) for v in value]}}
        if isinstance(first, float):
            return {"list": {"f": list(value)}}
        if isinstance(first, func):
            return {"list": {"func": [{"name": str(v)} for v in value]}}
        return {"list": {"s": [_b64(v) for v in value]}}
    raise TypeError(f"Cannot encode attribute value {value!r}")


def node(name: str, op: str, inputs: list[str] | None = None, **attrs: Any) -> dict:
    out = {"name": name, "op": op}
    if inputs:
        out["input"] = list(inputs)
    if attrs:
        out["attr"] = {k: attr_value(v) for k, v in attrs.items()}
    return out


def placeholder(name: str, dt: str = "float32", dims=None) -> dict:
    attrs = {"dtype": dtype(dt)}
    if dims is not None:
        attrs["shape"] = shape(dims)
    return node(name, "Placeholder", None, **attrs)


def const(name: str, value: Any) -> dict:
    arr = np.asarray(value)
    dt = "float32" if arr.dtype.kind == "f" else "bool" if arr.dtype.kind == "b" else \
        "int32" if arr.dtype.kind in "iu" else "string"
    return node(name, "Const", None, value=arr, dtype=dtype(dt))


def function(name: str, inputs: list[tuple[str, str]], outputs: list[tuple[str, str, str]],
             nodes: list[dict]) -> dict:
    """A library function: inputs [(arg, dtype)], outputs [(arg, dtype, 'node:out:0')], body nodes."""
    return {"signature": {"name": name,
                          "inputArg": [{"name": a, "type": _DT[t]} for a, t in inputs],
                          "outputArg": [{"name": a, "type": _DT[t]} for a, t, _ in outputs]},
            "nodeDef": nodes, "ret": {a: ref for a, _, ref in outputs}}


def graph_def(nodes: list[dict], functions: list[dict] | None = None, producer: int = 1286) -> dict:
    topo: dict = {"node": nodes, "versions": {"producer": producer}}
    if functions:
        topo["library"] = {"function": functions}
    return topo


def model(topology: dict, weights: dict | None = None, **artifact_fields: Any):
    """A GraphModel from a topology and optional weights ``{const node name: array}``."""
    from ..io import encode_weights
    from ..io.types import ModelArtifacts
    from .model import GraphModel

    data, specs = encode_weights(weights or {})
    artifacts = ModelArtifacts(model_topology=topology, weight_specs=specs, weight_data=data,
                               format="graph-model", **artifact_fields)
    return GraphModel(artifacts)
