"""tf.spectral: fft, ifft (complex64), rfft, irfft, each over the innermost axis."""

from __future__ import annotations

from .. import kernel_names as K
from ..errors import InvalidArgumentError
from ..ops.dispatch import run
from .convert import convert, dtype_of


def _complex(x, op):
    x = convert(x, "input", op)
    if dtype_of(x) != "complex64":
        raise InvalidArgumentError(f"The dtype for tf.spectral.{op}() must be complex64 but got {dtype_of(x)}.")
    return x


def fft(input):  # noqa: A002
    """tf.spectral.fft(input): complex64 in and out."""
    return run(K.FFT, _complex(input, "fft"))


def ifft(input):  # noqa: A002
    """tf.spectral.ifft(input): complex64 in and out."""
    return run(K.IFFT, _complex(input, "ifft"))


def rfft(input, fft_length=None):  # noqa: A002
    """tf.spectral.rfft(input, fftLength?): float32 in, complex64 out (fftLength // 2 + 1 values); the input
    is cut or zero-padded to fftLength."""
    x = convert(input, "input", "rfft")
    if dtype_of(x) != "float32":
        raise InvalidArgumentError(f"The dtype for rfft() must be real value but got {dtype_of(x)}")
    return run(K.RFFT, x, fft_length=fft_length)


def irfft(input):  # noqa: A002
    """tf.spectral.irfft(input): complex64 in, float32 out of length 2 * (n - 1)."""
    return run(K.IRFFT, _complex(input, "irfft"))
