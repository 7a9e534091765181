"""Model inputs and outputs: from the signature (``userDefinedMetadata.signature`` wins over the top-level
one), else the graph's Placeholders and leaf nodes. Tensor names ``node:i`` resolve to (node, output)."""

from __future__ import annotations

from dataclasses import dataclass

from .attrs import parse_shape, tf_dtype
from .graph_def import Graph

_NO_OUTPUT_OPS = {"NoOp", "Assert", "TensorArrayCloseV3", "InitializeTable", "InitializeTableV2",
                  "LookupTableImport", "LookupTableImportV2", "SaveV2", "Print"}
_PLACEHOLDERS = ("Placeholder", "PlaceholderV2", "PlaceholderWithDefault")


@dataclass
class TensorSpec:
    name: str              # node name (TF.js's ModelTensorInfo.name)
    index: int             # output index of that node
    shape: list | None
    dtype: str | None
    key: str | None = None  # signature key
    resource_id: int | None = None

    @property
    def tensor_name(self) -> str:
        return self.name if self.index == 0 else f"{self.name}:{self.index}"

    def as_dict(self) -> dict:
        out = {"name": self.name, "shape": self.shape, "dtype": self.dtype}
        if self.key is not None:
            out["signature_key"] = self.key
        return out


def split_tensor_name(name: str) -> tuple[str, int]:
    if ":" in name:
        node, _, idx = name.rpartition(":")
        if idx.isdigit():
            return node, int(idx)
    return name, 0


def _specs_from_signature(entries: dict, graph: Graph) -> list[TensorSpec]:
    specs = []
    for key, info in (entries or {}).items():
        node, idx = split_tensor_name(info.get("name", key))
        shape = parse_shape(info.get("tensorShape"))
        dtype = tf_dtype(info.get("dtype")) if info.get("dtype") else None
        if node in graph.nodes:
            n = graph.nodes[node]
            if n.op in _PLACEHOLDERS and n.attrs.get("shape") is not None:
                shape = n.attrs["shape"]  # TF.js checks inputs against the Placeholder's own shape
            if dtype is None:
                dtype = n.attrs.get("dtype") or n.attrs.get("T")
        rid = info.get("resourceId")
        specs.append(TensorSpec(node, idx, shape, dtype, key, int(rid) if rid is not None else None))
    return specs


def graph_inputs(graph: Graph, signature: dict | None) -> list[TensorSpec]:
    if signature and signature.get("inputs"):
        return _specs_from_signature(signature["inputs"], graph)
    return [TensorSpec(n.name, 0, n.attrs.get("shape"), n.attrs.get("dtype"))
            for n in graph.nodes.values() if n.op in ("Placeholder", "PlaceholderV2")]


def graph_outputs(graph: Graph, signature: dict | None) -> list[TensorSpec]:
    if signature and signature.get("outputs"):
        return _specs_from_signature(signature["outputs"], graph)
    consumers = graph.consumers()
    return [TensorSpec(n.name, 0, None, n.attrs.get("T") or n.attrs.get("dtype"))
            for n in graph.nodes.values() if not consumers[n.name] and n.op not in _NO_OUTPUT_OPS]
