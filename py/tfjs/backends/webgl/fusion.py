"""The fusion planner of the webgl backend: a producer pass (a convolution, a matrix product, a copy) and the
elementwise steps that follow it (bias add, batch norm, activations, adds of same-shape, per-channel or
scalar operands) become one shader, written when the result is first needed.
"""

from __future__ import annotations

from .glsl import BINARY, FUNCS, UNARY
from .program import program_source
from .tensor import GPUTensor

MAX_STEPS = 6


class Plan:
    """A producer pass and its epilogue steps. ``body`` is GLSL that sets ``r`` for texel ``t``; ``key`` names
    the producer in profiles (the program itself is found by its source)."""

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
                    expr = expr.format(A=f"uf[{f}]", B=f"uf[{f + 1}]")
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
        label = "pass"
        if backend.profile is not None:
            label = "+".join([str(self.key[0])] + [_step_label(sig) for sig in self.steps])
        return backend.run(source(), list(self.inputs) + list(self.step_inputs), shape, params,
                           list(self.floats) + list(self.step_floats), label=label, key=self.key)


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
