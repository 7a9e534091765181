"""A planning step of the executor: residual adds (and the activation after them) folded into the convolution
that produces one of their operands, so that a backend with a fused convolution kernel applies them as the
convolution's output is stored instead of in passes of their own.

``Relu(Add(conv, other))`` where ``conv`` is a ``_FusedConv2D`` / ``FusedDepthwiseConv2dNative`` with only
``fused_ops [BiasAdd]`` and no other consumer becomes one node of the convolution's op, with
``fused_ops [BiasAdd, Add, Relu]`` and ``other`` as its extra argument, named as the ``Relu`` (so its consumers
and a fetch of it see the same value). An ``Add`` with no single activation after it is folded alone. On a
backend without such a kernel the graph mappers run the same ops one after another (``apply_fused``), in the same
order, so values do not change. The executor falls back to the graph as written whenever a run feeds or fetches
a node this step removed.
"""

from __future__ import annotations

from .graph_def import CONTROL_FLOW_V1, Graph, Node

CONVOLUTIONS = {"_FusedConv2D", "FusedDepthwiseConv2dNative"}
ADDS = {"Add", "AddV2"}
ACTIVATIONS = {"Relu", "Relu6", "Elu", "Sigmoid"}


def _bias_only(node: Node) -> bool:
    """A convolution whose only fused op is its bias, in NHWC (then its output is what the Add sees)."""
    return (node.op in CONVOLUTIONS and [str(f).lower() for f in node.attr("fused_ops", [])] == ["biasadd"]
            and int(node.attr("num_args", 1)) == 1 and len(node.inputs) == 3
            and str(node.attrs.get("data_format") or "NHWC").upper() == "NHWC")


def fuse_residual_adds(graph: Graph) -> tuple[Graph, set[str]]:
    """The graph with residual adds (and their activation) folded into convolutions, and the names of the
    nodes that no longer exist in it. The graph itself is not changed; with nothing to fold it is returned."""
    nodes = graph.nodes
    if any(n.op in CONTROL_FLOW_V1 for n in nodes.values()):
        return graph, set()
    consumers = graph.consumers()  # data and control consumers
    new = dict(nodes)
    removed: set[str] = set()
    for add in nodes.values():
        if add.op not in ADDS or len(add.inputs) != 2 or add.controls or add.name in removed:
            continue
        conv = other = None
        for i in (0, 1):
            src, idx = add.inputs[i]
            cand = new.get(src)
            if (cand is not None and idx == 0 and add.inputs[1 - i][0] != src and src not in removed
                    and consumers.get(src) == [add.name] and _bias_only(cand)):
                conv, other = cand, add.inputs[1 - i]
                break
        if conv is None:
            continue
        fused_ops = ["BiasAdd", "Add"]
        target = add
        users = consumers.get(add.name, [])
        if len(users) == 1:
            act = new.get(users[0])
            if act is not None and act.op in ACTIVATIONS and act.inputs == [(add.name, 0)] and not act.controls:
                fused_ops.append(act.op)
                target = act
        attrs = dict(conv.attrs)
        attrs["fused_ops"] = fused_ops
        attrs["num_args"] = 2
        new[target.name] = Node(name=target.name, op=conv.op, inputs=list(conv.inputs) + [other],
                                controls=list(conv.controls), attrs=attrs)
        for gone in {conv.name, add.name} - {target.name}:
            new.pop(gone, None)
            removed.add(gone)
    if not removed:
        return graph, set()
    return Graph(nodes=new, functions=graph.functions, versions=graph.versions), removed
