"""tf.sparse: sparseFillEmptyRows, sparseReshape, sparseSegmentMean, sparseSegmentSum (TF's semantics)."""

from __future__ import annotations

from typing import NamedTuple

from .convert import convert
from .host_ops import run_mapper


class FilledRows(NamedTuple):
    output_indices: object
    output_values: object
    empty_row_indicator: object
    reverse_index_map: object


def sparse_fill_empty_rows(indices, values, dense_shape, default_value):
    """tf.sparse.sparseFillEmptyRows(indices, values, denseShape, defaultValue): (output_indices,
    output_values, empty_row_indicator, reverse_index_map), rows without entries given one at column 0."""
    ins = [convert(indices, "indices", "sparseFillEmptyRows", "int32"),
           convert(values, "values", "sparseFillEmptyRows"),
           convert(dense_shape, "denseShape", "sparseFillEmptyRows", "int32"),
           convert(default_value, "defaultValue", "sparseFillEmptyRows")]
    return FilledRows(*run_mapper("SparseFillEmptyRows", ins))


class Reshaped(NamedTuple):
    output_indices: object
    output_shape: object


def sparse_reshape(input_indices, input_shape, new_shape):
    """tf.sparse.sparseReshape(inputIndices, inputShape, newShape): (output_indices, output_shape)."""
    ins = [convert(input_indices, "inputIndices", "sparseReshape", "int32"),
           convert(input_shape, "inputShape", "sparseReshape", "int32"),
           convert(new_shape, "newShape", "sparseReshape", "int32")]
    return Reshaped(*run_mapper("SparseReshape", ins))


def _segment(op, js_name, data, indices, segment_ids):
    return run_mapper(op, [convert(data, "data", js_name), convert(indices, "indices", js_name, "int32"),
                           convert(segment_ids, "segmentIds", js_name, "int32")])


def sparse_segment_mean(data, indices, segment_ids):
    """tf.sparse.sparseSegmentMean(data, indices, segmentIds): the mean of data's rows ``indices`` by sorted
    segment id."""
    return _segment("SparseSegmentMean", "sparseSegmentMean", data, indices, segment_ids)


def sparse_segment_sum(data, indices, segment_ids):
    """tf.sparse.sparseSegmentSum(data, indices, segmentIds): the sum of data's rows ``indices`` by sorted
    segment id."""
    return _segment("SparseSegmentSum", "sparseSegmentSum", data, indices, segment_ids)
