"""Fused convolutions: FusedConv2D / FusedDepthwiseConv2D (TF.js's kernel names) with the graph's fused_ops.

A graph model's _FusedConv2D / FusedDepthwiseConv2dNative node asks for these when the active backend
registers them and :func:`supports` its fused_ops; the epilogue (bias, residual add, activation) then runs in
the convolution's own store, with no pass of its own. :func:`reference` is the same computation on the cpu
kernels, op by op (where the wasm kernel declines the inputs).
"""

from __future__ import annotations

import numpy as np

from . import kernels as K

ACTIVATIONS = {"relu": "relu", "relu6": "relu6", "elu": "elu", "leakyrelu": "leakyrelu", "prelu": "prelu",
               "sigmoid": "sigmoid"}


_PLANS: dict[tuple, tuple | None] = {}


def plan(fused_ops) -> tuple[bool, bool, str | None] | None:
    """(bias, add, activation) for fused_ops in the order the kernels apply them: BiasAdd, then Add, then one
    activation; None for anything else (batch norm, tanh, another order)."""
    key = tuple(fused_ops)
    if key not in _PLANS:
        _PLANS[key] = _plan(key)
    return _PLANS[key]


def _plan(fused_ops):
    ops = [str(f).lower() for f in fused_ops]
    bias = bool(ops) and ops[0] == "biasadd"
    ops = ops[bias:]
    add = bool(ops) and ops[0] in ("add", "addv2")
    ops = ops[add:]
    if len(ops) > 1 or (ops and ops[0] not in ACTIVATIONS):
        return None
    return bias, add, (ACTIVATIONS[ops[0]] if ops else None)


def supports(x, w, *args, fused_ops=(), **attrs) -> bool:
    p = plan(fused_ops)
    return p is not None and len(args) == sum(p[:2]) + (p[2] == "prelu")


def _split(args, p):
    args = list(args)
    bias = args.pop(0) if p[0] else None
    resid = args.pop(0) if p[1] else None
    slopes = args.pop(0) if p[2] == "prelu" else None
    return bias, resid, slopes


def _channels(v, c):
    if v is None:
        return None
    if isinstance(v, np.ndarray) and v.shape == (c,) and v.dtype == np.float32:
        return v
    v = np.asarray(v)
    if v.dtype != np.float32 or v.size not in (1, c) or (v.size == c and v.shape[-1] != c):
        raise K.NotInWasm()
    return np.broadcast_to(v.reshape(-1), (c,))


def run(be, depthwise, x, w, *args, strides=1, pad="valid", dilations=1, fused_ops=(), leakyrelu_alpha=0.2,
        **_):
    p = plan(fused_ops)
    if p is None or not isinstance(x, np.ndarray) or x.dtype != np.float32 or np.ndim(w) != 4:
        raise K.NotInWasm()
    bias, resid, slopes = _split(args, p)
    c = w.shape[2] * w.shape[3] if depthwise else w.shape[3]
    activation = p[2] or "linear"
    alpha = 1.0 if activation == "elu" else float(leakyrelu_alpha)
    epi = dict(bias=_channels(bias, c), activation=activation, alpha=alpha, slopes=_channels(slopes, c))
    if resid is not None:
        resid = np.asarray(resid)
        if resid.dtype != np.float32:
            raise K.NotInWasm()
    if depthwise:
        return K.depthwise2d(be.host, x, w, strides, pad, dilations, resid=resid, **epi)
    return K.conv2d(be.host, be.packed, x, w, strides, pad, dilations, resid=resid, **epi)


def reference(cpu, depthwise, x, w, *args, strides=1, pad="valid", dilations=1, fused_ops=(),
              leakyrelu_alpha=0.2, **_):
    """The fused op on the cpu kernels, one op after another (the graph's own order)."""
    p = plan(fused_ops)
    bias, resid, slopes = _split(args, p)
    y = cpu.kernel("DepthwiseConv2dNative" if depthwise else "Conv2D")(x, w, strides=strides, pad=pad,
                                                                        dilations=dilations)
    if bias is not None:
        y = cpu.kernel("Add")(y, bias)
    if resid is not None:
        y = cpu.kernel("Add")(y, resid)
    act = p[2]
    if act == "prelu":
        y = cpu.kernel("Prelu")(y, slopes)
    elif act == "leakyrelu":
        y = cpu.kernel("LeakyRelu")(y, float(leakyrelu_alpha))
    elif act == "elu":
        y = cpu.kernel("Elu")(y)
    elif act:
        y = cpu.kernel({"relu": "Relu", "relu6": "Relu6", "sigmoid": "Sigmoid"}[act])(y)
    return y
