"""TF.js's op API in snake_case: ``tf.add``, ``tf.tensor2d``, ``tf.mat_mul``, ``tf.one_hot``,
``tf.image.resize_bilinear``, ``tf.linalg.band_part``, ``tf.spectral.rfft`` ...

Each function takes TF.js's arguments in TF.js's order with its defaults, follows its dtype rules (Python numbers
and lists are float32 as JS numbers are; numpy int arrays int32; binary ops upcast bool < int32 < float32 <
complex64) and raises :class:`tfjs.errors.InvalidArgumentError` with TF.js's text where TF.js throws. Values are
numpy arrays in and out, or the active backend's device tensors (webgl). Results TF.js returns as objects
(``{values, indices}``) are named tuples with those fields in snake_case. TF.js's async functions
(``whereAsync``, ``nonMaxSuppressionAsync`` ...) are coroutines.

``import tfjs`` does not import this package: the first ``tf.<op>`` does (``tfjs.__getattr__``).
"""

from __future__ import annotations

import types

from . import (arithmetic, buffer, creation, fused, image, linalg, linear, math, memory, nn, ragged, reduction, runtime,
               shape, signal, sparse, spectral, string)

#: the namespaces, as ``tf.image`` ... ``tf.string``
NAMESPACES = {"image": image, "linalg": linalg, "signal": signal, "spectral": spectral, "math": math,
              "sparse": sparse, "string": string, "fused": fused}


def _public(module) -> dict:
    return {name: value for name, value in vars(module).items()
            if not name.startswith("_") and isinstance(value, types.FunctionType)
            and value.__module__ == module.__name__}


#: top-level name -> function
TOP_LEVEL: dict = {}
for _module in (buffer, creation, arithmetic, reduction, shape, linear, nn, memory, runtime, ragged):
    TOP_LEVEL.update(_public(_module))
TOP_LEVEL["cosine_window"] = signal.cosine_window
TOP_LEVEL["enclosing_power_of_two"] = signal.enclosing_power_of_two
for _name in ("fft", "ifft", "rfft", "irfft"):
    TOP_LEVEL[_name] = getattr(spectral, _name)  # TF.js exports these at the top level too
TOP_LEVEL["local_response_normalization"] = nn.local_response_normalization

globals().update(TOP_LEVEL)
__all__ = sorted(TOP_LEVEL) + sorted(NAMESPACES)
