"""The backends of this process: their factories, the instances started, the active one.

    tf.set_backend("cpu"); tf.get_backend()      # 'cpu'
    tf.backends.backend_ops("cpu")               # ['Abs', 'Add', ..., 'Transpose']
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from ..errors import UnsupportedError
from .base import Backend

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
    inst = _instances.get(name)
    if inst is not None and inst.disposed:  # a disposed backend (e.g. lost WebGL context) starts afresh
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
    return backend().memory()


def release_arrays(arrays: Iterable[Any]) -> None:
    """Every started backend forgets what it keeps for these host arrays (a disposed model's weights);
    backends that have not started are left alone."""
    arrays = list(arrays)
    for inst in list(_instances.values()):
        if not inst.disposed:
            inst.release(arrays)


def remove_backend(name: str) -> None:
    """Forget a backend's factory and dispose of its instance (a test's or a plugin's backend)."""
    _factories.pop(name, None)
    inst = _instances.pop(name, None)
    if inst is not None and not inst.disposed:
        inst.dispose()
    global _active
    if _active == name:
        _active = None
