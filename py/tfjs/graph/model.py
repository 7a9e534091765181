"""GraphModel: a converted TensorFlow graph, loaded from TF.js's graph-model artifacts and run on the ops.

    model = await tf.load_graph_model("https://.../model.json")
    y = model.predict(x)                       # dynamic ops and control flow included
    ys = model.execute({"input": x}, ["Identity:0", "Identity_1:0"])
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from .. import io
from ..errors import FormatError
from ..io.types import ModelArtifacts
from .executor import Executor
from .graph_def import Graph, parse_graph_def
from .registry import lookup
from .resources import Resources
from .signature import TensorSpec, graph_inputs, graph_outputs, split_tensor_name
from .values import UnsupportedOpsError, normalize

TFHUB_SEARCH_PARAM = "?tfjs-format=file"
DEFAULT_MODEL_NAME = "model.json"
_NUMPY = {"float32": np.float32, "int32": np.int32, "bool": np.bool_, "complex64": np.complex64, "string": object}


def is_layers_topology(artifacts: ModelArtifacts) -> bool:
    topo = artifacts.model_topology
    if artifacts.format == "layers-model":
        return True
    if artifacts.format == "graph-model":
        return False
    return isinstance(topo, dict) and ("class_name" in topo or "model_config" in topo) and "node" not in topo


# Ops TF.js runs only with a separate package (TF Decision Forests: @tensorflow/tfjs-tfdf registers them, with its
# own WebAssembly inference engine); they are not supported here and are named as a group.
TFDF_OPS = ("SimpleMLCreateModelResource", "SimpleMLLoadModelFromPathWithHandle", "SimpleMLInferenceOpWithHandle",
            "SimpleMLInferenceOp", "SimpleMLLoadModelFromPath")


def check_ops(graphs: Sequence[tuple[str, Graph]]) -> None:
    """Every op of the model has a kernel, or one error listing each missing op with all of its node names
    (every one: a user fixing a converted model needs the full list, not a sample)."""
    missing: dict[str, list[str]] = {}
    for where, graph in graphs:
        for node in graph.nodes.values():
            if lookup(node.op)[0] is None:
                missing.setdefault(node.op, []).append(f"{where}{node.name}")
    if missing:
        lines = [f"  {name}: {', '.join(nodes)}" for name, nodes in sorted(missing.items())]
        tfdf = sorted(set(missing) & set(TFDF_OPS))
        if tfdf:
            lines.append(f"  {', '.join(tfdf)} belong to the tfdf op group (TensorFlow Decision Forests), which TF.js "
                         f"runs only with the separate @tensorflow/tfjs-tfdf package; it is not supported here.")
        raise UnsupportedOpsError(f"This graph model uses {len(missing)} op(s) with no kernel here (see "
                                  f"tf.graph.supported_ops(); tf.register_op(name, fn) adds one):\n"
                                  + "\n".join(lines))


def _all_graphs(graph: Graph, prefix: str = "") -> list[tuple[str, Graph]]:
    out = [(prefix, graph)]
    for name, fn in graph.functions.items():
        out.append((f"{prefix}function {name}: ", fn.graph))
    return out


class GraphModel:
    """A graph model (TF.js's ``GraphModel``), run on the active backend through :mod:`tfjs.ops`."""

    def __init__(self, artifacts: ModelArtifacts):
        if artifacts.model_topology is None or not isinstance(artifacts.model_topology, dict):
            raise FormatError("Graph model artifacts have no JSON modelTopology")
        self.artifacts = artifacts
        udm = artifacts.user_defined_metadata or {}
        self.signature = udm.get("signature") if udm.get("signature") is not None else artifacts.signature
        self.structured_output_keys = udm.get("structuredOutputKeys")
        self.graph = parse_graph_def(artifacts.model_topology)
        versions = self.graph.versions
        self.model_version = f"{versions.get('producer', '')}.{versions.get('minConsumer', '')}" \
            if versions else ""
        self.initializer_graph: Graph | None = None
        init = artifacts.model_initializer
        if isinstance(init, dict) and init.get("node") is not None:
            self.initializer_graph = parse_graph_def(init)
        check_ops(_all_graphs(self.graph) + (_all_graphs(self.initializer_graph, "initializer: ")
                                            if self.initializer_graph else []))
        self.weights = self._decode_weights(artifacts)
        self.resources = Resources()
        self.executor = Executor(self.graph, self.weights, self.resources)
        all_inputs = graph_inputs(self.graph, self.signature)
        self._resource_inputs = [s for s in all_inputs if s.resource_id is not None]
        self._inputs = [s for s in all_inputs if s.resource_id is None]
        self._outputs = graph_outputs(self.graph, self.signature)
        self._captured: dict[int, Any] = {}
        self._run_initializer()
        self._disposed = False

    # ----------------------------------------------------------------------------------------------

    @staticmethod
    def _decode_weights(artifacts: ModelArtifacts) -> dict[str, np.ndarray]:
        specs = artifacts.weight_specs or []
        if not specs:
            return {}
        decoded = io.decode_weights(artifacts.weight_data, specs)
        return {name: normalize(value) for name, value in decoded.items()}

    def _run_initializer(self) -> None:
        if self.initializer_graph is None:
            return
        init_exec = Executor(self.initializer_graph, self.weights, self.resources)
        sig_outputs = (self.artifacts.initializer_signature or {}).get("outputs") or {}
        fetches, rids = [], []
        for key, info in sig_outputs.items():
            name = key if split_tensor_name(key)[0] in self.initializer_graph.nodes else info.get("name", key)
            fetches.append(split_tensor_name(name))
            rids.append(info.get("resourceId"))
        consumers = self.initializer_graph.consumers()
        targets = [name for name, users in consumers.items() if not users]
        values = init_exec.run({}, fetches, targets=targets)
        for rid, value in zip(rids, values):
            if rid is not None:
                self._captured[int(rid)] = value

    # ----------------------------------------------------------------------------------------------
    # TF.js's GraphModel surface

    @property
    def inputs(self) -> list[dict]:
        return [s.as_dict() for s in self._inputs]

    @property
    def outputs(self) -> list[dict]:
        return [s.as_dict() for s in self._outputs]

    @property
    def input_nodes(self) -> list[str]:
        return [s.key or s.name for s in self._inputs]

    @property
    def output_nodes(self) -> list[str]:
        return [s.key or s.tensor_name for s in self._outputs]

    @property
    def weights_map(self) -> dict[str, np.ndarray]:
        return self.weights

    def _input_spec(self, name: str) -> TensorSpec:
        for s in self._inputs:
            if name in (s.key, s.name, s.tensor_name, f"{s.name}:{s.index}"):
                return s
        node, idx = split_tensor_name(name)
        if node in self.graph.nodes:
            return TensorSpec(node, idx, None, None)
        raise ValueError(f"Model has no input named '{name}'; inputs: {', '.join(self.input_nodes) or 'none'}")

    def _output_ref(self, name: str) -> tuple[str, int]:
        for s in self._outputs:
            if name in (s.key, s.tensor_name, f"{s.name}:{s.index}"):
                return s.name, s.index
        node, idx = split_tensor_name(name)
        if node not in self.graph.nodes:
            raise ValueError(f"Model has no output named '{name}'; outputs: {', '.join(self.output_nodes)}")
        return node, idx

    def _check_input(self, spec: TensorSpec, value: Any, label: str) -> Any:
        if not isinstance(value, np.ndarray):
            value = np.asarray(value)
        if value.dtype.kind in "iu" and value.dtype != np.int32:
            value = value.astype(np.int32)
        elif value.dtype.kind == "f" and value.dtype != np.float32:
            value = value.astype(np.float32)
        elif value.dtype.kind in "US":
            value = value.astype(object)
        want = spec.dtype
        if want in _NUMPY:
            got = "string" if value.dtype == object else str(value.dtype)
            if got != want:
                if want == "float32" and got == "int32":
                    value = value.astype(np.float32)
                else:
                    raise ValueError(f"The dtype of {label} provided in model.execute(dict) must be {want}, but "
                                     f"was {got}")
        if spec.shape is not None:
            shape = list(value.shape)
            if len(shape) != len(spec.shape) or any(w != -1 and w != g for w, g in zip(spec.shape, shape)):
                raise ValueError(f"The shape of {label} provided in model.execute(dict) must be {spec.shape}, but "
                                 f"was {shape}")
        return value

    def _feeds(self, inputs: Any) -> dict[tuple[str, int], Any]:
        if isinstance(inputs, Mapping):
            items = [(self._input_spec(str(k)), v, f"dict['{k}']") for k, v in inputs.items()]
        else:
            values = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
            if len(values) != len(self._inputs):
                raise ValueError(f"This model has {len(self._inputs)} inputs "
                                 f"({', '.join(self.input_nodes)}), but {len(values)} arrays were given")
            items = [(s, v, f"input '{s.key or s.name}'") for s, v in zip(self._inputs, values)]
        feeds = {(s.name, s.index): self._check_input(s, v, label) for s, v, label in items}
        for spec in self._resource_inputs:
            if spec.resource_id in self._captured:
                feeds[(spec.name, spec.index)] = self._captured[spec.resource_id]
        return feeds

    def execute(self, inputs: Any, outputs: str | Sequence[str] | None = None) -> Any:
        """Run the graph: ``inputs`` an array, a list (in input order) or a dict keyed by signature key or
        node name; ``outputs`` names (default: the model's outputs). One name or one output -> one array."""
        self._check_alive()
        single = isinstance(outputs, str)
        names = [outputs] if single else list(outputs) if outputs is not None else self.output_nodes
        refs = [self._output_ref(n) for n in names]
        from .. import backends

        feeds = self._feeds(inputs)
        # one model run for the backend: weights stay resident (webgl: uploaded once), outputs read back once
        results = backends.backend().run_model(lambda: self.executor.run(feeds, refs),
                                               weights=list(self.weights.values()))
        if single or len(results) == 1:
            return results[0]
        return results

    async def execute_async(self, inputs: Any, outputs: str | Sequence[str] | None = None) -> Any:
        """TF.js's executeAsync: the same as :meth:`execute` (dynamic ops run inline)."""
        return self.execute(inputs, outputs)

    def predict(self, inputs: Any, **config: Any) -> Any:
        """Outputs for inputs; a dict keyed by ``structuredOutputKeys`` when the model names them."""
        out = self.execute(inputs, self.output_nodes)
        if self.structured_output_keys:
            values = out if isinstance(out, list) else [out]
            return dict(zip(self.structured_output_keys, values))
        return out

    async def predict_async(self, inputs: Any, **config: Any) -> Any:
        return self.predict(inputs, **config)

    async def save(self, url_or_handler: Any, **config: Any):
        """Save the model's artifacts (topology, weights, signature, initializer) to a URL or handler."""
        self._check_alive()
        return await io.save(url_or_handler, self.artifacts)

    def warmup(self) -> dict:
        """Run the model once on zeros so that every program it needs is compiled (webgl)."""
        from .. import backends

        feeds = {}
        for s in self._inputs:
            shape = [1 if d is None or d < 0 else d for d in (s.shape or [1])]
            feeds[s.key or s.name] = np.zeros(shape, _NUMPY.get(s.dtype, np.float32))
        self.execute(feeds)
        return backends.backend().compile_stats()

    def fallback_report(self) -> dict:
        """Ops that ran on the cpu kernels with device inputs, and the transfers they cost (webgl)."""
        from .. import backends

        return backends.backend().fallback_report()

    def dispose(self) -> None:
        from .. import backends

        backends.release_arrays(list(self.weights.values()) + self.executor.constants())
        self.executor.clear_constants()
        self.weights.clear()
        self._disposed = True

    def _check_alive(self) -> None:
        if self._disposed:
            raise ValueError("This GraphModel has been disposed")

    def __repr__(self) -> str:
        return (f"<GraphModel v{self.model_version}: {len(self.graph.nodes)} nodes, inputs {self.input_nodes}, "
                f"outputs {self.output_nodes}>")


def _layers_error() -> FormatError:
    return FormatError("This is a layers model (format 'layers-model' / a Keras topology); load it with "
                       "tf.load_layers_model(), or with tf.load_model() which loads either kind")


async def load_graph_model(url_or_handler: Any, from_tfhub: bool = False, **load_options: Any) -> GraphModel:
    """Load a graph model (``tf.loadGraphModel``) from a URL or an IO handler."""
    if from_tfhub and isinstance(url_or_handler, str):
        if not url_or_handler.endswith("/"):
            url_or_handler += "/"
        url_or_handler = f"{url_or_handler}{DEFAULT_MODEL_NAME}{TFHUB_SEARCH_PARAM}"
    artifacts = await io.load(url_or_handler, **load_options)
    return graph_model_from_artifacts(artifacts)


def graph_model_from_artifacts(artifacts: ModelArtifacts) -> GraphModel:
    if is_layers_topology(artifacts):
        raise _layers_error()
    return GraphModel(artifacts)
