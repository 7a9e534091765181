"""Weight quantization as the TF.js converter does it: float16, and uint8 / uint16 affine with a nudged zero.

Rules (TFJS_FORMAT.md 1.4): only float32 weights are quantized. float16 is IEEE half (round to nearest even).
uint8/uint16: min/max of the data (float64); equal -> all zeros, scale 1, min = the value; else
scale = (max - min) / qmax, and when 0 lies in [min, max] the range is nudged so that 0 is exactly
representable; q = round((clip(x, nmin, nmax) - nmin) / scale). Metadata: min (the nudged min) and scale.
"""

from __future__ import annotations

import fnmatch
from typing import Any, Iterable, Mapping

import numpy as np

from ..errors import TfjsError

QUANTIZATION_DTYPES = ("float16", "uint8", "uint16")
_QMAX = {"uint8": 255, "uint16": 65535}


class QuantizationError(TfjsError, ValueError):
    pass


def quantize(data: np.ndarray, dtype: str) -> tuple[np.ndarray, dict]:
    """(quantized array, metadata {min, scale} or {} for float16)."""
    if dtype == "float16":
        if data.dtype != np.float32:
            raise QuantizationError(f"Invalid data dtype {data.dtype.name!r}\nfloat16 quantization only supports "
                                    f"float32 dtype")
        return data.astype(np.float16), {}
    if dtype not in _QMAX:
        raise QuantizationError(f"Invalid `quantization_dtype`: {dtype!r}")
    if data.dtype.kind not in "fiu":
        raise QuantizationError(f"Invalid data dtype {data.dtype.name!r} for {dtype} quantization")
    if data.size == 0:
        return np.zeros(data.shape, dtype=dtype), {"min": 0.0, "scale": 1.0}
    lo = float(np.min(data))
    hi = float(np.max(data))
    if lo == hi:
        return np.zeros(data.shape, dtype=dtype), {"min": lo, "scale": 1.0}
    qmax = _QMAX[dtype]
    scale = (hi - lo) / qmax
    if lo <= 0 <= hi:
        zero_point = np.round(-lo / scale)
        nmin = float(-zero_point * scale)
        nmax = float(qmax * scale + nmin)
    else:
        nmin, nmax = lo, hi
    clipped = np.clip(data.astype(np.float64), nmin, nmax)
    q = np.round((clipped - nmin) / scale).astype(dtype)
    return q, {"min": nmin, "scale": scale}


def dequantize(q: np.ndarray, metadata: Mapping, dtype: str = "float32") -> np.ndarray:
    """What a reader gets back (TF.js's decodeWeight): float16 widened; affine q * scale + min."""
    if q.dtype == np.float16:
        return q.astype(np.float32)
    values = q.astype(np.float64) * float(metadata["scale"]) + float(metadata["min"])
    if dtype == "int32":
        return np.floor(values + 0.5).astype(np.int32)
    return values.astype(np.float32)


def resolution(q_dtype: str, metadata: Mapping, data: np.ndarray) -> float:
    """The largest error the format allows for one value: half a step (affine) or half an ulp (float16)."""
    if q_dtype == "float16":
        return float(np.max(np.spacing(np.abs(data).astype(np.float16)).astype(np.float32))) / 2 if data.size else 0.0
    return float(metadata["scale"]) / 2


def parse_patterns(value: Any) -> Any:
    """A CLI/API value: True (every weight) or a comma-separated string / list of fnmatch patterns."""
    if value is None or value is False:
        return None
    if value is True:
        return True
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        return parts or True
    return list(value)


def dtype_map(float16: Any = None, uint8: Any = None, uint16: Any = None) -> dict:
    """{dtype: True | [patterns]} for the given options (unset ones left out)."""
    out = {}
    for name, value in (("float16", float16), ("uint8", uint8), ("uint16", uint16)):
        parsed = parse_patterns(value)
        if parsed is not None:
            out[name] = parsed
    return out


def map_names_to_dtype(names: Iterable[str], quantization_map: Mapping[str, Any] | None) -> dict[str, str]:
    """{weight name: quantization dtype} for every name the patterns select; True is the fallthrough."""
    if not quantization_map:
        return {}
    fallthrough = [d for d, p in quantization_map.items() if p is True]
    if len(fallthrough) > 1:
        raise QuantizationError("More than one quantization fallthrough provided, exactly one is supported")
    for d in quantization_map:
        if d not in QUANTIZATION_DTYPES:
            raise QuantizationError(f"Invalid `quantization_dtype`: {d!r}")
    out: dict[str, str] = {}
    for name in names:
        chosen = None
        for dtype, patterns in quantization_map.items():
            if patterns is True:
                continue
            if isinstance(patterns, str):
                patterns = [patterns]
            if any(fnmatch.fnmatch(name, p) for p in patterns):
                if chosen is not None and chosen != dtype:
                    raise QuantizationError(f"Two quantization values {chosen}, {dtype} match the same node {name}")
                chosen = dtype
        if chosen is None and fallthrough:
            chosen = fallthrough[0]
        if chosen is not None:
            out[name] = chosen
    return out
