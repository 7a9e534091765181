"""``tf.browser``: tensors from images, videos and canvases, and back onto a canvas; a camera frame source.

    import tfjs as tf
    x = tf.browser.from_pixels(js.document.getElementById("photo"))      # [h, w, 3] int32 (0..255)
    x = await tf.browser.from_pixels_async(img, 4)                       # through createImageBitmap
    rgba = await tf.browser.to_pixels(x / 255, canvas)                   # [h, w, 4] uint8, drawn on canvas
    tf.browser.draw(x, canvas)
    async for frame in await tf.browser.webcam(video):                   # tf.data.webcam
        ...

On the cpu backend a pixel tensor is a numpy int32 array; on webgl it stays on the GPU (a GPUTensor of
integer values: the browser copies the pixels from the element into a texture, Python never sees them).
"""

from .pixels import draw, from_pixels, from_pixels_async, to_pixels
from .webcam import Webcam, webcam

__all__ = ["from_pixels", "from_pixels_async", "to_pixels", "draw", "webcam", "Webcam"]
