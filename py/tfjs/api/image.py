"""tf.image: flips, color conversions, resizing, crops, non-max suppression, thresholds, projective transforms.
Images are [batch, height, width, channels] (resizing also takes one [height, width, channels] image)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import kernel_names as K
from ..errors import InvalidArgumentError
from ..ops.dispatch import run
from ..ops.nn import rotate_with_offset as ops_rotate_with_offset
from .convert import convert, dtype_of


def flip_left_right(image):
    """tf.image.flipLeftRight(image): a rank-4 batch mirrored along the width (float32)."""
    x = convert(image, "image", "flipLeftRight", "float32")
    if x.ndim != 4:
        raise InvalidArgumentError(f"Error in flipLeftRight: image must be rank 4,but got rank {x.ndim}.")
    return run(K.FlipLeftRight, x)


def rotate_with_offset(image, radians, fill_value=0, center=0.5):
    """tf.image.rotateWithOffset(image, radians, fillValue=0, center=0.5): each image of a rank-4 float32 batch
    rotated by ``radians`` about ``center`` (a fraction of width and height, or [x, y]), nearest pixel;
    pixels from outside take ``fill_value`` (a number, or [r, g, b])."""
    x = convert(image, "image", "rotateWithOffset", "float32")
    if x.ndim != 4:
        raise InvalidArgumentError(f"Error in rotateWithOffset: image must be rank 4,but got rank {x.ndim}.")
    return ops_rotate_with_offset(x, radians, fill_value, center)


def grayscale_to_rgb(image):
    """tf.image.grayscaleToRGB(image): the one channel repeated three times."""
    x = convert(image, "image", "grayscaleToRGB")
    if x.ndim < 2:
        raise InvalidArgumentError(f"Error in grayscaleToRGB: images must be at least rank 2, but got rank "
                                   f"{x.ndim}.")
    if x.shape[-1] != 1:
        raise InvalidArgumentError(f"Error in grayscaleToRGB: last dimension of a grayscale image should be "
                                   f"size 1, but got size {x.shape[-1]}.")
    return run(K.Tile, x, reps=[1] * (x.ndim - 1) + [3])


_RGB_WEIGHTS = (np.float32(0.2989), np.float32(0.5870), np.float32(0.1140))


def _gray(x):
    r, g, b = run(K.SplitV, x, sizes=[1, 1, 1], axis=x.ndim - 1)
    return run(K.Add, run(K.Add, run(K.Mul, r, _RGB_WEIGHTS[0]), run(K.Mul, g, _RGB_WEIGHTS[1])),
               run(K.Mul, b, _RGB_WEIGHTS[2]))


def rgb_to_grayscale(image):
    """tf.image.rgbToGrayscale(image): 0.2989 R + 0.5870 G + 0.1140 B, one channel (int32 stays int32)."""
    x = convert(image, "image", "RGBToGrayscale")
    if x.ndim < 2:
        raise InvalidArgumentError(f"Error in RGBToGrayscale: images must be at least rank 2, but got rank "
                                   f"{x.ndim}.")
    if x.shape[-1] != 3:
        raise InvalidArgumentError(f"Error in RGBToGrayscale: last dimension of an RGB image should be size 3, "
                                   f"but got size {x.shape[-1]}.")
    dtype = dtype_of(x)
    gray = _gray(convert(x, "image", "RGBToGrayscale", "float32"))
    return run(K.Cast, gray, dtype="int32") if dtype == "int32" else gray


def _resize(kernel, js_name):
    def op(images, size, align_corners=False, half_pixel_centers=False):
        x = convert(images, "images", js_name)
        if x.ndim not in (3, 4):
            raise InvalidArgumentError(f"Error in {js_name}: x must be rank 3 or 4, but got rank {x.ndim}.")
        if len(size) != 2:
            raise InvalidArgumentError(f"Error in {js_name}: new shape must 2D, but got shape {list(size)}.")
        if half_pixel_centers and align_corners:
            raise InvalidArgumentError(f"Error in {js_name}: If halfPixelCenters is true, alignCorners must be "
                                       f"false.")
        if kernel == K.ResizeBilinear:
            x = convert(x, "images", js_name, "float32")
        squeeze = x.ndim == 3
        x4 = run(K.Reshape, x, shape=[1, *x.shape]) if squeeze else x
        y = run(kernel, x4, size=[int(s) for s in size], align_corners=align_corners,
                half_pixel_centers=half_pixel_centers)
        if dtype_of(x4) == "int32" and dtype_of(y) != "int32":
            y = run(K.Cast, y, dtype="int32")
        return run(K.Reshape, y, shape=list(np.shape(y))[1:]) if squeeze else y
    op.__name__ = js_name
    op.__doc__ = f"tf.image.{js_name}(images, size, alignCorners=false, halfPixelCenters=false)."
    return op


resize_bilinear = _resize(K.ResizeBilinear, "resizeBilinear")
resize_nearest_neighbor = _resize(K.ResizeNearestNeighbor, "resizeNearestNeighbor")


def crop_and_resize(image, boxes, box_ind, crop_size, method="bilinear", extrapolation_value=0):
    """tf.image.cropAndResize(image, boxes, boxInd, cropSize, method='bilinear', extrapolationValue=0)."""
    x = convert(image, "image", "cropAndResize", "float32")
    b = convert(boxes, "boxes", "cropAndResize", "float32")
    ind = convert(box_ind, "boxInd", "cropAndResize", "int32")
    n = b.shape[0] if b.ndim else 0
    if x.ndim != 4:
        raise InvalidArgumentError(f"Error in cropAndResize: image must be rank 4,but got rank {x.ndim}.")
    if b.ndim != 2 or b.shape[1] != 4:
        raise InvalidArgumentError(f"Error in cropAndResize: boxes must be have size [{n},4] but had shape "
                                   f"{list(b.shape)}.")
    if ind.ndim != 1 or ind.shape[0] != n:
        raise InvalidArgumentError(f"Error in cropAndResize: boxInd must be have size [{n}] but had shape "
                                   f"{list(ind.shape)}.")
    if len(crop_size) != 2 or crop_size[0] < 1 or crop_size[1] < 1:
        raise InvalidArgumentError(f"Error in cropAndResize: cropSize must be atleast [1,1], but was {list(crop_size)}")
    if method not in ("bilinear", "nearest"):
        raise InvalidArgumentError(f"method must be bilinear or nearest, but was {method}")
    return run(K.CropAndResize, x, b, ind, [int(c) for c in crop_size], method=method,
               extrapolation_value=extrapolation_value)


def _nms_args(boxes, scores, max_output_size, iou_threshold, score_threshold, op):
    b = convert(boxes, "boxes", op, "float32")
    s = convert(scores, "scores", op, "float32")
    if b.ndim != 2:
        raise InvalidArgumentError(f"boxes must be a 2D tensor, but was of rank '{b.ndim}'")
    if b.shape[1] != 4:
        raise InvalidArgumentError(f"boxes must have 4 columns, but 2nd dimension was {b.shape[1]}")
    if s.ndim != 1:
        raise InvalidArgumentError("scores must be a 1D tensor")
    if s.shape[0] != b.shape[0]:
        raise InvalidArgumentError(f"scores has incompatible shape with boxes. Expected {b.shape[0]}, but was "
                                   f"{s.shape[0]}")
    if not 0 <= iou_threshold <= 1:
        raise InvalidArgumentError(f"iouThreshold must be in [0, 1], but was '{iou_threshold}'")
    return b, s, min(int(max_output_size), b.shape[0]), float(iou_threshold), float(score_threshold)


def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf")):
    """tf.image.nonMaxSuppression(boxes, scores, maxOutputSize, iouThreshold=0.5, scoreThreshold=-inf):
    int32 indices of the boxes kept, best score first."""
    b, s, n, iou, score = _nms_args(boxes, scores, max_output_size, iou_threshold, score_threshold,
                                    "nonMaxSuppression")
    return run(K.NonMaxSuppressionV5, b, s, n, iou_threshold=iou, score_threshold=score, soft_nms_sigma=0.0)[0]


class WithScore(NamedTuple):
    selected_indices: object
    selected_scores: object


def non_max_suppression_with_score(boxes, scores, max_output_size, iou_threshold=0.5,
                                   score_threshold=float("-inf"), soft_nms_sigma=0.0):
    """tf.image.nonMaxSuppressionWithScore(boxes, scores, maxOutputSize, iouThreshold=0.5,
    scoreThreshold=-inf, softNmsSigma=0): (selected_indices, selected_scores); soft NMS when sigma > 0."""
    b, s, n, iou, score = _nms_args(boxes, scores, max_output_size, iou_threshold, score_threshold,
                                    "nonMaxSuppression")
    idx, sc, _ = run(K.NonMaxSuppressionV5, b, s, n, iou_threshold=iou, score_threshold=score,
                     soft_nms_sigma=float(soft_nms_sigma))
    return WithScore(idx, sc)


class Padded(NamedTuple):
    selected_indices: object
    valid_outputs: object


def non_max_suppression_padded(boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf"),
                               pad_to_max_output_size=False):
    """tf.image.nonMaxSuppressionPadded(boxes, scores, maxOutputSize, iouThreshold=0.5, scoreThreshold=-inf,
    padToMaxOutputSize=false): (selected_indices, valid_outputs); zeros pad the indices up to maxOutputSize."""
    b, s, _, iou, score = _nms_args(boxes, scores, max_output_size, iou_threshold, score_threshold,
                                    "nonMaxSuppression")
    idx, _, valid = run(K.NonMaxSuppressionV5, b, s, int(max_output_size), iou_threshold=iou,
                        score_threshold=score, soft_nms_sigma=0.0, pad_to_max_output_size=pad_to_max_output_size)
    return Padded(idx, valid)


async def non_max_suppression_async(*args, **kwargs):
    """tf.image.nonMaxSuppressionAsync: :func:`non_max_suppression`, awaitable."""
    return non_max_suppression(*args, **kwargs)


async def non_max_suppression_with_score_async(*args, **kwargs):
    """tf.image.nonMaxSuppressionWithScoreAsync: :func:`non_max_suppression_with_score`, awaitable."""
    return non_max_suppression_with_score(*args, **kwargs)


async def non_max_suppression_padded_async(*args, **kwargs):
    """tf.image.nonMaxSuppressionPaddedAsync: :func:`non_max_suppression_padded`, awaitable."""
    return non_max_suppression_padded(*args, **kwargs)


def _otsu(histogram: np.ndarray, total: int) -> np.float32:
    """Otsu's threshold of a 256-bin histogram: the split that maximizes the between-class variance."""
    f32 = np.float32
    best_thresh, best_var = f32(-1), f32(0)
    for index in range(histogram.size - 1):  # (an empty class divides 0 by 0: NaN, never the best, as in TF.js)
        first, second = histogram[:index + 1], histogram[index + 1:]
        w_fore = f32(first.sum(dtype=f32)) / f32(total)
        w_back = f32(second.sum(dtype=f32)) / f32(total)
        mean_first = f32((first * np.arange(first.size, dtype=f32)).sum(dtype=f32)) / f32(first.sum(dtype=f32))
        mean_sec = (f32((second * (np.arange(second.size, dtype=f32) + f32(first.size))).sum(dtype=f32))
                    / f32(second.sum(dtype=f32)))
        diff = f32(mean_first - mean_sec)
        var = f32(f32(f32(w_fore * w_back) * diff) * diff)
        if var > best_var:
            best_var, best_thresh = var, f32(index)
    return best_thresh


def threshold(image, method="binary", inverted=False, thresh_value=0.5):
    """tf.image.threshold(image, method='binary', inverted=false, threshValue=0.5): an int32 [h, w, 1] image
    of 255 where the (grayscale) value is above the threshold (threshValue * 255, or Otsu's), else 0."""
    x = convert(image, "image", "threshold")
    if x.ndim != 3:
        raise InvalidArgumentError(f"Error in threshold: image must be rank 3,but got rank {x.ndim}.")
    if x.shape[2] not in (1, 3):
        raise InvalidArgumentError(f"Error in threshold: image color channel must be equal to 3 or 1but got "
                                   f"{x.shape[2]}.")
    if dtype_of(x) not in ("int32", "float32"):
        raise InvalidArgumentError(f"Error in dtype: image dtype must be int32 or float32,but got dtype "
                                   f"{dtype_of(x)}.")
    if method not in ("otsu", "binary"):
        raise InvalidArgumentError(f"Method must be binary or otsu, but was {method}")
    gray = _gray(convert(x, "image", "threshold", "float32")) if x.shape[2] == 3 else x
    thresh = np.float32(thresh_value) * np.float32(255)
    if method == "otsu":
        hist = np.bincount(np.rint(np.asarray(gray, np.float32)).astype(np.int64).reshape(-1).clip(0),
                           minlength=256)[:256].astype(np.float32)
        with np.errstate(invalid="ignore", divide="ignore"):
            thresh = _otsu(hist, x.shape[0] * x.shape[1])
    cond = run(K.LessEqual if inverted else K.Greater, gray, np.float32(thresh))
    return run(K.Cast, run(K.Mul, run(K.Cast, cond, dtype="float32"), np.float32(255)), dtype="int32")


def transform(image, transforms, interpolation="nearest", fill_mode="constant", fill_value=0, output_shape=None):
    """tf.image.transform(image, transforms, interpolation='nearest', fillMode='constant', fillValue=0,
    outputShape?): each image under its projective transform [a0 a1 a2 b0 b1 b2 c0 c1]."""
    x = convert(image, "image", "transform", "float32")
    t = convert(transforms, "transforms", "transform", "float32")
    if x.ndim != 4:
        raise InvalidArgumentError(f"Error in transform: image must be rank 4,but got rank {x.ndim}.")
    if t.ndim != 2 or (t.shape[0] != x.shape[0] and t.shape[0] != 1) or t.shape[1] != 8:
        raise InvalidArgumentError("Error in transform: Input transform should be batch x 8 or 1 x 8")
    if output_shape is not None and len(output_shape) != 2:
        raise InvalidArgumentError(f"Error in transform: outputShape must be [height, width] or null, but got "
                                   f"{list(output_shape)}.")
    return run(K.ImageProjectiveTransformV3, x, t, output_shape=output_shape, fill_value=fill_value,
               interpolation=interpolation, fill_mode=fill_mode)
