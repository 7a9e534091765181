"""The kernel registry: (backend name, op name) -> :class:`KernelConfig`.

A backend module registers its kernels here when it is imported; a backend object binds the table of its
name when it starts (:class:`tfjs.backends.base.Backend`). So "which ops does backend X cover" is
:func:`registered_ops` ("x"), answered before any backend starts (the webgl one needs a browser), and the
conformance suite walks the same table.

    from tfjs import kernel_names as K
    from tfjs.backends.registry import register_kernel
    register_kernel("mybackend", K.Relu, fn=my_relu, dtypes=("float32",))

Keys are tuples, so a backend name may hold any character.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .. import kernel_names

#: Shape classes a kernel can claim (the conformance suite generates inputs of each):
#: "scalar" rank 0; "vector" rank 1; "matrix" rank 2; "rank3"; "image" rank 4 channels-last (N, H, W, C) with
#: few channels; "image_c4" rank 4 with C a multiple of 4 and at least 16 (the layout webgl keeps a pixel per
#: texture row); "broadcast" inputs of different shapes that broadcast; "large" more than 16384 elements (a
#: texture of several rows); "volume" rank 5 channels-last (N, D, H, W, C), what 3D convolution and pooling take.
SHAPE_CLASSES = ("scalar", "vector", "matrix", "rank3", "image", "image_c4", "broadcast", "large", "volume")


@dataclass(frozen=True)
class KernelConfig:
    """One kernel of one backend.

    - ``fn(*inputs, **attrs)``: the kernel, for a backend whose kernels need no state of their own (cpu); or
    - ``make(backend) -> fn``: a factory called when a backend object starts and binds its table (webgl's
      kernels hold the backend's context, program cache and textures).
    - ``supports(*inputs, **attrs) -> bool``: where the kernel covers only some dtypes, shapes or attributes,
      True for the inputs it takes; the backend then runs the op elsewhere (webgl: on the cpu kernel) without
      calling ``fn``. None: every input the op accepts.
    - ``dtypes`` and ``shapes``: the input dtypes and shape classes (:data:`SHAPE_CLASSES`) the kernel claims;
      the conformance suite checks it against the cpu kernel on each.
    - ``generator``: the output comes from attributes and scalars (Fill, Range, LinSpace): a backend that keeps
      small host inputs on the host asks such a kernel anyway, and its ``supports`` says when the output is
      worth making on the device (instead of on the host and uploaded).
    """

    backend: str
    op: str
    fn: Callable[..., Any] | None = None
    make: Callable[[Any], Callable[..., Any]] | None = None
    supports: Callable[..., bool] | None = None
    dtypes: tuple[str, ...] = ("float32",)
    shapes: tuple[str, ...] = field(default_factory=tuple)
    generator: bool = False

    def bind(self, backend: Any) -> Callable[..., Any]:
        """The callable a started backend object runs for this op."""
        return self.fn if self.make is None else self.make(backend)


_KERNELS: dict[tuple[str, str], KernelConfig] = {}


def register_kernel(backend: str, op: str, fn: Callable | None = None, *, make: Callable | None = None,
                    supports: Callable[..., bool] | None = None, dtypes: tuple[str, ...] = ("float32",),
                    shapes: tuple[str, ...] = (), replace: bool = False, generator: bool = False) -> KernelConfig:
    """Register the kernel of ``op`` for ``backend`` (exactly one of ``fn`` and ``make``). ``op`` must be a
    name of :mod:`tfjs.kernel_names`; a second registration of the same pair is an error unless ``replace``."""
    if (fn is None) == (make is None):
        raise ValueError(f"register_kernel('{backend}', '{op}'): give exactly one of fn and make")
    if op not in kernel_names.ALL:
        raise ValueError(f"register_kernel('{backend}', '{op}'): '{op}' is not an op name of "
                         f"tfjs.kernel_names (add it there first)")
    unknown = [s for s in shapes if s not in SHAPE_CLASSES]
    if unknown:
        raise ValueError(f"register_kernel('{backend}', '{op}'): unknown shape classes {unknown}; "
                         f"known: {list(SHAPE_CLASSES)}")
    key = (backend, op)
    if key in _KERNELS and not replace:
        raise ValueError(f"The kernel of '{op}' for backend '{backend}' is registered already")
    config = KernelConfig(backend, op, fn, make, supports, tuple(dtypes), tuple(shapes), generator)
    _KERNELS[key] = config
    return config


def unregister_kernel(backend: str, op: str) -> None:
    """Remove a kernel; an error naming both when there is none."""
    if _KERNELS.pop((backend, op), None) is None:
        raise KeyError(f"The kernel of '{op}' for backend '{backend}' is not registered")


def get_kernel_config(backend: str, op: str) -> KernelConfig | None:
    return _KERNELS.get((backend, op))


def kernel_configs(backend: str) -> dict[str, KernelConfig]:
    """Every kernel registered for ``backend``, by op name."""
    return {op: cfg for (b, op), cfg in _KERNELS.items() if b == backend}


def registered_ops(backend: str) -> list[str]:
    """The op names ``backend`` has kernels for, sorted."""
    return sorted(op for (b, op) in _KERNELS if b == backend)


def registered_backends() -> list[str]:
    """The backend names that have at least one kernel registered, sorted."""
    return sorted({b for b, _ in _KERNELS})


__all__ = ["KernelConfig", "SHAPE_CLASSES", "register_kernel", "unregister_kernel", "get_kernel_config",
           "kernel_configs", "registered_ops", "registered_backends"]
