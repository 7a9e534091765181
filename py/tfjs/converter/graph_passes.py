"""Graph passes of the graph-model converter, each a small function over a GraphDef's node list.

Nodes are GraphDef JSON dicts (``{"name", "op", "input", "attr"}``, TFJS_FORMAT.md 8.1) whose Const values are
numpy arrays under ``attr.value.tensor["__array__"]`` (:mod:`tfjs.converter.pbwire`). Every pass takes the node
list and the names that must survive (graph inputs and outputs), returns the new node list, and does not change
what the outputs compute. :func:`optimize` runs them in the converter's order:

    strip_debug_ops -> remove_noops -> remove_identities -> fold_constants -> drop_const_controls ->
    remove_identities (again) -> remove_trivial_arithmetic -> swap_maxpool_of_monotonic -> fold_batch_norms ->
    fold_scale_into_conv -> place_contractions_on_cpu -> fuse_bias_activation -> prune
"""

from __future__ import annotations

import base64
from typing import Callable, Iterable

import numpy as np

from .fold_batch_norm import conv_out_channels, fold_batch_norms, fold_scale_into_conv
from .graph_nodes import (NP_TO_DT, Nodes, attr_b, attr_f, attr_s, const_value, consumers, data_uses,  # noqa: F401
                          dedupe_controls, make_const, node_inputs, parse_ref, rewire, s_attr, shape_json,
                          topo_order)


DEBUG_OPS_PASSTHROUGH = {"CheckNumerics", "Print", "CheckNumericsV2", "DebugIdentity"}
DEBUG_OPS_NO_OUTPUT = {"Assert", "PrintV2"}
CONTROL_FLOW_V1 = {"Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond", "RefSwitch", "RefMerge",
                   "RefEnter", "RefExit", "RefNextIteration"}
# Never folded: inputs, stateful and random ops, resources, control flow, function calls.
NOT_FOLDABLE = {"Const", "Placeholder", "PlaceholderV2", "PlaceholderWithDefault", "NoOp", "Assert", "Print",
                "PrintV2", "If", "StatelessIf", "While", "StatelessWhile", "PartitionedCall",
                "StatefulPartitionedCall", "RandomUniform", "RandomUniformInt", "RandomStandardNormal",
                "TruncatedNormal", "Multinomial", "StatelessRandomUniform", "StatelessRandomNormal",
                "ReadVariableOp", "VarHandleOp", "Identity", "IdentityN"} | CONTROL_FLOW_V1
NOT_FOLDABLE_PREFIXES = ("HashTable", "LookupTable", "InitializeTable", "TensorArray", "TensorList", "Variable",
                         "Random", "Stateless", "Mutable", "Empty", "Enqueue", "Dequeue", "Queue")
MAX_FOLDED_BYTES = 10 * 1024 * 1024
FUSABLE_ACTIVATIONS = {"Relu", "Relu6", "Elu", "LeakyRelu", "Sigmoid", "Prelu"}
# The official converter's own depthwise fusion takes these only (LeakyRelu / Sigmoid stay separate nodes)
DEPTHWISE_ACTIVATIONS = {"Relu", "Relu6", "Elu", "Prelu"}
# Tanh is left unfused on purpose: TF.js 4.22's fused kernels know linear, relu, relu6, elu, prelu, leakyrelu and
# sigmoid only ("Unknown fused activation tanh.").


# --------------------------------------------------------------------------------------------------
# Passes


def strip_debug_ops(nodes: Nodes, keep: set[str]) -> Nodes:
    """Remove Assert / PrintV2 (no outputs: control uses dropped) and pass CheckNumerics / Print through."""
    out = []
    for n in nodes:
        op = n["op"]
        if op in DEBUG_OPS_PASSTHROUGH and n["name"] not in keep:
            data = [t for t in node_inputs(n) if not t.startswith("^")]
            controls = [t for t in node_inputs(n) if t.startswith("^")]
            rewire(nodes, n["name"], data[0], 0)
            # control uses of the debug op now wait on what it waited on
            for m in nodes:
                if any(t == "^" + n["name"] for t in node_inputs(m)):
                    m["input"] = dedupe_controls([t for t in node_inputs(m) if t != "^" + n["name"]]
                                                  + ["^" + parse_ref(data[0])[0]] + controls)
            continue
        if op in DEBUG_OPS_NO_OUTPUT and n["name"] not in keep:
            for m in nodes:
                if any(t == "^" + n["name"] for t in node_inputs(m)):
                    m["input"] = [t for t in node_inputs(m) if t != "^" + n["name"]]
                    if not m["input"]:
                        del m["input"]
            continue
        out.append(n)
    return out


def remove_identities(nodes: Nodes, keep: set[str]) -> Nodes:
    """Bypass Identity nodes (chains included): consumers read the Identity's input directly.

    Kept: graph inputs/outputs, Identities with control inputs, and those next to v1 control flow ops (the
    executor's frames and dead-branch tracking rely on them)."""
    by_name = {n["name"]: n for n in nodes}
    removed: set[str] = set()
    for n in topo_order(nodes):
        if n["op"] not in ("Identity", "Snapshot", "StopGradient") or n["name"] in keep:
            continue
        ins = node_inputs(n)
        if len(ins) != 1 or ins[0].startswith("^"):
            continue
        src = by_name.get(parse_ref(ins[0])[0])
        if src is None or src["op"] in CONTROL_FLOW_V1:
            continue
        if any(u["op"] in CONTROL_FLOW_V1 for u, _, _ in data_uses(nodes, n["name"])):
            continue
        if src["op"] == "Const" and not src.get("input") and parse_ref(ins[0])[1] == 0 and \
                const_value(src) is not None and any("^" + n["name"] in node_inputs(m) for m in nodes):
            # As TensorFlow's Grappler does it (and so the official converter's output): an Identity that other
            # nodes wait on (a frozen variable's ReadVariableOp) is not bypassed but constant-folded: the constant
            # under the Identity's name; the original is pruned if unused. Other Identities are bypassed.
            name = n["name"]
            n.clear()
            n.update(make_const(name, const_value(src), src.get("attr", {}).get("dtype", {}).get("type")))
            continue
        rewire(nodes, n["name"], ins[0], None)
        removed.add(n["name"])
    return [n for n in nodes if n["name"] not in removed]


def _out_dtype(node: dict, arr: np.ndarray) -> str:
    kind = arr.dtype.kind
    if kind in "iu":
        attrs = node.get("attr", {})
        hints = [attrs.get(k, {}).get("type") for k in ("DstT", "out_type", "Tout", "output_type", "dtype", "T",
                                                          "Tidx")]
        return "DT_INT64" if "DT_INT64" in hints and kind != "b" else "DT_INT32"
    return NP_TO_DT.get(kind, "DT_FLOAT")


def _evaluate(node: dict, inputs: list[np.ndarray], n_outputs: int) -> list[np.ndarray]:
    from ..graph.attrs import parse_attrs
    from ..graph.executor import Executor
    from ..graph.graph_def import Graph, Node

    attrs = {k: v for k, v in node.get("attr", {}).items() if "tensor" not in v}
    gnode = Node(name=node["name"], op=node["op"], attrs=parse_attrs(attrs))
    outs = Executor(Graph({}), {}).call(gnode, list(inputs))
    return outs[:n_outputs]


def fold_constants(nodes: Nodes, keep: set[str],
                   evaluate: Callable[[dict, list, int], list] | None = None) -> Nodes:
    """Replace each node whose inputs are all constants by a Const of its value (computed with this package's
    own kernels). Nodes with control inputs, stateful/random/resource ops and control flow are left alone;
    so are results over 10 MiB."""
    from ..graph.registry import lookup

    evaluate = evaluate or _evaluate
    by_name = {n["name"]: n for n in nodes}
    for n in topo_order(nodes):
        op = n["op"]
        if op in NOT_FOLDABLE or op.startswith(NOT_FOLDABLE_PREFIXES) or n["name"] in keep and \
                op.startswith("Placeholder"):
            continue
        ins = node_inputs(n)
        if not ins or any(t.startswith("^") for t in ins):
            continue
        srcs = [parse_ref(t) for t in ins]
        values = [const_value(by_name.get(s)) for s, _, _ in srcs]
        if any(v is None for v in values) or any(i != 0 for _, i, _ in srcs):
            continue
        if lookup(op)[0] is None:
            continue
        uses = data_uses(nodes, n["name"])
        if any(idx != 0 for _, _, idx in uses):
            continue
        try:
            value = np.asarray(evaluate(n, values, 1)[0])
        except Exception:  # noqa: BLE001 - not foldable here: keep the node
            continue
        if not isinstance(value, np.ndarray) or value.dtype == object and op != "Const" and \
                any(v.dtype != object for v in values):
            continue
        if value.nbytes > MAX_FOLDED_BYTES and value.nbytes > max(v.nbytes for v in values):
            continue
        const = make_const(n["name"], value, _out_dtype(n, value))
        n.clear()
        n.update(const)
    return nodes


def _const_input(by_name: dict, ref_text: str) -> np.ndarray | None:
    src, idx, control = parse_ref(ref_text)
    return None if control or idx else const_value(by_name.get(src))


def remove_trivial_arithmetic(nodes: Nodes, keep: set[str]) -> Nodes:
    """What TensorFlow's constant folding simplifies in the official converter, where the result is the other input
    unchanged (same shape and dtype): BiasAdd of an all-zero bias, Add/AddV2 of a scalar zero, Mul of a scalar
    one. Their consumers read the other input; the node goes."""
    by_name = {n["name"]: n for n in nodes}
    removed: set[str] = set()
    for n in topo_order(nodes):
        if n["name"] in keep or any(t.startswith("^") for t in node_inputs(n)):
            continue
        data = node_inputs(n)
        if len(data) != 2:
            continue
        other = None
        if n["op"] == "BiasAdd":
            b = _const_input(by_name, data[1])
            if b is not None and b.ndim == 1 and b.dtype.kind == "f" and not np.any(b) and \
                    (attr_s(n, "data_format", "NHWC") or "NHWC") == "NHWC":
                other = data[0]
        elif n["op"] in ("Add", "AddV2", "Mul"):
            unit = 1 if n["op"] == "Mul" else 0
            for i in (0, 1):
                c = _const_input(by_name, data[i])
                if c is not None and c.ndim == 0 and c.dtype.kind == "f" and c == unit and \
                        _const_input(by_name, data[1 - i]) is None:
                    other = data[1 - i]
                    break
        if other is None or parse_ref(other)[0] in removed:
            continue
        rewire(nodes, n["name"], other, None)
        removed.add(n["name"])
    return [n for n in nodes if n["name"] not in removed]


# TensorFlow's element-wise non-decreasing ops (its arithmetic optimizer's list), which commute with MaxPool
MONOTONIC_NON_DECREASING = {"Acosh", "Asin", "Asinh", "Atan", "Atanh", "Ceil", "Elu", "Erf", "Exp", "Expm1",
                            "Floor", "Log", "Log1p", "Relu", "Relu6", "Rint", "Selu", "Sigmoid", "Sign", "Sinh",
                            "Softsign", "Softplus", "Sqrt", "Tanh"}


def swap_maxpool_of_monotonic(nodes: Nodes, keep: set[str]) -> Nodes:
    """MaxPool(f(x)) -> f(MaxPool(x)) for an element-wise non-decreasing f whose only consumer is the MaxPool, as
    TensorFlow's arithmetic optimizer does it in the official converter (f then runs on the smaller tensor); the
    two nodes keep their names. Not when f is a Relu / Relu6 of a BiasAdd or FusedBatchNorm (that chain fuses)."""
    by_name = {n["name"]: n for n in nodes}
    for pool in list(nodes):
        if pool["op"] != "MaxPool" or pool["name"] in keep:
            continue
        data = [t for t in node_inputs(pool) if not t.startswith("^")]
        if len(data) != 1 or parse_ref(data[0])[1]:
            continue
        inner = by_name.get(parse_ref(data[0])[0])
        if inner is None or inner["op"] not in MONOTONIC_NON_DECREASING or inner["name"] in keep:
            continue
        ins = node_inputs(inner)
        if len(ins) != 1 or ins[0].startswith("^") or len(data_uses(nodes, inner["name"])) != 1 or \
                any(t == "^" + inner["name"] for m in nodes for t in node_inputs(m)):
            continue
        src = by_name.get(parse_ref(ins[0])[0])
        if inner["op"] in ("Relu", "Relu6") and src is not None and \
                (src["op"] == "BiasAdd" or src["op"].startswith("FusedBatchNorm")):
            continue
        rewire(nodes, pool["name"], inner["name"], None)  # pool's consumers read f
        pool["input"] = [ins[0]] + [t for t in node_inputs(pool) if t.startswith("^")]
        inner["input"] = [pool["name"]]
        # the two trade places in the list: still inputs before consumers, nothing else moves
        i, j = nodes.index(inner), nodes.index(pool)
        nodes[i], nodes[j] = pool, inner
    return nodes


def drop_const_controls(nodes: Nodes, keep: set[str]) -> Nodes:
    """Control inputs on plain constants (a Const without inputs of its own, e.g. a frozen variable) order
    nothing: they go, so that the constants they kept alive can be pruned."""
    plain = {n["name"] for n in nodes if n["op"] == "Const" and not n.get("input")}
    for n in nodes:
        ins = node_inputs(n)
        if any(t.startswith("^") and t[1:] in plain for t in ins):
            n["input"] = [t for t in ins if not (t.startswith("^") and t[1:] in plain)]
            if not n["input"]:
                del n["input"]
    return nodes


def remove_noops(nodes: Nodes, keep: set[str]) -> Nodes:
    """NoOp nodes (control-dependency anchors) go: who waited on one waits on what it waited on."""
    by_name = {n["name"]: n for n in nodes}
    noops = {n["name"] for n in nodes if n["op"] == "NoOp" and n["name"] not in keep}
    if not noops:
        return nodes

    def expand(name: str, seen: set[str]) -> list[str]:
        if name not in noops:
            return [name]
        out = []
        for t in node_inputs(by_name[name]):
            src = parse_ref(t)[0]
            if src not in seen:
                seen.add(src)
                out.extend(expand(src, seen))
        return out

    for n in nodes:
        ins = node_inputs(n)
        if any(t.startswith("^") and t[1:] in noops for t in ins):
            new = []
            for t in ins:
                if t.startswith("^") and t[1:] in noops:
                    new.extend("^" + x for x in expand(t[1:], set()))
                else:
                    new.append(t)
            n["input"] = dedupe_controls(new)
    return [n for n in nodes if n["name"] not in noops]


def place_contractions_on_cpu(nodes: Nodes, keep: set[str]) -> Nodes:
    """Conv2D and MatMul nodes get ``device: /device:CPU:0``, as the official converter sets it (TensorFlow's
    remapper fuses them only for the CPU); the fused nodes keep it. TF.js ignores devices."""
    for n in nodes:
        if n["op"] in ("Conv2D", "MatMul"):
            n["device"] = "/device:CPU:0"
    return nodes


def _bias_of(node: dict, by_name: dict, channels: int) -> str | None:
    """The bias input of a BiasAdd, or of an Add/AddV2 with a constant vector of the right length."""
    ins = [t for t in node_inputs(node) if not t.startswith("^")]
    if node["op"] == "BiasAdd":
        if (attr_s(node, "data_format", "NHWC") or "NHWC") != "NHWC":
            return None
        return ins[1]
    if node["op"] in ("Add", "AddV2") and len(ins) == 2:
        v = const_value(by_name.get(parse_ref(ins[1])[0]))
        if v is not None and v.ndim == 1 and v.shape[0] == channels:
            return ins[1]
    return None


_FUSED_NAME = {"Conv2D": "_FusedConv2D", "DepthwiseConv2dNative": "FusedDepthwiseConv2dNative",
               "MatMul": "_FusedMatMul"}


def _fused_attrs(conv: dict, fused_ops: list[str], num_args: int, alpha: float | None) -> dict:
    """The attrs of the fused node, as the official converter writes them (TensorFlow's remapper for _FusedConv2D /
    _FusedMatMul, its own pass for FusedDepthwiseConv2dNative): the contraction's attrs (MatMul's grad_a / grad_b
    dropped), fused_ops, num_args; _FusedConv2D and _FusedMatMul also epsilon and leakyrelu_alpha (0.2 unless a
    LeakyRelu is fused), _FusedConv2D also TArgs, filter_format HWIO and num_host_args 0."""
    drop = ("_output_shapes", "grad_a", "grad_b") if conv["op"] == "MatMul" else ("_output_shapes",)
    attrs = {k: v for k, v in conv.get("attr", {}).items() if k not in drop}
    attrs["fused_ops"] = {"list": {"s": [base64.b64encode(f.encode()).decode() for f in fused_ops]}}
    attrs["num_args"] = {"i": str(num_args)}
    if conv["op"] in ("Conv2D", "MatMul"):
        attrs["epsilon"] = {"f": 0.0}
        attrs["leakyrelu_alpha"] = {"f": 0.2 if alpha is None else alpha}
    if conv["op"] == "Conv2D":
        attrs["TArgs"] = {"list": {"type": [attrs.get("T", {}).get("type", "DT_FLOAT")] * num_args}}
        attrs["filter_format"] = s_attr("HWIO")
        attrs["num_host_args"] = {"i": "0"}
    return attrs


def fuse_bias_activation(nodes: Nodes, keep: set[str]) -> Nodes:
    """Conv2D / DepthwiseConv2dNative / MatMul + BiasAdd (+ Relu, Relu6, Elu, LeakyRelu, Sigmoid, Prelu) become one
    _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul with TF.js's ``fused_ops`` / ``num_args`` attrs
    (:func:`_fused_attrs`), named as the last node of the chain (FusedDepthwiseConv2dNative: as the convolution,
    unless the last node is a graph output)."""
    by_name = {n["name"]: n for n in nodes}
    removed: set[str] = set()
    for conv in list(nodes):
        if conv["op"] not in _FUSED_NAME or conv["name"] in removed or conv["name"] in keep:
            continue
        if conv["op"] != "MatMul" and (attr_s(conv, "data_format", "NHWC") or "NHWC") != "NHWC":
            continue
        if conv["op"] == "MatMul" and attr_b(conv, "transpose_a"):
            continue
        data = [t for t in node_inputs(conv) if not t.startswith("^")]
        w = const_value(by_name.get(parse_ref(data[1])[0]))
        if w is None or w.dtype != np.float32:
            continue
        uses = data_uses(nodes, conv["name"])
        if len(uses) != 1 or uses[0][2] != 0:
            continue
        bias_node = uses[0][0]
        bias_ref = _bias_of(bias_node, by_name, conv_out_channels(conv, w))
        if bias_ref is None or parse_ref([t for t in node_inputs(bias_node) if not t.startswith("^")][0])[0] \
                != conv["name"]:
            continue
        chain = [bias_node]
        fused_ops = ["BiasAdd"]
        extra = [bias_ref]
        alpha = None
        b_uses = data_uses(nodes, bias_node["name"])
        if bias_node["name"] not in keep and len(b_uses) == 1 and b_uses[0][2] == 0 and \
                b_uses[0][0]["op"] in FUSABLE_ACTIVATIONS and b_uses[0][1] == 0 and \
                (conv["op"] != "DepthwiseConv2dNative" or b_uses[0][0]["op"] in DEPTHWISE_ACTIVATIONS):
            act = b_uses[0][0]
            act_ok = True
            if act["op"] == "Prelu":
                a_in = [t for t in node_inputs(act) if not t.startswith("^")]
                if len(a_in) != 2:
                    act_ok = False
                else:
                    extra.append(a_in[1])
            if act["op"] == "LeakyRelu":
                alpha = attr_f(act, "alpha", 0.2)
            if act_ok:
                chain.append(act)
                fused_ops.append(act["op"])
        last = chain[-1]
        controls = [t for n in [conv, *chain] for t in node_inputs(n) if t.startswith("^")]
        attrs = _fused_attrs(conv, fused_ops, len(extra), alpha)
        name = last["name"]
        if conv["op"] in ("DepthwiseConv2dNative",) and last["name"] not in keep:
            # the official converter's own depthwise fusion keeps the convolution's name
            name = conv["name"]
            rewire(nodes, last["name"], name, None)
        fused = {"name": name, "op": _FUSED_NAME[conv["op"]],
                 "input": dedupe_controls(data[:2] + extra + controls), "attr": attrs}
        if conv.get("device"):
            fused["device"] = conv["device"]
        for n in chain[:-1] + [conv]:
            removed.add(n["name"])
        removed.discard(name)
        if name != last["name"]:
            removed.add(last["name"])
            conv.clear()
            conv.update(fused)
        else:
            last.clear()
            last.update(fused)
    return [n for n in nodes if n["name"] not in removed]


def prune(nodes: Nodes, keep: set[str]) -> Nodes:
    """Drop every node the kept nodes (graph inputs and outputs) do not depend on, data or control."""
    by_name = {n["name"]: n for n in nodes}
    live: set[str] = set()
    stack = [k for k in keep if k in by_name]
    while stack:
        name = stack.pop()
        if name in live:
            continue
        live.add(name)
        for t in node_inputs(by_name[name]):
            src = parse_ref(t)[0]
            if src in by_name and src not in live:
                stack.append(src)
    # v1 loops: a live Merge's NextIteration input is live too (covered by the walk); nothing more to add.
    return [n for n in nodes if n["name"] in live]


def used_functions(nodes: Nodes, library: list[dict]) -> list[dict]:
    """The library functions the nodes call (transitively), in library order."""
    by_name = {f["signature"]["name"]: f for f in library}
    live: set[str] = set()

    def scan(ns):
        for n in ns:
            for v in n.get("attr", {}).values():
                names = []
                if "func" in v:
                    names.append(v["func"].get("name"))
                elif "list" in v and "func" in v["list"]:
                    names.extend(f.get("name") for f in v["list"]["func"])
                for name in names:
                    if name in by_name and name not in live:
                        live.add(name)
                        scan(by_name[name].get("nodeDef", []))

    scan(nodes)
    return [f for f in library if f["signature"]["name"] in live]


PASSES = [("strip_debug_ops", strip_debug_ops), ("remove_noops", remove_noops),
          ("remove_identities", remove_identities), ("fold_constants", fold_constants),
          ("drop_const_controls", drop_const_controls), ("remove_identities_2", remove_identities),
          ("remove_trivial_arithmetic", remove_trivial_arithmetic),
          ("swap_maxpool_of_monotonic", swap_maxpool_of_monotonic),
          ("fold_batch_norms", fold_batch_norms), ("fold_scale_into_conv", fold_scale_into_conv),
          ("place_contractions_on_cpu", place_contractions_on_cpu), ("fuse_bias_activation", fuse_bias_activation),
          ("prune", prune)]


# What TensorFlow's remapper would fuse after a contraction's BiasAdd that TF.js cannot run in a fused kernel
# (Tanh; a residual Add; the Mul / Erf of GELU patterns)
REMAPPER_UNSUPPORTED_AFTER_BIAS = {"Tanh", "Add", "AddV2", "Mul", "Erf"}


_BATCH_NORMS = ("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3")


def hide_from_remapper(nodes: Nodes, keep: set[str]) -> Nodes:
    """A copy of the graph for TensorFlow's remapper (Grappler's second pass, which fuses only contractions on the
    CPU device): Conv2D / MatMul nodes whose BiasAdd feeds an op of REMAPPER_UNSUPPORTED_AFTER_BIAS, or that feed
    a batch norm :func:`fold_batch_norms` left (the remapper would make it a fused op TF.js lacks), lose their
    device, so that the remapper leaves them alone; :func:`place_contractions_on_cpu` afterwards puts them back
    and :func:`fuse_bias_activation` fuses what TF.js can run."""
    out = [dict(n) for n in nodes]
    users = consumers(out)
    for n in out:
        if n["op"] not in ("Conv2D", "MatMul") or not n.get("device"):
            continue
        uses = data_uses(out, n["name"])
        if len(uses) == 1 and uses[0][0]["op"] in _BATCH_NORMS:
            del n["device"]
            continue
        if len(uses) != 1 or uses[0][0]["op"] not in ("BiasAdd", "Add", "AddV2"):
            continue
        if any(u["op"] in REMAPPER_UNSUPPORTED_AFTER_BIAS for u in users.get(uses[0][0]["name"], [])):
            del n["device"]
    return out


def optimize(nodes: Nodes, keep: set[str], strip_debug: bool = True, skip: Iterable[str] = (),
             before_fusion: Callable[[Nodes], Nodes] | None = None) -> Nodes:
    """All passes in order (``skip``: pass names to leave out). ``before_fusion``: called with the graph just
    before :func:`fuse_bias_activation` (the converter's hand-over to TensorFlow's Grappler), returns the graph
    the remaining passes go on with."""
    skip = set(skip)
    for name, fn in PASSES:
        if name == "fuse_bias_activation" and before_fusion is not None:
            nodes = before_fusion(nodes)
        if name in skip or (name == "strip_debug_ops" and not strip_debug):
            continue
        nodes = fn(nodes, keep)
    return nodes
