"""The wasm kernels on numpy arrays: shapes, padding and strides worked out here, loops in wasm/kernels/*.c.

Each function takes a :class:`~tfjs.backends.wasm.host.Host` and float32 arrays and returns a new float32
array, with the cpu kernel's semantics. A function raises :class:`NotInWasm` for inputs it does not claim
(other dtypes, channel multipliers, broadcasts it does not walk); the backend then runs the cpu kernel.
"""

from __future__ import annotations

import math
import weakref

import numpy as np

from ...geometry import resize_source, same_or_valid_pads

F32 = np.float32
ACT = {"linear": 0, "relu": 1, "relu6": 2, "leakyrelu": 3, "prelu": 4, "elu": 5, "sigmoid": 6,
       "hardsigmoid": 7, "swish": 8, "exp": 9}
BINARY = {"Add": 0, "Sub": 1, "Mul": 2, "RealDiv": 3, "Maximum": 4, "Minimum": 5, "SquaredDifference": 6}
GATHER_BYTES = 1 << 20  # the patch buffer of a convolution: about this many bytes of gathered rows


class NotInWasm(Exception):
    """These inputs are not claimed by the wasm kernel; run the cpu kernel."""


def _f32(x) -> np.ndarray:
    if not isinstance(x, np.ndarray) or x.dtype != F32:
        if isinstance(x, np.ndarray) and x.dtype.kind not in "f":
            raise NotInWasm()
        x = np.asarray(x, F32)
    return x


def placed(host, x) -> np.ndarray:
    """x as a C-contiguous float32 array in the module's memory (no copy in the page)."""
    x = np.ascontiguousarray(_f32(x))
    if host.owns(x):
        return x
    y = host.empty(x.shape)
    y[...] = x
    return y


def _ptr(host, x):
    return 0 if x is None else host.addr(x)


class Packed:
    """Weights packed once for gemm, kept while the weight array lives (keyed by its identity)."""

    def __init__(self, host):
        self.host = host
        self._cache: dict[int, tuple] = {}

    def __len__(self):
        return len(self._cache)

    def get(self, w: np.ndarray, k: int, n: int, owner=None, tag=None) -> np.ndarray:
        """w (any shape of k * n floats, read as [k, n]) packed; cached while ``owner`` (the array the model
        holds, of which w may be a view; w itself by default) lives."""
        owner = w if owner is None else owner
        key = id(owner)
        hit = self._cache.get(key)
        if hit is not None and hit[0]() is owner and hit[1] == (k, n, tag):
            return hit[2]
        src = placed(self.host, w.reshape(k, n))
        packed = self.host.empty(self.host.call("packed_b_floats", k, n))
        self.host.call("pack_b", k, n, self.host.addr(src), n, self.host.addr(packed))
        try:
            ref = weakref.ref(owner, lambda _r, key=key, cache=self._cache: cache.pop(key, None))
        except TypeError:  # not weak-referenceable: pack every time
            return packed
        self._cache[key] = (ref, (k, n, tag), packed)
        return packed

    def clear(self):
        self._cache.clear()

    def release(self, arrays) -> None:
        for a in arrays:
            hit = self._cache.get(id(a))
            if hit is not None and hit[0]() is a:
                del self._cache[id(a)]


def _full(host, v, shape):
    """v broadcast to shape, in the module's memory (as it is when it has that shape already)."""
    if v is None:
        return None
    if not (isinstance(v, np.ndarray) and v.shape == shape):
        v = np.broadcast_to(v, shape)
    return placed(host, v)


def _epilogue(host, n, bias, activation, alpha, slopes, resid, out_shape):
    act = ACT[activation]
    try:
        b = _full(host, bias, (n,))
        s = _full(host, slopes, (n,))
        r = _full(host, resid, tuple(out_shape))
    except ValueError:  # shapes that do not broadcast that way
        raise NotInWasm() from None
    return act, b, s, r


def gemm(host, packed: Packed, a, b, bias=None, activation="linear", alpha=0.2, slopes=None, resid=None,
         owner=None, tag=None):
    """act(a @ b + bias + resid) for a [M, K] and b [K, N] (b packed once and cached while ``owner`` lives)."""
    a = placed(host, a)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise NotInWasm()
    m, k = a.shape
    n = b.shape[1]
    out = host.empty((m, n))
    if m == 0 or n == 0:
        return out
    if k == 0:
        raise NotInWasm()
    pb = packed.get(b, k, n, owner, tag)
    act, bb, s, r = _epilogue(host, n, bias, activation, alpha, slopes, resid, (m, n))
    host.call("gemm", m, n, k, host.addr(a), k, host.addr(pb), _ptr(host, bb), host.addr(out), n, act,
              float(alpha), _ptr(host, s), _ptr(host, r), n)
    return out


def matmul(host, packed: Packed, a, b, transpose_a=False, transpose_b=False):
    """BatchMatMul: rank >= 2, batch dims broadcast; op(a) @ op(b)."""
    a, b = _f32(a), _f32(b)
    if a.ndim < 2 or b.ndim < 2:
        raise NotInWasm()
    owner = b
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    if transpose_b:
        b = np.swapaxes(b, -1, -2)
    if a.shape[-1] != b.shape[-2]:
        raise NotInWasm()
    if b.ndim == 2:  # a weight matrix: the batch folds into M
        out = gemm(host, packed, a.reshape(-1, a.shape[-1]), b, owner=owner, tag=("matmul", transpose_b))
        return out.reshape(a.shape[:-1] + (b.shape[1],))
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a3 = np.broadcast_to(a, batch + a.shape[-2:]).reshape((-1,) + a.shape[-2:])
    b3 = np.broadcast_to(b, batch + b.shape[-2:]).reshape((-1,) + b.shape[-2:])
    scratch = Packed(host)  # activations: packed per product, not cached
    out = host.empty((a3.shape[0], a.shape[-2], b.shape[-1]))
    for i in range(a3.shape[0]):
        out[i] = gemm(host, scratch, a3[i], np.ascontiguousarray(b3[i]))
    return out.reshape(batch + (a.shape[-2], b.shape[-1]))


_PADS: dict[tuple, tuple] = {}


def _pads(x, ksizes, strides, dilations, pad):
    """(strides, dilations, pads, output sizes) of a 2-D window op, remembered per shape and attributes."""
    try:
        key = (x.shape, ksizes, _key(strides), _key(dilations), _key(pad))
        hit = _PADS.get(key)
    except TypeError:
        key, hit = None, None
    if hit is None:
        hit = _pads_uncached(x, ksizes, strides, dilations, pad)
        if key is not None and len(_PADS) < 4096:
            _PADS[key] = hit
    return hit


def _key(v):
    if isinstance(v, (list, tuple)):
        return tuple(tuple(e) if isinstance(e, (list, tuple)) else e for e in v)
    return v


def _pads_uncached(x, ksizes, strides, dilations, pad):
    if isinstance(strides, int):
        strides = (strides, strides)
    if isinstance(dilations, int):
        dilations = (dilations, dilations)
    strides, dilations = tuple(int(s) for s in strides), tuple(int(d) for d in dilations)
    if len(strides) != 2 or len(dilations) != 2:
        raise NotInWasm()
    pads, outs = same_or_valid_pads(x.shape[1:3], ksizes, strides, dilations, pad)
    return strides, dilations, pads, outs


MAX_CALLS = 4096  # prepared calls kept per host (a model has one per convolution)


def _prepared(host, op, x, filt, bias, slopes, resid, attrs):
    """The prepared call of this convolution (see :func:`_prepare`) when one was made for these weights, input
    shape and attributes, and x and resid can be handed over as they are; None otherwise."""
    if type(x) is not np.ndarray or x.dtype != F32 or not x.flags.c_contiguous or not host.owns(x):
        return None, None
    if resid is not None and (type(resid) is not np.ndarray or resid.dtype != F32 or not resid.flags.c_contiguous
                              or not host.owns(resid)):
        return None, None
    try:
        key = (op, id(filt), id(bias), id(slopes), x.shape, None if resid is None else resid.shape,
               *(_key(v) for v in attrs))
        hit = host.calls.get(key)
    except TypeError:  # attributes that are not hashable
        return None, None
    if hit is None:
        return None, key
    refs, call = hit
    if refs[0]() is not filt or (bias is not None and refs[1]() is not bias) or \
            (slopes is not None and refs[2]() is not slopes):
        return None, key
    return call, key


def _prepare(host, key, filt, bias, slopes, call):
    """Keep ``call`` (the export, its arguments around x, out, resid and scratch, and the arrays whose addresses
    they hold) while the weights live; dropped with them (and by the backend's release)."""
    if key is None or len(host.calls) >= MAX_CALLS:
        return
    calls = host.calls
    drop = lambda _r, key=key: calls.pop(key, None)  # noqa: E731
    try:
        refs = tuple(None if v is None else weakref.ref(v, drop) for v in (filt, bias, slopes))
    except TypeError:
        return
    # hold the copies the call addresses (packed weights, placed bias), not the weights themselves: those are
    # watched, and their death drops the call
    owners = {id(filt), id(bias), id(slopes)}
    held = tuple(a for a in call[-1] if a is not None and id(a) not in owners)
    calls[key] = (refs, call[:-1] + (held,))


def _run_prepared(host, call, x, resid):
    name, out_shape, head, tail, scratch_shape, _arrays = call
    out = host.empty(out_shape)
    r = 0 if resid is None else host.addr(resid)
    if scratch_shape is None:  # gemm: x is A, resid the residual rows
        host.call(name, *head, host.addr(x), *tail[0], host.addr(out), *tail[1], r, tail[2])
    elif scratch_shape == ():  # depthwise2d
        host.call(name, *head, host.addr(x), *tail[0], host.addr(out), *tail[1], r)
    else:
        scratch = host.empty(scratch_shape)
        host.call(name, *head, host.addr(x), *tail[0], host.addr(out), *tail[1], r, host.addr(scratch),
                  scratch_shape[0])
    return out


def conv2d(host, packed: Packed, x, filt, strides=1, pad="valid", dilations=1, bias=None, activation="linear",
           alpha=0.2, slopes=None, resid=None):
    """Conv2D NHWC, filter [kh, kw, Cin, Cout], with the fused epilogue."""
    call, key = _prepared(host, "conv2d", x, filt, bias, slopes, resid, (strides, pad, dilations, activation, alpha))
    if call is not None:
        return _run_prepared(host, call, x, resid)
    x, filt = _f32(x), _f32(filt)
    if x.ndim != 4 or filt.ndim != 4 or x.shape[3] != filt.shape[2]:
        raise NotInWasm()
    kh, kw, cin, cout = filt.shape
    (sh, sw), (dh, dw), pads, (oh, ow) = _pads(x, (kh, kw), strides, dilations, pad)
    nb = x.shape[0]
    if nb * oh * ow * cout == 0:
        return host.empty((nb, oh, ow, cout))
    epi = dict(bias=bias, activation=activation, alpha=alpha, slopes=slopes)
    if kh == kw == 1 and not any(a or b for a, b in pads):
        xs = x[:, ::sh, ::sw] if sh > 1 or sw > 1 else x
        r = None if resid is None else np.broadcast_to(resid, (nb, oh, ow, cout)).reshape(-1, cout)
        out = gemm(host, packed, xs.reshape(-1, cin), filt.reshape(cin, cout), resid=r, owner=filt, tag="conv",
                   **epi)
        if sh == sw == 1 and (resid is None or np.shape(resid) == (nb, oh, ow, cout)) and cin > 0:
            m = nb * oh * ow
            pb = packed.get(filt, cin, cout, filt, "conv")
            act, b, s, _ = _epilogue(host, cout, bias, activation, alpha, slopes, None, (m, cout))
            _prepare(host, key, filt, bias, slopes,
                     ("gemm", (nb, oh, ow, cout), (m, cout, cin),
                      ((cin, host.addr(pb), _ptr(host, b)), (cout, act, float(alpha), _ptr(host, s)), cout),
                      None, (pb, b, s)))
        return out.reshape(nb, oh, ow, cout)
    x = placed(host, x)
    k = kh * kw * cin
    pb = packed.get(filt, k, cout, tag="conv")
    out = host.empty((nb, oh, ow, cout))
    act, b, s, r = _epilogue(host, cout, bias, activation, alpha, slopes, resid, out.shape)
    rows = max(4, min(oh * ow, (GATHER_BYTES // (4 * k)) // 4 * 4))
    scratch = host.empty((rows, k))
    head = (nb, x.shape[1], x.shape[2], cin, kh, kw, sh, sw, dh, dw, pads[0][0], pads[1][0], oh, ow, cout)
    tail = ((host.addr(pb), _ptr(host, b)), (act, float(alpha), _ptr(host, s)))
    host.call("conv2d", *head, host.addr(x), *tail[0], host.addr(out), *tail[1], _ptr(host, r),
              host.addr(scratch), rows)
    if resid is None or np.shape(resid) == out.shape:
        _prepare(host, key, filt, bias, slopes, ("conv2d", out.shape, head, tail, (rows, k), (pb, b, s)))
    return out


def depthwise2d(host, x, filt, strides=1, pad="valid", dilations=1, bias=None, activation="linear", alpha=0.2,
                slopes=None, resid=None):
    """DepthwiseConv2dNative NHWC with channel multiplier 1, filter [kh, kw, C, 1], fused epilogue."""
    call, key = _prepared(host, "depthwise2d", x, filt, bias, slopes, resid,
                          (strides, pad, dilations, activation, alpha))
    if call is not None:
        return _run_prepared(host, call, x, resid)
    x, filt = _f32(x), _f32(filt)
    if x.ndim != 4 or filt.ndim != 4 or filt.shape[3] != 1 or x.shape[3] != filt.shape[2]:
        raise NotInWasm()
    kh, kw, c, _ = filt.shape
    (sh, sw), (dh, dw), pads, (oh, ow) = _pads(x, (kh, kw), strides, dilations, pad)
    nb = x.shape[0]
    out = host.empty((nb, oh, ow, c))
    if out.size == 0:
        return out
    x, w = placed(host, x), placed(host, filt)
    act, b, s, r = _epilogue(host, c, bias, activation, alpha, slopes, resid, out.shape)
    head = (nb, x.shape[1], x.shape[2], c, kh, kw, sh, sw, dh, dw, pads[0][0], pads[1][0], oh, ow)
    tail = ((host.addr(w), _ptr(host, b)), (act, float(alpha), _ptr(host, s)))
    host.call("depthwise2d", *head, host.addr(x), *tail[0], host.addr(out), *tail[1], _ptr(host, r))
    if resid is None or np.shape(resid) == out.shape:
        _prepare(host, key, filt, bias, slopes, ("depthwise2d", out.shape, head, tail, (), (w, b, s)))
    return out


def pool2d(host, x, ksize, strides, pad, mode):
    x = _f32(x)
    if x.ndim != 4:
        raise NotInWasm()
    ksize = (ksize, ksize) if isinstance(ksize, int) else tuple(int(k) for k in ksize)
    (sh, sw), _, pads, (oh, ow) = _pads(x, ksize, strides, 1, pad)
    out = host.empty((x.shape[0], oh, ow, x.shape[3]))
    if out.size == 0:
        return out
    x = placed(host, x)
    host.call("pool2d", x.shape[0], x.shape[1], x.shape[2], x.shape[3], ksize[0], ksize[1], sh, sw, pads[0][0],
              pads[1][0], oh, ow, host.addr(x), host.addr(out), 0 if mode == "max" else 1)
    return out


def mean(host, x, axis=None, keep_dims=False):
    """Mean over the spatial axes of an NHWC tensor (global average pooling); other reductions: cpu."""
    x = _f32(x)
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    if x.ndim != 4 or axis is None or sorted(int(a) % 4 for a in axes) != [1, 2] or x.shape[1] * x.shape[2] == 0:
        raise NotInWasm()
    x = placed(host, x)
    out = host.empty((x.shape[0], x.shape[3]))
    host.call("mean_spatial", x.shape[0], x.shape[1] * x.shape[2], x.shape[3], host.addr(x), host.addr(out))
    return out.reshape(x.shape[0], 1, 1, x.shape[3]) if keep_dims else out


def _operand(x, shape):
    """How the binary kernel walks x broadcast to shape, seen as (rows, cols): (array, row stride, element
    stride), or None when the broadcast is not one of full / repeated row / repeated column / scalar."""
    cols = shape[-1] if shape else 1
    if x.size == 1:
        return x.reshape(1), 0, 0
    if x.shape == tuple(shape):
        return x, cols, 1
    xs = (1,) * (len(shape) - x.ndim) + x.shape
    if all(d == 1 for d in xs[:-1]) and xs[-1] == cols:
        return x.reshape(cols), 0, 1
    if xs[-1] == 1 and xs[:-1] == tuple(shape[:-1]):
        return x.reshape(-1), 1, 0
    return None


def _widen(operand, cols, k):
    """An operand of the (rows, cols) walk as one of the (rows / k, cols * k) walk (not a repeated column)."""
    x, row_stride, elem_stride = operand
    if row_stride == cols:  # full
        return x, cols * k, 1
    if row_stride == 0 and elem_stride == 1:  # a repeated row: k copies of it
        return np.tile(x, k), 0, 1
    return operand  # a scalar


def binary(host, op, a, b):
    if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.dtype != F32 or b.dtype != F32:
        raise NotInWasm()
    if a.shape == b.shape or b.ndim <= a.ndim and b.size == 1:
        shape = a.shape
    elif a.ndim <= b.ndim and a.size == 1:
        shape = b.shape
    else:
        shape = np.broadcast_shapes(a.shape, b.shape)
    pa, pb = _operand(a, shape), _operand(b, shape)
    if pa is None or pb is None:
        raise NotInWasm()
    if 0 in shape:
        return host.empty(shape)
    cols = shape[-1] if shape else 1
    rows = math.prod(shape) // cols
    if cols % 4 and rows > 1 and pa[1:] != (1, 0) and pb[1:] != (1, 0):
        # a narrow last axis (an image's 3 channels): k rows at a time, so that each row runs in vectors
        k = 4 // math.gcd(cols, 4)
        while cols * k < 32:
            k *= 2
        if rows % k == 0:
            pa, pb = _widen(pa, cols, k), _widen(pb, cols, k)
            rows, cols = rows // k, cols * k
    out = host.empty(shape)
    xa, xb = placed(host, pa[0]), placed(host, pb[0])
    host.call("binary", BINARY[op], rows, cols, host.addr(xa), pa[1], pa[2], host.addr(xb), pb[1], pb[2],
              host.addr(out))
    return out


def unary(host, activation, x, alpha=0.2, slopes=None):
    if not isinstance(x, np.ndarray) or x.dtype != F32 or x.size == 0:
        raise NotInWasm()
    x = placed(host, x)
    cols = x.shape[-1] if x.ndim else 1
    s = None
    if slopes is not None:
        slopes = _f32(slopes)
        if slopes.size == 1:
            activation, alpha = "leakyrelu", float(slopes.reshape(-1)[0])
        elif all(d == 1 for d in slopes.shape[:-1]) and slopes.shape[-1] == cols and slopes.ndim <= x.ndim:
            s = placed(host, slopes.reshape(cols))
        else:
            raise NotInWasm()
    out = host.empty(x.shape)
    host.call("unary", ACT[activation], x.size // cols, cols, host.addr(x), host.addr(out), float(alpha),
              _ptr(host, s))
    return out


def clip(host, x, lo, hi):
    """ClipByValue on float32: min(max(x, lo), hi)."""
    if not isinstance(x, np.ndarray) or x.dtype != F32 or np.ndim(lo) or np.ndim(hi):
        raise NotInWasm()
    x = placed(host, x)
    out = host.empty(x.shape)
    host.call("clip", x.size, host.addr(x), host.addr(out), float(lo), float(hi))  # rounded to f32 by the call
    return out


def softmax(host, x, axis=-1):
    x = _f32(x)
    if x.ndim == 0 or axis not in (-1, x.ndim - 1) or x.shape[-1] == 0:
        raise NotInWasm()
    x = placed(host, x)
    out = host.empty(x.shape)
    host.call("softmax", x.size // x.shape[-1], x.shape[-1], host.addr(x), host.addr(out))
    return out


def _source_table(in_size, out_size, align_corners, half_pixel_centers):
    """The cpu kernel's source rows: low, high, fraction (see tfjs.geometry.resize_source)."""
    src = resize_source(in_size, out_size, align_corners, half_pixel_centers)
    low = np.maximum(np.floor(src), 0).astype(np.int64)
    high = np.minimum(np.ceil(src).astype(np.int64), in_size - 1)
    frac = (src - low).astype(F32)
    return np.minimum(low, in_size - 1).astype(np.int32), high.astype(np.int32), frac


def resize_bilinear(host, x, size, align_corners=False, half_pixel_centers=False):
    x = _f32(x)
    if x.ndim != 4:
        raise NotInWasm()
    nb, h, w, c = x.shape
    oh, ow = int(size[0]), int(size[1])
    out = host.empty((nb, oh, ow, c))
    if out.size == 0 or x.size == 0:
        raise NotInWasm()
    x = placed(host, x)
    tables = []  # held until the call returns: their addresses go to the kernel
    for t in (*_source_table(h, oh, align_corners, half_pixel_centers),
              *_source_table(w, ow, align_corners, half_pixel_centers)):
        tables.append(host.empty(t.shape, t.dtype))
        tables[-1][...] = t
    host.call("resize_bilinear", nb, h, w, c, oh, ow, host.addr(x), host.addr(out), *map(host.addr, tables))
    return out


def batch_norm(host, x, mean, variance, offset=None, scale=None, variance_epsilon=1e-3):
    """FusedBatchNorm over the last axis, per-channel statistics (the cpu kernel's formula and rounding)."""
    x = _f32(x)
    if x.ndim == 0 or x.size == 0:
        raise NotInWasm()
    c = x.shape[-1]

    def channel(v):
        v = np.asarray(v, F32)
        if v.size == 1:
            v = np.broadcast_to(v.reshape(1), (c,))
        if v.ndim > 1 and any(d != 1 for d in v.shape[:-1]) or v.shape[-1] != c:
            raise NotInWasm()
        return placed(host, v.reshape(c))

    tables = host.tables
    key = ("batchnorm", id(mean), id(variance), id(offset), id(scale), float(variance_epsilon), c)
    hit = tables.get(key)
    if hit is not None and all(r() is v for r, v in zip(hit[0], (mean, variance, offset, scale)) if r is not None):
        m, i, o = hit[1]
    else:
        inv = F32(1) / np.sqrt(np.asarray(variance, F32) + F32(variance_epsilon))
        if scale is not None:
            inv = inv * np.asarray(scale, F32)
        m, i = channel(mean), channel(inv)
        o = channel(offset) if offset is not None else None
        try:  # a model's statistics: worked out once, dropped with them
            drop = lambda _r, key=key, tables=tables: tables.pop(key, None)  # noqa: E731
            refs = tuple(None if v is None else weakref.ref(v, drop) for v in (mean, variance, offset, scale))
            tables[key] = (refs, (m, i, o))
        except TypeError:
            pass
    x = placed(host, x)
    out = host.empty(x.shape)
    host.call("batchnorm", x.size // c, c, host.addr(x), host.addr(m), host.addr(i), _ptr(host, o), host.addr(out))
    return out


def pad(host, x, paddings, constant_value=0.0):
    """PadV2 (constant) of a float32 tensor of rank 1 to 4: TF.js's paddings [[before, after], ...]."""
    x = _f32(x)
    if not 1 <= x.ndim <= 4 or len(paddings) != x.ndim or np.ndim(constant_value):
        raise NotInWasm()
    pads = [(int(a), int(b)) for a, b in paddings]
    if any(a < 0 or b < 0 for a, b in pads):
        raise NotInWasm()
    out_shape = tuple(d + a + b for d, (a, b) in zip(x.shape, pads))
    out = host.empty(out_shape)
    if out.size == 0:
        return out
    lead = 4 - x.ndim
    dims = (1,) * lead + x.shape
    before = (0,) * lead + tuple(a for a, _ in pads)
    ext = (1,) * lead + out_shape
    x = placed(host, x)
    host.call("pad4", *dims, *before, *ext, host.addr(x), host.addr(out), float(constant_value))
    return out
