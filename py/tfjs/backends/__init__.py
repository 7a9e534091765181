"""Backends: named collections of kernels, one kernel per op, looked up by op name.

A backend knows kernels, never models. ``tfjs.ops`` asks the active backend for the kernel of an op by its
name (TF.js's kernel names: ``Conv2D``, ``MatMul``, ``Add``...), so "which ops does a backend cover" is a
question the code answers: :func:`backend_ops`.

    import tfjs as tf
    tf.set_backend("cpu"); tf.get_backend()      # 'cpu'
    tf.backends.backend_ops("cpu")               # ['Abs', 'Add', ..., 'Transpose']
"""

from __future__ import annotations

from typing import Callable

from ..errors import UnsupportedError


class Backend:
    """A backend: a name and a table of kernels (op name -> callable on numpy arrays)."""

    def __init__(self, name: str):
        self.name = name
        self.kernels: dict[str, Callable] = {}

    def register_kernel(self, op_name: str, kernel: Callable) -> None:
        self.kernels[op_name] = kernel

    def kernel(self, op_name: str) -> Callable:
        try:
            return self.kernels[op_name]
        except KeyError:
            raise UnsupportedError(f"Op '{op_name}' has no kernel in the '{self.name}' backend "
                                   f"({len(self.kernels)} ops covered; see tfjs.backends.backend_ops"
                                   f"('{self.name}'))") from None

    def __repr__(self) -> str:
        return f"<Backend {self.name!r}: {len(self.kernels)} kernels>"


_factories: dict[str, tuple[Callable[[], Backend], int]] = {}
_instances: dict[str, Backend] = {}
_active: str | None = None


def register_backend(name: str, factory: Callable[[], Backend], priority: int = 1) -> None:
    """Register a backend factory under ``name`` (the highest priority one is the default)."""
    _factories[name] = (factory, priority)


def list_backends() -> list[str]:
    """Names of the registered backends, highest priority first."""
    return [n for n, _ in sorted(_factories.items(), key=lambda kv: -kv[1][1])]


def find_backend(name: str) -> Backend:
    if getattr(_instances.get(name), "disposed", False):  # a disposed backend (e.g. lost WebGL context)
        del _instances[name]
    if name not in _instances:
        if name not in _factories:
            raise UnsupportedError(f"Backend '{name}' is not registered; registered backends: "
                                   f"{', '.join(list_backends()) or 'none'}")
        _instances[name] = _factories[name][0]()
    return _instances[name]


def set_backend(name: str) -> bool:
    """Make ``name`` the active backend (``tf.setBackend``). Returns True when it is ready."""
    find_backend(name)
    global _active
    _active = name
    return True


def get_backend() -> str:
    """The name of the active backend (``tf.getBackend``); the default is the highest priority one."""
    global _active
    if _active is None:
        names = list_backends()
        if not names:
            raise UnsupportedError("No backend is registered")
        _active = names[0]
    return _active


def backend() -> Backend:
    """The active backend object."""
    return find_backend(get_backend())


def backend_ops(name: str | None = None) -> list[str]:
    """The op names a backend has kernels for, sorted."""
    return sorted(find_backend(name or get_backend()).kernels)


def get_kernel(op_name: str) -> Callable:
    """The active backend's kernel for an op; an error naming the op and backend when it has none."""
    return backend().kernel(op_name)


def memory() -> dict:
    """``tf.memory()``: live tensors and device buffers of the active backend (numpy arrays are not counted)."""
    inst = backend()
    if hasattr(inst, "memory"):
        return inst.memory()
    return {"backend": inst.name, "numTensors": 0, "numTexturesInGPU": 0}


from . import cpu as _cpu  # noqa: E402  (registers the cpu backend)
from . import webgl as _webgl  # noqa: E402  (registers the webgl backend; it starts only in a browser)

__all__ = ["Backend", "register_backend", "list_backends", "find_backend", "set_backend", "get_backend",
           "backend", "backend_ops", "get_kernel", "memory"]
