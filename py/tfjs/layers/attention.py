"""Keras's EinsumDense and MultiHeadAttention, so that models using them load, predict and train.

- ``EinsumDense(equation, output_shape, activation, bias_axes)``: ``einsum(equation, x, kernel) + bias``; the
  kernel and bias shapes follow from the equation, the input shape and ``output_shape`` (batch excluded) as
  Keras derives them (an ellipsis at the left of the equation stands for leading dimensions).
- ``MultiHeadAttention(num_heads, key_dim, value_dim, output_shape, use_bias, attention_axes=None)``, called on
  ``[query, value]`` or ``[query, value, key]`` of shape [batch, T, dim]: per-head projections (weights
  ``query/kernel`` [dim, heads, key_dim], ``query/bias`` [heads, key_dim], likewise ``key``, ``value``, and
  ``attention_output/kernel`` [heads, value_dim, out]), scaled dot-product attention with a softmax over the
  keys, dropout off at inference.

Computed with the Einsum op, which has a gradient here (TF.js registers none), so models using these layers
train.
"""

from __future__ import annotations

import re
import string

import numpy as np

from .. import ops
from ..ops import graph_extra as gx
from .base import Layer, shape_str
from .common import apply_activation
from .params import REQUIRED, P


def _analyze(equation: str, bias_axes: str | None, input_shape, output_shape):
    """(kernel shape, bias shape or None, full output shape) as Keras's EinsumDense derives them."""
    eq = equation.replace(" ", "")
    left_elided = False
    if "..." in eq:
        m = re.match(r"^\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)$", eq)
        if not m:
            raise ValueError(f"EinsumDense: unsupported equation {equation!r} (only a leading '...' is supported)")
        left_elided = True
        in_spec, w_spec, out_spec = m.groups()
    else:
        m = re.match(r"^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", eq)
        if not m:
            raise ValueError(f"EinsumDense: invalid equation {equation!r}: expected 'ab,bc->ac' style")
        in_spec, w_spec, out_spec = m.groups()
    input_shape = list(input_shape)
    elided = len(input_shape) - len(in_spec)
    out = [output_shape] if isinstance(output_shape, int) else list(output_shape or [])
    out.insert(0, input_shape[0])
    if left_elided:
        for i in range(1, elided):
            out.insert(1, input_shape[i])
    offset = elided if left_elided else 0
    in_map = {d: i + offset for i, d in enumerate(in_spec)}
    out_map = {d: i + offset for i, d in enumerate(out_spec)}
    if len(out) != len(out_spec) + offset:
        raise ValueError(f"EinsumDense: output_shape {output_shape} does not fit the equation {equation!r} for input "
                         f"shape {shape_str(input_shape)}")
    for d in in_spec:
        if d in out_map and out[out_map[d]] is not None and input_shape[in_map[d]] is not None \
                and out[out_map[d]] != input_shape[in_map[d]]:
            raise ValueError(f"EinsumDense: input shape and output shape do not match at shared dimension {d!r}: "
                             f"{input_shape[in_map[d]]} vs {out[out_map[d]]}")
    for d in out_spec:
        if d not in in_spec and d not in w_spec:
            raise ValueError(f"EinsumDense: dimension {d!r} of the output is not in the input or the weight spec "
                             f"of {equation!r}")
    kernel = [input_shape[in_map[d]] if d in in_map else out[out_map[d]] for d in w_spec]
    bias = None
    if bias_axes:
        sizes = {d: out[out_map[d]] for d in out_spec}
        first = min(out_spec.find(c) for c in bias_axes)
        bias = [sizes[c] if c in bias_axes else 1 for c in out_spec[first:]]
        if not left_elided:
            bias += [1] * elided
    full_eq = equation if not left_elided else eq.replace("...", "")
    if left_elided:
        letters = [c for c in string.ascii_letters if c not in in_spec + w_spec + out_spec][:elided]
        lead = "".join(letters)
        full_eq = f"{lead}{in_spec},{w_spec}->{lead}{out_spec}"
    return kernel, bias, out, full_eq


class EinsumDense(Layer):
    PARAMS = [P("output_shape", REQUIRED), P("equation", REQUIRED), P("activation", None, "act"),
              P("bias_axes", None), P("kernel_initializer", "glorot_uniform", "init"),
              P("bias_initializer", "zeros", "init"), P("kernel_regularizer", None, "reg"),
              P("bias_regularizer", None, "reg"), P("activity_regularizer", None, "reg"),
              P("kernel_constraint", None, "con"), P("bias_constraint", None, "con")]

    def build(self, input_shape):
        c = self.cfg
        kernel, bias, self._out_shape, self._equation = _analyze(c["equation"], c["bias_axes"], input_shape,
                                                                 c["output_shape"])
        self.kernel = self.add_weight("kernel", kernel, c["kernel_initializer"], c["kernel_regularizer"], True,
                                      c["kernel_constraint"])
        self.bias = self.add_weight("bias", bias, c["bias_initializer"], c["bias_regularizer"], True,
                                    c["bias_constraint"]) if bias is not None else None

    def compute_output_shape(self, input_shape):
        _, _, out, _ = _analyze(self.cfg["equation"], self.cfg["bias_axes"], input_shape, self.cfg["output_shape"])
        return list(out)

    def call(self, inputs, mask=None, **kwargs):
        y = gx.einsum(self._equation, ops.tensor(inputs), self.kernel.value)
        if self.bias is not None:
            y = ops.add(y, self.bias.value)
        act = self.cfg["activation"]
        return apply_activation(act, y) if act else y


class MultiHeadAttention(Layer):
    PARAMS = [P("num_heads", REQUIRED), P("key_dim", REQUIRED), P("value_dim", None), P("dropout", 0.0),
              P("use_bias", True), P("output_shape", None), P("attention_axes", None),
              P("kernel_initializer", "glorot_uniform", "init"), P("bias_initializer", "zeros", "init"),
              P("kernel_regularizer", None, "reg"), P("bias_regularizer", None, "reg"),
              P("activity_regularizer", None, "reg"), P("kernel_constraint", None, "con"),
              P("bias_constraint", None, "con"), P("query_shape", None, "shape"), P("key_shape", None, "shape"),
              P("value_shape", None, "shape")]

    def init(self):
        if self.cfg["value_dim"] is None:  # TF.js and Keras write the default value size out as key_dim
            self.cfg["value_dim"] = self.cfg["key_dim"]

    def _dense(self, name, equation, output_shape, bias_axes, input_shape):
        c = self.cfg
        layer = EinsumDense(name=name, equation=equation, output_shape=output_shape,
                            bias_axes=bias_axes if c["use_bias"] else None,
                            kernel_initializer=c["kernel_initializer"], bias_initializer=c["bias_initializer"],
                            kernel_constraint=c["kernel_constraint"], bias_constraint=c["bias_constraint"])
        from ..naming import name_scope

        with name_scope(name):
            layer.build(input_shape)
        layer.built = True
        for w in layer._trainable_weights:
            self._trainable_weights.append(w)
        return layer

    def build(self, input_shape):
        shapes = input_shape if isinstance(input_shape, list) and isinstance(input_shape[0], (list, tuple)) \
            else [input_shape]
        if len(shapes) not in (2, 3):
            raise ValueError(f"MultiHeadAttention '{self.name}': call it on [query, value] or [query, value, key], "
                             f"got {len(shapes)} input(s)")
        if self.cfg["attention_axes"] not in (None, [1], (1,), 1):
            raise ValueError(f"MultiHeadAttention '{self.name}': attention_axes {self.cfg['attention_axes']} is not "
                             f"supported (attention over axis 1 is)")
        for s in shapes:
            if len(s) != 3:
                raise ValueError(f"MultiHeadAttention '{self.name}': inputs must be [batch, T, dim], got "
                                 f"{shape_str(s)}")
        query, value = shapes[0], shapes[1]
        key = shapes[2] if len(shapes) > 2 else value
        c = self.cfg
        heads, kd = c["num_heads"], c["key_dim"]
        vd = c["value_dim"] or kd
        out_dim = c["output_shape"] if c["output_shape"] is not None else query[-1]
        out_dim = list(out_dim) if isinstance(out_dim, (list, tuple)) else [out_dim]
        self.query_dense = self._dense("query", "abc,cde->abde", [None, heads, kd], "de", query)
        self.key_dense = self._dense("key", "abc,cde->abde", [None, heads, kd], "de", key)
        self.value_dense = self._dense("value", "abc,cde->abde", [None, heads, vd], "de", value)
        if len(out_dim) != 1:
            raise ValueError(f"MultiHeadAttention '{self.name}': output_shape {out_dim} of rank > 1 is not supported")
        self.output_dense = self._dense("attention_output", "abcd,cde->abe", [None, out_dim[0]], "e",
                                        [query[0], query[1], heads, vd])
        self._out_dim = out_dim[0]
        if self.cfg["attention_axes"] is None:  # TF.js writes the axes it attends over once built
            self.cfg["attention_axes"] = [1]
        # and the input shapes it was built for
        self.cfg.update(query_shape=list(query), key_shape=list(key), value_shape=list(value))

    def keras3_weight_paths(self) -> list[str]:
        """Where a Keras 3 .keras file keeps each weight, in this layer's weight order."""
        per = ["vars/0", "vars/1"] if self.cfg["use_bias"] else ["vars/0"]
        return [f"{sub}_dense/{v}" for sub in ("query", "key", "value", "output") for v in per]

    def compute_output_shape(self, input_shape):
        query = input_shape[0] if isinstance(input_shape, list) and isinstance(input_shape[0], (list, tuple)) \
            else input_shape
        out = self.cfg["output_shape"] if self.cfg["output_shape"] is not None else query[-1]
        return [query[0], query[1], out[0] if isinstance(out, (list, tuple)) else out]

    def call(self, inputs, mask=None, attention_mask=None, **kwargs):
        items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs, inputs]
        query, value = (ops.tensor(x) for x in items[:2])
        key = ops.tensor(items[2]) if len(items) > 2 else value
        return self._attend(self.query_dense.call(query), self.key_dense.call(key), self.value_dense.call(value),
                            attention_mask)

    def _attend(self, q, k, v, attention_mask):
        """Scaled dot-product attention of projected queries, keys and values, then the output projection; masked
        scores get -1e9 added before the softmax, as in TF.js."""
        q = ops.mul(q, np.float32(1.0 / np.sqrt(float(self.cfg["key_dim"]))))
        scores = gx.einsum("aecd,abcd->acbe", k, q)
        if attention_mask is not None:
            keep = np.asarray(attention_mask, bool)[:, None, :, :]
            scores = ops.add(scores, np.where(keep, np.float32(0), np.float32(-1e9)))
        probs = ops.softmax(scores, -1)
        return self.output_dense.call(gx.einsum("acbe,aecd->abcd", probs, v))
