"""tf.buffer: a TensorBuffer, a mutable flat array with a shape to fill element by element, then toTensor()."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from .convert import _NP, DTYPES


class TensorBuffer:
    """TF.js's TensorBuffer: ``shape``, ``dtype``, ``size``, ``rank``, ``strides``, ``values`` (the flat numpy
    array, row-major), ``set(value, *locs)``, ``get(*locs)``, ``loc_to_index(locs)``, ``index_to_loc(index)``,
    ``to_tensor()`` (a copy)."""

    def __init__(self, shape, dtype="float32", values=None):
        if dtype not in DTYPES:
            raise InvalidArgumentError(f"Unknown data type {dtype}")
        self.shape = [int(d) for d in shape]
        self.dtype = dtype
        self.size = int(np.prod(self.shape)) if self.shape else 1
        if values is not None:
            flat = np.asarray(values, _NP[dtype]).reshape(-1)
            if flat.size != self.size:
                raise InvalidArgumentError(f"Length of values '{flat.size}' does not match the size inferred by "
                                           f"the shape '{self.size}'.")
            self.values = flat.copy()
        else:
            self.values = np.zeros(self.size, _NP[dtype]) if dtype != "string" else np.full(self.size, b"", object)
        self.strides = [int(np.prod(self.shape[i + 1:])) for i in range(len(self.shape) - 1)]

    @property
    def rank(self) -> int:
        return len(self.shape)

    def _check(self, locs):
        if len(locs) != self.rank:
            raise InvalidArgumentError(f"The number of provided coordinates ({len(locs)}) must match the rank "
                                       f"({self.rank})")

    def set(self, value, *locs):
        """Set the element at ``locs`` (one index per axis)."""
        self._check(locs)
        self.values[self.loc_to_index(locs)] = value

    def get(self, *locs):
        """The element at ``locs`` (none: the first)."""
        if not locs:
            locs = (0,)
        for i, loc in enumerate(locs):
            if loc < 0 or loc >= self.shape[i]:
                raise InvalidArgumentError(f"Requested out of range element at {','.join(map(str, locs))}. "
                                           f"  Buffer shape={','.join(map(str, self.shape))}")
        index = int(locs[-1])
        for i in range(len(locs) - 1):
            index += self.strides[i] * int(locs[i])
        return self.values[index].item() if self.dtype != "string" else self.values[index]

    def loc_to_index(self, locs) -> int:
        """The flat index of a location."""
        if self.rank == 0:
            return 0
        if self.rank == 1:
            return int(locs[0])
        index = int(locs[-1])
        for i in range(len(locs) - 1):
            index += self.strides[i] * int(locs[i])
        return index

    def index_to_loc(self, index) -> list[int]:
        """The location of a flat index."""
        if self.rank == 0:
            return []
        if self.rank == 1:
            return [int(index)]
        locs = []
        for stride in self.strides:
            locs.append(int(index) // stride)
            index = int(index) - locs[-1] * stride
        return locs + [int(index)]

    def to_tensor(self):
        """A tensor of the buffer's values (a copy: later sets do not change it)."""
        return self.values.reshape(self.shape).copy()


def buffer(shape, dtype="float32", values=None):
    """tf.buffer(shape, dtype='float32', values?): a :class:`TensorBuffer`."""
    return TensorBuffer(shape, dtype, values)
