"""JSON text exactly as JavaScript's ``JSON.stringify`` writes it.

TF.js measures and stores model topology and weight specs as ``JSON.stringify`` output, so byte counts
(``modelTopologyBytes``) and stored strings only match when numbers are written the way JavaScript writes
them: ``1`` not ``1.0``, ``1e-7`` not ``1e-07``, ``1e+21`` not ``1e+21``... and NaN/Infinity as ``null``.
"""

from __future__ import annotations

import json
import math
from typing import Any

_escape_string = json.JSONEncoder(ensure_ascii=False).encode


def js_number(value: float | int) -> str:
    """Format a number as JavaScript's Number.prototype.toString does (ECMAScript Number::toString)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) < 10**21:
            return str(value)
        value = float(value)
    if math.isnan(value) or math.isinf(value):
        return "null"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # repr gives the shortest digits that round-trip, like JavaScript; only the layout differs.
    mantissa, _, exp = repr(abs(value)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    # n: position of the decimal point relative to the start of `digits` (ECMAScript's n).
    n = len(whole) + int(exp or 0) if whole != "0" else int(exp or 0) - (len(frac) - len(frac.lstrip("0")))
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    exp_text = f"e{'+' if e >= 0 else '-'}{abs(e)}"
    if k == 1:
        return sign + digits + exp_text
    return sign + digits[0] + "." + digits[1:] + exp_text


def stringify(value: Any) -> str:
    """``JSON.stringify(value)``: compact, keys in insertion order, JavaScript number formatting."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_escape_string(value))
    elif isinstance(value, (int, float)):
        out.append(js_number(value))
    elif isinstance(value, dict):
        out.append("{")
        first = True
        for key, item in value.items():
            if not first:
                out.append(",")
            first = False
            out.append(_escape_string(str(key)))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif hasattr(value, "tolist") and hasattr(value, "dtype"):  # numpy scalar or array
        _write(value.tolist(), out)
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON: {value!r}")


def byte_length(value: Any) -> int:
    """UTF-8 byte length of ``JSON.stringify(value)`` (0 for None, as TF.js counts absent parts)."""
    if value is None:
        return 0
    return len(stringify(value).encode("utf-8"))
