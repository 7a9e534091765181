"""tfjs_layers_model (and keras / keras_keras, through it) -> tfjs_graph_model, natively: no TensorFlow.

The layers topology (Sequential or Functional, Keras 2 or Keras 3 JSON) is lowered layer by layer to GraphDef
nodes with static shapes tracked along (batch = -1), the weights come from the layers model as this package loads
it (so Keras 3 / stale weight names are resolved the same way), and the result goes through the same graph passes
as a SavedModel (BatchNormalization's Mul/Add fold into the convolution, bias and activation fuse into
_FusedConv2D / _FusedMatMul / FusedDepthwiseConv2dNative). Inputs are Placeholders named as the input layers,
outputs Identity nodes; the signature is keyed by layer names. A layer it cannot lower is an error naming it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UnsupportedError
from . import graph_passes as gp
from .write import ConverterError

F32 = {"T": {"type": "DT_FLOAT"}}


def _ints(v, n=2) -> list[int]:
    if isinstance(v, int):
        return [v] * n
    return [int(x) for x in v]


def _list_i(values) -> dict:
    return {"list": {"i": [str(int(v)) for v in values]}}


class Lowering:
    def __init__(self, model):
        self.model = model
        self.nodes: list[dict] = []
        self.names: set[str] = set()
        self.consts: dict[str, str] = {}

    def unique(self, name: str) -> str:
        base, i = name, 0
        while name in self.names:
            i += 1
            name = f"{base}_{i}"
        self.names.add(name)
        return name

    def add(self, name: str, op: str, inputs: list[str], attrs: dict | None = None) -> str:
        name = self.unique(name)
        node = {"name": name, "op": op}
        if inputs:
            node["input"] = list(inputs)
        if attrs:
            node["attr"] = attrs
        self.nodes.append(node)
        return name

    def const(self, name: str, value, dtype: str | None = None) -> str:
        key = name
        if key in self.consts:
            return self.consts[key]
        node = gp.make_const(self.unique(name), np.asarray(value), dtype)
        self.nodes.append(node)
        self.consts[key] = node["name"]
        return node["name"]

    # ----------------------------------------------------------------------------------------------

    def activation(self, prefix: str, x: str, act: Any, cfg: dict | None = None) -> str:
        if isinstance(act, dict):
            act = act.get("class_name") or act.get("config", {}).get("name")
        act = (act or "linear").lower()
        simple = {"relu": "Relu", "relu6": "Relu6", "sigmoid": "Sigmoid", "tanh": "Tanh", "elu": "Elu",
                  "selu": "Selu", "softplus": "Softplus", "exponential": "Exp", "softsign": None}
        if act == "linear":
            return x
        if act in simple and simple[act]:
            return self.add(f"{prefix}/{simple[act]}", simple[act], [x], dict(F32))
        if act == "softmax":
            return self.add(f"{prefix}/Softmax", "Softmax", [x], dict(F32))
        if act in ("swish", "silu"):
            s = self.add(f"{prefix}/Sigmoid", "Sigmoid", [x], dict(F32))
            return self.add(f"{prefix}/mul", "Mul", [x, s], dict(F32))
        if act in ("leaky_relu", "leakyrelu"):
            return self.add(f"{prefix}/LeakyRelu", "LeakyRelu", [x], {**F32, "alpha": {"f": 0.2}})
        raise UnsupportedError(f"activation '{act}' of layer {prefix} cannot be lowered to graph ops")

    def weights(self, layer_name: str) -> list[np.ndarray]:
        return [np.asarray(w, np.float32) for w in self.model.get_layer(layer_name).get_weights()]


def _pad(cfg) -> str:
    return gp.s_attr(str(cfg.get("padding", "valid")).upper())


def _conv_out(size: int, k: int, s: int, d: int, padding: str) -> int:
    if size < 0:
        return -1
    if padding.lower() == "same":
        return -(-size // s)
    return (size - (k - 1) * d - 1) // s + 1


def lower_layer(lw: Lowering, cls: str, cfg: dict, name: str, xs: list[tuple[str, list]], call: int
                ) -> tuple[str, list]:
    """One layer call: input (node ref, static shape) pairs -> output (node ref, shape)."""
    pre = name if call == 0 else f"{name}_{call}"
    x, shape = xs[0]
    if cfg.get("data_format", "channels_last") not in ("channels_last", None):
        raise UnsupportedError(f"layer {name} ({cls}): data_format {cfg['data_format']} cannot be lowered")
    if cls in ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout",
               "AlphaDropout", "ActivityRegularization", "Masking") and cls != "Masking":
        return x, shape
    if cls == "Dense":
        ws = lw.weights(name)
        k = lw.const(f"{name}/kernel", ws[0])
        if len(shape) == 2:
            y = lw.add(f"{pre}/MatMul", "MatMul", [x, k], {**F32, "transpose_a": {"b": False},
                                                            "transpose_b": {"b": False}})
        else:
            y = lw.add(f"{pre}/Tensordot", "BatchMatMulV2", [x, k], {**F32, "adj_x": {"b": False},
                                                                    "adj_y": {"b": False}})
        if cfg.get("use_bias", True):
            y = lw.add(f"{pre}/BiasAdd", "BiasAdd", [y, lw.const(f"{name}/bias", ws[1])],
                       {**F32, "data_format": gp.s_attr("NHWC")})
        return lw.activation(pre, y, cfg.get("activation")), shape[:-1] + [int(ws[0].shape[1])]
    if cls in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D"):
        if len(shape) != 4:
            raise UnsupportedError(f"layer {name} ({cls}) needs a 4-D input, got shape {shape}")
        if int(cfg.get("groups", 1)) != 1:
            raise UnsupportedError(f"layer {name} ({cls}) with groups={cfg['groups']} cannot be lowered")
        ws = lw.weights(name)
        ks, st, dl = _ints(cfg["kernel_size"]), _ints(cfg.get("strides", 1)), _ints(cfg.get("dilation_rate", 1))
        attrs = {**F32, "strides": _list_i([1, *st, 1]), "padding": _pad(cfg), "data_format": gp.s_attr("NHWC"),
                 "dilations": _list_i([1, *dl, 1]), "explicit_paddings": {"list": {}}}
        if cls == "Conv2D":
            y = lw.add(f"{pre}/Conv2D", "Conv2D", [x, lw.const(f"{name}/kernel", ws[0])],
                       {**attrs, "use_cudnn_on_gpu": {"b": True}})
            ch = int(ws[0].shape[3])
        elif cls == "DepthwiseConv2D":
            y = lw.add(f"{pre}/depthwise", "DepthwiseConv2dNative", [x, lw.const(f"{name}/depthwise_kernel", ws[0])],
                       attrs)
            ch = int(ws[0].shape[2] * ws[0].shape[3])
        else:
            y = lw.add(f"{pre}/depthwise", "DepthwiseConv2dNative", [x, lw.const(f"{name}/depthwise_kernel", ws[0])],
                       attrs)
            y = lw.add(f"{pre}/Conv2D", "Conv2D", [y, lw.const(f"{name}/pointwise_kernel", ws[1])],
                       {**F32, "strides": _list_i([1, 1, 1, 1]), "padding": gp.s_attr("VALID"),
                        "data_format": gp.s_attr("NHWC"), "dilations": _list_i([1, 1, 1, 1]),
                        "explicit_paddings": {"list": {}}, "use_cudnn_on_gpu": {"b": True}})
            ch = int(ws[1].shape[3])
        if cfg.get("use_bias", True):
            y = lw.add(f"{pre}/BiasAdd", "BiasAdd", [y, lw.const(f"{name}/bias", ws[-1])],
                       {**F32, "data_format": gp.s_attr("NHWC")})
        out = [shape[0]] + [_conv_out(shape[1 + i], ks[i], st[i], dl[i], cfg.get("padding", "valid"))
                            for i in range(2)] + [ch]
        return lw.activation(pre, y, cfg.get("activation")), out
    if cls in ("MaxPooling2D", "AveragePooling2D", "MaxPool2D", "AvgPool2D"):
        ps = _ints(cfg.get("pool_size", 2))
        st = _ints(cfg.get("strides") or ps)
        op = "MaxPool" if cls.startswith("Max") else "AvgPool"
        y = lw.add(f"{pre}/{op}", op, [x], {**F32, "ksize": _list_i([1, *ps, 1]), "strides": _list_i([1, *st, 1]),
                                            "padding": _pad(cfg), "data_format": gp.s_attr("NHWC")})
        return y, [shape[0]] + [_conv_out(shape[1 + i], ps[i], st[i], 1, cfg.get("padding", "valid"))
                                for i in range(2)] + [shape[3]]
    if cls in ("GlobalAveragePooling2D", "GlobalMaxPooling2D", "GlobalAveragePooling1D", "GlobalMaxPooling1D"):
        axes = [1, 2] if cls.endswith("2D") else [1]
        op = "Mean" if "Average" in cls else "Max"
        keep = bool(cfg.get("keepdims", False))
        y = lw.add(f"{pre}/{op}", op, [x, lw.const(f"{pre}/reduction_indices", np.array(axes, np.int32))],
                   {**F32, "keep_dims": {"b": keep}, "Tidx": {"type": "DT_INT32"}})
        return y, ([1 if i in axes else d for i, d in enumerate(shape)] if keep
                   else [d for i, d in enumerate(shape) if i not in axes])
    if cls == "Flatten":
        rest = shape[1:]
        if any(d < 0 for d in rest):
            raise UnsupportedError(f"layer {name} (Flatten): input shape {shape} is not static")
        n = int(np.prod(rest)) if rest else 1
        y = lw.add(f"{pre}/Reshape", "Reshape", [x, lw.const(f"{pre}/shape", np.array([-1, n], np.int32))],
                   {**F32, "Tshape": {"type": "DT_INT32"}})
        return y, [shape[0], n]
    if cls == "Reshape":
        target = [int(d) for d in cfg["target_shape"]]
        if -1 in target:
            known = int(np.prod([d for d in target if d != -1]))
            target[target.index(-1)] = int(np.prod(shape[1:])) // known
        y = lw.add(f"{pre}/Reshape", "Reshape", [x, lw.const(f"{pre}/shape", np.array([-1, *target], np.int32))],
                   {**F32, "Tshape": {"type": "DT_INT32"}})
        return y, [shape[0], *target]
    if cls == "Permute":
        perm = [0] + [int(d) for d in cfg["dims"]]
        y = lw.add(f"{pre}/transpose", "Transpose", [x, lw.const(f"{pre}/perm", np.array(perm, np.int32))],
                   {**F32, "Tperm": {"type": "DT_INT32"}})
        return y, [shape[p] for p in perm]
    if cls == "Activation":
        return lw.activation(pre, x, cfg.get("activation")), shape
    if cls == "ReLU":
        mv, slope, thr = cfg.get("max_value"), float(cfg.get("negative_slope", 0) or 0), float(cfg.get("threshold", 0) or 0)
        if thr:
            raise UnsupportedError(f"layer {name} (ReLU) with threshold cannot be lowered")
        if slope and mv is None:
            return lw.add(f"{pre}/LeakyRelu", "LeakyRelu", [x], {**F32, "alpha": {"f": slope}}), shape
        if slope:
            raise UnsupportedError(f"layer {name} (ReLU) with both max_value and negative_slope cannot be lowered")
        if mv is None:
            return lw.add(f"{pre}/Relu", "Relu", [x], dict(F32)), shape
        if float(mv) == 6.0:
            return lw.add(f"{pre}/Relu6", "Relu6", [x], dict(F32)), shape
        r = lw.add(f"{pre}/Relu", "Relu", [x], dict(F32))
        return lw.add(f"{pre}/Minimum", "Minimum", [r, lw.const(f"{pre}/max_value", np.float32(mv))],
                      dict(F32)), shape
    if cls == "LeakyReLU":
        alpha = cfg.get("negative_slope", cfg.get("alpha", 0.3))
        return lw.add(f"{pre}/LeakyRelu", "LeakyRelu", [x], {**F32, "alpha": {"f": float(alpha)}}), shape
    if cls == "ELU":
        if float(cfg.get("alpha", 1.0)) != 1.0:
            raise UnsupportedError(f"layer {name} (ELU) with alpha != 1 cannot be lowered")
        return lw.add(f"{pre}/Elu", "Elu", [x], dict(F32)), shape
    if cls == "PReLU":
        alpha = lw.weights(name)[0]
        return lw.add(f"{pre}/Prelu", "Prelu", [x, lw.const(f"{name}/alpha", alpha)], dict(F32)), shape
    if cls == "Softmax":
        axis = cfg.get("axis", -1)
        if axis not in (-1, len(shape) - 1, [-1]):
            raise UnsupportedError(f"layer {name} (Softmax) on axis {axis} cannot be lowered")
        return lw.add(f"{pre}/Softmax", "Softmax", [x], dict(F32)), shape
    if cls == "BatchNormalization":
        axis = cfg.get("axis", -1)
        axis = axis[0] if isinstance(axis, list) and len(axis) == 1 else axis
        if axis not in (-1, len(shape) - 1):
            raise UnsupportedError(f"layer {name} (BatchNormalization) on axis {axis} cannot be lowered")
        ws = lw.weights(name)
        c = shape[-1]
        gamma = ws.pop(0) if cfg.get("scale", True) else np.ones(c, np.float32)
        beta = ws.pop(0) if cfg.get("center", True) else np.zeros(c, np.float32)
        mean, var = ws[0].astype(np.float64), ws[1].astype(np.float64)
        scale = gamma / np.sqrt(var + float(cfg.get("epsilon", 1e-3)))
        offset = beta - mean * scale
        y = lw.add(f"{pre}/mul", "Mul", [x, lw.const(f"{name}/scale", scale.astype(np.float32))], dict(F32))
        return lw.add(f"{pre}/add", "AddV2", [y, lw.const(f"{name}/offset", offset.astype(np.float32))],
                      dict(F32)), shape
    if cls in ("Add", "Multiply", "Maximum", "Minimum", "Subtract", "Average"):
        op = {"Add": "AddV2", "Multiply": "Mul", "Maximum": "Maximum", "Minimum": "Minimum", "Subtract": "Sub",
              "Average": "AddV2"}[cls]
        y = xs[0][0]
        for i, (other, _) in enumerate(xs[1:]):
            y = lw.add(f"{pre}/{op}" + (f"_{i}" if i else ""), op, [y, other], dict(F32))
        if cls == "Average":
            y = lw.add(f"{pre}/truediv", "RealDiv", [y, lw.const(f"{pre}/n", np.float32(len(xs)))], dict(F32))
        out = [max(d) if -1 not in d else -1 for d in zip(*[s for _, s in xs])]
        return y, out
    if cls == "Concatenate":
        axis = int(cfg.get("axis", -1))
        axis = axis if axis >= 0 else len(shape) + axis
        y = lw.add(f"{pre}/concat", "ConcatV2", [r for r, _ in xs] + [lw.const(f"{pre}/axis", np.int32(axis))],
                   {**F32, "N": {"i": str(len(xs))}, "Tidx": {"type": "DT_INT32"}})
        out = list(shape)
        out[axis] = -1 if any(s[axis] < 0 for _, s in xs) else sum(s[axis] for _, s in xs)
        return y, out
    if cls == "ZeroPadding2D":
        pad = cfg.get("padding", 1)
        if isinstance(pad, int):
            pad = [[pad, pad], [pad, pad]]
        pad = [[p, p] if isinstance(p, int) else list(p) for p in pad]
        paddings = np.array([[0, 0], *pad, [0, 0]], np.int32)
        y = lw.add(f"{pre}/Pad", "Pad", [x, lw.const(f"{pre}/paddings", paddings)],
                   {**F32, "Tpaddings": {"type": "DT_INT32"}})
        return y, [shape[0]] + [shape[1 + i] + sum(pad[i]) if shape[1 + i] >= 0 else -1 for i in range(2)] + \
            [shape[3]]
    if cls == "UpSampling2D":
        if cfg.get("interpolation", "nearest") != "nearest":
            raise UnsupportedError(f"layer {name} (UpSampling2D) with interpolation {cfg['interpolation']} "
                                   f"cannot be lowered")
        sz = _ints(cfg.get("size", 2))
        if shape[1] < 0 or shape[2] < 0:
            raise UnsupportedError(f"layer {name} (UpSampling2D): input shape {shape} is not static")
        new = [shape[1] * sz[0], shape[2] * sz[1]]
        y = lw.add(f"{pre}/resize", "ResizeNearestNeighbor", [x, lw.const(f"{pre}/size", np.array(new, np.int32))],
                   {**F32, "align_corners": {"b": False}, "half_pixel_centers": {"b": False}})
        return y, [shape[0], *new, shape[3]]
    raise UnsupportedError(f"layer '{name}' ({cls}) cannot be lowered to graph ops by tfjs-convert "
                           f"(layers -> graph model supports Dense, Conv2D, DepthwiseConv2D, SeparableConv2D, "
                           f"pooling, Flatten, Reshape, Permute, activations, BatchNormalization, merges, "
                           f"ZeroPadding2D, UpSampling2D, Dropout)")


def _inbound(layer: dict) -> list[list[tuple[str, int, int]]]:
    """Per call of a layer, its inputs as (layer, node index, tensor index); Keras 2 and Keras 3 forms."""
    calls = []
    for node in layer.get("inbound_nodes", []):
        refs = []
        if isinstance(node, dict):  # Keras 3
            def walk(obj):
                if isinstance(obj, dict):
                    if obj.get("class_name") == "__keras_tensor__":
                        h = obj["config"]["keras_history"]
                        refs.append((h[0], int(h[1]), int(h[2])))
                        return
                    for v in obj.values():
                        walk(v)
                elif isinstance(obj, list):
                    for v in obj:
                        walk(v)
            walk(node.get("args", []))
        else:
            for item in node:
                refs.append((item[0], int(item[1]), int(item[2])))
        calls.append(refs)
    return calls


def _input_shape(cfg: dict) -> tuple[list, str]:
    shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
    dtype = cfg.get("dtype", "float32")
    if isinstance(dtype, dict):
        dtype = dtype.get("config", {}).get("name", "float32")
    return [-1 if d is None else int(d) for d in shape], dtype


def lower_topology(model_config: dict, model) -> tuple[list[dict], dict]:
    """(GraphDef nodes, signature) of a Sequential or Functional model config."""
    lw = Lowering(model)
    cls = model_config["class_name"]
    cfg = model_config["config"]
    layers = cfg["layers"] if isinstance(cfg, dict) else cfg
    sig_in, sig_out = {}, {}
    tensors: dict[tuple[str, int, int], tuple[str, list]] = {}

    def placeholder(name, lcfg):
        shape, dtype = _input_shape(lcfg)
        dt = {"float32": "DT_FLOAT", "int32": "DT_INT32", "bool": "DT_BOOL"}.get(dtype, "DT_FLOAT")
        ph = lw.add(name, "Placeholder", [], {"dtype": {"type": dt}, "shape": {"shape": gp.shape_json(shape)}})
        sig_in[name] = {"name": f"{ph}:0", "dtype": dt, "tensorShape": gp.shape_json(shape)}
        return ph, shape

    def check_nested(layer):
        if layer["class_name"] in ("Sequential", "Functional", "Model"):
            raise UnsupportedError(f"layer '{layer['config'].get('name')}' is a nested model: layers -> graph "
                                   f"lowering supports flat models only")

    if cls == "Sequential":
        first = layers[0]
        if first["class_name"] == "InputLayer":
            cur = placeholder(first["config"]["name"], first["config"])
            layers = layers[1:]
        else:
            lcfg = first["config"]
            if "batch_input_shape" not in lcfg and "batch_shape" not in lcfg:
                raise ConverterError("The Sequential model has no input shape: cannot lower it to a graph")
            cur = placeholder(f"{lcfg['name']}_input", lcfg)
        for layer in layers:
            check_nested(layer)
            cur = lower_layer(lw, layer["class_name"], layer["config"], layer["config"]["name"], [cur], 0)
        outputs = [(layers[-1]["config"]["name"] if layers else "output", cur)]
    else:
        pending = list(layers)
        for layer in layers:
            if layer["class_name"] == "InputLayer":
                name = layer["config"]["name"]
                tensors[(name, 0, 0)] = placeholder(name, layer["config"])
        calls_done: dict[str, int] = {}
        progress = True
        while progress:
            progress = False
            for layer in pending:
                if layer["class_name"] == "InputLayer":
                    continue
                check_nested(layer)
                name = layer.get("name") or layer["config"]["name"]
                calls = _inbound(layer)
                i = calls_done.get(name, 0)
                while i < len(calls) and all(r in tensors for r in calls[i]):
                    tensors[(name, i, 0)] = lower_layer(lw, layer["class_name"], layer["config"], name,
                                                        [tensors[r] for r in calls[i]], i)
                    i += 1
                    progress = True
                calls_done[name] = i
        outs = cfg.get("output_layers")
        if outs and not isinstance(outs[0], list):
            outs = [outs]
        outputs = []
        for o in outs:
            key = (o[0], int(o[1]), int(o[2]))
            if key not in tensors:
                raise ConverterError(f"output {o} of the model could not be computed from its inputs")
            outputs.append((o[0], tensors[key]))
    for i, (key, (ref, shape)) in enumerate(outputs):
        ident = lw.add("Identity" if i == 0 else f"Identity_{i}", "Identity", [ref], dict(F32))
        sig_out[key] = {"name": f"{ident}:0", "dtype": "DT_FLOAT", "tensorShape": gp.shape_json(shape)}
    return lw.nodes, {"inputs": sig_in, "outputs": sig_out}


def convert_layers_to_graph(input_path: str, output_dir: str, input_format: str, *, options: dict,
                            shard_size: int, quantization_map: dict | None, metadata: dict | None, log=None,
                            progress=None, **_common) -> dict:
    from .saved_model import graph_def_to_model, write_graph_model
    from .tfjs_layers import read_layers_model

    with tempfile.TemporaryDirectory(prefix="tfjs-lower-") as tmp:
        if input_format in ("keras", "keras_keras"):
            from .tfjs_layers import keras_to_layers

            keras_to_layers(input_path, str(Path(tmp) / "layers"), log=None)
            input_path = str(Path(tmp) / "layers" / "model.json")
        model_json, weights = read_layers_model(input_path, "tfjs_graph_model")
    topology = model_json.get("modelTopology")
    if not topology:
        raise ConverterError(f"{input_path} has no modelTopology (weights only): nothing to lower to a graph")
    model = _load_model(model_json, weights)
    model_config = topology.get("model_config") if topology.get("model_config") is not None else topology
    nodes, signature = lower_topology(model_config, model)
    topology_out, ws, _ = graph_def_to_model({"node": nodes, "versions": {"producer": 1286}}, signature,
                                             strip_debug_ops=True, skip_op_check=bool(options.get("skip_op_check")),
                                             log=log)
    structured = sorted(signature["outputs"]) if options.get("use_structured_outputs_names") else None
    return write_graph_model(output_dir, topology_out, ws, signature, generated_by=model_json.get("generatedBy"),
                             shard_size=shard_size, quantization_map=quantization_map, metadata=metadata,
                             structured_output_keys=structured, log=log, progress=progress)


def _load_model(model_json: dict, weights: list):
    from .. import io
    from ..models import model_from_artifacts

    specs, arrays = [], {}
    for name, value in weights:
        arrays[name] = value
    data, specs = io.encode_weights(arrays)
    artifacts = io.ModelArtifacts(model_topology=model_json["modelTopology"], weight_specs=specs,
                                  weight_data=data, format="layers-model")
    return model_from_artifacts(artifacts)


__all__ = ["convert_layers_to_graph", "lower_topology", "lower_layer"]
