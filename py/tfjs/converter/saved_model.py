"""TensorFlow inputs (tf_saved_model, tf_hub, keras_saved_model, tf_frozen_model) -> tfjs_graph_model.

Not implemented yet: this path needs TensorFlow (``pip install 'tfjs[tensorflow]'``) to load and freeze the
graph, then the graph passes. Until then the error says so and points at the official converter.
"""

from __future__ import annotations

from ..errors import UnsupportedError


def _missing(what: str) -> UnsupportedError:
    return UnsupportedError(f"{what} is not implemented in tfjs-convert yet; use the official "
                            f"tensorflowjs_converter for it (pip install tensorflowjs in a separate environment)")


def convert_to_graph(input_path, output_dir, input_format, *, options=None, **_common):
    raise _missing(f"--input_format {input_format} --output_format tfjs_graph_model (input {input_path})")


def keras_saved_model_to_layers(input_path, output_dir, **_common):
    raise _missing(f"--input_format keras_saved_model --output_format tfjs_layers_model (input {input_path})")
