"""WebGL kernels, by the cpu backend's op names.

Producers (convolutions, matrix products, and a plain copy) return *pending* tensors: the elementwise ops
that follow them (bias add, batch norm, activations, adds of same-shape tensors, per-channel or scalar
operands) are folded into the producer's shader as an epilogue, and the pass runs when the result is first
needed. Layout ops (transpose, slice, strided slice, tile, pad, gather, ...) run as one gather pass through
an index map computed once per input shape and attributes by the cpu kernel itself on an index array.
"""

from __future__ import annotations

import math

import numpy as np

from ... import kernel_names as K
from ..cpu.conv import same_or_valid_pads
from ..registry import get_kernel_config, register_kernel
from . import backend as _backend
from .backend import MAX_EXACT_INDEX, NotOnGPU, program_source
from .tensor import F32, GPUTensor

MAX_STEPS = 6

# ------------------------------------------------------------------------------------------------ GLSL
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
vec4 pow_(vec4 a, vec4 b) { return vec4(powf_(a.x, b.x), powf_(a.y, b.y), powf_(a.z, b.z), powf_(a.w, b.w)); }
"""

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

# name -> (GLSL on vec4 x with floats A and B, number of float attributes)
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
    "Elu": ("mix(A * expm1_(min(x, 0.0)), x, greaterThan(x, vec4(0.0)))", 1),
    "LeakyRelu": ("mix(x * A, x, greaterThanEqual(x, vec4(0.0)))", 1),
    "Step": ("mix(vec4(A), vec4(1.0), greaterThan(x, vec4(0.0)))", 1),
    "ClipByValue": ("clamp(x, A, B)", 2),
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
}
COMMUTATIVE = {"Add", "Mul", "Maximum", "Minimum", "SquaredDifference"}


# ------------------------------------------------------------------------------------------------ plans
class Plan:
    """A producer pass and its epilogue steps. ``body(ntex_main)`` is GLSL that sets ``r`` for texel ``t``."""

    def __init__(self, key, body: str, inputs: list, params: list, floats: list, channels: int,
                 steps: tuple = (), step_inputs: tuple = (), step_floats: tuple = ()):
        # a pending tensor read by a pass runs now: a later epilogue on it (a residual add after the branch
        # that reads it) then starts from its texture instead of running its producer a second time
        for x in list(inputs) + list(step_inputs):
            if isinstance(x, GPUTensor) and x._tex is None:
                x.texture  # noqa: B018
        self.key = key
        self.body = body
        self.inputs = inputs
        self.params = params
        self.floats = floats
        self.channels = max(int(channels), 1)
        self.steps = steps
        self.step_inputs = step_inputs
        self.step_floats = step_floats

    def with_step(self, sig: tuple, inputs: tuple = (), floats: tuple = ()) -> "Plan":
        return Plan(self.key, self.body, self.inputs, self.params, self.floats, self.channels,
                    self.steps + (sig,), self.step_inputs + tuple(inputs), self.step_floats + tuple(floats))

    def execute(self, backend, shape) -> GPUTensor:
        nmain = len(self.inputs)
        cv = self.channels % 4 == 0
        key = (self.key, self.steps, cv)
        cidx = len(self.params)
        fbase = len(self.floats)
        ntex = nmain + len(self.step_inputs)

        def source():
            code = [self.body]
            if self.steps:
                code.append(f"  int C_ = P({cidx}); int ch0 = i0 % C_;")
            k, f = nmain, fbase
            for sig in self.steps:
                kind = sig[0]
                if kind == "act":
                    expr, nf = UNARY[sig[1]]
                    expr = expr.replace("A", f"uf[{f}]").replace("B", f"uf[{f + 1}]")
                    code.append(f"  {{ vec4 x = r; r = {expr}; }}")
                    f += nf
                elif kind == "bin":
                    op, mode, rev = sig[1], sig[2], sig[3]
                    if mode == "same":
                        v = f"X{k}(t)"
                        k += 1
                    elif mode == "chan":
                        v = _chan(k, cv)
                        k += 1
                    else:
                        v = f"vec4(uf[{f}])"
                        f += 1
                    a, b = ("v", "r") if rev else ("r", "v")
                    code.append(f"  {{ vec4 v = {v}; r = {_bin_expr(op, a, b)}; }}")
                elif kind == "bn":
                    _, has_off, has_scale = sig
                    m, var = _chan(k, cv), _chan(k + 1, cv)
                    k += 2
                    line = f"  {{ vec4 inv = 1.0 / sqrt({var} + uf[{f}]);"
                    f += 1
                    if has_scale:
                        line += f" inv = inv * {_chan(k, cv)};"
                        k += 1
                    line += f" r = (r - {m}) * inv;"
                    if has_off:
                        line += f" r = r + {_chan(k, cv)};"
                        k += 1
                    code.append(line + " }")
            nfloat = f
            return program_source(ntex, cidx + 1, nfloat, "\n".join(code), FUNCS)

        params = list(self.params) + [self.channels]
        label = None
        if backend.profile is not None:
            label = "+".join([str(self.key[0])] + [_step_label(sig) for sig in self.steps])
        return backend.run(key, source, list(self.inputs) + list(self.step_inputs), shape, params,
                           list(self.floats) + list(self.step_floats), label=label)


def _step_label(sig) -> str:
    if sig[0] == "act":
        return sig[1]
    if sig[0] == "bin":
        return f"{sig[1]}({sig[2]})"
    return "batchnorm"


def _chan(k: int, cv: bool) -> str:
    if cv:
        return f"X{k}(ch0 >> 2)"
    return (f"vec4(S{k}(ch0), S{k}((i0 + 1) % C_), S{k}((i0 + 2) % C_), S{k}((i0 + 3) % C_))")


def _bin_expr(op: str, a: str, b: str) -> str:
    return BINARY[op].format(a=a, b=b)


# ------------------------------------------------------------------------------------------------ helpers
def _is_float_input(x) -> bool:
    if isinstance(x, GPUTensor):
        return True
    a = np.asarray(x)
    return a.dtype == F32 or a.dtype.kind in "fiub" and a.dtype.kind != "c"


def _pending(backend, x: GPUTensor) -> Plan:
    """A plan that can take one more epilogue step: x's own pending plan, or a copy of x."""
    plan = x._plan if x._tex is None else None
    if plan is not None and len(plan.steps) < MAX_STEPS:
        return plan
    x.texture  # noqa: B018  (materialize)
    c = x.shape[-1] if x.shape else 1
    return Plan(("copy",), "  r = X0(t);", [x], [], [], c)


def _extendable(x) -> bool:
    """x is a pending GPU tensor whose pass can take one more epilogue step."""
    return isinstance(x, GPUTensor) and x._tex is None and x._plan is not None and len(x._plan.steps) < MAX_STEPS


def _channels(x) -> int:
    return x.shape[-1] if x.shape else 1


def _as_channel_vector(v, c: int):
    """v as a length-c vector if it broadcasts only along the last axis of a tensor with c channels."""
    shape = tuple(v.shape)
    while shape and shape[0] == 1:
        shape = shape[1:]
    if shape == (c,) or (shape == () and c == 1):
        return v if len(v.shape) == 1 else v.reshape(c)
    return None


def _ax(axis, rank):
    return axis + rank if axis < 0 else axis


# ------------------------------------------------------------------------------------------------ kernels
class Kernels:
    def __init__(self, backend):
        self.b = backend

    def g(self, x) -> GPUTensor:
        if isinstance(x, GPUTensor):
            return x
        a = x if isinstance(x, np.ndarray) else np.asarray(x)
        if a.dtype.kind not in "fiub" or a.dtype == np.float64 and False:
            raise NotOnGPU()
        return self.b.upload(a)

    # -------------------------------------------------------------- elementwise
    def unary(self, name):
        attrs_names = UNARY_ATTRS.get(name, ())

        def kernel(x, *args, **attrs):  # float32 inputs only: see _float32_first, its registry predicate
            vals = list(args)
            for i, an in enumerate(attrs_names[len(vals):], start=len(vals)):
                if an in attrs:
                    vals.append(attrs[an])
                else:
                    vals.append(UNARY_DEFAULTS[name][i])
            x = self.g(x)
            plan = _pending(self.b, x)
            return GPUTensor(self.b, x.shape, plan=plan.with_step(("act", name), (), [float(v) for v in vals]))
        return kernel

    def binary(self, name):
        def kernel(a, b):
            if not (_is_float_input(a) and _is_float_input(b)):
                raise NotOnGPU()
            if not isinstance(a, GPUTensor) and not isinstance(b, GPUTensor):
                if np.asarray(a).dtype != F32 and np.asarray(b).dtype != F32:
                    raise NotOnGPU()
            sa, sb = tuple(np.shape(a)), tuple(np.shape(b))
            out_shape = tuple(np.broadcast_shapes(sa, sb))
            # the big operand carries the plan; the other joins as same-shape, per-channel or scalar
            if sa == out_shape and (isinstance(a, GPUTensor) or sb != out_shape):
                big, small, rev = a, b, False
            elif sb == out_shape:
                big, small, rev = b, a, True
            else:
                big, small, rev = self.broadcast(a, out_shape), b, False
                sb = tuple(np.shape(b))
            if not rev and name != "Prelu" and sb == out_shape and _extendable(b) and not _extendable(a):
                # a same-shape operand that is still pending carries the step (a residual add joins the
                # branch's last pass instead of costing a copy pass of its own)
                big, small, rev = b, a, True
            if name == "Prelu" and rev:
                big, small, rev = self.broadcast(a, out_shape), b, False
            big = self.g(big)
            if big.shape != out_shape:
                big = self.broadcast(big, out_shape)
            plan = _pending(self.b, big)
            small_shape = tuple(np.shape(small))
            c = _channels(big)
            if small_shape == out_shape:
                step = plan.with_step(("bin", name, "same", rev), (self.g(small),))
            elif not isinstance(small, GPUTensor) and int(np.prod(small_shape)) == 1:
                step = plan.with_step(("bin", name, "scalar", rev), (), [float(np.asarray(small).reshape(()))])
            else:
                vec = _as_channel_vector(small, c) if small_shape else None
                if vec is not None and plan.channels == c:
                    step = plan.with_step(("bin", name, "chan", rev), (self.g(vec),))
                else:
                    step = plan.with_step(("bin", name, "same", rev), (self.broadcast(small, out_shape),))
            return GPUTensor(self.b, out_shape, plan=step)
        return kernel

    def broadcast(self, x, shape) -> GPUTensor:
        shape = tuple(shape)
        if tuple(np.shape(x)) == shape:
            return self.g(x)
        if not isinstance(x, GPUTensor):
            a = np.asarray(x, F32)
            return self.g(np.ascontiguousarray(np.broadcast_to(a, shape)))
        return self.gather_map(x, ("BroadcastTo", x.shape, shape),
                               lambda idx: np.broadcast_to(idx, shape))

    def batch_norm(self, x, mean, variance, offset=None, scale=None, variance_epsilon=1e-3):
        if not isinstance(x, GPUTensor) and np.asarray(x).dtype != F32:
            raise NotOnGPU()
        x = self.g(x)
        c = _channels(x)
        params = []
        for v in (mean, variance, scale, offset):
            if v is None:
                params.append(None)
                continue
            vec = _as_channel_vector(v, c) if tuple(np.shape(v)) else None
            if vec is None:
                if int(np.prod(np.shape(v))) == 1 and not isinstance(v, GPUTensor):
                    vec = np.full((c,), float(np.asarray(v).reshape(())), F32)
                    vec.flags.writeable = True
                else:
                    raise NotOnGPU()
            params.append(self.g(vec))
        m, var, s, off = params
        plan = _pending(self.b, x)
        if plan.channels != c:
            raise NotOnGPU()
        ins = [m, var] + ([s] if s is not None else []) + ([off] if off is not None else [])
        step = plan.with_step(("bn", off is not None, s is not None), tuple(ins), [float(variance_epsilon)])
        return GPUTensor(self.b, x.shape, plan=step)

    def cast(self, x, dtype="float32"):
        if dtype in ("float32", F32, np.float32) and isinstance(x, GPUTensor):
            return x
        raise NotOnGPU()

    # -------------------------------------------------------------- products
    def matmul(self, a, b, transpose_a=False, transpose_b=False):
        if not (_is_float_input(a) and _is_float_input(b)):
            raise NotOnGPU()
        sa, sb = tuple(np.shape(a)), tuple(np.shape(b))
        if len(sa) < 2 or len(sb) < 2:
            raise NotOnGPU()
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
        if w > _backend.MAX_WIDTH or bb * k > self.b._gl.max_texture_size:
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
                w = w if w <= _backend.MAX_WIDTH and bb * n <= self.b._gl.max_texture_size else None
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

    # -------------------------------------------------------------- convolutions
    def conv2d(self, x, filt, strides=1, pad="valid", dilations=1):
        if np.ndim(x) != 4 or not (_is_float_input(x) and _is_float_input(filt)):
            raise NotOnGPU()
        nb, h, w, cin = np.shape(x)
        kh, kw, fcin, cout = np.shape(filt)
        if fcin != cin:
            raise ValueError(f"Conv2D: input has {cin} channels but the filter expects {fcin}")
        sh, sw = _pair(strides)
        dh, dw = _pair(dilations)
        pads, (oh, ow) = same_or_valid_pads((h, w), (kh, kw), (sh, sw), (dh, dw), pad)
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
        consts = f"const int KH = {kh}; const int KW = {kw}; const int SH = {sh}; const int SW = {sw}; " \
                 f"const int DH = {dh}; const int DW = {dw};\n"
        head = consts + "  int H = P(0); int W = P(1); int CIN = P(2); int OH = P(3); int OW = P(4); " \
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
                body = head + f"""  int co = i0 % COUT; int pix = i0 / COUT; int ws = COUT >> 2;
  int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
  vec4 acc = vec4(0.0);
  for (int ky = 0; ky < KH; ky++) {{
    int iy = oy * SH - PT + ky * DH;
    if (iy < 0 || iy >= H) continue;
    for (int kx = 0; kx < KW; kx++) {{
      int ix = ox * SW - PL + kx * DW;
      if (ix < 0 || ix >= W) continue;
      int xb = ((nn * H + iy) * W + ix) * CIN;
      int wt = ((ky * KW + kx) * CIN * COUT + co) >> 2;
{inner}
    }}
  }}
  r = acc;"""
        else:
            body = head + """  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int co = i % COUT; int pix = i / COUT;
    int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
    float acc = 0.0;
    for (int ky = 0; ky < KH; ky++) {
      int iy = oy * SH - PT + ky * DH;
      if (iy < 0 || iy >= H) continue;
      for (int kx = 0; kx < KW; kx++) {
        int ix = ox * SW - PL + kx * DW;
        if (ix < 0 || ix >= W) continue;
        int xb = ((nn * H + iy) * W + ix) * CIN;
        int wb = (ky * KW + kx) * CIN * COUT + co;
        for (int c = 0; c < CIN; c++) acc += S0(xb + c) * S1(wb + c * COUT);
      }
    }
    r[q] = acc;
  }"""
        key = ("conv2d", kh, kw, sh, sw, dh, dw, cout % 4 == 0, cin % 4 == 0, w_row, cin == 4)
        return GPUTensor(self.b, out_shape, plan=Plan(key, body, [x, filt], params, [], cout))

    def depthwise(self, x, filt, strides=1, pad="valid", dilations=1):
        if np.ndim(x) != 4 or not (_is_float_input(x) and _is_float_input(filt)):
            raise NotOnGPU()
        nb, h, w, c = np.shape(x)
        kh, kw, fc, mult = np.shape(filt)
        if fc != c:
            raise ValueError(f"DepthwiseConv2dNative: input has {c} channels but the filter expects {fc}")
        sh, sw = _pair(strides)
        dh, dw = _pair(dilations)
        pads, (oh, ow) = same_or_valid_pads((h, w), (kh, kw), (sh, sw), (dh, dw), pad)
        out_shape = (nb, oh, ow, c * mult)
        x, filt = self.g(x), self.g(filt)
        params = [h, w, c, oh, ow, mult, pads[0][0], pads[1][0]]
        consts = f"const int KH = {kh}; const int KW = {kw}; const int SH = {sh}; const int SW = {sw}; " \
                 f"const int DH = {dh}; const int DW = {dw};\n"
        head = consts + "  int H = P(0); int W = P(1); int C = P(2); int OH = P(3); int OW = P(4); " \
                        "int MU = P(5); int PT = P(6); int PL = P(7); int CO = C * MU;\n"
        fast = mult == 1 and c % 4 == 0
        w_row = False
        if fast:
            body = head + """  int cc = i0 % C; int pix = i0 / C;
  int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
  vec4 acc = vec4(0.0);
  for (int ky = 0; ky < KH; ky++) {
    int iy = oy * SH - PT + ky * DH;
    if (iy < 0 || iy >= H) continue;
    for (int kx = 0; kx < KW; kx++) {
      int ix = ox * SW - PL + kx * DW;
      if (ix < 0 || ix >= W) continue;
      acc += X0((((nn * H + iy) * W + ix) * C + cc) >> 2) * X1(((ky * KW + kx) * C + cc) >> 2);
    }
  }
  r = acc;"""
            w_row = filt.texture.h == 1   # the filter in one texture row: read at (texel, 0)
            pi = self.b.pixels_per_row(x.texture, c)
            ow = self.b.out_width(out_shape) if pi else None
            po = ow // (c >> 2) if ow and ow % (c >> 2) == 0 else 0
            if pi and po in (1, 2, 4, 8):
                # input and output one pixel per texture row: the fragment is (channel texel, pixel)
                w_row = "rows" if w_row else "rows-x"
                body = head + """  int cq = int(gl_FragCoord.x); int pix = int(gl_FragCoord.y); int cc = cq * 4;
  int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
  vec4 acc = vec4(0.0);
  for (int ky = 0; ky < KH; ky++) {
    int iy = oy * SH - PT + ky * DH;
    if (iy < 0 || iy >= H) continue;
    int rowb = (nn * H + iy) * W;
    for (int kx = 0; kx < KW; kx++) {
      int ix = ox * SW - PL + kx * DW;
      if (ix < 0 || ix >= W) continue;
      acc += T0(ivec2(cq, rowb + ix)) * X1(((ky * KW + kx) * C + cc) >> 2);
    }
  }
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
            body = head + """  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int oc = i % CO; int pix = i / CO; int cc = oc / MU;
    int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
    float acc = 0.0;
    for (int ky = 0; ky < KH; ky++) {
      int iy = oy * SH - PT + ky * DH;
      if (iy < 0 || iy >= H) continue;
      for (int kx = 0; kx < KW; kx++) {
        int ix = ox * SW - PL + kx * DW;
        if (ix < 0 || ix >= W) continue;
        acc += S0(((nn * H + iy) * W + ix) * C + cc) * S1((ky * KW + kx) * CO + oc);
      }
    }
    r[q] = acc;
  }"""
        key = ("depthwise", kh, kw, sh, sw, dh, dw, fast, fast and w_row)
        return GPUTensor(self.b, out_shape, plan=Plan(key, body, [x, filt], params, [], c * mult))

    def conv_transpose(self, dy, filt, output_shape, strides=1, pad="valid"):
        if np.ndim(dy) != 4 or not (_is_float_input(dy) and _is_float_input(filt)):
            raise NotOnGPU()
        nb, h, w, cin = np.shape(dy)
        kh, kw, cout, fcin = np.shape(filt)
        if fcin != cin:
            raise ValueError(f"Conv2DBackpropInput: input has {cin} channels but the filter expects {fcin}")
        sh, sw = _pair(strides)
        oh, ow = int(output_shape[1]), int(output_shape[2])
        pads, ins = same_or_valid_pads((oh, ow), (kh, kw), (sh, sw), (1, 1), pad)
        if list(ins) != [h, w]:
            raise ValueError(f"Conv2DBackpropInput: output shape {list(output_shape)} gives input sizes {ins} "
                             f"but the input has sizes {[h, w]}")
        out_shape = (nb, oh, ow, cout)
        dy, filt = self.g(dy), self.g(filt)
        params = [h, w, cin, oh, ow, cout, pads[0][0], pads[1][0]]
        vec = cin % 4 == 0
        inner = ("for (int c = 0; c < CIN; c += 4) acc += dot(X0((xb + c) >> 2), X1((wb + c) >> 2));" if vec else
                 "for (int c = 0; c < CIN; c++) acc += S0(xb + c) * S1(wb + c);")
        body = f"""  const int KH = {kh}; const int KW = {kw}; const int SH = {sh}; const int SW = {sw};
  int H = P(0); int W = P(1); int CIN = P(2); int OH = P(3); int OW = P(4); int COUT = P(5);
  int PT = P(6); int PL = P(7);
  for (int q = 0; q < 4; q++) {{
    int i = i0 + q; if (i >= NOUT) break;
    int co = i % COUT; int pix = i / COUT;
    int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
    float acc = 0.0;
    for (int ky = 0; ky < KH; ky++) {{
      int ny = oy + PT - ky;
      if (ny < 0 || ny % SH != 0) continue;
      int iy = ny / SH; if (iy >= H) continue;
      for (int kx = 0; kx < KW; kx++) {{
        int nx = ox + PL - kx;
        if (nx < 0 || nx % SW != 0) continue;
        int ix = nx / SW; if (ix >= W) continue;
        int xb = ((nn * H + iy) * W + ix) * CIN;
        int wb = ((ky * KW + kx) * COUT + co) * CIN;
        {inner}
      }}
    }}
    r[q] = acc;
  }}"""
        key = ("convT", kh, kw, sh, sw, vec)
        return GPUTensor(self.b, out_shape, plan=Plan(key, body, [dy, filt], params, [], cout))

    def pool(self, mode):
        def kernel(x, ksize, strides, pad):
            if np.ndim(x) != 4 or not _is_float_input(x):
                raise NotOnGPU()
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

    # -------------------------------------------------------------- reductions, softmax
    def reduce(self, mode):
        def kernel(x, axis=None, keep_dims=False):
            if not isinstance(x, GPUTensor) and np.asarray(x).dtype != F32:
                raise NotOnGPU()
            shape = tuple(np.shape(x))
            rank = len(shape)
            if axis is None:
                axes = list(range(rank))
            else:
                axes = sorted({_ax(int(a), rank) for a in (np.asarray(axis).reshape(-1).tolist())})
            if not axes or rank == 0:
                return x if isinstance(x, GPUTensor) else self.g(x)
            x = self.g(x)
            if axes != list(range(axes[0], axes[-1] + 1)):
                rest = [d for d in range(rank) if d not in axes]
                perm = rest + axes
                x = self.transpose(x, perm)
                shape = x.shape
                axes = list(range(len(rest), rank))
            outer = int(np.prod(shape[:axes[0]]))
            red = int(np.prod(shape[axes[0]:axes[-1] + 1]))
            post = int(np.prod(shape[axes[-1] + 1:]))
            out = self._reduce(x, mode, outer, red, post)
            if keep_dims:
                oshape = tuple(1 if d in axes else s for d, s in enumerate(shape))
            else:
                oshape = tuple(s for d, s in enumerate(shape) if d not in axes)
            if mode in ("argmax", "argmin"):
                return np.asarray(out).astype(np.int32).reshape(oshape)
            return out.reshape(oshape)
        return kernel

    def _reduce(self, x, mode, outer, red, post):
        comb = {"sum": "acc += v;", "mean": "acc += v;", "max": "acc = max(acc, v);", "min": "acc = min(acc, v);",
                "prod": "acc *= v;"}
        init = {"sum": "0.0", "mean": "0.0", "max": "-3.4028234663852886e38", "min": "3.4028234663852886e38",
                "prod": "1.0"}
        params = [outer, red, post]
        fin = "acc / float(R)" if mode == "mean" else "acc"
        if mode in ("argmax", "argmin"):
            cmp = ">" if mode == "argmax" else "<"
            body = f"""  int R = P(1); int PO = P(2);
  for (int q = 0; q < 4; q++) {{
    int i = i0 + q; if (i >= NOUT) break;
    int p = i % PO; int oo = i / PO;
    int base = oo * R * PO + p;
    float best = S0(base); int bi = 0;
    for (int k = 1; k < R; k++) {{ float v = S0(base + k * PO); if (v {cmp} best) {{ best = v; bi = k; }} }}
    r[q] = float(bi);
  }}"""
            fast = False
        elif post % 4 == 0:
            fast = True
            body = f"""  int R = P(1); int PO = P(2);
  int p = i0 % PO; int oo = i0 / PO;
  int bt = (oo * R * PO + p) >> 2; int st = PO >> 2;
  vec4 acc = vec4({init[mode]});
  for (int k = 0; k < R; k++) {{ vec4 v = X0(bt); bt += st; {comb[mode]} }}
  r = {fin};"""
        else:
            fast = False
            body = f"""  int R = P(1); int PO = P(2);
  for (int q = 0; q < 4; q++) {{
    int i = i0 + q; if (i >= NOUT) break;
    int p = i % PO; int oo = i / PO;
    int base = oo * R * PO + p;
    float acc = {init[mode]};
    for (int k = 0; k < R; k++) {{ float v = S0(base + k * PO); {comb[mode]} }}
    r[q] = {fin};
  }}"""
        key = ("reduce", mode, fast)
        return Plan(key, body, [x], params, [], post).execute(self.b, (outer, post))

    def softmax(self, log=False):
        def kernel(x, axis=-1):
            if not isinstance(x, GPUTensor) and np.asarray(x).dtype != F32:
                raise NotOnGPU()
            shape = tuple(np.shape(x))
            if not shape or _ax(int(axis), len(shape)) != len(shape) - 1:
                raise NotOnGPU()
            x = self.g(x)
            c = shape[-1]
            fin = "(xv - m) - log(s)" if log else "exp(xv - m) / s"
            if c % 4 == 0:
                body = f"""  int C = P(0); int row = i0 / C; int bt = row * C >> 2;
  float m = -3.4028234663852886e38;
  for (int k = 0; k < C; k += 4) {{ vec4 v = X0(bt + (k >> 2)); m = max(m, max(max(v.x, v.y), max(v.z, v.w))); }}
  float s = 0.0;
  for (int k = 0; k < C; k += 4) s += dot(exp(X0(bt + (k >> 2)) - m), vec4(1.0));
  vec4 xv = X0(t);
  r = {fin};"""
            else:
                body = f"""  int C = P(0);
  for (int q = 0; q < 4; q++) {{
    int i = i0 + q; if (i >= NOUT) break;
    int base = (i / C) * C;
    float m = -3.4028234663852886e38;
    for (int k = 0; k < C; k++) m = max(m, S0(base + k));
    float s = 0.0;
    for (int k = 0; k < C; k++) s += exp(S0(base + k) - m);
    float xv = S0(i);
    r[q] = {fin};
  }}"""
            key = ("softmax", log, c % 4 == 0)
            return GPUTensor(self.b, shape, plan=Plan(key, body, [x], [c], [], c))
        return kernel

    # -------------------------------------------------------------- layout
    def gather_map(self, x, key, fn, constant=None) -> GPUTensor:
        """Run a layout op as a gather: fn maps an index array of x's shape to the output's indices."""
        x = self.g(x)
        n = x.size
        if n >= MAX_EXACT_INDEX:
            raise NotOnGPU()

        def make():
            idx = np.arange(n, dtype=np.float64).reshape(x.shape)
            if constant is not None:
                idx = idx + 1.0
            out = np.asarray(fn(idx))
            if constant is not None:
                out = out - 1.0
            return out

        imap = self.b.index_map((key, x.shape), make)
        return self.gather_with(x, imap, constant)

    def gather_with(self, x, imap, constant=None):
        body = """  vec4 id = X1(t);
  for (int q = 0; q < 4; q++) {
    int j = int(id[q]);
    r[q] = j < 0 ? uf[0] : S0(j);
  }"""
        shape = imap.shape
        return Plan(("gather",), body, [x, imap], [], [0.0 if constant is None else float(constant)],
                    shape[-1] if shape else 1).execute(self.b, shape)

    def layout(self, name, cpu_kernel, attr_key=lambda a: a):
        def kernel(x, *args, **attrs):
            if not isinstance(x, GPUTensor) and np.asarray(x).dtype != F32:
                raise NotOnGPU()
            try:
                key = (name, _freeze(args), _freeze(attrs))
            except TypeError:
                raise NotOnGPU() from None
            # indices shifted by one: a value the cpu kernel fills in (the zero padding of SpaceToBatchND)
            # comes out as -1 and reads as 0.0, never as element 0
            if name in ("Unpack", "SplitV"):
                outs = cpu_kernel(_probe(x), *args, **attrs)
                return [self.gather_map(x, key + (i,), lambda idx, i=i: cpu_kernel(idx, *args, **attrs)[i],
                                        constant=0.0) for i in range(len(outs))]
            return self.gather_map(x, key, lambda idx: cpu_kernel(idx, *args, **attrs), constant=0.0)
        return kernel

    def transpose(self, x, perm):
        perm = [int(p) for p in perm]
        if perm == list(range(len(perm))):
            return self.g(x)
        return self.gather_map(x, ("Transpose", tuple(perm)), lambda idx: np.transpose(idx, perm))

    def pad(self, x, paddings, constant_value=0.0):
        if not isinstance(x, GPUTensor) and np.asarray(x).dtype != F32:
            raise NotOnGPU()
        pads = tuple(tuple(int(v) for v in p) for p in np.asarray(paddings).reshape(-1, 2).tolist())
        return self.gather_map(x, ("PadV2", pads), lambda idx: np.pad(idx, pads, constant_values=0.0),
                               constant=float(np.asarray(constant_value).reshape(())))

    def _indexed(self, name, x, indices, fn, *attrs):
        """A gather by indices on the host (up to 4096 of them): the cpu kernel ``fn(index array, indices)``
        maps the index map, cached by the indices' values (its errors, e.g. an index out of range, are the
        cpu kernel's). Indices on the GPU go to the cpu kernel."""
        if isinstance(indices, GPUTensor) or (not isinstance(x, GPUTensor) and np.asarray(x).dtype != F32):
            raise NotOnGPU()
        idx = np.asarray(indices)
        if idx.size > 4096:
            raise NotOnGPU()
        key = (name, idx.shape, idx.astype(np.int64).tobytes()) + attrs
        return self.gather_map(x, key, lambda ix: fn(ix, idx))

    def gather(self, x, indices, axis=0, batch_dims=0):
        from ..cpu.array import gather as cpu_gather

        return self._indexed("GatherV2", x, indices, lambda ix, idx: cpu_gather(ix, idx, axis, batch_dims),
                             int(axis), int(batch_dims))

    def gather_nd(self, x, indices):
        return self._indexed("GatherNd", x, indices, self.b.cpu.kernels["GatherNd"])

    def concat(self, xs, axis=0):
        xs = list(xs)
        if not xs or not all(_is_float_input(x) and (isinstance(x, GPUTensor) or np.asarray(x).dtype == F32)
                             for x in xs):
            raise NotOnGPU()
        rank = len(np.shape(xs[0]))
        axis = _ax(int(axis), rank)
        xs = [x for x in xs if int(np.prod(np.shape(x))) > 0] or xs[:1]
        if len(xs) == 1:
            return self.g(xs[0])
        shapes = [tuple(np.shape(x)) for x in xs]
        for s in shapes:
            if len(s) != rank or s[:axis] != shapes[0][:axis] or s[axis + 1:] != shapes[0][axis + 1:]:
                raise ValueError(f"Concat: shapes {[list(s) for s in shapes]} differ outside axis {axis}")
        while len(xs) > 6:
            head = self.concat(xs[:6], axis)
            xs = [head] + xs[6:]
            shapes = [tuple(np.shape(x)) for x in xs]
        post = int(np.prod(shapes[0][axis + 1:]))
        inners = [s[axis] * post for s in shapes]
        total = sum(inners)
        out_shape = shapes[0][:axis] + (sum(s[axis] for s in shapes),) + shapes[0][axis + 1:]
        offs = np.cumsum([0] + inners).tolist()
        fast = all(v % 4 == 0 for v in inners)
        params = [total] + [int(v) for v in offs[1:]] + inners
        k = len(xs)
        if fast:
            lines = ["  int TOT = P(0); int oo = i0 / TOT; int rr = i0 % TOT;"]
            for j in range(k):
                cond = f"rr < P({1 + j})" if j < k - 1 else "true"
                lo = "0" if j == 0 else f"P({j})"
                lines.append(f"  {'if' if j == 0 else 'else if'} ({cond}) r = X{j}((oo * P({1 + k + j}) + rr - {lo}) >> 2);")
            body = "\n".join(lines)
        else:
            lines = ["  int TOT = P(0);", "  for (int q = 0; q < 4; q++) {", "    int i = i0 + q; if (i >= NOUT) break;",
                     "    int oo = i / TOT; int rr = i % TOT;"]
            for j in range(k):
                cond = f"rr < P({1 + j})" if j < k - 1 else "true"
                lo = "0" if j == 0 else f"P({j})"
                lines.append(f"    {'if' if j == 0 else 'else if'} ({cond}) r[q] = S{j}(oo * P({1 + k + j}) + rr - {lo});")
            lines.append("  }")
            body = "\n".join(lines)
        key = ("concat", k, fast)
        ins = [self.g(x) for x in xs]
        return Plan(key, body, ins, params, [], out_shape[-1]).execute(self.b, out_shape)

    def add_n(self, xs):
        xs = list(xs)
        if not xs or not all(isinstance(x, GPUTensor) or np.asarray(x).dtype == F32 for x in xs):
            raise NotOnGPU()
        shape = tuple(np.shape(xs[0]))
        if any(tuple(np.shape(x)) != shape for x in xs):
            raise ValueError(f"AddN: inputs must have one shape, got {[list(np.shape(x)) for x in xs]}")
        add = self.binary("Add")
        y = self.g(xs[0])
        for x in xs[1:]:  # same-shape adds: epilogue steps of one pass (a new pass every MAX_STEPS)
            y = add(y, x)
        return y

    def pack(self, xs, axis=0):
        xs = list(xs)
        if not xs:
            raise NotOnGPU()
        rank = len(np.shape(xs[0])) + 1
        axis = _ax(int(axis), rank)
        parts = []
        for x in xs:
            s = tuple(np.shape(x))
            ns = s[:axis] + (1,) + s[axis:]
            parts.append(x.reshape(ns) if isinstance(x, GPUTensor) else np.asarray(x).reshape(ns))
        return self.concat(parts, axis)

    def reshape_like(self, name, cpu_kernel):
        def kernel(x, *args, **attrs):
            if not isinstance(x, GPUTensor):
                raise NotOnGPU()
            probe = np.broadcast_to(np.zeros((), np.int8), x.shape)
            shape = np.shape(cpu_kernel(probe, *args, **attrs))
            return self.b.reshape(x, shape)
        return kernel

    # -------------------------------------------------------------- images
    def resize_bilinear(self, x, size, align_corners=False, half_pixel_centers=False):
        if np.ndim(x) != 4 or (not isinstance(x, GPUTensor) and np.asarray(x).dtype != F32):
            raise NotOnGPU()
        from ..cpu.image import _source

        nb, h, w, c = np.shape(x)
        oh, ow = int(size[0]), int(size[1])

        def table(in_size, out_size):
            src = _source(in_size, out_size, align_corners, half_pixel_centers)
            low = np.maximum(np.floor(src), 0).astype(np.int64)
            high = np.minimum(np.ceil(src).astype(np.int64), in_size - 1)
            frac = (src - low).astype(F32)
            return np.concatenate([np.minimum(low, in_size - 1).astype(np.float64), high.astype(np.float64),
                                   frac.astype(np.float64)])

        ty = self.b.index_map(("resize_y", h, oh, align_corners, half_pixel_centers), lambda: table(h, oh))
        tx = self.b.index_map(("resize_x", w, ow, align_corners, half_pixel_centers), lambda: table(w, ow))
        x = self.g(x)
        fast = c % 4 == 0
        if fast:
            body = """  int H = P(0); int W = P(1); int C = P(2); int OH = P(3); int OW = P(4);
  int cc = i0 % C; int pix = i0 / C; int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
  int y0 = int(S1(oy)); int y1 = int(S1(OH + oy)); float fy = S1(2 * OH + oy);
  int x0 = int(S2(ox)); int x1 = int(S2(OW + ox)); float fx = S2(2 * OW + ox);
  vec4 tl = X0((((nn * H + y0) * W + x0) * C + cc) >> 2); vec4 tr = X0((((nn * H + y0) * W + x1) * C + cc) >> 2);
  vec4 bl = X0((((nn * H + y1) * W + x0) * C + cc) >> 2); vec4 br = X0((((nn * H + y1) * W + x1) * C + cc) >> 2);
  vec4 tp = tl + (tr - tl) * fx; vec4 bt = bl + (br - bl) * fx;
  r = tp + (bt - tp) * fy;"""
        else:
            body = """  int H = P(0); int W = P(1); int C = P(2); int OH = P(3); int OW = P(4);
  for (int q = 0; q < 4; q++) {
    int i = i0 + q; if (i >= NOUT) break;
    int cc = i % C; int pix = i / C; int ox = pix % OW; int oy = (pix / OW) % OH; int nn = pix / (OW * OH);
    int y0 = int(S1(oy)); int y1 = int(S1(OH + oy)); float fy = S1(2 * OH + oy);
    int x0 = int(S2(ox)); int x1 = int(S2(OW + ox)); float fx = S2(2 * OW + ox);
    float tl = S0(((nn * H + y0) * W + x0) * C + cc); float tr = S0(((nn * H + y0) * W + x1) * C + cc);
    float bl = S0(((nn * H + y1) * W + x0) * C + cc); float br = S0(((nn * H + y1) * W + x1) * C + cc);
    float tp = tl + (tr - tl) * fx; float bt = bl + (br - bl) * fx;
    r[q] = tp + (bt - tp) * fy;
  }"""
        key = ("resize_bilinear", fast)
        return Plan(key, body, [x, ty, tx], [h, w, c, oh, ow], [], c).execute(self.b, (nb, oh, ow, c))


def _probe(x):
    return np.zeros(np.shape(x), np.int8) if int(np.prod(np.shape(x))) <= 1 << 16 else \
        np.broadcast_to(np.zeros((), np.int8), np.shape(x))


def _freeze(v):
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    if isinstance(v, (list, tuple)):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, np.ndarray):
        if v.size > 4096:
            raise TypeError("too big")
        return ("nd", v.shape, v.dtype.str, v.tobytes())
    if isinstance(v, GPUTensor):
        raise TypeError("gpu attr")
    if isinstance(v, np.generic):
        return v.item()
    hash(v)
    return v


def _pair(v):
    if isinstance(v, (int, np.integer)):
        return int(v), int(v)
    v = [int(a) for a in v]
    if len(v) == 1:
        return v[0], v[0]
    if len(v) == 4:
        return v[1], v[2]
    return v[0], v[1]


def _register() -> None:
    """Register every webgl kernel with the kernel registry; each is made per backend object (``make``), over
    that backend's context and caches. Where a kernel declines inputs only known on the way (texture limits),
    it raises NotOnGPU and the op runs on the cpu kernel."""
    def reg(name, make, supports=None, shapes=()):
        register_kernel("webgl", name, make=make, supports=supports, shapes=shapes)

    for name in UNARY:
        reg(name, lambda b, name=name: Kernels(b).unary(name), supports=_float32_first)
    for name in BINARY:
        reg(name, lambda b, name=name: Kernels(b).binary(name))
    reg(K.FusedBatchNorm, lambda b: Kernels(b).batch_norm)
    reg(K.Cast, lambda b: Kernels(b).cast)
    reg(K.BatchMatMul, lambda b: Kernels(b).matmul)
    reg(K.MatMul, lambda b: Kernels(b).matmul)
    reg(K.Conv2D, lambda b: Kernels(b).conv2d)
    reg(K.DepthwiseConv2dNative, lambda b: Kernels(b).depthwise)
    reg(K.Conv2DBackpropInput, lambda b: Kernels(b).conv_transpose)
    reg(K.MaxPool, lambda b: Kernels(b).pool("max"))
    reg(K.AvgPool, lambda b: Kernels(b).pool("avg"))
    for name, mode in ((K.Sum, "sum"), (K.Mean, "mean"), (K.Max, "max"), (K.Min, "min"), (K.Prod, "prod"),
                       (K.ArgMax, "argmax"), (K.ArgMin, "argmin")):
        reg(name, lambda b, name=name, mode=mode: _reduce_adapter(Kernels(b).reduce(mode), name))
    reg(K.Softmax, lambda b: Kernels(b).softmax(False))
    reg(K.LogSoftmax, lambda b: Kernels(b).softmax(True))
    reg(K.Transpose, lambda b: Kernels(b).transpose)
    reg(K.PadV2, lambda b: Kernels(b).pad)
    reg(K.GatherV2, lambda b: Kernels(b).gather)
    reg(K.GatherNd, lambda b: Kernels(b).gather_nd)
    reg(K.Concat, lambda b: Kernels(b).concat)
    reg(K.Pack, lambda b: Kernels(b).pack)
    reg(K.AddN, lambda b: Kernels(b).add_n)
    reg(K.ResizeBilinear, lambda b: Kernels(b).resize_bilinear)
    for name in (K.Slice, K.StridedSlice, K.Tile, K.Reverse, K.MirrorPad, K.BroadcastTo, K.DepthToSpace,
                 K.SpaceToBatchND, K.BatchToSpaceND, K.ResizeNearestNeighbor, K.Unpack, K.SplitV):
        cpu = get_kernel_config("cpu", name)
        if cpu is not None:
            reg(name, lambda b, name=name, fn=cpu.fn: Kernels(b).layout(name, fn))
    for name in (K.Reshape, K.ExpandDims, K.Squeeze):
        cpu = get_kernel_config("cpu", name)
        if cpu is not None:
            reg(name, lambda b, name=name, fn=cpu.fn: Kernels(b).reshape_like(name, fn))


def _float32_first(x, *args, **attrs) -> bool:
    """The unary kernels take float32 inputs (a GPU tensor is float32)."""
    return isinstance(x, GPUTensor) or np.asarray(x).dtype == F32


def _reduce_adapter(kernel, name):
    if name in ("ArgMax", "ArgMin"):
        def arg(x, axis=0):
            return kernel(x, axis=axis, keep_dims=False)
        return arg

    def red(x, axis=None, keep_dims=False):
        return kernel(x, axis=axis, keep_dims=keep_dims)
    return red


_register()
