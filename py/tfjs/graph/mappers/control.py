"""control: v1 control flow (Switch Merge Enter Exit NextIteration LoopCond; contexts are the executor's
job), v2 control flow (If StatelessIf While StatelessWhile, and function calls), TensorArrayV3 and
TensorList ops."""

from __future__ import annotations

import numpy as np

from ..registry import op
from ..resources import TensorArray, TensorList
from ..values import DEAD
from ._util import ints, scalar

I32 = np.int32
FLOW = np.asarray(0.0, np.float32)


# --------------------------------------------------------------------------------------------------
# v1


@op("Switch", "RefSwitch")
def switch(node, ins, ex):
    data, pred = ins
    return [DEAD, data] if bool(np.asarray(pred).reshape(-1)[0]) else [data, DEAD]


@op("Merge", "RefMerge")
def merge(node, ins, ex):  # run by the executor (first live input); here for the registry
    return [ins[0], np.asarray(0, I32)]


@op("Enter", "RefEnter", "Exit", "RefExit", "NextIteration", "RefNextIteration", "LoopCond")
def passthrough(node, ins, ex):
    return ins[0]


# --------------------------------------------------------------------------------------------------
# v2


def _truthy(value) -> bool:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return bool(arr)
    return bool(arr.reshape(-1)[0]) if arr.size else False


@op("If", "StatelessIf")
def if_(node, ins, ex):
    branch = node.need("then_branch") if _truthy(ins[0]) else node.need("else_branch")
    return ex.run_function(branch, list(ins[1:]))


@op("While", "StatelessWhile")
def while_(node, ins, ex):
    cond, body = node.need("cond"), node.need("body")
    args = list(ins)
    while _truthy(ex.run_function(cond, args)[0]):
        args = ex.run_function(body, args)
    return args


@op("PartitionedCall", "StatefulPartitionedCall")
def call(node, ins, ex):
    return ex.run_function(node.need("f"), list(ins))


# --------------------------------------------------------------------------------------------------
# TensorArrayV3


def _ta(value) -> TensorArray:
    if not isinstance(value, TensorArray):
        raise ValueError(f"expected a TensorArray handle, got {type(value).__name__}")
    return value


@op("TensorArrayV3")
def tensor_array(node, ins, ex):
    shape = node.attr("element_shape")
    ta = TensorArray(node.attr("tensor_array_name") or node.name, node.attr("dtype"), int(scalar(ins[0])),
                     shape if shape is not None and len(shape) else None, bool(node.attr("dynamic_size", False)),
                     bool(node.attr("clear_after_read", True)), bool(node.attr("identical_element_shapes", False)))
    return [ta, FLOW]


@op("TensorArrayWriteV3")
def ta_write(node, ins, ex):
    _ta(ins[0]).write(int(scalar(ins[1])), ins[2])
    return FLOW


@op("TensorArrayReadV3")
def ta_read(node, ins, ex):
    return _ta(ins[0]).read(int(scalar(ins[1])))


@op("TensorArrayGatherV3")
def ta_gather(node, ins, ex):
    return _ta(ins[0]).gather(ints(ins[1]), node.attr("dtype"))


@op("TensorArrayScatterV3")
def ta_scatter(node, ins, ex):
    _ta(ins[0]).scatter(ints(ins[1]), ins[2])
    return FLOW


@op("TensorArrayConcatV3")
def ta_concat(node, ins, ex):
    return list(_ta(ins[0]).concat())


@op("TensorArraySplitV3")
def ta_split(node, ins, ex):
    _ta(ins[0]).split(ins[1], ints(ins[2]))
    return FLOW


@op("TensorArraySizeV3")
def ta_size(node, ins, ex):
    return np.asarray(_ta(ins[0]).size(), I32)


@op("TensorArrayCloseV3")
def ta_close(node, ins, ex):
    _ta(ins[0]).closed = True
    return []


# --------------------------------------------------------------------------------------------------
# TensorList


def _tl(value) -> TensorList:
    if not isinstance(value, TensorList):
        raise ValueError(f"expected a TensorList handle, got {type(value).__name__}")
    return value


def _shape(value):
    """An element_shape input: None when unknown (-1 scalar), else a list with -1 for unknown dims."""
    arr = np.asarray(value)
    if arr.ndim == 0:
        return None if int(arr) == -1 else [int(arr)]
    return ints(arr)


@op("EmptyTensorList")
def empty_list(node, ins, ex):
    max_n = int(scalar(ins[1])) if len(ins) > 1 else -1
    return TensorList([], _shape(ins[0]), node.attr("element_dtype"), max_n)


@op("TensorListReserve")
def reserve(node, ins, ex):
    return TensorList([None] * int(scalar(ins[1])), _shape(ins[0]), node.attr("element_dtype"))


@op("TensorListFromTensor")
def from_tensor(node, ins, ex):
    x = np.asarray(ins[0])
    return TensorList([np.array(r, copy=True) for r in x], _shape(ins[1]) if len(ins) > 1 else list(x.shape[1:]),
                      node.attr("element_dtype"))


@op("TensorListGetItem")
def get_item(node, ins, ex):
    shape = _shape(ins[2]) if len(ins) > 2 else None
    return _tl(ins[0]).get(int(scalar(ins[1])), shape, node.attr("element_dtype"))


@op("TensorListSetItem")
def set_item(node, ins, ex):
    lst = _tl(ins[0])
    index = int(scalar(ins[1]))
    if index >= len(lst) and node.attr("resize_if_index_out_of_bounds", False):
        lst = lst.copy()
        lst.items.extend([None] * (index + 1 - len(lst.items)))
    return lst.set(index, ins[2])


@op("TensorListStack")
def stack(node, ins, ex):
    shape = _shape(ins[1]) if len(ins) > 1 else None
    return _tl(ins[0]).stack(shape, node.attr("element_dtype"), int(node.attr("num_elements", -1)))


@op("TensorListGather")
def gather(node, ins, ex):
    shape = _shape(ins[2]) if len(ins) > 2 else None
    return _tl(ins[0]).gather(ints(ins[1]), shape, node.attr("element_dtype"))


@op("TensorListScatter", "TensorListScatterV2")
def scatter(node, ins, ex):
    x = np.asarray(ins[0])
    indices = ints(ins[1])
    n = int(scalar(ins[3])) if node.op == "TensorListScatterV2" and len(ins) > 3 else -1
    size = max(n, max(indices) + 1 if indices else 0)
    items: list = [None] * size
    for i, index in enumerate(indices):
        items[index] = np.array(x[i], copy=True)
    return TensorList(items, _shape(ins[2]), node.attr("element_dtype"))


@op("TensorListSplit")
def split(node, ins, ex):
    x = np.asarray(ins[0])
    lengths = ints(ins[2])
    offsets = np.cumsum([0] + lengths)
    if offsets[-1] != x.shape[0]:
        raise ValueError(f"TensorListSplit: lengths sum to {offsets[-1]} but the tensor has {x.shape[0]} rows")
    items = [np.array(x[offsets[i]:offsets[i + 1]], copy=True) for i in range(len(lengths))]
    return TensorList(items, _shape(ins[1]), node.attr("element_dtype"))


@op("TensorListConcat", "TensorListConcatV2")
def concat(node, ins, ex):
    shape = _shape(ins[1]) if len(ins) > 1 else node.attr("element_shape")
    return list(_tl(ins[0]).concat(shape, node.attr("element_dtype")))


@op("TensorListPopBack")
def pop_back(node, ins, ex):
    lst = _tl(ins[0])
    if not len(lst):
        raise ValueError("Trying to pop from an empty list.")
    shape = _shape(ins[1]) if len(ins) > 1 else None
    value = lst.get(len(lst) - 1, shape, node.attr("element_dtype"))
    out = lst.copy()
    out.items.pop()
    return [out, value]


@op("TensorListPushBack")
def push_back(node, ins, ex):
    lst = _tl(ins[0])
    if lst.max_num_elements not in (-1, None) and len(lst) >= lst.max_num_elements:
        raise ValueError(f"Trying to push into a full list (max {lst.max_num_elements} elements).")
    out = lst.copy()
    out.items.append(np.asarray(ins[1]))
    return out


@op("TensorListLength")
def length(node, ins, ex):
    return np.asarray(len(_tl(ins[0])), I32)


@op("TensorListResize")
def resize(node, ins, ex):
    lst = _tl(ins[0]).copy()
    size = int(scalar(ins[1]))
    lst.items = lst.items[:size] + [None] * max(0, size - len(lst.items))
    return lst
