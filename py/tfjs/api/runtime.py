"""Backend and runtime functions of TF.js's top level that have a meaning here: ready, backend,
findBackend, removeBackend, print, sumOutType, upcastType, nextFrame."""

from __future__ import annotations

import asyncio

import numpy as np

from .. import backends
from .convert import convert, dtype_of, upcast


async def ready():
    """tf.ready(): the active backend, started (awaitable, as in TF.js); returns None."""
    backends.backend()


def backend():
    """tf.backend(): the active backend object (:class:`tfjs.backends.Backend`)."""
    return backends.backend()


def find_backend(name):
    """tf.findBackend(name): a started backend by name."""
    return backends.find_backend(name)


def register_backend(name, factory, priority=1):
    """tf.registerBackend(name, factory, priority=1): a factory returning a :class:`tfjs.backends.Backend`;
    returns True."""
    backends.register_backend(name, factory, priority)
    return True


def remove_backend(name):
    """tf.removeBackend(name): forget a backend and dispose of it."""
    backends.remove_backend(name)


def print(x, verbose=False):  # noqa: A001
    """tf.print(x, verbose=false): write the tensor (with its dtype, rank and shape when verbose) to stdout."""
    import builtins

    arr = np.asarray(convert(x, "x", "print"))
    values = "    " + np.array2string(arr, separator=", ").replace("\n", "\n    ")
    if verbose:
        builtins.print(f"Tensor\n  dtype: {dtype_of(arr)}\n  rank: {arr.ndim}\n  shape: {list(arr.shape)}\n"
                       f"  values:\n{values}")
    else:
        builtins.print(f"Tensor\n{values}")


def sum_out_type(dtype):
    """tf.sumOutType(dtype): the dtype of a sum of that dtype (bool sums as int32)."""
    return "int32" if dtype in ("bool", "int32") else dtype


def upcast_type(type_a, type_b):
    """tf.upcastType(typeA, typeB): complex64 over float32 over int32 over bool."""
    if "string" in (type_a, type_b):
        if type_a == type_b:
            return "string"
        raise ValueError(f"Can not upcast {type_a} with {type_b}")
    return upcast(type_a, type_b)


async def next_frame():
    """tf.nextFrame(): yield to the event loop once (in the page: let the browser draw), awaitable."""
    await asyncio.sleep(0)
