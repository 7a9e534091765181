"""Projective transforms of images on the webgl backend (ImageProjectiveTransformV3, TF.js's Transform): each
output pixel (x, y) samples the input at ((a0 x + a1 y + a2) / p, (b0 x + b1 y + b2) / p), p = c0 x + c1 y + 1,
with one transform row [a0 a1 a2 b0 b1 b2 c0 c1] per image (or one for all), nearest or bilinear, and the fill
modes of the cpu kernel: "constant" (outside the image: the fill value), "nearest" (clamped to the edge), "wrap"
and "reflect"; p == 0: the fill value. Coordinates are float32 (as on TF.js's webgl backend): a sample within a
float32 rounding of a pixel boundary may land on the other side of it than the cpu kernel's float64 does.
"""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import F32, GPUTensor
from ..textures import MAX_EXACT_INDEX
from .base import IMAGES, KernelBase, float32_first, register

FILL_MODES = ("constant", "reflect", "wrap", "nearest")

def map_coord(v: str, n: str, mode: str) -> str:
    """GLSL statements that map coordinate ``v`` (a float variable) onto an axis of length ``n`` as the cpu
    kernel's fill mode does: constant leaves it (reads outside give the fill value), nearest clamps it, wrap
    and reflect fold it back (an axis of one pixel: 0), then clamp."""
    if mode == "constant":
        return ""
    if mode == "nearest":
        return f"{v} = clamp({v}, 0.0, {n} - 1.0);"
    if mode == "wrap":
        fold = f"""float sz = {n} - 1.0;
        if ({v} < 0.0) {v} += {n} * (trunc(-{v} / sz) + 1.0);
        else if ({v} > sz) {v} -= {n} * trunc({v} / sz);"""
    else:
        fold = f"""float sz2 = 2.0 * {n};
        if ({v} < 0.0) {{
          if ({v} < -sz2) {v} = sz2 * trunc(-{v} / sz2) + {v};
          {v} = {v} < -{n} ? {v} + sz2 : -{v} - 1.0;
        }} else if ({v} > {n} - 1.0) {{
          if ({v} > sz2) {v} -= sz2 * trunc({v} / sz2);
          if ({v} >= {n}) {v} = sz2 - {v} - 1.0;
        }}"""
    return f"""if ({n} <= 1.0) {v} = 0.0; else {{
        {fold}
        {v} = clamp({v}, 0.0, {n} - 1.0);
      }}"""


# The sample position of a pixel: its transform row is two texels (@TR: B1 for a one-row texture, else X1)
_COORDS = """lastpix = pix; int ox = pix % OW; int oy = (pix / OW) % OH; b = pix / (OW * OH);
      int tt = P(0) == 1 ? 0 : b * 2;
      vec4 ta = @TR(tt); vec4 tc = @TR(tt + 1);
      float xf = float(ox); float yf = float(oy);
      float proj = tc.z * xf + tc.w * yf + 1.0;
      live = proj != 0.0;
      sx = (ta.x * xf + ta.y * yf + ta.z) / proj;
      sy = (ta.w * xf + tc.x * yf + tc.y) / proj;
      @MAPX
      @MAPY"""

# @T: float (one channel a read) or vec4 (4 channels: C % 4 == 0); @READ(e): the value at element e. Shape
# constants are part of the source (a program per image and output shape, as TF.js's): their divisions compile
# to multiplications
_BODY = """  const int C = @C; const int OW = @OW; const int OH = @OH; const int H = @H; const int W = @W;
  const float HF = float(H); const float WF = float(W);
  int lastpix = -1; int b = 0; bool live = false; float sx = 0.0; float sy = 0.0;
  @OPEN
    int cc = i % C; int pix = i / C;
    if (pix != lastpix) {
      @COORDS
    }
    @T v = @T(uf[0]);
    if (live) {
      int base = b * H;
      @SAMPLE
    }
    @STORE
  }"""

# reads guarded in float (a coordinate far outside, or NaN, never becomes an int)
_AT = "(yy >= 0.0 && yy < HF && xx >= 0.0 && xx < WF ? @READ((base + int(yy)) * W + int(xx)) : @T(uf[0]))"

_NEAREST = "float yy = floor(sy + 0.5); float xx = floor(sx + 0.5); v = " + _AT + ";"

_BILINEAR = """float y0 = floor(sy); float x0 = floor(sx); float y1 = y0 + 1.0; float x1 = x0 + 1.0;
      float yy = y0; float xx = x0; @T a = @AT; xx = x1; @T bb = @AT;
      yy = y1; xx = x0; @T c = @AT; xx = x1; @T d = @AT;
      @T top = (x1 - sx) * a + (sx - x0) * bb; @T bottom = (x1 - sx) * c + (sx - x0) * d;
      v = (y1 - sy) * top + (sy - y0) * bottom;""".replace("@AT", _AT)


def _body(interpolation: str, fill_mode: str, vec: bool, row: bool, sizes: dict) -> str:
    body = _BODY.replace("@COORDS", _COORDS).replace("@TR", "B1" if row else "X1") \
        .replace("@SAMPLE", _NEAREST if interpolation == "nearest" else _BILINEAR) \
        .replace("@MAPX", map_coord("sx", "WF", fill_mode)).replace("@MAPY", map_coord("sy", "HF", fill_mode))
    for name, value in sizes.items():
        body = body.replace(f"@{name};", f"{int(value)};")
    if vec:  # the pixel's 4 channels from cc on share the coordinates: one texel a read
        return body.replace("@OPEN", "{ int i = i0;").replace("@STORE", "r = v;") \
            .replace("@READ(", "X0((C * (").replace("int(xx))", "int(xx)) + cc) >> 2)").replace("@T", "vec4")
    return body.replace("@OPEN", "for (int q = 0; q < 4; q++) {\n    int i = i0 + q; if (i >= NOUT) break;") \
        .replace("@STORE", "r[q] = v;").replace("@READ(", "S0(C * (").replace("int(xx))", "int(xx)) + cc)") \
        .replace("@T", "float")


class TransformKernels(KernelBase):
    """ImageProjectiveTransformV3 of the webgl backend."""

    def transform(self, images, transforms, output_shape, fill_value=0.0, interpolation="nearest",
                  fill_mode="constant"):  # see _transform_inputs, its predicate
        nb, h, w, c = np.shape(images)
        rows = np.shape(transforms)[0]
        oh, ow = (int(output_shape[0]), int(output_shape[1])) if output_shape is not None else (h, w)
        if rows not in (1, nb) or min(nb, oh, ow, c) == 0 or nb * oh * ow * c >= MAX_EXACT_INDEX:
            raise NotOnGPU()
        x = self.g(images)
        t = transforms if isinstance(transforms, GPUTensor) else self.b.upload(np.asarray(transforms, F32))
        vec = c % 4 == 0
        row = t.texture.h == 1
        sizes = {"C": c, "OW": ow, "OH": oh, "H": h, "W": w}
        plan = Plan(("transform", interpolation, fill_mode, vec), _body(interpolation, fill_mode, vec, row, sizes),
                    [x, t], [int(rows == 1)], [float(fill_value)], c)
        return GPUTensor(self.b, (nb, oh, ow, c), plan=plan)


def _transform_inputs(images, transforms, output_shape=None, fill_value=0.0, interpolation="nearest",
                      fill_mode="constant", *args, **attrs) -> bool:
    """float32 images (rank 4) and transforms [1 or N, 8]; an interpolation and fill mode the cpu kernel has."""
    return np.ndim(images) == 4 and float32_first(images) and np.ndim(transforms) == 2 and \
        np.shape(transforms)[1] == 8 and interpolation in ("nearest", "bilinear") and fill_mode in FILL_MODES and \
        (isinstance(transforms, GPUTensor) or np.asarray(transforms).dtype.kind in "fiu")


def _register() -> None:
    register(K.ImageProjectiveTransformV3, lambda b: TransformKernels(b).transform, IMAGES,
             supports=_transform_inputs)


_register()
