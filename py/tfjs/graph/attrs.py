"""GraphDef attribute values (protobuf JSON, TFJS_FORMAT 8.1) decoded into Python values, and TF dtypes.

``s`` strings are base64 bytes (decoded to ``str``; mappers lower-case them where TF.js does), ``i`` int64s
arrive as decimal strings, ``shape`` becomes a list (``None`` for unknown rank), ``type`` a TF.js dtype
name, ``list`` a Python list, ``func`` the function's name, ``tensor`` a numpy array when values are inline.

Every encoding TF.js's op mapper reads is read here too, whichever converter wrote the model.json:
- bytes (``s``, ``list.s``, a tensor's ``stringVal`` / ``tensorContent``) as base64 text (converter 2.x and
  later) or as an array of byte values (converter 1.x: ``{"s": [78, 72, 87, 67]}`` is "NHWC");
- integers (``i``, ``list.i``, shape dims, ``int64Val``) as numbers or as decimal strings;
- floats as numbers or as the strings protobuf JSON writes for non-finite values ("NaN", "Infinity");
- dtypes (``type``, ``list.type``, a tensor's ``dtype``, signature dtypes) as enum names or enum numbers.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import numpy as np

from ..errors import FormatError

# TF DataType enum names -> TF.js dtypes (operation_mapper.ts parseDtypeParam); others are unsupported.
DTYPE_MAP = {
    "DT_FLOAT": "float32", "DT_HALF": "float32", "DT_DOUBLE": "float32", "DT_BFLOAT16": "float32",
    "DT_INT32": "int32", "DT_INT64": "int32", "DT_INT8": "int32", "DT_UINT8": "int32", "DT_INT16": "int32",
    "DT_UINT16": "int32", "DT_UINT32": "int32", "DT_UINT64": "int32",
    "DT_BOOL": "bool", "DT_STRING": "string", "DT_COMPLEX64": "complex64", "DT_COMPLEX128": "complex64",
    "DT_RESOURCE": "resource", "DT_VARIANT": "variant",
}
# TF DataType enum numbers (used in a few tensor protos) -> names.
DTYPE_ENUM = {1: "DT_FLOAT", 2: "DT_DOUBLE", 3: "DT_INT32", 4: "DT_UINT8", 5: "DT_INT16", 6: "DT_INT8",
              7: "DT_STRING", 8: "DT_COMPLEX64", 9: "DT_INT64", 10: "DT_BOOL", 14: "DT_BFLOAT16",
              17: "DT_UINT16", 18: "DT_COMPLEX128", 19: "DT_HALF", 20: "DT_RESOURCE", 21: "DT_VARIANT",
              22: "DT_UINT32", 23: "DT_UINT64"}
NUMPY_DTYPES = {"float32": np.float32, "int32": np.int32, "bool": np.bool_, "complex64": np.complex64,
                "string": object}


def dtype_name(value: Any) -> Any:
    """A DataType as its enum name: 'DT_FLOAT', 1 and '1' all give 'DT_FLOAT'; anything else unchanged."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return DTYPE_ENUM.get(value, str(value))
    return value


def tf_dtype(value: Any) -> str | None:
    """'DT_FLOAT' (or its enum number) -> 'float32'; None for a dtype TF.js has no counterpart for."""
    return DTYPE_MAP.get(dtype_name(value))


def decode_bytes(value: Any) -> bytes:
    """Bytes as base64 text, or as a list of byte values (converter 1.x)."""
    if isinstance(value, (list, tuple)):
        try:
            return bytes(int(v) & 0xFF for v in value)
        except (TypeError, ValueError) as exc:
            raise FormatError(f"A bytes attribute holds a list that is not byte values: {value[:8]!r}") from exc
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if not isinstance(value, str):
        raise FormatError(f"A bytes attribute should be base64 text or a list of byte values, got {value!r}")
    try:
        return base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError):
        return value.encode("utf-8")


def decode_str(value: Any) -> str:
    return decode_bytes(value).decode("utf-8", errors="replace")


def _int(value: Any) -> int:
    return int(value)


def _float(value: Any) -> float:
    return float(value)  # also "NaN", "Infinity", "-Infinity"


def parse_shape(shape: dict | None) -> list[int] | None:
    if shape is None:
        return None
    if shape.get("unknownRank"):
        return None
    return [_int(d.get("size", 0)) for d in shape.get("dim") or []]


def parse_tensor(tensor: dict) -> np.ndarray | None:
    """An inline TensorProto (small constants in attrs); None when the values were stripped to weights."""
    dtype_enum = dtype_name(tensor.get("dtype", "DT_FLOAT"))
    dtype = tf_dtype(dtype_enum)
    shape = parse_shape(tensor.get("tensorShape")) or []
    size = int(np.prod(shape)) if shape else 1
    np_dtype = NUMPY_DTYPES.get(dtype or "float32", np.float32)
    for key in ("floatVal", "doubleVal", "intVal", "int64Val", "boolVal", "halfVal", "scomplexVal"):
        if key in tensor:
            vals = tensor[key]
            if key in ("int64Val", "intVal"):
                vals = [_int(v) for v in vals]
            elif key in ("floatVal", "doubleVal", "halfVal"):
                vals = [_float(v) for v in vals]
            arr = np.asarray(vals, dtype=np_dtype)
            return np.broadcast_to(arr, shape).copy() if arr.size in (0, 1) and size != arr.size else \
                arr.reshape(shape)
    if "stringVal" in tensor:
        arr = np.array([decode_bytes(s) for s in tensor["stringVal"]], dtype=object)
        return np.broadcast_to(arr, shape).copy() if arr.size == 1 and size != 1 else arr.reshape(shape)
    if "tensorContent" in tensor:
        raw = decode_bytes(tensor["tensorContent"])
        src = {"DT_FLOAT": "<f4", "DT_DOUBLE": "<f8", "DT_INT32": "<i4", "DT_INT64": "<i8", "DT_UINT8": "u1",
               "DT_INT8": "i1", "DT_BOOL": "u1", "DT_HALF": "<f2", "DT_INT16": "<i2"}.get(dtype_enum)
        if src is not None:
            return np.frombuffer(raw, src).astype(np_dtype).reshape(shape)
    return None


def parse_attr(value: dict) -> Any:
    """One AttrValue (JSON) to a Python value. A list's first non-empty field is its value (writers that
    emit every field of a ListValue leave the others empty)."""
    if "list" in value:
        lst = value["list"] or {}
        for key, conv in (("s", decode_str), ("i", _int), ("f", _float), ("b", bool), ("type", tf_dtype),
                          ("shape", parse_shape), ("tensor", parse_tensor), ("func", lambda f: f.get("name"))):
            if lst.get(key):
                return [conv(v) for v in lst[key]]
        return []
    if "s" in value:
        return decode_str(value["s"])
    if "i" in value:
        return _int(value["i"])
    if "f" in value:
        return _float(value["f"])
    if "b" in value:
        return bool(value["b"])
    if "type" in value:
        return tf_dtype(value["type"])
    if "shape" in value:
        return parse_shape(value["shape"])
    if "tensor" in value:
        return parse_tensor(value["tensor"])
    if "func" in value:
        return value["func"].get("name")
    return None


def parse_attrs(attrs: dict | None) -> dict[str, Any]:
    return {name: parse_attr(value) for name, value in (attrs or {}).items()}
