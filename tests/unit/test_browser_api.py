"""tf.browser under CPython: to_pixels's bytes and TF.js's errors; the reading side says it needs a browser."""

import numpy as np
import pytest

import tfjs as tf
from harness import run_async
from tfjs.errors import BrowserOnlyError, InvalidArgumentError, UnsupportedError


def to_pixels(img, canvas=None):
    return run_async(tf.browser.to_pixels(img, canvas))


def test_float_image_is_scaled_and_math_rounded():
    img = np.array([[[0.0, 0.5, 1.0], [0.002, 0.998, 0.25]]], np.float32)  # 1 x 2 x 3
    out = to_pixels(img)
    assert out.dtype == np.uint8 and out.shape == (1, 2, 4)
    # 0.5 * 255 = 127.5 -> 128 (Math.round rounds halves up); 0.002 * 255 = 0.51 -> 1; alpha 255
    assert out.tolist() == [[[0, 128, 255, 255], [1, 254, 64, 255]]]


def test_int_grey_and_rgba_images():
    grey = np.array([[0, 7], [200, 255]], np.int32)
    assert to_pixels(grey).tolist() == [[[0, 0, 0, 255], [7, 7, 7, 255]], [[200, 200, 200, 255], [255] * 4]]
    rgba = np.arange(16, dtype=np.int32).reshape(2, 2, 4) * 10
    assert to_pixels(rgba).reshape(-1).tolist() == list(range(0, 160, 10))
    one_channel = grey[..., None]
    assert np.array_equal(to_pixels(one_channel), to_pixels(grey))


def test_plain_lists_are_taken_as_int32():
    assert to_pixels([[1.9, 2.2]]).tolist() == [[[1, 1, 1, 255], [2, 2, 2, 255]]]


@pytest.mark.parametrize("img, message", [
    (np.zeros((2, 2, 3), np.float32) + np.float32(1.1),
     "Tensor values for a float32 Tensor must be in the range [0 - 1] but encountered 1.100000023841858."),
    (np.array([[0, 3], [-2, 300]], np.int32),
     "Tensor values for a int32 Tensor must be in the range [0 - 255] but encountered -2."),
    (np.zeros((2, 2, 2), np.float32), "toPixels only supports depth of size 1, 3 or 4 but got 2"),
    (np.zeros((2, 2, 5), np.int32), "toPixels only supports depth of size 1, 3 or 4 but got 5"),
    (np.zeros((1, 2, 2, 3), np.int32), "toPixels only supports rank 2 or 3 tensors, got rank 4."),
    (np.zeros((2, 2), bool), "Unsupported type for toPixels: bool. Please use float32 or int32 tensors."),
])
def test_to_pixels_errors_are_tfjs_texts(img, message):
    with pytest.raises(InvalidArgumentError) as info:
        to_pixels(img)
    assert str(info.value) == message


def test_reading_pixels_needs_a_browser():
    with pytest.raises(InvalidArgumentError, match="more than 4 channels"):
        tf.browser.from_pixels(object(), 5)
    with pytest.raises(InvalidArgumentError, match="can not be null"):
        tf.browser.from_pixels(None)
    with pytest.raises(BrowserOnlyError, match="tf.browser.from_pixels is only available in a web browser"):
        tf.browser.from_pixels(object())
    with pytest.raises(BrowserOnlyError):
        tf.browser.draw(np.zeros((2, 2), np.int32), object())
    with pytest.raises(BrowserOnlyError):
        tf.browser.Webcam()


def test_draw_checks_options_before_the_canvas():
    img = np.zeros((2, 2, 3), np.float32)
    with pytest.raises(InvalidArgumentError, match=r"Alpha value 1.5 is suppoed to be in range \[0 - 1\]."):
        tf.browser.draw(img, object(), {"imageOptions": {"alpha": 1.5}})
    with pytest.raises(UnsupportedError, match="Context type webgl"):
        tf.browser.draw(img, object(), {"contextOptions": {"contextType": "webgl"}})
