"""LayersModel: the user-facing model (predict, summary, weights, to_json, save)."""

from __future__ import annotations

import json
from typing import Any, Sequence

import numpy as np

from .._version import __version__
from ..errors import FormatError
from .base import shape_str, to_list
from .functional import Functional
from .weights_io import load_named_weights, named_weights

TFJS_LAYERS_VERSION = "4.22.0"
KERAS_VERSION = f"tfjs-layers {TFJS_LAYERS_VERSION}"
BACKEND_NAME = "tensor_flow.js"
GENERATED_BY = f"TensorFlow.js tfjs-layers v{TFJS_LAYERS_VERSION} (tfjs for Python {__version__})"


class LayersModel(Functional):
    """A model of layers: ``tf.model(inputs=..., outputs=...)`` or loaded with ``tf.load_layers_model``."""

    class_name = "Model"

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        super().__init__(inputs=inputs, outputs=outputs, name=name, **kwargs)
        self.user_defined_metadata: dict | None = None

    # ------------------------------------------------------------------ prediction
    def run_graph(self, inputs: list, masks: list | None = None, training: bool = False):
        """The functional graph run; the backend plans it as one model run (``Backend.run_model``: on webgl,
        tensors stay on the device between layers and the outputs are read back once)."""
        from .. import backends
        from ..ops import dispatch

        if training or dispatch.recorder is not None:
            return super().run_graph(inputs, masks, training)
        run = super().run_graph
        return backends.backend().run_model(lambda: run(inputs, masks), weights=[w.value for w in self.weights])

    def warmup(self) -> dict:
        """Run one prediction on zeros so that every program the model needs is compiled (webgl)."""
        from .. import backends

        xs = [np.zeros([1 if d is None else d for d in t.shape], np.float32) for t in self.inputs]
        self.predict(xs if len(xs) > 1 else xs[0])
        return backends.backend().compile_stats()

    def fallback_report(self) -> dict:
        """Ops that ran on the cpu kernels with device inputs, and the transfers they cost (webgl)."""
        from .. import backends

        return backends.backend().fallback_report()

    def _standardize(self, x) -> list[np.ndarray]:
        if isinstance(x, dict):
            missing = [n for n in self.input_names if n not in x]
            if missing:
                raise ValueError(f"No data provided for \"{missing[0]}\". Need data for each key in: "
                                 f"{self.input_names}")
            x = [x[n] for n in self.input_names]
        arrays = [np.asarray(a) for a in to_list(x)] if isinstance(x, (list, tuple)) else [np.asarray(x)]
        if len(arrays) != len(self.inputs):
            raise ValueError(f"Error when checking model input: the model '{self.name}' expects "
                             f"{len(self.inputs)} input array(s) ({', '.join(self.input_names)}) but got "
                             f"{len(arrays)} array(s) with shapes {[shape_str(a.shape) for a in arrays]}")
        out = []
        for t, name, a in zip(self.inputs, self.input_names, arrays):
            if a.dtype.kind not in "biuf":
                raise ValueError(f"Error when checking input: expected {name} (input layer '{name}' of model "
                                 f"'{self.name}') to get numbers ({t.dtype}) but got an array of dtype {a.dtype} "
                                 f"with shape {shape_str(a.shape)}.")
            if a.ndim != len(t.shape):
                raise ValueError(f"Error when checking input: expected {name} (input layer '{name}' of model "
                                 f"'{self.name}') to have {len(t.shape)} dimension(s), with shape "
                                 f"{shape_str(t.shape)}, but got array with shape {shape_str(a.shape)}.")
            if any(e is not None and e != d for e, d in zip(t.shape[1:], a.shape[1:])):
                raise ValueError(f"Error when checking input: expected {name} to have shape {shape_str(t.shape)} "
                                 f"but got array with shape {shape_str(a.shape)} (input layer '{name}' of model "
                                 f"'{self.name}').")
            out.append(a if a.dtype == np.float32 or t.dtype != "float32" else a.astype(np.float32))
        return out

    def predict_on_batch(self, x):
        outs, _ = self.run_graph(self._standardize(x))
        outs = [np.asarray(o, dtype=np.float32) if np.asarray(o).dtype != np.float32 else o for o in outs]
        return outs if len(outs) > 1 else outs[0]

    def predict(self, x, batch_size: int = 32, verbose: bool = False):
        """Numpy in (one array, a list for several inputs, or a dict by input name), numpy out."""
        arrays = self._standardize(x)
        n = arrays[0].shape[0]
        if any(a.shape[0] != n for a in arrays):
            raise ValueError(f"All input arrays must have the same number of samples; got shapes "
                             f"{[shape_str(a.shape) for a in arrays]}")
        if batch_size is None or batch_size <= 0:
            raise ValueError(f"batchSize is required to be a positive integer, but got {batch_size}")
        if n <= batch_size:
            return self.predict_on_batch(arrays)
        chunks: list[list[np.ndarray]] = []
        for start in range(0, n, batch_size):
            outs, _ = self.run_graph([a[start:start + batch_size] for a in arrays])
            chunks.append(outs)
        outs = [np.concatenate([c[i] for c in chunks], axis=0).astype(np.float32, copy=False)
                for i in range(len(chunks[0]))]
        return outs if len(outs) > 1 else outs[0]

    __call_model__ = predict

    # ------------------------------------------------------------------ weights
    def get_weights(self) -> list[np.ndarray]:
        return [w.read().copy() for w in self.weights]

    def set_weights(self, values: Sequence) -> None:
        weights = self.weights
        if len(values) != len(weights):
            raise FormatError(f"Model '{self.name}': set_weights got {len(values)} arrays but the model has "
                              f"{len(weights)} weights")
        for w, v in zip(weights, values):
            if tuple(np.shape(v)) != w.shape:
                raise FormatError(f"Model '{self.name}': weight '{w.name}' has shape {list(w.shape)} but the "
                                  f"array given has shape {list(np.shape(v))}")
        for w, v in zip(weights, values):
            w.write(v)

    def load_weights(self, weights: dict, strict: bool = True) -> None:
        """Set weights from {name: array} (TF.js's ``loadWeights``: strict name matching)."""
        load_named_weights(self, weights, strict)

    def get_layer(self, name: str | None = None, index: int | None = None):
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index}, but model only has "
                                 f"{len(self.layers)} layer(s).")
            return self.layers[index]
        if name is None:
            raise ValueError("Provide either a layer name or layer index")
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}")

    # ------------------------------------------------------------------ topology
    def to_json(self, return_string: bool = True):
        """The topology as TF.js writes it: {class_name, config, keras_version, backend}."""
        topology = {"class_name": self.get_class_name(), "config": self.get_config(),
                    "keras_version": KERAS_VERSION, "backend": BACKEND_NAME}
        return json.dumps(topology) if return_string else topology

    def set_user_defined_metadata(self, metadata: dict | None) -> None:
        if metadata is not None and not isinstance(metadata, dict):
            raise ValueError("User-defined metadata is expected to be a JSON object, but is not.")
        self.user_defined_metadata = metadata

    def get_user_defined_metadata(self) -> dict | None:
        return self.user_defined_metadata

    # ------------------------------------------------------------------ training (tfjs.training.engine)
    def compile(self, optimizer=None, loss=None, metrics=None) -> None:
        """``model.compile``: optimizer (an object from ``tf.train`` or a name: 'adam', 'sgd', 'rmsprop', ...),
        loss (TF.js's name or a function; one per output as a list or dict) and metrics."""
        from ..training import engine

        engine.compile_model(self, optimizer=optimizer, loss=loss, metrics=metrics)

    async def fit(self, x, y, batch_size: int = 32, epochs: int = 1, **kwargs):
        """``model.fit`` (async): returns a History (``history.history['loss']`` ...)."""
        from ..training import engine

        return await engine.fit(self, x, y, batch_size=batch_size, epochs=epochs, **kwargs)

    async def fit_dataset(self, dataset, epochs: int = 1, **kwargs):
        """``model.fitDataset`` over a Python iterable of {'xs', 'ys'} batches or (x, y) pairs."""
        from ..training import engine

        return await engine.fit_dataset(self, dataset, epochs=epochs, **kwargs)

    async def train_on_batch(self, x, y):
        from ..training import engine

        return await engine.train_on_batch(self, x, y)

    def evaluate(self, x, y, batch_size: int = 32, **kwargs):
        """``model.evaluate``: the loss (a float) or [loss, metrics...]."""
        from ..training import engine

        return engine.evaluate(self, x, y, batch_size=batch_size, **kwargs)

    def load_training_config(self, config: dict) -> None:
        from ..training import engine

        engine.load_training_config(self, config)

    # ------------------------------------------------------------------ saving
    def to_artifacts(self, include_optimizer: bool = False):
        from .. import io

        data, specs = io.encode_weights(named_weights(self))
        training_config = None
        if include_optimizer and getattr(self, "optimizer", None) is not None:
            from ..training import engine

            training_config = engine.training_config(self)
            opt_data, opt_specs = io.encode_weights(self.optimizer.get_weights(), group="optimizer")
            data, specs = data + opt_data, specs + opt_specs
        return io.ModelArtifacts(model_topology=self.to_json(return_string=False), weight_specs=specs,
                                 weight_data=data, format="layers-model", generated_by=GENERATED_BY,
                                 converted_by=None, user_defined_metadata=self.user_defined_metadata,
                                 training_config=training_config)

    async def save(self, url_or_handler: Any, include_optimizer: bool = False, trainable_only: bool = False):
        """Save topology and weights to a URL ('indexeddb://m', 'file://dir', ...) or a save handler."""
        from .. import io

        if trainable_only:
            raise NotImplementedError("save(trainable_only=True) is not supported")
        return await io.save(url_or_handler, self.to_artifacts(include_optimizer))

    # ------------------------------------------------------------------ summary
    def summary(self, line_length: int | None = None, positions: Sequence[float] | None = None,
                print_fn=print) -> None:
        from .summary import print_summary

        print_summary(self, line_length, positions, print_fn)

    def dispose(self) -> dict:
        from .. import backends

        backends.release_arrays(w.value for w in self.weights)
        out = super().dispose()
        for layer in self.layers:
            layer._disposed = True
        return out

    def __repr__(self) -> str:
        return f"<{self.get_class_name()} '{self.name}': {len(self.layers)} layers, {self.count_params()} params>"
