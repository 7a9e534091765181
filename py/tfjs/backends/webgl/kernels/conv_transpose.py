"""Transposed convolutions of the webgl backend: Conv2DBackpropInput (NHWC) and Conv3DBackpropInputV2 (NDHWC).
Each output element sums, over the filter taps that reach it, the input pixels a stride lands on."""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ....geometry import same_or_valid_pads
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import GPUTensor
from .base import IMAGES, _is_float_input, _pair, float_image_and_filter, register
from .layout import LayoutKernels


class ConvTransposeKernels(LayoutKernels):
    """Transposed convolutions of the webgl backend: Conv2DBackpropInput (NHWC) and Conv3DBackpropInputV2 (NDHWC).
Each output element sums, over the filter taps that reach it, the input pixels a stride lands on."""

    def conv_transpose(self, dy, filt, output_shape, strides=1, pad="valid"):
        nb, h, w, cin = np.shape(dy)
        kh, kw, cout, fcin = np.shape(filt)
        if fcin != cin:
            raise ValueError(f"Conv2DBackpropInput: input has {cin} channels but the filter expects {fcin}")
        sh, sw = _pair(strides)
        oh, ow = int(output_shape[1]), int(output_shape[2])
        pads, ins = same_or_valid_pads((oh, ow), (kh, kw), (sh, sw), (1, 1), pad)
        if list(ins) != [h, w]:
            raise ValueError(f"Conv2DBackpropInput: output shape {list(output_shape)} gives input sizes {ins} "
                             f"but the input has sizes {[h, w]}")
        out_shape = (nb, oh, ow, cout)
        dy, filt = self.g(dy), self.g(filt)
        params = [h, w, cin, oh, ow, cout, pads[0][0], pads[1][0]]
        vec = cin % 4 == 0
        inner = ("for (int c = 0; c < CIN; c += 4) acc += dot(X0((xb + c) >> 2), X1((wb + c) >> 2));" if vec else
                 "for (int c = 0; c < CIN; c++) acc += S0(xb + c) * S1(wb + c);")
        body = f"""  const int KH = {kh}; const int KW = {kw}; const int SH = {sh}; const int SW = {sw};
  int H = P(0); int W = P(1); int CIN = P(2); int OH = P(3); int OW = P(4); int COUT = P(5);
  int PT = P(6); int PL = P(7);
  for (int q = 0; q < 4; q++) {{
    int i = i0 + q; if (i >= NOUT) break;
    int co = i % COUT; int pix = i / COUT;
    int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
    float acc = 0.0;
    for (int ky = 0; ky < KH; ky++) {{
      int ny = oy + PT - ky;
      if (ny < 0 || ny % SH != 0) continue;
      int iy = ny / SH; if (iy >= H) continue;
      for (int kx = 0; kx < KW; kx++) {{
        int nx = ox + PL - kx;
        if (nx < 0 || nx % SW != 0) continue;
        int ix = nx / SW; if (ix >= W) continue;
        int xb = ((nn * H + iy) * W + ix) * CIN;
        int wb = ((ky * KW + kx) * COUT + co) * CIN;
        {inner}
      }}
    }}
    r[q] = acc;
  }}"""
        key = ("convT", kh, kw, sh, sw, vec)
        return GPUTensor(self.b, out_shape, plan=Plan(key, body, [dy, filt], params, [], cout))

    def conv3d_transpose(self, dy, filt, output_shape, strides=1, pad="valid"):  # see _volume_and_filter
        nb, d, h, w, cin = np.shape(dy)
        kd, kh, kw, cout, fcin = np.shape(filt)
        s = _triple(strides)
        outs = tuple(int(v) for v in list(output_shape)[1:4])
        if fcin != cin or s is None or len(outs) != 3:
            raise NotOnGPU()  # the cpu kernel's error names what differs
        pads, ins = same_or_valid_pads(outs, (kd, kh, kw), s, (1, 1, 1), pad)
        if list(ins) != [d, h, w] or min(outs) <= 0 or cout == 0 or nb == 0:
            raise NotOnGPU()
        out_shape = (nb, *outs, cout)
        dy = self.g(dy)
        params = [d, h, w, cin, *outs, cout, pads[0][0], pads[1][0], pads[2][0]]
        vec = cout % 4 == 0
        if vec:
            # four output channels a texel: the filter laid out [kd, kh, kw, cin, cout], so that the four are
            # one texel (a weight: laid out once and cached)
            perm = (0, 1, 2, 4, 3)
            filt = self.transpose(filt, perm) if isinstance(filt, GPUTensor) else self.b.upload_derived(
                filt, ("cin_cout",), lambda v: np.transpose(v, perm), (kd, kh, kw, cin, cout))
            if cin % 4 == 0:
                tap = """int wt = ((((kz * KH + ky) * KW + kx) * CIN) * COUT + co) >> 2; int ws = COUT >> 2;
            for (int c = 0; c < CIN; c += 4) {
              vec4 xv = X0((xb + c) >> 2);
              acc += xv.x * X1(wt) + xv.y * X1(wt + ws) + xv.z * X1(wt + 2 * ws) + xv.w * X1(wt + 3 * ws);
              wt += 4 * ws;
            }"""
            else:
                tap = """int wt = ((((kz * KH + ky) * KW + kx) * CIN) * COUT + co) >> 2; int ws = COUT >> 2;
            for (int c = 0; c < CIN; c++) { acc += S0(xb + c) * X1(wt); wt += ws; }"""
            head, tail, acc, indent = "int co = i0 % COUT; int pix = i0 / COUT;", "r = acc;", "vec4", ""
        else:
            filt = self.g(filt)
            inner = ("for (int c = 0; c < CIN; c += 4) acc += dot(X0((xb + c) >> 2), X1((wb + c) >> 2));"
                     if cin % 4 == 0 else "for (int c = 0; c < CIN; c++) acc += S0(xb + c) * S1(wb + c);")
            tap = f"int wb = (((kz * KH + ky) * KW + kx) * COUT + co) * CIN;\n            {inner}"
            head = ("for (int q = 0; q < 4; q++) {\n    int i = i0 + q; if (i >= NOUT) break;\n"
                    "    int co = i % COUT; int pix = i / COUT;")
            tail, acc, indent = "r[q] = acc;\n  }", "float", "  "
        body = f"""  const int KD = {kd}; const int KH = {kh}; const int KW = {kw};
  const int SD = {s[0]}; const int SH = {s[1]}; const int SW = {s[2]};
  int D = P(0); int H = P(1); int W = P(2); int CIN = P(3); int OD = P(4); int OH = P(5); int OW = P(6);
  int COUT = P(7); int PF = P(8); int PT = P(9); int PL = P(10);
  {head}
    int ox = pix % OW; int oy = (pix / OW) % OH; int oz = (pix / (OW * OH)) % OD; int nn = pix / (OW * OH * OD);
    {acc} acc = {acc}(0.0);
    for (int kz = 0; kz < KD; kz++) {{
      int nz = oz + PF - kz;
      if (nz < 0 || nz % SD != 0) continue;
      int iz = nz / SD; if (iz >= D) continue;
      for (int ky = 0; ky < KH; ky++) {{
        int ny = oy + PT - ky;
        if (ny < 0 || ny % SH != 0) continue;
        int iy = ny / SH; if (iy >= H) continue;
        for (int kx = 0; kx < KW; kx++) {{
          int nx = ox + PL - kx;
          if (nx < 0 || nx % SW != 0) continue;
          int ix = nx / SW; if (ix >= W) continue;
          int xb = (((nn * D + iz) * H + iy) * W + ix) * CIN;
          {tap}
        }}
      }}
    }}
  {indent}{tail}"""
        key = ("conv3dT", kd, kh, kw, *s, vec, cin % 4 == 0)
        return GPUTensor(self.b, out_shape, plan=Plan(key, body, [dy, filt], params, [], cout))


def _triple(value):
    """Three spatial strides (an int for all three); None for another length (the cpu kernel names it)."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * 3
    v = [int(a) for a in value]
    return tuple(v) if len(v) == 3 else None


def _volume_and_filter(dy, filt, *args, **attrs) -> bool:
    """Predicate of Conv3DBackpropInputV2: a rank-5 input (NDHWC) and a rank-5 filter, of numbers."""
    return np.ndim(dy) == 5 and np.ndim(filt) == 5 and _is_float_input(dy) and _is_float_input(filt)


def _register() -> None:
    register(K.Conv2DBackpropInput, lambda b: ConvTransposeKernels(b).conv_transpose, IMAGES,
             supports=float_image_and_filter)
    register(K.Conv3DBackpropInputV2, lambda b: ConvTransposeKernels(b).conv3d_transpose, ("volume",),
             supports=_volume_and_filter)


_register()
