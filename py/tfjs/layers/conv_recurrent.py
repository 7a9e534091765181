"""ConvLSTM2D and its cell, as TF.js computes them: an LSTM whose input and recurrent transforms are 2D
convolutions. Input [batch, time, rows, cols, channels]; states h and c [batch, out_rows, out_cols, filters].

Per step (gates i, f, c, o, split along the kernels' last axis): ``x_g = conv2d(x, kernel_g, strides, padding,
dilation_rate) + bias_g``, ``h_g = conv2d(h, recurrent_kernel_g, 1, 'same')``; ``i = rec(x_i + h_i)``,
``f = rec(x_f + h_f)``, ``c = f * c + i * act(x_c + h_c)``, ``h = rec(x_o + h_o) * act(c)``. Only
``channels_last`` runs (TF.js's conv2d has no other layout either).
"""

from __future__ import annotations

import numpy as np

from .. import ops
from ..errors import UnsupportedError
from .base import is_shape_list, shape_str, to_list
from .common import apply_activation
from .params import REQUIRED, P
from .recurrent import _RNN_PARAMS, LSTMCell, RNN, _SHARED_WITH_CELL

F32 = np.float32


def _out_length(size, kernel, padding, stride, dilation):
    if size is None:
        return None
    effective = (kernel - 1) * dilation + 1
    if padding == "same":
        return (size + stride - 1) // stride
    return (size - effective + stride) // stride


class ConvLSTM2DCell(LSTMCell):
    PARAMS = [p for p in LSTMCell.PARAMS if p.key != "units"] + [
        P("filters", REQUIRED), P("kernel_size", REQUIRED, "tuple", 2), P("padding", "valid", "enum"),
        P("data_format", "channels_last", "enum"), P("dilation_rate", 1, "tuple", 2), P("strides", 1, "tuple", 2)]

    def __init__(self, **kwargs):
        kwargs.pop("units", None)
        super().__init__(**kwargs)
        c = self.cfg
        for key in ("dilation_rate", "strides"):
            if c[key] is None:
                c[key] = [1, 1]
        if c["data_format"] != "channels_last":
            raise UnsupportedError(f"ConvLSTM2DCell '{self.name}': data_format {c['data_format']!r} is not "
                                   f"supported (channels_last is)")
        if c["padding"] not in ("valid", "same"):
            raise ValueError(f"ConvLSTM2DCell '{self.name}': padding must be 'valid' or 'same', got {c['padding']!r}")
        if not isinstance(c["filters"], int) or c["filters"] <= 0:
            raise ValueError(f"ConvLSTM2DCell '{self.name}': filters must be a positive integer, got {c['filters']!r}")

    @property
    def units(self) -> int:
        return self.cfg["filters"]

    def output_hw(self, rows, cols):
        c = self.cfg
        return (_out_length(rows, c["kernel_size"][0], c["padding"], c["strides"][0], c["dilation_rate"][0]),
                _out_length(cols, c["kernel_size"][1], c["padding"], c["strides"][1], c["dilation_rate"][1]))

    def build(self, input_shape):
        if is_shape_list(input_shape):
            input_shape = input_shape[0]
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(f"ConvLSTM2DCell '{self.name}': the channel dimension of the inputs should be defined, "
                             f"got shape {shape_str(input_shape)}")
        c, f = self.cfg, self.cfg["filters"]
        kh, kw = c["kernel_size"]
        self.kernel = self.add_weight("kernel", [kh, kw, channels, 4 * f], c["kernel_initializer"],
                                      c["kernel_regularizer"], True, c["kernel_constraint"])
        self.recurrent_kernel = self.add_weight("recurrent_kernel", [kh, kw, f, 4 * f], c["recurrent_initializer"],
                                                c["recurrent_regularizer"], True, c["recurrent_constraint"])
        self.bias = self.add_weight("bias", [4 * f], self._bias_initializer(), c["bias_regularizer"], True,
                                    c["bias_constraint"]) if c["use_bias"] else None
        if self.bias is not None and c["unit_forget_bias"]:
            from . import initializers

            self.bias.value[:f] = initializers.apply(c["bias_initializer"], [f])
            self.bias.value[f:2 * f] = 1.0
            self.bias.value[2 * f:] = initializers.apply(c["bias_initializer"], [2 * f])

    def step_conv(self, x, states):
        """One step from the raw input ``x`` [batch, rows, cols, channels]: (h, [h, c])."""
        c = self.cfg
        h_prev, c_prev = states
        kernels = ops.split(self.kernel.value, 4, axis=3)
        recurrent = ops.split(self.recurrent_kernel.value, 4, axis=3)
        biases = ops.split(self.bias.value, 4) if self.bias is not None else [None] * 4
        gates = []
        for k, r, b in zip(kernels, recurrent, biases):
            xg = ops.conv2d(x, k, c["strides"], c["padding"], c["dilation_rate"])
            if b is not None:
                xg = ops.add(xg, b)
            gates.append(ops.add(xg, ops.conv2d(h_prev, r, 1, "same")))
        rec, act = c["recurrent_activation"], c["activation"]
        i = apply_activation(rec, gates[0])
        f = apply_activation(rec, gates[1])
        new_c = ops.add(ops.mul(f, c_prev), ops.mul(i, apply_activation(act, gates[2])))
        h = ops.mul(apply_activation(rec, gates[3]), apply_activation(act, new_c))
        return h, [h, new_c]

    def project(self, x):
        return x

    def step(self, xw, states):
        return self.step_conv(xw, states)

    def compute_output_shape(self, input_shape):
        shape = input_shape[0] if is_shape_list(input_shape) else input_shape
        rows, cols = self.output_hw(shape[1], shape[2])
        out = [shape[0], rows, cols, self.cfg["filters"]]
        return [out, out, out]

    def call(self, inputs, mask=None, training=False, **kwargs):
        inputs = to_list(inputs)
        if len(inputs) != 3:
            raise ValueError(f"ConvLSTM2DCell '{self.name}': expected 3 inputs [x, h, c], got {len(inputs)}")
        h, states = self.step_conv(ops.tensor(inputs[0]), [ops.tensor(s) for s in inputs[1:]])
        return [h] + states


class ConvLSTM2D(RNN):
    """An RNN over [batch, time, rows, cols, channels] with a ConvLSTM2DCell built from the layer's arguments."""

    PARAMS = _RNN_PARAMS

    def __init__(self, **kwargs):
        kwargs.pop("cell", None)
        custom = kwargs.pop("custom_objects", None)
        if kwargs.get("unroll"):
            raise UnsupportedError("ConvLSTM2D: unrolling is not possible with convolutional RNNs.")
        cell_keys = {p.key for p in ConvLSTM2DCell.PARAMS}
        cell_args = {k: kwargs.pop(k) for k in list(kwargs) if k in cell_keys}
        cell_args.update({k: kwargs[k] for k in _SHARED_WITH_CELL if k in kwargs})
        super().__init__(cell=ConvLSTM2DCell(**cell_args), custom_objects=custom, **kwargs)

    def __getattr__(self, name):
        cell = self.__dict__.get("cell")
        if cell is not None and name in ("kernel", "recurrent_kernel", "bias", "filters", "state_size"):
            return getattr(cell, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def _input_shape(self, input_shape):
        shape = input_shape[0] if is_shape_list(input_shape) else input_shape
        if len(shape) != 5:
            raise ValueError(f"ConvLSTM2D '{self.name}': expected input of rank 5 [batch, time, rows, cols, "
                             f"channels], got shape {shape_str(shape)}")
        return shape

    def build(self, input_shape):
        shape = self._input_shape(input_shape)
        self.cell._ensure_built((shape[0],) + tuple(shape[2:]))

    def _state_shape(self, shape):
        rows, cols = self.cell.output_hw(shape[2], shape[3])
        return [shape[0], rows, cols, self.cell.cfg["filters"]]

    def compute_output_shape(self, input_shape):
        shape = self._input_shape(input_shape)
        state = self._state_shape(shape)
        out = [shape[0], shape[1]] + state[1:] if self.cfg["return_sequences"] else state
        return [out, state, state] if self.cfg["return_state"] else out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, list):
            mask = mask[0]
        out = mask if self.cfg["return_sequences"] else None
        return [out, None, None] if self.cfg["return_state"] else out

    def call(self, inputs, mask=None, training=False, initial_state=None, **kwargs):
        items = to_list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        x = ops.tensor(items[0])
        shape = list(x.shape)
        self._input_shape(shape)
        if isinstance(mask, list):
            mask = mask[0]
        state_shape = self._state_shape(shape)
        given = items[1:] if len(items) > 1 else (to_list(initial_state) if initial_state is not None else None)
        if given is not None:
            if len(given) != 2:
                raise ValueError(f"ConvLSTM2D '{self.name}': expected 2 initial states, got {len(given)}")
            states = [ops.tensor(s) for s in given]
            for s in states:
                if list(s.shape) != state_shape:
                    raise ValueError(f"ConvLSTM2D '{self.name}': initial state shape {shape_str(s.shape)}, "
                                     f"expected {shape_str(state_shape)}")
        else:
            states = [np.zeros(state_shape, F32), np.zeros(state_shape, F32)]
        steps = shape[1]
        xs = ops.unstack(x, axis=1) if steps else []
        order = range(steps - 1, -1, -1) if self.cfg["go_backwards"] else range(steps)
        outputs, out = [], states[0]
        for t in order:
            step_out, new_states = self.cell.step_conv(xs[t], states)
            if mask is not None:
                keep = np.asarray(mask[:, t], bool).reshape(-1, 1, 1, 1)
                step_out = ops.where(keep, step_out, states[0])
                new_states = [ops.where(keep, n, s) for n, s in zip(new_states, states)]
            states, out = new_states, step_out
            outputs.append(out)
        if self.cfg["return_sequences"]:
            result = ops.stack(outputs, axis=1) if outputs else np.zeros([shape[0], 0] + state_shape[1:], F32)
        else:
            result = out
        return [result] + list(states) if self.cfg["return_state"] else result
