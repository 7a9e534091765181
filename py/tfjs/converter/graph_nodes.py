"""Helpers over a GraphDef's node list (JSON dicts, Const values as numpy arrays): references, consumers,
attributes, constants, topological order and rewiring. The passes of :mod:`.graph_passes` build on them."""

from __future__ import annotations

import base64
from typing import Iterable

import numpy as np

from .pbwire import ARRAY

Nodes = list[dict]


def parse_ref(text: str) -> tuple[str, int, bool]:
    """'name' / 'name:1' / '^name' -> (name, output index, is control). (Function-body refs are not used here.)"""
    if text.startswith("^"):
        return text[1:], 0, True
    name, sep, idx = text.rpartition(":")
    if sep and idx.isdigit() and ":" not in name:
        return name, int(idx), False
    return text, 0, False


def ref(name: str, idx: int = 0) -> str:
    return name if idx == 0 else f"{name}:{idx}"


def node_inputs(node: dict) -> list[str]:
    return node.get("input", [])


def consumers(nodes: Nodes) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {n["name"]: [] for n in nodes}
    for n in nodes:
        for text in node_inputs(n):
            src = parse_ref(text)[0]
            if src in out and (not out[src] or out[src][-1] is not n):
                out[src].append(n)
    return out


def data_uses(nodes: Nodes, name: str) -> list[tuple[dict, int, int]]:
    """(consumer, input position, output index) of every data use of a node."""
    uses = []
    for n in nodes:
        for pos, text in enumerate(node_inputs(n)):
            src, idx, control = parse_ref(text)
            if src == name and not control:
                uses.append((n, pos, idx))
    return uses


def const_value(node: dict | None) -> np.ndarray | None:
    if node is None or node.get("op") != "Const":
        return None
    return node.get("attr", {}).get("value", {}).get("tensor", {}).get(ARRAY)


def attr_s(node: dict, key: str, default: str | None = None) -> str | None:
    v = node.get("attr", {}).get(key)
    if v is None or "s" not in v:
        return default
    return base64.b64decode(v["s"]).decode("utf-8", "replace")


def attr_b(node: dict, key: str, default: bool = False) -> bool:
    v = node.get("attr", {}).get(key)
    return default if v is None or "b" not in v else bool(v["b"])


def attr_f(node: dict, key: str, default: float) -> float:
    v = node.get("attr", {}).get(key)
    return default if v is None or "f" not in v else float(v["f"])


def s_attr(text: str) -> dict:
    return {"s": base64.b64encode(text.encode()).decode()}


NP_TO_DT = {"f": "DT_FLOAT", "b": "DT_BOOL", "O": "DT_STRING", "S": "DT_STRING", "U": "DT_STRING",
             "c": "DT_COMPLEX64"}


def shape_json(shape: Iterable[int]) -> dict:
    dims = [{"size": str(int(d))} if int(d) != 0 else {} for d in shape]
    return {"dim": dims} if dims else {}


def make_const(name: str, value: np.ndarray, dtype: str | None = None) -> dict:
    """A Const node holding ``value`` (dtype: the TF DataType name; from the array when not given)."""
    value = np.asarray(value)
    if dtype is None:
        if value.dtype.kind in "iu":
            dtype = "DT_INT64" if value.dtype == np.int64 else "DT_INT32"
        else:
            dtype = NP_TO_DT.get(value.dtype.kind, "DT_FLOAT")
    if dtype == "DT_FLOAT":
        value = value.astype(np.float32)
    elif dtype == "DT_INT64":
        value = value.astype(np.int64)
    elif dtype == "DT_INT32":
        value = value.astype(np.int32)
    elif dtype == "DT_BOOL":
        value = value.astype(np.bool_)
    return {"name": name, "op": "Const",
            "attr": {"dtype": {"type": dtype},
                     "value": {"tensor": {"dtype": dtype, "tensorShape": shape_json(value.shape), ARRAY: value}}}}


def topo_order(nodes: Nodes) -> Nodes:
    """Nodes ordered so that each comes after its inputs (v1 loops: NextIteration back edges ignored)."""
    by_name = {n["name"]: n for n in nodes}
    order: Nodes = []
    state: dict[str, int] = {}
    for root in nodes:
        if root["name"] in state:
            continue
        stack = [(root, False)]
        while stack:
            n, done = stack.pop()
            name = n["name"]
            if done:
                if state.get(name) != 2:
                    state[name] = 2
                    order.append(n)
                continue
            if name in state:
                continue
            state[name] = 1
            stack.append((n, True))
            if n["op"] in ("Merge", "RefMerge"):
                srcs = [parse_ref(t)[0] for t in node_inputs(n)]
                srcs = [s for s in srcs if by_name.get(s, {}).get("op") not in ("NextIteration", "RefNextIteration")]
            else:
                srcs = [parse_ref(t)[0] for t in node_inputs(n)]
            for s in reversed(srcs):
                if s in by_name and s not in state:
                    stack.append((by_name[s], False))
    return order


def rewire(nodes: Nodes, old: str, new_ref: str, old_idx: int | None = None) -> None:
    """Point every data use of ``old`` (or of its output ``old_idx``) at ``new_ref``; control uses at its node."""
    new_node = parse_ref(new_ref)[0]
    for n in nodes:
        ins = n.get("input")
        if not ins:
            continue
        changed = False
        out = []
        for text in ins:
            src, idx, control = parse_ref(text)
            if src == old and control:
                text = "^" + new_node
                changed = True
            elif src == old and (old_idx is None or idx == old_idx):
                if old_idx is None and idx != 0:
                    raise ValueError(f"cannot rewire output {idx} of {old}")
                text = new_ref
                changed = True
            out.append(text)
        if changed:
            n["input"] = dedupe_controls(out)


def dedupe_controls(inputs: list[str]) -> list[str]:
    data = [t for t in inputs if not t.startswith("^")]
    data_names = {parse_ref(t)[0] for t in data}
    seen, controls = set(), []
    for t in inputs:
        if t.startswith("^") and t[1:] not in seen and t[1:] not in data_names:
            seen.add(t[1:])
            controls.append(t)
    return data + controls
