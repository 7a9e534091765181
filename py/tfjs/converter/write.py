"""Writing converted models: weight groups to shard files and a manifest, model.json, atomically.

Shards are named ``group<g>-shard<i>of<n>.bin``: a group's weights back to back, cut every
``shard_size`` bytes (the last shard holds the rest; a weight may straddle two shards).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ..errors import FormatError
from .progress import Progress
from .quantize import dequantize, map_names_to_dtype, quantize

DEFAULT_SHARD_SIZE = 4 * 1024 * 1024

Weight = tuple[str, np.ndarray]


class ConverterError(FormatError):
    """A conversion cannot proceed; the message names the flag, the path or the op."""


def _auto_convert(name: str, arr: np.ndarray, log: Callable[[str], None] | None) -> tuple[np.ndarray, str]:
    """The array as written and its manifest dtype (the TF.js writer's automatic conversions)."""
    arr = np.asarray(arr)
    kind = arr.dtype.kind
    target = None
    if kind == "f" and arr.dtype != np.float32:
        target = np.float32
    elif kind in "iu" and arr.dtype not in (np.int32, np.uint8, np.uint16):
        target = np.int32
    elif kind == "c" and arr.dtype != np.complex64:
        target = np.complex64
    if target is not None:
        new = arr.astype(target)
        if log is not None:
            log(f"weight {name} with shape {arr.shape} and dtype {arr.dtype.name} was auto converted to the "
                f"type {new.dtype.name}")
        arr = new
    if arr.dtype.kind in "SU":
        arr = arr.astype(object)
    if arr.dtype == object:
        return arr, "string"
    if arr.dtype == np.bool_:
        return arr, "bool"
    if arr.dtype.name not in ("float16", "float32", "int32", "complex64", "uint8", "uint16"):
        raise ConverterError(f"Unsupported dtype in weight '{name}': {arr.dtype.name}")
    return arr, arr.dtype.name


def _string_bytes(arr: np.ndarray) -> bytes:
    parts = []
    for item in arr.reshape(-1):
        b = item.encode("utf-8") if isinstance(item, str) else bytes(item)
        parts.append(len(b).to_bytes(4, "little"))
        parts.append(b)
    return b"".join(parts)


def _to_bytes(arr: np.ndarray, dtype: str) -> bytes:
    if dtype == "string":
        return _string_bytes(arr)
    if dtype == "bool":
        return np.ascontiguousarray(arr, dtype=np.uint8).tobytes()
    return np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()


def encode_group(weights: Sequence[Weight], qdtypes: dict[str, str], log=None,
                 errors: list | None = None) -> tuple[list[bytes], list[dict]]:
    """Bytes and manifest entries of one group's weights, quantizing those named in ``qdtypes``."""
    chunks: list[bytes] = []
    entries: list[dict] = []
    for name, value in weights:
        arr, dtype = _auto_convert(name, value, log)
        entry: dict[str, Any] = {"name": name, "shape": [int(d) for d in arr.shape], "dtype": dtype}
        qd = qdtypes.get(name)
        if qd is not None and dtype == "float32":
            q, meta = quantize(arr, qd)
            entry["quantization"] = {"dtype": qd, **meta, "original_dtype": "float32"}
            if errors is not None:
                back = dequantize(q, meta)
                err = float(np.max(np.abs(back.astype(np.float64) - arr))) if arr.size else 0.0
                errors.append((name, qd, err))
            arr, dtype = q, qd
        chunks.append(_to_bytes(arr, dtype))
        entries.append(entry)
    return chunks, entries


def shard_names(group_index: int, total_bytes: int, shard_size: int) -> list[str]:
    n = max(1, math.ceil(total_bytes / shard_size)) if total_bytes else 1
    return [f"group{group_index + 1}-shard{i + 1}of{n}.bin" for i in range(n)]


def write_weights(groups: Sequence[Sequence[Weight]], out_dir: Path, shard_size: int = DEFAULT_SHARD_SIZE,
                  quantization_map: dict | None = None, log=None, progress=None) -> list[dict]:
    """Write every group's shards into out_dir; returns the weights manifest."""
    if not isinstance(shard_size, int) or isinstance(shard_size, bool) or shard_size <= 0:
        raise ConverterError(f"Expected weight_shard_size_bytes to be a positive integer, but got {shard_size}")
    names = [name for group in groups for name, _ in group]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConverterError(f"Error dumping weights, duplicate weight name {name}")
        seen.add(name)
    qdtypes = map_names_to_dtype(names, quantization_map)
    errors: list = []
    manifest = []
    done = 0
    for gi, group in enumerate(groups):
        chunks, entries = encode_group(group, qdtypes, log, errors)
        total = sum(len(c) for c in chunks)
        paths = shard_names(gi, total, shard_size)
        _write_shards(chunks, [out_dir / p for p in paths], shard_size)
        manifest.append({"paths": paths, "weights": entries})
        done += len(group)
        if progress is not None:
            progress(done, len(names))
    if errors and log is not None:
        for name, qd, err in errors:
            log(f"quantized {name} to {qd}: largest absolute error {err:.6g}")
    return manifest


def _write_shards(chunks: list[bytes], paths: list[Path], shard_size: int) -> None:
    """Write the concatenation of chunks cut into shard_size pieces, without joining everything first."""
    it = iter(paths)
    f = open(next(it), "wb")
    room = shard_size
    try:
        for chunk in chunks:
            view = memoryview(chunk)
            while len(view):
                if room == 0:
                    f.close()
                    f = open(next(it), "wb")
                    room = shard_size
                take = min(room, len(view))
                f.write(view[:take])
                view = view[take:]
                room -= take
    finally:
        f.close()
    for rest in it:  # an empty group still gets its (empty) shard file
        open(rest, "wb").close()


def dump_json(obj: Any) -> str:
    """model.json text the way the official converter writes it (Python's json, default separators)."""
    return json.dumps(obj)


def write_model_json(path: Path, model_json: dict) -> None:
    path.write_text(dump_json(model_json), encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# Atomic output


@contextmanager
def atomic_dir(output_dir: str | os.PathLike) -> Iterator[Path]:
    """A temporary directory beside output_dir, moved into place when the block succeeds.

    When output_dir already exists (as the official converter allows), the finished files are moved into it one
    by one at the end; on failure nothing of the conversion is left behind.
    """
    out = Path(output_dir)
    if out.exists() and not out.is_dir():
        raise ConverterError(f'Output path "{out}" already exists as a file')
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    try:
        yield tmp
        if not out.exists():
            os.rename(tmp, out)
        else:
            for item in sorted(tmp.iterdir()):
                target = out / item.name
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                os.replace(item, target)
            tmp.rmdir()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextmanager
def atomic_file(output_path: str | os.PathLike) -> Iterator[Path]:
    """A temporary file path beside output_path, renamed onto it when the block succeeds."""
    out = Path(output_path)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.tmp-", dir=parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------------------------------------
# model.json of a layers model, and the whole layers model written at once (every converter path that ends in
# a layers model goes through here)

LAYERS_FORMAT = "layers-model"


def converted_by() -> str:
    from .._version import __version__

    return f"TensorFlow.js Converter v{__version__} (tfjs for Python)"


def layers_model_json(topology: dict | None, generated_by: str | None, manifest: list, metadata: dict | None
                      ) -> dict:
    """model.json of a layers model, keys in the official converter's order."""
    model_json: dict[str, Any] = {"format": LAYERS_FORMAT, "generatedBy": generated_by,
                                  "convertedBy": converted_by()}
    if metadata:
        model_json["userDefinedMetadata"] = metadata
    model_json["modelTopology"] = topology or None
    model_json["weightsManifest"] = manifest
    return model_json


def write_layers_artifacts(output_dir: str, topology: dict | None, generated_by: str | None, groups: list,
                           *, shard_size: int, quantization_map: dict | None, metadata: dict | None, log,
                           progress: Progress | None = None) -> dict:
    """Write model.json and shards of a layers model atomically into output_dir."""
    with atomic_dir(output_dir) as tmp:
        cb = (lambda d, t: progress.update("writing weights", d, t)) if progress else None
        manifest = write_weights(groups, tmp, shard_size, quantization_map, log=log, progress=cb)
        write_model_json(tmp / "model.json", layers_model_json(topology, generated_by, manifest, metadata))
        files = sorted(p.name for p in tmp.iterdir())
    return {"output": str(output_dir), "files": files}
