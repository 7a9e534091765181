"""What every webgl kernel family shares: the kernel object over one backend (``self.b``), moving inputs to the
GPU (``g``), registration with the kernel registry, and small helpers on shapes and attributes.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ....geometry import same_or_valid_pads
from ...registry import register_kernel
from ..errors import NotOnGPU
from ..tensor import F32, GPUTensor

#: Shape-class claims shared by several kernels (tfjs.backends.registry.SHAPE_CLASSES)
IMAGES = ("image", "image_c4")

def register(op: str, make: Callable, shapes: tuple, supports: Callable | None = None,
             dtypes: tuple = ("float32",), generator: bool = False) -> None:
    """Register a webgl kernel: ``make(backend)`` gives the callable; ``shapes`` the shape classes it claims;
    ``supports`` the predicate on inputs known up front (else the kernel takes every input, and declines
    what it finds on the way with NotOnGPU); ``dtypes`` the dtypes of the GPU tensors it takes (a GPU tensor
    of another dtype sends the op to the cpu kernel); ``generator``: the output comes from attributes and
    scalars, and ``supports`` decides alone whether it is made on the GPU (see registry.KernelConfig)."""
    register_kernel("webgl", op, make=make, supports=supports, shapes=shapes, dtypes=dtypes, generator=generator)


def float32_first(x, *args, **attrs) -> bool:
    """Predicate: the first input is float32 (a GPU tensor is)."""
    return isinstance(x, GPUTensor) or np.asarray(x).dtype == F32


def float_image_and_filter(x, filt, *args, **attrs) -> bool:
    """Predicate of the convolutions: a rank-4 input and a filter of numbers."""
    return np.ndim(x) == 4 and _is_float_input(x) and _is_float_input(filt)


def float32_list(xs, *args, **attrs) -> bool:
    """Predicate of the joining kernels: a non-empty list of float32 tensors."""
    xs = list(xs)
    return bool(xs) and all(_is_float_input(x) and (isinstance(x, GPUTensor) or np.asarray(x).dtype == F32)
                            for x in xs)


class KernelBase:
    """Kernels of one family over one backend object."""

    def __init__(self, backend):
        self.b = backend

    def g(self, x) -> GPUTensor:
        if isinstance(x, GPUTensor):
            return x
        a = x if isinstance(x, np.ndarray) else np.asarray(x)
        if a.dtype.kind not in "fiub" or a.dtype == np.float64 and False:
            raise NotOnGPU()
        return self.b.upload(a)


def _is_float_input(x) -> bool:
    if isinstance(x, GPUTensor):
        return True
    a = np.asarray(x)
    return a.dtype == F32 or a.dtype.kind in "fiub" and a.dtype.kind != "c"


def _channels(x) -> int:
    return x.shape[-1] if x.shape else 1


def _as_channel_vector(v, c: int):
    """v as a length-c vector if it broadcasts only along the last axis of a tensor with c channels."""
    shape = tuple(v.shape)
    while shape and shape[0] == 1:
        shape = shape[1:]
    if shape == (c,) or (shape == () and c == 1):
        return v if len(v.shape) == 1 else v.reshape(c)
    return None


def _ax(axis, rank):
    return axis + rank if axis < 0 else axis


def _probe(x):
    return np.zeros(np.shape(x), np.int8) if int(np.prod(np.shape(x))) <= 1 << 16 else \
        np.broadcast_to(np.zeros((), np.int8), np.shape(x))


def _freeze(v):
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    if isinstance(v, (list, tuple)):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, np.ndarray):
        if v.size > 4096:
            raise TypeError("too big")
        return ("nd", v.shape, v.dtype.str, v.tobytes())
    if isinstance(v, GPUTensor):
        raise TypeError("gpu attr")
    if isinstance(v, np.generic):
        return v.item()
    hash(v)
    return v


def _pair(v):
    if isinstance(v, (int, np.integer)):
        return int(v), int(v)
    v = [int(a) for a in v]
    if len(v) == 1:
        return v[0], v[0]
    if len(v) == 4:
        return v[1], v[2]
    return v[0], v[1]


class Window2D(NamedTuple):
    """Where a 2-D filter window falls (Conv2D, DepthwiseConv2dNative): input (nb, h, w, c), filter (kh, kw) with
    its last dimension ``fout``, strides, dilations, padding and the output size."""
    nb: int
    h: int
    w: int
    c: int
    kh: int
    kw: int
    fout: int
    sh: int
    sw: int
    dh: int
    dw: int
    pads: list
    oh: int
    ow: int

    def glsl_consts(self) -> str:
        """The window's sizes as GLSL constants (a shader's loops unroll over them)."""
        return f"const int KH = {self.kh}; const int KW = {self.kw}; const int SH = {self.sh}; " \
               f"const int SW = {self.sw}; const int DH = {self.dh}; const int DW = {self.dw};\n"


def window_2d(op: str, x, filt, strides, pad, dilations) -> Window2D:
    """The window of ``op`` over NHWC ``x`` with an HWIO-shaped ``filt``; a filter for other channels is a
    ValueError naming the op."""
    nb, h, w, c = np.shape(x)
    kh, kw, fc, fout = np.shape(filt)
    if fc != c:
        raise ValueError(f"{op}: input has {c} channels but the filter expects {fc}")
    sh, sw = _pair(strides)
    dh, dw = _pair(dilations)
    pads, (oh, ow) = same_or_valid_pads((h, w), (kh, kw), (sh, sw), (dh, dw), pad)
    return Window2D(nb, h, w, c, kh, kw, fout, sh, sw, dh, dw, pads, oh, ow)


def window_2d_loop(tap: str, indent: str = "  ", row: str = "") -> str:
    """GLSL: the loop over a 2-D filter window's taps (ky, kx) for the output pixel (oy, ox), skipping the taps
    that fall in the padding. ``tap`` (lines indented by the caller) runs with iy and ix set; ``row``, when
    given, runs once iy is known."""
    i = indent
    return (f"{i}for (int ky = 0; ky < KH; ky++) {{\n"
            f"{i}  int iy = oy * SH - PT + ky * DH;\n"
            f"{i}  if (iy < 0 || iy >= H) continue;\n"
            + (f"{i}  {row}\n" if row else "")
            + f"{i}  for (int kx = 0; kx < KW; kx++) {{\n"
            f"{i}    int ix = ox * SW - PL + kx * DW;\n"
            f"{i}    if (ix < 0 || ix >= W) continue;\n"
            f"{tap}\n"
            f"{i}  }}\n"
            f"{i}}}")
