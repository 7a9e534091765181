"""GPU-resident tensors: a shape, a dtype, a float32 texture (RGBA, 4 consecutive elements per texel) or a
pending plan (a producer whose epilogue may still absorb a bias, a batch norm or an activation).

Every texture holds float32 values; a bool tensor holds 0.0 / 1.0 and an int32 tensor integer-valued floats (as
TF.js's webgl backend keeps them). ``dtype`` says which, and a readback converts to it.

A :class:`GPUTensor` is what webgl kernels return and accept. It behaves like a read-only numpy array where
code needs one: ``np.asarray(t)`` downloads once (the copy is kept), numpy functions and operators work on
the downloaded values. ``reshape`` is free (the texture is shared). Textures go back to the backend's pool
when the last tensor using them is garbage collected (CPython frees them at once).
"""

from __future__ import annotations

import numpy as np

F32 = np.dtype(np.float32)
BOOL = np.dtype(np.bool_)
I32 = np.dtype(np.int32)


class Texture:
    """One RGBA32F texture: w x h texels holding ``n`` float32 values in flat order."""

    __slots__ = ("backend", "id", "w", "h", "generation", "discard", "__weakref__")

    def __init__(self, backend, tid: int, w: int, h: int):
        self.backend = backend
        self.id = tid
        self.w = w
        self.h = h
        self.generation = backend.generation
        self.discard = False  # delete (not pool) when released: a disposed model's weights

    def __del__(self):
        backend = self.backend
        if backend is not None:
            try:
                backend._release_texture(self)
            except Exception:  # interpreter shutdown, disposed backend: nothing left to free
                pass


class GPUTensor:
    """A tensor on the GPU (webgl backend): float32, or bool / int32 held as float32 values. Read it with
    ``np.asarray(t)`` or ``t.numpy()`` (an array of its dtype)."""

    __tfjs_tensor__ = True
    __array_priority__ = 50

    __slots__ = ("backend", "shape", "dtype", "_tex", "_plan", "_host", "__weakref__")

    def __init__(self, backend, shape, tex: Texture | None = None, plan=None, dtype=F32):
        self.backend = backend
        self.shape = tuple(int(d) for d in shape)
        self.dtype = np.dtype(dtype)
        self._tex = tex
        self._plan = plan
        self._host = None
        backend._track(self)

    # ------------------------------------------------------------------ numpy-like surface
    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def nbytes(self) -> int:
        return self.size * 4

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    @property
    def texture(self) -> Texture:
        """The texture, running the pending producer first if there is one."""
        if self._tex is None:
            self._tex = self.backend._materialize(self)
            self._plan = None
        return self._tex

    @property
    def is_pending(self) -> bool:
        return self._tex is None

    def numpy(self) -> np.ndarray:
        """The values as a (read-only) numpy array; downloads once."""
        if self._host is None:
            host = self.backend._download(self)
            if self.dtype == BOOL:
                host = np.asarray(host != 0)  # (a comparison of a rank-0 array gives a numpy scalar)
            elif self.dtype != F32:
                host = np.asarray(np.rint(host).astype(self.dtype))
            host.flags.writeable = False
            self._host = host
        return self._host

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        if dtype is not None and np.dtype(dtype) != self.dtype:
            return arr.astype(dtype)
        if copy:
            return arr.copy()
        return arr

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = tuple(shape[0])
        shape = [int(s) for s in shape]
        if shape.count(-1) > 1:
            raise ValueError("can only specify one unknown dimension")
        if -1 in shape:
            known = 1
            for s in shape:
                if s != -1:
                    known *= s
            if known == 0 or self.size % known:
                raise ValueError(f"cannot reshape array of size {self.size} into shape {tuple(shape)}")
            shape[shape.index(-1)] = self.size // known
        n = 1
        for s in shape:
            n *= s
        if n != self.size:
            raise ValueError(f"cannot reshape array of size {self.size} into shape {tuple(shape)}")
        return self.backend.reshape(self, tuple(shape))

    def astype(self, dtype, copy=True):
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        if dtype == F32 or (dtype == I32 and self.dtype == BOOL):
            return self.retyped(dtype)  # the texture's values are these already
        return self.numpy().astype(dtype)

    def retyped(self, dtype) -> "GPUTensor":
        """The same values under another dtype, sharing the texture (or the pending plan): for casts that
        change no float32 value (bool or int32 to float32, bool to int32)."""
        return GPUTensor(self.backend, self.shape, self.texture, dtype=dtype)

    def copy(self):
        return self

    def __getitem__(self, index):
        return self.numpy()[index]

    def __iter__(self):
        return iter(self.numpy())

    def tolist(self):
        return self.numpy().tolist()

    def item(self, *args):
        return self.numpy().item(*args)

    def __float__(self):
        return float(self.numpy())

    def __int__(self):
        return int(self.numpy())

    def __bool__(self):
        return bool(self.numpy())

    @property
    def T(self):
        return self.numpy().T

    @property
    def flags(self):
        return self.numpy().flags

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = tuple(np.asarray(x) if isinstance(x, GPUTensor) else x for x in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(np.asarray(x) if isinstance(x, GPUTensor) else x for x in kwargs["out"])
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        name = getattr(func, "__name__", "")
        if name in ("shape", "ndim", "size") and args and args[0] is self and not kwargs:
            return getattr(self, name)
        if name in ("ascontiguousarray", "asanyarray") and args and args[0] is self and \
                (kwargs.get("dtype") is None or np.dtype(kwargs["dtype"]) == self.dtype):
            return self
        if name == "reshape" and args and args[0] is self:
            shape = args[1] if len(args) > 1 else kwargs.get("shape", kwargs.get("newshape"))
            return self.reshape(shape if not isinstance(shape, int) else (shape,))
        return func(*_to_host(args), **_to_host(kwargs))

    def _binop(self, other, fn, reflected=False):
        a = self.numpy()
        b = np.asarray(other) if isinstance(other, GPUTensor) else other
        return fn(b, a) if reflected else fn(a, b)

    def __add__(self, o): return self._binop(o, np.add)
    def __radd__(self, o): return self._binop(o, np.add, True)
    def __sub__(self, o): return self._binop(o, np.subtract)
    def __rsub__(self, o): return self._binop(o, np.subtract, True)
    def __mul__(self, o): return self._binop(o, np.multiply)
    def __rmul__(self, o): return self._binop(o, np.multiply, True)
    def __truediv__(self, o): return self._binop(o, np.true_divide)
    def __rtruediv__(self, o): return self._binop(o, np.true_divide, True)
    def __pow__(self, o): return self._binop(o, np.power)
    def __neg__(self): return -self.numpy()
    def __abs__(self): return np.abs(self.numpy())
    def __lt__(self, o): return self._binop(o, np.less)
    def __le__(self, o): return self._binop(o, np.less_equal)
    def __gt__(self, o): return self._binop(o, np.greater)
    def __ge__(self, o): return self._binop(o, np.greater_equal)
    def __eq__(self, o): return self._binop(o, np.equal)
    def __ne__(self, o): return self._binop(o, np.not_equal)
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        state = "pending" if self._tex is None else f"texture {self._tex.id} ({self._tex.w}x{self._tex.h})"
        return f"<GPUTensor {self.dtype.name}{list(self.shape)} {state}>"


def _to_host(value):
    if isinstance(value, GPUTensor):
        return np.asarray(value)
    if isinstance(value, tuple):
        return tuple(_to_host(v) for v in value)
    if isinstance(value, list):
        return [_to_host(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_host(v) for k, v in value.items()}
    return value


def is_gpu(value) -> bool:
    return isinstance(value, GPUTensor)
