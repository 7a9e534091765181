"""The webgl kernels, one module per family; importing this package registers every one of them with the
kernel registry (tfjs.backends.registry), under the op names of tfjs.kernel_names.

    elementwise     unary and binary math, batch norm, cast (epilogues of a pending producer)
    compare         comparisons, logical ops, IsNan / IsInf / IsFinite (bool results), Select
    matmul          BatchMatMul / MatMul
    conv            Conv2D            depthwise   DepthwiseConv2dNative
    conv_transpose  Conv2DBackpropInput, Conv3DBackpropInputV2 (NDHWC)
    pool            MaxPool, AvgPool, MaxPoolWithArgmax, Dilation2D              lrn    LRN
    reduce          Sum, Mean, Max, Min, Prod, ArgMax, ArgMin; All, Any (bool)
    scan            Cumsum, Cumprod
    softmax         Softmax, LogSoftmax           concat      Concat, Pack, AddN
    layout          transpose, pad, slices, gathers, and the other index-map ops; reshapes
    resize          ResizeBilinear, CropAndResize                 one_hot     OneHot
    flip_rotate     FlipLeftRight, RotateWithOffset (source pixels from the cpu kernel's rule)
    scatter         TensorScatterUpdate, ScatterNd, SparseToDense
    search          SearchSorted (int32 results)  bitwise     BitwiseAnd (int32, exact)
    topk            TopK (rows of 100000 values or more, k up to 128; shorter rows go to the cpu kernel)
    creation        Fill, Range, LinSpace, ZerosLike, OnesLike, Diag
    segment         UnsortedSegmentSum, Bincount, DenseBincount
    volume          Conv3D, MaxPool3D, AvgPool3D (NDHWC)          transform   ImageProjectiveTransformV3
    einsum          Einsum (sums, transposes and one matrix product)
    multinomial     Multinomial (int32 samples from a counter-based hash)
"""

from . import (compare, concat, conv, conv_transpose, depthwise, elementwise, layout, matmul, pool,  # noqa: F401
               lrn, one_hot, reduce, resize, scan, scatter, search, softmax)
from . import bitwise, creation, einsum, flip_rotate, multinomial, segment, topk, transform, volume  # noqa: F401
