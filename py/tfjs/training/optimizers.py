"""Optimizers with TF.js's update formulas, defaults, class names, configs and saved weights
(tfjs-core/src/optimizers/*): ``tf.train.sgd(0.1)``, ``tf.train.adam()`` ...

State (accumulators, moments) is kept per variable, matched by the variable's name, and stored in the order
the variables were first updated (the order TF.js keeps its slots in, and writes them); it is named
``<variable name>/<slot>`` in ``get_weights``; the first weight is ``iter`` (int32 scalar: the number of updates
applied). A variable whose gradient is None in a step is not updated that step and keeps its own slots: the
others' slots never shift onto it (TF.js matches slots by position in the list of gradients given, which shifts
them when a gradient is missing). Slots restored by ``set_weights`` carry the names they were saved under; TF.js
writes a variable's unique name there (``kernel_12/m``), so when those names are not the variables' names the
restored slots are bound by position on the first update, as TF.js's setWeights does, then kept by name.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..naming import to_camel_case
from . import tape as _tape

F32 = np.float32
EPSILON = 1e-7  # TF.js's backend epsilon (float32)


def _s(v) -> np.float32:
    return F32(v)


class Optimizer:
    class_name = "Optimizer"
    SLOTS: tuple[str, ...] = ()

    def __init__(self):
        self.iterations = 0
        self._names: list[str] = []          # variable name per slot position
        self._index: dict[str, int] = {}     # variable name -> slot position
        self._bind_pending = False           # slots restored by set_weights, not yet matched to variables
        self._slots: dict[str, list] = {s: [] for s in self.SLOTS}

    # ---------------------------------------------------------------- TF.js API
    def get_class_name(self) -> str:
        return self.class_name

    def get_config(self) -> dict:
        raise NotImplementedError

    @classmethod
    def from_config(cls, config: dict) -> "Optimizer":
        return cls(**{k: v for k, v in config.items()})

    def minimize(self, f: Callable, return_cost: bool = False, var_list: Sequence | None = None):
        """Run f under a tape, apply the gradients of its scalar result to var_list (default: every trainable
        variable alive); the cost when return_cost."""
        out = _tape.variable_grads(f, var_list)
        names = list(out["grads"])
        variables = {v.name: v for v in (var_list if var_list is not None else _tape._variables())}
        self.apply_gradients([(variables[n], out["grads"][n]) for n in names])
        return out["value"] if return_cost else None

    def apply_gradients(self, pairs) -> None:
        """Apply gradients: a list of (variable, gradient) pairs (a variable has ``.name`` and ``.value``), or a
        dict {name: gradient} together with ``self.variables`` (see :meth:`apply_named_gradients`)."""
        if isinstance(pairs, dict):
            raise TypeError("apply_gradients takes (variable, gradient) pairs; use apply_named_gradients(grads, "
                            "variables) for a {name: gradient} dict")
        pairs = list(pairs)
        seen = set()
        for variable, _ in pairs:
            if variable.name in seen:
                raise ValueError(f"apply_gradients: variable {variable.name!r} is given more than once")
            seen.add(variable.name)
        if self._bind_pending:
            self._bind_restored([v for v, g in pairs if g is not None])
        for variable, grad in pairs:
            if grad is None:
                continue  # not updated this step; its slots stay its own (they are matched by name)
            value = np.asarray(variable.value, F32)
            grad = np.asarray(grad, F32)
            if grad.shape != value.shape:
                raise ValueError(f"Gradient of shape {list(grad.shape)} for variable {variable.name!r} of shape "
                                 f"{list(value.shape)}")
            i = self._index.get(variable.name)
            if i is None:
                i = self._index[variable.name] = len(self._names)
                self._names.append(variable.name)
                self._create_slots(value)
            elif self.SLOTS and self._slots[self.SLOTS[0]][i].shape != value.shape:
                raise ValueError(f"Optimizer state for {variable.name!r} has shape "
                                 f"{list(self._slots[self.SLOTS[0]][i].shape)}, the variable {list(value.shape)}")
            variable.value = self._update(i, value, grad)
            if getattr(variable, "constraint", None) is not None:
                variable.constrain()  # a layer weight's constraint, after each step
        self._after_step()
        self.iterations += 1

    def _bind_restored(self, variables: list) -> None:
        """Match restored slots to the variables of the first update: by name when every variable's name is a
        restored one, else by position (TF.js's order: the i-th variable updated gets the i-th slot)."""
        self._bind_pending = False
        names = [v.name for v in variables]
        if all(n in self._index for n in names):
            return
        if len(names) < len(self._names):
            raise ValueError(f"The restored {self.class_name} state has slots for {len(self._names)} variables; "
                             f"this update has gradients for {len(names)} and their names ({names}) do not match "
                             f"the saved ones ({self._names})")
        for k, v in enumerate(variables[:len(self._names)]):
            for s in self.SLOTS:
                if self._slots[s][k].shape != np.shape(v.value):
                    raise ValueError(f"Restored {self.class_name} slot {self._names[k]}/{s} has shape "
                                     f"{list(self._slots[s][k].shape)}; variable {v.name!r} (by position) has "
                                     f"{list(np.shape(v.value))}")
            self._names[k] = v.name
        self._index = {name: i for i, name in enumerate(self._names)}

    def apply_named_gradients(self, grads: dict, variables: Sequence) -> None:
        by_name = {v.name: v for v in variables}
        self.apply_gradients([(by_name[n], g) for n, g in grads.items()])

    def _create_slots(self, value: np.ndarray) -> None:
        for s in self.SLOTS:
            self._slots[s].append(self._initial_slot(s, value))

    def _initial_slot(self, slot: str, value: np.ndarray) -> np.ndarray:
        return np.zeros(value.shape, F32)

    def _update(self, i: int, value: np.ndarray, grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _after_step(self) -> None:
        pass

    # ---------------------------------------------------------------- weights (includeOptimizer)
    def get_weights(self) -> list[tuple[str, np.ndarray]]:
        """[("iter", int32 scalar), ("<var>/<slot>", array) ...]: slot by slot, variable by variable."""
        out = [("iter", np.asarray(self.iterations, np.int32))]
        for s in self.SLOTS:
            out += [(f"{n}/{s}", a) for n, a in zip(self._names, self._slots[s])]
        return out

    def set_weights(self, weights: Sequence) -> None:
        """Restore from [(name, array)] as get_weights gives them (TF.js's setWeights)."""
        weights = list(weights)
        if not weights or weights[0][0] != "iter" and np.ndim(weights[0][1]) != 0:
            raise ValueError("Optimizer weights must start with the 'iter' scalar")
        self.iterations = int(np.asarray(weights[0][1]).reshape(-1)[0])
        rest = weights[1:]
        n = len(self.SLOTS)
        if n == 0:
            if rest:
                raise ValueError(f"{self.class_name} optimizer does not have settable weights.")
            self._on_set_weights()
            return
        count = len(rest) // n
        suffix = "/" + self.SLOTS[0]
        self._names = [name[:-len(suffix)] if name.endswith(suffix) else name for name, _ in rest[:count]]
        self._index = {name: i for i, name in enumerate(self._names)}
        self._bind_pending = bool(self._names)
        for k, s in enumerate(self.SLOTS):
            self._slots[s] = [np.asarray(a, F32).copy() for _, a in rest[k * count:(k + 1) * count]]
        self._on_set_weights()

    def _on_set_weights(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"<{self.class_name} {self.get_config()}>"


class SGD(Optimizer):
    class_name = "SGD"

    def __init__(self, learning_rate: float):
        super().__init__()
        self.learning_rate = learning_rate

    def get_config(self):
        return {"learningRate": self.learning_rate}

    @classmethod
    def from_config(cls, config):
        return cls(config["learningRate"])

    def _update(self, i, value, grad):
        return _s(-self.learning_rate) * grad + value


class Momentum(SGD):
    class_name = "Momentum"
    SLOTS = ("momentum",)

    def __init__(self, learning_rate: float, momentum: float, use_nesterov: bool = False):
        Optimizer.__init__(self)
        self.learning_rate, self.momentum, self.use_nesterov = learning_rate, momentum, use_nesterov

    def get_config(self):
        return {"learningRate": self.learning_rate, "momentum": self.momentum, "useNesterov": self.use_nesterov}

    @classmethod
    def from_config(cls, config):
        return cls(config["learningRate"], config["momentum"], config.get("useNesterov", False))

    def _update(self, i, value, grad):
        acc = self._slots["momentum"]
        m, c = _s(self.momentum), _s(-self.learning_rate)
        new_acc = m * acc[i] + grad
        acc[i] = new_acc
        if self.use_nesterov:
            return c * (grad + new_acc * m) + value
        return c * new_acc + value


class Adagrad(Optimizer):
    class_name = "Adagrad"
    SLOTS = ("accumulator",)

    def __init__(self, learning_rate: float, initial_accumulator_value: float = 0.1):
        super().__init__()
        self.learning_rate, self.initial_accumulator_value = learning_rate, initial_accumulator_value

    def get_config(self):
        return {"learningRate": self.learning_rate, "initialAccumulatorValue": self.initial_accumulator_value}

    @classmethod
    def from_config(cls, config):
        return cls(config["learningRate"], config.get("initialAccumulatorValue", 0.1))

    def _initial_slot(self, slot, value):
        return np.full(value.shape, self.initial_accumulator_value, F32)

    def _update(self, i, value, grad):
        acc = self._slots["accumulator"]
        new_acc = acc[i] + np.square(grad)
        acc[i] = new_acc
        return (grad / np.sqrt(new_acc + _s(EPSILON))) * _s(-self.learning_rate) + value


class Adadelta(Optimizer):
    class_name = "Adadelta"
    SLOTS = ("accum_grad", "accum_var")

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.95, epsilon: float | None = None):
        super().__init__()
        self.learning_rate, self.rho = learning_rate, rho
        self.epsilon = EPSILON if epsilon is None else epsilon

    def get_config(self):
        return {"learningRate": self.learning_rate, "rho": self.rho, "epsilon": self.epsilon}

    @classmethod
    def from_config(cls, config):
        return cls(config["learningRate"], config["rho"], config["epsilon"])

    def _update(self, i, value, grad):
        ag, au = self._slots["accum_grad"], self._slots["accum_var"]
        rho, eps = _s(self.rho), _s(self.epsilon)
        new_ag = ag[i] * rho + np.square(grad) * _s(1 - self.rho)
        updates = (np.sqrt(au[i] + eps) / np.sqrt(ag[i] + eps)) * grad
        new_au = au[i] * rho + np.square(updates) * _s(1 - self.rho)
        ag[i], au[i] = new_ag, new_au
        return updates * _s(-self.learning_rate) + value


class Adam(Optimizer):
    class_name = "Adam"
    SLOTS = ("m", "v")

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float | None = None):
        super().__init__()
        self.learning_rate, self.beta1, self.beta2 = learning_rate, beta1, beta2
        self.epsilon = EPSILON if epsilon is None else epsilon
        self.acc_beta1, self.acc_beta2 = _s(beta1), _s(beta2)

    def get_config(self):
        return {"learningRate": self.learning_rate, "beta1": self.beta1, "beta2": self.beta2,
                "epsilon": self.epsilon}

    @classmethod
    def from_config(cls, config):
        return cls(config["learningRate"], config["beta1"], config["beta2"], config["epsilon"])

    def apply_gradients(self, pairs) -> None:
        self._one_minus = (_s(1) - self.acc_beta1, _s(1) - self.acc_beta2)
        super().apply_gradients(pairs)

    def _update(self, i, value, grad):
        m, v = self._slots["m"], self._slots["v"]
        om1, om2 = self._one_minus
        new_m = m[i] * _s(self.beta1) + grad * _s(1 - self.beta1)
        new_v = v[i] * _s(self.beta2) + np.square(grad) * _s(1 - self.beta2)
        m[i], v[i] = new_m, new_v
        mhat, vhat = new_m / om1, new_v / om2
        return (mhat / (np.sqrt(vhat) + _s(self.epsilon))) * _s(-self.learning_rate) + value

    def _after_step(self):
        self.acc_beta1 = self.acc_beta1 * _s(self.beta1)
        self.acc_beta2 = self.acc_beta2 * _s(self.beta2)

    def _on_set_weights(self):
        self.acc_beta1 = np.power(_s(self.beta1), _s(self.iterations + 1)).astype(F32)
        self.acc_beta2 = np.power(_s(self.beta2), _s(self.iterations + 1)).astype(F32)


class Adamax(Optimizer):
    class_name = "Adamax"
    SLOTS = ("m", "v")

    def __init__(self, learning_rate: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float | None = None, decay: float = 0.0):
        super().__init__()
        self.learning_rate, self.beta1, self.beta2, self.decay = learning_rate, beta1, beta2, decay
        self.epsilon = EPSILON if epsilon is None else epsilon
        self.acc_beta1 = _s(beta1)
        self.iteration = _s(0)

    def get_config(self):
        return {"learningRate": self.learning_rate, "beta1": self.beta1, "beta2": self.beta2,
                "epsilon": self.epsilon, "decay": self.decay}

    @classmethod
    def from_config(cls, config):
        return cls(config["learningRate"], config["beta1"], config["beta2"], config["epsilon"], config["decay"])

    def apply_gradients(self, pairs) -> None:
        self._lr = _s(-self.learning_rate) / (self.iteration * _s(self.decay) + _s(1))
        self._one_minus = _s(1) - self.acc_beta1
        super().apply_gradients(pairs)

    def _update(self, i, value, grad):
        m, u = self._slots["m"], self._slots["v"]
        new_m = m[i] * _s(self.beta1) + grad * _s(1 - self.beta1)
        new_u = np.maximum(u[i] * _s(self.beta2), np.abs(grad))
        m[i], u[i] = new_m, new_u
        return (self._lr / self._one_minus) * (new_m / (new_u + _s(self.epsilon))) + value

    def _after_step(self):
        self.iteration = self.iteration + _s(1)
        self.acc_beta1 = self.acc_beta1 * _s(self.beta1)

    def get_weights(self):
        raise NotImplementedError("getWeights() not implemented for Adamax yet.")

    def set_weights(self, weights):
        raise NotImplementedError("setWeights() not implemented for Adamax yet.")


class RMSProp(Optimizer):
    class_name = "RMSProp"

    def __init__(self, learning_rate: float, decay: float = 0.9, momentum: float = 0.0,
                 epsilon: float | None = None, centered: bool = False):
        self.SLOTS = ("rms", "momentum", "mg") if centered else ("rms", "momentum")
        super().__init__()
        self.learning_rate, self.decay, self.momentum, self.centered = learning_rate, decay, momentum, centered
        self.epsilon = EPSILON if epsilon is None else epsilon

    def get_config(self):
        return {"learningRate": self.learning_rate, "decay": self.decay, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}

    @classmethod
    def from_config(cls, config):
        return cls(config["learningRate"], config["decay"], config["momentum"], config["epsilon"],
                   config.get("centered", False))

    def _update(self, i, value, grad):
        ms, mom = self._slots["rms"], self._slots["momentum"]
        d, lr = _s(self.decay), _s(self.learning_rate)
        new_ms = ms[i] * d + np.square(grad) * _s(1 - self.decay)
        if self.centered:
            mg = self._slots["mg"]
            new_mg = mg[i] * d + grad * _s(1 - self.decay)
            contrib = (grad * lr) / np.sqrt(new_ms - (np.square(new_mg) + _s(self.epsilon)))
            mg[i] = new_mg
        else:
            contrib = (grad * lr) / np.sqrt(new_ms + _s(self.epsilon))
        new_mom = mom[i] * _s(self.momentum) + contrib
        ms[i], mom[i] = new_ms, new_mom
        return value - new_mom


CLASSES = {c.class_name: c for c in (SGD, Momentum, Adagrad, Adadelta, Adam, Adamax, RMSProp)}


def deserialize(config: dict) -> Optimizer:
    """An optimizer from {class_name, config} (keys camelCase or snake_case, as TF.js's convertPythonicToTs)."""
    name = config.get("class_name") or config.get("className")
    if name not in CLASSES:
        raise ValueError(f"Unknown optimizer class {name!r}; known: {', '.join(CLASSES)}")
    cfg = {to_camel_case(k): v for k, v in (config.get("config") or {}).items()}
    return CLASSES[name].from_config(cfg)


_BY_STRING = {
    "Adagrad": lambda: Adagrad(0.01), "Adadelta": lambda: Adadelta(1, 0.95, EPSILON),
    "Adam": lambda: Adam(0.001, 0.9, 0.999, EPSILON), "Adamax": lambda: Adamax(0.002, 0.9, 0.999, EPSILON, 0),
    "RMSProp": lambda: RMSProp(0.001, 0.9, 0, EPSILON), "SGD": lambda: SGD(0.01),
}
for _k in list(_BY_STRING):
    _BY_STRING[_k.lower()] = _BY_STRING[_k]


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name as TF.js's compile takes it ('adam', 'sgd', 'rmsprop', ... with TF.js's
    defaults) or an Optimizer object."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier in _BY_STRING:
        return _BY_STRING[identifier]()
    raise ValueError(f"Unknown Optimizer {identifier}")


class train:  # noqa: N801  (tf.train namespace)
    """``tf.train``: optimizer factories with TF.js's arguments and defaults."""

    @staticmethod
    def sgd(learning_rate: float) -> SGD:
        return SGD(learning_rate)

    @staticmethod
    def momentum(learning_rate: float, momentum: float, use_nesterov: bool = False) -> Momentum:
        return Momentum(learning_rate, momentum, use_nesterov)

    @staticmethod
    def adagrad(learning_rate: float, initial_accumulator_value: float = 0.1) -> Adagrad:
        return Adagrad(learning_rate, initial_accumulator_value)

    @staticmethod
    def adadelta(learning_rate: float = 0.001, rho: float = 0.95, epsilon: float | None = None) -> Adadelta:
        return Adadelta(learning_rate, rho, epsilon)

    @staticmethod
    def adam(learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
             epsilon: float | None = None) -> Adam:
        return Adam(learning_rate, beta1, beta2, epsilon)

    @staticmethod
    def adamax(learning_rate: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
               epsilon: float | None = None, decay: float = 0.0) -> Adamax:
        return Adamax(learning_rate, beta1, beta2, epsilon, decay)

    @staticmethod
    def rmsprop(learning_rate: float, decay: float = 0.9, momentum: float = 0.0, epsilon: float | None = None,
                centered: bool = False) -> RMSProp:
        return RMSProp(learning_rate, decay, momentum, epsilon, centered)

    Optimizer = Optimizer
    SGDOptimizer = SGD
    MomentumOptimizer = Momentum
    AdagradOptimizer = Adagrad
    AdadeltaOptimizer = Adadelta
    AdamOptimizer = Adam
    AdamaxOptimizer = Adamax
    RMSPropOptimizer = RMSProp


__all__ = ["Optimizer", "SGD", "Momentum", "Adagrad", "Adadelta", "Adam", "Adamax", "RMSProp", "train", "get",
           "deserialize"]
