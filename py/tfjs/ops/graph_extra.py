"""Ops graph models need beyond the layers ones: more elementwise functions, indexing and layout,
creation, sorting and searching, detection, spectral and image ops.

Each function runs the active backend's kernel of the same name (``tfjs.backends``). Arrays keep TF.js's
dtypes: float32, int32, bool, complex64 and object (strings).
"""

from __future__ import annotations

import numpy as np

from .. import kernel_names as K
from .array import gather, pad  # noqa: F401  (GatherV2 with batch_dims; padding keeps the dtype)
from .dispatch import run, tensor


def _kernel(name: str, doc: str):
    def op(*args, **attrs):
        return run(name, *args, **attrs)
    op.__name__ = name
    op.__doc__ = f"{doc} (kernel '{name}')."
    return op


def _operand(x):
    """An op input keeping its dtype: a backend's device tensor (webgl) passes through untouched (never read
    back), a host value becomes a numpy array."""
    return tensor(x, None)


def binary(op_name: str, a, b):
    """Add, Sub, Mul, Maximum, Minimum, Pow, SquaredDifference in the inputs' common TF.js dtype."""
    return run(op_name, _operand(a), _operand(b))


def unary(op_name: str, x):
    """Neg, Abs, Square, Sign, Relu keeping int32 and complex64."""
    return run(op_name, _operand(x))


def divide(a, b):
    """TF.js's div: floor division for int32 / int32, true division otherwise."""
    a, b = _operand(a), _operand(b)
    if a.dtype.kind in "iu" and b.dtype.kind in "iu":
        return run(K.FloorDiv, a, b)
    if a.dtype.kind == "c" or b.dtype.kind == "c":
        return run(K.ComplexDiv, a.astype(np.complex64), b.astype(np.complex64))
    return run(K.RealDiv, a, b)


floor_div = _kernel(K.FloorDiv, "Floor of a / b (int32 stays int32)")
floor_mod = _kernel(K.FloorMod, "Remainder with the divisor's sign")
div_no_nan = _kernel(K.DivNoNan, "a / b, 0 where b is 0")
atan2 = _kernel(K.Atan2, "Elementwise atan2(a, b)")
bitwise_and = _kernel(K.BitwiseAnd, "Elementwise bitwise and of int32 arrays")
add_n = _kernel(K.AddN, "Sum of a list of arrays of one shape")
acos = _kernel(K.Acos, "Elementwise arccos")
asin = _kernel(K.Asin, "Elementwise arcsin")
atan = _kernel(K.Atan, "Elementwise arctan")
cosh = _kernel(K.Cosh, "Elementwise cosh")
sinh = _kernel(K.Sinh, "Elementwise sinh")
tan = _kernel(K.Tan, "Elementwise tan")
asinh = _kernel(K.Asinh, "Elementwise asinh")
acosh = _kernel(K.Acosh, "Elementwise acosh")
atanh = _kernel(K.Atanh, "Elementwise atanh")
is_nan = _kernel(K.IsNan, "Elementwise NaN test")
is_inf = _kernel(K.IsInf, "Elementwise infinity test")
is_finite = _kernel(K.IsFinite, "Elementwise finiteness test")
complex = _kernel(K.Complex, "complex64 from real and imaginary parts")  # noqa: A001
complex_abs = _kernel(K.ComplexAbs, "Modulus of complex64 values")
real = _kernel(K.Real, "Real part")
imag = _kernel(K.Imag, "Imaginary part")
cumsum = _kernel(K.Cumsum, "Cumulative sum (exclusive, reverse)")
cumprod = _kernel(K.Cumprod, "Cumulative product (exclusive, reverse)")
bincount = _kernel(K.Bincount, "Counts (or weight sums) of each value in [0, size)")
dense_bincount = _kernel(K.DenseBincount, "Bincount of a vector or of each row of a matrix (binary_output)")
zeros_like = _kernel(K.ZerosLike, "Zeros of x's shape and dtype")
ones_like = _kernel(K.OnesLike, "Ones of x's shape and dtype")
diag = _kernel(K.Diag, "A tensor of shape x.shape + x.shape with x on its diagonal")
unsorted_segment_sum = _kernel(K.UnsortedSegmentSum, "Sums of x's slices by segment id")
range_ = _kernel(K.Range, "start, start + step, ... below stop")
linspace = _kernel(K.LinSpace, "num evenly spaced values from start to stop")
random_uniform = _kernel(K.RandomUniform, "Uniform random values")
random_normal = _kernel(K.RandomStandardNormal, "Normal (optionally truncated) random values")
multinomial = _kernel(K.Multinomial, "Samples from categorical distributions")
top_k = _kernel(K.TopK, "Largest k values along the last axis and their indices")
unique = _kernel(K.Unique, "Unique values in order of appearance and the index of each element's value")
search_sorted = _kernel(K.SearchSorted, "Insertion points into sorted rows (side 'left' or 'right')")
list_diff = _kernel(K.ListDiff, "Values of x not in y, and their positions in x")
where_indices = _kernel(K.Where, "Coordinates of the true elements")
euclidean_norm = _kernel(K.EuclideanNorm, "Euclidean norm along axes")
matrix_band_part = _kernel(K.MatrixBandPart, "Keep a band around the diagonal of the innermost matrices")
einsum = _kernel(K.Einsum, "Einstein summation")
strided_slice = _kernel(K.StridedSlice, "TensorFlow's strided slice with begin/end/ellipsis/new-axis/shrink masks")
mirror_pad = _kernel(K.MirrorPad, "Padding by reflection ('reflect' or 'symmetric')")
gather_nd = _kernel(K.GatherNd, "Slices of params at index tuples")
scatter_nd = _kernel(K.ScatterNd, "Zeros of a shape with updates added at index tuples")
tensor_scatter_update = _kernel(K.TensorScatterUpdate, "A copy of a tensor with updates at index tuples")
sparse_to_dense = _kernel(K.SparseToDense, "A dense array from sparse indices and values")
space_to_batch_nd = _kernel(K.SpaceToBatchND, "Spatial blocks moved into the batch")
batch_to_space_nd = _kernel(K.BatchToSpaceND, "Batch moved back into spatial blocks")
depth_to_space = _kernel(K.DepthToSpace, "Depth moved into spatial blocks")
broadcast_to = _kernel(K.BroadcastTo, "Broadcast to a shape")
broadcast_args = _kernel(K.BroadcastArgs, "The broadcast shape of two shapes")


def fill(shape, value):
    """An array of a shape filled with a value, of the value's dtype."""
    return run(K.Fill, list(shape), value, dtype=None)

crop_and_resize = _kernel(K.CropAndResize, "Crops of boxes resized to one size")
projective_transform = _kernel(K.ImageProjectiveTransformV3, "Images under projective transforms")
non_max_suppression = _kernel(K.NonMaxSuppressionV5, "Greedy (soft) non-max suppression of boxes")
dilation2d = _kernel(K.Dilation2D, "Grayscale morphological dilation")
max_pool_with_argmax = _kernel(K.MaxPoolWithArgmax, "Max pooling and the flat position of each max")
lrn = _kernel(K.LRN, "Local response normalization across channels")
fft = _kernel(K.FFT, "Fourier transform of the innermost axis")
ifft = _kernel(K.IFFT, "Inverse Fourier transform of the innermost axis")
rfft = _kernel(K.RFFT, "Fourier transform of real input")
irfft = _kernel(K.IRFFT, "Inverse of rfft")
select = _kernel(K.Select, "Elementwise choice between a and b by a bool condition, keeping their dtype")


def compare(op_name: str, a, b):
    """Equal, NotEqual, Greater, GreaterEqual, Less, LessEqual on any dtype (bool result)."""
    return run(op_name, a, b)
