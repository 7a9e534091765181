"""TensorFlow inputs (tf_saved_model, tf_hub, keras_saved_model, tf_frozen_model) and layers models ->
tfjs_graph_model.

How the work is split:

1. Freeze (needs TensorFlow; :mod:`tfjs.converter.tf_freeze`): load the SavedModel with the chosen tags and
   signature, turn variables into constants (v2 control flow lowered to Switch/Merge unless --control_flow_v2),
   run TensorFlow's Grappler over it as the official converter configures it (its first pass), write the GraphDef
   as binary ``graph.pb``, the signature (``info.json``) and each hash table's contents. The same TensorFlow
   process stays up for Grappler's second pass (the remapper ...), which the official converter runs after its
   batch-norm folding: our passes up to the fusions run here, the graph goes back to TensorFlow, then our fusion
   and pruning passes finish it (:func:`tensorflow_step`). So the nodes, their order (and with it the weights'
   order in the shards), names and attrs are the ones TensorFlow leaves in the official converter.
   TensorFlow is used from the converter's own interpreter when it can import it (``pip install
   'tfjs[tensorflow]'``); otherwise from another interpreter named by ``tf_python=`` / ``--tf_python`` /
   ``$TFJS_TF_PYTHON``, which runs tf_freeze.py as a subprocess. A frozen ``.pb`` (tf_frozen_model) needs no
   TensorFlow at all.
2. Everything else runs here, TensorFlow-free: the GraphDef is read with our own protobuf wire reader
   (:mod:`tfjs.converter.pbwire`), optimized by :mod:`tfjs.converter.graph_passes`, checked against
   ``tfjs.graph.supported_ops()``, its Const values become the weights (main graph, then function bodies with
   names prefixed ``<function>/``, then the hash-table initializer graph; one group) and model.json + shards are
   written atomically.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UnsupportedError
from . import graph_passes as gp
from .pbwire import ARRAY, read_graph_def, read_tensor, tensor_to_json
from .write import ConverterError, atomic_dir, converted_by, write_model_json, write_weights

GRAPH_FORMAT = "graph-model"
TF_MISSING = ("Converting a {fmt} needs TensorFlow to load and freeze the graph: pip install 'tfjs[tensorflow]' "
              "(or name a Python that has TensorFlow with --tf_python PATH or $TFJS_TF_PYTHON)")


# --------------------------------------------------------------------------------------------------
# Step 1: the TensorFlow part


def _tf_importable() -> bool:
    import importlib.util

    return importlib.util.find_spec("tensorflow") is not None


def _freeze_error(input_path: str, tf_python: str, stderr: str, rc) -> ConverterError:
    marker = "@@TFJS_FREEZE_ERROR@@"
    if marker in stderr:
        msg = stderr.split(marker, 1)[1].strip().splitlines()[0]
        return ConverterError(f"Freezing {input_path} with TensorFlow ({tf_python}) failed: {msg}")
    return ConverterError(f"The TensorFlow step ({tf_python} tf_freeze.py) failed (exit {rc}):\n{stderr[-3000:]}")


@contextlib.contextmanager
def tensorflow_step(input_path: str, work_dir: Path, *, input_format: str, signature_name: str | None,
                    saved_model_tags: str, control_flow_v2: bool, tf_python: str | None = None,
                    strip_debug_ops: bool = True, grappler: bool = True, experiments: bool = False):
    """Run the freeze step (in this interpreter or under ``tf_python``) and keep TensorFlow at hand: yields
    (info.json's content, ``second_pass``), ``second_pass(graph_def_json) -> graph_def_json`` running Grappler's
    second pass in the same TensorFlow process (None without ``grappler``)."""
    request = {"input_path": os.path.abspath(input_path), "input_format": input_format,
               "signature_name": signature_name, "saved_model_tags": saved_model_tags,
               "control_flow_v2": bool(control_flow_v2), "out_dir": str(work_dir), "grappler": bool(grappler),
               "strip_debug_ops": bool(strip_debug_ops), "experiments": bool(experiments)}
    work_dir.mkdir(parents=True, exist_ok=True)
    tf_python = tf_python or os.environ.get("TFJS_TF_PYTHON") or None
    if tf_python is None and _tf_importable():
        from . import tf_freeze

        try:
            info = tf_freeze.freeze(request)
        except KeyError as e:
            raise ConverterError(str(e.args[0]) if e.args else str(e)) from e

        def local_pass(graph: dict) -> dict:
            return read_graph_def(tf_freeze.second_pass(_finish_tensor_attrs(graph)))

        yield info, (local_pass if grappler else None)
        return
    if tf_python is None:
        raise ImportError(TF_MISSING.format(fmt=input_format))
    if not Path(tf_python).exists():
        raise ConverterError(f"--tf_python {tf_python}: no such interpreter")
    request["serve"] = bool(grappler)
    req_path = work_dir / "request.json"
    req_path.write_text(json.dumps(request))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONNOUSERSITE="1")
    env.pop("PYTHONPATH", None)
    script = Path(__file__).with_name("tf_freeze.py")
    err_path = work_dir / "tf_stderr.txt"
    with open(err_path, "w") as err:
        proc = subprocess.Popen([tf_python, str(script), str(req_path)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=err, text=True, env=env)
    try:
        def reply(*markers: str) -> str | None:
            for line in proc.stdout:
                if line.startswith(markers):
                    return line.rstrip("\n")
            return None

        if grappler:
            if reply("@@TFJS_READY@@", "@@TFJS_FAILED@@") != "@@TFJS_READY@@":
                proc.wait()
                raise _freeze_error(input_path, tf_python, err_path.read_text(), proc.returncode)
        else:
            proc.stdout.read()
            if proc.wait() != 0:
                raise _freeze_error(input_path, tf_python, err_path.read_text(), proc.returncode)
        info = json.loads((work_dir / "info.json").read_text())
        calls = [0]

        def remote_pass(graph: dict) -> dict:
            calls[0] += 1
            src, out = work_dir / f"pass2_{calls[0]}.json", work_dir / f"pass2_{calls[0]}.pb"
            src.write_text(json.dumps(_finish_tensor_attrs(graph)))
            proc.stdin.write(json.dumps({"graph": str(src), "out": str(out)}) + "\n")
            proc.stdin.flush()
            line = reply("@@TFJS_DONE@@", "@@TFJS_FREEZE_ERROR@@")
            if line != "@@TFJS_DONE@@":
                msg = (line or "").replace("@@TFJS_FREEZE_ERROR@@", "") or err_path.read_text()[-3000:]
                raise ConverterError(f"TensorFlow's graph optimizer ({tf_python}) failed on {input_path}: {msg}")
            return read_graph_def(out.read_bytes())

        yield info, (remote_pass if grappler else None)
    finally:
        if proc.poll() is None:
            try:
                proc.stdin.write("\n")
                proc.stdin.close()
                proc.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
        if proc.stdout:
            proc.stdout.close()


def freeze_saved_model(input_path: str, work_dir: Path, *, input_format: str, signature_name: str | None,
                       saved_model_tags: str, control_flow_v2: bool, tf_python: str | None = None,
                       log=None, grappler: bool = False) -> dict:
    """Only the freeze step (with ``grappler``: and Grappler's first pass); returns info.json's content."""
    with tensorflow_step(input_path, work_dir, input_format=input_format, signature_name=signature_name,
                         saved_model_tags=saved_model_tags, control_flow_v2=control_flow_v2, tf_python=tf_python,
                         grappler=grappler) as (info, _):
        return info


# --------------------------------------------------------------------------------------------------
# Step 2: GraphDef -> graph model


def _shape_json(shape) -> dict:
    if shape is None:
        return {"unknownRank": True}
    return gp.shape_json(shape) if shape else {}


def _tensor_info(name: str, dtype: str, shape) -> dict:
    return {"name": name, "dtype": dtype, "tensorShape": _shape_json(shape)}


def _rename_function_consts(fdef: dict) -> None:
    """Const nodes in a function body become ``<function name>/<node>`` (their weight names)."""
    fname = fdef["signature"]["name"]
    renames = {n["name"]: f"{fname}/{n['name']}" for n in fdef.get("nodeDef", []) if n.get("op") == "Const"}
    if not renames:
        return

    def fix(text: str) -> str:
        control = text.startswith("^")
        body = text[1:] if control else text
        head, sep, rest = body.partition(":")
        if head in renames:
            body = renames[head] + sep + rest
        return ("^" if control else "") + body

    for n in fdef.get("nodeDef", []):
        if n["name"] in renames:
            n["name"] = renames[n["name"]]
        if n.get("input"):
            n["input"] = [fix(t) for t in n["input"]]
    for key in ("ret", "controlRet"):
        if fdef.get(key):
            fdef[key] = {k: fix(v) for k, v in fdef[key].items()}


def _collect_weights(graphs: list[list[dict]]) -> list[tuple[str, np.ndarray]]:
    """Every Const's value in order (arrays cleared from the nodes, dtype and shape kept)."""
    weights = []
    for nodes in graphs:
        for n in nodes:
            if n.get("op") != "Const":
                continue
            tensor = n.get("attr", {}).get("value", {}).get("tensor")
            if tensor is None:
                continue
            arr = tensor.pop(ARRAY, None)
            if arr is None:
                continue
            if tensor.get("dtype") == "DT_STRING":
                arr = np.asarray(arr, dtype=object)
            weights.append((n["name"], arr))
    return weights


def _finish_tensor_attrs(obj):
    """Tensor attrs of non-Const nodes keep their values, as JSON (tensorContent / stringVal)."""
    if isinstance(obj, dict):
        if ARRAY in obj:
            return tensor_to_json(obj)
        return {k: _finish_tensor_attrs(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finish_tensor_attrs(v) for v in obj]
    return obj


def check_ops(graphs: list[tuple[str, list[dict]]], extra_allowed: set[str] = frozenset()) -> None:
    """Every op has a kernel in tfjs.graph (and TF.js); else one error listing each op with its node names."""
    from ..graph import supported_ops

    supported = set(supported_ops()) | set(extra_allowed)
    missing: dict[str, list[str]] = {}
    for where, nodes in graphs:
        for n in nodes:
            if n["op"] not in supported:
                missing.setdefault(n["op"], []).append(where + n["name"])
    if missing:
        lines = [f"  {op}: {', '.join(names[:8])}" + (f" and {len(names) - 8} more" if len(names) > 8 else "")
                 for op, names in sorted(missing.items())]
        raise UnsupportedError(f"Unsupported Ops in the model after optimization ({len(missing)} op(s); "
                               f"--skip_op_check writes the model anyway):\n" + "\n".join(lines))


def table_initializer(tables: list[dict], work_dir: Path, first_id: int = 1) -> tuple[list[dict], dict, dict]:
    """The initializer graph of the hash tables: per table, Const keys/values, HashTableV2, LookupTableImportV2
    and an Identity of the handle (after the import) as the signature output carrying a resourceId.
    Returns (nodes, initializerSignature, {placeholder name: resourceId})."""
    nodes: list[dict] = []
    outputs, ids = {}, {}
    for i, t in enumerate(tables):
        rid = first_id + i
        base = f"hash_table_init_{i}"
        keys = read_tensor((work_dir / t["keys"]).read_bytes())
        values = read_tensor((work_dir / t["values"]).read_bytes())
        nodes.append(gp.make_const(f"{base}/keys", keys, t["key_dtype"]))
        nodes.append(gp.make_const(f"{base}/values", values, t["value_dtype"]))
        nodes.append({"name": f"{base}/table", "op": "HashTableV2",
                      "attr": {"key_dtype": {"type": t["key_dtype"]}, "value_dtype": {"type": t["value_dtype"]},
                               "shared_name": gp.s_attr(base), "container": {"s": ""},
                               "use_node_name_sharing": {"b": False}}})
        nodes.append({"name": f"{base}/import", "op": "LookupTableImportV2",
                      "input": [f"{base}/table", f"{base}/keys", f"{base}/values"],
                      "attr": {"Tin": {"type": t["key_dtype"]}, "Tout": {"type": t["value_dtype"]}}})
        nodes.append({"name": f"{base}/handle", "op": "Identity", "input": [f"{base}/table", f"^{base}/import"],
                      "attr": {"T": {"type": "DT_RESOURCE"}}})
        outputs[f"{base}/handle:0"] = {"name": f"{base}/handle:0", "dtype": "DT_RESOURCE", "tensorShape": {},
                                       "resourceId": rid}
        ids[t["placeholder"]] = rid
    return nodes, {"outputs": outputs}, ids


def tf_initializer(init: dict, work_dir: Path) -> tuple[dict, dict, dict]:
    """The resources' initializer made by TensorFlow in the freeze step (tf_freeze._tf_initializer), as the
    official converter writes it: its frozen GraphDef as it is (modelInitializer), its outputs keyed by tensor
    name with each one's resourceId (initializerSignature). Returns (initializer GraphDef JSON,
    initializerSignature, {resource placeholder name: resourceId})."""
    graph = read_graph_def((work_dir / init["graph"]).read_bytes())
    outputs = {}
    for o in init["outputs"]:
        outputs[o["name"]] = {**_tensor_info(o["name"], o["dtype"], o["shape"]), "resourceId": o["resourceId"]}
    ids = {name.rsplit(":", 1)[0]: rid for name, rid in init["resource_inputs"].items()}
    return graph, {"outputs": outputs}, ids


def graph_def_to_model(graph_def: dict, signature: dict, *, tables_nodes: list[dict] | dict | None = None,
                       initializer_signature: dict | None = None, strip_debug_ops: bool = True,
                       skip_op_check: bool = False, skip_passes=(), log=None,
                       second_pass=None) -> tuple[dict, list, dict | None]:
    """Optimize a parsed GraphDef (Const arrays inline) for the given signature; returns (modelTopology,
    weights [(name, array)], modelInitializer or None). The signature is {inputs/outputs: {key: tensor info}}.
    ``second_pass``: TensorFlow's Grappler (:func:`tensorflow_step`), run on the whole GraphDef between our passes
    up to the fusions and the fusion and pruning passes, as the official converter runs its second Grappler pass
    between its batch-norm folding and its depthwise / PReLU fusions."""
    nodes = graph_def.get("node", [])
    keep = {gp.parse_ref(info["name"].rsplit(":", 1)[0] if info["name"].rsplit(":", 1)[-1].isdigit()
                         else info["name"])[0]
            for part in ("inputs", "outputs") for info in signature.get(part, {}).values()}
    missing = sorted(k for k in keep if k not in {n["name"] for n in nodes})
    if missing:
        raise ConverterError(f"The graph has no node(s) named {', '.join(missing)} (signature inputs/outputs or "
                             f"--output_node_names)")
    library = (graph_def.get("library") or {}).get("function") or []
    versions = graph_def.get("versions", {})
    hook = None
    if second_pass is not None:
        def hook(ns):
            nonlocal library, versions
            out = second_pass({"node": gp.hide_from_remapper(ns, keep),
                               "library": {"function": library} if library else {}, "versions": versions})
            library = (out.get("library") or {}).get("function") or []
            versions = out.get("versions", versions)
            return gp.place_contractions_on_cpu(out.get("node", []), keep)
    nodes = gp.optimize(nodes, keep, strip_debug=strip_debug_ops, skip=skip_passes, before_fusion=hook)
    functions = gp.used_functions(nodes, library)
    for f in functions:
        if strip_debug_ops:
            body = f.get("nodeDef", [])
            f["nodeDef"] = _strip_debug_in_function(body, f)
        _remove_function_identities(f)
        _rename_function_consts(f)
    init_graph = None
    if isinstance(tables_nodes, dict):  # a whole initializer GraphDef (TensorFlow's, kept as it is)
        init_graph, init_nodes = tables_nodes, tables_nodes.get("node", [])
    else:
        init_nodes = tables_nodes or []
    if not skip_op_check:
        check_ops([("", nodes)] + [(f"function {f['signature']['name']}: ", f.get("nodeDef", []))
                                   for f in functions] + [("initializer: ", init_nodes)])
    weights = _collect_weights([nodes] + [f.get("nodeDef", []) for f in functions] + [init_nodes])
    topology: dict[str, Any] = {"node": _finish_tensor_attrs(nodes)}
    topology["library"] = {"function": _finish_tensor_attrs(functions)} if functions else {}
    topology["versions"] = versions
    initializer = None
    if init_graph is not None and init_nodes:
        initializer = _finish_tensor_attrs(init_graph)
    elif init_nodes:
        initializer = {"node": _finish_tensor_attrs(init_nodes), "versions": versions}
    return topology, weights, initializer


def _remove_function_identities(fdef: dict) -> None:
    """Identity nodes in a function body are bypassed, as TensorFlow's Grappler does it in the official converter:
    their consumers and the function's return values read the Identity's input (a body ref
    ``node:output_arg:index`` or an argument). Kept: Identities with control inputs or that something waits on."""
    body = fdef.get("nodeDef", [])
    waited = {t[1:] for n in body for t in n.get("input", []) if t.startswith("^")}
    waited |= set((fdef.get("controlRet") or {}).values())
    subst: dict[str, str] = {}
    for n in body:
        ins = n.get("input", [])
        if n["op"] != "Identity" or n["name"] in waited or len(ins) != 1 or ins[0].startswith("^"):
            continue
        subst[f"{n['name']}:output:0"] = ins[0]
    if not subst:
        return

    def resolve(ref: str) -> str:
        seen = set()
        while ref in subst and ref not in seen:
            seen.add(ref)
            ref = subst[ref]
        return ref

    gone = {k.split(":")[0] for k in subst}
    fdef["nodeDef"] = [n for n in body if n["name"] not in gone]
    for n in fdef["nodeDef"]:
        if n.get("input"):
            n["input"] = [resolve(t) for t in n["input"]]
    if fdef.get("ret"):
        fdef["ret"] = {k: resolve(v) for k, v in fdef["ret"].items()}


def _strip_debug_in_function(body: list[dict], fdef: dict) -> list[dict]:
    """Assert / PrintV2 nodes in function bodies go (control rets to them too); others are left as they are."""
    gone = {n["name"] for n in body if n["op"] in gp.DEBUG_OPS_NO_OUTPUT}
    if not gone:
        return body
    out = []
    for n in body:
        if n["name"] in gone:
            continue
        if n.get("input"):
            n["input"] = [t for t in n["input"] if not (t.startswith("^") and t[1:] in gone)]
            if not n["input"]:
                del n["input"]
        out.append(n)
    if fdef.get("controlRet"):
        fdef["controlRet"] = {k: v for k, v in fdef["controlRet"].items() if v not in gone}
        sig = fdef["signature"]
        if sig.get("controlOutput"):
            sig["controlOutput"] = [c for c in sig["controlOutput"] if c in fdef["controlRet"]]
    return out


def write_graph_model(output_dir: str, topology: dict, weights: list, signature: dict | None, *,
                      generated_by: str | None, shard_size: int, quantization_map: dict | None,
                      metadata: dict | None, initializer: dict | None = None,
                      initializer_signature: dict | None = None, structured_output_keys: list | None = None,
                      log=None, progress=None) -> dict:
    with atomic_dir(output_dir) as tmp:
        cb = (lambda d, t: progress.update("writing weights", d, t)) if progress else None
        manifest = write_weights([weights], tmp, shard_size, quantization_map, log=log, progress=cb)
        model_json: dict[str, Any] = {"format": GRAPH_FORMAT, "generatedBy": generated_by,
                                      "convertedBy": converted_by()}
        if signature is not None:
            model_json["signature"] = signature
        model_json["modelTopology"] = topology
        udm = dict(metadata or {})
        if structured_output_keys is not None:
            udm["structuredOutputKeys"] = structured_output_keys
        if udm:
            model_json["userDefinedMetadata"] = udm
        if initializer is not None:
            model_json["modelInitializer"] = initializer
            if initializer_signature is not None:
                model_json["initializerSignature"] = initializer_signature
        model_json["weightsManifest"] = manifest
        write_model_json(tmp / "model.json", model_json)
        files = sorted(p.name for p in tmp.iterdir())
    return {"output": str(output_dir), "files": files}


# --------------------------------------------------------------------------------------------------
# Entry points


def _signature_keys(tensors: dict) -> dict:
    """{SavedModel signature key: key in model.json}. As the official converter: a key stays when its tensor's dtype
    and shape tell it apart from the signature's other tensors; otherwise the tensor's name is the key."""
    out = {}
    for key, t in tensors.items():
        same = [k for k, u in tensors.items() if (u["dtype"], u["shape"]) == (t["dtype"], t["shape"])]
        out[key] = key if len(same) == 1 else t["name"]
    return out


def _signature_from_info(info: dict, ids: dict) -> dict:
    sig = {"inputs": {}, "outputs": {}}
    in_keys = _signature_keys(info["signature"]["inputs"])
    for key, t in sorted(info["signature"]["inputs"].items()):
        sig["inputs"][in_keys[key]] = _tensor_info(t["name"], t["dtype"], t["shape"])
    for ph, rid in ids.items():
        sig["inputs"][f"{ph}:0"] = {"name": f"{ph}:0", "dtype": "DT_RESOURCE", "tensorShape": {},
                                    "resourceId": rid}
    sig["inputs"] = dict(sorted(sig["inputs"].items()))
    out_keys = _signature_keys(info["signature"]["outputs"])
    for key, t in sorted(info["signature"]["outputs"].items()):
        sig["outputs"][out_keys[key]] = _tensor_info(t["name"], t["dtype"], t["shape"])
    return sig


def convert_saved_model(input_path: str, output_dir: str, input_format: str, *, options: dict, shard_size: int,
                        quantization_map: dict | None, metadata: dict | None, log=None, progress=None, **_):
    p = Path(input_path)
    if not p.exists():
        raise ConverterError(f"input_path {input_path} does not exist")
    if not p.is_dir():
        raise ConverterError(f"--input_format {input_format} expects a SavedModel directory, but {input_path} is "
                             f"a file")
    if (p / "tfhub_module.pb").exists():
        raise ConverterError(f"{input_path} is a TF1 Hub module (tfhub_module.pb): only TF2 SavedModels are "
                             f"supported for --input_format {input_format}")
    if not (p / "saved_model.pb").exists():
        raise ConverterError(f"{input_path} holds no saved_model.pb: not a SavedModel directory")
    sig_name = options.get("signature_name")
    if sig_name is None:
        sig_name = "default" if input_format == "tf_hub" and _has_signature(p, "default") else "serving_default"
    tags = options.get("saved_model_tags")
    tags = "serve" if tags is None else tags
    with tempfile.TemporaryDirectory(prefix="tfjs-freeze-") as tmp:
        work = Path(tmp)
        if progress:
            progress.update("loading and freezing the SavedModel (TensorFlow)", force=True)
        strip = options.get("strip_debug_ops", True)
        with tensorflow_step(input_path, work, input_format=input_format, signature_name=sig_name,
                             saved_model_tags=tags, control_flow_v2=bool(options.get("control_flow_v2")),
                             tf_python=options.get("tf_python"), strip_debug_ops=strip,
                             grappler=options.get("grappler", True),
                             experiments=bool(options.get("experiments"))) as (info, second_pass):
            if progress:
                progress.update("optimizing the graph", force=True)
            graph_def = read_graph_def((work / "graph.pb").read_bytes())
            if info.get("initializer"):
                init_nodes, init_sig, ids = tf_initializer(info["initializer"], work)
            else:
                init_nodes, init_sig, ids = table_initializer(info.get("tables", []), work)
            signature = _signature_from_info(info, ids)
            topology, weights, initializer = graph_def_to_model(
                graph_def, signature, tables_nodes=init_nodes, strip_debug_ops=strip,
                skip_op_check=bool(options.get("skip_op_check")), log=log, second_pass=second_pass)
    structured = sorted(signature["outputs"]) if options.get("use_structured_outputs_names") else None
    return write_graph_model(output_dir, topology, weights, signature, generated_by=info.get("tf_version"),
                             shard_size=shard_size, quantization_map=quantization_map, metadata=metadata,
                             initializer=initializer, initializer_signature=init_sig if initializer else None,
                             structured_output_keys=structured, log=log, progress=progress)


def _has_signature(path: Path, name: str) -> bool:
    # A cheap look into saved_model.pb: signature keys are plain strings in it.
    try:
        return name.encode() in (path / "saved_model.pb").read_bytes()
    except OSError:
        return False


def _dtype_of(node: dict) -> str:
    attrs = node.get("attr", {})
    for key in ("T", "dtype", "out_type", "DstT", "Tout"):
        t = attrs.get(key, {}).get("type")
        if t:
            return t
    return "DT_FLOAT"


def convert_frozen_model(input_path: str, output_dir: str, *, options: dict, shard_size: int,
                         quantization_map: dict | None, metadata: dict | None, log=None, progress=None, **_):
    """A frozen GraphDef (.pb) -> graph model, no TensorFlow needed: inputs are its Placeholders, outputs the
    --output_node_names (signature with outputs only, as the official converter writes)."""
    p = Path(input_path)
    if not p.is_file():
        raise ConverterError(f"input_path {input_path} is not a frozen GraphDef file (.pb)")
    try:
        graph_def = read_graph_def(p.read_bytes())
    except (ValueError, KeyError) as e:
        raise ConverterError(f"{input_path} is not a binary GraphDef: {e}") from e
    by_name = {n["name"]: n for n in graph_def.get("node", [])}
    outputs = {}
    for name in [s.strip() for s in options["output_node_names"].split(",") if s.strip()]:
        node_name = name.split(":")[0]
        if node_name not in by_name:
            raise ConverterError(f"--output_node_names: the graph has no node named {node_name}")
        shapes = by_name[node_name].get("attr", {}).get("_output_shapes", {}).get("list", {}).get("shape")
        outputs[f"{node_name}:0"] = {"name": f"{node_name}:0", "dtype": _dtype_of(by_name[node_name]),
                                     "tensorShape": shapes[0] if shapes else {"unknownRank": True}}
    keep_inputs = {n["name"]: {"name": n["name"] + ":0"} for n in graph_def.get("node", [])
                   if n["op"] == "Placeholder"}
    sig_for_passes = {"inputs": keep_inputs, "outputs": outputs}
    topology, weights, _ = graph_def_to_model(graph_def, sig_for_passes,
                                              strip_debug_ops=options.get("strip_debug_ops", True),
                                              skip_op_check=bool(options.get("skip_op_check")), log=log)
    # Placeholders no output needs are dropped from the topology.
    topology["node"] = [n for n in topology["node"] if n["op"] != "Placeholder" or _used(n["name"], topology)]
    return write_graph_model(output_dir, topology, weights, {"outputs": outputs}, generated_by=None,
                             shard_size=shard_size, quantization_map=quantization_map, metadata=metadata, log=log,
                             progress=progress)


def _used(name: str, topology: dict) -> bool:
    return any(gp.parse_ref(t)[0] == name for n in topology["node"] for t in n.get("input", []))


def convert_to_graph(input_path, output_dir, input_format, *, options=None, **common):
    options = options or {}
    if input_format in ("tf_saved_model", "tf_hub", "keras_saved_model"):
        if str(input_path).startswith(("http://", "https://")):
            raise ConverterError(f"--input_format {input_format}: {input_path} is a URL; this converter reads "
                                 f"local SavedModel directories only (download and unpack the module first)")
        return convert_saved_model(input_path, output_dir, input_format, options=options, **common)
    if input_format == "tf_frozen_model":
        return convert_frozen_model(input_path, output_dir, options=options, **common)
    raise ConverterError(f"Unsupported input_format - output_format pair: {input_format} - tfjs_graph_model")


def keras_saved_model_to_layers(input_path, output_dir, **_common):
    raise UnsupportedError(f"--input_format keras_saved_model --output_format tfjs_layers_model (input "
                           f"{input_path}) is not supported by tfjs-convert: a SavedModel carries no Keras layer "
                           f"topology one can rely on; convert it to tfjs_graph_model, or save the Keras model as "
                           f".h5 / .keras and convert that")


__all__ = ["convert_to_graph", "convert_saved_model", "convert_frozen_model", "graph_def_to_model",
           "freeze_saved_model", "tensorflow_step", "check_ops", "write_graph_model", "table_initializer", "tf_initializer"]
