"""Volumes of the webgl backend (NDHWC, channels last): Conv3D, MaxPool3D and AvgPool3D, one direct pass each
(1x1x1 stride-1 convolutions run as matrix products). Taps are visited in the cpu kernel's order (depth, then
rows, then columns), so sums round as it does; padded cells are skipped (a max over real cells, an average over
the real cells a window covers).
"""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ....geometry import same_or_valid_pads
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import GPUTensor
from .base import _is_float_input, register
from .matmul import MatmulKernels

#: what every volume pass starts with: the output element's (batch, z, y, x) from its pixel index
_COORDS = "int ox = pix % OW; int oy = (pix / OW) % OH; int oz = (pix / (OW * OH)) % OD; int nn = pix / (OW * OH * OD);"

_TAPS = """for (int kd = 0; kd < KD; kd++) {
      int iz = oz * SD - PF + kd * DD;
      if (iz < 0 || iz >= D) continue;
      for (int ky = 0; ky < KH; ky++) {
        int iy = oy * SH - PT + ky * DH;
        if (iy < 0 || iy >= H) continue;
        for (int kx = 0; kx < KW; kx++) {
          int ix = ox * SW - PL + kx * DW;
          if (ix < 0 || ix >= W) continue;
          int xb = (((nn * D + iz) * H + iy) * W + ix) * C;
          TAP
        }
      }
    }"""


def _triple(value) -> tuple[int, int, int]:
    """An attribute of three spatial values (an int for all three); another length goes to the cpu kernel,
    whose error names it."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * 3
    v = [int(a) for a in value]
    if len(v) != 3:
        raise NotOnGPU()
    return v[0], v[1], v[2]


def _consts(k, s, d) -> str:
    return (f"const int KD = {k[0]}; const int KH = {k[1]}; const int KW = {k[2]}; const int SD = {s[0]}; "
            f"const int SH = {s[1]}; const int SW = {s[2]}; const int DD = {d[0]}; const int DH = {d[1]}; "
            f"const int DW = {d[2]};\n  int D = P(0); int H = P(1); int W = P(2); int C = P(3); int OD = P(4); "
            f"int OH = P(5); int OW = P(6); int PF = P(7); int PT = P(8); int PL = P(9);\n")


class VolumeKernels(MatmulKernels):
    """Conv3D, MaxPool3D and AvgPool3D of the webgl backend."""

    def conv3d(self, x, filt, strides=1, pad="valid", dilations=1):  # see _volume_and_filter
        nb, d, h, w, cin = np.shape(x)
        kd, kh, kw, fcin, cout = np.shape(filt)
        if fcin != cin:
            raise NotOnGPU()  # the cpu kernel says which channels differ
        s = _triple(strides)
        dl = _triple(dilations)
        pads, outs = same_or_valid_pads((d, h, w), (kd, kh, kw), s, dl, pad)
        out_shape = (nb, *outs, cout)
        if min(out_shape) == 0:
            raise NotOnGPU()
        x = self.g(x)
        if (kd, kh, kw) == (1, 1, 1) and s == (1, 1, 1) and not any(a or b for a, b in pads):
            if not isinstance(filt, GPUTensor):
                filt = np.asarray(filt).reshape(cin, cout)
            else:
                filt = filt.reshape(cin, cout)
            return self._matmul_plan(x, filt, nb * d * h * w, cin, cout, 1, 1, False, False, out_shape)
        f = self.g(filt)
        head = _consts((kd, kh, kw), s, dl) + "  int COUT = P(10);\n"
        w_row = cout % 4 == 0 and f.texture.h == 1  # the filter in one texture row: read at (texel, 0)
        if cout % 4 == 0:
            # 4 output channels a texel: each input value meets a vec4 of the filter (one texel of its row)
            tap = ("int wt = (((kd * KH + ky) * KW + kx) * C * COUT + co) >> 2;\n"
                   "          for (int c = 0; c < C; c++) { acc += S0(xb + c) * X1(wt); wt += ws; }")
            if cin % 4 == 0:
                # the pixel's channels are consecutive texels: their coordinates step along, no division
                tap = ("int wt = (((kd * KH + ky) * KW + kx) * C * COUT + co) >> 2; int xt = xb >> 2;\n"
                       "          ivec2 xc = ivec2(xt % ui[2], xt / ui[2]);\n"
                       "          for (int c = 0; c < C; c += 4) {\n"
                       "            vec4 xv = T0(xc); xc.x++; if (xc.x == ui[2]) { xc.x = 0; xc.y++; }\n"
                       "            acc += xv.x * X1(wt) + xv.y * X1(wt + ws) + xv.z * X1(wt + 2 * ws)"
                       " + xv.w * X1(wt + 3 * ws);\n"
                       "            wt += 4 * ws;\n          }")
            if w_row:
                tap = tap.replace("X1(", "B1(")
            body = head + f"""  int co = i0 % COUT; int pix = i0 / COUT; int ws = COUT >> 2;
  {_COORDS}
  vec4 acc = vec4(0.0);
  {_TAPS.replace("TAP", tap)}
  r = acc;"""
        else:
            tap = ("int wb = ((kd * KH + ky) * KW + kx) * C * COUT + co;\n"
                   "          for (int c = 0; c < C; c++) acc += S0(xb + c) * S1(wb + c * COUT);")
            body = head + f"""  for (int q = 0; q < 4; q++) {{
    int i = i0 + q; if (i >= NOUT) break;
    int co = i % COUT; int pix = i / COUT;
    {_COORDS}
    float acc = 0.0;
    {_TAPS.replace("TAP", tap)}
    r[q] = acc;
  }}"""
        params = [d, h, w, cin, *outs, pads[0][0], pads[1][0], pads[2][0], cout]
        key = ("conv3d", kd, kh, kw, cout % 4 == 0, cin % 4 == 0, w_row)
        return GPUTensor(self.b, out_shape, plan=Plan(key, body, [x, f], params, [], cout))

    def pool3d(self, mode: str):
        def kernel(x, ksize, strides, pad):  # see _volume
            nb, d, h, w, c = np.shape(x)
            k = _triple(ksize)
            s = _triple(strides)
            pads, outs = same_or_valid_pads((d, h, w), k, s, (1, 1, 1), pad)
            out_shape = (nb, *outs, c)
            if min(out_shape) == 0:
                raise NotOnGPU()
            x = self.g(x)
            if mode == "max":
                init, tap, fin = "uintBitsToFloat(0xff800000u)", "acc = max(acc, V);", "acc"
            else:
                init, tap, fin = "0.0", "acc += V; cnt += 1.0;", "acc / cnt"
            head = _consts(k, s, (1, 1, 1))
            if c % 4 == 0:
                body = head + f"""  int cc = i0 % C; int pix = i0 / C;
  {_COORDS}
  vec4 acc = vec4({init}); float cnt = 0.0;
  {_TAPS.replace("TAP", tap.replace("V", "X0((xb + cc) >> 2)"))}
  r = {fin};"""
            else:
                body = head + f"""  for (int q = 0; q < 4; q++) {{
    int i = i0 + q; if (i >= NOUT) break;
    int cc = i % C; int pix = i / C;
    {_COORDS}
    float acc = {init}; float cnt = 0.0;
    {_TAPS.replace("TAP", tap.replace("V", "S0(xb + cc)"))}
    r[q] = {fin};
  }}"""
            params = [d, h, w, c, *outs, pads[0][0], pads[1][0], pads[2][0]]
            key = ("pool3d", mode, *k, c % 4 == 0)
            return GPUTensor(self.b, out_shape, plan=Plan(key, body, [x], params, [], c))
        return kernel


def _volume(x, *args, **attrs) -> bool:
    """A rank-5 input of numbers (NDHWC)."""
    return np.ndim(x) == 5 and _is_float_input(x)


def _volume_and_filter(x, filt, *args, **attrs) -> bool:
    return _volume(x) and np.ndim(filt) == 5 and _is_float_input(filt)


def _register() -> None:
    register(K.Conv3D, lambda b: VolumeKernels(b).conv3d, ("volume",), supports=_volume_and_filter)
    register(K.MaxPool3D, lambda b: VolumeKernels(b).pool3d("max"), ("volume",), supports=_volume)
    register(K.AvgPool3D, lambda b: VolumeKernels(b).pool3d("avg"), ("volume",), supports=_volume)


_register()
