"""A small protobuf wire-format reader for TensorFlow's GraphDef (no ``protobuf`` package, no TensorFlow).

``read_graph_def(data)`` turns a binary GraphDef (a frozen ``.pb``) into the JSON form that TF.js's model.json
carries (``MessageToDict`` conventions, TFJS_FORMAT.md 8.1): camelCase field names, int64 as decimal strings,
enums by name, bytes as base64, unset proto3 scalars left out, oneof members kept even when zero. The one
departure: a ``TensorProto``'s values are not spelled out; they are decoded into a numpy array kept under the
private key ``"__array__"`` of the tensor dict (the converter turns Const values into weights and writes the rest
with :func:`tensor_to_json`).

Only the messages reachable from GraphDef are described (NodeDef, AttrValue, TensorProto, FunctionDefLibrary,
OpDef, ...); unknown fields are skipped, as protobuf parsers do.
"""

from __future__ import annotations

import base64
import struct
from typing import Any

import numpy as np

from ..errors import FormatError

ARRAY = "__array__"

DTYPE_NAMES = {0: "DT_INVALID", 1: "DT_FLOAT", 2: "DT_DOUBLE", 3: "DT_INT32", 4: "DT_UINT8", 5: "DT_INT16",
               6: "DT_INT8", 7: "DT_STRING", 8: "DT_COMPLEX64", 9: "DT_INT64", 10: "DT_BOOL", 11: "DT_QINT8",
               12: "DT_QUINT8", 13: "DT_QINT32", 14: "DT_BFLOAT16", 15: "DT_QINT16", 16: "DT_QUINT16",
               17: "DT_UINT16", 18: "DT_COMPLEX128", 19: "DT_HALF", 20: "DT_RESOURCE", 21: "DT_VARIANT",
               22: "DT_UINT32", 23: "DT_UINT64", 24: "DT_FLOAT8_E5M2", 25: "DT_FLOAT8_E4M3FN"}
DTYPE_NUMBERS = {v: k for k, v in DTYPE_NAMES.items()}
# Reference dtypes (DT_FLOAT_REF = 101 ...) read as their value dtype.
for _n, _name in list(DTYPE_NAMES.items()):
    if _n:
        DTYPE_NAMES[_n + 100] = _name + "_REF"

NUMPY_OF = {"DT_FLOAT": "<f4", "DT_DOUBLE": "<f8", "DT_INT32": "<i4", "DT_UINT8": "u1", "DT_INT16": "<i2",
            "DT_INT8": "i1", "DT_COMPLEX64": "<c8", "DT_INT64": "<i8", "DT_BOOL": "?", "DT_UINT16": "<u2",
            "DT_COMPLEX128": "<c16", "DT_HALF": "<f2", "DT_UINT32": "<u4", "DT_UINT64": "<u8",
            "DT_QINT8": "i1", "DT_QUINT8": "u1", "DT_QINT32": "<i4", "DT_QINT16": "<i2", "DT_QUINT16": "<u2"}


class WireError(FormatError):
    """Bytes that are not the protocol buffer message they should be."""


# --------------------------------------------------------------------------------------------------
# Low level


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise WireError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 70:
            raise WireError("varint too long")


def fields(buf: bytes | memoryview, start: int = 0, end: int | None = None):
    """Yield (field number, wire type, value) of one message; value is an int (varint / fixed) or a memoryview."""
    buf = memoryview(buf) if not isinstance(buf, memoryview) else buf
    raw = buf.obj if isinstance(buf.obj, (bytes, bytearray)) and buf.nbytes == len(buf.obj) else bytes(buf)
    pos, end = start, len(raw) if end is None else end
    while pos < end:
        key, pos = _varint(raw, pos)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, pos = _varint(raw, pos)
        elif wt == 1:
            val = raw[pos:pos + 8]
            pos += 8
        elif wt == 2:
            n, pos = _varint(raw, pos)
            val = memoryview(raw)[pos:pos + n]
            pos += n
        elif wt == 5:
            val = raw[pos:pos + 4]
            pos += 4
        else:
            raise WireError(f"unsupported wire type {wt} (field {num})")
        if pos > end:
            raise WireError("truncated message")
        yield num, wt, val


def _signed64(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def _signed32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


def _packed_varints(view) -> list[int]:
    raw = bytes(view)
    out, pos = [], 0
    while pos < len(raw):
        v, pos = _varint(raw, pos)
        out.append(v)
    return out


def _b64(view) -> str:
    return base64.b64encode(bytes(view)).decode("ascii")


def short_float(x: float) -> float:
    """A float32 value as the shortest decimal that reads back to it (what MessageToDict prints)."""
    return float(str(np.float32(x)))


# --------------------------------------------------------------------------------------------------
# Schema: message name -> {field number: (json name, kind, repeated, message type)}
# kinds: int32 int64 uint32 uint64 bool enum float double string bytes message map

_S: dict[str, dict[int, tuple]] = {
    "GraphDef": {1: ("node", "message", True, "NodeDef"), 4: ("versions", "message", False, "VersionDef"),
                 3: ("version", "int32", False, None), 2: ("library", "message", False, "FunctionDefLibrary")},
    "NodeDef": {1: ("name", "string", False, None), 2: ("op", "string", False, None),
                3: ("input", "string", True, None), 4: ("device", "string", False, None),
                5: ("attr", "map", False, ("string", "AttrValue")),
                6: ("experimentalDebugInfo", "message", False, "DebugInfo"),
                7: ("experimentalType", "message", False, "FullTypeDef")},
    "FullTypeDef": {1: ("typeId", "enum", False, None), 2: ("args", "message", True, "FullTypeDef"),
                    3: ("s", "string", False, None), 4: ("i", "int64", False, None)},
    "DebugInfo": {1: ("originalNodeNames", "string", True, None), 2: ("originalFunc", "string", True, None)},
    "VersionDef": {1: ("producer", "int32", False, None), 2: ("minConsumer", "int32", False, None),
                   3: ("badConsumers", "int32", True, None)},
    "FunctionDefLibrary": {1: ("function", "message", True, "FunctionDef"),
                           2: ("gradient", "message", True, "GradientDef")},
    "GradientDef": {1: ("functionName", "string", False, None), 2: ("gradientFunc", "string", False, None)},
    "FunctionDef": {1: ("signature", "message", False, "OpDef"), 5: ("attr", "map", False, ("string", "AttrValue")),
                    7: ("argAttr", "map", False, ("uint32", "ArgAttrs")),
                    8: ("resourceArgUniqueId", "map", False, ("uint32", "uint32")),
                    3: ("nodeDef", "message", True, "NodeDef"), 4: ("ret", "map", False, ("string", "string")),
                    6: ("controlRet", "map", False, ("string", "string"))},
    "ArgAttrs": {1: ("attr", "map", False, ("string", "AttrValue"))},
    "OpDef": {1: ("name", "string", False, None), 2: ("inputArg", "message", True, "ArgDef"),
              3: ("outputArg", "message", True, "ArgDef"), 20: ("controlOutput", "string", True, None),
              4: ("attr", "message", True, "AttrDef"), 5: ("summary", "string", False, None),
              6: ("description", "string", False, None), 18: ("isCommutative", "bool", False, None),
              16: ("isAggregate", "bool", False, None), 17: ("isStateful", "bool", False, None),
              19: ("allowsUninitializedInput", "bool", False, None)},
    "ArgDef": {1: ("name", "string", False, None), 2: ("description", "string", False, None),
               3: ("type", "enum", False, None), 4: ("typeAttr", "string", False, None),
               5: ("numberAttr", "string", False, None), 6: ("typeListAttr", "string", False, None),
               16: ("isRef", "bool", False, None)},
    "AttrDef": {1: ("name", "string", False, None), 2: ("type", "string", False, None),
                3: ("defaultValue", "message", False, "AttrValue"), 4: ("description", "string", False, None),
                5: ("hasMinimum", "bool", False, None), 6: ("minimum", "int64", False, None),
                7: ("allowedValues", "message", False, "AttrValue")},
    "AttrValue": {1: ("list", "message", False, "ListValue"), 2: ("s", "bytes", False, None),
                  3: ("i", "int64", False, None), 4: ("f", "float", False, None), 5: ("b", "bool", False, None),
                  6: ("type", "enum", False, None), 7: ("shape", "message", False, "TensorShapeProto"),
                  8: ("tensor", "message", False, "TensorProto"), 9: ("placeholder", "string", False, None),
                  10: ("func", "message", False, "NameAttrList")},
    "ListValue": {2: ("s", "bytes", True, None), 3: ("i", "int64", True, None), 4: ("f", "float", True, None),
                  5: ("b", "bool", True, None), 6: ("type", "enum", True, None),
                  7: ("shape", "message", True, "TensorShapeProto"), 8: ("tensor", "message", True, "TensorProto"),
                  9: ("func", "message", True, "NameAttrList")},
    "NameAttrList": {1: ("name", "string", False, None), 2: ("attr", "map", False, ("string", "AttrValue"))},
    "TensorShapeProto": {2: ("dim", "message", True, "Dim"), 3: ("unknownRank", "bool", False, None)},
    "Dim": {1: ("size", "int64", False, None), 2: ("name", "string", False, None)},
}
# AttrValue members form a oneof: present even when zero.
_ONEOF = {"AttrValue"}


def _scalar(kind: str, wt: int, val):
    if kind in ("int32", "enum"):
        return _signed32(val)
    if kind == "int64":
        return str(_signed64(val))
    if kind == "uint32":
        return val & 0xFFFFFFFF
    if kind == "uint64":
        return str(val)
    if kind == "bool":
        return bool(val)
    if kind == "float":
        return short_float(struct.unpack("<f", val)[0])
    if kind == "double":
        return struct.unpack("<d", val)[0]
    if kind == "string":
        return bytes(val).decode("utf-8", errors="replace")
    if kind == "bytes":
        return _b64(val)
    raise WireError(kind)


# tensorflow/core/framework/full_type.proto's FullTypeId
FULL_TYPE_NAMES = {0: 0, 1: "TFT_VAR", 2: "TFT_ANY", 3: "TFT_PRODUCT", 4: "TFT_NAMED", 20: "TFT_FOR_EACH",
                   100: "TFT_CALLABLE", 1000: "TFT_TENSOR", 1001: "TFT_ARRAY", 1002: "TFT_OPTIONAL",
                   1003: "TFT_LITERAL", 1004: "TFT_ENCODED", 1005: "TFT_SHAPE_TENSOR", 200: "TFT_BOOL",
                   201: "TFT_UINT8", 202: "TFT_UINT16", 203: "TFT_UINT32", 204: "TFT_UINT64", 205: "TFT_INT8",
                   206: "TFT_INT16", 207: "TFT_INT32", 208: "TFT_INT64", 209: "TFT_HALF", 210: "TFT_FLOAT",
                   211: "TFT_DOUBLE", 215: "TFT_BFLOAT16", 212: "TFT_COMPLEX64", 213: "TFT_COMPLEX128",
                   214: "TFT_STRING", 10102: "TFT_DATASET", 10103: "TFT_RAGGED", 10104: "TFT_ITERATOR",
                   10202: "TFT_MUTEX_LOCK", 10203: "TFT_LEGACY_VARIANT"}


def _enum_name(kind_msg: str, v: int):
    if kind_msg == "FullTypeDef":
        return FULL_TYPE_NAMES.get(v, v)  # 0 (TFT_UNSET) stays 0: an unset proto3 enum, not printed
    return DTYPE_NAMES.get(v, v)


def _repeated_scalars(kind: str, wt: int, val) -> list:
    if wt == 2 and kind not in ("string", "bytes"):
        if kind == "float":
            return [short_float(x) for x in np.frombuffer(bytes(val), "<f4")]
        if kind == "double":
            return [float(x) for x in np.frombuffer(bytes(val), "<f8")]
        return [_scalar(kind, 0, v) for v in _packed_varints(val)]
    return [_scalar(kind, wt, val)]


_WIRE_TYPES = {"message": 2, "map": 2, "string": 2, "bytes": 2, "float": 5, "double": 1}


def decode(msg: str, buf) -> dict:
    """One message of the schema as a JSON dict (TensorProto special-cased, see module doc)."""
    if msg == "TensorProto":
        return decode_tensor(buf)
    schema = _S[msg]
    out: dict[str, Any] = {}
    for num, wt, val in fields(buf):
        spec = schema.get(num)
        if spec is None:
            continue
        name, kind, repeated, sub = spec
        expected = _WIRE_TYPES.get(kind, 0)
        if wt != expected and not (repeated and wt == 2):
            raise WireError(f"{msg}.{name}: wire type {wt} where {expected} belongs")
        if kind == "message":
            value = decode(sub, val)
            if repeated:
                out.setdefault(name, []).append(value)
            else:
                out[name] = value
        elif kind == "map":
            ktype, vtype = sub
            k = v = None
            for n2, wt2, v2 in fields(val):
                if n2 == 1:
                    k = _scalar(ktype, wt2, v2)
                elif n2 == 2:
                    v = decode(vtype, v2) if vtype in _S or vtype == "TensorProto" else _scalar(vtype, wt2, v2)
            if k is None:
                k = "" if ktype == "string" else 0
            if v is None:
                v = {} if vtype in _S else ("" if vtype == "string" else 0)
            out.setdefault(name, {})[str(k)] = v
        elif repeated:
            vals = _repeated_scalars(kind, wt, val)
            if kind == "enum":
                vals = [_enum_name(msg, v) for v in vals]
            out.setdefault(name, []).extend(vals)
        else:
            value = _scalar(kind, wt, val)
            if kind == "enum":
                value = _enum_name(msg, value)
            out[name] = value
    if msg not in _ONEOF:  # proto3: scalars equal to their default are not printed
        for k in [k for k, v in out.items() if not isinstance(v, (dict, list)) and v in ("", 0, "0", False)]:
            del out[k]
    return out


# --------------------------------------------------------------------------------------------------
# TensorProto


def _bf16_to_f32(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(np.uint32) << 16).view(np.float32)


def decode_tensor(buf) -> dict:
    """TensorProto -> {"dtype", "tensorShape", "__array__": ndarray (None for resource/variant)}."""
    dtype = "DT_INVALID"
    shape_json: dict = {}
    content = None
    typed: dict[int, list] = {}
    strings: list[bytes] = []
    for num, wt, val in fields(buf):
        if num == 1:
            dtype = DTYPE_NAMES.get(val, str(val))
        elif num == 2:
            shape_json = decode("TensorShapeProto", val)
        elif num == 4:
            content = bytes(val)
        elif num == 8:
            strings.append(bytes(val))
        elif num in (5, 6, 7, 9, 10, 11, 12, 13, 16, 17):
            if num in (5, 9):
                vals = list(np.frombuffer(bytes(val), "<f4")) if wt == 2 else [struct.unpack("<f", val)[0]]
            elif num in (6, 12):
                vals = list(np.frombuffer(bytes(val), "<f8")) if wt == 2 else [struct.unpack("<d", val)[0]]
            else:
                vals = _packed_varints(val) if wt == 2 else [val]
            typed.setdefault(num, []).extend(vals)
    out: dict[str, Any] = {"dtype": dtype, "tensorShape": shape_json}
    dims = [int(d.get("size", "0")) for d in shape_json.get("dim", [])]
    size = int(np.prod(dims)) if dims else 1
    base = dtype[:-4] if dtype.endswith("_REF") else dtype
    arr = None
    if base == "DT_STRING":
        arr = np.empty(len(strings), dtype=object)
        arr[:] = strings
        arr = _fill(arr, size, dims)
    elif base in ("DT_RESOURCE", "DT_VARIANT", "DT_INVALID"):
        arr = None
    elif content is not None:
        if base == "DT_BFLOAT16":
            arr = _bf16_to_f32(np.frombuffer(content, "<u2")).reshape(dims)
        else:
            arr = np.frombuffer(content, NUMPY_OF[base]).reshape(dims).copy()
    else:
        if base == "DT_HALF":
            arr = np.array(typed.get(13, []), np.uint16).view(np.float16)
        elif base == "DT_BFLOAT16":
            arr = _bf16_to_f32(np.array(typed.get(13, []), np.uint16))
        elif base in ("DT_FLOAT",):
            arr = np.array(typed.get(5, []), np.float32)
        elif base == "DT_DOUBLE":
            arr = np.array(typed.get(6, []), np.float64)
        elif base in ("DT_INT32", "DT_INT16", "DT_INT8", "DT_UINT8", "DT_UINT16", "DT_QINT8", "DT_QUINT8",
                      "DT_QINT32", "DT_QINT16", "DT_QUINT16"):
            arr = np.array([_signed32(v) for v in typed.get(7, [])], np.int64).astype(NUMPY_OF[base])
        elif base == "DT_INT64":
            arr = np.array([_signed64(v) for v in typed.get(10, [])], np.int64)
        elif base == "DT_BOOL":
            arr = np.array([bool(v) for v in typed.get(11, [])], np.bool_)
        elif base == "DT_UINT32":
            arr = np.array(typed.get(16, []), np.uint32)
        elif base == "DT_UINT64":
            arr = np.array(typed.get(17, []), np.uint64)
        elif base == "DT_COMPLEX64":
            v = np.array(typed.get(9, []), np.float32)
            arr = (v[0::2] + 1j * v[1::2]).astype(np.complex64)
        elif base == "DT_COMPLEX128":
            v = np.array(typed.get(12, []), np.float64)
            arr = (v[0::2] + 1j * v[1::2]).astype(np.complex128)
        else:
            raise WireError(f"TensorProto of dtype {dtype} cannot be read")
        arr = _fill(arr, size, dims)
    out[ARRAY] = arr
    return out


def _fill(arr: np.ndarray, size: int, dims: list[int]) -> np.ndarray:
    """TF's rule for typed value lists shorter than the shape: the last value repeats (none: zeros)."""
    if arr.size == size:
        return arr.reshape(dims)
    if arr.size == 0:
        fill = b"" if arr.dtype == object else 0
        out = np.empty(size, dtype=arr.dtype) if arr.dtype == object else np.zeros(size, arr.dtype)
        if arr.dtype == object:
            out[:] = [fill] * size
        return out.reshape(dims)
    if arr.size > size:
        raise WireError(f"tensor has {arr.size} values for shape {dims}")
    out = np.empty(size, dtype=arr.dtype)
    out[:arr.size] = arr
    out[arr.size:] = arr[-1]
    return out.reshape(dims)


def tensor_to_json(tensor: dict, with_values: bool = True) -> dict:
    """A tensor dict of this module as MessageToDict JSON (values as tensorContent / typed lists), or only
    dtype and shape (what a Const keeps once its value went to the weights)."""
    out = {"dtype": tensor["dtype"], "tensorShape": tensor.get("tensorShape", {})}
    arr = tensor.get(ARRAY)
    if not with_values or arr is None:
        return out
    if tensor["dtype"] == "DT_STRING":
        out["stringVal"] = [base64.b64encode(v if isinstance(v, bytes) else str(v).encode()).decode()
                            for v in arr.reshape(-1)]
    elif arr.size:
        src = NUMPY_OF.get(tensor["dtype"], arr.dtype.str)
        out["tensorContent"] = base64.b64encode(np.ascontiguousarray(arr).astype(src).tobytes()).decode()
    return out


def _checked(what: str, fn, data):
    try:
        return fn(memoryview(bytes(data)))
    except WireError as e:
        raise WireError(f"Not a valid {what}: {e}") from None
    except (TypeError, ValueError, IndexError, KeyError, OverflowError, struct.error) as e:
        raise WireError(f"Not a valid {what}: {type(e).__name__}: {e}") from None


def read_graph_def(data: bytes) -> dict:
    """A binary GraphDef (``.pb``) as GraphDef JSON with decoded Const arrays; WireError (a FormatError) when
    the bytes are not one."""
    return _checked("GraphDef", lambda view: decode("GraphDef", view), data)


def read_tensor(data: bytes) -> np.ndarray | None:
    """A binary TensorProto as a numpy array."""
    return _checked("TensorProto", lambda view: decode_tensor(view)[ARRAY], data)


def strip_arrays(obj):
    """A deep copy of a JSON dict without the private arrays (values cleared)."""
    if isinstance(obj, dict):
        return {k: strip_arrays(v) for k, v in obj.items() if k != ARRAY}
    if isinstance(obj, list):
        return [strip_arrays(v) for v in obj]
    return obj
