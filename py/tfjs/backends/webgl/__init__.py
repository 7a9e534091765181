"""The webgl backend: WebGL2 compute with tensors that stay on the GPU between ops.

    import tfjs as tf
    tf.set_backend("webgl")            # in the browser (Pyodide); a clear error elsewhere
    y = model.predict(x)               # kernels run as fragment shaders; y comes back with one readback
    tf.backends.webgl.current().fallback_report()   # ops that ran on the cpu kernel and what they cost

Ops with no WebGL kernel run on the cpu backend's kernel (download, compute, upload on next use); see
:meth:`WebGLBackend.gpu_ops` for the list. Under CPython the backend is registered but cannot start.
"""

from __future__ import annotations

from ..manager import register_backend
from . import kernels as _kernels  # noqa: F401  (registers the webgl kernels)
from .backend import WebGLBackend, create_webgl_backend
from .errors import NotOnGPU, WebGLError
from .tensor import GPUTensor, is_gpu


def current() -> WebGLBackend:
    """The webgl backend instance (started if needed)."""
    from ..manager import find_backend

    return find_backend("webgl")


def upload(x) -> GPUTensor:
    """Put a numpy array on the GPU (a GPUTensor on the webgl backend)."""
    return current().upload(x)


register_backend("webgl", create_webgl_backend, priority=0)

__all__ = ["WebGLBackend", "WebGLError", "GPUTensor", "NotOnGPU", "is_gpu", "current", "upload",
           "create_webgl_backend"]
