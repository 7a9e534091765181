"""Graph-model model.json files as each converter era wrote them, built from the facts of TF.js's op mapper
(tfjs-converter/src/operations/operation_mapper.ts) and its weight loader:

- ``1.x``: no ``format``, ``generatedBy`` or ``convertedBy``; strings (``s``, ``list.s``) as arrays of byte
  values (``"data_format": {"s": [78, 72, 87, 67]}``); dtypes as DataType enum numbers; ints and shape dims as
  JSON numbers; weights quantized to uint8 with ``min`` / ``scale``.
- ``2.x``: ``format: "graph-model"`` and the converter's names; strings as base64, dtypes as enum names, ints as
  decimal strings (protobuf JSON); weights quantized to float16.
- ``4.x``: as 2.x, plus a ``signature`` keyed by tensor names and ``userDefinedMetadata``; float32 weights.

All three hold the same graph: a fused conv (``_FusedConv2D`` with ``fused_ops`` as ``list.s``), a depthwise
conv, a max pool (``ksize`` / ``strides`` as ``list.i``), a reshape, a matmul, a bias add, a leaky relu
(``alpha`` a float attr), softmax and argmax (``output_type`` a dtype attr).
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import numpy as np

from tfjs.graph import builder as gb

ERAS = ("1.x", "2.x", "4.x")
RNG = np.random.default_rng(18)
WEIGHTS = {
    "w": RNG.uniform(-1, 1, (3, 3, 2, 4)).astype(np.float32),
    "b": RNG.uniform(-0.5, 0.5, (4,)).astype(np.float32),
    "dw": RNG.uniform(-1, 1, (3, 3, 4, 1)).astype(np.float32),
    "shape": np.array([-1, 16], np.int32),
    "fw": RNG.uniform(-1, 1, (16, 3)).astype(np.float32),
    "fb": RNG.uniform(-0.5, 0.5, (3,)).astype(np.float32),
    "axis": np.array(1, np.int32),
}
OUTPUTS = ["sm", "am"]


def modern_topology() -> dict:
    """The graph as converter 4.x writes it (Consts without values: those are in the weights)."""
    f = gb.dtype("float32")
    i32 = gb.dtype("int32")
    consts = [gb.node(name, "Const", None, dtype=i32 if value.dtype == np.int32 else f)
              for name, value in WEIGHTS.items()]
    nodes = [gb.placeholder("x", "float32", [-1, 6, 6, 2])] + consts + [
        gb.node("conv", "_FusedConv2D", ["x", "w", "b"], T=f, data_format="NHWC", padding="SAME",
                strides=[1, 1, 1, 1], dilations=[1, 1, 1, 1], fused_ops=["BiasAdd", "Relu"], num_args=1,
                epsilon=0.0, use_cudnn_on_gpu=True),
        gb.node("dconv", "DepthwiseConv2dNative", ["conv", "dw"], T=f, data_format="NHWC", padding="VALID",
                strides=[1, 1, 1, 1], dilations=[1, 1, 1, 1]),
        gb.node("pool", "MaxPool", ["dconv"], T=f, data_format="NHWC", padding="VALID", ksize=[1, 2, 2, 1],
                strides=[1, 2, 2, 1]),
        gb.node("flat", "Reshape", ["pool", "shape"], T=f, Tshape=i32),
        gb.node("mm", "MatMul", ["flat", "fw"], T=f, transpose_a=False, transpose_b=False),
        gb.node("ba", "BiasAdd", ["mm", "fb"], T=f, data_format="NHWC"),
        gb.node("lr", "LeakyRelu", ["ba"], T=f, alpha=0.2),
        gb.node("sm", "Softmax", ["lr"], T=f),
        gb.node("am", "ArgMax", ["lr", "axis"], T=f, Tidx=i32, output_type=i32),
    ]
    return gb.graph_def(nodes, producer=1482)


# ------------------------------------------------------------------------------------------ era rewrites
def _bytes_list(b64: str) -> list[int]:
    return list(base64.b64decode(b64))


def _enum(name):
    from tfjs.graph.attrs import DTYPE_ENUM
    return {v: k for k, v in DTYPE_ENUM.items()}[name] if isinstance(name, str) else name


def _shape_v1(shape: dict) -> dict:
    out = dict(shape)
    if "dim" in out:
        out["dim"] = [{"size": int(d.get("size", 0))} for d in out["dim"]]
    return out


def _attr_v1(value: dict) -> dict:
    value = copy.deepcopy(value)
    if "s" in value:
        value["s"] = _bytes_list(value["s"])
    if "i" in value:
        value["i"] = int(value["i"])
    if "type" in value:
        value["type"] = _enum(value["type"])
    if "shape" in value:
        value["shape"] = _shape_v1(value["shape"])
    if "list" in value:
        lst = value["list"]
        if "s" in lst:
            lst["s"] = [_bytes_list(v) for v in lst["s"]]
        if "i" in lst:
            lst["i"] = [int(v) for v in lst["i"]]
        if "type" in lst:
            lst["type"] = [_enum(v) for v in lst["type"]]
        if "shape" in lst:
            lst["shape"] = [_shape_v1(v) for v in lst["shape"]]
    return value


def topology_v1(topology: dict) -> dict:
    topo = copy.deepcopy(topology)
    for n in topo["node"]:
        n["attr"] = {k: _attr_v1(v) for k, v in n.get("attr", {}).items()}
    topo["versions"] = {"producer": 27}
    return topo


# ------------------------------------------------------------------------------------------ weights
def _quantize_uint8(arr: np.ndarray) -> tuple[bytes, dict]:
    lo, hi = float(arr.min()), float(arr.max())
    scale = (hi - lo) / 255.0
    q = np.clip(np.round((arr - lo) / scale), 0, 255).astype(np.uint8)
    return q.tobytes(), {"min": lo, "scale": scale, "dtype": "uint8"}


def weights_for(era: str) -> tuple[bytes, list[dict]]:
    data, specs = b"", []
    for name, value in WEIGHTS.items():
        spec = {"name": name, "shape": list(value.shape), "dtype": "int32" if value.dtype == np.int32 else "float32"}
        if value.dtype == np.float32 and era == "1.x":
            raw, spec["quantization"] = _quantize_uint8(value)
        elif value.dtype == np.float32 and era == "2.x":
            raw, spec["quantization"] = value.astype(np.float16).tobytes(), {"dtype": "float16"}
        else:
            raw = value.astype("<f4" if value.dtype == np.float32 else "<i4").tobytes()
        data += raw
        specs.append(spec)
    return data, specs


def model_json(era: str, paths: list[str]) -> dict:
    """model.json of the era, with ``paths`` as its one weights group's shards."""
    topology = modern_topology()
    data, specs = weights_for(era)
    manifest = [{"paths": paths, "weights": specs}]
    if era == "1.x":
        return {"modelTopology": topology_v1(topology), "weightsManifest": manifest}
    out = {"modelTopology": topology, "format": "graph-model"}
    if era == "2.x":
        out.update(generatedBy="2.3.1", convertedBy="TensorFlow.js Converter v2.7.0")
    else:
        out.update(generatedBy="2.18.0", convertedBy="TensorFlow.js Converter v4.22.0")
        dims = {"dim": [{"size": "-1"}, {"size": "6"}, {"size": "6"}, {"size": "2"}]}
        out["signature"] = {
            "inputs": {"x:0": {"name": "x:0", "dtype": "DT_FLOAT", "tensorShape": dims}},
            "outputs": {"sm:0": {"name": "sm:0", "dtype": "DT_FLOAT"},
                        "am:0": {"name": "am:0", "dtype": "DT_INT32"}}}
        out["userDefinedMetadata"] = {"era": "4.x"}
    out["weightsManifest"] = manifest
    return out


def write(era: str, folder: Path, shard_size: int = 200) -> Path:
    """model.json and its shards (``shard_size`` bytes each, so weights straddle shards) under ``folder``."""
    data, _ = weights_for(era)
    chunks = [data[k:k + shard_size] for k in range(0, len(data), shard_size)]
    paths = [f"group1-shard{k + 1}of{len(chunks)}" for k in range(len(chunks))]
    folder.mkdir(parents=True, exist_ok=True)
    for path, chunk in zip(paths, chunks):
        (folder / path).write_bytes(chunk)
    (folder / "model.json").write_text(json.dumps(model_json(era, paths)))
    return folder / "model.json"


def sample_input(batch: int = 3) -> np.ndarray:
    return np.random.default_rng(7).uniform(-1, 1, (batch, 6, 6, 2)).astype(np.float32)
