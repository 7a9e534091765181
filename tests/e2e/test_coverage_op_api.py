"""Coverage of TF.js 4.22's op API, read at run time from the page's ``tf``: its top-level functions and the
functions of its op namespaces (image, linalg, signal, spectral, math, sparse, string, fused), each name turned
into snake_case (``matMul`` -> ``mat_mul``) and looked up on ``tfjs`` / ``tfjs.<namespace>``. Prints what we have,
lack and add; the lack list may only shrink (``OP_API_NOT_YET``, by reason).

What counts as API to mirror: every function TF.js exports at the top level (classes, capitalized, are not
functions of the op API: Tensor, Variable, the optimizers and models are covered by the layers/training
coverage) and every function of the namespaces above. TF.js's other non-function exports are internals of its
engine and backends and are not mirrored: ENV, version*, util, backend_util, broadcast_util, device_util,
gather_util, scatter_util, slice_util, tensor_util, serialization, kernel_impls, test_util, webgl, webgl_util,
gpgpu_util, the kernel-name constants (``Add``, ``Conv2D`` ...: ``tfjs.kernel_names``). The namespaces
layers, io, losses, train, browser, data, callbacks, constraints, initializers, regularizers, metrics and
models are covered by their own tests (test_coverage_tfjs.py, test_losses_tfjs.py, test_layers_*).
"""

from __future__ import annotations

import pytest

import tfjs as tf
from harness import add_reference_tfjs
from tfjs.naming import to_snake_case

pytestmark = pytest.mark.e2e

NAMESPACES = ("image", "linalg", "signal", "spectral", "math", "sparse", "string", "fused")

TENSOR_CLASS = ("TF.js's Variable, a tensor with assign(): here tensors are numpy arrays (or device tensors) and "
                "weights are LayerVariables (tfjs.variables)")
REGISTRY = ("TF.js's engine and kernel/gradient registries: here tfjs.backends (register_kernel(backend, op, fn=...),"
            " registered_ops, register_backend) and tfjs.training.gradients, with their own signatures")
ENV = "TF.js's environment flags, deprecation warnings and engine profiling: no such engine state here"
SYNC_IO = "synchronous model loading: every load here awaits its IO (tf.load_graph_model)"
OP_API_NOT_YET = {
    "variable": TENSOR_CLASS,
    **dict.fromkeys(["copy_registered_kernels", "custom_grad", "engine", "find_backend_factory",
                     "get_gradient", "get_kernel", "get_kernels_for_backend", "op",
                     "register_gradient", "register_kernel", "unregister_gradient", "unregister_kernel",
                     "set_platform", "set_web_gl_context", "force_half_float", "register_callback_constructor"],
                    REGISTRY),
    **dict.fromkeys(["env", "enable_debug_mode", "enable_prod_mode", "deprecation_warn",
                     "disable_deprecation_warnings", "profile", "time"], ENV),
    "load_graph_model_sync": SYNC_IO,
}

NAMES_JS = """(namespaces) => {
  const fns = (o) => Object.keys(o).filter((k) => typeof o[k] === 'function' && /^[a-z]/.test(k));
  const out = {top: fns(tf)};
  for (const ns of namespaces) out[ns] = fns(tf[ns]);
  return out;
}"""


def snake(name: str) -> str:
    return "is_nan" if name == "isNaN" else to_snake_case(name)


def test_op_api_against_tfjs(app_page):
    add_reference_tfjs(app_page)
    names = app_page.evaluate(NAMES_JS, list(NAMESPACES))
    assert len(names["top"]) > 230 and {"add", "matMul", "tidy", "oneHot"} <= set(names["top"])
    theirs = {snake(n) for n in names["top"]}
    ours = {n for n in theirs if hasattr(tf, n)}
    for ns in NAMESPACES:
        assert names[ns], ns
        module = getattr(tf, ns, None)
        for n in names[ns]:
            theirs.add(f"{ns}.{snake(n)}")
            if module is not None and callable(getattr(module, snake(n), None)):
                ours.add(f"{ns}.{snake(n)}")
    from tfjs import api

    added = set(api.TOP_LEVEL) - theirs
    added |= {f"{ns}.{n}" for ns, m in api.NAMESPACES.items() for n in dir(m)
              if callable(getattr(m, n)) and not n.startswith("_") and getattr(getattr(m, n), "__module__", "") ==
              m.__name__ and not isinstance(getattr(m, n), type)} - theirs
    lack = theirs - ours
    print(f"\nop API: TF.js {len(theirs)}, have {len(ours)}\n  lack ({len(lack)}): {sorted(lack)}\n"
          f"  add ({len(added)}): {sorted(added)}")
    assert lack <= set(OP_API_NOT_YET), f"lacking, not in OP_API_NOT_YET: {sorted(lack - set(OP_API_NOT_YET))}"
    gone = sorted(set(OP_API_NOT_YET) - lack)
    assert not gone, f"now covered: remove {gone} from OP_API_NOT_YET"
    groups = {}
    for name in sorted(lack):
        groups.setdefault(OP_API_NOT_YET[name], []).append(name)
    print("  not yet, by reason:\n" + "\n".join(f"    {reason}: {ns}" for reason, ns in groups.items()))
