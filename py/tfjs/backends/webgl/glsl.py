"""The GLSL of the webgl backend's elementwise math: helper functions every pass may call (``FUNCS``), and the
tables of unary and binary ops as GLSL on vec4 operands (one table, read by the kernels and by the fusion
planner's epilogues).
"""

from __future__ import annotations

FUNCS = """
float nan_() { return uintBitsToFloat(0x7fc00000u); }
vec4 tanh_(vec4 x) { vec4 e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }
vec4 expm1_(vec4 x) { vec4 u = exp(x); vec4 d = u - 1.0; vec4 l = log(u);
  vec4 k = d * x / l; return mix(mix(k, x, equal(u, vec4(1.0))), vec4(-1.0), equal(d, vec4(-1.0))); }
vec4 log1p_(vec4 x) { vec4 u = 1.0 + x; vec4 d = u - 1.0; vec4 r = mix(log(u) * x / d, x, equal(d, vec4(0.0)));
  r = mix(r, vec4(-1.0 / 0.0), equal(u, vec4(0.0))); return mix(r, vec4(nan_()), lessThan(u, vec4(0.0))); }
vec4 sin_(vec4 x) { vec4 k = floor(x * 0.3183098861837907 + 0.5);
  vec4 y = (x - k * 3.140625) - k * 9.67653589793e-4;
  vec4 y2 = y * y;
  vec4 s = y * (1.0 + y2 * (-0.16666666666666666 + y2 * (0.008333333333333333 + y2 * (-1.984126984126984e-4
       + y2 * (2.7557319223985893e-6 + y2 * (-2.505210838544172e-8 + y2 * 1.6059043836821613e-10))))));
  return mix(s, -s, notEqual(mod(k, 2.0), vec4(0.0))); }
vec4 cos_(vec4 x) { vec4 k = floor(x * 0.3183098861837907);
  vec4 y = (x - k * 3.140625) - k * 9.67653589793e-4 - 1.5707963267948966;
  vec4 y2 = y * y;
  vec4 s = y * (1.0 + y2 * (-0.16666666666666666 + y2 * (0.008333333333333333 + y2 * (-1.984126984126984e-4
       + y2 * (2.7557319223985893e-6 + y2 * (-2.505210838544172e-8 + y2 * 1.6059043836821613e-10))))));
  return mix(-s, s, notEqual(mod(k, 2.0), vec4(0.0))); }
vec4 erf_(vec4 x) { vec4 ax = abs(x); vec4 t = 1.0 / (1.0 + 0.3275911 * ax);
  vec4 p = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  return sign(x) * (1.0 - p * exp(-ax * ax)); }
vec4 softplus_(vec4 x) { vec4 ex = exp(min(x, 80.0)); vec4 mid = log1p_(ex);
  return mix(mix(mid, ex, lessThan(x, vec4(-13.942385152878742))), x, greaterThan(x, vec4(13.942385152878742))); }
float powf_(float a, float b) {
  if (b == 0.0) return 1.0;
  if (a == 0.0) return b > 0.0 ? 0.0 : 1.0 / 0.0;
  float p = pow(abs(a), b);
  if (a > 0.0) return p;
  if (floor(b) != b) return nan_();
  return mod(abs(b), 2.0) == 1.0 ? -p : p; }
vec4 isnan_(vec4 x) { return vec4(greaterThan(floatBitsToUint(x) & 0x7fffffffu, uvec4(0x7f800000u))); }
vec4 isinf_(vec4 x) { return vec4(equal(floatBitsToUint(x) & 0x7fffffffu, uvec4(0x7f800000u))); }
vec4 isfinite_(vec4 x) { return vec4(lessThan(floatBitsToUint(x) & 0x7fffffffu, uvec4(0x7f800000u))); }
vec4 nan_outside_(vec4 r, vec4 x) { return mix(r, vec4(nan_()), greaterThan(abs(x), vec4(1.0))); }
vec4 floordiv_(vec4 a, vec4 b) { vec4 d = a / b; vec4 n = roundEven(d);
  vec4 q = mix(floor(d), n, equal(n * b, a));  // an exact quotient, whatever the rounding of a / b
  return q * isfinite_(q); }
// int32 operands (integer-valued floats, |v| <= 2^24): integer arithmetic on magnitudes, exact; a zero
// divisor gives 0 (as the cpu kernels)
float ifloordiv1_(float a, float b) { int ia = int(a); int ib = int(b);
  if (ib == 0) return 0.0;
  int aa = abs(ia); int ab = abs(ib); int q = aa / ab;
  if ((ia < 0) != (ib < 0)) q = q * ab == aa ? -q : -q - 1;
  return float(q); }
float ifloormod1_(float a, float b) { int ia = int(a); int ib = int(b);
  if (ib == 0) return 0.0;
  int aa = abs(ia); int ab = abs(ib); int m = aa - (aa / ab) * ab;
  if (m != 0 && (ia < 0) != (ib < 0)) m = ab - m;
  return float(ib < 0 ? -m : m); }
vec4 ifloordiv_(vec4 a, vec4 b) { return vec4(ifloordiv1_(a.x, b.x), ifloordiv1_(a.y, b.y),
  ifloordiv1_(a.z, b.z), ifloordiv1_(a.w, b.w)); }
vec4 ifloormod_(vec4 a, vec4 b) { return vec4(ifloormod1_(a.x, b.x), ifloormod1_(a.y, b.y),
  ifloormod1_(a.z, b.z), ifloormod1_(a.w, b.w)); }
// TopK's order on (key, index) pairs: numbers larger first, equal ones by index; NaN keys (NaNs and padding)
// after every number, by index
bool pair_before_(vec2 a, vec2 b) { bool la = isnan_(vec4(a.x)).x > 0.0; bool lb = isnan_(vec4(b.x)).x > 0.0;
  return (la || lb) ? (lb && (!la || a.y < b.y)) : (a.x > b.x || (a.x == b.x && a.y < b.y)); }
vec4 iand_(vec4 a, vec4 b) { return vec4(ivec4(a) & ivec4(b)); }
vec4 bool_(vec4 x) { return vec4(notEqual(x, vec4(0.0))); }
vec4 pow_(vec4 a, vec4 b) { return vec4(powf_(a.x, b.x), powf_(a.y, b.y), powf_(a.z, b.z), powf_(a.w, b.w)); }
"""

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

# name -> (GLSL on vec4 x with float attributes {A} and {B}, number of float attributes)
UNARY = {
    "Relu": ("max(x, 0.0)", 0), "Relu6": ("clamp(x, 0.0, 6.0)", 0),
    "Sigmoid": ("1.0 / (1.0 + exp(-x))", 0), "Tanh": ("tanh_(x)", 0), "Exp": ("exp(x)", 0),
    "Log": ("log(x)", 0), "Sqrt": ("sqrt(x)", 0), "Rsqrt": ("1.0 / sqrt(x)", 0), "Square": ("x * x", 0),
    "Abs": ("abs(x)", 0), "Neg": ("-x", 0), "Reciprocal": ("1.0 / x", 0), "Floor": ("floor(x)", 0),
    "Ceil": ("ceil(x)", 0), "Round": ("roundEven(x)", 0), "Sign": ("sign(x)", 0), "Sin": ("sin_(x)", 0),
    "Cos": ("cos_(x)", 0), "Expm1": ("expm1_(x)", 0), "Log1p": ("log1p_(x)", 0), "Erf": ("erf_(x)", 0),
    "Softplus": ("softplus_(x)", 0),
    "Selu": (f"mix({SELU_SCALE * SELU_ALPHA:.9g} * expm1_(min(x, 0.0)), {SELU_SCALE:.9g} * x, "
             f"greaterThan(x, vec4(0.0)))", 0),
    "Elu": ("mix({A} * expm1_(min(x, 0.0)), x, greaterThan(x, vec4(0.0)))", 1),
    "LeakyRelu": ("mix(x * {A}, x, greaterThanEqual(x, vec4(0.0)))", 1),
    "Step": ("mix(vec4({A}), vec4(1.0), greaterThan(x, vec4(0.0)))", 1),
    "ClipByValue": ("clamp(x, {A}, {B})", 2),
    "Tan": ("sin_(x) / cos_(x)", 0), "Asin": ("nan_outside_(asin(clamp(x, -1.0, 1.0)), x)", 0),
    "Acos": ("nan_outside_(acos(clamp(x, -1.0, 1.0)), x)", 0), "Atan": ("atan(x)", 0),
    "Sinh": ("0.5 * (exp(x) - exp(-x))", 0), "Cosh": ("0.5 * (exp(x) + exp(-x))", 0),
    "Asinh": ("sign(x) * log(abs(x) + sqrt(x * x + 1.0))", 0),
    "Acosh": ("mix(log(x + sqrt(x * x - 1.0)), vec4(nan_()), lessThan(x, vec4(1.0)))", 0),
    "Atanh": ("nan_outside_(0.5 * log((1.0 + x) / (1.0 - x)), x)", 0),
    # bool results (0.0 / 1.0): see kernels/compare.py
    "IsNan": ("isnan_(x)", 0), "IsInf": ("isinf_(x)", 0), "IsFinite": ("isfinite_(x)", 0),
    "LogicalNot": ("1.0 - bool_(x)", 0), "ToBool": ("bool_(x)", 0),
}
UNARY_ATTRS = {"Elu": ("alpha",), "LeakyRelu": ("alpha",), "Step": ("alpha",),
               "ClipByValue": ("clip_value_min", "clip_value_max")}
UNARY_DEFAULTS = {"Elu": (1.0,), "LeakyRelu": (0.2,), "Step": (0.0,)}

# name -> GLSL on vec4 operands {a} and {b}
BINARY = {
    "Add": "{a} + {b}", "Sub": "{a} - {b}", "Mul": "{a} * {b}", "RealDiv": "{a} / {b}",
    "Maximum": "max({a}, {b})", "Minimum": "min({a}, {b})", "SquaredDifference": "({a} - {b}) * ({a} - {b})",
    "Pow": "pow_({a}, {b})", "Prelu": "mix({a} * {b}, {a}, greaterThanEqual({a}, vec4(0.0)))",
    "DivNoNan": "mix({a} / {b}, vec4(0.0), equal({b}, vec4(0.0)))",
    "Atan2": "mix(atan({a}, {b}), vec4(0.0), equal(abs({a}) + abs({b}), vec4(0.0)))",
    "FloorMod": "{a} - {b} * floor({a} / {b})", "FloorDiv": "floordiv_({a}, {b})",
    # the int32 forms of FloorDiv and FloorMod (steps of kernels/elementwise.py's floor kernels, not ops)
    "FloorDiv:int": "ifloordiv_({a}, {b})", "FloorMod:int": "ifloormod_({a}, {b})",
    # BitwiseAnd of int32 operands (kernels/bitwise.py): two's complement AND of the integers the floats hold
    "BitwiseAnd:int": "iand_({a}, {b})",
    # bool results (0.0 / 1.0): see kernels/compare.py
    "Equal": "vec4(equal({a}, {b}))", "NotEqual": "vec4(notEqual({a}, {b}))",
    "Greater": "vec4(greaterThan({a}, {b}))", "GreaterEqual": "vec4(greaterThanEqual({a}, {b}))",
    "Less": "vec4(lessThan({a}, {b}))", "LessEqual": "vec4(lessThanEqual({a}, {b}))",
    "LogicalAnd": "bool_({a}) * bool_({b})", "LogicalOr": "max(bool_({a}), bool_({b}))",
}
#: ops of the tables above whose results are bool (registered by kernels/compare.py; "ToBool" is Cast's)
BOOL_OUT = {"IsNan", "IsInf", "IsFinite", "LogicalNot", "ToBool", "Equal", "NotEqual", "Greater", "GreaterEqual",
            "Less", "LessEqual", "LogicalAnd", "LogicalOr"}
#: ops of the tables above whose results are int32 (integer-valued floats)
INT_OUT = {"FloorDiv"}
COMMUTATIVE = {"Add", "Mul", "Maximum", "Minimum", "SquaredDifference", "Equal", "NotEqual", "LogicalAnd",
               "LogicalOr"}
