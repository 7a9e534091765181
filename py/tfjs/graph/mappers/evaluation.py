"""evaluation: LowerBound TopKV2 UpperBound Unique UniqueV2."""

from __future__ import annotations

from ...ops import graph_extra as gx
from ..registry import op
from ._util import scalar


@op("TopKV2")
def top_k(node, ins, ex):
    k = int(scalar(ins[1]))
    if k < 0 or k > ins[0].shape[-1]:
        raise ValueError(f"k should be in [0, {ins[0].shape[-1]}], got {k}")
    return list(gx.top_k(ins[0], k))


@op("Unique", "UniqueV2")
def unique(node, ins, ex):
    axis = int(scalar(ins[1])) if len(ins) > 1 and ins[1].size else 0
    return list(gx.unique(ins[0], axis))


@op("LowerBound", "UpperBound")
def bounds(node, ins, ex):
    return gx.search_sorted(ins[0], ins[1], "left" if node.op == "LowerBound" else "right")
