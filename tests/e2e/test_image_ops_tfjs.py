"""tf.ops.flip_left_right and tf.ops.rotate_with_offset against TF.js 4.22's own tf.image.flipLeftRight and
tf.image.rotateWithOffset in the page (its cpu backend), on the same pixel values: float32 and int32 images of
1 to 4 channels; angles whose source coordinates land on rounding ties (quarter and half turns about a centre
between pixels) and others; fills as a number (fractional, truncated for int32) or [r, g, b] (alpha 255); centres
as a number or [x, y]. Nearest sampling moves values, so results must be equal, dtype included. An int32 image
is refused by both (TF.js's ops take float32 images; the kernels keep any dtype, see the conformance cases).
Ours runs under CPython (the cpu kernels, which the webgl kernels are held to by the conformance suite)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tfjs as tf
from harness import add_reference_tfjs

pytestmark = pytest.mark.e2e
RNG = np.random.default_rng(26)


def _image(shape, dtype):
    return RNG.integers(0, 256, shape).astype(dtype) if dtype == "int32" else \
        (RNG.random(shape) * 255).astype(np.float32)


# id -> (shape, dtype, op, radians, fill, center)
CASES = {
    "flip/rgb": ((2, 5, 7, 3), "float32", "flip", None, None, None),
    "flip/gray": ((1, 4, 6, 1), "float32", "flip", None, None, None),
    "flip/int32-refused": ((1, 4, 6, 1), "int32", "flip", None, None, None),
    "flip/one-column": ((1, 3, 1, 4), "float32", "flip", None, None, None),
    "rotate/0.7": ((2, 9, 11, 3), "float32", "rotate", 0.7, 0, 0.5),
    "rotate/quarter-ties": ((1, 8, 8, 1), "float32", "rotate", math.pi / 2, -2.5, 0.5),
    "rotate/half-turn-rgb-fill": ((1, 7, 10, 3), "float32", "rotate", math.pi, [0.25, 0.5, 0.75], [0.3, 0.6]),
    "rotate/rgba-fill": ((2, 6, 5, 4), "float32", "rotate", -1.2, [10, 20, 30], 0.25),
    "rotate/int32-refused": ((1, 9, 9, 3), "int32", "rotate", 2.0, 7.9, 0.5),
    "rotate/fractional-fill": ((1, 9, 9, 3), "float32", "rotate", 2.0, 7.9, 0.5),
    "rotate/negative-fill": ((1, 6, 7, 2), "float32", "rotate", -0.4, -3.6, [0.9, 0.1]),
    "rotate/corner-centre": ((1, 5, 5, 2), "float32", "rotate", 0.3, 0, [1.0, 0.0]),
    "rotate/many-turns": ((1, 12, 9, 3), "float32", "rotate", 7.5 * math.pi, 1.5, 0.5),
}

JS = """async (cases) => {
  await tf.setBackend('cpu');
  const out = {};
  for (const [cid, c] of cases) {
    const x = tf.tensor(c.values, c.shape, c.dtype);
    try {
      const y = c.op === 'flip' ? tf.image.flipLeftRight(x)
                                : tf.image.rotateWithOffset(x, c.radians, c.fill, c.center);
      out[cid] = {dtype: y.dtype, shape: y.shape, values: Array.from(await y.data())};
      y.dispose();
    } catch (e) {
      out[cid] = {error: String(e.message)};
    }
    x.dispose();
  }
  return out;
}"""


def _inputs():
    return {cid: _image(shape, dtype) for cid, (shape, dtype, *_rest) in CASES.items()}


@pytest.fixture(scope="module")
def reference(app_page):
    add_reference_tfjs(app_page)
    images = _inputs()
    payload = [[cid, {"values": images[cid].reshape(-1).tolist(), "shape": list(shape), "dtype": dtype, "op": op,
                      "radians": radians, "fill": fill, "center": center}]
               for cid, (shape, dtype, op, radians, fill, center) in CASES.items()]
    return images, app_page.evaluate(JS, payload)


@pytest.mark.parametrize("cid", list(CASES))
def test_image_op_matches_tfjs(reference, cid):
    images, theirs = reference
    shape, dtype, op, radians, fill, center = CASES[cid]
    x = images[cid]
    ref = theirs[cid]

    def ours_():
        return tf.ops.flip_left_right(x) if op == "flip" else tf.ops.rotate_with_offset(x, radians, fill, center)
    if "error" in ref:
        assert "must be float32" in ref["error"], ref
        with pytest.raises(ValueError, match="image must be a float32 tensor, got int32"):
            ours_()
        return
    ours = ours_()
    assert str(ours.dtype) == ref["dtype"] and list(ours.shape) == ref["shape"], (ours.dtype, ours.shape, ref)
    want = np.asarray(ref["values"], np.float64).reshape(shape)
    bad = np.argwhere(ours.astype(np.float64) != want)
    assert bad.size == 0, f"{cid}: {len(bad)} values differ, first at {bad[0].tolist()}: " \
                          f"{ours[tuple(bad[0])]} != {want[tuple(bad[0])]}"
    if op == "rotate":
        assert not np.array_equal(ours, x), f"{cid}: the rotation moved nothing"  # the case tests something


def test_image_ops_name_what_is_wrong():
    x = np.zeros((4, 5, 3), np.float32)
    with pytest.raises(ValueError, match=r"FlipLeftRight: image must be rank 4, got rank 3"):
        tf.ops.flip_left_right(x)
    with pytest.raises(ValueError, match=r"RotateWithOffset: image must be rank 4"):
        tf.ops.rotate_with_offset(x, 0.5)
    with pytest.raises(ValueError, match=r"center must be a number or \[x, y\], got 3 values"):
        tf.ops.rotate_with_offset(x[None], 0.5, 0, [0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match=r"fill_value \(2 values\).*got 3 channels"):
        tf.ops.rotate_with_offset(x[None], 0.5, [1, 2], 0.5)
    with pytest.raises(ValueError, match=r"got 5 channels"):
        tf.ops.rotate_with_offset(np.zeros((1, 2, 2, 5), np.float32), 0.5, [1, 2, 3])
