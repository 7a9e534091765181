"""Coverage against TF.js 4.22 itself, read at run time: its registered serializable classes (layers,
initializers, constraints, regularizers, optimizers) and its kernels per backend, from the page; the official
converter package's op lists (@tensorflow/tfjs-converter's op_list, the JSON its Python converter ships too).
Each prints what we have that TF.js has, what we lack and what we add. The lack lists of graph ops, layer,
initializer, constraint, regularizer and optimizer classes (and of the attention layers tfjs-layers' nlp modules
register outside TF.js's bundle) hold only what is left out by name (README: "Not supported, deliberately"); the
cpu kernel list may only shrink; the webgl list holds only what WEBGL_KERNELS_LEFT_OUT names, by the reason of its
group (README: "The webgl backend"), and may only shrink."""

from __future__ import annotations

import glob
import re

import pytest

import tfjs as tf
from harness import ROOT, add_reference_tfjs

pytestmark = pytest.mark.e2e

# Left out by name: TF Decision Forests ops need TF.js's separate tfjs-tfdf package.
GRAPH_OPS_LEFT_OUT = {"SimpleMLCreateModelResource", "SimpleMLInferenceOpWithHandle",
                      "SimpleMLLoadModelFromPathWithHandle"}
# TF.js cpu kernels with no kernel of that name in the cpu registry yet: gradient kernels (our tape differentiates
# through the forward ops instead), fused and aliased names the executor lowers to other kernels, and the ragged /
# sparse / string groups, which run as graph-op mappers. The list may only shrink.
CPU_KERNELS_NOT_YET = {
    "AvgPool3DGrad", "AvgPoolGrad", "Conv2DBackpropFilter", "Conv3DBackpropFilterV2",
    "DepthwiseConv2dNativeBackpropFilter", "DepthwiseConv2dNativeBackpropInput", "Dilation2DBackpropFilter",
    "Dilation2DBackpropInput", "Draw", "EluGrad", "FusedConv2D", "FusedDepthwiseConv2D",
    "Identity", "LRNGrad", "MaxPool3DGrad", "MaxPoolGrad", "Mod", "Multiply", "NonMaxSuppressionV3",
    "NonMaxSuppressionV4", "RaggedGather", "RaggedRange", "RaggedTensorToTensor", "ResizeBilinearGrad",
    "ResizeNearestNeighborGrad", "SparseFillEmptyRows", "SparseReshape", "SparseSegmentMean",
    "SparseSegmentSum", "StaticRegexReplace", "StringNGrams", "StringSplit", "StringToHashBucketFast", "Transform",
    "_FusedMatMul"}

# TF.js webgl kernels with no webgl kernel of that name here, by the reason of their group. The mapping may only
# shrink; each group's claim is checked below against the registries (test_webgl_left_out_groups_hold).
GRADIENT = "gradient kernel: the tape differentiates through the forward ops' kernels, which run on the GPU"
SPELLED = "spelled differently here: the kernel of the name in WEBGL_ALIASES runs on the GPU"
LOWERED = ("fused kernel the graph executor lowers: the convolution or product and its fused ops run as webgl "
           "kernels that the fusion planner joins into one pass")
HOST = ("host op: TF.js's own webgl backend reads its inputs back and runs it on the CPU (data-dependent output "
        "sizes, strings, or shape vectors of a few ints); here the cpu kernel runs it")
COMPLEX = ("complex64: the cpu backend holds complex64 tensors (numpy); under webgl they stay on the cpu, and "
           "these kernels with them")
NO_KERNEL = "no kernel here on any backend (the cpu list holds it too)"
WEBGL_KERNELS_LEFT_OUT = {
    **dict.fromkeys(["AvgPool3DGrad", "AvgPoolGrad", "Conv2DBackpropFilter", "Conv3DBackpropFilterV2",
                     "DepthwiseConv2dNativeBackpropFilter", "DepthwiseConv2dNativeBackpropInput", "EluGrad",
                     "LRNGrad", "MaxPool3DGrad", "MaxPoolGrad", "ResizeBilinearGrad", "ResizeNearestNeighborGrad"],
                    GRADIENT),
    **dict.fromkeys(["Multiply", "Mod", "Transform"], SPELLED),
    **dict.fromkeys(["FusedConv2D", "FusedDepthwiseConv2D", "_FusedMatMul"], LOWERED),
    **dict.fromkeys(["BroadcastArgs", "NonMaxSuppressionV3", "NonMaxSuppressionV4", "NonMaxSuppressionV5", "Unique",
                     "RaggedGather", "RaggedRange", "RaggedTensorToTensor", "SparseFillEmptyRows", "SparseReshape",
                     "SparseSegmentMean", "SparseSegmentSum", "StaticRegexReplace", "StringNGrams", "StringSplit",
                     "StringToHashBucketFast"], HOST),
    **dict.fromkeys(["Complex", "Real", "Imag", "ComplexAbs", "FFT", "IFFT"], COMPLEX),
    # the backend contract's from_pixels (tfjs.backends.base.Backend.from_pixels): webgl copies an image
    # element straight into a texture there, not through a kernel
    "FromPixels": "the backend contract's from_pixels, not a kernel: webgl copies the image into a texture",
    # the graph executor forwards an Identity node's tensor; no kernel runs
    "Identity": "the graph executor forwards the tensor: no kernel runs, on any backend",
}
#: TF.js's kernel name -> ours, for the names spelled differently (SPELLED)
WEBGL_ALIASES = {"Multiply": "Mul", "Mod": "FloorMod", "Transform": "ImageProjectiveTransformV3"}
#: TF.js's fused kernel -> the webgl kernels it is lowered to (LOWERED)
WEBGL_LOWERED = {"FusedConv2D": ["Conv2D"], "FusedDepthwiseConv2D": ["DepthwiseConv2dNative"],
                 "_FusedMatMul": ["BatchMatMul", "MatMul"]}
#: TF.js's gradient kernel -> the forward kernels the tape differentiates through (GRADIENT)
WEBGL_GRADIENT_OF = {"AvgPool3DGrad": "AvgPool3D", "AvgPoolGrad": "AvgPool", "Conv2DBackpropFilter": "Conv2D",
                     "Conv3DBackpropFilterV2": "Conv3D", "DepthwiseConv2dNativeBackpropFilter": "DepthwiseConv2dNative",
                     "DepthwiseConv2dNativeBackpropInput": "DepthwiseConv2dNative", "EluGrad": "Elu",
                     "LRNGrad": "LRN", "MaxPool3DGrad": "MaxPool3D", "MaxPoolGrad": "MaxPool",
                     "ResizeBilinearGrad": "ResizeBilinear", "ResizeNearestNeighborGrad": "ResizeNearestNeighbor"}


def _report(what, theirs, ours):
    have, lack, add = sorted(theirs & ours), sorted(theirs - ours), sorted(ours - theirs)
    print(f"\n{what}: TF.js {len(theirs)}, here {len(ours)}; have {len(have)}\n  lack ({len(lack)}): {lack}\n"
          f"  add ({len(add)}): {add}")
    return set(lack)


def test_graph_ops_against_the_converter_op_lists():
    files = glob.glob(str(ROOT / "node_modules/@tensorflow/tfjs-converter/dist/operations/op_list/*.js"))
    assert len(files) >= 15, "the converter package's op lists are missing (npm install)"
    theirs = set()
    for f in files:
        theirs |= set(re.findall(r"'tfOpName': '(\w+)'", open(f, encoding="utf-8").read()))
    assert len(theirs) > 200
    lack = _report("graph ops (converter op lists)", theirs, set(tf.graph.supported_ops()))
    assert lack <= GRAPH_OPS_LEFT_OUT, sorted(lack - GRAPH_OPS_LEFT_OUT)


CLASSES_JS = """() => {
  const map = tf.serialization.SerializationMap.getMap().classNameMap;
  const out = {layers: [], initializers: [], constraints: [], regularizers: [], optimizers: [], other: []};
  const probe = {
    layers: (c) => c.prototype instanceof tf.layers.Layer,
    optimizers: (c) => c.name.endsWith('Optimizer') || (tf.Optimizer && c.prototype instanceof tf.Optimizer),
    initializers: (c) => typeof c.prototype.apply === 'function' && c.prototype.apply.length === 2,
  };
  for (const [name, [cls]] of Object.entries(map)) {
    if (probe.layers(cls)) out.layers.push(name);
    else if (probe.optimizers(cls)) out.optimizers.push(name);
    else if (['MaxNorm', 'UnitNorm', 'NonNeg', 'MinMaxNorm'].includes(name) ||
             Object.getPrototypeOf(cls).name === 'Constraint') out.constraints.push(name);
    else if (Object.getPrototypeOf(cls).name === 'Regularizer' || name === 'L1L2') out.regularizers.push(name);
    else if (probe.initializers(cls)) out.initializers.push(name);
    else out.other.push(name);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def tfjs_classes(app_page):
    add_reference_tfjs(app_page)
    return app_page.evaluate(CLASSES_JS)


def test_layer_classes_against_tfjs_registry(tfjs_classes):
    theirs = set(tfjs_classes["layers"])
    assert {"Dense", "LSTM", "Conv2D"} <= theirs
    from tfjs.layers.serialization import CLASS_ALIASES

    ours = set(tf.layers.registered_classes()) | {a for a, name in CLASS_ALIASES.items()
                                                  if name in tf.layers.registered_classes()}
    lack = _report("layer classes", theirs, ours)
    assert not lack


NLP_JS = """async (prefix) => {
  const core = await import(prefix + 'core.js');
  const map = core.serialization.SerializationMap.getMap().classNameMap;
  const names = [];
  for (const m of ['einsum_dense', 'multihead_attention', 'modeling/position_embedding',
                   'modeling/cached_multihead_attention', 'modeling/transformer_decoder']) {
    const mod = await import(prefix + 'layers/layers/nlp/' + m + '.js');
    // Each registered class the module defines, by its own name (CachedMultiHeadAttention registers under
    // its parent's className; models name it by its own).
    for (const v of Object.values(mod))
      if (typeof v === 'function' && v.className && map[v.className]) names.push(v.name);
  }
  return names;
}"""


def test_attention_layer_classes_tfjs_registers_beyond_its_bundle(app_page):
    """The layer classes tfjs-layers' nlp modules register (tokenizers and GPT-2 left out by name)."""
    from tfjs_modules import PREFIX, serve_tfjs_modules

    serve_tfjs_modules(app_page)
    theirs = set(app_page.evaluate(NLP_JS, PREFIX))
    assert {"EinsumDense", "MultiHeadAttention", "CachedMultiHeadAttention", "PositionEmbedding",
            "TransformerDecoder"} <= theirs
    ours = {n for n in tf.layers.registered_classes()
            if tf.layers.get_class(n).__module__ in ("tfjs.layers.attention", "tfjs.layers.transformer")}
    lack = _report("nlp layer classes", theirs, ours)
    assert not lack


def test_constraint_regularizer_initializer_optimizer_classes(tfjs_classes):
    from tfjs.layers import constraints, initializers
    from tfjs.training import optimizers

    cases = {"constraints": set(constraints.CLASSES), "regularizers": {"L1L2"},
             "initializers": set(initializers.KNOWN),
             "optimizers": {cls.class_name for cls in vars(optimizers).values()
                            if isinstance(cls, type) and getattr(cls, "class_name", None)}}
    for what, ours in cases.items():
        theirs = set(tfjs_classes[what])
        assert theirs, what
        assert not _report(what, theirs, ours), what
    print(f"\nother serializable classes in TF.js: {sorted(tfjs_classes['other'])}")


def test_kernels_per_backend_against_tfjs(app_page):
    from tfjs.backends import registry

    add_reference_tfjs(app_page)
    for backend in ("cpu", "webgl"):
        theirs = set(app_page.evaluate(f"tf.getKernelsForBackend('{backend}').map(k => k.kernelName)"))
        assert len(theirs) > 100, backend
        lack = _report(f"{backend} kernels", theirs, set(registry.registered_ops(backend)))
        if backend == "cpu":
            assert lack <= CPU_KERNELS_NOT_YET, sorted(lack - CPU_KERNELS_NOT_YET)
        else:
            assert lack <= set(WEBGL_KERNELS_LEFT_OUT), sorted(lack - set(WEBGL_KERNELS_LEFT_OUT))
            gone = sorted(set(WEBGL_KERNELS_LEFT_OUT) - lack)
            assert not gone, f"now covered: remove {gone} from WEBGL_KERNELS_LEFT_OUT"
            groups = {}
            for name in sorted(lack):
                groups.setdefault(WEBGL_KERNELS_LEFT_OUT[name], []).append(name)
            print("  left to the cpu, by reason:\n" + "\n".join(f"    {reason}: {names}"
                                                               for reason, names in groups.items()))


def test_webgl_left_out_groups_hold():
    """Each group's reason holds: aliases and lowered kernels name webgl kernels; gradient kernels have webgl
    forward kernels; host ops have cpu kernels or host graph-op mappers; complex64 kernels have cpu kernels; the
    kernels no backend has are absent from the cpu registry too."""
    from tfjs import kernel_names
    from tfjs.backends import registry

    webgl, cpu = set(registry.registered_ops("webgl")), set(registry.registered_ops("cpu"))
    graph_ops = set(tf.graph.supported_ops())
    for theirs, reason in WEBGL_KERNELS_LEFT_OUT.items():
        assert theirs not in webgl, f"{theirs} has a webgl kernel: remove it from WEBGL_KERNELS_LEFT_OUT"
        if reason == SPELLED:
            assert WEBGL_ALIASES[theirs] in webgl and theirs not in kernel_names.ALL, theirs
        elif reason == LOWERED:
            assert all(k in webgl for k in WEBGL_LOWERED[theirs]), theirs
        elif reason == GRADIENT:
            assert WEBGL_GRADIENT_OF[theirs] in webgl, theirs
        elif reason == HOST:
            # a cpu kernel, or a graph op whose mapper computes on the host (ragged, sparse and string groups;
            # NonMaxSuppressionV3 / V4 through V5's kernel)
            assert theirs in cpu or theirs in graph_ops, theirs
        elif reason == COMPLEX:
            assert theirs in cpu, theirs
        elif reason == NO_KERNEL:
            assert theirs not in cpu and theirs in CPU_KERNELS_NOT_YET, theirs
    assert set(WEBGL_ALIASES) == {k for k, r in WEBGL_KERNELS_LEFT_OUT.items() if r == SPELLED}
    assert set(WEBGL_LOWERED) == {k for k, r in WEBGL_KERNELS_LEFT_OUT.items() if r == LOWERED}
    assert set(WEBGL_GRADIENT_OF) == {k for k, r in WEBGL_KERNELS_LEFT_OUT.items() if r == GRADIENT}
