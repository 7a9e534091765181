"""Depthwise convolutions of the webgl backend (DepthwiseConv2dNative)."""

from __future__ import annotations

from .... import kernel_names as K
from ..fusion import Plan
from ..tensor import GPUTensor
from .base import IMAGES, KernelBase, float_image_and_filter, register, window_2d, window_2d_loop


class DepthwiseKernels(KernelBase):
    """Depthwise convolutions of the webgl backend (DepthwiseConv2dNative)."""

    def depthwise(self, x, filt, strides=1, pad="valid", dilations=1):
        win = window_2d("DepthwiseConv2dNative", x, filt, strides, pad, dilations)
        nb, h, w, c, kh, kw, mult, sh, sw, dh, dw, pads, oh, ow = win
        out_shape = (nb, oh, ow, c * mult)
        x, filt = self.g(x), self.g(filt)
        params = [h, w, c, oh, ow, mult, pads[0][0], pads[1][0]]
        head = win.glsl_consts() + "  int H = P(0); int W = P(1); int C = P(2); int OH = P(3); int OW = P(4); " \
                        "int MU = P(5); int PT = P(6); int PL = P(7); int CO = C * MU;\n"
        fast = mult == 1 and c % 4 == 0
        w_row = False
        if fast:
            tap = "      acc += X0((((nn * H + iy) * W + ix) * C + cc) >> 2) * X1(((ky * KW + kx) * C + cc) >> 2);"
            body = head + """  int cc = i0 % C; int pix = i0 / C;
  int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
  vec4 acc = vec4(0.0);
""" + window_2d_loop(tap) + """
  r = acc;"""
            w_row = filt.texture.h == 1   # the filter in one texture row: read at (texel, 0)
            pi = self.b.pixels_per_row(x.texture, c)
            ow = self.b.out_width(out_shape) if pi else None
            po = ow // (c >> 2) if ow and ow % (c >> 2) == 0 else 0
            if pi and po in (1, 2, 4, 8):
                # input and output one pixel per texture row: the fragment is (channel texel, pixel)
                w_row = "rows" if w_row else "rows-x"
                tap = "      acc += T0(ivec2(cq, rowb + ix)) * X1(((ky * KW + kx) * C + cc) >> 2);"
                body = head + """  int cq = int(gl_FragCoord.x); int pix = int(gl_FragCoord.y); int cc = cq * 4;
  int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
  vec4 acc = vec4(0.0);
""" + window_2d_loop(tap, row="int rowb = (nn * H + iy) * W;") + """
  r = acc;"""
                if pi > 1 or po > 1:
                    # several pixels per texture row (pi in the input, po in the output): pixel q's channel
                    # texel cq at (q % pi * C / 4 + cq, q / pi)
                    w_row = (w_row, pi, po)
                    body = body.replace(
                        "int cq = int(gl_FragCoord.x); int pix = int(gl_FragCoord.y);",
                        f"int CQ = C >> 2; int xo = int(gl_FragCoord.x); int po = xo / CQ; int cq = xo - po * CQ;\n"
                        f"  int pix = int(gl_FragCoord.y) * {po} + po;")
                    body = body.replace("T0(ivec2(cq, rowb + ix))",
                                        f"T0(ivec2(cq + ((rowb + ix) % {pi}) * CQ, (rowb + ix) / {pi}))")
                    assert "CQ" in body and f"/ {pi})" in body
            if w_row in (True, "rows") or (isinstance(w_row, tuple) and w_row[0] == "rows"):
                body = body.replace("X1(", "B1(")
        else:
            tap = "        acc += S0(((nn * H + iy) * W + ix) * C + cc) * S1((ky * KW + kx) * CO + oc);"
            body = head + """  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int oc = i % CO; int pix = i / CO; int cc = oc / MU;
    int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
    float acc = 0.0;
""" + window_2d_loop(tap, "    ") + """
    r[q] = acc;
  }"""
        key = ("depthwise", kh, kw, sh, sw, dh, dw, fast, fast and w_row)
        return GPUTensor(self.b, out_shape, plan=Plan(key, body, [x, filt], params, [], c * mult))


def _register() -> None:
    register(K.DepthwiseConv2dNative, lambda b: DepthwiseKernels(b).depthwise, IMAGES,
             supports=float_image_and_filter)


_register()
