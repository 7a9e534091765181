"""``convert(input_path, output_dir, **options)``: the converter's one entry point (the CLI calls it too).

Options carry the official ``tensorflowjs_converter`` flag names (without the dashes) and defaults.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any, Callable

from .hdf5 import is_hdf5
from .progress import Progress
from .quantize import dtype_map
from .tfjs_layers import keras_to_layers
from .write import (DEFAULT_SHARD_SIZE, LAYERS_FORMAT, ConverterError, converted_by, layers_model_json,  # noqa: F401
                    write_layers_artifacts)

INPUT_FORMATS = ("keras", "keras_saved_model", "keras_keras", "tf_saved_model", "tf_hub", "tfjs_layers_model",
                 "tf_frozen_model")
OUTPUT_FORMATS = ("keras", "keras_saved_model", "tfjs_layers_model", "tfjs_graph_model", "keras_keras")
DEFAULT_OUTPUT = {"keras": "tfjs_layers_model", "keras_saved_model": "tfjs_layers_model",
                  "keras_keras": "tfjs_layers_model", "tf_saved_model": "tfjs_graph_model",
                  "tf_hub": "tfjs_graph_model", "tf_frozen_model": "tfjs_graph_model",
                  "tfjs_layers_model": "keras"}
GRAPH_FORMAT = "graph-model"


def detect_input_format(path: str) -> str:
    """The input format of a path: HDF5 -> keras, .keras zip -> keras_keras, SavedModel dir, model.json, .pb."""
    if str(path).startswith(("http://", "https://")):
        return "tf_hub"
    p = Path(path)
    if not p.exists():
        raise ConverterError(f"input_path {path!r} does not exist (and --input_format was not given)")
    if p.is_dir():
        if (p / "saved_model.pb").exists() or (p / "saved_model.pbtxt").exists():
            return "keras_saved_model" if (p / "keras_metadata.pb").exists() else "tf_saved_model"
        if (p / "model.json").exists():
            raise ConverterError(f"input_path {path!r} is a directory holding model.json: pass the model.json file "
                                 f"itself (--input_format tfjs_layers_model)")
        raise ConverterError(f"Cannot tell the input format of directory {path!r}: no saved_model.pb and no "
                             f"model.json in it; give --input_format")
    if is_hdf5(p):
        return "keras"
    with open(p, "rb") as f:
        head = f.read(4)
    if head == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(p) as z:
                if "config.json" in z.namelist():
                    return "keras_keras"
        except zipfile.BadZipFile:
            pass
    if p.suffix == ".json":
        return "tfjs_layers_model"
    if p.suffix in (".pb", ".pbtxt"):
        return "tf_frozen_model"
    raise ConverterError(f"Cannot tell the input format of {path!r} (not HDF5, not a .keras zip, not a "
                         f"SavedModel directory, not a model.json); give --input_format")


def parse_metadata(spec: str | dict | None) -> dict | None:
    """``key:path.json[,key2:path2.json]`` -> {key: parsed JSON}."""
    if spec is None or spec == "":
        return None
    if isinstance(spec, dict):
        return spec
    out = {}
    for item in spec.split(","):
        key, sep, path = item.partition(":")
        if not sep or not key:
            raise ConverterError(f"--metadata expects key:path.json[,key2:path2.json], got {item!r}")
        try:
            with open(path, "rt", encoding="utf-8") as f:
                out[key] = json.load(f)
        except (OSError, ValueError) as e:
            raise ConverterError(f"Loading metadata error: the path is expected to contain valid JSON content, "
                                 f"but cannot read valid JSON content from {path}.") from e
    return out


def _quantization(options: dict, log) -> dict:
    qmap = dtype_map(options.get("quantize_float16"), options.get("quantize_uint8"),
                     options.get("quantize_uint16"))
    qbytes = options.get("quantization_bytes")
    if qbytes is not None:
        log("Warning: --quantization_bytes will be deprecated in a future release\n"
            "Please consider using --quantize_uint8, --quantize_uint16, --quantize_float16.")
        if qmap:
            raise ConverterError("--quantization_bytes cannot be used with the new quantization flags")
        if qbytes not in (1, 2):
            raise ConverterError(f"--quantization_bytes must be 1 or 2, got {qbytes}")
        qmap = {"uint8" if qbytes == 1 else "uint16": True}
    return qmap


def _validate(input_format: str, output_format: str, options: dict) -> None:
    if input_format not in INPUT_FORMATS:
        raise ConverterError(f"--input_format: invalid choice {input_format!r} (choose from "
                             f"{', '.join(INPUT_FORMATS)})")
    if output_format not in OUTPUT_FORMATS:
        raise ConverterError(f"--output_format: invalid choice {output_format!r} (choose from "
                             f"{', '.join(OUTPUT_FORMATS)})")
    if options.get("signature_name") is not None and input_format not in ("tf_saved_model", "tf_hub"):
        raise ConverterError(f'The --signature_name flag is applicable only to "tf_saved_model" and "tf_hub" input '
                             f'format, but the current input format is "{input_format}".')
    if options.get("weight_shard_size_bytes") is not None and output_format not in ("tfjs_layers_model",
                                                                                    "tfjs_graph_model"):
        raise ConverterError("The --weight_shard_size_bytes flag is only supported when output_format is "
                             "tfjs_layers_model or tfjs_graph_model.")
    if options.get("control_flow_v2") and output_format != "tfjs_graph_model":
        raise ConverterError(f'The --control_flow_v2 flag is applicable only to "tfjs_graph_model" as output '
                             f'format, but the current output format is "{output_format}"')
    if input_format == "tf_frozen_model" and not options.get("output_node_names"):
        raise ConverterError('The --output_node_names flag is required for "tf_frozen_model"')


def convert(input_path: str | os.PathLike, output_dir: str | os.PathLike, *, input_format: str | None = None,
            output_format: str | None = None, log: Callable[[str], None] | None = print,
            progress: bool | None = None, **options: Any) -> dict:
    """Convert a model; returns a summary {input_format, output_format, output, files}.

    Options (the official converter's flags): quantize_float16 / quantize_uint8 / quantize_uint16 (True or
    comma-separated patterns), quantization_bytes, weight_shard_size_bytes (4194304), split_weights_by_layer,
    strip_debug_ops (True), skip_op_check, signature_name, saved_model_tags ('serve'), output_node_names,
    metadata ('key:file.json,...' or a dict), control_flow_v2, use_structured_outputs_names, hdf5_backend,
    tf_python (a Python with TensorFlow for the SavedModel freeze step; default $TFJS_TF_PYTHON or this one),
    grappler (True: TensorFlow's Grappler runs in that step as in the official converter; False: our passes only).
    """
    input_path = os.fspath(input_path)
    output_dir = os.fspath(output_dir)
    log = log or (lambda _msg: None)
    known = {"quantize_float16", "quantize_uint8", "quantize_uint16", "quantization_bytes",
             "weight_shard_size_bytes", "split_weights_by_layer", "strip_debug_ops", "skip_op_check",
             "signature_name", "saved_model_tags", "output_node_names", "metadata", "control_flow_v2",
             "use_structured_outputs_names", "experiments", "hdf5_backend", "tf_python", "grappler"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(f"convert() got unknown option(s): {', '.join(unknown)}")
    if input_format is None:
        input_format = detect_input_format(input_path)
    if output_format is None:
        output_format = DEFAULT_OUTPUT.get(input_format)
        if output_format is None:
            raise ConverterError(f"--output_format is needed for --input_format {input_format}")
    _validate(input_format, output_format, options)
    shard_size = options.get("weight_shard_size_bytes")
    if shard_size is None:
        shard_size = DEFAULT_SHARD_SIZE
    if not isinstance(shard_size, int) or isinstance(shard_size, bool) or shard_size <= 0:
        raise ConverterError(f"Expected weight_shard_size_bytes to be a positive integer, but got {shard_size}")
    qmap = _quantization(options, log)
    metadata = parse_metadata(options.get("metadata"))
    prog = Progress(progress)
    common = dict(shard_size=shard_size, quantization_map=qmap, metadata=metadata, log=log, progress=prog,
                  split_by_layer=bool(options.get("split_weights_by_layer")))
    pair = (input_format, output_format)
    if options.get("experiments") and not (output_format == "tfjs_graph_model" and options.get("grappler", True)
                                           and input_format in ("tf_saved_model", "tf_hub", "keras_saved_model")):
        log("--experiments has no effect on this conversion: the official converter uses it only for Grappler's "
            "pass over TensorFlow graphs (SavedModel / TF Hub inputs to tfjs_graph_model), where it turns off the "
            "compressed-tensor optimization")
    if input_format in ("keras", "keras_keras") and output_format == "tfjs_layers_model":
        _check_input_file(input_path, input_format)
        result = keras_to_layers(input_path, output_dir, backend=options.get("hdf5_backend"), **common)
    elif input_format == "tfjs_layers_model" and output_format in ("tfjs_layers_model", "keras", "keras_keras",
                                                                   "keras_saved_model"):
        from . import tfjs_layers

        result = tfjs_layers.convert_layers_model(input_path, output_dir, output_format,
                                                  tf_python=options.get("tf_python"), **common)
    elif output_format == "tfjs_graph_model" and input_format in ("tf_saved_model", "tf_hub", "keras_saved_model",
                                                                  "tf_frozen_model", "keras", "keras_keras",
                                                                  "tfjs_layers_model"):
        if input_format in ("tfjs_layers_model", "keras", "keras_keras"):
            from .lower_layers import convert_layers_to_graph

            result = convert_layers_to_graph(input_path, output_dir, input_format, options=options, **common)
        else:
            from . import saved_model

            result = saved_model.convert_to_graph(input_path, output_dir, input_format, options=options, **common)
    elif input_format == "keras_saved_model" and output_format == "tfjs_layers_model":
        from . import saved_model

        result = saved_model.keras_saved_model_to_layers(input_path, output_dir, **common)
    else:
        raise ConverterError(f"Unsupported input_format - output_format pair: {pair[0]} - {pair[1]}")
    prog.done(f"wrote {result.get('output')}")
    return {"input_format": input_format, "output_format": output_format, **result}


def _check_input_file(path: str, input_format: str) -> None:
    p = Path(path)
    what = "HDF5" if input_format == "keras" else ".keras"
    if not p.exists():
        raise ConverterError(f"Nonexistent path to {what} file: {path}")
    if p.is_dir():
        raise ConverterError(f"Expected path to point to an {what} file, but it points to a directory: {path}")
