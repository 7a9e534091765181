"""The backend contract: what every backend implements, with the defaults a host-memory backend needs.

Models, the graph executor, training and :mod:`tfjs.ops` call only what is defined here; they never ask
which backend runs them, and a backend never sees a model object: it gets op names, tensors, attributes
and the weights a run reads.

A new backend, as a checklist:

1. Kernels: for each op it covers, ``registry.register_kernel(NAME, op, fn=... | make=...)`` at import,
   with ``supports=`` where it covers only some dtypes/shapes/attributes and the ``dtypes`` / ``shapes``
   it claims (the conformance suite checks each against the cpu kernel). Op names come from
   :mod:`tfjs.kernel_names`.
2. A subclass of :class:`Backend` (or ``Backend(NAME)`` itself for a stateless one) and
   ``register_backend(NAME, factory, priority)``.
3. Tensor placement, where its tensors live off the host: :meth:`Backend.upload`, :meth:`Backend.read`,
   :meth:`Backend.release` (and :meth:`Backend.from_pixels` for browser images). A device tensor says ``__tfjs_tensor__ = True`` and has ``shape``, ``dtype``
   and ``numpy()``.
4. Optionally :meth:`Backend.run_model` to plan a whole model run (keep weights resident, read outputs
   back once), :meth:`Backend.memory`, :meth:`Backend.fallback_report`, :meth:`Backend.compile_stats`.
5. :meth:`Backend.dispose`, setting ``disposed`` (a disposed backend is started afresh by
   ``tf.set_backend``).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from ..errors import UnsupportedError
from .registry import kernel_configs


class Backend:
    """A backend: a name and its table of kernels (op name -> callable), bound from the kernel registry.

    Every method has a default that suits a backend whose tensors are numpy arrays (cpu)."""

    #: True where :meth:`from_pixels` reads browser image sources itself (webgl); False: read on the host.
    reads_pixels: bool = False

    #: True once :meth:`dispose` ran: the backend's tensors are gone and a new instance must be started.
    disposed: bool = False

    def __init__(self, name: str):
        self.name = name
        self.kernels: dict[str, Callable] = {op: cfg.bind(self) for op, cfg in kernel_configs(name).items()}

    # ------------------------------------------------------------------ kernels
    def register_kernel(self, op_name: str, kernel: Callable) -> None:
        """Add or replace a kernel on this instance alone (the registry is unchanged)."""
        self.kernels[op_name] = kernel

    def kernel(self, op_name: str) -> Callable:
        """The callable for an op; an :class:`UnsupportedError` naming the op and the backend when none."""
        try:
            return self.kernels[op_name]
        except KeyError:
            raise UnsupportedError(f"Op '{op_name}' has no kernel in the '{self.name}' backend "
                                   f"({len(self.kernels)} ops covered; see tfjs.backends.backend_ops"
                                   f"('{self.name}'))") from None

    # ------------------------------------------------------------------ tensor placement
    def upload(self, value: Any) -> Any:
        """A tensor of this backend holding ``value`` (a numpy array or array-like)."""
        return np.asarray(value)

    def read(self, value: Any) -> np.ndarray:
        """A host numpy array with the values of one of this backend's tensors (or of a host value)."""
        return value.numpy() if getattr(value, "__tfjs_tensor__", False) else np.asarray(value)

    def release(self, arrays: Iterable[Any]) -> None:
        """Forget whatever this backend keeps for these host arrays (device copies of a disposed model's
        weights and constants). Default: nothing is kept."""

    def from_pixels(self, source: Any, width: int, height: int, num_channels: int) -> Any | None:
        """A [height, width, num_channels] tensor of a browser image source's pixel values (0..255) read by
        the backend itself (webgl: the browser copies the element into a texture), or None where the backend
        has no such path (the pixels are then read on the host). Default: None."""
        return None

    # ------------------------------------------------------------------ whole-model runs
    def run_model(self, run: Callable[[], Any], weights: Iterable[Any] = ()) -> Any:
        """Run one model prediction: ``run()`` calls ops; ``weights`` are the arrays it reads that stay the
        same from run to run (a backend may keep device copies of them). Returns what ``run()`` returns
        with every tensor of this backend in it (lists and tuples followed) read back as numpy, except in a
        run nested in another (a model used as a layer), whose tensors stay where they are."""
        return run()

    # ------------------------------------------------------------------ reports
    def memory(self) -> dict:
        """``tf.memory()``: live tensors and device buffers (numpy arrays are not counted)."""
        return {"backend": self.name, "numTensors": 0, "numTexturesInGPU": 0}

    def fallback_report(self) -> dict:
        """Ops that ran on another backend's kernel with this backend's tensors: {op: {calls, downloads,
        uploads}}. Default: none."""
        return {}

    def compile_stats(self) -> dict:
        """Programs compiled so far and the time it took: {"programs": n, "compile_ms": ms}."""
        return {"programs": 0, "compile_ms": 0.0}

    # ------------------------------------------------------------------ lifecycle
    def dispose(self) -> None:
        """Free what the backend holds; its tensors become unusable."""
        self.disposed = True

    def __repr__(self) -> str:
        return f"<Backend {self.name!r}: {len(self.kernels)} kernels>"


__all__ = ["Backend"]
