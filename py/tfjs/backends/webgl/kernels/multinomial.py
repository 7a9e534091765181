"""Multinomial of the webgl backend: ``num_samples`` class indices (int32) per row of logits (or of
probabilities, ``normalized``), drawn on the GPU.

The first pass writes each row's statistics: its largest logit, the total of its weights (exp(logit - largest),
or the probabilities as given) and its last class of positive weight; the second the weights of logits (once,
not once a sample). The last draws each sample: a uniform number u in [0, 1) from a counter-based hash of
(seed, row, sample index), then the first class whose running sum of weights passes u times the total. A
class of weight zero is never drawn (its running sum equals the previous class's); u times the total rounding
up to the total draws the last class of positive weight. A row without a positive weight (the cpu kernel's
error) draws its last class, as TF.js's webgl backend does.

The hash is the PCG output permutation on 32-bit words, chained over the seed's two words, the row and the
sample index: the same seed gives the same samples on every call and on every GPU (WebGL2 integer arithmetic
is exact), but not the cpu kernel's samples (numpy's generator is not a function of a counter). Without a
seed (None or 0, as the cpu kernel reads it) each call draws a fresh one.
"""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import F32, I32, GPUTensor
from ..textures import MAX_EXACT_INDEX
from .base import KernelBase, register

#: row statistics: (largest logit, total weight, last class of positive weight, 0), one texel a row
STATS = """  int KC = P(0); int NORM = P(1);
  int base = t * KC;
  float m = uintBitsToFloat(0xff800000u);
  if (NORM == 0) for (int k = 0; k < KC; k++) m = max(m, S0(base + k));
  float total = 0.0; float last = float(KC - 1);
  for (int k = 0; k < KC; k++) {
    float v = S0(base + k);
    float w = NORM == 1 ? v : exp(v - m);
    if (w > 0.0) { total += w; last = float(k); }
  }
  r = vec4(m, total, last, 0.0);"""


def pcg(v: str) -> str:
    """GLSL statements that replace the uint variable ``v`` by its PCG hash: one step of the permuted
    congruential generator and its output permutation (RXS-M-XS) on a 32-bit word."""
    return (f"{v} = {v} * 747796405u + 2891336453u; {v} = (({v} >> (({v} >> 28u) + 4u)) ^ {v}) * 277803737u; "
            f"{v} = ({v} >> 22u) ^ {v};")


#: the weights of logits: exp(logit - the row's largest)
WEIGHTS = """  int KC = P(0);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    r[q] = exp(S0(i) - X1(i / KC).x);
  }"""

# the draws: a walk along the row's weights (texel by texel, their coordinates stepping along) to the first
# class whose running sum passes u times the row's total
DRAW = f"""  int KC = P(0); int NS = P(1); int XW = ui[2];
  uint hs = uint(P(2)); {pcg("hs")} hs ^= uint(P(3)); {pcg("hs")}
  for (int q = 0; q < 4; q++) {{
    int i = i0 + q; if (i >= NOUT) break;
    int row = i / NS; int j = i - row * NS;
    vec4 st = X1(row);
    uint h = hs ^ uint(row); {pcg("h")} h ^= uint(j); {pcg("h")}
    float u = float(h >> 8u) * 5.9604644775390625e-8;
    float target = u * st.y; float cdf = 0.0; float pick = st.z; bool done = false;
    int e0 = row * KC; int e1 = e0 + KC; int tx = e0 >> 2;
    ivec2 xc = ivec2(tx % XW, tx / XW);
    for (int e = tx * 4; e < e1 && !done; e += 4) {{
      vec4 wv = T0(xc); xc.x++; if (xc.x == XW) {{ xc.x = 0; xc.y++; }}
      for (int l = 0; l < 4; l++) {{
        int k = e + l - e0;
        float w = wv[l];
        if (k >= 0 && k < KC && w > 0.0) {{
          cdf += w;
          if (target < cdf) {{ pick = float(k); done = true; break; }}
        }}
      }}
    }}
    r[q] = pick;
  }}"""

_unseeded = np.random.default_rng()


def seed_words(seed) -> tuple[int, int]:
    """The two 32-bit words (as int32 values, the shader's parameters) of a seed: an integer's low and high
    words, a float's bits; None or 0: a fresh random seed."""
    if seed is None or not seed:
        value = int(_unseeded.integers(1, 1 << 63))
    elif float(seed).is_integer():
        value = int(seed)
    else:
        value = int(np.float64(seed).view(np.uint64))
    value &= (1 << 64) - 1
    return tuple(w - (1 << 32) if w >= 1 << 31 else w for w in (value & 0xFFFFFFFF, value >> 32))


class MultinomialKernels(KernelBase):
    """Multinomial of the webgl backend."""

    def multinomial(self, logits, num_samples, seed=None, normalized=False):  # see _logits, its predicate
        rows, classes = np.shape(logits)
        ns = int(num_samples)
        if rows == 0 or classes == 0 or ns <= 0 or rows * max(ns, classes) >= MAX_EXACT_INDEX:
            raise NotOnGPU()
        x = self.g(logits)
        norm = int(bool(normalized))
        stats = Plan(("multinomial_stats",), STATS, [x], [classes, norm], [], 4).execute(self.b, (rows, 4))
        weights = x if norm else Plan(("multinomial_weights",), WEIGHTS, [x, stats], [classes], [],
                                      classes).execute(self.b, (rows, classes))
        lo, hi = seed_words(seed)
        out = Plan(("multinomial",), DRAW, [weights, stats], [classes, ns, lo, hi], [], ns).execute(
            self.b, (rows, ns))
        out.dtype = I32
        return out


def _logits(logits, *args, **attrs) -> bool:
    """float32 logits of rank 2 (rows of classes), as the cpu kernel takes them."""
    return np.ndim(logits) == 2 and (isinstance(logits, GPUTensor) or np.asarray(logits).dtype == F32)


def _register() -> None:
    register(K.Multinomial, lambda b: MultinomialKernels(b).multinomial, ("matrix",), supports=_logits)


_register()
