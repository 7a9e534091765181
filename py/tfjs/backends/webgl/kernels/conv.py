"""Convolutions of the webgl backend (Conv2D): direct passes, and 1x1 convolutions as matrix products."""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..fusion import Plan
from ..tensor import GPUTensor
from .base import IMAGES, float_image_and_filter, register, window_2d, window_2d_loop
from .layout import LayoutKernels
from .matmul import MatmulKernels


class ConvKernels(MatmulKernels, LayoutKernels):
    """Convolutions of the webgl backend (Conv2D): direct passes, and 1x1 convolutions as matrix products."""

    def conv2d(self, x, filt, strides=1, pad="valid", dilations=1):
        win = window_2d("Conv2D", x, filt, strides, pad, dilations)
        nb, h, w, cin, kh, kw, cout, sh, sw, dh, dw, pads, oh, ow = win
        out_shape = (nb, oh, ow, cout)
        x = self.g(x)
        if kh == 1 and kw == 1 and sh == 1 and sw == 1 and pads == [(0, 0), (0, 0)]:
            if not isinstance(filt, GPUTensor):
                filt = np.asarray(filt).reshape(cin, cout)
            return self._matmul_plan(x, filt, nb * h * w, cin, cout, 1, 1, False, False, out_shape)
        if cin % 4 and cout % 4 == 0 and not isinstance(filt, GPUTensor):
            # input channels zero-padded to a multiple of 4 (an image's 3): the conv then reads vec4s of
            # channels; the weight's padded copy is made once
            c4 = cin + (-cin) % 4
            filt = self.b.upload_derived(filt, ("cin4",), lambda v: np.pad(v, ((0, 0), (0, 0), (0, c4 - cin),
                                                                               (0, 0))), (kh, kw, c4, cout))
            x = self.pad(x, [[0, 0], [0, 0], [0, 0], [0, c4 - cin]])
            cin = c4
        else:
            filt = self.g(filt)
        params = [h, w, cin, oh, ow, cout, pads[0][0], pads[1][0]]
        head = win.glsl_consts() + "  int H = P(0); int W = P(1); int CIN = P(2); int OH = P(3); int OW = P(4); " \
                        "int COUT = P(5); int PT = P(6); int PL = P(7);\n"
        w_row = cout % 4 == 0 and filt.texture.h == 1   # the filter in one texture row: read at (texel, 0)
        if cout % 4 == 0:
            inner = """        int xt = xb >> 2;
        for (int c = 0; c < CIN; c += 4) {
          vec4 xv = X0(xt); xt++;
          acc += xv.x * X1(wt) + xv.y * X1(wt + ws) + xv.z * X1(wt + 2 * ws) + xv.w * X1(wt + 3 * ws);
          wt += 4 * ws;
        }""" if cin % 4 == 0 else """        for (int c = 0; c < CIN; c++) { acc += S0(xb + c) * X1(wt); wt += ws; }"""
            if w_row:
                inner = inner.replace("X1(", "B1(")
            if cin == 4:
                # one texel per input pixel (an image padded to 4 channels): along a filter row the input
                # texel steps by DW, its coordinates without dividing
                body = head + """  int co = i0 % COUT; int pix = i0 / COUT; int ws = COUT >> 2; int xw = ui[2];
  int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
  int ixs = ox * SW - PL; int kx0 = ixs < 0 ? (DW - 1 - ixs) / DW : 0;
  vec4 acc = vec4(0.0);
  for (int ky = 0; ky < KH; ky++) {
    int iy = oy * SH - PT + ky * DH;
    if (iy < 0 || iy >= H) continue;
    int xt = (nn * H + iy) * W + ixs + kx0 * DW;
    ivec2 xc = ivec2(xt % xw, xt / xw);
    int wt = ((ky * KW + kx0) * 4 * COUT + co) >> 2;
    for (int kx = kx0; kx < KW; kx++) {
      if (ixs + kx * DW >= W) break;
      vec4 xv = T0(xc);
      acc += xv.x * X1(wt) + xv.y * X1(wt + ws) + xv.z * X1(wt + 2 * ws) + xv.w * X1(wt + 3 * ws);
      wt += 4 * ws;
      xc.x += DW; while (xc.x >= xw) { xc.x -= xw; xc.y++; }
    }
  }
  r = acc;"""
                if w_row:
                    body = body.replace("X1(", "B1(")
            else:
                tap = ("      int xb = ((nn * H + iy) * W + ix) * CIN;\n"
                       "      int wt = ((ky * KW + kx) * CIN * COUT + co) >> 2;\n" + inner)
                body = head + f"""  int co = i0 % COUT; int pix = i0 / COUT; int ws = COUT >> 2;
  int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
  vec4 acc = vec4(0.0);
{window_2d_loop(tap)}
  r = acc;"""
        else:
            tap = ("        int xb = ((nn * H + iy) * W + ix) * CIN;\n"
                   "        int wb = (ky * KW + kx) * CIN * COUT + co;\n"
                   "        for (int c = 0; c < CIN; c++) acc += S0(xb + c) * S1(wb + c * COUT);")
            body = head + """  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int co = i % COUT; int pix = i / COUT;
    int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
    float acc = 0.0;
""" + window_2d_loop(tap, "    ") + """
    r[q] = acc;
  }"""
        key = ("conv2d", kh, kw, sh, sw, dh, dw, cout % 4 == 0, cin % 4 == 0, w_row, cin == 4)
        return GPUTensor(self.b, out_shape, plan=Plan(key, body, [x, filt], params, [], cout))


def _register() -> None:
    register(K.Conv2D, lambda b: ConvKernels(b).conv2d, IMAGES + ("large",),
             supports=float_image_and_filter)


_register()
