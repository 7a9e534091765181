/* Matrix products on packed weights: C[M, N] = act(A[M, K] @ B[K, N] + bias + residual).
 *
 * B is packed once (pack_b) into panels of 8 columns, each panel K rows of 8 floats, zero-padded past N, so
 * the inner loop reads one panel row with two vector loads. A 4 x 8 block of C stays in 8 vector registers
 * while k runs; each step broadcasts one element of each of the 4 rows of A (four steps share one vector load
 * of each row). A 6 x 8 block with broadcast loads measured slower in V8 (spills). */
#include "simd.h"

#define PANEL 8

EXPORT(packed_b_floats) i32 packed_b_floats(i32 K, i32 N) { return ((N + PANEL - 1) / PANEL) * PANEL * K; }

/* b[k * ldb + n] -> packed[(n / 8) * K * 8 + k * 8 + n % 8]. */
EXPORT(pack_b) void pack_b(i32 K, i32 N, const f32 *b, i32 ldb, f32 *packed) {
  for (i32 p = 0; p < N; p += PANEL) {
    i32 w = N - p < PANEL ? N - p : PANEL;
    f32 *dst = packed + (p / PANEL) * K * PANEL;
    for (i32 k = 0; k < K; k++) {
      const f32 *src = b + k * ldb + p;
      for (i32 j = 0; j < PANEL; j++) dst[k * PANEL + j] = j < w ? src[j] : 0.0f;
    }
  }
}

#define LOADB(kk) \
  v128_t b0 = wasm_v128_load(bp + (kk) * PANEL), b1 = wasm_v128_load(bp + (kk) * PANEL + 4);
#define FMA(acc, a, b) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))
#define LANE(v, l) wasm_i32x4_shuffle(v, v, l, l, l, l)
/* Step kk of four: lane kk of each row's vector of A against panel row kk. */
#define STEP4(kk)                                                                                  \
  {                                                                                                \
    LOADB(kk)                                                                                      \
    v128_t x0 = LANE(va0, kk), x1 = LANE(va1, kk), x2 = LANE(va2, kk), x3 = LANE(va3, kk);         \
    FMA(c00, x0, b0); FMA(c01, x0, b1); FMA(c10, x1, b0); FMA(c11, x1, b1);                        \
    FMA(c20, x2, b0); FMA(c21, x2, b1); FMA(c30, x3, b0); FMA(c31, x3, b1);                        \
  }

/* Stores one row of a block: lanes [c, c + w) of the 8 in (v0, v1), through the epilogue. */
INLINE void store_row(f32 *out, const f32 *resid, v128_t v0, v128_t v1, i32 c, i32 w, const f32 *bias,
                      const f32 *slopes, i32 act, f32 alpha) {
  i32 w0 = w < 4 ? w : 4;
  v0 = epilogue(v0, bias, resid, slopes, c, w0, act, alpha);
  store_n(out, v0, w0);
  if (w > 4) {
    v1 = epilogue(v1, bias, resid ? resid + 4 : 0, slopes, c + 4, w - 4, act, alpha);
    store_n(out + 4, v1, w - 4);
  }
}

/* One 4 x 8 block of C: rows [i, i + 4), panel p. */
INLINE void block4(i32 i, i32 p, i32 N, i32 K, const f32 *a, i32 lda, const f32 *packed, const f32 *bias, f32 *c,
                   i32 ldc, i32 act, f32 alpha, const f32 *slopes, const f32 *resid, i32 ldr) {
  const f32 *a0 = a + i * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
  const f32 *bp = packed + (p / PANEL) * K * PANEL;
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  i32 k = 0;
  /* four steps of k at a time: one vector load per row of A, its lanes broadcast by shuffles (fewer loads
   * than a broadcast load per step, and the same 14 live vectors) */
  for (; k + 4 <= K; k += 4, bp += 4 * PANEL) {
    v128_t va0 = wasm_v128_load(a0 + k), va1 = wasm_v128_load(a1 + k);
    v128_t va2 = wasm_v128_load(a2 + k), va3 = wasm_v128_load(a3 + k);
    STEP4(0) STEP4(1) STEP4(2) STEP4(3)
  }
  for (; k < K; k++, bp += PANEL) {
    LOADB(0)
    v128_t x0 = wasm_f32x4_splat(a0[k]), x1 = wasm_f32x4_splat(a1[k]);
    v128_t x2 = wasm_f32x4_splat(a2[k]), x3 = wasm_f32x4_splat(a3[k]);
    FMA(c00, x0, b0); FMA(c01, x0, b1); FMA(c10, x1, b0); FMA(c11, x1, b1);
    FMA(c20, x2, b0); FMA(c21, x2, b1); FMA(c30, x3, b0); FMA(c31, x3, b1);
  }
  i32 w = N - p < PANEL ? N - p : PANEL;
  f32 *o = c + i * ldc + p;
  const f32 *r = resid ? resid + i * ldr + p : 0;
  store_row(o, r, c00, c01, p, w, bias, slopes, act, alpha);
  store_row(o + ldc, r ? r + ldr : 0, c10, c11, p, w, bias, slopes, act, alpha);
  store_row(o + 2 * ldc, r ? r + 2 * ldr : 0, c20, c21, p, w, bias, slopes, act, alpha);
  store_row(o + 3 * ldc, r ? r + 3 * ldr : 0, c30, c31, p, w, bias, slopes, act, alpha);
}

/* One row of C, one panel. */
INLINE void block1(i32 i, i32 p, i32 N, i32 K, const f32 *a, i32 lda, const f32 *packed, const f32 *bias, f32 *c,
                   i32 ldc, i32 act, f32 alpha, const f32 *slopes, const f32 *resid, i32 ldr) {
  const f32 *a0 = a + i * lda;
  const f32 *bp = packed + (p / PANEL) * K * PANEL;
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00;
  for (i32 k = 0; k < K; k++, bp += PANEL) {
    LOADB(0)
    v128_t x0 = wasm_f32x4_splat(a0[k]);
    FMA(c00, x0, b0); FMA(c01, x0, b1);
  }
  i32 w = N - p < PANEL ? N - p : PANEL;
  store_row(c + i * ldc + p, resid ? resid + i * ldr + p : 0, c00, c01, p, w, bias, slopes, act, alpha);
}

/* Rows in blocks of 4 (then one at a time) against every panel. When the packed weights are much larger than
 * the rows of A (few rows, long K, wide N: a network's last layers), panels go in the outer loop so that each
 * panel is read from memory once while the rows of A stay in cache; otherwise rows go outside. */
EXPORT(gemm)
void gemm(i32 M, i32 N, i32 K, const f32 *a, i32 lda, const f32 *packed, const f32 *bias, f32 *c, i32 ldc,
          i32 act, f32 alpha, const f32 *slopes, const f32 *resid, i32 ldr) {
  i32 M4 = M - M % 4;
  int panels_outside = (long long)K * N > 4LL * M * K && (long long)K * N * 4 > (256 << 10);
  if (panels_outside) {
    for (i32 p = 0; p < N; p += PANEL) {
      for (i32 i = 0; i < M4; i += 4) block4(i, p, N, K, a, lda, packed, bias, c, ldc, act, alpha, slopes, resid, ldr);
      for (i32 i = M4; i < M; i++) block1(i, p, N, K, a, lda, packed, bias, c, ldc, act, alpha, slopes, resid, ldr);
    }
    return;
  }
  for (i32 i = 0; i < M4; i += 4)
    for (i32 p = 0; p < N; p += PANEL) block4(i, p, N, K, a, lda, packed, bias, c, ldc, act, alpha, slopes, resid, ldr);
  for (i32 i = M4; i < M; i++)
    for (i32 p = 0; p < N; p += PANEL) block1(i, p, N, K, a, lda, packed, bias, c, ldc, act, alpha, slopes, resid, ldr);
}

/* The multiply-add peak: `iters` rounds of 12 independent vector multiply-adds (a = a * y + z, 12 chains: more
 * than the multiply-then-add latency needs to keep the units busy, few enough to stay in registers). One round
 * is 12 x 4 x 2 = 96 flops; the result depends on every round so that nothing is optimised away. */
#define MADD(acc) acc = wasm_f32x4_add(wasm_f32x4_mul(acc, y), z)
EXPORT(fma_peak) f32 fma_peak(i32 iters, f32 seed) {
  v128_t y = wasm_f32x4_splat(0.999f), z = wasm_f32x4_splat(1e-3f);
  v128_t a0 = wasm_f32x4_splat(seed), a1 = wasm_f32x4_add(a0, z), a2 = wasm_f32x4_add(a1, z);
  v128_t a3 = wasm_f32x4_add(a2, z), a4 = wasm_f32x4_add(a3, z), a5 = wasm_f32x4_add(a4, z);
  v128_t a6 = wasm_f32x4_add(a5, z), a7 = wasm_f32x4_add(a6, z), a8 = wasm_f32x4_add(a7, z);
  v128_t a9 = wasm_f32x4_add(a8, z), a10 = wasm_f32x4_add(a9, z), a11 = wasm_f32x4_add(a10, z);
  for (i32 i = 0; i < iters; i++) {
    MADD(a0); MADD(a1); MADD(a2); MADD(a3); MADD(a4); MADD(a5);
    MADD(a6); MADD(a7); MADD(a8); MADD(a9); MADD(a10); MADD(a11);
  }
  v128_t s = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3)),
                            wasm_f32x4_add(wasm_f32x4_add(a4, a5), wasm_f32x4_add(a6, a7)));
  s = wasm_f32x4_add(s, wasm_f32x4_add(wasm_f32x4_add(a8, a9), wasm_f32x4_add(a10, a11)));
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 3);
}
