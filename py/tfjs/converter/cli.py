"""``tfjs-convert`` / ``python -m tfjs.converter``: tensorflowjs_converter's command line, flags and defaults.

Differences, on purpose: --input_format is detected from the input when not given (HDF5 -> keras, .keras zip
-> keras_keras, SavedModel directory, model.json); boolean flags given a value read "False"/"0"/"no" as false
(the official converter's ``type=bool`` reads any non-empty text as true).
"""

from __future__ import annotations

import argparse
import sys

from .api import INPUT_FORMATS, OUTPUT_FORMATS, convert
from ..errors import TfjsError
from .write import ConverterError


def _bool(text: str) -> bool:
    value = str(text).strip().lower()
    if value in ("", "0", "false", "no", "off", "none"):
        return False
    return True


def get_arg_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tfjs-convert",
                                description="Convert Keras and TensorFlow models to TensorFlow.js's format "
                                            "(a drop-in for tensorflowjs_converter).")
    p.add_argument("input_path", nargs="?", type=str,
                   help="Path to the input file or directory (a .h5, .keras, SavedModel directory, model.json, "
                        "frozen .pb), or a TF-Hub URL.")
    p.add_argument("output_path", nargs="?", type=str, help="Path for all output artifacts.")
    p.add_argument("--input_format", type=str, required=False, choices=sorted(INPUT_FORMATS),
                   help="Input format (detected from the input when not given; the official default is "
                        "tf_saved_model).")
    p.add_argument("--output_format", type=str, required=False, choices=sorted(OUTPUT_FORMATS),
                   help="Output format (default: tfjs_layers_model for Keras inputs, tfjs_graph_model for "
                        "TensorFlow inputs, keras for tfjs_layers_model).")
    p.add_argument("--signature_name", type=str, default=None,
                   help="Signature of the SavedModel or TF-Hub module to convert (serving_default / default).")
    p.add_argument("--saved_model_tags", type=str, default="serve",
                   help="Comma-separated tags of the MetaGraphDef to load ('' for none).")
    for dt in ("float16", "uint8", "uint16"):
        p.add_argument(f"--quantize_{dt}", type=str, default=None, nargs="?", const=True,
                       help=f"Quantize weights to {dt}: alone for every weight, or comma-separated wildcard "
                            f"patterns of weight names.")
    p.add_argument("--quantization_bytes", type=int, choices={1, 2}, default=None,
                   help="(Deprecated) 1: uint8, 2: uint16 quantization of every weight.")
    p.add_argument("--split_weights_by_layer", action="store_true",
                   help="Keras inputs: one weight group (set of shards) per layer.")
    p.add_argument("--version", "-v", dest="show_version", action="store_true",
                   help="Show the versions of the converter and its dependencies.")
    p.add_argument("--skip_op_check", action="store_true", help="Do not check the ops against the runtime's.")
    p.add_argument("--strip_debug_ops", type=_bool, default=True,
                   help="Strip debug ops (Print, Assert, CheckNumerics). Default true.")
    p.add_argument("--use_structured_outputs_names", type=_bool, default=False,
                   help="Keep the SavedModel's structured output names (userDefinedMetadata.structuredOutputKeys).")
    p.add_argument("--weight_shard_size_bytes", type=int, default=None,
                   help="Shard size in bytes of the weight files (default 4194304).")
    p.add_argument("--output_node_names", type=str, help="Output node names of a frozen model, comma-separated.")
    p.add_argument("--control_flow_v2", type=_bool, default=False,
                   help="Keep TF 2 control flow ops (If/While) in graph models.")
    p.add_argument("--experiments", type=_bool, default=False,
                   help="As the official converter: Grappler without its compressed-tensor optimization (SavedModel "
                        "and TF Hub inputs to tfjs_graph_model); no effect on other conversions (it says so).")
    p.add_argument("--metadata", type=str, help="key:path.json[,key2:path2.json]: user-defined metadata.")
    p.add_argument("--tf_python", type=str, default=None,
                   help="SavedModel inputs: a Python interpreter that has TensorFlow, to run the freeze step in "
                        "when this one has none (default: $TFJS_TF_PYTHON).")
    p.add_argument("--no_progress", action="store_true", help="No progress display.")
    p.add_argument("--hdf5_backend", choices=("h5py", "pyfive"), default=None, help=argparse.SUPPRESS)
    return p


def _versions() -> str:
    from .._version import __version__

    lines = ["", f"tfjs-convert (tfjs for Python) {__version__}", "", "Dependency versions:"]
    for mod in ("numpy", "h5py", "pyfive", "tensorflow"):
        try:
            m = __import__(mod)
            lines.append(f"  {mod} {getattr(m, '__version__', '?')}")
        except Exception:  # noqa: BLE001 - optional dependencies
            lines.append(f"  {mod} (not installed)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = get_arg_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.show_version:
        print(_versions())
        return 0
    if args.input_path is None:
        parser.error("Missing input_path argument. For usage, use the --help flag.")
    if args.output_path is None:
        parser.error("Missing output_path argument. For usage, use the --help flag.")
    options = {k: getattr(args, k) for k in (
        "signature_name", "quantize_float16", "quantize_uint8", "quantize_uint16", "quantization_bytes",
        "split_weights_by_layer", "skip_op_check", "strip_debug_ops", "use_structured_outputs_names",
        "weight_shard_size_bytes", "output_node_names", "control_flow_v2", "experiments", "metadata",
        "hdf5_backend", "tf_python")}
    if args.saved_model_tags != "serve":
        options["saved_model_tags"] = args.saved_model_tags
    try:
        convert(args.input_path, args.output_path, input_format=args.input_format,
                output_format=args.output_format, progress=False if args.no_progress else None,
                log=lambda msg: print(msg, file=sys.stderr), **options)
    except (ConverterError, ValueError, ImportError, NotImplementedError, OSError, TfjsError) as e:
        print(f"tfjs-convert: error: {e}", file=sys.stderr)
        return 1
    return 0


def pip_main() -> None:
    sys.exit(main())
