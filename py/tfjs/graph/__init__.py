"""tfjs.graph: graph models (converted TensorFlow graphs): GraphDef parsing, the executor (v1 and v2
control flow, TensorArrays, TensorLists, hash tables, dynamic ops inline) and the op mappers.

    model = await tf.load_graph_model(url)
    model.predict(x)
    tf.graph.supported_ops()
"""

from . import mappers as _mappers  # noqa: F401  (registers the op mappers)
from .executor import Executor
from .graph_def import Graph, Node, parse_graph_def
from .model import GraphModel, graph_model_from_artifacts, load_graph_model
from .registry import CustomOpNode, deregister_op, register_op, supported_ops
from .values import GraphExecutionError, UnsupportedOpsError

__all__ = ["GraphModel", "load_graph_model", "graph_model_from_artifacts", "supported_ops",
           "register_op", "deregister_op", "CustomOpNode", "Executor", "Graph", "Node", "parse_graph_def",
           "GraphExecutionError", "UnsupportedOpsError"]
