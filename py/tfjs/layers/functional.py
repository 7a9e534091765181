"""Functional graphs of layers (TF.js's Container): graph order, execution and the topology config."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import FormatError
from .base import Layer, Node, SymbolicTensor, to_list
from .input_layer import InputLayer
from ..naming import get_uid


class Functional(Layer):
    """A graph from input SymbolicTensors to output SymbolicTensors; itself a layer."""

    class_name = "Model"

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        kwargs.pop("trainable", None)
        super().__init__(name=name or get_uid(self.get_class_name().lower()), **kwargs)
        self.built = True
        self.layers: list[Layer] = []
        self.inputs: list[SymbolicTensor] = []
        self.outputs: list[SymbolicTensor] = []
        self._nodes_by_depth: list[list[Node]] = []
        self._container_nodes: set[tuple[int, int]] = set()
        if inputs is not None and outputs is not None:
            self._init_graph(inputs, outputs)

    # ------------------------------------------------------------------ graph
    def _init_graph(self, inputs, outputs) -> None:
        self.inputs = to_list(inputs)
        self.outputs = to_list(outputs)
        for t in self.inputs + self.outputs:
            if not isinstance(t, SymbolicTensor):
                raise TypeError(f"Model '{self.name}': inputs and outputs must be SymbolicTensors (from tf.input() "
                                f"and layers applied to them), got {type(t).__name__}")
        seen = set()
        for t in self.inputs:
            if not isinstance(t.source_layer, InputLayer) or t.node_index != 0:
                raise ValueError(f"Input tensors to a Model must originate from tf.input(): {t.name} comes from "
                                 f"layer '{t.source_layer.name}' ({t.source_layer.get_class_name()})")
            if id(t) in seen:
                raise ValueError(f"The list of inputs passed to the model '{self.name}' is redundant. All inputs "
                                 f"should only appear once. Found: {t.name}")
            seen.add(id(t))

        layer_index: dict[int, int] = {}
        finished: set[int] = set()
        in_progress: set[int] = set()
        ordered_nodes: list[Node] = []
        input_ids = {id(t.source_layer) for t in self.inputs}

        def visit(tensor: SymbolicTensor) -> None:
            layer = tensor.source_layer
            node = layer.inbound_nodes[tensor.node_index]
            if id(node) in in_progress:
                raise ValueError(f"The tensor {tensor.name} at layer \"{layer.name}\" is part of a cycle.")
            if id(node) in finished:
                return
            self._container_nodes.add((id(layer), tensor.node_index))
            self._all_layers[id(layer)] = layer
            layer_index.setdefault(id(layer), len(layer_index))
            in_progress.add(id(node))
            for t in node.input_tensors:
                visit(t)
            if not node.input_tensors and isinstance(layer, InputLayer) and id(layer) not in input_ids:
                raise ValueError(f"Graph disconnected: cannot obtain value for tensor {tensor.name} at layer "
                                 f"\"{layer.name}\". The following previous layers were accessed without issue: "
                                 f"{[l.name for l in self._layers_seen(layer_index)]}")
            finished.add(id(node))
            in_progress.discard(id(node))
            ordered_nodes.append(node)

        self._all_layers: dict[int, Layer] = {}
        for t in self.outputs:
            visit(t)
        for t in self.inputs:
            self._container_nodes.add((id(t.source_layer), 0))
            self._all_layers[id(t.source_layer)] = t.source_layer
            layer_index.setdefault(id(t.source_layer), len(layer_index))

        node_depth: dict[int, int] = {}
        layer_depth: dict[int, int] = {}
        node_of: dict[int, Node] = {}
        for node in reversed(ordered_nodes):
            node_of[id(node)] = node
            depth = node_depth.setdefault(id(node), 0)
            depth = max(depth, layer_depth.get(id(node.outbound_layer), 0))
            layer_depth[id(node.outbound_layer)] = depth
            node_depth[id(node)] = depth
            for t in node.input_tensors:
                inbound = t.source_layer.inbound_nodes[t.node_index]
                node_depth[id(inbound)] = max(depth + 1, node_depth.get(id(inbound), 0))
                node_of[id(inbound)] = inbound
        for t in self.inputs:
            n = t.source_layer.inbound_nodes[0]
            if id(n) not in node_depth:
                node_depth[id(n)] = 0
                node_of[id(n)] = n
                layer_depth[id(t.source_layer)] = 0
        by_depth: dict[int, list[Node]] = {}
        for nid, depth in node_depth.items():
            by_depth.setdefault(depth, []).append(node_of[nid])
        self._nodes_by_depth = [by_depth[d] for d in sorted(by_depth, reverse=True)]
        layers_by_depth: dict[int, list[Layer]] = {}
        for lid, depth in layer_depth.items():
            layers_by_depth.setdefault(depth, []).append(self._all_layers[lid])
        self.layers = []
        for depth in sorted(layers_by_depth, reverse=True):
            self.layers.extend(sorted(layers_by_depth[depth], key=lambda l: layer_index[id(l)]))
        names = [l.name for l in self.layers]
        for n in names:
            if names.count(n) > 1:
                raise ValueError(f"The name \"{n}\" is used {names.count(n)} times in the model. All layer names "
                                 f"should be unique.")
        self._set_self_node()
        self.input_layers = [t.source_layer for t in self.inputs]
        self.output_layers = [t.source_layer for t in self.outputs]
        self.input_names = [l.name for l in self.input_layers]
        self.output_names = [l.name for l in self.output_layers]

    def _set_self_node(self) -> None:
        """Node 0 of a model links its inputs to its outputs (as in TF.js and Keras); calls come after it."""
        node = Node(self, list(self.inputs), list(self.outputs), {})
        node.is_self_node = True
        self.inbound_nodes.pop()
        if self.inbound_nodes and getattr(self.inbound_nodes[0], "is_self_node", False):
            old = self.inbound_nodes[0]
            for layer in old.inbound_layers:
                if old in layer.outbound_nodes:
                    layer.outbound_nodes.remove(old)
            self.inbound_nodes[0] = node
        elif not self.inbound_nodes:
            self.inbound_nodes.append(node)
        else:
            raise ValueError(f"Model '{self.name}' was already called on inputs; its graph cannot change")

    def _layers_seen(self, layer_index):
        return [l for l in self._all_layers.values() if id(l) in layer_index]

    # ------------------------------------------------------------------ weights
    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        out = [w for layer in self.layers for w in layer.non_trainable_weights]
        if not self.trainable:
            out = [w for layer in self.layers for w in layer.trainable_weights] + out
        return out

    # ------------------------------------------------------------------ execution
    def compute_output_shape(self, input_shape):
        shapes = [t.shape for t in self.outputs]
        return shapes if len(shapes) > 1 else shapes[0]

    def call(self, inputs, mask=None, training=False, **kwargs):
        outs, _ = self.run_graph(to_list(inputs), to_list(mask) if mask is not None else None, training=training)
        return outs if len(outs) > 1 else outs[0]

    def compute_mask(self, inputs, mask=None):
        _, masks = self.run_graph(to_list(inputs), to_list(mask) if mask is not None else None)
        return masks if len(masks) > 1 else masks[0]

    def run_graph(self, inputs: list, masks: list | None = None, training: bool = False) -> tuple[list, list]:
        if len(inputs) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self.inputs)} input(s) "
                             f"({', '.join(self.input_names)}) but got {len(inputs)} array(s)")
        values: dict[int, Any] = {}
        for i, (t, x) in enumerate(zip(self.inputs, inputs)):
            values[id(t)] = (x, masks[i] if masks else None)
        for nodes in self._nodes_by_depth:
            for node in nodes:
                layer = node.outbound_layer
                if not node.input_tensors:
                    continue
                if any(id(t) not in values for t in node.input_tensors):
                    continue
                xs = [values[id(t)][0] for t in node.input_tensors]
                ms = [values[id(t)][1] for t in node.input_tensors]
                x = xs[0] if len(xs) == 1 else xs
                m = ms[0] if len(ms) == 1 else (ms if any(v is not None for v in ms) else None)
                kwargs = dict(node.call_args)
                if training:
                    kwargs["training"] = True
                out = layer.call(x, mask=m, **kwargs)
                out_mask = layer.compute_mask(x, m)
                outs = out if len(node.output_tensors) > 1 else [out]
                out_masks = out_mask if isinstance(out_mask, list) else [out_mask] * len(outs)
                for t, o, om in zip(node.output_tensors, outs, out_masks):
                    values[id(t)] = (o, om)
        results, result_masks = [], []
        for t in self.outputs:
            if id(t) not in values:
                raise ValueError(f"Model '{self.name}': could not compute output {t.name}")
            results.append(values[id(t)][0])
            result_masks.append(values[id(t)][1])
        return results, result_masks

    # ------------------------------------------------------------------ config
    def _new_node_index(self, layer: Layer, node_index: int) -> int | None:
        if (id(layer), node_index) not in self._container_nodes:
            return None
        index = 1 if isinstance(layer, Functional) else 0  # a model's node 0 is its own (TF.js counts it)
        for i in range(node_index):
            if (id(layer), i) in self._container_nodes:
                index += 1
        return index

    def get_config(self) -> dict:
        layer_configs = []
        for layer in self.layers:
            inbound = []
            for node_index, node in enumerate(layer.inbound_nodes):
                if (id(layer), node_index) not in self._container_nodes or not node.inbound_layers:
                    continue
                node_data = []
                for t in node.input_tensors:
                    new_index = self._new_node_index(t.source_layer, t.node_index)
                    node_data.append([t.source_layer.name, new_index if new_index is not None else 0, t.tensor_index,
                                      dict(node.call_args)])
                inbound.append(node_data)
            layer_configs.append({"name": layer.name, "class_name": layer.get_class_name(),
                                  "config": layer.get_config(), "inbound_nodes": inbound})
        def refs(tensors):
            return [[t.source_layer.name, self._new_node_index(t.source_layer, t.node_index), t.tensor_index]
                    for t in tensors]
        return {"name": self.name, "layers": layer_configs, "input_layers": refs(self.inputs),
                "output_layers": refs(self.outputs)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Functional":
        from .serialization import deserialize_layer

        created: dict[str, Layer] = {}
        pending: dict[str, list] = {}
        order: list[str] = []
        for layer_data in config.get("layers", []):
            name = layer_data.get("name") or layer_data.get("config", {}).get("name")
            layer = deserialize_layer(layer_data, custom_objects)
            created[name] = layer
            order.append(name)
            for node_data in layer_data.get("inbound_nodes", []):
                if not isinstance(node_data, list):
                    raise FormatError(f"Corrupted configuration, expected array for nodeData: {node_data}")
                pending.setdefault(name, []).append(node_data)

        def ready(node_data) -> bool:
            for ref in node_data:
                inbound = created.get(ref[0])
                if inbound is None:
                    raise FormatError(f"Model '{config.get('name')}': layer '{ref[0]}' is used as an input but is "
                                      f"not in the model's layers")
                if ref[1] >= len(inbound.inbound_nodes):
                    return False
            return True

        while pending:
            progressed = False
            for name in order:
                queue = pending.get(name)
                while queue and ready(queue[0]):
                    node_data = queue.pop(0)
                    tensors = [created[r[0]].inbound_nodes[r[1]].output_tensors[r[2]] for r in node_data]
                    kwargs = node_data[0][3] if len(node_data[0]) > 3 and node_data[0][3] else {}
                    kwargs = {k: v for k, v in kwargs.items() if k not in ("training", "mask")}
                    created[name](tensors[0] if len(tensors) == 1 else tensors, **kwargs)
                    progressed = True
                if queue is not None and not queue:
                    del pending[name]
            if not progressed:
                raise FormatError(f"Model '{config.get('name')}': cannot process the inbound nodes of layers "
                                  f"{sorted(pending)}; the graph refers to nodes that are never created")

        def lookup(refs):
            out = []
            for ref in refs:
                layer = created.get(ref[0])
                if layer is None:
                    raise FormatError(f"Model '{config.get('name')}': input/output layer '{ref[0]}' is not in the "
                                      f"model's layers")
                out.append(layer.inbound_nodes[ref[1]].output_tensors[ref[2]])
            return out

        return cls(inputs=lookup(config["input_layers"]), outputs=lookup(config["output_layers"]),
                   name=config.get("name"))
