/* Element-wise kernels: broadcasting binary ops, activations, softmax, bilinear resize. */
#include "simd.h"

enum { OP_ADD = 0, OP_SUB = 1, OP_MUL = 2, OP_DIV = 3, OP_MAX = 4, OP_MIN = 5, OP_SQDIFF = 6 };

INLINE v128_t apply(i32 op, v128_t a, v128_t b) {
  switch (op) {
    case OP_ADD: return wasm_f32x4_add(a, b);
    case OP_SUB: return wasm_f32x4_sub(a, b);
    case OP_MUL: return wasm_f32x4_mul(a, b);
    case OP_DIV: return wasm_f32x4_div(a, b);
    case OP_MAX: return wasm_f32x4_max(a, b);
    case OP_MIN: return wasm_f32x4_min(a, b);
    default: { v128_t d = wasm_f32x4_sub(a, b); return wasm_f32x4_mul(d, d); }
  }
}

/* out[r, j] = a[r * sa + j * ta] op b[r * sb + j * tb] for r < rows, j < cols: each input is either full
 * (row stride cols, element stride 1), a row repeated (row stride 0), a column repeated (element stride 0) or
 * a scalar (both 0). With element stride 1 on both sides the row runs in vectors. */
EXPORT(binary)
void binary(i32 op, i32 rows, i32 cols, const f32 *a, i32 sa, i32 ta, const f32 *b, i32 sb, i32 tb, f32 *out) {
  for (i32 r = 0; r < rows; r++) {
    const f32 *ar = a + r * sa, *br = b + r * sb;
    f32 *o = out + r * cols;
    i32 j = 0;
    if (ta && tb) {
      for (; j + 4 <= cols; j += 4)
        wasm_v128_store(o + j, apply(op, wasm_v128_load(ar + j), wasm_v128_load(br + j)));
    } else if (ta) {
      v128_t bv = wasm_f32x4_splat(br[0]);
      for (; j + 4 <= cols; j += 4) wasm_v128_store(o + j, apply(op, wasm_v128_load(ar + j), bv));
    } else if (tb) {
      v128_t av = wasm_f32x4_splat(ar[0]);
      for (; j + 4 <= cols; j += 4) wasm_v128_store(o + j, apply(op, av, wasm_v128_load(br + j)));
    }
    for (; j < cols; j++) {
      v128_t v = apply(op, wasm_f32x4_splat(ar[j * ta]), wasm_f32x4_splat(br[j * tb]));
      o[j] = wasm_f32x4_extract_lane(v, 0);
    }
  }
}

/* out = act(x) over rows x cols; prelu slopes (one per column) in `slopes`. */
EXPORT(unary)
void unary(i32 act, i32 rows, i32 cols, const f32 *x, f32 *out, f32 alpha, const f32 *slopes) {
  v128_t zero = wasm_f32x4_splat(0.0f);
  for (i32 r = 0; r < rows; r++) {
    const f32 *xr = x + r * cols;
    f32 *o = out + r * cols;
    for (i32 j = 0; j < cols; j += 4) {
      i32 m = cols - j < 4 ? cols - j : 4;
      v128_t slope = act == ACT_PRELU ? load_n(slopes + j, m) : zero;
      store_n(o + j, activate(load_n(xr + j, m), act, alpha, slope), m);
    }
  }
}

/* Softmax over the last axis of x[rows, cols]. */
EXPORT(softmax)
void softmax(i32 rows, i32 cols, const f32 *x, f32 *out) {
  for (i32 r = 0; r < rows; r++) {
    const f32 *xr = x + r * cols;
    f32 *o = out + r * cols;
    v128_t mx = wasm_f32x4_splat(-__builtin_inff());
    for (i32 j = 0; j < cols; j += 4) {
      i32 m = cols - j < 4 ? cols - j : 4;
      v128_t v = load_n(xr + j, m);
      if (m < 4) v = wasm_v128_bitselect(v, mx, wasm_i32x4_lt(wasm_i32x4_make(0, 1, 2, 3), wasm_i32x4_splat(m)));
      mx = wasm_f32x4_max(mx, v);
    }
    f32 m0 = wasm_f32x4_extract_lane(mx, 0), m1 = wasm_f32x4_extract_lane(mx, 1);
    f32 m2 = wasm_f32x4_extract_lane(mx, 2), m3 = wasm_f32x4_extract_lane(mx, 3);
    m0 = m0 > m1 ? m0 : m1;
    m2 = m2 > m3 ? m2 : m3;
    v128_t top = wasm_f32x4_splat(m0 > m2 ? m0 : m2);
    v128_t sum = wasm_f32x4_splat(0.0f);
    for (i32 j = 0; j < cols; j += 4) {
      i32 m = cols - j < 4 ? cols - j : 4;
      v128_t e = vexp(wasm_f32x4_sub(load_n(xr + j, m), top));
      if (m < 4) e = wasm_v128_and(e, wasm_i32x4_lt(wasm_i32x4_make(0, 1, 2, 3), wasm_i32x4_splat(m)));
      store_n(o + j, e, m);
      sum = wasm_f32x4_add(sum, e);
    }
    f32 total = wasm_f32x4_extract_lane(sum, 0) + wasm_f32x4_extract_lane(sum, 1) +
                wasm_f32x4_extract_lane(sum, 2) + wasm_f32x4_extract_lane(sum, 3);
    v128_t inv = wasm_f32x4_splat(1.0f / total);
    for (i32 j = 0; j < cols; j += 4) {
      i32 m = cols - j < 4 ? cols - j : 4;
      store_n(o + j, wasm_f32x4_mul(load_n(o + j, m), inv), m);
    }
  }
}

/* Bilinear resize of x[N, H, W, C] to out[N, OH, OW, C] from source tables the caller computes: row oy
 * blends rows y0[oy] and y1[oy] by fy[oy], column ox columns x0[ox] and x1[ox] by fx[ox]. */
EXPORT(resize_bilinear)
void resize_bilinear(i32 N, i32 H, i32 W, i32 C, i32 OH, i32 OW, const f32 *x, f32 *out, const i32 *y0,
                     const i32 *y1, const f32 *fy, const i32 *x0, const i32 *x1, const f32 *fx) {
  for (i32 n = 0; n < N; n++)
    for (i32 oy = 0; oy < OH; oy++) {
      const f32 *top = x + ((n * H + y0[oy]) * W) * C, *bot = x + ((n * H + y1[oy]) * W) * C;
      v128_t ry = wasm_f32x4_splat(fy[oy]);
      for (i32 ox = 0; ox < OW; ox++) {
        v128_t rx = wasm_f32x4_splat(fx[ox]);
        const f32 *tl = top + x0[ox] * C, *tr = top + x1[ox] * C, *bl = bot + x0[ox] * C, *br = bot + x1[ox] * C;
        f32 *o = out + ((n * OH + oy) * OW + ox) * C;
        for (i32 c = 0; c < C; c += 4) {
          i32 m = C - c < 4 ? C - c : 4;
          v128_t a = load_n(tl + c, m), b = load_n(tr + c, m), d = load_n(bl + c, m), e = load_n(br + c, m);
          v128_t t = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_f32x4_sub(b, a), rx));
          v128_t u = wasm_f32x4_add(d, wasm_f32x4_mul(wasm_f32x4_sub(e, d), rx));
          store_n(o + c, wasm_f32x4_add(t, wasm_f32x4_mul(wasm_f32x4_sub(u, t), ry)), m);
        }
      }
    }
}

/* Batch normalisation over the last axis with per-channel tables: out = (x - mean) * inv + offset
 * (inv = scale / sqrt(variance + epsilon), worked out by the caller; offset may be null). */
EXPORT(batchnorm)
void batchnorm(i32 rows, i32 cols, const f32 *x, const f32 *mean, const f32 *inv, const f32 *offset, f32 *out) {
  for (i32 r = 0; r < rows; r++) {
    const f32 *xr = x + r * cols;
    f32 *o = out + r * cols;
    for (i32 j = 0; j < cols; j += 4) {
      i32 m = cols - j < 4 ? cols - j : 4;
      v128_t v = wasm_f32x4_mul(wasm_f32x4_sub(load_n(xr + j, m), load_n(mean + j, m)), load_n(inv + j, m));
      if (offset) v = wasm_f32x4_add(v, load_n(offset + j, m));
      store_n(o + j, v, m);
    }
  }
}

/* ClipByValue: min(max(x, lo), hi). */
EXPORT(clip) void clip(i32 n, const f32 *x, f32 *out, f32 lo, f32 hi) {
  v128_t l = wasm_f32x4_splat(lo), h = wasm_f32x4_splat(hi);
  for (i32 i = 0; i < n; i += 4) {
    i32 m = n - i < 4 ? n - i : 4;
    store_n(out + i, wasm_f32x4_min(wasm_f32x4_max(load_n(x + i, m), l), h), m);
  }
}

/* Constant padding of x[D0, D1, D2, D3] (row-major) into out[E0, E1, E2, E3], Ei = Di + before_i + after_i:
 * the input lands at (b0, b1, b2, b3), every other value is `value`. */
EXPORT(pad4)
void pad4(i32 D0, i32 D1, i32 D2, i32 D3, i32 b0, i32 b1, i32 b2, i32 b3, i32 E0, i32 E1, i32 E2, i32 E3,
          const f32 *x, f32 *out, f32 value) {
  v128_t v = wasm_f32x4_splat(value);
  for (i32 i0 = 0; i0 < E0; i0++)
    for (i32 i1 = 0; i1 < E1; i1++)
      for (i32 i2 = 0; i2 < E2; i2++) {
        f32 *o = out + ((i0 * E1 + i1) * E2 + i2) * E3;
        i32 s0 = i0 - b0, s1 = i1 - b1, s2 = i2 - b2;
        i32 inside = s0 >= 0 && s0 < D0 && s1 >= 0 && s1 < D1 && s2 >= 0 && s2 < D2;
        i32 lo = inside ? b3 : E3, hi = inside ? b3 + D3 : E3;
        i32 j = 0;
        for (; j + 4 <= lo; j += 4) wasm_v128_store(o + j, v);
        for (; j < lo; j++) o[j] = value;
        if (inside) {
          const f32 *src = x + ((s0 * D1 + s1) * D2 + s2) * D3 - b3;
          for (; j + 4 <= hi; j += 4) wasm_v128_store(o + j, wasm_v128_load(src + j));
          for (; j < hi; j++) o[j] = src[j];
        }
        for (; j + 4 <= E3; j += 4) wasm_v128_store(o + j, v);
        for (; j < E3; j++) o[j] = value;
      }
}
