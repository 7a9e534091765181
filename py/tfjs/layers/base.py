"""The layer engine: LayerVariable, SymbolicTensor, Node and Layer.

A layer called on arrays computes; called on symbolic tensors (``tf.input``) it records a Node, which is
how functional models are built. Weights are named ``<layer name>/<weight name>`` by the name scope the
layer is built in, as TF.js names them.
"""

from __future__ import annotations

import contextvars
import math
from contextlib import contextmanager
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import FormatError
from ..naming import default_layer_name, name_scope, scoped_name
from ..variables import LayerVariable, all_variables  # noqa: F401  (the weights of layers)
from . import constraints, initializers
from .params import REQUIRED, P


def to_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def single_or_list(xs: list):
    return xs[0] if len(xs) == 1 else xs


def is_shape_list(value) -> bool:
    """True for a list of shapes (a multi-output layer), False for one shape."""
    return isinstance(value, list) and len(value) > 0 and isinstance(value[0], (list, tuple))


def shape_str(shape) -> str:
    return "[" + ",".join("null" if d is None else str(d) for d in shape) + "]"


class _StoredShapes:
    """The shapes of the weights a model being built is about to receive (from a weights manifest)."""

    def __init__(self, shapes: Mapping[str, Sequence[int]], strict: bool):
        self.shapes: dict[str, tuple] = {}
        for name, shape in shapes.items():
            self.shapes[name] = tuple(int(d) for d in shape)
        for name, shape in list(self.shapes.items()):  # TF.js also matches 'outer/layer/w' to 'layer/w'
            tokens = name.split("/")
            self.shapes.setdefault("/".join(tokens[:-2] + [tokens[-1]]), shape)
        self.strict = strict
        self.largest = max((math.prod(s) for s in self.shapes.values()), default=0)

    def value_for(self, layer: str, name: str, shape, dtype: str) -> np.ndarray | None:
        """Zeros for a weight the stored data will overwrite, None for one it may not (initialize it);
        raises before allocating when the shape cannot be the stored one."""
        try:
            dims = tuple(int(d) for d in shape)
            if any(d < 0 for d in dims) or any(not float(d).is_integer() for d in shape):
                raise ValueError
        except (TypeError, ValueError):
            raise FormatError(f"Layer '{layer}': weight '{name}' would have shape {list(shape)!r:.100}, not a list "
                              f"of non-negative integers: check the layer's config") from None
        stored = self.shapes.get(name)
        if stored is not None:
            if stored != dims:
                raise FormatError(f"Layer '{layer}': weight '{name}' has shape {list(dims)} by the layer's config "
                                  f"but {list(stored)} in the weights manifest")
            return np.zeros(dims, dtype)
        if not self.strict:
            return None  # may keep its initial value
        if math.prod(dims) > self.largest:
            raise FormatError(f"Layer '{layer}': weight '{name}' of shape {list(dims)} ({math.prod(dims)} values) "
                              f"is larger than any weight in the weights manifest (the largest has {self.largest} "
                              f"values): the config does not match the weights")
        return np.zeros(dims, dtype)  # strict loading sets it from the stored data or fails


_stored_shapes: contextvars.ContextVar[_StoredShapes | None] = contextvars.ContextVar("tfjs_stored_shapes",
                                                                                      default=None)


@contextmanager
def building_for_stored_weights(shapes: Mapping[str, Sequence[int]], strict: bool = True):
    """Build layers that stored weights will fill: each weight's shape is checked against ``shapes`` (by name)
    before it is allocated, weights that will be overwritten are not drawn from their initializers, and a
    config a layer cannot use is a FormatError naming the layer."""
    token = _stored_shapes.set(_StoredShapes(shapes, strict))
    try:
        yield
    finally:
        _stored_shapes.reset(token)


class SymbolicTensor:
    """A placeholder in a functional graph: its shape (None = unknown), dtype and the layer that makes it."""

    def __init__(self, shape, dtype: str, source_layer: "Layer", node_index: int, tensor_index: int, name: str):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.source_layer = source_layer
        self.node_index = node_index
        self.tensor_index = tensor_index
        self.name = name

    @property
    def rank(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<SymbolicTensor {self.name} shape={shape_str(self.shape)} dtype={self.dtype}>"


class Node:
    """One call of a layer in a graph: the tensors it took and the tensors it made."""

    def __init__(self, outbound_layer: "Layer", input_tensors: list, output_tensors: list, call_args: dict):
        self.outbound_layer = outbound_layer
        self.input_tensors = input_tensors
        self.output_tensors = output_tensors
        self.call_args = call_args
        self.inbound_layers = [t.source_layer for t in input_tensors]
        self.node_indices = [t.node_index for t in input_tensors]
        self.tensor_indices = [t.tensor_index for t in input_tensors]
        outbound_layer.inbound_nodes.append(self)
        for layer in self.inbound_layers:
            layer.outbound_nodes.append(self)


class Layer:
    """Base layer. Subclasses declare PARAMS (config keys) and implement build/call/compute_output_shape."""

    PARAMS: Sequence[P] = ()
    class_name: str | None = None
    supports_masking = False
    # Where get_config puts the base keys (name, trainable, batch_input_shape, dtype) among PARAMS, to write
    # keys in TF.js's order: None = after all of them (most layers), "" = before them, or the key they follow.
    BASE_KEYS_AFTER: str | None = None

    def __init__(self, **kwargs: Any):
        cls = self.get_class_name()
        self.name = kwargs.pop("name", None) or default_layer_name(cls)
        self.trainable = kwargs.pop("trainable", True)
        self.cfg: dict[str, Any] = {}
        for p in self.PARAMS:
            self.cfg[p.key] = p.read(kwargs.pop(p.key, p.default), f"{cls} '{self.name}'")
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        input_shape = kwargs.pop("input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        dtype = kwargs.pop("dtype", None)
        self._initial_weights = kwargs.pop("weights", None)
        kwargs.pop("input_dtype", None)
        if batch_input_shape is None and input_shape is not None:
            batch_input_shape = [batch_size] + list(input_shape)
        self.batch_input_shape = None if batch_input_shape is None else [
            None if d is None else int(d) for d in batch_input_shape]
        self.dtype = dtype if dtype is not None else ("float32" if self.batch_input_shape is not None else None)
        if isinstance(self.dtype, dict):  # Keras 3 DTypePolicy
            self.dtype = self.dtype.get("config", {}).get("name", "float32")
        self.extra_config = kwargs  # keys this layer does not know, written back unchanged
        self.built = False
        self._trainable_weights: list[LayerVariable] = []
        self._non_trainable_weights: list[LayerVariable] = []
        self._added_weight_names: list[str] = []
        self.inbound_nodes: list[Node] = []
        self.outbound_nodes: list[Node] = []
        self._disposed = False
        self.init()

    def init(self) -> None:
        """Subclass hook run at the end of __init__ (validation, derived attributes)."""

    # ------------------------------------------------------------------ identity and config
    @classmethod
    def get_class_name(cls) -> str:
        return cls.class_name or cls.__name__

    def base_config(self) -> dict:
        """TF.js's ``Layer.getConfig``: name, trainable, and batch_input_shape and dtype where set."""
        config = {"name": self.name, "trainable": self.trainable}
        if self.batch_input_shape is not None:
            config["batch_input_shape"] = list(self.batch_input_shape)
        if self.dtype is not None:
            config["dtype"] = self.dtype
        return config

    def get_config(self) -> dict:
        params = [(p.key, p.write(self.cfg[p.key])) for p in self.PARAMS]
        after = self.BASE_KEYS_AFTER
        at = len(params) if after is None else 0 if after == "" else [k for k, _ in params].index(after) + 1
        config = dict(params[:at])
        if at < len(params):
            config.update(self.base_config())
            config.update(params[at:])
            config.update(self.extra_config)
        else:
            config.update(self.extra_config)
            config.update(self.base_config())
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Layer":
        return cls(**config)

    # ------------------------------------------------------------------ weights
    def add_weight(self, name: str, shape, initializer=None, regularizer=None, trainable: bool = True,
                   constraint=None, dtype: str = "float32") -> LayerVariable:
        if name in self._added_weight_names:
            raise FormatError(f"Duplicate weight name {name} for layer {self.name}")
        self._added_weight_names.append(name)
        stored = _stored_shapes.get()
        value = stored.value_for(self.name, scoped_name(name), shape, dtype) if stored is not None else None
        if value is None:
            value = initializers.apply(initializer, shape, dtype)
        weight = LayerVariable(scoped_name(name), value, trainable, constraints.deserialize(constraint))
        (self._trainable_weights if trainable else self._non_trainable_weights).append(weight)
        return weight

    @property
    def trainable_weights(self) -> list[LayerVariable]:
        return [w for w in self._trainable_weights if w.trainable] if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[LayerVariable]:
        if self.trainable:
            return [w for w in self._trainable_weights if not w.trainable] + self._non_trainable_weights
        return self._trainable_weights + self._non_trainable_weights

    @property
    def weights(self) -> list[LayerVariable]:
        return self.trainable_weights + self.non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        return [w.read().copy() for w in self.weights]

    def set_weights(self, values: Sequence) -> None:
        weights = self.weights
        if len(values) != len(weights):
            raise FormatError(
                f"You called setWeights(weights) on layer \"{self.name}\" with a weight list of length "
                f"{len(values)}, but the layer was expecting {len(weights)} weights. Provided weights: "
                f"{[list(np.shape(v)) for v in values]}...")
        for w, v in zip(weights, values):
            if tuple(np.shape(v)) != w.shape:
                raise FormatError(f"Layer weight shape {shape_str(w.shape)} not compatible with provided weight "
                                  f"shape {shape_str(np.shape(v))} (weight '{w.name}' of layer '{self.name}')")
        for w, v in zip(weights, values):
            w.write(v)

    def count_params(self) -> int:
        return int(sum(np.prod(w.shape) for w in self.weights))

    # ------------------------------------------------------------------ building and calling
    def build(self, input_shape) -> None:
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_mask(self, inputs, mask=None):
        return mask if self.supports_masking else None

    def call(self, inputs, mask=None, training=False, **kwargs):
        return inputs

    def _ensure_built(self, shapes) -> None:
        if not self.built:
            self.build(shapes)
            self.built = True
            if self._initial_weights is not None:
                self.set_weights(self._initial_weights)
                self._initial_weights = None

    def __call__(self, inputs, **kwargs):
        items = to_list(inputs)
        as_list = isinstance(inputs, (list, tuple)) and len(items) > 1
        symbolic = [isinstance(t, SymbolicTensor) for t in items]
        if any(symbolic) and not all(symbolic):
            raise ValueError(f"Layer '{self.name}': arguments to apply() must be all SymbolicTensors or all "
                             f"arrays")
        if self._disposed:
            raise ValueError(f"Layer '{self.name}' is already disposed.")
        if not all(symbolic):
            arrays = [x if isinstance(x, np.ndarray) else np.asarray(x, dtype=np.float32) for x in items]
            with name_scope(self.name):
                self._ensure_built([tuple(a.shape) for a in arrays] if as_list else tuple(arrays[0].shape))
            return self.call(arrays if as_list else arrays[0], **kwargs)
        shapes = [t.shape for t in items] if as_list else items[0].shape
        try:
            with name_scope(self.name):
                self._ensure_built(shapes)
            out_shape = self.compute_output_shape(shapes)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as e:
            if _stored_shapes.get() is None or isinstance(e, FormatError):
                raise
            raise FormatError(f"Layer '{self.name}' ({self.get_class_name()}) cannot be built from its config: "
                              f"{type(e).__name__}: {e}") from None
        multi = is_shape_list(out_shape)
        out_shapes = list(out_shape) if multi else [out_shape]
        node_index = len(self.inbound_nodes)
        dtype = self.output_dtype(items[0].dtype)
        outputs = [SymbolicTensor(s, dtype, self, node_index, i,
                                  f"{self.name}/{self.name}" if len(out_shapes) == 1 else f"{self.name}/{i}")
                   for i, s in enumerate(out_shapes)]
        Node(self, items, outputs, {k: v for k, v in kwargs.items() if k not in ("training", "mask")})
        return outputs if multi else outputs[0]

    def output_dtype(self, input_dtype: str) -> str:
        return "float32"

    apply = __call__

    # ------------------------------------------------------------------ graph info
    def _node_shapes(self, attr: str):
        if not self.inbound_nodes:
            raise ValueError(f"The layer {self.name} has never been called and thus has no defined {attr}.")
        shapes = [[t.shape for t in (n.input_tensors if attr == "input shape" else n.output_tensors)]
                  for n in self.inbound_nodes]
        first = shapes[0]
        return first[0] if len(first) == 1 else first

    @property
    def input_shape(self):
        return self._node_shapes("input shape")

    @property
    def output_shape(self):
        return self._node_shapes("output shape")

    @property
    def output(self):
        outs = self.inbound_nodes[0].output_tensors
        return outs[0] if len(outs) == 1 else outs

    @property
    def input(self):
        ins = self.inbound_nodes[0].input_tensors
        return ins[0] if len(ins) == 1 else ins

    def dispose(self) -> dict:
        self._disposed = True
        return {"refCountAfterDispose": 0, "numDisposedVariables": len(self.weights)}

    def __repr__(self) -> str:
        return f"<{self.get_class_name()} '{self.name}'>"


__all__ = ["Layer", "LayerVariable", "SymbolicTensor", "Node", "P", "REQUIRED", "to_list", "single_or_list",
           "shape_str"]
