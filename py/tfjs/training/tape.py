"""A gradient tape over the op layer, and TF.js's gradient functions: grad, grads, value_and_grad(s),
variable_grads.

While a tape is active, ``tfjs.ops.dispatch.run`` hands every op's (name, inputs, attrs, output) to it; the tape
keeps the ops that take an array it watches (or the output of an op it kept), so the path from the watched arrays
to the result is recorded. Arrays are numpy arrays or a backend's device tensors (the webgl backend's GPUTensor,
marked ``__tfjs_tensor__``), identified by ``id()`` (the tape holds a reference to every array it knows, so an id
cannot be reused while it records). Backpropagation walks the records backwards and calls the gradient function
registered for each op name (``tfjs.training.gradients``). Gradient functions compute on numpy: a device tensor a
record holds is read back (once; the tensor caches its host copy) before its op's gradient function sees it, so on
webgl the forward pass runs on the GPU and the backward pass on the host.

    import tfjs as tf
    g = tf.grad(lambda x: tf.ops.square(x))          # d/dx x^2
    g(np.array([1.0, 2.0], np.float32))               # [2, 4]
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..errors import TfjsError
from ..ops import dispatch
from . import gradients as _gradients

F32 = np.float32


class GradientError(TfjsError):
    """A gradient that cannot be computed (no gradient function, or no path from x to y)."""


def _flat(inputs) -> list:
    out = []
    for x in inputs:
        if isinstance(x, (list, tuple)):
            out.extend(x)
        else:
            out.append(x)
    return out


def _is_device(x) -> bool:
    return getattr(x, "__tfjs_tensor__", False) is True


def _host(x):
    """A record's input or output as gradient functions take it: numpy, a device tensor read back."""
    if isinstance(x, (list, tuple)):
        items = [_host(v) for v in x]
        return x if all(a is b for a, b in zip(items, x)) else type(x)(items)
    return np.asarray(x) if _is_device(x) else x


def _is_float(x) -> bool:
    """Whether x takes a gradient: a float (or complex) numpy array or device tensor."""
    dtype = getattr(x, "dtype", None)
    return (isinstance(x, np.ndarray) or _is_device(x)) and dtype is not None and np.dtype(dtype).kind in "fc"


class Tape:
    """Records the ops that depend on watched arrays."""

    def __init__(self):
        self.records: list[tuple] = []
        self.known: dict[int, Any] = {}

    def watch(self, array) -> None:
        self.known[id(array)] = array

    def record(self, op_name: str, inputs: tuple, attrs: dict, out):
        known = self.known
        flat = _flat(inputs)
        if not any(id(x) in known for x in flat):
            return out
        multi = isinstance(out, (list, tuple))
        outs = list(out) if multi else [out]
        ids = {id(x) for x in flat}
        for i, o in enumerate(outs):
            if id(o) in ids or id(o) in known:  # a kernel handed back an input object: give the output its own
                outs[i] = o.view() if isinstance(o, np.ndarray) else np.array(o)
        if multi:
            out = type(out)(outs) if isinstance(out, tuple) else outs
        else:
            out = outs[0]
        for o in outs:
            known[id(o)] = o
        self.records.append((op_name, inputs, attrs, out, outs))
        return out

    def backprop(self, y, dy=None, sources: Sequence = ()) -> list:
        """Gradients of y (with upstream gradient dy, ones by default) for each source array (None where y does
        not depend on it)."""
        grads: dict[int, Any] = {id(y): np.ones(np.shape(y), F32) if dy is None else np.asarray(dy, F32)}
        known = self.known
        for op_name, inputs, attrs, out, outs in reversed(self.records):
            dys = [grads.pop(id(o), None) for o in outs]
            if all(d is None for d in dys):
                continue
            fn = _gradients.get(op_name)
            if fn is None:
                raise GradientError(f"Cannot compute gradient: gradient function not found for {op_name}.")
            dys = [np.zeros(np.shape(o), F32) if d is None else d for d, o in zip(dys, outs)]
            need = [any(id(v) in known for v in x) if isinstance(x, (list, tuple)) else id(x) in known
                    for x in inputs]
            in_grads = fn(dys if isinstance(out, (list, tuple)) else dys[0], _host(inputs), attrs, _host(out), need)
            for x, g, n in zip(inputs, in_grads, need):
                if not n or g is None:
                    continue
                pairs = zip(x, g) if isinstance(x, (list, tuple)) else [(x, g)]
                for xi, gi in pairs:
                    if gi is None or id(xi) not in known:
                        continue
                    if not _is_float(xi):
                        continue  # integer and bool inputs get no gradient
                    key = id(xi)
                    gi = np.asarray(gi)
                    want = np.complex64 if np.dtype(xi.dtype).kind == "c" else F32  # complex inputs: complex grads
                    if gi.dtype != want:
                        gi = gi.astype(want)
                    prev = grads.get(key)
                    grads[key] = gi if prev is None else prev + gi
        return [grads.get(id(s)) for s in sources]


_active: list[Tape] = []


def _record_all(op_name, inputs, attrs, out):
    for tape in _active:
        out = tape.record(op_name, inputs, attrs, out)
    return out


class recording:
    """Context manager: a new tape records ops while inside."""

    def __init__(self, watch: Sequence = ()):
        self.tape = Tape()
        for x in watch:
            self.tape.watch(x)

    def __enter__(self) -> Tape:
        _active.append(self.tape)
        dispatch.recorder = _record_all
        return self.tape

    def __exit__(self, *exc) -> None:
        _active.remove(self.tape)
        if not _active:
            dispatch.recorder = None


def is_recording() -> bool:
    return bool(_active)


def _as_array(x) -> np.ndarray:
    if isinstance(x, np.ndarray):
        return x if x.dtype.kind != "f" or x.dtype == F32 else x.astype(F32)
    return np.asarray(x, F32)


def _check_y(y, where: str):
    if not (isinstance(y, np.ndarray) or _is_device(y)):
        raise ValueError(f"The result y returned by f() must be a tensor (numpy array) in {where}, got "
                         f"{type(y).__name__}")


def value_and_grads(f: Callable) -> Callable:
    """``tf.valueAndGrads(f)``: a function of (args, dy=None) returning {"value": y, "grads": [dy/dx_i]}."""

    def run(args: Sequence, dy=None) -> dict:
        if not isinstance(args, (list, tuple)):
            raise ValueError("The args passed in value_and_grads(f)(args) must be a list of tensors")
        xs = [_as_array(a) for a in args]
        with recording(xs) as tape:
            y = f(*xs)
        _check_y(y, "value_and_grads(f)")
        if dy is not None and tuple(np.shape(dy)) != tuple(np.shape(y)):
            raise ValueError(f"The shape of dy passed in value_and_grads(f)([x1,...], dy) must match the shape "
                             f"returned by f([x1,...]): {list(np.shape(dy))} vs {list(np.shape(y))}")
        grads = tape.backprop(y, dy, xs)
        for i, (x, g) in enumerate(zip(xs, grads)):
            if g is None:
                if y is x:
                    grads[i] = np.ones(np.shape(x), F32) if dy is None else np.asarray(dy, F32)
                    continue
                raise GradientError("Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you "
                                    "passed encloses all operations that lead from x to y.")
        return {"value": y, "grads": grads}

    return run


def grads(f: Callable) -> Callable:
    """``tf.grads(f)``: a function of (args, dy=None) returning [df/dx_i] for each argument."""
    vg = value_and_grads(f)
    return lambda args, dy=None: vg(args, dy)["grads"]


def value_and_grad(f: Callable) -> Callable:
    """``tf.valueAndGrad(f)``: a function of (x, dy=None) returning {"value": f(x), "grad": df/dx}."""
    vg = value_and_grads(f)

    def run(x, dy=None) -> dict:
        out = vg([x], dy)
        return {"value": out["value"], "grad": out["grads"][0]}

    return run


def grad(f: Callable) -> Callable:
    """``tf.grad(f)``: a function of (x, dy=None) returning df/dx."""
    vg = value_and_grads(f)
    return lambda x, dy=None: vg([x], dy)["grads"][0]


def _variables():
    from ..variables import all_variables

    return [v for v in all_variables() if v.trainable]


def variable_grads(f: Callable, var_list: Sequence | None = None) -> dict:
    """``tf.variableGrads(f, varList)``: {"value": f(), "grads": {variable name: gradient}} for the trainable
    variables (LayerVariables, or anything with ``.name`` and ``.value``) that f's scalar result depends on. With
    no var_list, every trainable variable alive."""
    variables = list(var_list) if var_list is not None else _variables()
    variables = [v for v in variables if getattr(v, "trainable", True)]
    if not variables:
        raise ValueError("variable_grads() expects at least one of the input variables to be trainable, but none "
                         "of the variables are trainable.")
    with recording([v.value for v in variables]) as tape:
        y = f()
    _check_y(y, "variable_grads(f)")
    if np.ndim(y) != 0:
        raise ValueError(f"The f passed in variable_grads(f) must return a scalar, but it returned a rank-"
                         f"{np.ndim(y)} tensor")
    found = tape.backprop(y, None, [v.value for v in variables])
    out = {}
    for v, g in zip(variables, found):
        if g is not None:
            out[v.name] = g
    if not out:
        raise GradientError("Cannot find a connection between any variable and the result of the loss function "
                            "y=f(x). Please make sure the operations that use variables are inside the function f "
                            "passed to minimize().")
    return {"value": y, "grads": out}


def variable_grads_list(f: Callable, variables: Sequence) -> tuple[Any, list]:
    """(f(), [gradient or None for each variable]): the form the optimizers and fit use."""
    with recording([v.value for v in variables]) as tape:
        y = f()
    y0 = y[0] if isinstance(y, tuple) else y
    return y, tape.backprop(y0, None, [v.value for v in variables])


__all__ = ["Tape", "recording", "is_recording", "grad", "grads", "value_and_grad", "value_and_grads",
           "variable_grads", "GradientError"]
