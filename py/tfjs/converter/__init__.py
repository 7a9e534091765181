"""tfjs.converter: Keras and TensorFlow models to TF.js model.json + weight shards (``tfjs-convert``).

    from tfjs.converter import convert
    convert("model.h5", "out/")                                        # -> tfjs_layers_model
    convert("model.keras", "out/", quantize_uint8="*")                 # Keras 3, quantized
    convert("out/model.json", "model.h5", input_format="tfjs_layers_model", output_format="keras")
    convert("saved_model_dir", "web_model/")                           # needs pip install 'tfjs[tensorflow]'
    convert("saved_model_dir", "web_model/", tf_python="/venv-tf/bin/python")  # or TensorFlow in another Python
    convert("frozen.pb", "web_model/", input_format="tf_frozen_model", output_node_names="Softmax")  # no TF
    convert("model.keras", "web_model/", output_format="tfjs_graph_model")     # layers lowered natively, no TF

Keras files are read with h5py (CPython) or pyfive (Pyodide) and numpy; TensorFlow is only needed to load and
freeze SavedModels / TF-Hub directories (tfjs/converter/tf_freeze.py), where TensorFlow's Grappler also runs as the
official converter configures it (``grappler=False``: not); the GraphDef is then read with our own protobuf reader
(pbwire.py) and optimized by our own passes (graph_passes.py), Grappler's second pass between them.
"""

from .api import (DEFAULT_OUTPUT, INPUT_FORMATS, OUTPUT_FORMATS, convert, converted_by, detect_input_format,
                  keras_to_layers)
from .quantize import QuantizationError, dequantize, map_names_to_dtype, quantize
from .write import DEFAULT_SHARD_SIZE, ConverterError

__all__ = ["convert", "detect_input_format", "keras_to_layers", "converted_by", "ConverterError",
           "QuantizationError", "quantize", "dequantize", "map_names_to_dtype", "INPUT_FORMATS", "OUTPUT_FORMATS",
           "DEFAULT_OUTPUT", "DEFAULT_SHARD_SIZE"]
