"""The one step of the graph conversion that needs TensorFlow: load a SavedModel, freeze the chosen signature
(variables become constants) and write what the rest of the converter (TensorFlow-free) needs:

    <out>/graph.pb        the frozen GraphDef, binary
    <out>/table_<i>_keys.pb, table_<i>_values.pb   TensorProtos of each hash table's contents (when any)
    <out>/info.json       {"tf_version", "signature": {"inputs": {key: {name, dtype, shape}}, "outputs": ...},
                           "tables": [{"placeholder", "key_dtype", "value_dtype", "keys", "values"}]}

This file imports nothing from tfjs: it runs either inside the converter's own interpreter (when TensorFlow is
importable there) or as a script under another interpreter that has TensorFlow (``--tf_python`` /
``$TFJS_TF_PYTHON``):

    python tf_freeze.py request.json        request: {"input_path", "input_format", "signature_name",
                                                      "saved_model_tags", "control_flow_v2", "out_dir",
                                                      "grappler", "strip_debug_ops", "serve",
                                                      "experiments"}

Grappler (``"grappler": true``): TensorFlow's graph optimizer is run on the frozen graph as the official
tensorflowjs_converter configures it, in two passes, so that the nodes, their order, names and attrs are the ones
TensorFlow leaves. The first pass (optional debug_stripper, then pruning, constant folding, arithmetic and
dependency optimization, twice) runs here before graph.pb is written; the converter then runs its own passes up to
the fusions (batch-norm folding, contractions on the CPU device) and hands the graph back for the second pass
(remapper, then constant folding, arithmetic and dependency optimization once more) with :func:`second_pass`.
Grappler sees the frozen graph with a ``train_op`` collection of the signature's outputs and the signature as a
SignatureDef (its feeds and fetches), and a cluster of one GPU device (architecture 4), as in the official converter.
``"experiments": true`` (the official ``--experiments``) turns off Grappler's compressed-tensor optimization in both
passes, as the official converter's shared configuration does.
With ``"serve": true`` the script, once graph.pb is written, prints ``@@TFJS_READY@@`` and then answers requests
on stdin, one JSON line each: ``{"graph": "<GraphDef JSON file>", "out": "<binary GraphDef to write>"}`` ->
``@@TFJS_DONE@@`` (or ``@@TFJS_FREEZE_ERROR@@<message>``); an empty line or EOF ends it.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _dtype_name(dt) -> str:
    return "DT_" + dt.name.upper().replace("FLOAT32", "FLOAT").replace("FLOAT64", "DOUBLE") \
        .replace("FLOAT16", "HALF")


def _dtype_enum_name(dt) -> str:
    from tensorflow.core.framework import types_pb2

    return types_pb2.DataType.Name(dt.as_datatype_enum)


def _shape(shape) -> list | None:
    if shape.rank is None:
        return None
    return [-1 if d is None else int(d) for d in shape.as_list()]


def _tag_sets(path: str) -> list[list[str]]:
    try:
        from tensorflow.python.saved_model import loader_impl

        return [sorted(mg.meta_info_def.tags) for mg in loader_impl.parse_saved_model(path).meta_graphs]
    except Exception:  # noqa: BLE001 - only for the error message
        return []


def _load(tf, path: str, tags: list[str]):
    """Load with exactly these tags (as the official converter does: no fallback to other tag sets)."""
    available = _tag_sets(path)
    if tags and available and sorted(set(tags)) not in [sorted(set(t)) for t in available]:
        raise KeyError(f"--saved_model_tags {','.join(tags)}: the SavedModel {path} has no MetaGraphDef with "
                       f"these tags; its tag sets: {'; '.join(','.join(t) for t in available)}")
    try:
        return tf.saved_model.load(path, tags=tags or None)
    except Exception as e:  # noqa: BLE001
        raise RuntimeError(f"TensorFlow could not load the SavedModel {path} (tags {tags}): {e}") from e


def _table_dtypes(graph_def, placeholder: str) -> tuple | None:
    """Key and value dtypes of a hash table from the nodes reading it (main graph and function bodies)."""
    names = {placeholder}
    bodies = [graph_def.node] + [f.node_def for f in graph_def.library.function]
    for nodes in bodies:
        for n in nodes:
            if "Tin" in n.attr and "Tout" in n.attr and n.op.startswith("LookupTable"):
                if any(i.split(":")[0].lstrip("^") in names for i in n.input) or nodes is not graph_def.node:
                    return n.attr["Tin"].type, n.attr["Tout"].type
    return None


# --------------------------------------------------------------------------------------------------
# Grappler, configured as the official converter configures it

_STATE: dict = {}


def _first_pass_optimizers(strip_debug_ops: bool) -> list[str]:
    opts = ["pruning", "constfold", "arithmetic", "dependency"] * 2
    return (["debug_stripper"] if strip_debug_ops else []) + opts


SECOND_PASS_OPTIMIZERS = ["remap", "constfold", "arithmetic", "dependency"]


def _grappler_context(frozen, fn) -> dict:
    """What both passes need: the frozen graph with the signature's outputs in a ``train_op`` collection (what
    Grappler must keep) and the signature as a SignatureDef (Grappler's feeds and fetches)."""
    from tensorflow.core.protobuf import meta_graph_pb2

    graph = frozen.graph
    signature = meta_graph_pb2.SignatureDef()
    for t in fn.inputs:
        try:
            op = graph.get_operation_by_name(t.name.split(":")[0])
        except KeyError:  # removed by the freeze
            continue
        if op.type == "Const":
            continue
        signature.inputs[t.name].name = t.name
        signature.inputs[t.name].dtype = t.dtype.as_datatype_enum
        signature.inputs[t.name].tensor_shape.CopyFrom(t.shape.as_proto())
    for t in fn.outputs:
        graph.add_to_collection("train_op", graph.get_operation_by_name(t.name.split(":")[0]))
        signature.outputs[t.name].name = t.name
        signature.outputs[t.name].dtype = t.dtype.as_datatype_enum
        signature.outputs[t.name].tensor_shape.CopyFrom(t.shape.as_proto())
    return {"graph": graph, "signature": signature}


def _run_grappler(graph_def, optimizers: list[str]):
    from tensorflow.core.protobuf import config_pb2, device_properties_pb2
    from tensorflow.python.grappler import cluster as gcluster
    from tensorflow.python.grappler import tf_optimizer
    from tensorflow.python.training.saver import export_meta_graph

    config = config_pb2.ConfigProto()
    config.graph_options.rewrite_options.optimizers[:] = optimizers
    if _STATE.get("experiments"):
        config.graph_options.rewrite_options.experimental_disable_compressed_tensor_optimization = True
    meta_graph = export_meta_graph(graph_def=graph_def, graph=_STATE["graph"])
    meta_graph.signature_def["not_used_key"].CopyFrom(_STATE["signature"])
    device = device_properties_pb2.NamedDevice()
    device.name = "/GPU:0"
    device.properties.type = "GPU"
    device.properties.environment["architecture"] = "4"
    return tf_optimizer.OptimizeGraph(config, meta_graph, cluster=gcluster.Cluster(devices=[device]))


def second_pass(graph_json: dict) -> bytes:
    """Grappler's second pass (remapper ...) over a GraphDef given as JSON (MessageToDict form); the binary
    result. Needs a :func:`freeze` with ``"grappler": true`` before it in this process."""
    from google.protobuf import json_format
    from tensorflow.core.framework import graph_pb2

    if not _STATE:
        raise RuntimeError("second_pass before a freeze with grappler")
    graph_def = json_format.ParseDict(graph_json, graph_pb2.GraphDef())
    return _run_grappler(graph_def, SECOND_PASS_OPTIMIZERS).SerializeToString()


def _serve() -> None:
    print("@@TFJS_READY@@", flush=True)
    for line in sys.stdin:
        if not line.strip():
            break
        try:
            req = json.loads(line)
            with open(req["graph"]) as f:
                data = second_pass(json.load(f))
            with open(req["out"], "wb") as f:
                f.write(data)
            print("@@TFJS_DONE@@", flush=True)
        except Exception as e:  # noqa: BLE001 - reported to the calling converter
            msg = f"{type(e).__name__}: {e}".replace("\n", " ")
            print(f"@@TFJS_FREEZE_ERROR@@{msg}", flush=True)


def _tf_initializer(tf, model, fn, request: dict, out_dir: str) -> dict | None:
    """The resources' initializer graph made by TensorFlow, as the official converter makes it: a tf.function that,
    for every TrackableResource of the model, creates a fresh resource and runs the resource's own initializer
    function on it (the initializer's captured handle swapped for the fresh one), returning the fresh resources;
    frozen like the inference function. Written to init_graph.pb; returns its outputs and the resource ids (the
    runtime id of each loaded resource's handle) that tie them to the inference function's resource inputs.
    Done right after the freeze, so that TensorFlow's name counters reach what they reach in the official
    converter (node names and the table's shared_name come from them)."""
    from tensorflow.python.checkpoint.trackable_view import TrackableView
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    resources = [r for r in TrackableView(model).descendants()
                 if isinstance(r, tf.saved_model.experimental.TrackableResource)]
    if not resources:
        return None
    slots = []  # (resource, index of its handle among its initializer's captured inputs)
    for r in resources:
        captured = r._initialize.get_concrete_function()._captured_inputs
        slots += [(r, i) for i, c in enumerate(captured) if c._id == r.resource_handle._id]

    @tf.function()
    def resource_initializer():
        fresh = []
        for r, i in slots:
            handle = r._create_resource()
            r._initialize.get_concrete_function()._captured_inputs[i] = handle
            r._initialize()
            fresh.append(handle)
        return fresh

    init_fn = resource_initializer.get_concrete_function()
    frozen = convert_variables_to_constants_v2(init_fn, lower_control_flow=not request.get("control_flow_v2"),
                                                aggressive_inlining=True)
    with open(os.path.join(out_dir, "init_graph.pb"), "wb") as f:
        f.write(frozen.graph.as_graph_def().SerializeToString())
    by_handle = {c._id: i for i, c in enumerate(fn._captured_inputs)}
    offset = len(fn.inputs) - len(fn._captured_inputs)
    inputs, outputs = {}, []
    for i, r in enumerate(resources):
        rid = r.resource_handle._id
        if rid in by_handle:
            inputs[fn.inputs[by_handle[rid] + offset].name] = rid
    for i, t in enumerate(frozen.outputs):
        rid = resources[i].resource_handle._id if i < len(resources) else None
        outputs.append({"name": t.name, "dtype": _dtype_enum_name(t.dtype), "shape": _shape(t.shape),
                        "resourceId": rid})
    return {"graph": "init_graph.pb", "outputs": outputs, "resource_inputs": inputs}


def freeze(request: dict) -> dict:
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    path = request["input_path"]
    out_dir = request["out_dir"]
    os.makedirs(out_dir, exist_ok=True)
    tags = [t for t in (request.get("saved_model_tags") or "").split(",") if t]
    model = _load(tf, path, tags)
    sig_name = request.get("signature_name") or "serving_default"
    signatures = dict(getattr(model, "signatures", {}) or {})
    if sig_name not in signatures:
        raise KeyError(f"Signature '{sig_name}' does not exist. The following signatures are available: "
                       f"{list(signatures)}")
    fn = signatures[sig_name]
    frozen = convert_variables_to_constants_v2(fn, lower_control_flow=not request.get("control_flow_v2"),
                                                aggressive_inlining=True)
    graph_def = frozen.graph.as_graph_def()
    initializer = _tf_initializer(tf, model, fn, request, out_dir) if request.get("grappler") else None
    if request.get("grappler"):
        _STATE.clear()
        _STATE.update(_grappler_context(frozen, fn))
        _STATE["experiments"] = bool(request.get("experiments"))
        graph_def = _run_grappler(graph_def, _first_pass_optimizers(bool(request.get("strip_debug_ops", True))))
    with open(os.path.join(out_dir, "graph.pb"), "wb") as f:
        f.write(graph_def.SerializeToString())

    # Signature: inputs by key (kwargs of the signature, sorted as TF flattens them), outputs by key.
    _, kwargs = fn.structured_input_signature
    keys = sorted(kwargs)
    inputs = {}
    user_inputs = [t for t in fn.inputs if t.dtype != tf.resource][:len(keys)]
    for key, tensor in zip(keys, user_inputs):
        inputs[key] = {"name": tensor.name, "dtype": _dtype_enum_name(tensor.dtype), "shape": _shape(tensor.shape)}
    outputs = {}
    structured = fn.structured_outputs
    if isinstance(structured, dict):
        out_keys = sorted(structured)
    else:
        out_keys = [f"output_{i}" for i in range(len(tf.nest.flatten(structured)))]
    for key, t in zip(out_keys, fn.outputs):
        outputs[key] = {"name": t.name, "dtype": _dtype_enum_name(t.dtype), "shape": _shape(t.shape)}

    # Hash tables: resource placeholders left by the freeze; their contents, exported from the loaded tables.
    tables = []
    captured = list(fn.captured_inputs)
    cap_placeholders = fn.inputs[len(fn.inputs) - len(captured):] if captured else []
    remaining = {t.name for t in frozen.inputs}
    for ph, handle in zip(cap_placeholders, captured):
        if ph.dtype != tf.resource or ph.name not in remaining:
            continue
        name = ph.name.split(":")[0]
        dts = _table_dtypes(graph_def, name)
        candidates = [dts] if dts else []
        candidates += [(a.as_datatype_enum, b.as_datatype_enum) for a in (tf.string, tf.int64, tf.int32)
                       for b in (tf.int64, tf.string, tf.float32, tf.int32, tf.float64)]
        exported = None
        for kd, vd in candidates:
            try:
                k, v = tf.raw_ops.LookupTableExportV2(table_handle=handle, Tkeys=tf.as_dtype(kd),
                                                      Tvalues=tf.as_dtype(vd))
                exported = (k, v, kd, vd)
                break
            except Exception:  # noqa: BLE001 - wrong dtype guess or not a table
                continue
        if exported is None:
            raise RuntimeError(f"Resource input {name} of signature {sig_name} is not a hash table this converter "
                               f"can export")
        k, v, kd, vd = exported
        i = len(tables)
        for part, value in (("keys", k), ("values", v)):
            with open(os.path.join(out_dir, f"table_{i}_{part}.pb"), "wb") as f:
                f.write(tf.make_tensor_proto(value.numpy()).SerializeToString())
        tables.append({"placeholder": name, "key_dtype": _dtype_enum_name(tf.as_dtype(kd)),
                       "value_dtype": _dtype_enum_name(tf.as_dtype(vd)),
                       "keys": f"table_{i}_keys.pb", "values": f"table_{i}_values.pb"})
    # generatedBy: the TensorFlow version the SavedModel records (as the official converter writes it)
    info = {"tf_version": str(getattr(model, "tensorflow_version", None) or tf.__version__), "signature_name": sig_name,
            "signature": {"inputs": inputs, "outputs": outputs}, "tables": tables}
    if initializer is not None:
        info["initializer"] = initializer
    with open(os.path.join(out_dir, "info.json"), "w") as f:
        json.dump(info, f)
    return info


def main(argv: list[str]) -> int:
    with open(argv[1]) as f:
        request = json.load(f)
    try:
        freeze(request)
    except Exception as e:  # noqa: BLE001 - reported to the calling converter
        print(f"@@TFJS_FREEZE_ERROR@@{type(e).__name__}: {e}", file=sys.stderr)
        if request.get("serve"):
            print("@@TFJS_FAILED@@", flush=True)
        return 2
    if request.get("serve"):
        _serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
