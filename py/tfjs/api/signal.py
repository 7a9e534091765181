"""tf.signal: hannWindow, hammingWindow, frame, stft; and the top-level cosineWindow, enclosingPowerOfTwo."""

from __future__ import annotations

import math

import numpy as np

from .. import kernel_names as K
from ..errors import InvalidArgumentError
from ..ops.dispatch import run
from .convert import convert


def cosine_window(window_length, a, b):
    """tf.cosineWindow(windowLength, a, b): a - b cos(2 pi i / (N - 1)) (N: the length, even lengths + 1)."""
    n = int(window_length)
    even = 1 - n % 2
    i = np.arange(n, dtype=np.float64)
    return (a - b * np.cos(2 * math.pi * i / (n + even - 1))).astype(np.float32)


def hann_window(window_length):
    """tf.signal.hannWindow(windowLength): float32."""
    return cosine_window(window_length, 0.5, 0.5)


def hamming_window(window_length):
    """tf.signal.hammingWindow(windowLength): float32."""
    return cosine_window(window_length, 0.54, 0.46)


def enclosing_power_of_two(value):
    """tf.enclosingPowerOfTwo(value): the smallest power of two >= value."""
    return int(math.floor(2 ** math.ceil(math.log(value) / math.log(2))))


def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0):
    """tf.signal.frame(signal, frameLength, frameStep, padEnd=false, padValue=0): [frames, frameLength]."""
    x = convert(signal, "signal", "frame")
    if x.ndim != 1:
        raise InvalidArgumentError(f"frame(): the signal must be rank 1 here, got rank {x.ndim}")
    size, frames, start = x.shape[0], [], 0
    while start + frame_length <= size:
        frames.append(run(K.Slice, x, begin=[start], size=[frame_length]))
        start += frame_step
    if pad_end:
        while start < size:
            pad_len = start + frame_length - size
            frames.append(run(K.Concat, [run(K.Slice, x, begin=[start], size=[frame_length - pad_len]),
                                         np.full([pad_len], pad_value, np.asarray(x).dtype)], axis=0))
            start += frame_step
    if not frames:
        return np.zeros([0, frame_length], np.asarray(x).dtype)
    return run(K.Pack, frames, axis=0)


def stft(signal, frame_length, frame_step, fft_length=None, window_fn=hann_window):
    """tf.signal.stft(signal, frameLength, frameStep, fftLength?, windowFn=hannWindow): complex64 rfft of
    each windowed frame."""
    if fft_length is None:
        fft_length = enclosing_power_of_two(frame_length)
    framed = frame(convert(signal, "signal", "stft", "float32"), frame_length, frame_step)
    windowed = run(K.Mul, framed, window_fn(frame_length))
    from .spectral import rfft

    return rfft(windowed, fft_length)
