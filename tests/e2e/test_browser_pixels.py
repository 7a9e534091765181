"""tf.browser in Chromium: from_pixels on every source type against the pixels drawn (exact) and against
TF.js's tf.browser.fromPixels in the same page, on cpu and webgl; to_pixels / draw against TF.js's toPixels;
TF.js's errors."""

import pytest

from harness import add_reference_tfjs, run_py

pytestmark = pytest.mark.e2e

W, H = 13, 7
# Sources of one picture (opaque), and ImageData with varying alpha; the video shows a canvas's stream.
SETUP_JS = """async ([W, H]) => {
  const data = new Uint8ClampedArray(W * H * 4), alpha = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const i = (y * W + x) * 4;
    data[i] = (x * 37 + y * 11) % 256; data[i + 1] = (x * 5 + y * 71 + 3) % 256;
    data[i + 2] = (x * x + y * 29 + 100) % 256; data[i + 3] = 255;
    alpha.set(data.subarray(i, i + 3), i); alpha[i + 3] = (x * 19 + y * 7) % 256;
  }
  const imagedata = new ImageData(data, W, H);
  const canvas = document.createElement("canvas"); canvas.width = W; canvas.height = H;
  canvas.getContext("2d").putImageData(imagedata, 0, 0);
  const offscreen = new OffscreenCanvas(W, H); offscreen.getContext("2d").putImageData(imagedata, 0, 0);
  const image = new Image(); image.src = canvas.toDataURL("image/png"); await image.decode();
  const bitmap = await createImageBitmap(imagedata);
  const video = document.createElement("video"); video.muted = true;
  const stream = canvas.captureStream(0);
  video.srcObject = stream;
  const playing = video.play();
  for (let i = 0; i < 250 && video.readyState < 2; i++) {
    canvas.getContext("2d").putImageData(imagedata, 0, 0);  // a paint, then a frame for the stream
    stream.getVideoTracks()[0].requestFrame();
    await new Promise((r) => setTimeout(r, 20));
  }
  if (video.readyState < 2) throw new Error("the canvas stream gave the video no frame in 5 s");
  await playing;
  globalThis.pixSources = {imagedata, canvas, offscreen, image, bitmap, video,
                           imagedata_alpha: new ImageData(alpha, W, H),
                           pixeldata: {data: new Uint8Array(data.buffer), width: W, height: H}};
  return [Array.from(data), Array.from(alpha)];
}"""
KINDS = ["imagedata", "canvas", "offscreen", "image", "bitmap", "video", "pixeldata", "imagedata_alpha"]


@pytest.fixture(scope="module")
def page(app_page):
    add_reference_tfjs(app_page)
    app_page.evaluate("tf.setBackend('cpu')")
    drawn, with_alpha = app_page.evaluate(SETUP_JS, [W, H])
    app_page.drawn = {"opaque": drawn, "alpha": with_alpha}
    return app_page


def expected(page, kind: str, channels: int) -> list:
    flat = page.drawn["alpha" if kind == "imagedata_alpha" else "opaque"]
    return [[flat[(y * W + x) * 4:(y * W + x) * 4 + channels] for x in range(W)] for y in range(H)]


def tfjs_from_pixels(page, kind: str, channels: int) -> list:
    return page.evaluate("([k, c]) => tf.tidy(() => tf.browser.fromPixels(pixSources[k], c).arraySync())",
                         [kind, channels])


@pytest.mark.parametrize("backend", ["cpu", "webgl"])
def test_from_pixels_every_source_exact(page, backend):
    results = run_py(page, f"""
import js, numpy as np, tfjs as tf
tf.set_backend({backend!r})
out = {{}}
for kind in {KINDS!r}:
    for c in (1, 3, 4):
        x = tf.browser.from_pixels(getattr(js.pixSources, kind), c)
        a = np.asarray(x)
        out[f"{{kind}}/{{c}}"] = [type(x).__name__, str(a.dtype), list(a.shape), a.astype(np.int64).tolist()]
tf.set_backend("cpu")
out
""")
    for kind in KINDS:
        for c in (1, 3, 4):
            type_name, dtype, shape, values = results[f"{kind}/{c}"]
            on_gpu = backend == "webgl" and kind != "pixeldata"
            assert (type_name, dtype) == (("GPUTensor", "float32") if on_gpu else ("ndarray", "int32")), kind
            assert shape == [H, W, c], kind
            assert values == tfjs_from_pixels(page, kind, c), f"{kind}, {c} channels: differs from TF.js"
            if kind != "video":  # a video frame went through the video pipeline (colour conversion)
                assert values == expected(page, kind, c), f"{kind}, {c} channels: differs from the pixels drawn"


def test_from_pixels_scales_an_image_to_its_width_and_height_as_tfjs(page):
    page.evaluate("() => { const i = pixSources.image; pixSources.big = new Image(26, 14); "
                  "pixSources.big.src = i.src; return pixSources.big.decode(); }")
    ours = run_py(page, """
import js, numpy as np, tfjs as tf
np.asarray(tf.browser.from_pixels(js.pixSources.big)).tolist()
""")
    assert ours == tfjs_from_pixels(page, "big", 3)
    assert len(ours) == 14 and len(ours[0]) == 26


def test_from_pixels_async_through_an_image_bitmap(page):
    result = run_py(page, """
import js, numpy as np, tfjs as tf
[np.asarray(await tf.browser.from_pixels_async(getattr(js.pixSources, k), 4)).tolist()
 for k in ("image", "canvas", "imagedata_alpha")]
""")
    assert result == [expected(page, "image", 4), expected(page, "canvas", 4), expected(page, "imagedata_alpha", 4)]
    reference = page.evaluate("async () => (await tf.browser.fromPixelsAsync(pixSources.imagedata_alpha, 4))"
                              ".arraySync()")
    assert result[2] == reference


def test_from_pixels_errors_are_tfjs_texts(page):
    tfjs_errors = page.evaluate("""() => {
      const message = (f) => { try { f(); return null; } catch (e) { return e.message; } };
      return [message(() => tf.browser.fromPixels(pixSources.canvas, 5)),
              message(() => tf.browser.fromPixels(null)),
              message(() => tf.browser.fromPixels({a: 1}))];
    }""")
    ours = run_py(page, """
import js, tfjs as tf
from tfjs.errors import InvalidArgumentError
def message(f):
    try:
        f()
    except InvalidArgumentError as e:
        return str(e)
video = js.document.createElement("video")
[message(lambda: tf.browser.from_pixels(js.pixSources.canvas, 5)), message(lambda: tf.browser.from_pixels(None)),
 message(lambda: tf.browser.from_pixels(js.Object.fromEntries([["a", 1]]))),
 message(lambda: tf.browser.from_pixels(video)), message(lambda: tf.browser.from_pixels(js.Image.new()))]
""")
    assert ours[:3] == [m.replace("fromPixels", "from_pixels") for m in tfjs_errors]
    assert ours[3].startswith("The video element has not loaded data yet")
    assert ours[4].startswith("The image element has not loaded")


@pytest.mark.parametrize("backend", ["cpu", "webgl"])
def test_to_pixels_and_draw_match_tfjs(page, backend):
    ours = run_py(page, f"""
import js, numpy as np, tfjs as tf
tf.set_backend({backend!r})
rng = np.random.default_rng(3)
f3 = rng.random((5, 6, 3), dtype=np.float32); f3[0, 0] = [0.5 / 255, 1.5 / 255, 1.0]
i4 = rng.integers(0, 256, (5, 6, 4)).astype(np.int32)
g2 = rng.random((5, 6), dtype=np.float32)
js.globalThis.pyImages = tf.platform.to_js({{k: v.reshape(-1).tolist() for k, v in
                                          (("f3", f3), ("i4", i4), ("g2", g2))}})
canvas = js.document.createElement("canvas")
drawn = []
for img in (f3, i4, g2):
    back = await tf.browser.to_pixels(tf.backends.webgl.upload(img) if {backend!r} == "webgl" and img.dtype == np.float32
                                      else img, canvas)
    on_canvas = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data.to_py().tolist()
    drawn.append([back.reshape(-1).tolist(), on_canvas, [canvas.width, canvas.height]])
tf.browser.draw(f3, canvas, {{"imageOptions": {{"alpha": 0.5}}}})
tf.set_backend("cpu")
[drawn, list(canvas.getContext("2d").getImageData(0, 0, 1, 1).data.to_py())]
""")
    reference = page.evaluate("""async () => {
      const t = [tf.tensor3d(pyImages.f3, [5, 6, 3]), tf.tensor3d(pyImages.i4, [5, 6, 4], "int32"),
                 tf.tensor2d(pyImages.g2, [5, 6])];
      const out = [];
      for (const x of t) out.push(Array.from(await tf.browser.toPixels(x)));
      const c = document.createElement("canvas");
      tf.browser.draw(t[0], c, {imageOptions: {alpha: 0.5}});
      const drawn = Array.from(c.getContext("2d").getImageData(0, 0, 1, 1).data);
      t.forEach((x) => x.dispose());
      return [out, drawn];
    }""")
    drawn, first_pixel = ours
    for (back, on_canvas, size), ref, opaque in zip(drawn, reference[0], (True, False, True)):
        assert back == ref and size == [6, 5]
        if opaque:  # a canvas keeps translucent pixels premultiplied: reading them back loses precision
            assert on_canvas == ref
    assert first_pixel == reference[1]
