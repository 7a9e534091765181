"""Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot."""

from __future__ import annotations

import numpy as np

from .. import ops
from .base import Layer
from .params import P


def _broadcast_shapes(layer, shapes):
    rank = max(len(s) for s in shapes)
    out = []
    for i in range(1, rank + 1):
        dims = [s[-i] for s in shapes if len(s) >= i]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ValueError(f"Operands could not be broadcast together with shapes {[list(s) for s in shapes]} "
                             f"(layer {layer.name})")
        out.append(known.pop() if known else (1 if all(d == 1 for d in dims) else None))
    return list(reversed(out))


class _Merge(Layer):
    supports_masking = True

    def _check(self, inputs):
        if not isinstance(inputs, list) or len(inputs) < 2:
            raise ValueError(f"A merge layer should be called on an Array of at least 2 inputs. Got "
                             f"{1 if not isinstance(inputs, list) else len(inputs)} input(s). (layer {self.name})")

    def build(self, input_shape):
        if not isinstance(input_shape, list) or not input_shape or not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(f"A merge layer should be called on an Array of at least 2 inputs. Got 1 input(s). "
                             f"(layer {self.name})")

    def compute_output_shape(self, input_shape):
        shapes = [list(s) for s in input_shape]
        return [None if any(s[0] is None for s in shapes) else shapes[0][0]] + \
            _broadcast_shapes(self, [s[1:] for s in shapes])

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        masks = [m for m in mask if m is not None]
        return np.logical_and.reduce(masks)

    def call(self, inputs, mask=None, **kwargs):
        self._check(inputs)
        return self.merge([ops.tensor(x) for x in inputs])


class Add(_Merge):
    def merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = ops.add(out, x)
        return out


class Subtract(_Merge):
    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. Received: "
                             f"{len(input_shape)} inputs (layer {self.name})")

    def merge(self, xs):
        return ops.sub(xs[0], xs[1])


class Multiply(_Merge):
    def merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = ops.mul(out, x)
        return out


class Average(_Merge):
    def merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = ops.add(out, x)
        return ops.mul(out, 1.0 / len(xs))


class Maximum(_Merge):
    def merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = ops.maximum(out, x)
        return out


class Minimum(_Merge):
    def merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = ops.minimum(out, x)
        return out


class Concatenate(_Merge):
    PARAMS = [P("axis", -1)]

    def compute_output_shape(self, input_shape):
        shapes = [list(s) for s in input_shape]
        axis = self.cfg["axis"]
        out = list(shapes[0])
        for s in shapes[1:]:
            if out[axis] is None or s[axis] is None:
                out[axis] = None
            else:
                out[axis] += s[axis]
        return out

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        full = [np.ones(x.shape[:-1], bool) if m is None else m for x, m in zip(inputs, mask)]
        return np.all(np.stack(full, 0), axis=0)

    def merge(self, xs):
        return ops.concat(xs, axis=self.cfg["axis"])


class Dot(_Merge):
    PARAMS = [P("axes", -1), P("normalize", False)]
    supports_masking = False

    def _axes(self, ranks):
        axes = self.cfg["axes"]
        axes = [axes, axes] if isinstance(axes, int) else list(axes)
        return [a % r if a < 0 else a for a, r in zip(axes, ranks)]

    def compute_output_shape(self, input_shape):
        s1, s2 = [list(s) for s in input_shape]
        a1, a2 = self._axes([len(s1), len(s2)])
        out = [s1[0]] + [d for i, d in enumerate(s1) if i not in (0, a1)] + \
            [d for i, d in enumerate(s2) if i not in (0, a2)]
        return out if len(out) > 1 else out + [1]

    def merge(self, xs):
        x, y = xs
        a1, a2 = self._axes([x.ndim, y.ndim])
        if self.cfg["normalize"]:
            x = ops.div(x, ops.sqrt(ops.maximum(ops.sum(ops.square(x), axis=a1, keep_dims=True), 1e-12)))
            y = ops.div(y, ops.sqrt(ops.maximum(ops.sum(ops.square(y), axis=a2, keep_dims=True), 1e-12)))
        xm = x if a1 == x.ndim - 1 else ops.transpose(x, [i for i in range(x.ndim) if i != a1] + [a1])
        ym = y if a2 == 1 else ops.transpose(y, [0, a2] + [i for i in range(1, y.ndim) if i != a2])
        b = x.shape[0]
        out = ops.matmul(ops.reshape(xm, [b, -1, xm.shape[-1]]), ops.reshape(ym, [b, ym.shape[1], -1]))
        shape = [b] + list(xm.shape[1:-1]) + list(ym.shape[2:])
        return ops.reshape(out, shape if len(shape) > 1 else [b, 1])
