"""The ragged, sparse and string ops of TF.js's op API, over the graph-op mappers that compute them on the host
(``tfjs.graph.mappers.ragged / sparse / string``): one computation for graph models and for these functions."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidArgumentError


def run_mapper(op: str, inputs: list, **attrs: Any):
    """Run the graph-op mapper of ``op`` on host inputs, with the node attributes ``attrs``; a mapper's
    ValueError becomes an InvalidArgumentError naming the op."""
    from ..graph import Node, registry  # graph models load on first use (see tfjs.__init__)

    class OpNode(Node):
        """A node whose string attributes keep their case: TF.js's graph executor lower-cases string
        parameters, its op functions take them as given."""

        def str_attr(self, name, default=None, keep_case=False):
            return super().str_attr(name, default, keep_case=True)

    mapper, _ = registry.lookup(op)
    if mapper is None:
        raise InvalidArgumentError(f"{op}: no such op")
    try:
        return mapper(OpNode(name=op, op=op, attrs=attrs), list(inputs), None)
    except InvalidArgumentError:
        raise
    except ValueError as e:
        message = str(e)
        raise InvalidArgumentError(message if message.startswith(op) else f"{op}: {message}") from None
