"""dynamic: NonMaxSuppressionV2-V5, Where, ListDiff (outputs whose shape depends on the values)."""

from __future__ import annotations

import math

from ...ops import graph_extra as gx
from ..registry import op
from ._util import scalar


@op("NonMaxSuppressionV2", "NonMaxSuppressionV3", "NonMaxSuppressionV4", "NonMaxSuppressionV5")
def non_max_suppression(node, ins, ex):
    boxes, scores, max_out, iou = ins[:4]
    score_threshold = float(scalar(ins[4])) if len(ins) > 4 else -math.inf
    sigma = float(scalar(ins[5])) if node.op == "NonMaxSuppressionV5" and len(ins) > 5 else 0.0
    pad = node.op == "NonMaxSuppressionV4" and bool(node.attr("pad_to_max_output_size", False))
    idx, sel_scores, valid = gx.non_max_suppression(boxes, scores, int(scalar(max_out)), float(scalar(iou)),
                                                    score_threshold, sigma, pad)
    if node.op == "NonMaxSuppressionV5":
        return [idx, sel_scores, valid]
    if node.op == "NonMaxSuppressionV4":
        return [idx, valid]
    return idx


@op("Where")
def where(node, ins, ex):
    return gx.where_indices(ins[0])


@op("ListDiff")
def list_diff(node, ins, ex):
    return list(gx.list_diff(ins[0], ins[1]))
