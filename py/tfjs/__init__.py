"""tfjs: TensorFlow.js's model system in Python, in the browser under Pyodide and under CPython.

    import tfjs as tf
"""

from . import backends, errors, io, layers, ops, platform
from ._version import __version__
from .backends import get_backend, memory, set_backend
from .layers import LayersModel, Sequential, SymbolicTensor
from .models import input, load_layers_model, load_model, model, sequential
from .layers import constraints, initializers, regularizers
from .platform import is_browser

__all__ = ["__version__", "errors", "io", "platform", "is_browser", "ops", "backends", "layers", "set_backend",
           "get_backend", "memory", "load_layers_model", "load_model", "sequential", "model", "input",
           "LayersModel", "Sequential", "SymbolicTensor", "constraints", "initializers", "regularizers"]

from . import graph  # noqa: E402  (graph models)
from .graph import GraphModel, load_graph_model, register_op  # noqa: E402

__all__ += ["graph", "GraphModel", "load_graph_model", "register_op"]

from . import training  # noqa: E402  (gradients, optimizers, losses, metrics)
from .training import callbacks, grad, grads, metrics, train, value_and_grad, variable_grads  # noqa: E402
from .training import core_losses as losses  # noqa: E402  (TF.js's tf.losses: weights and reductions)

__all__ += ["training", "grad", "grads", "value_and_grad", "variable_grads", "train", "losses", "metrics",
            "callbacks"]
