"""The bounds every load works within: how large model.json and the weights may be, how long a request may wait.

Defaults (each overridable in the load options, e.g. ``tf.io.load(url, max_model_json_bytes=2**28)``):

- ``max_model_json_bytes``: model.json larger than this is refused before it is parsed (64 MiB).
- the weight bytes a manifest declares: exact for numeric weights (size x element bytes); string weights add
  ``max_string_weight_bytes`` (256 MiB) at most. A shard is read until the declared total is passed by one byte,
  never further.
- http(s):// requests: ``connect_timeout`` (30 s to connect and get the response headers), ``idle_timeout``
  (60 s without a byte), ``total_timeout`` (600 s for the whole load: model.json and all shards).
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

from ..errors import FormatError

DEFAULT_MAX_MODEL_JSON_BYTES = 64 << 20
DEFAULT_MAX_STRING_WEIGHT_BYTES = 256 << 20
DEFAULT_CONNECT_TIMEOUT = 30.0
DEFAULT_IDLE_TIMEOUT = 60.0
DEFAULT_TOTAL_TIMEOUT = 600.0

_ELEMENT_BYTES = {"float32": 4, "int32": 4, "bool": 1, "complex64": 8, "uint8": 1, "uint16": 2, "float16": 2}


def positive_limit(name: str, value: Any, default: float) -> float:
    """A limit from the load options: None means the default; anything else must be a positive number."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or math.isnan(value):
        raise FormatError(f"Load option {name} must be a positive number, got {value!r}")
    return value


def declared_weight_bytes(specs: Sequence[Mapping], max_string_bytes: int) -> tuple[int, int]:
    """(least, most) bytes the weight data of these (checked) specs may hold."""
    fixed = strings = 0
    for spec in specs:
        size = math.prod(spec["shape"])
        quant = spec.get("quantization")
        dtype = quant["dtype"] if quant else spec["dtype"]
        if dtype == "string":
            strings += 4 * size
        else:
            fixed += size * _ELEMENT_BYTES.get(dtype, 8)
    least = fixed + strings
    return least, least + (max_string_bytes if strings else 0)


class LoadLimits:
    """The limits of one load, from its options."""

    def __init__(self, max_model_json_bytes: Any = None, max_string_weight_bytes: Any = None,
                 connect_timeout: Any = None, idle_timeout: Any = None, total_timeout: Any = None):
        self.max_model_json_bytes = int(positive_limit("max_model_json_bytes", max_model_json_bytes,
                                                       DEFAULT_MAX_MODEL_JSON_BYTES))
        self.max_string_weight_bytes = int(positive_limit("max_string_weight_bytes", max_string_weight_bytes,
                                                          DEFAULT_MAX_STRING_WEIGHT_BYTES))
        self.connect_timeout = positive_limit("connect_timeout", connect_timeout, DEFAULT_CONNECT_TIMEOUT)
        self.idle_timeout = positive_limit("idle_timeout", idle_timeout, DEFAULT_IDLE_TIMEOUT)
        self.total_timeout = positive_limit("total_timeout", total_timeout, DEFAULT_TOTAL_TIMEOUT)

    def model_json_too_large(self, source: str, size: int | None) -> FormatError:
        got = f"{size} bytes" if size is not None else "more"
        return FormatError(f"{source} is larger than the model.json limit: {got}, at most "
                           f"{self.max_model_json_bytes} bytes are read (raise max_model_json_bytes in the load "
                           f"options to load it)")

    def weight_bounds(self, specs: Sequence[Mapping]) -> tuple[int, int]:
        return declared_weight_bytes(specs, self.max_string_weight_bytes)


LIMIT_OPTIONS = ("max_model_json_bytes", "max_string_weight_bytes", "connect_timeout", "idle_timeout",
                 "total_timeout")


def limits_from_options(options: Mapping[str, Any]) -> LoadLimits:
    return LoadLimits(**{k: options.get(k) for k in LIMIT_OPTIONS})
