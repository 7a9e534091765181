"""Elementwise kernels of the webgl backend: unary and binary math, batch norm, cast. On a pending producer
(a convolution, a product) they become epilogue steps of its pass (see ..fusion) instead of passes of their own.
"""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ..errors import NotOnGPU
from ..fusion import _extendable, _pending
from ..glsl import BINARY, BOOL_OUT, INT_OUT, UNARY, UNARY_ATTRS, UNARY_DEFAULTS
from ..tensor import BOOL, F32, I32, GPUTensor
from .base import IMAGES, _as_channel_vector, _channels, _is_float_input, float32_first, register
from .layout import LayoutKernels


class ElementwiseKernels(LayoutKernels):
    """Elementwise kernels of the webgl backend: unary and binary math, batch norm, cast. On a pending producer"""

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
        def kernel(a, b):  # numbers, one of them float32: see _binary_inputs, its registry predicate
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

    def int_unary(self, name):
        """Neg, Abs, Square, Sign, Relu on float32 or int32 (int32 values held as integer-valued floats stay
        integers under these; the result keeps the input's dtype)."""
        run = self.unary(name)

        def kernel(x, *args, **attrs):  # see _number_first, the registry predicate
            dtype = x.dtype if isinstance(x, GPUTensor) else np.asarray(x).dtype
            out = run(x, *args, **attrs)
            if dtype.kind in "iu":
                out.dtype = I32
            return out
        return kernel

    def int_binary(self, name):
        """Add, Sub, Mul, Maximum, Minimum, SquaredDifference: on two int32 operands an int32 result, the same
        float arithmetic on integer-valued floats (exact while the values stay within 2^24); otherwise
        float32."""
        run = self.binary(name)

        def kernel(a, b):  # see _arith_inputs, the registry predicate
            out = run(a, b)
            if _int_like(a) and _int_like(b):
                out.dtype = I32
            return out
        return kernel

    def floor_op(self, name):
        """FloorDiv or FloorMod: on two int32 operands in integer arithmetic (an int32 result); otherwise on
        float32 values, FloorDiv's result int32 (as TF.js's) and FloorMod's float32."""
        def run(a, b):  # numbers: see _floor_inputs, the registry predicate
            if _int_operand(a) and _int_operand(b):
                out = self.binary(name + ":int")(a, b)
                out.dtype = I32
            else:
                out = self.binary(name)(a, b)
                out.dtype = I32 if name in INT_OUT else F32
            return out
        return run

    def batch_norm(self, x, mean, variance, offset=None, scale=None, variance_epsilon=1e-3):
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
        """Casts that keep the float32 values (to float32; bool to int32) share the texture; to bool is a
        pass (x != 0). Other casts (float32 to int32) run on the cpu: see _cast_on_gpu, the predicate."""
        target = _dtype(dtype)
        if x.dtype == target:
            return x
        if target == BOOL:
            out = self.unary("ToBool")(x)
            out.dtype = BOOL
            return out
        return x.retyped(target)


def _binary_inputs(a, b, *args, **attrs) -> bool:
    """Both operands numbers, and one of them float32 (a GPU tensor is)."""
    if not (_is_float_input(a) and _is_float_input(b)):
        return False
    return isinstance(a, GPUTensor) or isinstance(b, GPUTensor) or np.asarray(a).dtype == F32 or \
        np.asarray(b).dtype == F32


#: integers a float32 holds exactly (int32 tensors on the GPU are held as float32 values: an int32 array with
#: larger values is left to the cpu kernels, whose results are exact)
EXACT_INT = 1 << 24


def _int_operand(v) -> bool:
    return v.dtype == I32 if isinstance(v, GPUTensor) else np.asarray(v).dtype.kind in "iu"


def _exact_number(v) -> bool:
    """A GPU tensor of float32 or int32, a host float32 or bool value, or host integers below 2^24."""
    if isinstance(v, GPUTensor):
        return v.dtype in (F32, I32)
    a = np.asarray(v)
    if a.dtype.kind in "iu":
        return a.size == 0 or int(np.max(np.abs(a.astype(np.int64)))) <= EXACT_INT
    return a.dtype == F32 or a.dtype == BOOL


def _arith_inputs(a, b, *args, **attrs) -> bool:
    """Add, Sub, Mul, Maximum, Minimum, SquaredDifference: one operand float32 (a float32 result), or two
    int32 operands whose host values a float32 holds exactly (an int32 result; TF.js's webgl backend keeps
    int32 tensors as floats too)."""
    if _int_like(a) and _int_like(b):
        return _exact_number(a) and _exact_number(b)
    return _binary_inputs(a, b)


def _int_like(v) -> bool:
    """An operand TF.js's upcast counts as int32: a GPU int32 tensor, host integers or bools."""
    return v.dtype == I32 if isinstance(v, GPUTensor) else np.asarray(v).dtype.kind in "iub"


def _number_first(x, *args, **attrs) -> bool:
    """Neg, Abs, Square, Sign, Relu: a GPU tensor (float32 or int32), host float32, or host integers a
    float32 holds exactly."""
    if isinstance(x, GPUTensor):
        return True
    a = np.asarray(x)
    return a.dtype == F32 or (a.dtype.kind in "iu" and _exact_number(a))


def _floor_inputs(a, b, *args, **attrs) -> bool:
    """FloorDiv / FloorMod: both operands numbers a float32 holds exactly (ints below 2^24)."""
    return _exact_number(a) and _exact_number(b)


def _dtype(dtype) -> np.dtype:
    return BOOL if dtype == "bool" else np.dtype(dtype)


def _cast_on_gpu(x, dtype="float32", *args, **attrs) -> bool:
    """Cast runs on the GPU for a GPU tensor to float32 or bool, or from bool or int32 to int32."""
    if not isinstance(x, GPUTensor):
        return False
    try:
        target = _dtype(dtype)
    except TypeError:
        return False
    return target in (F32, BOOL) or (target == I32 and x.dtype in (BOOL, I32))


#: ops that run on int32 operands too (integer-valued floats in, integer-valued floats out)
INT_BINARY = {K.Add, K.Sub, K.Mul, K.Maximum, K.Minimum, K.SquaredDifference}
INT_UNARY = {K.Neg, K.Abs, K.Square, K.Sign, K.Relu}


def _register() -> None:
    for name in UNARY:
        if name in BOOL_OUT:
            continue
        shapes = ("matrix", "image", "image_c4") if name in UNARY_ATTRS else \
            ("matrix", "rank3", "image", "image_c4", "large")
        if name in INT_UNARY:
            register(name, lambda b, name=name: ElementwiseKernels(b).int_unary(name), shapes,
                     supports=_number_first, dtypes=("float32", "int32"))
            continue
        register(name, lambda b, name=name: ElementwiseKernels(b).unary(name), shapes, supports=float32_first)
    for name in BINARY:
        if name in BOOL_OUT or ":" in name:
            continue
        shapes = {K.Pow: ("matrix", "broadcast"), K.Prelu: IMAGES, K.DivNoNan: ("rank3",)}.get(
            name, ("matrix", "image_c4", "broadcast", "large"))
        if name in (K.FloorDiv, K.FloorMod):
            register(name, lambda b, name=name: ElementwiseKernels(b).floor_op(name), shapes,
                     supports=_floor_inputs, dtypes=("float32", "int32"))
            continue
        if name in INT_BINARY:
            register(name, lambda b, name=name: ElementwiseKernels(b).int_binary(name), shapes,
                     supports=_arith_inputs, dtypes=("float32", "int32"))
            continue
        register(name, lambda b, name=name: ElementwiseKernels(b).binary(name), shapes, supports=_binary_inputs)
    register(K.FusedBatchNorm, lambda b: ElementwiseKernels(b).batch_norm, IMAGES + ("large",),
             supports=float32_first)
    register(K.Cast, lambda b: ElementwiseKernels(b).cast, ("matrix",), supports=_cast_on_gpu,
             dtypes=("float32", "bool", "int32"))


_register()
