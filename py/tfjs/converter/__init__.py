"""tfjs.converter: Keras and TensorFlow models to TF.js model.json + weight shards (``tfjs-convert``).

    from tfjs.converter import convert
    convert("model.h5", "out/")                                        # -> tfjs_layers_model
    convert("model.keras", "out/", quantize_uint8="*")                 # Keras 3, quantized
    convert("out/model.json", "model.h5", input_format="tfjs_layers_model", output_format="keras")
    convert("saved_model_dir", "web_model/")                           # needs pip install 'tfjs[tensorflow]'

Keras files are read with h5py (CPython) or pyfive (Pyodide) and numpy; TensorFlow is only needed for
SavedModels, TF-Hub modules and frozen graphs.
"""

from .api import (DEFAULT_OUTPUT, INPUT_FORMATS, OUTPUT_FORMATS, convert, converted_by, detect_input_format,
                  keras_to_layers)
from .quantize import QuantizationError, dequantize, map_names_to_dtype, quantize
from .write import DEFAULT_SHARD_SIZE, ConverterError

__all__ = ["convert", "detect_input_format", "keras_to_layers", "converted_by", "ConverterError",
           "QuantizationError", "quantize", "dequantize", "map_names_to_dtype", "INPUT_FORMATS", "OUTPUT_FORMATS",
           "DEFAULT_OUTPUT", "DEFAULT_SHARD_SIZE"]
