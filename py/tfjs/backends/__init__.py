"""Backends: named collections of kernels, one kernel per op, looked up by op name.

The contract every backend implements is :class:`tfjs.backends.base.Backend`; kernels are registered in
:mod:`tfjs.backends.registry` under the names of :mod:`tfjs.kernel_names`. A backend knows kernels, never
models. ``tfjs.ops`` asks the active backend for the kernel of an op by its name (TF.js's kernel names:
``Conv2D``, ``MatMul``, ``Add``...), so "which ops does a backend cover" is a question the code answers:
:func:`backend_ops` (a started backend's table) and :func:`registered_ops` (the registry, no start).

    import tfjs as tf
    tf.set_backend("cpu"); tf.get_backend()      # 'cpu'
    tf.backends.backend_ops("cpu")               # ['Abs', 'Add', ..., 'Transpose']
"""

from __future__ import annotations

from .base import Backend
from .manager import (backend, backend_ops, find_backend, get_backend, get_kernel, list_backends, memory,
                      register_backend, release_arrays, remove_backend, set_backend)
from .registry import KernelConfig, kernel_configs, register_kernel, registered_ops

from . import cpu as _cpu  # noqa: E402,F401  (registers the cpu backend)
from . import webgl as _webgl  # noqa: E402,F401  (registers the webgl backend; it starts only in a browser)
from . import wasm as _wasm  # noqa: E402,F401  (registers the wasm kernels; the backend is offered in the page)

__all__ = ["Backend", "KernelConfig", "register_kernel", "kernel_configs", "registered_ops", "release_arrays",
           "register_backend", "remove_backend", "list_backends", "find_backend", "set_backend", "get_backend",
           "backend", "backend_ops", "get_kernel", "memory"]
