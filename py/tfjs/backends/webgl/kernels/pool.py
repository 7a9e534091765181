"""Pooling kernels of the webgl backend (MaxPool, AvgPool, MaxPoolWithArgmax, and Dilation2D: a max pool of x plus
a filter)."""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ....geometry import same_or_valid_pads
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import I32, GPUTensor
from ..textures import MAX_EXACT_INDEX
from .base import IMAGES, KernelBase, _is_float_input, _pair, float_image_and_filter, register


class PoolKernels(KernelBase):
    """Pooling kernels of the webgl backend (MaxPool, AvgPool, MaxPoolWithArgmax, Dilation2D)."""

    def pool(self, mode):
        def kernel(x, ksize, strides, pad):  # a rank-4 input of numbers: see _float_image
            nb, h, w, c = np.shape(x)
            kh, kw = _pair(ksize)
            sh, sw = _pair(strides)
            pads, (oh, ow) = same_or_valid_pads((h, w), (kh, kw), (sh, sw), (1, 1), pad)
            x = self.g(x)
            params = [h, w, c, oh, ow, pads[0][0], pads[1][0]]
            fast = c % 4 == 0
            init = "vec4(-3.4028234663852886e38)" if mode == "max" else "vec4(0.0)"
            upd = "acc = max(acc, v);" if mode == "max" else "acc += v; cnt += 1.0;"
            fin = "r = acc;" if mode == "max" else "r = acc / cnt;"
            head = f"""  const int KH = {kh}; const int KW = {kw}; const int SH = {sh}; const int SW = {sw};
  int H = P(0); int W = P(1); int C = P(2); int OH = P(3); int OW = P(4); int PT = P(5); int PL = P(6);
"""
            loop = """    for (int ky = 0; ky < KH; ky++) {
      int iy = oy * SH - PT + ky;
      if (iy < 0 || iy >= H) continue;
      for (int kx = 0; kx < KW; kx++) {
        int ix = ox * SW - PL + kx;
        if (ix < 0 || ix >= W) continue;
        vec4 v = FETCH;
        UPD
      }
    }
"""
            if fast:
                body = head + f"""  int cc = i0 % C; int pix = i0 / C;
  int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
  vec4 acc = {init}; float cnt = 0.0;
""" + loop.replace("FETCH", "X0((((nn * H + iy) * W + ix) * C + cc) >> 2)").replace("UPD", upd) + f"  {fin}"
            else:
                body = head + f"""  for (int q = 0; q < 4; q++) {{
    int i = i0 + q; if (i >= NOUT) break;
    int cc = i % C; int pix = i / C;
    int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
    vec4 acc = {init}; float cnt = 0.0;
""" + loop.replace("FETCH", "vec4(S0(((nn * H + iy) * W + ix) * C + cc))").replace("UPD", upd) + \
                    f"    {{ vec4 r1; {fin.replace('r =', 'r1 =')} r[q] = r1.x; }}\n  }}"
            key = ("pool", mode, kh, kw, sh, sw, fast)
            return GPUTensor(self.b, (nb, oh, ow, c), plan=Plan(key, body, [x], params, [], c))
        return kernel

    def max_pool_with_argmax(self, x, ksize, strides, pad, include_batch_in_index=False):  # see _float_image
        nb, h, w, c = np.shape(x)
        kh, kw = _pair(ksize)
        sh, sw = _pair(strides)
        pads, (oh, ow) = same_or_valid_pads((h, w), (kh, kw), (sh, sw), (1, 1), pad)
        if nb * h * w * c >= MAX_EXACT_INDEX:
            raise NotOnGPU()  # positions past float32's exact integers
        x = self.g(x)
        params = [h, w, c, oh, ow, pads[0][0], pads[1][0], sh, sw, int(bool(include_batch_in_index))]
        outs = []
        for which in ("best", "arg"):
            body = f"""  const int KH = {kh}; const int KW = {kw};
  int H = P(0); int W = P(1); int C = P(2); int OH = P(3); int OW = P(4); int PT = P(5); int PL = P(6);
  int SH = P(7); int SW = P(8);
  for (int q = 0; q < 4; q++) {{
    int i = i0 + q; if (i >= NOUT) break;
    int cc = i % C; int pix = i / C;
    int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
    float best = uintBitsToFloat(0xff800000u); int arg = 0;
    for (int ky = 0; ky < KH; ky++) {{
      int iy = oy * SH - PT + ky;
      if (iy < 0 || iy >= H) continue;
      for (int kx = 0; kx < KW; kx++) {{
        int ix = ox * SW - PL + kx;
        if (ix < 0 || ix >= W) continue;
        float v = S0(((nn * H + iy) * W + ix) * C + cc);
        if (v > best) {{ best = v; arg = (iy * W + ix) * C + cc + (P(9) == 1 ? nn * H * W * C : 0); }}
      }}
    }}
    r[q] = {"best" if which == "best" else "float(arg)"};
  }}"""
            out = GPUTensor(self.b, (nb, oh, ow, c), plan=Plan(("max_pool_argmax", which, kh, kw), body, [x],
                                                               params, [], c))
            outs.append(out)
        outs[1].dtype = I32
        return outs[0], outs[1]

    def dilation2d(self, x, filt, strides, rates, pad):  # see float_image_and_filter
        nb, h, w, c = np.shape(x)
        kh, kw, fc = np.shape(filt)
        sh, sw = _pair(strides)
        rh, rw = _pair(rates)
        pads, (oh, ow) = same_or_valid_pads((h, w), (kh, kw), (sh, sw), (rh, rw), pad)
        x, f = self.g(x), self.g(filt)
        body = f"""  const int KH = {kh}; const int KW = {kw};
  int H = P(0); int W = P(1); int C = P(2); int OH = P(3); int OW = P(4); int PT = P(5); int PL = P(6);
  int SH = P(7); int SW = P(8); int RH = P(9); int RW = P(10);
  for (int q = 0; q < 4; q++) {{
    int i = i0 + q; if (i >= NOUT) break;
    int cc = i % C; int pix = i / C;
    int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
    float acc = uintBitsToFloat(0xff800000u);
    for (int ky = 0; ky < KH; ky++) {{
      int iy = oy * SH - PT + ky * RH;
      if (iy < 0 || iy >= H) continue;
      for (int kx = 0; kx < KW; kx++) {{
        int ix = ox * SW - PL + kx * RW;
        if (ix < 0 || ix >= W) continue;
        acc = max(acc, S0(((nn * H + iy) * W + ix) * C + cc) + S1((ky * KW + kx) * C + cc));
      }}
    }}
    r[q] = acc;
  }}"""
        params = [h, w, c, oh, ow, pads[0][0], pads[1][0], sh, sw, rh, rw]
        return GPUTensor(self.b, (nb, oh, ow, c), plan=Plan(("dilation2d", kh, kw), body, [x, f], params, [], c))


def _float_image(x, *args, **attrs) -> bool:
    return np.ndim(x) == 4 and _is_float_input(x)


def _dilation_inputs(x, filt, *args, **attrs) -> bool:
    return float_image_and_filter(x, filt) and np.ndim(filt) == 3 and np.shape(filt)[-1] == np.shape(x)[-1]


def _register() -> None:
    register(K.MaxPool, lambda b: PoolKernels(b).pool("max"), IMAGES + ("large",), supports=_float_image)
    register(K.AvgPool, lambda b: PoolKernels(b).pool("avg"), IMAGES + ("large",), supports=_float_image)
    register(K.MaxPoolWithArgmax, lambda b: PoolKernels(b).max_pool_with_argmax, IMAGES, supports=_float_image)
    register(K.Dilation2D, lambda b: PoolKernels(b).dilation2d, IMAGES, supports=_dilation_inputs)


_register()
