"""Coverage against TF.js 4.22 itself, read at run time: its registered serializable classes (layers,
initializers, constraints, regularizers, optimizers) and its kernels per backend, from the page; the official
converter package's op lists (@tensorflow/tfjs-converter's op_list, the JSON its Python converter ships too).
Each prints what we have that TF.js has, what we lack and what we add. The lack lists of graph ops, layer,
initializer, constraint, regularizer and optimizer classes (and of the attention layers tfjs-layers' nlp modules
register outside TF.js's bundle) hold only what is left out by name (README: "Not supported, deliberately"); the
cpu kernel list may only shrink; the webgl list is printed."""

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
    "Dilation2DBackpropInput", "Draw", "EluGrad", "FlipLeftRight", "FusedConv2D", "FusedDepthwiseConv2D",
    "Identity", "LRNGrad", "MaxPool3DGrad", "MaxPoolGrad", "Mod", "Multiply", "NonMaxSuppressionV3",
    "NonMaxSuppressionV4", "RaggedGather", "RaggedRange", "RaggedTensorToTensor", "ResizeBilinearGrad",
    "ResizeNearestNeighborGrad", "RotateWithOffset", "SparseFillEmptyRows", "SparseReshape", "SparseSegmentMean",
    "SparseSegmentSum", "StaticRegexReplace", "StringNGrams", "StringSplit", "StringToHashBucketFast", "Transform",
    "_FusedMatMul"}


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
        if backend == "cpu":  # (webgl's list is another piece of work)
            assert lack <= CPU_KERNELS_NOT_YET, sorted(lack - CPU_KERNELS_NOT_YET)
