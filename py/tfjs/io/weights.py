"""The weights codec: named arrays to TF.js's weight bytes and specs, and back.

Byte layout (TF.js's): weights back to back in spec order, no padding, little-endian; ``bool`` one byte per
element; ``complex64`` interleaved float32 (real, imaginary); ``string`` per element a uint32 byte length then
the bytes. Quantized entries (``quantization.dtype`` uint8, uint16 or float16) are dequantized exactly as
TF.js computes it.

Decoding walks a list of shard buffers without joining them: a weight inside one shard is a zero-copy view
of it; only a weight that straddles two shards is copied, on its own. Byte counts are checked before any
weight is decoded: short or long data is an error naming the weight, the shard and the sizes.
"""

from __future__ import annotations

import math
import struct
from array import array
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..errors import FormatError, UnsupportedError

DTYPE_SIZES = {"float32": 4, "int32": 4, "bool": 1, "complex64": 8, "float16": 2, "uint16": 2, "uint8": 1}
_LE_DTYPES = {"float32": "<f4", "int32": "<i4", "bool": "u1", "complex64": "<c8", "float16": "<f2",
              "uint16": "<u2", "uint8": "u1"}
QUANTIZATION_DTYPES = ("uint8", "uint16", "float16")


# --------------------------------------------------------------------------------------------------
# Weight data: one buffer or a list of shards


def as_shards(data: Any) -> list[memoryview]:
    """The weight data as a list of byte views (a single buffer becomes a list of one)."""
    if data is None:
        return []
    try:
        if isinstance(data, (list, tuple)):
            return [memoryview(s).cast("B") if not isinstance(s, memoryview) or s.format != "B" else s
                    for s in data]
        view = memoryview(data)
        return [view.cast("B") if view.format != "B" or view.ndim != 1 else view]
    except (TypeError, ValueError) as e:
        raise FormatError(f"Weight data must be a bytes-like buffer or a list of them, got "
                          f"{type(data).__name__} ({e})") from None


def weight_data_byte_length(data: Any) -> int:
    return sum(s.nbytes for s in as_shards(data))


def join_weight_data(data: Any) -> bytes:
    """All shards in one buffer: only for storage that keeps one buffer (localStorage, IndexedDB, downloads)."""
    shards = as_shards(data)
    if len(shards) == 1:
        return shards[0].tobytes()
    return b"".join(shards)


# --------------------------------------------------------------------------------------------------
# Encoding


def _to_tf_array(name: str, value: Any) -> tuple[np.ndarray, str]:
    """The array a weight is written from and its TF.js dtype."""
    if isinstance(value, (str, bytes)):
        value = np.array(value, dtype=object)
    arr = np.asarray(value)
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype.itemsize <= 8:
        return arr.astype("<f4", copy=False), "float32"
    if kind == "b":
        return arr.astype("u1"), "bool"
    if kind in "iu":
        if arr.size and (arr.min() < -(2**31) or arr.max() > 2**31 - 1):
            raise FormatError(f"Weight '{name}' has values outside int32's range; TF.js stores integers as int32")
        return arr.astype("<i4", copy=False), "int32"
    if kind == "c":
        return arr.astype("<c8", copy=False), "complex64"
    if kind in "USO":
        return arr, "string"
    raise FormatError(f"Unsupported dtype in weight '{name}': {arr.dtype}")


def _string_bytes(name: str, arr: np.ndarray) -> bytes:
    parts = []
    for item in arr.reshape(-1):
        if isinstance(item, str):
            item = item.encode("utf-8")
        elif isinstance(item, (bytes, bytearray, memoryview)):
            item = bytes(item)
        else:
            raise FormatError(f"Weight '{name}' is a string tensor but holds a {type(item).__name__}: {item!r}")
        parts.append(len(item).to_bytes(4, "little"))
        parts.append(item)
    return b"".join(parts)


def _named_items(tensors: Mapping[str, Any] | Iterable) -> list[tuple[str, Any]]:
    if isinstance(tensors, Mapping):
        return list(tensors.items())
    items = []
    for entry in tensors:
        if isinstance(entry, Mapping):
            items.append((entry["name"], entry["tensor"]))
        else:
            name, value = entry
            items.append((name, value))
    return items


def encode_weights(tensors: Mapping[str, Any] | Iterable, group: str | None = None) -> tuple[bytes, list[dict]]:
    """Encode named arrays into TF.js's weight bytes and specs (``tf.io.encodeWeights``).

    ``tensors`` is a dict ``{name: array}`` or a list of ``(name, array)`` pairs (or ``{"name", "tensor"}``
    dicts); the order is kept. float64 becomes float32 and other integer types int32, as TF.js stores them;
    ``str``/``bytes`` arrays become string weights.
    """
    parts: list[bytes] = []
    specs: list[dict] = []
    seen: set[str] = set()
    for name, value in _named_items(tensors):
        if name in seen:
            raise FormatError(f"Duplicate weight name: '{name}'")
        seen.add(name)
        arr, dtype = _to_tf_array(name, value)
        if dtype == "string":
            parts.append(_string_bytes(name, arr))
        else:
            parts.append(np.ascontiguousarray(arr).tobytes())
        spec = {"name": name, "shape": [int(d) for d in arr.shape], "dtype": dtype}
        if group is not None:
            spec["group"] = group
        specs.append(spec)
    return b"".join(parts), specs


# --------------------------------------------------------------------------------------------------
# Decoding


class _ShardCursor:
    """Reads byte ranges from a list of shards as if they were one buffer, without joining them."""

    def __init__(self, shards: list[memoryview], shard_names: Sequence[str] | None):
        self.shards = shards
        self.names = list(shard_names) if shard_names is not None else None
        self.starts = []
        total = 0
        for shard in shards:
            self.starts.append(total)
            total += shard.nbytes
        self.total = total

    def shard_at(self, offset: int) -> int:
        for i in range(len(self.shards) - 1, -1, -1):
            if self.starts[i] <= offset:
                return i
        return 0

    def describe_shard(self, index: int) -> str:
        if not self.shards:
            return "no shard"
        label = f"shard {index + 1} of {len(self.shards)}"
        if self.names is not None and index < len(self.names):
            label += f" ({self.names[index]})"
        return f"{label}, {self.shards[index].nbytes} bytes"

    def read(self, offset: int, nbytes: int) -> memoryview:
        """Bytes [offset, offset + nbytes): a view when they lie in one shard, else a copy of just them."""
        if nbytes == 0:
            return memoryview(b"")
        i = self.shard_at(offset)
        local = offset - self.starts[i]
        shard = self.shards[i]
        if local + nbytes <= shard.nbytes:
            return shard[local:local + nbytes]
        out = bytearray(nbytes)
        filled = 0
        while filled < nbytes:
            shard = self.shards[i]
            take = min(shard.nbytes - local, nbytes - filled)
            out[filled:filled + take] = shard[local:local + take]
            filled += take
            i += 1
            local = 0
        return memoryview(out)


def _spec_size(spec: Mapping) -> int:
    return math.prod(int(d) for d in spec.get("shape", []))


WEIGHT_DTYPES = ("float32", "int32", "bool", "complex64", "string")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_dim(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return value.is_integer() and value >= 0
    return isinstance(value, int) and value >= 0


def check_weight_spec(spec: Any, where: str = "") -> None:
    """Check every field of one weight spec; a FormatError names the weight and the field.

    ``where`` (e.g. ``"model.json: weightsManifest[0].weights[3]"``) says where the spec came from.
    """
    prefix = f"{where}: " if where else ""
    if not isinstance(spec, Mapping):
        raise FormatError(f"{prefix}a weight spec must be an object with name, shape and dtype, got "
                          f"{type(spec).__name__} {spec!r:.80}")
    name = spec.get("name")
    if not isinstance(name, str) or not name:
        raise FormatError(f"{prefix}weight spec field 'name' must be a non-empty string, got {name!r:.80}")
    label = f"{prefix}weight '{name}'"
    shape = spec.get("shape")
    if not isinstance(shape, (list, tuple)) or not all(_is_dim(d) for d in shape):
        raise FormatError(f"{label}: field 'shape' must be a list of non-negative integers, got {shape!r:.80}")
    dtype = spec.get("dtype")
    if not isinstance(dtype, str):
        raise FormatError(f"{label}: field 'dtype' must be one of {', '.join(WEIGHT_DTYPES)}, got {dtype!r:.80}")
    group = spec.get("group")
    if group is not None and not isinstance(group, str):
        raise FormatError(f"{label}: field 'group' must be a string, got {group!r:.80}")
    quant = spec.get("quantization")
    if quant is None:
        return
    if not isinstance(quant, Mapping):
        raise FormatError(f"{label}: field 'quantization' must be an object {{dtype, min, scale}}, got "
                          f"{quant!r:.80}")
    qdtype = quant.get("dtype")
    if qdtype not in QUANTIZATION_DTYPES:
        raise FormatError(f"{prefix}Weight {name} has unknown quantization dtype {qdtype!r:.80} (field "
                          f"'quantization.dtype'). Supported quantization dtypes are: 'uint8', 'uint16', and "
                          f"'float16'.")
    for key in ("min", "scale"):
        if key in quant and not _is_number(quant[key]):
            raise FormatError(f"{label}: field 'quantization.{key}' must be a finite number, got {quant[key]!r:.80}")
    original = quant.get("original_dtype")
    if original is not None and not isinstance(original, str):
        raise FormatError(f"{label}: field 'quantization.original_dtype' must be a string, got {original!r:.80}")


def check_weight_specs(specs: Any, where: str = "weightSpecs") -> None:
    """Check a list of weight specs (see :func:`check_weight_spec`)."""
    if not isinstance(specs, (list, tuple)):
        raise FormatError(f"{where} must be a list of weight specs, got {type(specs).__name__}")
    for i, spec in enumerate(specs):
        check_weight_spec(spec, f"{where}[{i}]")


def _check_spec(spec: Mapping) -> tuple[str, str | None]:
    """Validate one spec; returns (dtype, quantization dtype or None)."""
    check_weight_spec(spec)
    name, dtype = spec.get("name"), spec.get("dtype")
    quant = spec.get("quantization")
    if quant is not None:
        qdtype = quant.get("dtype")
        if qdtype in ("uint8", "uint16") and ("min" not in quant or "scale" not in quant):
            raise FormatError(f"Weight {name} with quantization {qdtype} doesn't have corresponding metadata "
                              f"min and scale.")
        if qdtype == "float16" and dtype == "int32":
            raise FormatError(f"Unsupported quantization type float16 for weight type int32.")
        if qdtype == "float16" and dtype != "float32":
            raise FormatError(f"Weight {name} is quantized with {qdtype} which only supports weights of type "
                              f"float32 not {dtype}.")
        if dtype not in ("float32", "int32"):
            raise UnsupportedError(f"Unsupported dtype in weight '{name}': {dtype}")
        return dtype, qdtype
    if dtype not in WEIGHT_DTYPES:
        raise UnsupportedError(f"Unsupported dtype in weight '{name}': {dtype}")
    return dtype, None


_U32 = struct.Struct("<I").unpack_from


def _string_lengths(cursor: "_ShardCursor", spec: Mapping, offset: int, count: int) -> tuple[array | None, int]:
    """The byte lengths of a string weight's ``count`` strings starting at ``offset`` (None: all empty), and its
    byte length.

    Walks each shard in place; only a length prefix split between two shards is copied."""
    if count * 4 > cursor.total - offset:
        _need(cursor, spec, offset, count * 4, f"the lengths of its {count} strings")
    if count and cursor.shards:
        i = cursor.shard_at(offset)
        local = offset - cursor.starts[i]
        if local + 4 * count <= cursor.shards[i].nbytes and \
                not np.frombuffer(cursor.shards[i], np.uint8, 4 * count, local).any():
            return None, 4 * count  # all empty strings (a common padding of vocabularies)
    lengths = array("Q")
    append = lengths.append
    pos = offset
    done = 0
    while done < count:
        i = cursor.shard_at(pos)
        shard, start = cursor.shards[i], cursor.starts[i]
        local, end = pos - start, shard.nbytes
        while done < count and local + 4 <= end:
            (length,) = _U32(shard, local)
            append(length)
            local += 4 + length
            done += 1
        pos = start + local
        if done == count:
            break
        _need(cursor, spec, pos, 4, "the length of one of its strings")
        if local < end:  # the length prefix straddles two shards
            (length,) = _U32(cursor.read(pos, 4))
            append(length)
            pos += 4 + length
            done += 1
    return lengths, pos - offset


def _layout(cursor: _ShardCursor, specs: Sequence[Mapping]) -> list[tuple[int, int, array | None]]:
    """(offset, byte length, string lengths or None) of every weight; raises if the data is shorter or longer
    than the specs need."""
    if not isinstance(specs, (list, tuple)):
        raise FormatError(f"weightSpecs must be a list of weight specs, got {type(specs).__name__}")
    layout = []
    offset = 0
    for spec in specs:
        dtype, qdtype = _check_spec(spec)
        size = _spec_size(spec)
        lengths = None
        if dtype == "string":
            lengths, nbytes = _string_lengths(cursor, spec, offset, size)
        else:
            nbytes = size * DTYPE_SIZES[qdtype or dtype]
        _need(cursor, spec, offset, nbytes, None)
        layout.append((offset, nbytes, lengths))
        offset += nbytes
    if offset != cursor.total:
        last = specs[-1]["name"] if specs else None
        where = cursor.describe_shard(cursor.shard_at(offset))
        after = f"after the last weight '{last}'" if last is not None else "but the manifest lists no weight"
        raise FormatError(f"Weight data is too long: the manifest's {len(specs)} weights take {offset} bytes but "
                          f"the weight data holds {cursor.total} bytes ({len(cursor.shards)} shards): "
                          f"{cursor.total - offset} unexpected bytes {after}, from {where}.")
    return layout


def _need(cursor: _ShardCursor, spec: Mapping, offset: int, nbytes: int, what: str | None) -> None:
    if offset + nbytes <= cursor.total:
        return
    shard = cursor.describe_shard(cursor.shard_at(min(offset, max(cursor.total - 1, 0))))
    detail = f" to read {what}" if what else ""
    raise FormatError(
        f"Weight data is too short for weight '{spec.get('name')}' ({spec.get('dtype')} {list(spec.get('shape', []))}"
        f"{', quantized ' + spec['quantization']['dtype'] if spec.get('quantization') else ''}): it needs bytes "
        f"{offset} to {offset + nbytes}{detail}, but the weight data ends at {cursor.total} "
        f"({len(cursor.shards)} shards; last bytes in {shard}): expected at least {offset + nbytes} bytes, "
        f"got {cursor.total}.")


def _decode_one(view: memoryview, spec: Mapping, lengths: array | None = None) -> np.ndarray:
    dtype, qdtype = _check_spec(spec)
    shape = [int(d) for d in spec.get("shape", [])]
    if dtype == "string":
        if lengths is None:
            out = np.empty(view.nbytes // 4, dtype=object)
            out.fill(b"")
            return out.reshape(shape)
        items = []
        append = items.append
        pos = 4
        for length in lengths:
            append(view[pos:pos + length].tobytes() if length else b"")
            pos += 4 + length
        out = np.empty(len(items), dtype=object)
        out[:] = items
        return out.reshape(shape)
    if qdtype is not None:
        raw = np.frombuffer(view, dtype=_LE_DTYPES[qdtype])
        if qdtype == "float16":
            return raw.astype(np.float32).reshape(shape)
        quant = spec["quantization"]
        values = raw.astype(np.float64) * float(quant["scale"]) + float(quant["min"])
        if dtype == "int32":
            return np.floor(values + 0.5).astype(np.int32).reshape(shape)  # JavaScript's Math.round
        return values.astype(np.float32).reshape(shape)
    arr = np.frombuffer(view, dtype=_LE_DTYPES[dtype])
    if dtype == "bool":
        return (arr != 0).reshape(shape)
    return arr.reshape(shape)


def check_weight_data(data: Any, specs: Sequence[Mapping], shard_names: Sequence[str] | None = None) -> None:
    """Check that the weight data holds exactly the bytes the specs need; the error names weight and shard."""
    _layout(_ShardCursor(as_shards(data), shard_names), specs)


def decode_weights(data: Any, specs: Sequence[Mapping], shard_names: Sequence[str] | None = None
                   ) -> dict[str, np.ndarray]:
    """Decode weight bytes into named numpy arrays (``tf.io.decodeWeights``).

    ``data`` is one buffer or a list of shard buffers (never joined). ``shard_names`` (file names or URLs)
    make error messages name the shard at fault. float32, int32 and complex64 weights that lie inside one
    shard are read-only views of it; string weights are object arrays of ``bytes``.
    """
    cursor = _ShardCursor(as_shards(data), shard_names)
    layout = _layout(cursor, specs)
    out: dict[str, np.ndarray] = {}
    for spec, (offset, nbytes, lengths) in zip(specs, layout):
        out[spec["name"]] = _decode_one(cursor.read(offset, nbytes), spec, lengths)
    return out
