"""raggedGather, raggedRange, raggedTensorToTensor (TF's semantics, over the graph-op mappers)."""

from __future__ import annotations

from typing import NamedTuple

from .convert import convert
from .host_ops import run_mapper


class RaggedGather(NamedTuple):
    output_nested_splits: object
    output_dense_values: object


def ragged_gather(params_nested_splits, params_dense_values, indices, output_ragged_rank):
    """tf.raggedGather(paramsNestedSplits, paramsDenseValues, indices, outputRaggedRank):
    (output_nested_splits, output_dense_values)."""
    ins = [convert(s, "paramsNestedSplits", "raggedGather", "int32") for s in params_nested_splits]
    ins += [convert(params_dense_values, "paramsDenseValues", "raggedGather"),
            convert(indices, "indices", "raggedGather", "int32")]
    out = run_mapper("RaggedGather", ins, OUTPUT_RAGGED_RANK=output_ragged_rank)
    return RaggedGather(list(out[:-1]), out[-1])


class RaggedRange(NamedTuple):
    rt_nested_splits: object
    rt_dense_values: object


def ragged_range(starts, limits, deltas):
    """tf.raggedRange(starts, limits, deltas): (rt_nested_splits, rt_dense_values) of the ranges."""
    ins = [convert(starts, "starts", "raggedRange"), convert(limits, "limits", "raggedRange"),
           convert(deltas, "deltas", "raggedRange")]
    return RaggedRange(*run_mapper("RaggedRange", ins))


def ragged_tensor_to_tensor(shape, values, default_value, row_partition_tensors, row_partition_types):
    """tf.raggedTensorToTensor(shape, values, defaultValue, rowPartitionTensors, rowPartitionTypes)."""
    ins = [convert(shape, "shape", "raggedTensorToTensor", "int32"), convert(values, "values", "raggedTensorToTensor"),
           convert(default_value, "defaultValue", "raggedTensorToTensor")]
    ins += [convert(t, "rowPartitionTensors", "raggedTensorToTensor", "int32") for t in row_partition_tensors]
    return run_mapper("RaggedTensorToTensor", ins, row_partition_types=list(row_partition_types))
