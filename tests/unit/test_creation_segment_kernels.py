"""The cpu kernels of Diag, UnsortedSegmentSum, DenseBincount, ZerosLike and OnesLike (values, dtypes, errors),
and where the webgl kernels of the creation, segment and int32 ops hand over to the cpu kernels: values a
float32 texture cannot hold exactly (past 2^24), dtypes it does not hold, outputs too small to be worth a pass."""

import numpy as np
import pytest

from tfjs import kernel_names as K
from tfjs.backends import find_backend, registry
from tfjs.errors import InvalidArgumentError

CPU = find_backend("cpu").kernels


def _supports(op):
    return registry.get_kernel_config("webgl", op).supports


def test_diag_puts_values_on_the_diagonal_keeping_the_dtype():
    x = np.array([[1, -2], [3, 4]], np.int32)
    out = CPU[K.Diag](x)
    assert out.shape == (2, 2, 2, 2) and out.dtype == np.int32
    assert np.array_equal(out.reshape(4, 4), np.diag([1, -2, 3, 4]))
    assert CPU[K.Diag](np.array([True, False])).dtype == np.bool_


def test_unsorted_segment_sum_drops_out_of_range_ids_and_names_bad_shapes():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    out = CPU[K.UnsortedSegmentSum](x, np.array([0, 2, -1, 0], np.int32), 3)
    assert out.dtype == np.float32
    assert np.array_equal(out, [[9, 11, 13], [0, 0, 0], [3, 4, 5]])
    ints = CPU[K.UnsortedSegmentSum](np.ones((3, 2), np.int32), np.array([[1], [1], [5]], np.int32)[:, 0], 2)
    assert ints.dtype == np.int32 and np.array_equal(ints, [[0, 0], [2, 2]])
    with pytest.raises(ValueError, match=r"segment_ids of shape \[3\] must be a prefix of x's shape \[4, 3\]"):
        CPU[K.UnsortedSegmentSum](x, np.zeros(3, np.int32), 2)
    with pytest.raises(ValueError, match="segment_ids must be integers"):
        CPU[K.UnsortedSegmentSum](x, np.zeros(4, np.float32), 2)


def test_dense_bincount_and_the_like_kernels():
    x = np.array([[0, 1, 1, 5], [2, 2, 2, 7]], np.int32)
    assert np.array_equal(CPU[K.DenseBincount](x, 3), [[1, 2, 0], [0, 0, 3]])  # from size up: not counted
    assert np.array_equal(CPU[K.DenseBincount](x, 3, binary_output=True), [[1, 1, 0], [0, 0, 1]])
    for op in (K.Bincount, K.DenseBincount):
        with pytest.raises(InvalidArgumentError, match=r"^Input x must be non-negative! \(Bincount: x holds -1\)"):
            CPU[op](np.array([[0, 1], [2, -1]], np.int32), 3)
    with pytest.raises(ValueError, match=r"rank 1 or 2, got shape \[1, 2, 4\]"):
        CPU[K.DenseBincount](x[None], 3)
    assert CPU[K.ZerosLike](np.ones((2, 3), np.int64)).dtype == np.int32
    ones = CPU[K.OnesLike](np.zeros((2,), np.bool_))
    assert ones.dtype == np.bool_ and ones.all()


def test_webgl_creation_kernels_take_outputs_worth_a_pass_and_exact_values():
    fill, rng, lin = _supports(K.Fill), _supports(K.Range), _supports(K.LinSpace)
    assert fill([40, 30], np.float32(2.0)) and fill([40, 30], np.int32(-(1 << 24)))
    assert not fill([40, 30], np.int32(1 << 25))           # past 2^24: the cpu kernel, exact
    assert not fill([10, 10], np.float32(2.0))             # 100 values: made on the host
    assert not fill([40, 30], "text") and not fill([40, 30], np.complex64(1))
    assert rng(0, 3000, 1, dtype="int32") and rng(10.0, -20.0, -0.0125)
    assert not rng(1 << 24, (1 << 24) + 3000, 1, dtype="int32")
    assert not rng(0, 3000, 0) and not rng(0, 10, 1)
    assert lin(0.0, 1.0, 2000) and not lin(0.0, 1.0, 1) and not lin(0.0, float("inf"), 2000)


def test_webgl_int32_ops_hand_inexact_host_values_to_the_cpu():
    big = np.array([1 << 25, 3], np.int32)
    small = np.array([7, -3], np.int32)
    cond = np.array([True, False])
    select, floor_div = _supports(K.Select), _supports(K.FloorDiv)
    assert select(cond, small, small) and not select(cond, big, small)
    assert not select(cond, small, small.astype(np.float32))   # branches of two dtypes: the cpu kernel's promotion
    assert not select(small, small, small)                     # an int32 condition
    assert floor_div(small, small) and not floor_div(big, small)
    seg, bincount = _supports(K.UnsortedSegmentSum), _supports(K.Bincount)
    assert seg(np.ones((2, 3), np.int32), small, 2)
    assert not seg(np.full((2, 3), 1 << 23, np.int32), small, 2)  # their sum passes 2^24
    assert bincount(np.abs(small), 4) and not bincount(big, 4)
    assert not bincount(small, 4)                                # a negative host id: the cpu kernel refuses it
    assert not bincount(small, 4, np.ones(2, np.float64))        # float64 weights: a float64 result


def test_webgl_int32_arithmetic_hands_inexact_host_values_to_the_cpu():
    big = np.array([1 << 25, 3], np.int32)
    small = np.array([7, -3], np.int32)
    for op in (K.Add, K.Sub, K.Mul, K.Maximum, K.Minimum, K.SquaredDifference):
        ok = _supports(op)
        assert ok(small, small) and ok(small, np.int32(1 << 24)) and ok(small, np.array([True, False]))
        assert not ok(big, small) and not ok(small, np.int32((1 << 24) + 1)), op
        assert ok(big, np.float32(0.5)) and ok(small.astype(np.float32), small)  # a float32 result: any ints
        assert not ok(small, np.array(["a", "b"]))
    for op in (K.Neg, K.Abs, K.Square, K.Sign, K.Relu):
        ok = _supports(op)
        assert ok(small) and ok(small.astype(np.float32)) and not ok(big), op
        assert not ok(np.array([True, False])) and not ok(small.astype(np.float64)), op
    assert not _supports(K.RealDiv)(small, small)                # TF.js's RealDiv is float32 only here
    assert _supports(K.RealDiv)(small, small.astype(np.float32))
