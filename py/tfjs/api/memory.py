"""Memory functions, with the meaning they have here.

Tensors are numpy arrays (cpu, wasm) or a backend's device tensors (webgl), and a device tensor's texture
goes back to the backend's pool when Python drops the last reference to it: there is no engine counting
references by scope as TF.js's does. So:

- ``tidy(fn)`` runs fn and returns its result; the intermediates fn made and dropped are freed as soon as
  fn returns (reference counting), and ``tidy`` also collects the youngest garbage-collector generation, so
  that tensors kept alive only by reference cycles made inside fn go too. Tensors fn returns (nested in
  lists, tuples, dicts) stay alive, as in TF.js.
- ``dispose(x)`` disposes of models and layers (anything with a ``dispose()`` method: their weights and
  their device copies); for tensors it can only drop this function's own reference: the caller's names still
  hold them, and they are freed when those go (``del t``).
- ``keep(x)`` returns x: nothing releases a tensor a name still holds, so every tensor is kept.
"""

from __future__ import annotations

import gc

from ..errors import InvalidArgumentError


def tidy(name_or_fn, fn=None):
    """tf.tidy(nameOrFn, fn?): run fn (no arguments) and return its result; see the module's text."""
    if fn is None:
        fn = name_or_fn
    elif not isinstance(name_or_fn, str):
        raise InvalidArgumentError("When calling with two arguments, the first argument to tidy() must be a string")
    if not callable(fn):
        raise InvalidArgumentError("The last argument to tidy() must be a function")
    result = fn()
    if hasattr(result, "__await__"):
        getattr(result, "close", lambda: None)()
        raise InvalidArgumentError("Cannot return a Promise inside of tidy.")
    gc.collect(0)
    return result


def dispose(container):
    """tf.dispose(container): dispose of each model or layer in a (nested) container; see the module's text."""
    stack = [container]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif callable(getattr(item, "dispose", None)):
            item.dispose()


def keep(result):
    """tf.keep(result): result itself; every tensor a name holds stays alive here."""
    return result


def dispose_variables():
    """tf.disposeVariables(): forget every variable alive (layers' weights are then no longer found by
    ``tf.variable_grads`` with no list)."""
    from .. import variables

    variables.forget_all()
