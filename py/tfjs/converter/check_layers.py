"""The converter's check of a layers model before it writes anything: the topology builds, and every weight
fits a layer weight by name and shape (no values are copied; layer weights are checked before allocation)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..errors import FormatError, UnsupportedError
from .write import ConverterError


def check_layers_model(topology: Any, weights: list[tuple[str, Any]], source: str,
                       log: Callable[[str], None] | None = None) -> None:
    """Raise a ConverterError naming ``source``, the layer and the weight when the weights do not fit the
    topology. A layer class this package does not implement skips the check (with a note to ``log``)."""
    from ..layers.base import building_for_stored_weights
    from ..layers.serialization import deserialize_layer, unwrap_topology
    from ..layers.weights_io import load_named_weights

    if not topology:
        return
    shapes = {name: tuple(np.shape(value)) for name, value in weights}
    try:
        with building_for_stored_weights(shapes, strict=True):
            model = deserialize_layer(unwrap_topology(topology))
        if not hasattr(model, "layers"):
            raise FormatError(f"the topology describes a {type(model).__name__}, not a model")
        views = {name: np.broadcast_to(np.zeros((), np.float32), shape) for name, shape in shapes.items()}
        load_named_weights(model, views, strict=True, check_only=True)
    except UnsupportedError as e:
        if log is not None:
            log(f"Note: the weights were not checked against the model config ({str(e).splitlines()[0]})")
    except (FormatError, TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as e:
        raise ConverterError(f"{source}: the model config and the weights do not fit: {e}") from None
