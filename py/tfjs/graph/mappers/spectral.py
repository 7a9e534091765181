"""spectral: FFT IFFT RFFT IRFFT (innermost axis)."""

from __future__ import annotations

from ...ops import graph_extra as gx
from ..registry import op
from ._util import ints


@op("FFT")
def fft(node, ins, ex):
    return gx.fft(ins[0])


@op("IFFT")
def ifft(node, ins, ex):
    return gx.ifft(ins[0])


@op("RFFT")
def rfft(node, ins, ex):
    return gx.rfft(ins[0], ints(ins[1])[0] if len(ins) > 1 else None)


@op("IRFFT")
def irfft(node, ins, ex):
    return gx.irfft(ins[0], ints(ins[1])[0] if len(ins) > 1 else None)
