"""A model.json and its weight files in a folder, read confined and bounded (file://, the converter's inputs).

- Every path a manifest names resolves (symbolic links followed) inside the model.json's folder: absolute
  paths, ``..`` escapes and links out of the folder are a FormatError naming the path; nothing outside is
  opened.
- model.json is refused above ``max_model_json_bytes`` before it is read; shards are stat-ed first and read
  only up to the byte count the manifest declares (+1 byte, to tell "longer"), so a file that grows while
  it is read cannot take more memory than that.
- A directory, a device or a pipe where a file belongs is a StorageError that says so.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from ..errors import FormatError, StorageError
from .limits import LoadLimits
from .model_json import check_manifest

_DRIVE = re.compile(r"^[A-Za-z]:")
CHUNK = 1 << 20


def confined_path(folder: Path, rel: Any, source: str) -> Path:
    """``folder / rel`` when it stays inside ``folder`` (links resolved); else a FormatError naming ``rel``."""
    if not isinstance(rel, str) or not rel:
        raise FormatError(f"{source}: a weight path must be a non-empty string, got {rel!r:.80}")
    if "\x00" in rel:
        raise FormatError(f"{source}: weight path {rel!r:.200} holds a NUL character")
    root = folder.resolve()
    if rel.startswith(("/", "\\")) or _DRIVE.match(rel) or "://" in rel:
        raise FormatError(f"{source}: weight path {rel!r:.200} is absolute; paths in weightsManifest must be "
                          f"relative to the model's folder {root}")
    target = (root / rel).resolve()
    if target == root or not target.is_relative_to(root):
        raise FormatError(f"{source}: weight path {rel!r:.200} leads outside the model's folder {root}; paths in "
                          f"weightsManifest must stay inside it")
    return target


def regular_file_size(path: Path, what: str) -> int:
    """The size of ``path``, which must be a regular file; a StorageError says what it is instead."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise StorageError(f"{what} {path} does not exist: loading failed") from None
    except OSError as e:
        raise StorageError(f"{what} {path} cannot be read: {e.strerror or e}") from None
    if stat.S_ISDIR(st.st_mode):
        raise StorageError(f"{what} {path} is a directory, not a file: loading failed")
    if not stat.S_ISREG(st.st_mode):
        kind = "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else \
            "a pipe" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a file"
        raise StorageError(f"{what} {path} is {kind}, not a regular file: loading failed")
    return st.st_size


def read_at_most(path: Path, limit: int, what: str) -> bytearray:
    """The bytes of a regular file, at most ``limit + 1`` of them (the caller tells "longer" from that)."""
    out = bytearray()
    try:
        with open(path, "rb") as f:
            while len(out) <= limit:
                chunk = f.read(min(CHUNK, limit + 1 - len(out)))
                if not chunk:
                    break
                out += chunk
        return out
    except OSError as e:
        raise StorageError(f"{what} {path} cannot be read: {e.strerror or e}") from None


def read_model_json(path: Path, limits: LoadLimits) -> Any:
    """The parsed model.json at ``path``, refused above the size limit before it is read."""
    size = regular_file_size(path, "Path")
    if size > limits.max_model_json_bytes:
        raise limits.model_json_too_large(str(path), size)
    data = read_at_most(path, limits.max_model_json_bytes, "Path")
    if len(data) > limits.max_model_json_bytes:
        raise limits.model_json_too_large(str(path), None)
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as e:
        raise FormatError(f"Failed to parse {path} as JSON: {e}") from None


def read_weight_files(path: Path, manifest: Any, limits: LoadLimits) -> tuple[list[bytes], list[str]]:
    """(shard buffers, shard paths) of a checked manifest, read from the folder of ``path`` within bounds."""
    check_manifest(manifest, str(path))
    specs = [spec for group in manifest for spec in group["weights"]]
    least, most = limits.weight_bounds(specs)
    files = [confined_path(path.parent, rel, str(path)) for group in manifest for rel in group["paths"]]
    sizes = [regular_file_size(f, "Weight file") for f in files]
    total = sum(sizes)
    if total > most:
        raise FormatError(f"Weight data is too long: the weight files of {path} hold {total} bytes "
                          f"({', '.join(f'{f.name}: {n}' for f, n in zip(files, sizes))}) but the manifest's "
                          f"{len(specs)} weights take {'at most ' if most != least else ''}{most} bytes.")
    shards, read = [], 0
    for f in files:
        data = read_at_most(f, most - read, "Weight file")
        read += len(data)
        if read > most:
            raise FormatError(f"Weight data is too long: weight file {f} grew while it was read; the manifest's "
                              f"{len(specs)} weights take {most} bytes.")
        shards.append(data)
    return shards, [str(f) for f in files]
