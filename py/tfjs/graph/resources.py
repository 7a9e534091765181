"""Resources graph models pass between nodes: hash tables, TensorArrays (v1) and TensorLists (v2).

They travel through the executor as Python objects (TF.js passes ids or handle tensors). Hash tables
live in a :class:`Resources` registry per model, keyed by node name, so the initializer graph and the main
graph see the same tables.
"""

from __future__ import annotations

import numpy as np

from .values import normalize


def _key(value):
    return value if not isinstance(value, np.generic) else value.item()


class HashTable:
    def __init__(self, name: str, key_dtype: str | None, value_dtype: str | None):
        self.name = name
        self.key_dtype = key_dtype
        self.value_dtype = value_dtype
        self.table: dict = {}

    def import_(self, keys, values) -> None:
        keys = np.asarray(keys).reshape(-1)
        values = np.asarray(values)
        values = values.reshape((keys.shape[0],) + values.shape[keys.ndim:]) if values.ndim else values
        self.table = {}
        for k, v in zip(keys.tolist(), values):
            self.table[_key(k)] = v
        self._dtype = values.dtype

    def find(self, keys, default):
        keys = np.asarray(keys)
        default = np.asarray(default)
        dtype = getattr(self, "_dtype", default.dtype)
        flat = keys.reshape(-1).tolist()
        out = np.empty(len(flat), dtype=dtype)
        d = default.reshape(-1)[0] if default.size else None
        for i, k in enumerate(flat):
            out[i] = self.table.get(_key(k), d)
        return out.reshape(keys.shape)

    def size(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        return f"<HashTable {self.name!r}: {len(self.table)} entries>"


class Resources:
    """Per-model resources: hash tables by the name of the node that made them."""

    def __init__(self):
        self.tables: dict[str, HashTable] = {}

    def hash_table(self, name: str, key_dtype=None, value_dtype=None) -> HashTable:
        table = self.tables.get(name)
        if table is None:
            table = self.tables[name] = HashTable(name, key_dtype, value_dtype)
        return table


def _check_shape(what: str, value: np.ndarray, shape, dtype) -> None:
    if shape is not None and len(shape) and all(s >= 0 for s in shape) and list(value.shape) != list(shape):
        raise ValueError(f"{what}: expected element shape {list(shape)}, got {list(value.shape)}")
    if dtype is not None and dtype not in ("resource", "variant"):
        got = "string" if value.dtype == object else str(value.dtype)
        if got != dtype:
            raise ValueError(f"{what}: expected dtype {dtype}, got {got}")


class TensorArray:
    """TensorArrayV3: a fixed or dynamic size array of tensors, written once per index."""

    def __init__(self, name: str, dtype, size: int, element_shape=None, dynamic_size=False,
                 clear_after_read=True, identical_element_shapes=False):
        self.name = name
        self.dtype = dtype
        self.items: list = [None] * size
        self.element_shape = element_shape
        self.dynamic_size = dynamic_size
        self.clear_after_read = clear_after_read
        self.identical_element_shapes = identical_element_shapes
        self.closed = False

    def size(self) -> int:
        return len(self.items)

    def read(self, index: int):
        if self.closed:
            raise ValueError(f"TensorArray {self.name} has already been closed.")
        if index < 0 or index >= len(self.items):
            raise ValueError(f"Tried to read from index {index}, but array size is: {len(self.items)}")
        value = self.items[index]
        if value is None:
            raise ValueError(f"TensorArray {self.name}: Could not read index {index} twice because it was "
                             f"cleared after a previous read (or was never written)")
        if self.clear_after_read:
            self.items[index] = None
        return value

    def write(self, index: int, value) -> None:
        if self.closed:
            raise ValueError(f"TensorArray {self.name} has already been closed.")
        value = normalize(np.asarray(value))
        if index < 0 or (not self.dynamic_size and index >= len(self.items)):
            raise ValueError(f"Tried to write to index {index}, but array is not resizeable and size is: "
                             f"{len(self.items)}")
        if index >= len(self.items):
            self.items.extend([None] * (index + 1 - len(self.items)))
        if self.identical_element_shapes and self.element_shape is None:
            self.element_shape = list(value.shape)
        _check_shape(f"TensorArray {self.name}", value, self.element_shape, self.dtype)
        self.items[index] = value

    def gather(self, indices, dtype=None) -> np.ndarray:
        values = [self.read(int(i)) for i in indices]
        if not values:
            shape = self.element_shape or [0]
            return np.zeros([0] + list(shape), np.float32 if (dtype or self.dtype) == "float32" else np.int32)
        return np.stack(values)

    def scatter(self, indices, value) -> None:
        value = np.asarray(value)
        for i, index in enumerate(indices):
            self.write(int(index), value[i])

    def concat(self):
        values = [self.read(i) for i in range(len(self.items))]
        lengths = np.asarray([v.shape[0] for v in values], np.int32)
        return (np.concatenate(values) if values else np.zeros([0], np.float32)), lengths

    def split(self, value, lengths) -> None:
        value = np.asarray(value)
        offsets = np.cumsum([0] + [int(n) for n in lengths])
        if offsets[-1] != value.shape[0]:
            raise ValueError(f"TensorArray {self.name}: split lengths sum to {offsets[-1]} but the value has "
                             f"{value.shape[0]} rows")
        for i in range(len(lengths)):
            self.write(i, value[offsets[i]:offsets[i + 1]])


class TensorList:
    """A TensorList (v2 control flow): an immutable-by-copy list of same-dtype tensors."""

    def __init__(self, items: list, element_shape, element_dtype, max_num_elements: int = -1):
        self.items = list(items)
        self.element_shape = element_shape
        self.element_dtype = element_dtype
        self.max_num_elements = max_num_elements

    def copy(self) -> "TensorList":
        return TensorList(self.items, self.element_shape, self.element_dtype, self.max_num_elements)

    def _shape_for(self, element_shape):
        shape = element_shape if element_shape is not None else self.element_shape
        if shape is None or any(s < 0 for s in shape):
            known = next((v for v in self.items if v is not None), None)
            if known is not None:
                return list(known.shape)
        return shape

    def get(self, index: int, element_shape=None, dtype=None):
        if index < 0 or index >= len(self.items):
            raise ValueError(f"Trying to access element {index} in a list with {len(self.items)} elements.")
        value = self.items[index]
        if value is None:
            shape = self._shape_for(element_shape)
            if shape is None or any(s < 0 for s in shape):
                raise ValueError(f"TensorList: element {index} was never set and its shape is not known")
            return np.zeros(shape, _np(dtype or self.element_dtype))
        return value

    def set(self, index: int, value) -> "TensorList":
        out = self.copy()
        if index < 0 or index >= len(out.items):
            raise ValueError(f"Trying to set element {index} in a list with {len(out.items)} elements.")
        out.items[index] = normalize(np.asarray(value))
        return out

    def stack(self, element_shape=None, dtype=None, num_elements=-1):
        if num_elements not in (-1, None) and num_elements != len(self.items):
            raise ValueError(f"Operation expected a list with {num_elements} elements but got a list with "
                             f"{len(self.items)} elements.")
        shape = self._shape_for(element_shape)
        if not self.items:
            return np.zeros([0] + list(shape or []), _np(dtype or self.element_dtype))
        return np.stack([self.get(i, shape, dtype) for i in range(len(self.items))])

    def gather(self, indices, element_shape=None, dtype=None):
        indices = [int(i) for i in indices]
        shape = self._shape_for(element_shape)
        if not indices:
            return np.zeros([0] + list(shape or []), _np(dtype or self.element_dtype))
        return np.stack([self.get(i, shape, dtype) for i in indices])

    def concat(self, element_shape=None, dtype=None):
        values = [self.get(i, element_shape, dtype) for i in range(len(self.items))]
        lengths = np.asarray([v.shape[0] for v in values], np.int32)
        if not values:
            return np.zeros([0], _np(dtype or self.element_dtype)), lengths
        return np.concatenate(values), lengths

    def __len__(self) -> int:
        return len(self.items)


def _np(dtype):
    return {"float32": np.float32, "int32": np.int32, "bool": np.bool_, "complex64": np.complex64,
            "string": object}.get(dtype or "float32", np.float32)
