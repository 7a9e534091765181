"""Matrix products of the webgl backend (BatchMatMul / MatMul): the product pass and its layouts of the
operands (rows of B, padded columns), shared with the convolutions that run as products.
"""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from .. import textures
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import GPUTensor
from .base import KernelBase, _is_float_input, register


class MatmulKernels(KernelBase):
    """Matrix products of the webgl backend (BatchMatMul / MatMul): the product pass and its layouts of the"""

    def matmul(self, a, b, transpose_a=False, transpose_b=False):  # see _matrices, its registry predicate
        sa, sb = tuple(np.shape(a)), tuple(np.shape(b))
        m, k = (sa[-1], sa[-2]) if transpose_a else (sa[-2], sa[-1])
        kb, n = (sb[-1], sb[-2]) if transpose_b else (sb[-2], sb[-1])
        if k != kb:
            raise ValueError(f"MatMul: inner dimensions differ: {k} != {kb}")
        batch = tuple(np.broadcast_shapes(sa[:-2], sb[:-2]))
        ba, bb = int(np.prod(sa[:-2])), int(np.prod(sb[:-2]))
        nb = int(np.prod(batch))
        if not ((ba == 1 or sa[:-2] == batch) and (bb == 1 or sb[:-2] == batch)):
            raise NotOnGPU()
        out_shape = batch + (m, n)
        return self._matmul_plan(self.g(a), b, m, k, n, ba, bb, transpose_a, transpose_b, out_shape)

    def _b_rows(self, b, k, n, bb):
        """b (bb x k x n) with one matrix row per texture row (n / 4 texels wide), so that the product's
        shader reads b at (column texel, row) and steps down rows without dividing; None if it cannot be."""
        w = n >> 2
        if w > textures.MAX_WIDTH or bb * k > self.b._gl.max_texture_size:
            return None
        if isinstance(b, GPUTensor):
            return b if b._tex is not None and b._tex.w == w else None
        return self.b.upload(b, width=w)

    def _padded_columns(self, a, b, m, k, n, out_shape):
        """a @ b for a weight b with n % 4 != 0 columns (a model's head: 17 heat maps, 34 offsets): the
        product with b's columns zero-padded to a multiple of 4 takes the row path, then a channel slice
        pass (which carries the epilogue) drops the padding; None where the row path would not apply."""
        n4 = n + (-n) % 4
        pad_shape = tuple(out_shape[:-1]) + (n4,)
        pp = self.b.pixels_per_row(a.texture, k)
        if not pp or self.b.out_width(pad_shape) != pp * (n4 >> 2) or k > self.b._gl.max_texture_size:
            return None
        bp = self.b.upload_derived(b, ("ncol4",), lambda v: np.pad(v, ((0, 0), (0, n4 - n))), (k, n4),
                                   width=n4 >> 2)
        full = self._matmul_plan(a, bp, m, k, n4, 1, 1, False, False, pad_shape)
        body = """  int N = P(0); int NQ = P(1) >> 2;
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int p = i / N; int c = i - p * N;
    r[q] = X0(p * NQ + (c >> 2))[c & 3];
  }"""
        return GPUTensor(self.b, out_shape, plan=Plan(("chslice",), body, [full], [n, n4], [], n))

    def _matmul_plan(self, a, b, m, k, n, ba, bb, ta, tb, out_shape):
        if n % 4 and k % 8 == 0 and not (ta or tb) and ba == 1 and bb == 1 and not isinstance(b, GPUTensor) \
                and np.ndim(b) == 2:
            out = self._padded_columns(a, b, m, k, n, out_shape)
            if out is not None:
                return out
        fast = n % 4 == 0 and k % 4 == 0 and not ta
        params = [m, k, n, 1 if ba == 1 else 0, 1 if bb == 1 else 0]
        head = ("  int M = P(0); int K = P(1); int N = P(2);\n"
                "  int n0 = i0 % N; int mm = (i0 / N) % M; int bi = i0 / (N * M);\n"
                "  int ab = P(3) == 1 ? 0 : bi; int bbb = P(4) == 1 ? 0 : bi;\n")
        b_row = False
        b2 = self._b_rows(b, k, n, bb) if fast and not tb and n > 4 else None
        bt = None
        if not fast and k % 4 == 0 and not ta and (tb or not isinstance(b, GPUTensor)):
            # n % 4 != 0: b's columns as rows (b itself when transposed; a weight's transpose, made once), so
            # that each output is a dot product of two runs of vec4s
            if tb:
                bt = self.g(b)
            else:
                w = k >> 2
                w = w if w <= textures.MAX_WIDTH and bb * n <= self.b._gl.max_texture_size else None
                bt = self.b.upload_derived(b, "T", lambda v: np.swapaxes(v, -1, -2),
                                           tuple(np.shape(b))[:-2] + (n, k), width=w)
        b = b2 if b2 is not None else bt if bt is not None else self.g(b)
        pa = self.b.pixels_per_row(a.texture, k) if b2 is not None and ba == 1 and bb == 1 else 0
        ow = self.b.out_width(out_shape) if pa else None
        if pa and ow == pa * (n >> 2):
            # a and the output one matrix row per texture row too: the fragment is (column texel, row). Reads
            # at texel centres computed as floats from exact counters along a's row and down b's rows (no
            # integer-to-float conversion per read, no rounding that accumulates)
            step = 8 if k % 8 == 0 else 4
            b_row = "rows8" if step == 8 else "rows"
            reads_a = "vec4 a0 = texture(t0, vec2(ka * sa.x, ay));"
            if step == 8:
                reads_a += " vec4 a1 = texture(t0, vec2((ka + 1.0) * sa.x, ay));"
            terms = " + ".join(f"a{j >> 2}.{'xyzw'[j & 3]} * texture(t1, vec2(bx, by + {j}.0 * sb.y))"
                               for j in range(step))
            body = f"""  int K = P(1);
  vec2 sa = uinv[0]; vec2 sb = uinv[1];
  float ay = gl_FragCoord.y * sa.y; float bx = gl_FragCoord.x * sb.x; float ka = 0.5;
  vec4 acc = vec4(0.0); float kb = 0.5;
  for (int kk = 0; kk < K; kk += {step}) {{
    {reads_a} ka += {step // 4}.0; float by = kb * sb.y; kb += {step}.0;
    acc += {terms};
  }}
  r = acc;"""
            if pa > 1:
                # pa matrix rows per texture row: the fragment's x is (row in the texture row, column texel)
                b_row += f"x{pa}"
                body = body.replace(
                    "float bx = gl_FragCoord.x * sb.x; float ka = 0.5;",
                    "int NQ = P(2) >> 2; int xo = int(gl_FragCoord.x); int pq = xo / NQ;\n"
                    "  float bx = (float(xo - pq * NQ) + 0.5) * sb.x; float ka = float(pq * (K >> 2)) + 0.5;")
                assert "pq" in body
        elif bt is not None:
            b_row = "nt"
            body = """  int M = P(0); int K = P(1); int N = P(2); int aw = ui[2]; int bw = ui[3];
  int nf = i0 % N;
  if (bw == K >> 2 && nf + 3 < N && i0 + 3 < NOUT) {
    // the texel's 4 outputs in one row of a (most texels): a read once for 4 columns of b
    int mf = (i0 / N) % M; int bf = i0 / (N * M);
    int at = ((P(3) == 1 ? 0 : bf) * M + mf) * K >> 2;
    ivec2 ac = ivec2(at % aw, at / aw); ivec2 bc = ivec2(0, (P(4) == 1 ? 0 : bf) * N + nf);
    for (int kk = 0; kk < K; kk += 4) {
      vec4 av = T0(ac); ac.x++; if (ac.x == aw) { ac.x = 0; ac.y++; }
      r += vec4(dot(av, T1(bc)), dot(av, T1(bc + ivec2(0, 1))),
                dot(av, T1(bc + ivec2(0, 2))), dot(av, T1(bc + ivec2(0, 3))));
      bc.x++;
    }
  } else
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int n1 = i % N; int m1 = (i / N) % M; int bi = i / (N * M);
    int ab = P(3) == 1 ? 0 : bi; int bb1 = P(4) == 1 ? 0 : bi;
    int at = (ab * M + m1) * K >> 2; int bt = (bb1 * N + n1) * K >> 2;
    ivec2 ac = ivec2(at % aw, at / aw); ivec2 bc = ivec2(bt % bw, bt / bw);
    float acc = 0.0;
    for (int kk = 0; kk < K; kk += 4) {
      acc += dot(T0(ac), T1(bc));
      ac.x++; if (ac.x == aw) { ac.x = 0; ac.y++; }
      bc.x++; if (bc.x == bw) { bc.x = 0; bc.y++; }
    }
    r[q] = acc;
  }"""
        elif b2 is not None:
            b_row = "2d"
            body = head + """  int at = (ab * M + mm) * K >> 2;
  int aw = ui[2]; ivec2 ac = ivec2(at % aw, at / aw); ivec2 bc = ivec2(n0 >> 2, bbb * K);
  vec4 acc = vec4(0.0);
  for (int kk = 0; kk < K; kk += 4) {
    vec4 av = T0(ac); ac.x++; if (ac.x == aw) { ac.x = 0; ac.y++; }
    acc += av.x * T1(bc) + av.y * T1(bc + ivec2(0, 1))
         + av.z * T1(bc + ivec2(0, 2)) + av.w * T1(bc + ivec2(0, 3));
    bc.y += 4;
  }
  r = acc;"""
        elif fast and not tb:
            # a's row is read in order: its texel coordinates step along (no division per fetch); b in one
            # texture row (most weights) is read at (texel, 0)
            b_row = b.texture.h == 1
            fetch_b = "B1(bt + J)" if b_row else "X1(bt + J)"
            body = head + """  int at = (ab * M + mm) * K >> 2; int bt = (bbb * K * N + n0) >> 2; int ns = N >> 2;
  int aw = ui[2]; ivec2 ac = ivec2(at % aw, at / aw);
  vec4 acc = vec4(0.0);
  for (int kk = 0; kk < K; kk += 4) {
    vec4 av = T0(ac); ac.x++; if (ac.x == aw) { ac.x = 0; ac.y++; }
    acc += av.x * FB0 + av.y * FB1 + av.z * FB2 + av.w * FB3;
    bt += 4 * ns;
  }
  r = acc;""".replace("FB0", fetch_b.replace("J", "0")).replace("FB1", fetch_b.replace("J", "ns")) \
                .replace("FB2", fetch_b.replace("J", "2 * ns")).replace("FB3", fetch_b.replace("J", "3 * ns"))
        elif fast and tb:
            body = head + """  int at = (ab * M + mm) * K >> 2; int bt = (bbb * N + n0) * K >> 2; int ks = K >> 2;
  vec4 acc = vec4(0.0);
  for (int kk = 0; kk < K; kk += 4) {
    vec4 av = X0(at); at++;
    acc += vec4(dot(av, X1(bt)), dot(av, X1(bt + ks)), dot(av, X1(bt + 2 * ks)), dot(av, X1(bt + 3 * ks)));
    bt++;
  }
  r = acc;"""
        else:
            ai = "(ab * K + kk) * M + m1" if ta else "(ab * M + m1) * K + kk"
            bi = "(bb1 * N + n1) * K + kk" if tb else "(bb1 * K + kk) * N + n1"
            body = f"""  int M = P(0); int K = P(1); int N = P(2);
  for (int q = 0; q < 4; q++) {{
    int i = i0 + q; if (i >= NOUT) break;
    int n1 = i % N; int m1 = (i / N) % M; int bi = i / (N * M);
    int ab = P(3) == 1 ? 0 : bi; int bb1 = P(4) == 1 ? 0 : bi;
    float acc = 0.0;
    for (int kk = 0; kk < K; kk++) acc += S0({ai}) * S1({bi});
    r[q] = acc;
  }}"""
        key = ("matmul", fast, ta, tb, b_row)
        return GPUTensor(self.b, out_shape, plan=Plan(key, body, [a, b], params, [], n))


def _matrices(a, b, *args, **attrs) -> bool:
    """Numbers of rank 2 or more on both sides (batch shapes that do not line up are found on the way)."""
    return _is_float_input(a) and _is_float_input(b) and np.ndim(a) >= 2 and np.ndim(b) >= 2


def _register() -> None:
    register(K.BatchMatMul, lambda b: MatmulKernels(b).matmul, ("matrix", "rank3", "large"), supports=_matrices)
    register(K.MatMul, lambda b: MatmulKernels(b).matmul, ("matrix", "rank3", "large"), supports=_matrices)


_register()
