"""Models from and to storage: ``load_layers_model``, ``load_model`` (layers or graph), ``sequential``,
``model``, ``input``.

    model = await tf.load_layers_model("indexeddb://my-model")
    y = model.predict(x)
    await model.save("file:///tmp/my-model")
"""

from __future__ import annotations

from typing import Any

from . import io, platform
from .errors import FormatError
from .layers import LayersModel, Sequential, input
from .layers.base import building_for_stored_weights
from .layers.serialization import deserialize_layer, unwrap_topology


async def _prepare_fast_path() -> None:
    """Load scipy (sgemm) where it is not imported yet: in the browser it comes on demand."""
    try:
        await platform.load_packages("scipy")
    except Exception:  # noqa: BLE001 - numpy fallback stays available
        pass


def model_from_artifacts(artifacts: io.ModelArtifacts, strict: bool = True,
                         custom_objects: dict | None = None) -> LayersModel:
    """Build a LayersModel from ModelArtifacts (topology JSON and, if present, weights)."""
    topology = artifacts.model_topology
    if artifacts.format == "graph-model" or (isinstance(topology, dict) and "node" in topology) \
            or isinstance(topology, (bytes, bytearray, memoryview)):
        raise FormatError("The model artifacts hold a graph model (format 'graph-model' or a GraphDef topology "
                          "with 'node'): load it with tf.load_graph_model(), not tf.load_layers_model().")
    if topology is None:
        raise FormatError("The model artifacts have no modelTopology: a layers model needs one (this may be a "
                          "weights-only file).")
    model_config = unwrap_topology(topology)
    specs = artifacts.weight_specs if artifacts.weight_data is not None else None
    io.check_weight_specs(specs or [])
    shapes = {s["name"]: s["shape"] for s in specs or [] if s.get("group") != "optimizer"}
    try:
        with building_for_stored_weights(shapes, strict=strict and specs is not None):
            model = deserialize_layer(model_config, custom_objects)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as e:
        if isinstance(e, FormatError):
            raise
        raise FormatError(f"The model topology cannot be built: {type(e).__name__}: {e}") from None
    if not isinstance(model, LayersModel):
        raise FormatError(f"The topology describes a {model_config['class_name']}, not a model")
    if artifacts.user_defined_metadata is not None:
        model.set_user_defined_metadata(artifacts.user_defined_metadata)
    if artifacts.weight_data is not None:
        if artifacts.weight_specs is None:
            raise FormatError("LayersModel artifacts contains weight data, but not weight specs. Therefore "
                              "loading of weights cannot proceed.")
        model_specs = [s for s in artifacts.weight_specs if s.get("group") != "optimizer"]
        values = io.decode_weights(artifacts.weight_data, artifacts.weight_specs)
        model.load_weights({s["name"]: values[s["name"]] for s in model_specs}, strict=strict)
    if artifacts.training_config is not None:  # saved with include_optimizer: compile, restore the optimizer
        model.load_training_config(artifacts.training_config)
        optimizer_specs = [s for s in artifacts.weight_specs or [] if s.get("group") == "optimizer"]
        if optimizer_specs and artifacts.weight_data is not None:
            model.optimizer.set_weights([(s["name"], values[s["name"]]) for s in optimizer_specs])
    return model


async def load_layers_model(url_or_handler: Any, strict: bool = True, on_progress=None,
                            custom_objects: dict | None = None, **load_options: Any) -> LayersModel:
    """Load a layers model (``tf.loadLayersModel``) from a URL or an IO handler."""
    if on_progress is not None:
        load_options["on_progress"] = on_progress
    artifacts = await io.load(url_or_handler, **load_options)
    await _prepare_fast_path()
    return model_from_artifacts(artifacts, strict=strict, custom_objects=custom_objects)


async def load_model(url_or_handler: Any, **load_options: Any) -> Any:
    """Load a graph or a layers model, by the model.json's ``format`` (or its topology's shape)."""
    artifacts = await io.load(url_or_handler, **load_options)
    from .graph.model import GraphModel, is_layers_topology  # graph models load on first use

    if is_layers_topology(artifacts):
        return await load_layers_model(io.from_memory(artifacts))
    return GraphModel(artifacts)


def sequential(layers=None, name: str | None = None) -> Sequential:
    """A Sequential model (``tf.sequential``)."""
    return Sequential(layers=layers, name=name)


def model(inputs=None, outputs=None, name: str | None = None) -> LayersModel:
    """A functional model from symbolic inputs to outputs (``tf.model``)."""
    return LayersModel(inputs=inputs, outputs=outputs, name=name)


__all__ = ["load_layers_model", "load_model", "model_from_artifacts", "sequential", "model", "input"]
