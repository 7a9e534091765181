"""Recurrent layers: SimpleRNN, GRU, LSTM (return_sequences, return_state, go_backwards, masking).

Each layer owns its cell's weights (``kernel``, ``recurrent_kernel``, ``bias``), named under the layer as TF.js
names them (``lstm_LSTM1/kernel``); the Keras converter's ``lstm/lstm_cell/kernel`` maps onto them by TF.js's
rule (the inner cell segment is dropped).
"""

from __future__ import annotations

import numpy as np

from .. import ops
from .base import Layer
from .common import apply_activation
from .params import REQUIRED, P

_COMMON_HEAD = [P("units", REQUIRED), P("activation", "tanh", "act")]
_INITS = [P("use_bias", True), P("kernel_initializer", "glorot_uniform", "init"),
          P("recurrent_initializer", "orthogonal", "init"), P("bias_initializer", "zeros", "init")]
_REGS = [P("kernel_regularizer", None, "reg"), P("recurrent_regularizer", None, "reg"),
         P("bias_regularizer", None, "reg"), P("activity_regularizer", None, "reg"),
         P("kernel_constraint", None, "con"), P("recurrent_constraint", None, "con"),
         P("bias_constraint", None, "con"), P("dropout", 0), P("recurrent_dropout", 0)]
_RNN_TAIL = [P("return_sequences", False), P("return_state", False), P("go_backwards", False),
             P("stateful", False), P("unroll", False)]


class _Recurrent(Layer):
    GATES = 1
    N_STATES = 1

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{self.get_class_name()} '{self.name}': expected input of rank 3 [batch, time, "
                             f"features], got shape {list(input_shape)}")
        units, c = self.cfg["units"], self.cfg
        n = units * self.GATES
        self.kernel = self.add_weight("kernel", [input_shape[-1], n], c["kernel_initializer"],
                                      c["kernel_regularizer"], True, c["kernel_constraint"])
        self.recurrent_kernel = self.add_weight("recurrent_kernel", [units, n], c["recurrent_initializer"],
                                                c["recurrent_regularizer"], True, c["recurrent_constraint"])
        self.bias = self.add_weight("bias", self._bias_shape(n), self._bias_init(), c["bias_regularizer"], True,
                                    c["bias_constraint"]) if c["use_bias"] else None

    def _bias_shape(self, n):
        return [n]

    def _bias_init(self):
        return self.cfg["bias_initializer"]

    def compute_output_shape(self, input_shape):
        units = self.cfg["units"]
        out = [input_shape[0], input_shape[1], units] if self.cfg["return_sequences"] else [input_shape[0], units]
        if self.cfg["return_state"]:
            return [out] + [[input_shape[0], units]] * self.N_STATES
        return out

    def compute_mask(self, inputs, mask=None):
        if mask is None or not self.cfg["return_sequences"]:
            return [None] * (1 + self.N_STATES) if self.cfg["return_state"] else None
        m = mask[:, ::-1] if self.cfg["go_backwards"] else mask
        return [m] + [None] * self.N_STATES if self.cfg["return_state"] else m

    def call(self, inputs, mask=None, initial_state=None, **kwargs):
        x = np.asarray(inputs[0] if isinstance(inputs, list) else inputs, np.float32)
        if isinstance(mask, list):
            mask = mask[0]
        batch, steps, _ = x.shape
        units = self.cfg["units"]
        states = [np.zeros((batch, units), np.float32) for _ in range(self.N_STATES)]
        if isinstance(inputs, list) and len(inputs) > 1:
            states = [np.asarray(s, np.float32) for s in inputs[1:1 + self.N_STATES]]
        order = range(steps - 1, -1, -1) if self.cfg["go_backwards"] else range(steps)
        # Input projection for all steps at once: one matrix product.
        xw = ops.matmul(x.reshape(-1, x.shape[-1]), self.kernel.value).reshape(batch, steps, -1)
        outputs = []
        last = np.zeros((batch, units), np.float32)
        for t in order:
            out, new_states = self.step(xw[:, t], states)
            if mask is not None:
                keep = np.asarray(mask[:, t], bool)[:, None]
                out = np.where(keep, out, last)
                new_states = [np.where(keep, n, s) for n, s in zip(new_states, states)]
            states, last = new_states, out
            outputs.append(out)
        result = np.stack(outputs, axis=1) if self.cfg["return_sequences"] else last
        if self.cfg["return_state"]:
            return [result] + states
        return result


class SimpleRNN(_Recurrent):
    PARAMS = _COMMON_HEAD + _INITS + _REGS + _RNN_TAIL

    def step(self, xw, states):
        z = ops.add(xw, ops.matmul(states[0], self.recurrent_kernel.value))
        if self.bias is not None:
            z = ops.add(z, self.bias.value)
        h = apply_activation(self.cfg["activation"], z)
        return h, [h]


class GRU(_Recurrent):
    GATES = 3
    PARAMS = _COMMON_HEAD + [P("recurrent_activation", "hard_sigmoid", "act")] + _INITS + _REGS + \
        [P("implementation", None), P("reset_after", False)] + _RNN_TAIL

    def _bias_shape(self, n):
        return [2, n] if self.cfg["reset_after"] else [n]

    def step(self, xw, states):
        h_prev = states[0]
        u = self.cfg["units"]
        bias = self.bias.value if self.bias is not None else None
        if bias is not None:
            xw = ops.add(xw, bias[0] if self.cfg["reset_after"] else bias)
        rk = self.recurrent_kernel.value
        rec_act = self.cfg["recurrent_activation"]
        if self.cfg["reset_after"]:
            hr = ops.matmul(h_prev, rk)
            if bias is not None:
                hr = ops.add(hr, bias[1])
            z = apply_activation(rec_act, ops.add(xw[:, :u], hr[:, :u]))
            r = apply_activation(rec_act, ops.add(xw[:, u:2 * u], hr[:, u:2 * u]))
            hh = apply_activation(self.cfg["activation"], ops.add(xw[:, 2 * u:], ops.mul(r, hr[:, 2 * u:])))
        else:
            hzr = ops.matmul(h_prev, rk[:, :2 * u])
            z = apply_activation(rec_act, ops.add(xw[:, :u], hzr[:, :u]))
            r = apply_activation(rec_act, ops.add(xw[:, u:2 * u], hzr[:, u:]))
            hh = apply_activation(self.cfg["activation"],
                                  ops.add(xw[:, 2 * u:], ops.matmul(ops.mul(r, h_prev), rk[:, 2 * u:])))
        h = ops.add(ops.mul(z, h_prev), ops.mul(ops.sub(1.0, z), hh))
        return h, [h]


class LSTM(_Recurrent):
    GATES = 4
    N_STATES = 2
    PARAMS = _COMMON_HEAD + [P("recurrent_activation", "hard_sigmoid", "act"), P("use_bias", True),
                             P("kernel_initializer", "glorot_uniform", "init"),
                             P("recurrent_initializer", "orthogonal", "init"), P("bias_initializer", "zeros", "init"),
                             P("unit_forget_bias", None)] + _REGS + [P("implementation", None)] + _RNN_TAIL

    def _bias_init(self):
        if self.cfg["unit_forget_bias"]:
            return {"class_name": "Zeros", "config": {}}  # values set after build
        return self.cfg["bias_initializer"]

    def build(self, input_shape):
        super().build(input_shape)
        if self.bias is not None and self.cfg["unit_forget_bias"]:
            u = self.cfg["units"]
            self.bias.value[u:2 * u] = 1.0

    def step(self, xw, states):
        h_prev, c_prev = states
        u = self.cfg["units"]
        z = ops.add(xw, ops.matmul(h_prev, self.recurrent_kernel.value))
        if self.bias is not None:
            z = ops.add(z, self.bias.value)
        rec, act = self.cfg["recurrent_activation"], self.cfg["activation"]
        i = apply_activation(rec, z[:, :u])
        f = apply_activation(rec, z[:, u:2 * u])
        c = ops.add(ops.mul(f, c_prev), ops.mul(i, apply_activation(act, z[:, 2 * u:3 * u])))
        o = apply_activation(rec, z[:, 3 * u:])
        h = ops.mul(o, apply_activation(act, c))
        return h, [h, c]
