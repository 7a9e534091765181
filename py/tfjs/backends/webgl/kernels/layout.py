"""Layout kernels of the webgl backend: transpose, pad, slices, tile, reverse, gathers, broadcasts and the
other index-map ops. Each runs as one gather pass through an index map computed once per input shape and
attributes by the cpu kernel itself on an index array (cached by the backend).
"""

from __future__ import annotations

import numpy as np

from .... import kernel_names as K
from ...registry import get_kernel_config
from ..errors import NotOnGPU
from ..fusion import Plan
from ..tensor import F32, I32, GPUTensor
from ..textures import MAX_EXACT_INDEX
from .base import IMAGES, KernelBase, _freeze, _probe, float32_first, register


class LayoutKernels(KernelBase):
    """Layout kernels of the webgl backend: transpose, pad, slices, tile, reverse, gathers, broadcasts and the"""

    def gather_map(self, x, key, fn, constant=None) -> GPUTensor:
        """Run a layout op as a gather: fn maps an index array of x's shape to the output's indices."""
        x = self.g(x)
        n = x.size
        if n >= MAX_EXACT_INDEX:
            raise NotOnGPU()

        def make():
            idx = np.arange(n, dtype=np.float64).reshape(x.shape)
            if constant is not None:
                idx = idx + 1.0
            out = np.asarray(fn(idx))
            if constant is not None:
                out = out - 1.0
            return out

        imap = self.b.index_map((key, x.shape), make)
        out = self.gather_with(x, imap, constant)
        out.dtype = x.dtype  # copies of x's values (and the constant): bool and int32 stay so
        return out

    def gather_with(self, x, imap, constant=None):
        body = """  vec4 id = X1(t);
  for (int q = 0; q < 4; q++) {
    int j = int(id[q]);
    r[q] = j < 0 ? uf[0] : S0(j);
  }"""
        shape = imap.shape
        return Plan(("gather",), body, [x, imap], [], [0.0 if constant is None else float(constant)],
                    shape[-1] if shape else 1).execute(self.b, shape)

    def broadcast(self, x, shape) -> GPUTensor:
        shape = tuple(shape)
        if tuple(np.shape(x)) == shape:
            return self.g(x)
        if not isinstance(x, GPUTensor):
            a = np.asarray(x, F32)
            return self.g(np.ascontiguousarray(np.broadcast_to(a, shape)))
        return self.gather_map(x, ("BroadcastTo", x.shape, shape),
                               lambda idx: np.broadcast_to(idx, shape))

    def layout(self, name, cpu_kernel, attr_key=lambda a: a):
        def kernel(x, *args, **attrs):  # float32 input: see float32_first
            try:
                key = (name, _freeze(args), _freeze(attrs))
            except TypeError:
                raise NotOnGPU() from None
            # indices shifted by one: a value the cpu kernel fills in (the zero padding of SpaceToBatchND)
            # comes out as -1 and reads as 0.0, never as element 0
            if name in ("Unpack", "SplitV"):
                outs = cpu_kernel(_probe(x), *args, **attrs)
                return [self.gather_map(x, key + (i,), lambda idx, i=i: cpu_kernel(idx, *args, **attrs)[i],
                                        constant=0.0) for i in range(len(outs))]
            return self.gather_map(x, key, lambda idx: cpu_kernel(idx, *args, **attrs), constant=0.0)
        return kernel

    def transpose(self, x, perm):
        perm = [int(p) for p in perm]
        if perm == list(range(len(perm))):
            return self.g(x)
        return self.gather_map(x, ("Transpose", tuple(perm)), lambda idx: np.transpose(idx, perm))

    def pad(self, x, paddings, constant_value=0.0):
        if not isinstance(x, GPUTensor) and np.asarray(x).dtype != F32:
            raise NotOnGPU()
        pads = tuple(tuple(int(v) for v in p) for p in np.asarray(paddings).reshape(-1, 2).tolist())
        return self.gather_map(x, ("PadV2", pads), lambda idx: np.pad(idx, pads, constant_values=0.0),
                               constant=float(np.asarray(constant_value).reshape(())))

    def _indexed(self, name, x, indices, fn, *attrs):
        """A gather by indices on the host (up to 4096 of them): the cpu kernel ``fn(index array, indices)``
        maps the index map, cached by the indices' values (its errors, e.g. an index out of range, are the
        cpu kernel's). Indices on the GPU go to the cpu kernel."""
        idx = np.asarray(indices)  # host indices, at most 4096, and float32 x: see _host_indices
        key = (name, idx.shape, idx.astype(np.int64).tobytes()) + attrs
        return self.gather_map(x, key, lambda ix: fn(ix, idx))

    def gather(self, x, indices, axis=0, batch_dims=0):
        if isinstance(indices, GPUTensor):
            return self.gather_by_gpu_indices(x, indices, axis)
        cpu_gather = self.b.cpu.kernels["GatherV2"]
        return self._indexed("GatherV2", x, indices, lambda ix, idx: cpu_gather(ix, idx, axis, batch_dims),
                             int(axis), int(batch_dims))

    def gather_by_gpu_indices(self, x, indices, axis=0):
        """GatherV2 (batch_dims 0) with int32 indices that are on the GPU already (computed there, as a
        detector's top-k positions): one pass reads each index from its texture, so nothing is read back. An
        index outside [0, n) gives 0, as TF.js's webgl backend gives (the cpu kernel names it instead)."""
        x = self.g(x)
        axis = int(axis) + len(x.shape) if int(axis) < 0 else int(axis)
        n = x.shape[axis]
        inner = int(np.prod(x.shape[axis + 1:], dtype=np.int64))
        out_shape = x.shape[:axis] + indices.shape + x.shape[axis + 1:]
        if max(x.size, int(np.prod(out_shape, dtype=np.int64))) >= MAX_EXACT_INDEX:
            raise NotOnGPU()
        body = """  for (int q = 0; q < 4; q++) {
    int e = i0 + q;
    int i = e % P(2); int rest = e / P(2); int j = rest % P(0); int outer = rest / P(0);
    int k = int(S1(min(j, P(0) - 1)));
    r[q] = (e >= NOUT || k < 0 || k >= P(1)) ? 0.0 : S0((outer * P(1) + k) * P(2) + i);
  }"""
        m = max(indices.size, 1)
        out = Plan(("gather_gpu_indices",), body, [x, indices], [m, n, max(inner, 1)], [],
                   out_shape[-1] if out_shape else 1).execute(self.b, out_shape)
        out.dtype = x.dtype
        return out

    def gather_nd(self, x, indices):
        return self._indexed("GatherNd", x, indices, self.b.cpu.kernels["GatherNd"])

    def reshape_like(self, name, cpu_kernel):
        def kernel(x, *args, **attrs):  # a GPU tensor: see _on_gpu
            probe = np.broadcast_to(np.zeros((), np.int8), x.shape)
            shape = np.shape(cpu_kernel(probe, *args, **attrs))
            return self.b.reshape(x, shape)
        return kernel


def _host_indices(x, indices, *args, **attrs) -> bool:
    """Gathers by an index map take host indices (at most 4096 of them) into a float32 tensor."""
    return not isinstance(indices, GPUTensor) and float32_first(x) and np.size(indices) <= 4096


def _gather_indices(x, indices, axis=0, batch_dims=0, *args, **attrs) -> bool:
    """GatherV2: host indices (see _host_indices), or int32 indices on the GPU with batch_dims 0."""
    if isinstance(indices, GPUTensor):
        return indices.dtype == I32 and int(batch_dims) == 0 and indices.size > 0 and \
            -len(np.shape(x)) <= int(axis) < len(np.shape(x))
    return _host_indices(x, indices)


def _on_gpu(x, *args, **attrs) -> bool:
    """Reshapes are free views of a GPU tensor; a host array is reshaped on the host."""
    return isinstance(x, GPUTensor)


#: layout kernels move values without arithmetic: GPU tensors of every dtype the backend holds
ANY = ("float32", "bool", "int32")


def _register() -> None:
    register(K.Transpose, lambda b: LayoutKernels(b).transpose, ("matrix", "image"), dtypes=ANY)
    register(K.PadV2, lambda b: LayoutKernels(b).pad, ("image",))
    register(K.GatherV2, lambda b: LayoutKernels(b).gather, ("matrix", "rank3"), supports=_gather_indices,
             dtypes=ANY)
    register(K.GatherNd, lambda b: LayoutKernels(b).gather_nd, ("rank3",), supports=_host_indices, dtypes=ANY)
    by_index_map = {K.Slice: ("rank3",), K.StridedSlice: ("rank3",), K.Tile: ("matrix",), K.Reverse: ("rank3",),
                    K.MirrorPad: ("matrix", "image"), K.BroadcastTo: ("rank3",), K.DepthToSpace: IMAGES,
                    K.SpaceToBatchND: ("image",), K.BatchToSpaceND: ("image",), K.ResizeNearestNeighbor: IMAGES,
                    K.Unpack: ("rank3",), K.SplitV: ("matrix",), K.MatrixBandPart: ("rank3",)}
    for name, shapes in by_index_map.items():
        cpu = get_kernel_config("cpu", name)
        if cpu is not None:
            register(name, lambda b, name=name, fn=cpu.fn: LayoutKernels(b).layout(name, fn), shapes,
                     supports=float32_first, dtypes=ANY)
    for name, shapes in ((K.Reshape, ("rank3",)), (K.ExpandDims, ("matrix",)), (K.Squeeze, ("rank3",))):
        cpu = get_kernel_config("cpu", name)
        if cpu is not None:
            register(name, lambda b, name=name, fn=cpu.fn: LayoutKernels(b).reshape_like(name, fn), shapes,
                     supports=_on_gpu, dtypes=ANY)


_register()
