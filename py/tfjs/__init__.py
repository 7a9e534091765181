"""tfjs: TensorFlow.js's model system in Python, in the browser under Pyodide and under CPython.

    import tfjs as tf
"""

from . import errors, io, platform
from ._version import __version__
from .platform import is_browser

__all__ = ["__version__", "errors", "io", "platform", "is_browser"]
