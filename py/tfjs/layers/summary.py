"""``model.summary()``: the familiar table of layers, output shapes and parameter counts."""

from __future__ import annotations

from .base import shape_str


def _shape_text(layer) -> str:
    try:
        shape = layer.output_shape
    except (ValueError, IndexError, AttributeError):
        return "multiple"
    if isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple)):
        return ",".join(shape_str(s) for s in shape)
    return shape_str(shape)


def _row(fields, positions, line_length) -> str:
    line = ""
    for i, field in enumerate(fields):
        if i > 0:
            line = line[:-1] + " "
        line += str(field)
        line = line[:positions[i]]
        line += " " * (positions[i] - len(line))
    return line


def print_summary(model, line_length=None, positions=None, print_fn=print) -> None:
    sequential_like = model.get_class_name() == "Sequential" or all(
        len(layer.inbound_nodes) <= 1 and all(len(n.inbound_layers) <= 1 for n in layer.inbound_nodes)
        for layer in model.layers)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        headers = ["Layer (type)", "Output shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.33, 0.55, 0.67, 1.0]
        headers = ["Layer (type)", "Output shape", "Param #", "Receives inputs"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    print_fn("_" * line_length)
    print_fn(_row(headers, positions, line_length))
    print_fn("=" * line_length)
    layers = model.layers
    for i, layer in enumerate(layers):
        fields = [f"{layer.name} ({layer.get_class_name()})", _shape_text(layer), layer.count_params()]
        if not sequential_like:
            inbound = []
            for node in layer.inbound_nodes:
                for t in node.input_tensors:
                    inbound.append(f"{t.source_layer.name}[{t.node_index}][{t.tensor_index}]")
            fields.append(inbound[0] if inbound else "")
            print_fn(_row(fields, positions, line_length))
            for extra in inbound[1:]:
                print_fn(_row(["", "", "", extra], positions, line_length))
        else:
            print_fn(_row(fields, positions, line_length))
        print_fn(("=" if i == len(layers) - 1 else "_") * line_length)
    trainable = sum(int(w.value.size) for w in model.trainable_weights)
    non_trainable = sum(int(w.value.size) for w in model.non_trainable_weights)
    print_fn(f"Total params: {trainable + non_trainable}")
    print_fn(f"Trainable params: {trainable}")
    print_fn(f"Non-trainable params: {non_trainable}")
    print_fn("_" * line_length)
