"""tfjs: TensorFlow.js's model system in Python, in the browser under Pyodide and under CPython.

    import tfjs as tf

Graph models, training, tf.browser and TF.js's op API load on first use (``tf.load_graph_model``, ``tf.grad``,
``tf.browser.from_pixels``, ``tf.add``, ``tf.image.resize_bilinear`` ...), so that ``import tfjs`` in a page stays
short.
"""

import importlib as _importlib

from . import backends, errors, io, layers, ops, platform
from ._version import __version__
from .backends import get_backend, memory, set_backend
from .layers import LayersModel, Sequential, SymbolicTensor
from .layers import constraints, initializers, regularizers
from .models import input, load_layers_model, load_model, model, sequential
from .platform import is_browser

__all__ = ["__version__", "browser", "errors", "io", "platform", "is_browser", "ops", "backends", "layers",
           "set_backend", "get_backend", "memory", "load_layers_model", "load_model", "sequential", "model",
           "input", "LayersModel", "Sequential", "SymbolicTensor", "constraints", "initializers", "regularizers"]

# name -> (submodule, attribute or None for the submodule itself): imported on first access
_LAZY = {"browser": ("browser", None), "graph": ("graph", None), "training": ("training", None)}
_LAZY.update({name: ("graph", name) for name in ("GraphModel", "load_graph_model", "register_op", "deregister_op")})
_LAZY.update({name: ("training", name) for name in ("callbacks", "grad", "grads", "metrics", "train",
                                                    "value_and_grad", "value_and_grads", "variable_grads")})
_LAZY["losses"] = ("training.core_losses", None)  # TF.js's tf.losses: weights and reductions
__all__ += [name for name in _LAZY if name not in __all__]


# TF.js's op API (tf.add, tf.tensor2d, tf.image ...): tfjs.api, imported on the first such name
_LAZY.update({name: ("api", name) for name in ("image", "linalg", "signal", "spectral", "math", "sparse", "string",
                                                "fused")})


def __getattr__(name: str):
    target = _LAZY.get(name)
    if target is None and not name.startswith("__"):
        api = _importlib.import_module(".api", __name__)
        if name in api.TOP_LEVEL:
            target = ("api", name)
    if target is None:
        raise AttributeError(f"module 'tfjs' has no attribute {name!r}")
    module = _importlib.import_module(f".{target[0]}", __name__)
    value = module if target[1] is None else getattr(module, target[1])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    api = _importlib.import_module(".api", __name__)
    return sorted(set(globals()) | set(_LAZY) | set(api.TOP_LEVEL))
