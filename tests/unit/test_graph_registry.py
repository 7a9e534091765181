"""The graph op registry covers every op of TF.js's converter op lists (TFJS_FORMAT.md 8.2)."""

import pytest

import tfjs as tf
from tfjs.graph import registry

OP_LISTS = {
    "arithmetic": "Add AddV2 AddN BiasAdd Sub RealDiv Div DivNoNan FloorDiv Mul Maximum Minimum Pow "
                  "SquaredDifference Mod FloorMod",
    "basic_math": "Abs Acos Asin Atan Atan2 Ceil ClipByValue Complex ComplexAbs Cos Cosh Elu Exp Floor Log Imag "
                  "Neg Real Prelu Relu Relu6 Selu Sigmoid Sin Sinh Sqrt Rsqrt Square Tan Tanh Sign Round Expm1 "
                  "Log1p Reciprocal Softplus Asinh Acosh Atanh Erf LeakyRelu IsNan IsFinite IsInf",
    "control": "EmptyTensorList LoopCond Switch Merge Enter Exit NextIteration TensorArrayV3 TensorArrayWriteV3 "
               "TensorArrayReadV3 TensorArrayGatherV3 TensorArrayScatterV3 TensorArrayConcatV3 "
               "TensorArraySplitV3 TensorArraySizeV3 TensorArrayCloseV3 StatelessIf If StatelessWhile While "
               "TensorListScatter TensorListScatterV2 TensorListGather TensorListGetItem TensorListSetItem "
               "TensorListReserve TensorListFromTensor TensorListStack TensorListSplit TensorListConcat "
               "TensorListConcatV2 TensorListPopBack TensorListPushBack TensorListLength TensorListResize",
    "convolution": "AvgPool MaxPool MaxPoolWithArgmax AvgPool3D MaxPool3D Conv1D Conv2D _FusedConv2D "
                   "Conv2DBackpropInput DepthwiseConv2d DepthwiseConv2dNative FusedDepthwiseConv2dNative Conv3D "
                   "Dilation2D",
    "creation": "Fill LinSpace OneHot Ones OnesLike RandomStandardNormal RandomUniform RandomUniformInt Range "
                "TruncatedNormal Zeros ZerosLike Multinomial",
    "dynamic": "NonMaxSuppressionV2 NonMaxSuppressionV3 NonMaxSuppressionV4 NonMaxSuppressionV5 Where ListDiff",
    "evaluation": "LowerBound TopKV2 UpperBound Unique UniqueV2",
    "graph": "PlaceholderWithDefault Placeholder Const Identity IdentityN Snapshot Rank Size Shape ShapeN Print "
             "NoOp StopGradient FakeQuantWithMinMaxVars",
    "hash_table": "HashTable HashTableV2 LookupTableImport LookupTableImportV2 LookupTableFind LookupTableFindV2 "
                  "LookupTableSize LookupTableSizeV2 InitializeTable InitializeTableV2",
    "image": "ResizeBilinear ResizeNearestNeighbor CropAndResize ImageProjectiveTransformV3",
    "logical": "Equal NotEqual Greater GreaterEqual Less LessEqual LogicalAnd LogicalNot LogicalOr Select "
               "SelectV2 BitwiseAnd",
    "matrices": "_FusedMatMul MatMul BatchMatMul BatchMatMulV2 Transpose Einsum MatrixBandPart",
    "normalization": "EuclideanNorm FusedBatchNorm FusedBatchNormV2 FusedBatchNormV3 LRN Softmax LogSoftmax",
    "reduction": "Bincount DenseBincount Max Mean Min Sum All Any ArgMax ArgMin Prod Cumprod Cumsum",
    "slice_join": "ConcatV2 Concat GatherV2 Gather Reverse ReverseV2 Slice StridedSlice Pack Unpack Tile Split "
                  "SplitV ScatterNd GatherNd SparseToDense TensorScatterUpdate",
    "spectral": "FFT IFFT RFFT IRFFT",
    "transformation": "Cast ExpandDims MirrorPad Pad PadV2 Reshape EnsureShape Squeeze SpaceToBatchND "
                      "BatchToSpaceND DepthToSpace BroadcastTo BroadcastArgs",
}


@pytest.mark.parametrize("category", sorted(OP_LISTS))
def test_every_listed_op_has_a_mapper(category):
    missing = sorted(set(OP_LISTS[category].split()) - set(tf.graph.supported_ops()))
    assert missing == []


def test_supported_ops_is_the_registry():
    assert tf.graph.supported_ops() == sorted(registry._MAPPERS)
    cats = registry.categories()
    assert set(OP_LISTS) <= set(cats.values())


def test_register_op_adds_a_user_kernel_and_lists_it():
    tf.register_op("MyCustomOp", lambda node: node.inputs[0] * 2)
    try:
        assert "MyCustomOp" in tf.graph.supported_ops()
    finally:
        tf.graph.deregister_op("MyCustomOp")
    assert "MyCustomOp" not in tf.graph.supported_ops()
