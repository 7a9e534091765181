"""tf.browser.webcam in Chromium with its fake camera: frames as tensors, into a model, stopped cleanly."""

import pytest

from harness import BOOT_JS, launch_args, run_py

pytestmark = pytest.mark.e2e

FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def camera_page(browser_type, app_server):
    args = launch_args()
    browser = browser_type.launch(**{**args, "args": args["args"] + FAKE_CAMERA})
    page = browser.new_page()
    page.goto(app_server.url)
    page.evaluate(BOOT_JS)
    yield page
    browser.close()


@pytest.mark.parametrize("backend", ["cpu", "webgl"])
def test_camera_frames_through_a_model(camera_page, backend):
    result = run_py(camera_page, f"""
import js, numpy as np, tfjs as tf
tf.set_backend({backend!r})
model = tf.sequential(layers=[tf.layers.global_average_pooling2d(input_shape=[None, None, 3])])
video = js.document.createElement("video")
video.width, video.height = 160, 120
cam = await tf.browser.webcam(video)
frames, errors = [], []
async for frame in cam:
    a = np.asarray(frame)
    y = np.asarray(model.predict(a[None].astype(np.float32) / 255))
    errors.append(float(np.abs(y[0] - a.reshape(-1, 3).mean(0) / 255).max()))
    frames.append(a)
    if len(frames) == 4:
        cam.stop()
after_stop = [f async for f in cam]
live_tracks = 0 if video.srcObject is None else len(video.srcObject.getTracks())
tf.set_backend("cpu")
[[list(f.shape) for f in frames], str(frames[0].dtype) if {backend!r} == "cpu" else "int32",
 max(errors), len({{f.tobytes() for f in frames}}), int(frames[0].min()), int(frames[0].max()),
 bool(np.array_equal(frames[0], np.round(frames[0]))), len(after_stop), cam.running, live_tracks]
""")
    shapes, dtype, max_error, distinct, low, high, integral, after_stop, running, live = result
    assert shapes == [[120, 160, 3]] * 4
    assert dtype == "int32" and integral
    assert max_error < 3e-4           # the model saw the frame's pixels (channel means, float32 sums)
    assert distinct >= 2              # the fake camera animates: new frames, not one frame again
    assert 0 <= low < high <= 255     # a picture, not a blank
    assert after_stop == 0 and running is False and live == 0


def test_camera_resize_with_centre_crop_and_bad_config(camera_page):
    result = run_py(camera_page, """
import numpy as np, tfjs as tf
from tfjs.errors import InvalidArgumentError
cam = await tf.browser.webcam(None, {"resizeWidth": 32, "resizeHeight": 32, "centerCrop": True})
frame = np.asarray(await cam.capture())
cam.stop()
try:
    tf.browser.Webcam(None, {"resizeWidth": 32})
    message = None
except InvalidArgumentError as e:
    message = str(e)
[list(frame.shape), str(frame.dtype), message]
""")
    assert result[:2] == [[32, 32, 3], "int32"]
    assert "resizeWidth and resizeHeight go together" in result[2]
