/* Shared helpers of the kernels: partial loads and stores, exp, fused epilogues.
 *
 * Every kernel works on memory it is handed by address and keeps its locals in registers: no static data,
 * no stack (the module's memory belongs to its host; see build_wasm.py's checks). */
#ifndef TFJS_SIMD_H
#define TFJS_SIMD_H

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))

typedef float f32;
typedef int i32;

/* Epilogue activations (the `act` argument of the fused kernels and the unary kernel). */
enum {
  ACT_NONE = 0, ACT_RELU = 1, ACT_RELU6 = 2, ACT_LEAKY = 3, ACT_PRELU = 4, ACT_ELU = 5, ACT_SIGMOID = 6,
  ACT_HARD_SIGMOID = 7, ACT_SWISH = 8, ACT_EXP = 9
};

/* n (0..4) floats from p into the low lanes, zeros above. */
INLINE v128_t load_n(const f32 *p, i32 n) {
  if (n >= 4) return wasm_v128_load(p);
  f32 a = p[0];
  f32 b = n > 1 ? p[1] : 0.0f;
  f32 c = n > 2 ? p[2] : 0.0f;
  return wasm_f32x4_make(a, b, c, 0.0f);
}

INLINE void store_n(f32 *p, v128_t v, i32 n) {
  if (n >= 4) { wasm_v128_store(p, v); return; }
  p[0] = wasm_f32x4_extract_lane(v, 0);
  if (n > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (n > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

/* e^x, range-reduced to x = n ln2 + r, |r| <= ln2 / 2, with a degree-6 polynomial; x is clamped to the
 * range where 2^n is a normal float (results under FLT_MIN come out as about FLT_MIN). */
INLINE v128_t vexp(v128_t x) {
  x = wasm_f32x4_pmin(wasm_f32x4_splat(88.3f), wasm_f32x4_pmax(wasm_f32x4_splat(-87.3f), x));
  v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(5.0000001201e-1f));
  v128_t r2 = wasm_f32x4_mul(r, r);
  p = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(p, r2), r), wasm_f32x4_splat(1.0f));
  v128_t scale = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(p, scale);
}

/* e^x - 1 without the cancellation of exp(x) - 1 near zero: the series for |x| < 0.34. */
INLINE v128_t vexpm1(v128_t x) {
  v128_t big = wasm_f32x4_sub(vexp(x), wasm_f32x4_splat(1.0f));
  v128_t p = wasm_f32x4_splat(1.0f / 40320.0f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x), wasm_f32x4_splat(1.0f / 5040.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x), wasm_f32x4_splat(1.0f / 720.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x), wasm_f32x4_splat(1.0f / 120.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x), wasm_f32x4_splat(1.0f / 24.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x), wasm_f32x4_splat(1.0f / 6.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x), wasm_f32x4_splat(0.5f));
  v128_t small = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, x), x), x);
  v128_t near0 = wasm_f32x4_lt(wasm_f32x4_abs(x), wasm_f32x4_splat(0.34f));
  return wasm_v128_bitselect(small, big, near0);
}

/* 1 / (1 + e^-x), from e^-|x| so that neither side overflows. */
INLINE v128_t vsigmoid(v128_t x) {
  v128_t e = vexp(wasm_f32x4_neg(wasm_f32x4_abs(x)));
  v128_t s = wasm_f32x4_div(wasm_f32x4_splat(1.0f), wasm_f32x4_add(wasm_f32x4_splat(1.0f), e));
  v128_t neg = wasm_f32x4_lt(x, wasm_f32x4_splat(0.0f));
  return wasm_v128_bitselect(wasm_f32x4_mul(e, s), s, neg);
}

/* The activation `act` of v; alpha is the leaky-relu slope or the elu scale, `slope` the prelu slopes of these lanes. */
INLINE v128_t activate(v128_t v, i32 act, f32 alpha, v128_t slope) {
  v128_t zero = wasm_f32x4_splat(0.0f);
  switch (act) {
    case ACT_RELU: return wasm_f32x4_max(v, zero);
    case ACT_RELU6: return wasm_f32x4_min(wasm_f32x4_max(v, zero), wasm_f32x4_splat(6.0f));
    case ACT_LEAKY:
      return wasm_v128_bitselect(v, wasm_f32x4_mul(v, wasm_f32x4_splat(alpha)), wasm_f32x4_ge(v, zero));
    case ACT_PRELU: return wasm_v128_bitselect(v, wasm_f32x4_mul(v, slope), wasm_f32x4_ge(v, zero));
    case ACT_ELU:
      return wasm_v128_bitselect(v, wasm_f32x4_mul(vexpm1(v), wasm_f32x4_splat(alpha)), wasm_f32x4_gt(v, zero));
    case ACT_SIGMOID: return vsigmoid(v);
    case ACT_HARD_SIGMOID: {
      v128_t h = wasm_f32x4_add(wasm_f32x4_mul(v, wasm_f32x4_splat(0.2f)), wasm_f32x4_splat(0.5f));
      return wasm_f32x4_min(wasm_f32x4_max(h, zero), wasm_f32x4_splat(1.0f));
    }
    case ACT_SWISH: return wasm_f32x4_mul(v, vsigmoid(v));
    case ACT_EXP: return vexp(v);
    default: return v;
  }
}

/* Fused epilogue of lanes [c, c + n) of an output row: + bias, + residual, then the activation. */
INLINE v128_t epilogue(v128_t v, const f32 *bias, const f32 *resid, const f32 *slopes, i32 c, i32 n, i32 act,
                       f32 alpha) {
  if (bias) v = wasm_f32x4_add(v, load_n(bias + c, n));
  if (resid) v = wasm_f32x4_add(v, load_n(resid, n));
  v128_t slope = act == ACT_PRELU ? load_n(slopes + c, n) : wasm_f32x4_splat(0.0f);
  return activate(v, act, alpha, slope);
}

#endif
