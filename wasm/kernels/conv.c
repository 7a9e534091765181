/* Convolutions and pooling, NHWC, with TF's padding (pads given as top/left; the bottom/right follow from the
 * output size).
 *
 * conv2d gathers `rows` output pixels' patches at a time into a scratch buffer (zeros where the patch leaves
 * the image) and multiplies them by the packed filter with gemm, epilogue fused. Depthwise convolution and
 * pooling walk the taps of one output pixel with 8 channels (two vectors) in registers. */
#include "simd.h"

void gemm(i32 M, i32 N, i32 K, const f32 *a, i32 lda, const f32 *packed, const f32 *bias, f32 *c, i32 ldc,
          i32 act, f32 alpha, const f32 *slopes, const f32 *resid, i32 ldr);

INLINE void copy_run(f32 *dst, const f32 *src, i32 n) {
  i32 c = 0;
  for (; c + 4 <= n; c += 4) wasm_v128_store(dst + c, wasm_v128_load(src + c));
  for (; c < n; c++) dst[c] = src[c];
}

INLINE void zero_run(f32 *dst, i32 n) {
  i32 c = 0;
  for (; c + 4 <= n; c += 4) wasm_v128_store(dst + c, wasm_f32x4_splat(0.0f));
  for (; c < n; c++) dst[c] = 0.0f;
}

/* Patches of output pixels [p0, p0 + rows) of one image into scratch[rows, KH * KW * C]. Without dilation a
 * kernel row inside the image is one run of KW * C floats in the input. */
static void gather(const f32 *x, i32 H, i32 W, i32 C, i32 KH, i32 KW, i32 SH, i32 SW, i32 DH, i32 DW, i32 PT,
                   i32 PL, i32 OW, i32 p0, i32 rows, f32 *scratch) {
  i32 K = KH * KW * C;
  for (i32 r = 0; r < rows; r++) {
    i32 oy = (p0 + r) / OW, ox = (p0 + r) % OW;
    f32 *dst = scratch + r * K;
    i32 ix0 = ox * SW - PL;
    i32 whole = DW == 1 && ix0 >= 0 && ix0 + KW <= W;
    for (i32 ky = 0; ky < KH; ky++, dst += KW * C) {
      i32 iy = oy * SH - PT + ky * DH;
      if (iy < 0 || iy >= H) {
        zero_run(dst, KW * C);
      } else if (whole) {
        copy_run(dst, x + (iy * W + ix0) * C, KW * C);
      } else {
        for (i32 kx = 0; kx < KW; kx++) {
          i32 ix = ix0 + kx * DW;
          if (ix < 0 || ix >= W) zero_run(dst + kx * C, C);
          else copy_run(dst + kx * C, x + (iy * W + ix) * C, C);
        }
      }
    }
  }
}

EXPORT(conv2d)
void conv2d(i32 N, i32 H, i32 W, i32 C, i32 KH, i32 KW, i32 SH, i32 SW, i32 DH, i32 DW, i32 PT, i32 PL, i32 OH,
            i32 OW, i32 CO, const f32 *x, const f32 *packed, const f32 *bias, f32 *out, i32 act, f32 alpha,
            const f32 *slopes, const f32 *resid, f32 *scratch, i32 rows) {
  i32 K = KH * KW * C, P = OH * OW;
  for (i32 n = 0; n < N; n++) {
    const f32 *xn = x + n * H * W * C;
    for (i32 p0 = 0; p0 < P; p0 += rows) {
      i32 m = P - p0 < rows ? P - p0 : rows;
      gather(xn, H, W, C, KH, KW, SH, SW, DH, DW, PT, PL, OW, p0, m, scratch);
      i32 o = (n * P + p0) * CO;
      gemm(m, CO, K, scratch, K, packed, bias, out + o, CO, act, alpha, slopes, resid ? resid + o : 0, CO);
    }
  }
}

/* The tap range [lo, hi) of a kernel axis that lands inside [0, size) for output coordinate o. */
INLINE i32 tap_lo(i32 o, i32 s, i32 pad, i32 d) {
  i32 start = o * s - pad;
  return start >= 0 ? 0 : (-start + d - 1) / d;
}
INLINE i32 tap_hi(i32 o, i32 s, i32 pad, i32 d, i32 k, i32 size) {
  i32 start = o * s - pad;
  if (start >= size) return 0;
  i32 hi = (size - 1 - start) / d + 1;
  return hi < k ? hi : k;
}

/* Four output pixels of one row, all with their whole window inside the image: each tap's weights are loaded
 * once for the four. `x0` is the window origin of the first pixel; the next ones start `step` floats on. */
INLINE void depthwise_row4(const f32 *x0, i32 step, i32 rowstride, i32 tapstride, i32 KH, i32 KW, i32 C,
                           const f32 *w, f32 *out, const f32 *bias, const f32 *resid, const f32 *slopes,
                           i32 act, f32 alpha) {
  i32 c = 0;
  for (; c + 8 <= C; c += 8) {
    v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    for (i32 ky = 0; ky < KH; ky++) {
      const f32 *xr = x0 + ky * rowstride + c, *wr = w + ky * KW * C + c;
      for (i32 kx = 0; kx < KW; kx++) {
        const f32 *xp = xr + kx * tapstride;
        v128_t w0 = wasm_v128_load(wr + kx * C), w1 = wasm_v128_load(wr + kx * C + 4);
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(xp), w0));
        b0 = wasm_f32x4_add(b0, wasm_f32x4_mul(wasm_v128_load(xp + 4), w1));
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(xp + step), w0));
        b1 = wasm_f32x4_add(b1, wasm_f32x4_mul(wasm_v128_load(xp + step + 4), w1));
        a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(xp + 2 * step), w0));
        b2 = wasm_f32x4_add(b2, wasm_f32x4_mul(wasm_v128_load(xp + 2 * step + 4), w1));
        a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(xp + 3 * step), w0));
        b3 = wasm_f32x4_add(b3, wasm_f32x4_mul(wasm_v128_load(xp + 3 * step + 4), w1));
      }
    }
    const f32 *r = resid ? resid + c : 0;
    wasm_v128_store(out + c, epilogue(a0, bias, r, slopes, c, 4, act, alpha));
    wasm_v128_store(out + c + 4, epilogue(b0, bias, r ? r + 4 : 0, slopes, c + 4, 4, act, alpha));
    wasm_v128_store(out + C + c, epilogue(a1, bias, r ? r + C : 0, slopes, c, 4, act, alpha));
    wasm_v128_store(out + C + c + 4, epilogue(b1, bias, r ? r + C + 4 : 0, slopes, c + 4, 4, act, alpha));
    wasm_v128_store(out + 2 * C + c, epilogue(a2, bias, r ? r + 2 * C : 0, slopes, c, 4, act, alpha));
    wasm_v128_store(out + 2 * C + c + 4, epilogue(b2, bias, r ? r + 2 * C + 4 : 0, slopes, c + 4, 4, act, alpha));
    wasm_v128_store(out + 3 * C + c, epilogue(a3, bias, r ? r + 3 * C : 0, slopes, c, 4, act, alpha));
    wasm_v128_store(out + 3 * C + c + 4, epilogue(b3, bias, r ? r + 3 * C + 4 : 0, slopes, c + 4, 4, act, alpha));
  }
  for (; c < C; c += 4) {
    i32 m = C - c < 4 ? C - c : 4;
    v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
    for (i32 ky = 0; ky < KH; ky++) {
      const f32 *xr = x0 + ky * rowstride + c, *wr = w + ky * KW * C + c;
      for (i32 kx = 0; kx < KW; kx++) {
        const f32 *xp = xr + kx * tapstride;
        v128_t w0 = load_n(wr + kx * C, m);
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(load_n(xp, m), w0));
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(load_n(xp + step, m), w0));
        a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(load_n(xp + 2 * step, m), w0));
        a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(load_n(xp + 3 * step, m), w0));
      }
    }
    const f32 *r = resid ? resid + c : 0;
    store_n(out + c, epilogue(a0, bias, r, slopes, c, m, act, alpha), m);
    store_n(out + C + c, epilogue(a1, bias, r ? r + C : 0, slopes, c, m, act, alpha), m);
    store_n(out + 2 * C + c, epilogue(a2, bias, r ? r + 2 * C : 0, slopes, c, m, act, alpha), m);
    store_n(out + 3 * C + c, epilogue(a3, bias, r ? r + 3 * C : 0, slopes, c, m, act, alpha), m);
  }
}

/* One output pixel over the taps [ky0, ky1) x [kx0, kx1) that land inside the image (a border pixel, or one
 * left over by depthwise_row4): 8 channels at a time, then the last 4 or fewer. */
INLINE void depthwise_px(const f32 *x0, i32 rowstride, i32 tapstride, i32 ky0, i32 ky1, i32 kx0, i32 kx1, i32 KW,
                         i32 C, const f32 *w, f32 *out, const f32 *bias, const f32 *resid, const f32 *slopes,
                         i32 act, f32 alpha) {
  i32 c = 0;
  for (; c + 8 <= C; c += 8) {
    v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0;
    for (i32 ky = ky0; ky < ky1; ky++) {
      const f32 *xr = x0 + ky * rowstride + c, *wr = w + ky * KW * C + c;
      for (i32 kx = kx0; kx < kx1; kx++) {
        const f32 *xp = xr + kx * tapstride, *wp = wr + kx * C;
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(xp), wasm_v128_load(wp)));
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(xp + 4), wasm_v128_load(wp + 4)));
      }
    }
    wasm_v128_store(out + c, epilogue(a0, bias, resid ? resid + c : 0, slopes, c, 4, act, alpha));
    wasm_v128_store(out + c + 4, epilogue(a1, bias, resid ? resid + c + 4 : 0, slopes, c + 4, 4, act, alpha));
  }
  for (; c < C; c += 4) {
    i32 m = C - c < 4 ? C - c : 4;
    v128_t acc = wasm_f32x4_splat(0.0f);
    for (i32 ky = ky0; ky < ky1; ky++)
      for (i32 kx = kx0; kx < kx1; kx++) {
        const f32 *xp = x0 + ky * rowstride + kx * tapstride + c, *wp = w + (ky * KW + kx) * C + c;
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(load_n(xp, m), load_n(wp, m)));
      }
    store_n(out + c, epilogue(acc, bias, resid ? resid + c : 0, slopes, c, m, act, alpha), m);
  }
}

/* Depthwise convolution with channel multiplier 1: w[KH, KW, C]. Pixels whose window lies inside the image
 * go four at a time (depthwise_row4); the others, one at a time, walk only the taps inside. */
EXPORT(depthwise2d)
void depthwise2d(i32 N, i32 H, i32 W, i32 C, i32 KH, i32 KW, i32 SH, i32 SW, i32 DH, i32 DW, i32 PT, i32 PL,
                 i32 OH, i32 OW, const f32 *x, const f32 *w, const f32 *bias, f32 *out, i32 act, f32 alpha,
                 const f32 *slopes, const f32 *resid) {
  /* output columns [oxa, oxb) have their whole window inside the image horizontally */
  i32 oxa = PL > 0 ? (PL + SW - 1) / SW : 0;
  i32 lastx = W - 1 - (KW - 1) * DW + PL;  /* ox * SW <= lastx */
  i32 oxb = lastx < 0 ? 0 : lastx / SW + 1;
  if (oxb > OW) oxb = OW;
  for (i32 n = 0; n < N; n++) {
    const f32 *xn = x + n * H * W * C;
    for (i32 oy = 0; oy < OH; oy++) {
      i32 ky0 = tap_lo(oy, SH, PT, DH), ky1 = tap_hi(oy, SH, PT, DH, KH, H);
      i32 ox = 0;
      while (ox < OW) {
        i32 o = ((n * OH + oy) * OW + ox) * C;
        const f32 *base = xn + ((oy * SH - PT) * W + (ox * SW - PL)) * C;
        if (ky0 == 0 && ky1 == KH && ox >= oxa && ox + 4 <= oxb) {
          depthwise_row4(base, SW * C, DH * W * C, DW * C, KH, KW, C, w, out + o, bias, resid ? resid + o : 0,
                         slopes, act, alpha);
          ox += 4;
          continue;
        }
        i32 kx0 = tap_lo(ox, SW, PL, DW), kx1 = tap_hi(ox, SW, PL, DW, KW, W);
        depthwise_px(base, DH * W * C, DW * C, ky0, ky1, kx0, kx1, KW, C, w, out + o, bias,
                     resid ? resid + o : 0, slopes, act, alpha);
        ox++;
      }
    }
  }
}

/* Max (mode 0) or average (mode 1) pooling; averages count only the cells inside the image. */
EXPORT(pool2d)
void pool2d(i32 N, i32 H, i32 W, i32 C, i32 KH, i32 KW, i32 SH, i32 SW, i32 PT, i32 PL, i32 OH, i32 OW,
            const f32 *x, f32 *out, i32 mode) {
  for (i32 n = 0; n < N; n++) {
    const f32 *xn = x + n * H * W * C;
    for (i32 oy = 0; oy < OH; oy++) {
      i32 ky0 = tap_lo(oy, SH, PT, 1), ky1 = tap_hi(oy, SH, PT, 1, KH, H);
      for (i32 ox = 0; ox < OW; ox++) {
        i32 kx0 = tap_lo(ox, SW, PL, 1), kx1 = tap_hi(ox, SW, PL, 1, KW, W);
        i32 count = (ky1 - ky0) * (kx1 - kx0);
        v128_t scale = wasm_f32x4_splat(count > 0 ? 1.0f / (f32)count : 0.0f);
        i32 o = ((n * OH + oy) * OW + ox) * C;
        const f32 *base = xn + ((oy * SH - PT) * W + (ox * SW - PL)) * C;
        for (i32 c = 0; c < C; c += 4) {
          i32 m = C - c < 4 ? C - c : 4;
          v128_t acc = wasm_f32x4_splat(mode == 0 ? -__builtin_inff() : 0.0f);
          for (i32 ky = ky0; ky < ky1; ky++)
            for (i32 kx = kx0; kx < kx1; kx++) {
              v128_t v = load_n(base + (ky * W + kx) * C + c, m);
              acc = mode == 0 ? wasm_f32x4_max(acc, v) : wasm_f32x4_add(acc, v);
            }
          store_n(out + o + c, mode == 0 ? acc : wasm_f32x4_mul(acc, scale), m);
        }
      }
    }
  }
}

/* Mean over the spatial axes: x[N, P, C] -> out[N, C]. */
EXPORT(mean_spatial) void mean_spatial(i32 N, i32 P, i32 C, const f32 *x, f32 *out) {
  v128_t scale = wasm_f32x4_splat(1.0f / (f32)P);
  for (i32 n = 0; n < N; n++)
    for (i32 c = 0; c < C; c += 4) {
      i32 m = C - c < 4 ? C - c : 4;
      v128_t acc = wasm_f32x4_splat(0.0f);
      for (i32 p = 0; p < P; p++) acc = wasm_f32x4_add(acc, load_n(x + (n * P + p) * C + c, m));
      store_n(out + n * C + c, wasm_f32x4_mul(acc, scale), m);
    }
}
