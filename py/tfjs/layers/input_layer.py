"""InputLayer and ``tf.input``: the entry points of a functional graph."""

from __future__ import annotations

from .base import Layer, Node, SymbolicTensor
from ..naming import get_uid


class InputLayer(Layer):
    def __init__(self, input_shape=None, batch_size=None, batch_input_shape=None, dtype=None, sparse=False,
                 name=None, batch_shape=None, **kwargs):
        kwargs.pop("trainable", None)
        kwargs.pop("ragged", None)
        if batch_input_shape is None:
            batch_input_shape = batch_shape
        if batch_input_shape is None:
            if input_shape is None:
                raise ValueError("An InputLayer should be passed either a `batchInputShape` or an `inputShape`.")
            batch_input_shape = [batch_size] + list(input_shape)
        super().__init__(name=name or get_uid("input"), batch_input_shape=batch_input_shape,
                         dtype=dtype or "float32", **kwargs)
        self.sparse = bool(sparse)
        self.trainable = False
        self.built = True
        out = SymbolicTensor(self.batch_input_shape, self.dtype, self, 0, 0, self.name)
        Node(self, [], [out], {})

    def get_config(self) -> dict:
        config = {"batch_input_shape": list(self.batch_input_shape), "dtype": self.dtype, "sparse": self.sparse,
                  "name": self.name}
        config.update(self.extra_config)
        return config


def input(shape=None, batch_shape=None, name=None, dtype="float32", sparse=False, batch_size=None):  # noqa: A001
    """A symbolic input (``tf.input``): shape without the batch dimension, or batch_shape with it."""
    if shape is None and batch_shape is None:
        raise ValueError("Please provide to Input either a `shape` or a `batchShape` argument. Note that `shape` "
                         "does not include the batch dimension.")
    if shape is not None and batch_shape is not None:
        raise ValueError("Please provide either a `shape` or `batchShape` argument to Input, but not both.")
    batch_input_shape = batch_shape if batch_shape is not None else [batch_size] + list(shape)
    layer = InputLayer(batch_input_shape=batch_input_shape, name=name, dtype=dtype, sparse=sparse)
    return layer.inbound_nodes[0].output_tensors[0]
