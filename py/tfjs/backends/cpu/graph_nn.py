"""cpu kernels for image, detection, spectral and morphology ops of graph models, with TF.js's formulas:
CropAndResize, ImageProjectiveTransformV3, non-max suppression (hard and soft), Dilation2D,
MaxPoolWithArgmax, LRN, FFT/IFFT/RFFT/IRFFT."""

from __future__ import annotations

import heapq
import math

import numpy as np

from ... import kernel_names as K
from ...geometry import same_or_valid_pads

F32 = np.float32
I32 = np.int32


# --------------------------------------------------------------------------------------------------
# Images


def crop_and_resize(image, boxes, box_ind, crop_size, method="bilinear", extrapolation_value=0.0):
    image = np.asarray(image, F32)
    boxes = np.asarray(boxes, F32).astype(np.float64)
    box_ind = np.asarray(box_ind).astype(np.intp)
    _, ih, iw, c = image.shape
    ch, cw = int(crop_size[0]), int(crop_size[1])
    out = np.full((boxes.shape[0], ch, cw, c), F32(extrapolation_value), F32)
    for b in range(boxes.shape[0]):
        y1, x1, y2, x2 = boxes[b]
        bi = int(box_ind[b])
        if bi < 0 or bi >= image.shape[0]:
            continue
        hs = (y2 - y1) * (ih - 1) / (ch - 1) if ch > 1 else 0.0
        ws = (x2 - x1) * (iw - 1) / (cw - 1) if cw > 1 else 0.0
        ys = y1 * (ih - 1) + np.arange(ch) * hs if ch > 1 else np.full(1, 0.5 * (y1 + y2) * (ih - 1))
        xs = x1 * (iw - 1) + np.arange(cw) * ws if cw > 1 else np.full(1, 0.5 * (x1 + x2) * (iw - 1))
        yok = (ys >= 0) & (ys <= ih - 1)
        xok = (xs >= 0) & (xs <= iw - 1)
        img = image[bi]
        if method == "nearest":
            yi = np.clip(np.floor(ys + 0.5), 0, ih - 1).astype(np.intp)
            xi = np.clip(np.floor(xs + 0.5), 0, iw - 1).astype(np.intp)
            vals = img[yi][:, xi]
        else:
            yc = np.clip(ys, 0, ih - 1)
            xc = np.clip(xs, 0, iw - 1)
            t, bo = np.floor(yc).astype(np.intp), np.ceil(yc).astype(np.intp)
            le, ri = np.floor(xc).astype(np.intp), np.ceil(xc).astype(np.intp)
            yl = (yc - t).astype(F32)[:, None, None]
            xl = (xc - le).astype(F32)[None, :, None]
            tl, tr = img[t][:, le], img[t][:, ri]
            bl, br = img[bo][:, le], img[bo][:, ri]
            top = tl + (tr - tl) * xl
            bottom = bl + (br - bl) * xl
            vals = top + (bottom - top) * yl
        mask = yok[:, None] & xok[None, :]
        out[b] = np.where(mask[..., None], vals, F32(extrapolation_value))
    return out


def _map_coord(coord, size, mode):
    if mode == "constant":
        return coord
    if mode == "nearest":
        return np.clip(coord, 0, size - 1)
    if size <= 1:
        return np.zeros_like(coord)
    if mode == "wrap":
        sz = size - 1
        out = coord.copy()
        neg, big = out < 0, out > size - 1
        out[neg] += size * (np.trunc(-out[neg] / sz) + 1)
        out[big] -= size * np.trunc(out[big] / sz)
        return np.clip(out, 0, size - 1)
    if mode == "reflect":
        sz2 = 2 * size
        out = coord.copy()
        neg, big = out < 0, out > size - 1
        v = out[neg]
        v = np.where(v < -sz2, sz2 * np.trunc(-v / sz2) + v, v)
        out[neg] = np.where(v < -size, v + sz2, -v - 1)
        v = out[big]
        v = np.where(v > sz2, v - sz2 * np.trunc(v / sz2), v)
        out[big] = np.where(v >= size, sz2 - v - 1, v)
        return np.clip(out, 0, size - 1)
    raise ValueError(f"ImageProjectiveTransformV3: unknown fill_mode {mode!r}")


def projective_transform(images, transforms, output_shape, fill_value=0.0, interpolation="nearest",
                         fill_mode="constant"):
    images = np.asarray(images, F32)
    transforms = np.asarray(transforms, F32).astype(np.float64)
    n, ih, iw, c = images.shape
    oh, ow = (int(output_shape[0]), int(output_shape[1])) if output_shape is not None else (ih, iw)
    out = np.full((n, oh, ow, c), F32(fill_value), F32)
    yy, xx = np.meshgrid(np.arange(oh, dtype=np.float64), np.arange(ow, dtype=np.float64), indexing="ij")

    def read(img, y, x):
        ok = (y >= 0) & (y < ih) & (x >= 0) & (x < iw)
        vals = img[np.clip(y, 0, ih - 1), np.clip(x, 0, iw - 1)]
        return np.where(ok[..., None], vals, F32(fill_value))

    for b in range(n):
        t = transforms[b if transforms.shape[0] > 1 else 0]
        proj = t[6] * xx + t[7] * yy + 1
        valid = proj != 0
        proj = np.where(valid, proj, 1)
        in_x = _map_coord((t[0] * xx + t[1] * yy + t[2]) / proj, iw, fill_mode)
        in_y = _map_coord((t[3] * xx + t[4] * yy + t[5]) / proj, ih, fill_mode)
        img = images[b]
        if interpolation == "nearest":
            vals = read(img, np.floor(in_y + 0.5).astype(np.intp), np.floor(in_x + 0.5).astype(np.intp))
        else:
            y0, x0 = np.floor(in_y), np.floor(in_x)
            y1, x1 = y0 + 1, x0 + 1
            iy0, ix0, iy1, ix1 = (v.astype(np.intp) for v in (y0, x0, y1, x1))
            vy0 = (x1 - in_x)[..., None] * read(img, iy0, ix0) + (in_x - x0)[..., None] * read(img, iy0, ix1)
            vy1 = (x1 - in_x)[..., None] * read(img, iy1, ix0) + (in_x - x0)[..., None] * read(img, iy1, ix1)
            vals = (y1 - in_y)[..., None] * vy0 + (in_y - y0)[..., None] * vy1
        out[b] = np.where(valid[..., None], vals, F32(fill_value))
    return out


# --------------------------------------------------------------------------------------------------
# Non-max suppression (TF.js's nonMaxSuppressionImpl: greedy by score, optional soft-NMS)


def _iou(boxes, i, js):
    bi = boxes[i]
    bj = boxes[js]
    ymin_i, ymax_i = min(bi[0], bi[2]), max(bi[0], bi[2])
    xmin_i, xmax_i = min(bi[1], bi[3]), max(bi[1], bi[3])
    ymin_j, ymax_j = np.minimum(bj[:, 0], bj[:, 2]), np.maximum(bj[:, 0], bj[:, 2])
    xmin_j, xmax_j = np.minimum(bj[:, 1], bj[:, 3]), np.maximum(bj[:, 1], bj[:, 3])
    area_i = (ymax_i - ymin_i) * (xmax_i - xmin_i)
    area_j = (ymax_j - ymin_j) * (xmax_j - xmin_j)
    inter = np.maximum(np.minimum(xmax_i, xmax_j) - np.maximum(xmin_i, xmin_j), 0) * \
        np.maximum(np.minimum(ymax_i, ymax_j) - np.maximum(ymin_i, ymin_j), 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = inter / (area_i + area_j - inter)
    return np.where((area_i <= 0) | (area_j <= 0), 0.0, iou)


def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=-math.inf,
                        soft_nms_sigma=0.0, pad_to_max_output_size=False):
    """(selected indices int32, selected scores float32, valid count int32)."""
    boxes = np.asarray(boxes, F32).astype(np.float64).reshape(-1, 4)
    scores = np.asarray(scores, F32).astype(np.float64).reshape(-1)
    max_output_size = int(max_output_size)
    iou_threshold = float(iou_threshold)
    score_threshold = float(score_threshold)
    cand = np.nonzero(scores > score_threshold)[0]
    order = cand[np.argsort(-scores[cand], kind="stable")]
    selected: list[int] = []
    sel_scores: list[float] = []
    if soft_nms_sigma <= 0:
        for i in order:
            if len(selected) >= max_output_size:
                break
            if selected and (_iou(boxes, i, np.asarray(selected)) >= iou_threshold).any():
                continue
            selected.append(int(i))
            sel_scores.append(scores[i])
    else:
        scale = -0.5 / soft_nms_sigma
        heap = [(-scores[i], int(i), 0) for i in order]
        heapq.heapify(heap)
        while len(selected) < max_output_size and heap:
            neg, i, begin = heapq.heappop(heap)
            original = -neg
            score = original
            if original < score_threshold:
                break
            ignore = False
            for j in range(len(selected) - 1, begin - 1, -1):
                iou = float(_iou(boxes, i, np.asarray([selected[j]]))[0])
                if iou >= iou_threshold:
                    ignore = True
                    break
                score *= math.exp(scale * iou * iou) if iou <= iou_threshold else 0.0
                if score <= score_threshold:
                    break
            if ignore:
                continue
            if score == original:
                selected.append(i)
                sel_scores.append(score)
            elif score > score_threshold:
                heapq.heappush(heap, (-score, i, len(selected)))
    valid = len(selected)
    if pad_to_max_output_size and valid < max_output_size:
        selected += [0] * (max_output_size - valid)
        sel_scores += [0.0] * (max_output_size - valid)
    return np.asarray(selected, I32), np.asarray(sel_scores, F32), np.asarray(valid, I32)


# --------------------------------------------------------------------------------------------------
# Morphology and pooling with positions


def dilation2d(x, filt, strides, rates, pad):
    x = np.asarray(x, F32)
    filt = np.asarray(filt, F32)
    kh, kw, c = filt.shape
    pads, outs = same_or_valid_pads(x.shape[1:3], (kh, kw), strides, rates, pad)
    xp = np.pad(x, [(0, 0), pads[0], pads[1], (0, 0)], constant_values=-np.inf)
    out = np.full((x.shape[0], outs[0], outs[1], c), -np.inf, F32)
    for i in range(kh):
        for j in range(kw):
            oy, ox = i * rates[0], j * rates[1]
            view = xp[:, oy:oy + (outs[0] - 1) * strides[0] + 1:strides[0],
                      ox:ox + (outs[1] - 1) * strides[1] + 1:strides[1], :]
            np.maximum(out, view + filt[i, j], out=out)
    return out


def max_pool_with_argmax(x, ksize, strides, pad, include_batch_in_index=False):
    x = np.asarray(x, F32)
    n, h, w, c = x.shape
    pads, outs = same_or_valid_pads((h, w), ksize, strides, (1, 1), pad)
    xp = np.pad(x, [(0, 0), pads[0], pads[1], (0, 0)], constant_values=-np.inf)
    best = np.full((n, outs[0], outs[1], c), -np.inf, F32)
    arg = np.zeros((n, outs[0], outs[1], c), np.int64)
    oy = np.arange(outs[0]) * strides[0] - pads[0][0]
    ox = np.arange(outs[1]) * strides[1] - pads[1][0]
    for i in range(ksize[0]):
        for j in range(ksize[1]):
            view = xp[:, i:i + (outs[0] - 1) * strides[0] + 1:strides[0],
                      j:j + (outs[1] - 1) * strides[1] + 1:strides[1], :]
            better = view > best
            y = (oy + i)[None, :, None, None]
            xx = (ox + j)[None, None, :, None]
            pos = (y * w + xx) * c + np.arange(c)[None, None, None, :]
            if include_batch_in_index:
                pos = pos + (np.arange(n) * h * w * c)[:, None, None, None]
            best = np.where(better, view, best)
            arg = np.where(better, pos, arg)
    return best, arg.astype(I32)


def lrn(x, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):
    x = np.asarray(x, F32)
    c = x.shape[-1]
    sq = np.square(x.astype(np.float64))
    csum = np.concatenate([np.zeros(x.shape[:-1] + (1,)), np.cumsum(sq, axis=-1)], axis=-1)
    lo = np.clip(np.arange(c) - depth_radius, 0, c)
    hi = np.clip(np.arange(c) + depth_radius + 1, 0, c)
    window = csum[..., hi] - csum[..., lo]
    return (x / np.power(bias + alpha * window, beta)).astype(F32)


# --------------------------------------------------------------------------------------------------
# Spectral (innermost axis)


def fft(x):
    return np.fft.fft(np.asarray(x, np.complex64), axis=-1).astype(np.complex64)


def ifft(x):
    return np.fft.ifft(np.asarray(x, np.complex64), axis=-1).astype(np.complex64)


def rfft(x, fft_length=None):
    x = np.asarray(x, F32)
    n = x.shape[-1] if fft_length is None else int(fft_length)
    return np.fft.rfft(x, n=n, axis=-1).astype(np.complex64)


def irfft(x, fft_length=None):
    x = np.asarray(x, np.complex64)
    n = 2 * (x.shape[-1] - 1) if fft_length is None else int(fft_length)
    return np.fft.irfft(x, n=n, axis=-1).astype(F32)


KERNELS = {
    K.CropAndResize: crop_and_resize, K.ImageProjectiveTransformV3: projective_transform,
    K.NonMaxSuppressionV5: non_max_suppression, K.Dilation2D: dilation2d,
    K.MaxPoolWithArgmax: max_pool_with_argmax, K.LRN: lrn, K.FFT: fft, K.IFFT: ifft, K.RFFT: rfft,
    K.IRFFT: irfft,
}
