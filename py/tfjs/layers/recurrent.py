"""Recurrent layers and their cells.

The step logic lives in the cells (``SimpleRNNCell``, ``GRUCell``, ``LSTMCell``, ``StackedRNNCells``); the
generic ``RNN`` layer runs any cell over the time axis (masking, ``go_backwards``, ``return_sequences``,
``return_state``, initial states given as extra inputs), and ``SimpleRNN``/``GRU``/``LSTM`` are ``RNN`` with the
matching cell built from the layer's own arguments, as in TF.js.

Weight names are TF.js's: the cell is built in the layer's name scope, so ``lstm_LSTM1/kernel`` and
``rnn_RNN1/kernel``; the cells of a ``StackedRNNCells`` each get a scope ``RNNCell_<i>``
(``rnn_RNN2/RNNCell_0/kernel``). The Keras converter's ``lstm/lstm_cell/kernel`` maps onto ``lstm/kernel`` by
TF.js's rule (the inner cell segment is dropped).

A cell written in Python needs ``state_size`` (a list of ints, the first one the output size) and
``call([x_t, *states]) -> [output, *new_states]``; subclassing :class:`RNNCell` and implementing ``step`` is the
fast path (the input projection of all time steps is one matrix product).
"""

from __future__ import annotations

import copy

import numpy as np

from .. import ops
from .base import Layer, is_shape_list, shape_str, to_list
from .common import apply_activation
from ..naming import name_scope
from .params import REQUIRED, P

F32 = np.float32

# Arguments shared by the cells, in TF.js's getConfig order.
_INITS = [P("kernel_initializer", "glorot_normal", "init"), P("recurrent_initializer", "orthogonal", "init"),
          P("bias_initializer", "zeros", "init")]
_REGS = [P("kernel_regularizer", None, "reg"), P("recurrent_regularizer", None, "reg"),
         P("bias_regularizer", None, "reg"), P("activity_regularizer", None, "reg"),
         P("kernel_constraint", None, "con"), P("recurrent_constraint", None, "con"),
         P("bias_constraint", None, "con"), P("dropout", 0), P("recurrent_dropout", 0)]
_RNN_PARAMS = [P("return_sequences", False), P("return_state", False), P("go_backwards", False),
               P("stateful", False), P("unroll", False)]
# Base layer arguments a cell made by SimpleRNN/GRU/LSTM shares with its layer (TF.js passes it all args).
_SHARED_WITH_CELL = ("name", "trainable", "batch_input_shape", "input_shape", "batch_size", "dtype")


class RNNCell(Layer):
    """Base of the built-in cells: one time step. Not a registered class (TF.js has no 'RNNCell')."""

    BASE_KEYS_AFTER = ""  # TF.js cells write name/trainable first
    GATES = 1

    @property
    def units(self) -> int:
        return self.cfg["units"]

    @property
    def state_size(self) -> list[int]:
        return [self.units]

    def _check_input(self, input_shape):
        if is_shape_list(input_shape):
            input_shape = input_shape[0]
        if input_shape[-1] is None:
            raise ValueError(f"{self.get_class_name()} '{self.name}': the last dimension of the input must be "
                             f"known, got shape {shape_str(input_shape)}")
        return input_shape

    def build(self, input_shape):
        input_shape = self._check_input(input_shape)
        c, n = self.cfg, self.units * self.GATES
        self.kernel = self.add_weight("kernel", [input_shape[-1], n], c["kernel_initializer"],
                                      c["kernel_regularizer"], True, c["kernel_constraint"])
        self.recurrent_kernel = self.add_weight("recurrent_kernel", [self.units, n], c["recurrent_initializer"],
                                                c["recurrent_regularizer"], True, c["recurrent_constraint"])
        self.bias = self.add_weight("bias", self._bias_shape(n), self._bias_initializer(), c["bias_regularizer"],
                                    True, c["bias_constraint"]) if c["use_bias"] else None

    def _bias_shape(self, n):
        return [n]

    def _bias_initializer(self):
        return self.cfg["bias_initializer"]

    def project(self, x: np.ndarray) -> np.ndarray:
        """The input part of the step for any leading shape: ``x @ kernel``."""
        kernel = self.kernel.value
        if x.shape[-1] != kernel.shape[0]:
            raise ValueError(f"{self.get_class_name()} '{self.name}': expected inputs with last dimension "
                             f"{kernel.shape[0]}, got shape {shape_str(x.shape)}")
        if x.ndim == 2:
            return ops.matmul(x, kernel)
        return ops.reshape(ops.matmul(ops.reshape(x, [-1, x.shape[-1]]), kernel),
                           list(x.shape[:-1]) + [kernel.shape[1]])

    def step(self, xw: np.ndarray, states: list) -> tuple[np.ndarray, list]:
        """One time step from the projected input ``xw`` and the states: (output, new states)."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        batch = (input_shape[0] if is_shape_list(input_shape) else input_shape)[0]
        return [[batch, n] for n in [self.state_size[0]] + self.state_size]

    def call(self, inputs, mask=None, training=False, **kwargs):
        inputs = to_list(inputs)
        if len(inputs) != 1 + len(self.state_size):
            raise ValueError(f"{self.get_class_name()} '{self.name}': expected [inputs, {len(self.state_size)} "
                             f"state(s)], got {len(inputs)} array(s)")
        x = ops.tensor(inputs[0])
        out, states = self.step(self.project(x), [ops.tensor(s) for s in inputs[1:]])
        return [out] + states


class SimpleRNNCell(RNNCell):
    PARAMS = [P("units", REQUIRED), P("activation", "tanh", "act"), P("use_bias", True)] + _INITS + _REGS

    def step(self, xw, states):
        z = ops.add(xw, ops.matmul(states[0], self.recurrent_kernel.value))
        if self.bias is not None:
            z = ops.add(z, self.bias.value)
        h = apply_activation(self.cfg["activation"], z)
        return h, [h]


class GRUCell(RNNCell):
    """Gates in Keras's order (z, r, h). reset_after (Keras 2's default; TF.js refuses it) is supported: the bias
    is then [2, 3*units], input and recurrent biases, and the reset gate multiplies the recurrent part."""

    GATES = 3
    PARAMS = [P("units", REQUIRED), P("activation", "tanh", "act"), P("recurrent_activation", "hard_sigmoid", "act"),
              P("use_bias", True)] + _INITS + _REGS + [P("implementation", None), P("reset_after", False)]

    def _bias_shape(self, n):
        return [2, n] if self.cfg["reset_after"] else [n]

    def step(self, xw, states):
        h_prev = states[0]
        u = self.units
        bias = self.bias.value if self.bias is not None else None
        reset_after = self.cfg["reset_after"]
        bias_in = bias_rec = None
        if bias is not None:
            bias_in, bias_rec = ops.unstack(bias, 0) if reset_after else (bias, None)
            xw = ops.add(xw, bias_in)
        rk = self.recurrent_kernel.value
        rec_act, act = self.cfg["recurrent_activation"], self.cfg["activation"]
        xz, xr, xh = ops.split(xw, 3, axis=1)
        if reset_after:
            hr = ops.matmul(h_prev, rk)
            if bias_rec is not None:
                hr = ops.add(hr, bias_rec)
            hz, hrr, hh_ = ops.split(hr, 3, axis=1)
            z = apply_activation(rec_act, ops.add(xz, hz))
            r = apply_activation(rec_act, ops.add(xr, hrr))
            hh = apply_activation(act, ops.add(xh, ops.mul(r, hh_)))
        else:
            rk_zr, rk_h = ops.split(rk, [2 * u, u], axis=1)
            hz, hrr = ops.split(ops.matmul(h_prev, rk_zr), 2, axis=1)
            z = apply_activation(rec_act, ops.add(xz, hz))
            r = apply_activation(rec_act, ops.add(xr, hrr))
            hh = apply_activation(act, ops.add(xh, ops.matmul(ops.mul(r, h_prev), rk_h)))
        h = ops.add(ops.mul(z, h_prev), ops.mul(ops.sub(1.0, z), hh))
        return h, [h]


class LSTMCell(RNNCell):
    """Gates in Keras's order (i, f, c, o); states [h, c]."""

    GATES = 4
    PARAMS = [P("units", REQUIRED), P("activation", "tanh", "act"), P("recurrent_activation", "hard_sigmoid", "act"),
              P("use_bias", True)] + _INITS + [P("unit_forget_bias", None)] + _REGS + [P("implementation", None)]

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_initializer(self):
        if self.cfg["unit_forget_bias"]:
            return {"class_name": "Zeros", "config": {}}  # forget-gate ones set after build, others per config
        return self.cfg["bias_initializer"]

    def build(self, input_shape):
        super().build(input_shape)
        if self.bias is not None and self.cfg["unit_forget_bias"]:
            from . import initializers

            u = self.units
            self.bias.value[:u] = initializers.apply(self.cfg["bias_initializer"], [u])
            self.bias.value[u:2 * u] = 1.0
            self.bias.value[2 * u:] = initializers.apply(self.cfg["bias_initializer"], [2 * u])

    def step(self, xw, states):
        h_prev, c_prev = states
        u = self.units
        z = ops.add(xw, ops.matmul(h_prev, self.recurrent_kernel.value))
        if self.bias is not None:
            z = ops.add(z, self.bias.value)
        rec, act = self.cfg["recurrent_activation"], self.cfg["activation"]
        z0, z1, z2, z3 = ops.split(z, 4, axis=1)
        i = apply_activation(rec, z0)
        f = apply_activation(rec, z1)
        c = ops.add(ops.mul(f, c_prev), ops.mul(i, apply_activation(act, z2)))
        o = apply_activation(rec, z3)
        h = ops.mul(o, apply_activation(act, c))
        return h, [h, c]


def _make_cell(cell, custom_objects=None, owner="RNN"):
    from .serialization import deserialize_layer

    if isinstance(cell, (list, tuple)):
        return StackedRNNCells(cells=list(cell), custom_objects=custom_objects)
    if isinstance(cell, dict):
        cell = deserialize_layer(copy.deepcopy(cell), custom_objects)
    if not isinstance(cell, Layer):
        raise ValueError(f"{owner}: cell property is missing for the constructor of RNN (got {cell!r}).")
    if getattr(cell, "state_size", None) is None:
        raise ValueError(f"{owner}: the RNN cell should have an attribute `state_size` (tuple of integers, one "
                         f"integer per RNN state); {cell.get_class_name()} '{cell.name}' has none.")
    return cell


def _state_sizes(cell) -> list[int]:
    size = cell.state_size
    return [int(s) for s in size] if isinstance(size, (list, tuple)) else [int(size)]


def _cell_step(cell, x, states, projected: bool):
    """One step of any cell: the fast path for RNNCell, ``cell.call([x, *states])`` for others."""
    if isinstance(cell, RNNCell):
        return cell.step(x if projected else cell.project(x), states)
    outs = to_list(cell.call([x] + list(states)))
    return ops.tensor(outs[0]), [ops.tensor(s) for s in outs[1:]]


class StackedRNNCells(RNNCell):
    """Cells run one after the other at each step. States are a flat list in reverse order of the stack (TF.js's
    and Keras's convention); the output is the last cell's."""

    BASE_KEYS_AFTER = None

    def __init__(self, cells=None, **kwargs):
        custom = kwargs.pop("custom_objects", None)
        super().__init__(**kwargs)
        if not cells:
            raise ValueError(f"StackedRNNCells '{self.name}': needs a non-empty list of cells, got {cells!r}")
        self.cells = [_make_cell(c, custom, f"StackedRNNCells '{self.name}'") for c in cells]

    def get_config(self) -> dict:
        config = self.base_config()
        config["cells"] = [{"class_name": c.get_class_name(), "config": c.get_config()} for c in self.cells]
        config.update(self.extra_config)
        return config

    @property
    def units(self) -> int:
        return _state_sizes(self.cells[-1])[0]

    @property
    def state_size(self) -> list[int]:
        out: list[int] = []
        for cell in reversed(self.cells):
            out.extend(_state_sizes(cell))
        return out

    def build(self, input_shape):
        input_shape = list(self._check_input(input_shape))
        for i, cell in enumerate(self.cells):
            with name_scope(f"RNNCell_{i}"):
                cell._ensure_built(tuple(input_shape))
            input_shape = [input_shape[0], _state_sizes(cell)[0]]

    @property
    def trainable_weights(self):
        return [w for c in self.cells for w in c.trainable_weights] if self.trainable else []

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return [w for c in self.cells for w in c.weights]
        return [w for c in self.cells for w in c.non_trainable_weights]

    def project(self, x):
        first = self.cells[0]
        return first.project(x) if isinstance(first, RNNCell) else x

    def _split_states(self, states):
        nested, rest = [], list(states)
        for cell in reversed(self.cells):
            n = len(_state_sizes(cell))
            nested.append(rest[:n])
            rest = rest[n:]
        return nested[::-1]

    def step(self, xw, states):
        nested = self._split_states(states)
        new_nested = []
        out = xw
        for i, (cell, cell_states) in enumerate(zip(self.cells, nested)):
            out, new = _cell_step(cell, out, cell_states, projected=(i == 0 and isinstance(cell, RNNCell)))
            new_nested.append(new)
        flat = [s for cell_states in reversed(new_nested) for s in cell_states]
        return out, flat


class RNN(Layer):
    """Runs a cell (or a list of cells, stacked) over the time axis of [batch, time, features] inputs."""

    PARAMS = _RNN_PARAMS
    supports_masking = True

    def __init__(self, cell=None, **kwargs):
        custom = kwargs.pop("custom_objects", None)
        kwargs.pop("num_constants", None)
        super().__init__(**kwargs)
        self.cell = _make_cell(cell, custom, f"{self.get_class_name()} '{self.name}'")

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "RNN":
        return cls(**config, custom_objects=custom_objects)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        """TF.js's order: the cell's keys, then the layer's base keys (the layer's name wins), then the RNN's."""
        cell_config = self.cell.get_config()
        config = dict(cell_config)
        config.update(self.base_config())
        config.update({p.key: p.write(self.cfg[p.key]) for p in self.PARAMS})
        config.update({k: v for k, v in self.extra_config.items() if k not in cell_config})
        if self.get_class_name() == "RNN":
            config["cell"] = {"class_name": self.cell.get_class_name(), "config": cell_config}
        return config

    # ------------------------------------------------------------------ weights
    @property
    def trainable_weights(self):
        return self.cell.trainable_weights if self.trainable else []

    @property
    def non_trainable_weights(self):
        return self.cell.non_trainable_weights if self.trainable else self.cell.weights

    # ------------------------------------------------------------------ shapes
    def _input_shape(self, input_shape):
        shape = input_shape[0] if is_shape_list(input_shape) else input_shape
        if len(shape) != 3:
            raise ValueError(f"{self.get_class_name()} '{self.name}': expected input of rank 3 [batch, time, "
                             f"features], got shape {shape_str(shape)}")
        return shape

    def build(self, input_shape):
        shape = self._input_shape(input_shape)
        self.cell._ensure_built((shape[0],) + tuple(shape[2:]))
        if is_shape_list(input_shape):
            self._check_state_shapes(input_shape[1:], shape[0])

    def _check_state_shapes(self, shapes, batch):
        sizes = _state_sizes(self.cell)
        if len(shapes) != len(sizes):
            raise ValueError(f"{self.get_class_name()} '{self.name}': RNN Layer has {len(sizes)} state(s) but was "
                             f"passed {len(shapes)} initial state(s).")
        for i, (shape, size) in enumerate(zip(shapes, sizes)):
            if len(shape) != 2 or (shape[-1] is not None and shape[-1] != size):
                raise ValueError(f"{self.get_class_name()} '{self.name}': initial state {i} must have shape "
                                 f"[{'null' if batch is None else batch},{size}], got {shape_str(shape)}")

    def compute_output_shape(self, input_shape):
        shape = self._input_shape(input_shape)
        sizes = _state_sizes(self.cell)
        out = [shape[0], shape[1], sizes[0]] if self.cfg["return_sequences"] else [shape[0], sizes[0]]
        if self.cfg["return_state"]:
            return [out] + [[shape[0], s] for s in sizes]
        return out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, list):
            mask = mask[0]
        out = mask if self.cfg["return_sequences"] else None
        if self.cfg["return_state"]:
            return [out] + [None] * len(_state_sizes(self.cell))
        return out

    # ------------------------------------------------------------------ calling
    def __call__(self, inputs, initial_state=None, **kwargs):
        if initial_state is not None:
            if isinstance(inputs, (list, tuple)):
                raise ValueError(f"{self.get_class_name()} '{self.name}': when inputs is an array, neither "
                                 f"initialState or constants should be provided")
            inputs = [inputs] + to_list(initial_state)
        return super().__call__(inputs, **kwargs)

    apply = __call__

    def call(self, inputs, mask=None, training=False, initial_state=None, **kwargs):
        items = to_list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        x = ops.tensor(items[0])
        if x.ndim != 3:
            raise ValueError(f"{self.get_class_name()} '{self.name}': expected input of rank 3 [batch, time, "
                             f"features], got shape {shape_str(x.shape)}")
        if isinstance(mask, list):
            mask = mask[0]
        batch, steps, _ = x.shape
        sizes = _state_sizes(self.cell)
        given = items[1:] if len(items) > 1 else (to_list(initial_state) if initial_state is not None else None)
        if given is not None:
            self._check_state_shapes([np.shape(s) for s in given], batch)
            states = [ops.tensor(s) for s in given]
        else:
            states = [np.zeros((batch, s), F32) for s in sizes]
        cell = self.cell
        fast = isinstance(cell, RNNCell)
        xw = cell.project(x) if fast else x  # the input projection of every step: one matrix product
        xs = ops.unstack(xw, axis=1) if steps else []  # through ops, so that gradients flow
        order = range(steps - 1, -1, -1) if self.cfg["go_backwards"] else range(steps)
        outputs = []
        out = states[0]
        for t in order:
            step_out, new_states = cell.step(xs[t], states) if fast else _cell_step(cell, xs[t], states, False)
            if mask is not None:
                keep = np.asarray(mask[:, t], bool)[:, None]
                step_out = ops.where(keep, step_out, states[0])  # TF.js: masked steps repeat states[0]
                new_states = [ops.where(keep, n, s) for n, s in zip(new_states, states)]
            states, out = new_states, step_out
            outputs.append(out)
        if self.cfg["return_sequences"]:
            result = ops.stack(outputs, axis=1) if outputs else np.zeros((batch, 0, sizes[0]), F32)
        else:
            result = out
        return [result] + list(states) if self.cfg["return_state"] else result


class _CellLayer(RNN):
    """SimpleRNN/GRU/LSTM: an RNN whose cell is built from the layer's own arguments (as TF.js does)."""

    CELL: type = RNNCell

    def __init__(self, **kwargs):
        kwargs.pop("cell", None)
        custom = kwargs.pop("custom_objects", None)
        cell_keys = {p.key for p in self.CELL.PARAMS}
        cell_args = {k: kwargs.pop(k) for k in list(kwargs) if k in cell_keys}
        cell_args.update({k: kwargs[k] for k in _SHARED_WITH_CELL if k in kwargs})
        try:
            cell = self.CELL(**cell_args)
        except TypeError as e:
            raise TypeError(f"{self.get_class_name()}: {e}") from None
        super().__init__(cell=cell, custom_objects=custom, **kwargs)

    def __getattr__(self, name):
        # kernel, recurrent_kernel, bias, units ... live on the cell
        cell = self.__dict__.get("cell")
        if cell is not None and name in ("kernel", "recurrent_kernel", "bias", "units", "state_size"):
            return getattr(cell, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


class SimpleRNN(_CellLayer):
    CELL = SimpleRNNCell


class GRU(_CellLayer):
    CELL = GRUCell


class LSTM(_CellLayer):
    CELL = LSTMCell
