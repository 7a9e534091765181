"""Sequential: a linear stack of layers (``tf.sequential``)."""

from __future__ import annotations

from ..errors import FormatError
from .base import Layer, to_list
from .input_layer import InputLayer, input as make_input
from .model import LayersModel
from ..naming import get_uid


class Sequential(LayersModel):
    class_name = "Sequential"

    def __init__(self, layers=None, name=None, **kwargs):
        super().__init__(name=name or get_uid("sequential_"), **kwargs)
        self._stack: list[Layer] = []
        self._stack_outputs: list = []  # the model's output after each layer of the stack (for pop)
        for layer in layers or []:
            self.add(layer)

    def add(self, layer: Layer) -> None:
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add: expected a layer, got {type(layer).__name__}")
        if not self.outputs:
            if isinstance(layer, InputLayer):
                out = layer.inbound_nodes[0].output_tensors[0]
                self.inputs, self.outputs = [out], [out]
                self._stack.append(layer)
                self._stack_outputs.append(out)
                return
            if layer.inbound_nodes:
                if len(layer.inbound_nodes[-1].output_tensors) != 1:
                    raise ValueError("All layers in a Sequential model should have a single output tensor. For "
                                     "multi-output layers, use the functional API.")
                first = layer.inbound_nodes[0]
                self.inputs = [first.input_tensors[0]] if first.input_tensors else [first.output_tensors[0]]
                self.outputs = [layer.inbound_nodes[-1].output_tensors[0]]
            else:
                if layer.batch_input_shape is None:
                    raise ValueError("The first layer in a Sequential model must get an `inputShape` or "
                                     "`batchInputShape` argument.")
                x = make_input(batch_shape=layer.batch_input_shape, dtype=layer.dtype or "float32",
                               name=f"{layer.name}_input")
                self.inputs = [x]
                self.outputs = [layer(x)]
        else:
            out = layer(self.outputs[0])
            if isinstance(out, list):
                raise ValueError("All layers in a Sequential model should have a single output tensor. For "
                                 "multi-output layers, use the functional API.")
            self.outputs = [out]
        self._stack.append(layer)
        self._stack_outputs.append(self.outputs[0])
        self._rebuild()

    def _rebuild(self) -> None:
        self._container_nodes = set()
        self._init_graph(self.inputs, self.outputs)
        self.layers = list(self._stack)

    def pop(self) -> None:
        """Remove the last layer (``model.pop()``): the model's output is again the previous layer's."""
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        removed = self._stack.pop()
        self._stack_outputs.pop()
        node = removed.inbound_nodes[-1] if removed.inbound_nodes else None
        if node is not None:  # unhook the removed call from the layers that fed it
            for layer in node.inbound_layers:
                if node in layer.outbound_nodes:
                    layer.outbound_nodes.remove(node)
        if not self._stack:
            self.inputs, self.outputs, self.layers = [], [], []
            self._nodes_by_depth, self._container_nodes = [], set()
            self.inbound_nodes, self.outbound_nodes = [], []
            return
        self._stack[-1].outbound_nodes = []
        self.outputs = [self._stack_outputs[-1]]
        self._rebuild()

    def get_config(self) -> dict:
        return {"name": self.name,
                "layers": [{"class_name": l.get_class_name(), "config": l.get_config()} for l in self._stack]}

    @classmethod
    def from_config(cls, config, custom_objects=None) -> "Sequential":
        from .serialization import deserialize_layer

        if isinstance(config, list):
            if not config or "class_name" not in config[0] or config[0]["class_name"] == "Merge":
                raise FormatError("Legacy serialization format not supported yet.")
            layer_configs, name = config, None
        elif isinstance(config, dict) and "layers" in config:
            layer_configs, name = config["layers"], config.get("name")
        else:
            raise FormatError("When the config data for a Sequential model is not an Array, it must be an Object "
                              "that contains the 'layers' field.")
        model = cls(name=name)
        for layer_data in layer_configs:
            model.add(deserialize_layer(layer_data, custom_objects))
        return model
