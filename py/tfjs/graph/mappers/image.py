"""image: ResizeBilinear ResizeNearestNeighbor CropAndResize ImageProjectiveTransformV3."""

from __future__ import annotations

from ... import ops
from ...ops import graph_extra as gx
from ..registry import op
from ._util import ints, scalar


@op("ResizeBilinear", "ResizeNearestNeighbor")
def resize(node, ins, ex):
    fn = ops.resize_bilinear if node.op == "ResizeBilinear" else ops.resize_nearest_neighbor
    return fn(ins[0], ints(ins[1]), bool(node.attr("align_corners", False)),
              bool(node.attr("half_pixel_centers", False)))


@op("CropAndResize")
def crop_and_resize(node, ins, ex):
    image, boxes, box_ind, size = ins
    return gx.crop_and_resize(image, boxes, box_ind, ints(size), node.str_attr("method", "bilinear"),
                              float(node.attr("extrapolation_value", 0.0)))


@op("ImageProjectiveTransformV3")
def projective_transform(node, ins, ex):
    images, transforms, shape = ins[:3]
    fill = float(scalar(ins[3])) if len(ins) > 3 else 0.0
    return gx.projective_transform(images, transforms, ints(shape), fill,
                                   node.str_attr("interpolation", "nearest"), node.str_attr("fill_mode", "constant"))
