"""Batch normalisation folded into the convolution before it: a FusedBatchNorm (inference) over a Conv2D or
DepthwiseConv2dNative output, or a Mul by a per-channel constant, becomes a scaled filter and a bias, with the
official converter's names and arithmetic."""

from __future__ import annotations

import numpy as np

from .graph_nodes import (Nodes, attr_b, attr_f, attr_s, const_value, data_uses, dedupe_controls, make_const,
                          node_inputs, parse_ref, ref, s_attr)


def conv_out_channels(conv: dict, w: np.ndarray) -> int:
    if conv["op"] in ("DepthwiseConv2dNative", "DepthwiseConv2d"):
        return int(w.shape[2] * w.shape[3])
    if conv["op"] == "MatMul":
        return int(w.shape[0] if attr_b(conv, "transpose_b") else w.shape[1])
    return int(w.shape[-1])


def _scale_filter(conv: dict, w: np.ndarray, factor: np.ndarray) -> np.ndarray:
    if conv["op"] in ("DepthwiseConv2dNative", "DepthwiseConv2d"):
        return (w * factor.reshape(w.shape[2], w.shape[3])).astype(np.float32)
    if conv["op"] == "MatMul" and attr_b(conv, "transpose_b"):
        return (w * factor.reshape(-1, 1)).astype(np.float32)
    return (w * factor).astype(np.float32)


_CONVS = ("Conv2D", "DepthwiseConv2dNative")


def fold_batch_norms(nodes: Nodes, keep: set[str]) -> Nodes:
    """Conv2D / DepthwiseConv2dNative -> FusedBatchNorm(V2/V3, inference, NHWC) becomes the convolution with a
    scaled filter followed by a BiasAdd (named as the batch norm was, so its consumers are unchanged)."""
    by_name = {n["name"]: n for n in nodes}
    new_consts: list[tuple[int, dict]] = []
    for bn in list(nodes):
        if bn["op"] not in ("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"):
            continue
        if attr_b(bn, "is_training", True) or (attr_s(bn, "data_format", "NHWC") or "NHWC") != "NHWC":
            continue
        ins = node_inputs(bn)
        if len([t for t in ins if not t.startswith("^")]) < 5:
            continue
        conv = by_name.get(parse_ref(ins[0])[0])
        if conv is None or conv["op"] not in _CONVS or parse_ref(ins[0])[1] != 0:
            continue
        if (attr_s(conv, "data_format", "NHWC") or "NHWC") != "NHWC":
            continue
        w_node = by_name.get(parse_ref(node_inputs(conv)[1])[0])
        w = const_value(w_node)
        params = [const_value(by_name.get(parse_ref(t)[0])) for t in ins[1:5]]
        if w is None or any(p is None for p in params):
            continue
        if len(data_uses(nodes, conv["name"])) != 1 or any(i != 0 for _, _, i in data_uses(nodes, bn["name"])):
            continue
        scale, offset, mean, var = (p.astype(np.float32) for p in params)
        if mean.size == 0:  # FusedBatchNorm with empty mean/variance only works in training
            continue
        eps = attr_f(bn, "epsilon", 1e-4)
        # The official converter's arithmetic, so that the folded weights are the same bytes: var + epsilon in
        # float32, the square root, its reciprocal and the products in float64, rounded to float32 at the end.
        inv = 1.0 / np.sqrt((var + np.float32(eps)).astype(np.float64))
        factor = inv * scale.astype(np.float64)
        bias = (-mean).astype(np.float64) * factor + offset.astype(np.float64)
        new_w = make_const(f"{conv['name']}_weights", _scale_filter(conv, w.astype(np.float64), factor))
        new_b = make_const(f"{conv['name']}_bn_offset", bias.astype(np.float32))
        conv["input"] = [node_inputs(conv)[0], new_w["name"]] + node_inputs(conv)[2:]
        new_consts.append((nodes.index(conv), new_w))
        controls = [t for t in ins[5:] if t.startswith("^")] + [t for t in ins if t.startswith("^")]
        dtype = bn.get("attr", {}).get("T", {"type": "DT_FLOAT"})
        bn_name = bn["name"]
        bn.clear()
        bn.update({"name": bn_name, "op": "BiasAdd",
                   "input": dedupe_controls([ref(conv["name"]), new_b["name"]] + controls),
                   "attr": {"T": dtype, "data_format": s_attr("NHWC")}})
        new_consts.append((nodes.index(conv), new_b))
    # before their convolution, the filter then the offset (the order the official converter creates them in)
    for _, (pos, const) in sorted(enumerate(new_consts), key=lambda t: (t[1][0], t[0]), reverse=True):
        nodes.insert(pos, const)
    return nodes


def fold_scale_into_conv(nodes: Nodes, keep: set[str]) -> Nodes:
    """Conv2D / DepthwiseConv2dNative / MatMul followed by a Mul with a per-output-channel constant (what Keras 3's
    BatchNormalization leaves once folded) becomes the convolution with a scaled filter, named as the Mul."""
    by_name = {n["name"]: n for n in nodes}
    removed: set[str] = set()
    new_consts: list[tuple[int, dict]] = []
    for mul in list(nodes):
        if mul["op"] != "Mul" or mul["name"] in keep:
            continue
        data = [t for t in node_inputs(mul) if not t.startswith("^")]
        if len(data) != 2:
            continue
        for a, b in ((0, 1), (1, 0)):
            conv = by_name.get(parse_ref(data[a])[0])
            c = const_value(by_name.get(parse_ref(data[b])[0]))
            if conv is None or c is None or conv["op"] not in _CONVS + ("MatMul",) or parse_ref(data[a])[1]:
                continue
            if conv["name"] in keep or conv["name"] in removed or c.dtype != np.float32:
                continue
            if conv["op"] != "MatMul" and (attr_s(conv, "data_format", "NHWC") or "NHWC") != "NHWC":
                continue
            cdata = [t for t in node_inputs(conv) if not t.startswith("^")]
            w = const_value(by_name.get(parse_ref(cdata[1])[0]))
            if w is None or w.dtype != np.float32 or (conv["op"] == "MatMul" and attr_b(conv, "transpose_a")):
                continue
            channels = conv_out_channels(conv, w)
            if c.size != channels or any(d != 1 for d in c.shape[:-1]) or c.shape[-1:] != (channels,):
                continue
            if len(data_uses(nodes, conv["name"])) != 1:
                continue
            new_w = make_const(f"{conv['name']}/merged_input",
                               _scale_filter(conv, w.astype(np.float64), c.reshape(-1).astype(np.float64)))
            new_consts.append((nodes.index(conv), new_w))
            controls = [t for t in node_inputs(conv) + node_inputs(mul) if t.startswith("^")]
            name = mul["name"]
            mul.clear()
            mul.update({**conv, "name": name, "input": dedupe_controls([cdata[0], new_w["name"]] + controls),
                        "attr": dict(conv.get("attr", {}))})
            removed.add(conv["name"])
            break
    nodes = [n for n in nodes if n["name"] not in removed]
    for pos, const in sorted(new_consts, key=lambda t: t[0], reverse=True):
        nodes.insert(min(pos, len(nodes)), const)
    return nodes
