"""The parsed graph: nodes with decoded attrs and resolved inputs, and function-library bodies.

A node's inputs are ``(source node name, output index)`` pairs; control inputs (``^name``) are kept apart.
Inside a function body an input may be ``node:output_arg:i``: the output arg name is turned into a flat
output index through :data:`OUTPUT_ARGS` (ops with several output args) and the arg names of the function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import FormatError
from .attrs import parse_attrs, parse_shape, tf_dtype

# Ops whose outputs are several named args: the flat index of each arg's first output.
OUTPUT_ARGS = {
    "Switch": {"output_false": 0, "output_true": 1}, "Merge": {"output": 0, "value_index": 1},
    "RefSwitch": {"output_false": 0, "output_true": 1},
    "TopKV2": {"values": 0, "indices": 1}, "Unique": {"y": 0, "idx": 1}, "UniqueV2": {"y": 0, "idx": 1},
    "ListDiff": {"out": 0, "idx": 1},
    "NonMaxSuppressionV4": {"selected_indices": 0, "valid_outputs": 1},
    "NonMaxSuppressionV5": {"selected_indices": 0, "selected_scores": 1, "valid_outputs": 2},
    "FusedBatchNorm": {"y": 0, "batch_mean": 1, "batch_variance": 2, "reserve_space_1": 3,
                       "reserve_space_2": 4},
    "FusedBatchNormV2": {"y": 0, "batch_mean": 1, "batch_variance": 2, "reserve_space_1": 3,
                         "reserve_space_2": 4},
    "FusedBatchNormV3": {"y": 0, "batch_mean": 1, "batch_variance": 2, "reserve_space_1": 3,
                         "reserve_space_2": 4, "reserve_space_3": 5},
    "TensorArrayV3": {"handle": 0, "flow": 1}, "TensorArrayGradV3": {"grad_handle": 0, "flow_out": 1},
    "TensorArrayConcatV3": {"value": 0, "lengths": 1},
    "TensorListConcat": {"tensor": 0, "lengths": 1}, "TensorListConcatV2": {"tensor": 0, "lengths": 1},
    "TensorListPopBack": {"output_handle": 0, "tensor": 1},
    "MaxPoolWithArgmax": {"output": 0, "argmax": 1},
}

CONTROL_FLOW_V1 = {"Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond", "RefSwitch", "RefMerge",
                   "RefEnter", "RefExit", "RefNextIteration"}


@dataclass
class Node:
    name: str
    op: str
    inputs: list[tuple[str, int]] = field(default_factory=list)
    controls: list[str] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    raw_inputs: list[str] = field(default_factory=list)

    # Attribute getters with defaults; errors name the node, the op and the attribute.
    def attr(self, name: str, default: Any = None) -> Any:
        value = self.attrs.get(name)
        return default if value is None else value

    def str_attr(self, name: str, default: str | None = None, keep_case: bool = False) -> str | None:
        value = self.attrs.get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            raise FormatError(f"Node '{self.name}' ({self.op}): attribute '{name}' should be a string, "
                              f"got {value!r}")
        return value if keep_case else value.lower()

    def need(self, name: str) -> Any:
        if self.attrs.get(name) is None:
            raise FormatError(f"Node '{self.name}' ({self.op}) is missing the attribute '{name}'")
        return self.attrs[name]

    def describe(self) -> str:
        return f"node '{self.name}' (op {self.op})"


@dataclass
class Function:
    name: str
    input_names: list[str]
    input_dtypes: list[str | None]
    output_names: list[str]
    outputs: list[tuple[str, int]]
    graph: "Graph"


@dataclass
class Graph:
    nodes: dict[str, Node]
    functions: dict[str, Function] = field(default_factory=dict)
    versions: dict = field(default_factory=dict)

    def consumers(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {name: [] for name in self.nodes}
        for node in self.nodes.values():
            for src in {s for s, _ in node.inputs} | set(node.controls):
                if src in out:
                    out[src].append(node.name)
        return out


def parse_input(text: str, nodes_ops: dict[str, str], func_outputs: dict[str, dict] | None = None
                ) -> tuple[str, int, bool]:
    """'name', 'name:1', 'name:arg:1' or '^name' -> (name, flat output index, is control)."""
    if text.startswith("^"):
        return text[1:], 0, True
    parts = text.split(":")
    if len(parts) == 1:
        return text, 0, False
    if len(parts) == 2:
        return parts[0], int(parts[1]), False
    name, arg, idx = parts[0], parts[1], int(parts[2])
    offsets = OUTPUT_ARGS.get(nodes_ops.get(name, ""), {})
    if func_outputs is not None and name in func_outputs:
        offsets = func_outputs[name]
    return name, offsets.get(arg, 0) + idx, False


def _build_nodes(node_defs: list[dict], extra_ops: dict[str, str] | None = None,
                 call_outputs: dict[str, dict] | None = None) -> dict[str, Node]:
    ops = {n["name"]: n.get("op", "") for n in node_defs}
    if extra_ops:
        ops.update(extra_ops)
    nodes: dict[str, Node] = {}
    for nd in node_defs:
        name = nd.get("name")
        if not name or "op" not in nd:
            raise FormatError(f"GraphDef node without a name or an op: {str(nd)[:200]}")
        if name in nodes:
            raise FormatError(f"GraphDef has two nodes named '{name}'")
        node = Node(name=name, op=nd["op"], attrs=parse_attrs(nd.get("attr")), raw_inputs=list(nd.get("input", [])))
        for text in node.raw_inputs:
            src, idx, control = parse_input(text, ops, call_outputs)
            if control:
                node.controls.append(src)
            else:
                node.inputs.append((src, idx))
        nodes[name] = node
    return nodes


def _function_output_offsets(library: list[dict]) -> dict[str, dict[str, int]]:
    """Per function name, its output args' flat offsets (for nodes that call it: If, While, ...)."""
    return {f["signature"]["name"]: {a["name"]: i for i, a in enumerate(f["signature"].get("outputArg", []))}
            for f in library if "signature" in f}


def parse_function(fdef: dict, offsets: dict[str, dict[str, int]]) -> Function:
    sig = fdef.get("signature", {})
    name = sig.get("name", "?")
    input_args = sig.get("inputArg", [])
    input_names = [a["name"] for a in input_args]
    arg_ops = {n: "_Arg" for n in input_names}
    node_defs = fdef.get("nodeDef", [])
    # Nodes calling other functions (If/While/PartitionedCall): their outputs are named by the callee.
    call_outputs: dict[str, dict] = {}
    for nd in node_defs:
        for key in ("then_branch", "body", "f"):
            callee = nd.get("attr", {}).get(key, {}).get("func", {}).get("name")
            if callee:
                call_outputs[nd["name"]] = {"output": 0}
    args = [{"name": a["name"], "op": "Placeholder",
             "attr": {"dtype": {"type": a.get("type", "DT_FLOAT")}}} for a in input_args]
    nodes = _build_nodes(args + node_defs, arg_ops, call_outputs)
    outputs = []
    out_names = [a["name"] for a in sig.get("outputArg", [])]
    ret = fdef.get("ret", {})
    ops = {n.name: n.op for n in nodes.values()}
    for out_name in out_names:
        if out_name not in ret:
            raise FormatError(f"Function '{name}' has no ret entry for its output '{out_name}'")
        src, idx, _ = parse_input(ret[out_name], ops, call_outputs)
        outputs.append((src, idx))
    return Function(name=name, input_names=input_names,
                    input_dtypes=[tf_dtype(a.get("type")) for a in input_args],
                    output_names=out_names, outputs=outputs, graph=Graph(nodes))


def parse_graph_def(topology: dict) -> Graph:
    """A GraphDef JSON (``modelTopology`` of a graph model) to a :class:`Graph`."""
    if not isinstance(topology, dict) or not isinstance(topology.get("node"), list):
        raise FormatError("Graph model topology has no 'node' list (is this a layers model?)")
    library = (topology.get("library") or {}).get("function") or []
    offsets = _function_output_offsets(library)
    graph = Graph(nodes=_build_nodes(topology["node"]), versions=topology.get("versions") or {})
    for fdef in library:
        fn = parse_function(fdef, offsets)
        graph.functions[fn.name] = fn
    for fn in graph.functions.values():
        fn.graph.functions = graph.functions
    return graph


def node_shape(node: Node) -> list[int] | None:
    shape = node.attrs.get("shape")
    if shape is None and isinstance(node.attrs.get("_output_shapes"), list) and node.attrs["_output_shapes"]:
        shape = node.attrs["_output_shapes"][0]
    return shape


__all__ = ["Node", "Graph", "Function", "parse_graph_def", "parse_input", "node_shape", "parse_shape",
           "CONTROL_FLOW_V1", "OUTPUT_ARGS"]
