"""The small HDF5 reading interface the Keras readers use, served by h5py (CPython) or pyfive (Pyodide).

    with open_hdf5(path_or_bytes) as root:
        root.attrs_get("keras_version"); root.keys(); root["model_weights"]["dense"].read()

Only what Keras files need: groups with attributes, datasets read whole into numpy arrays. Names come back
as ``str``; string attributes are decoded from bytes; keys are in HDF5's name order (what h5py iterates).
"""

from __future__ import annotations

import io
import os
import sys
import types
from typing import Any

import numpy as np

from ..errors import FormatError

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def is_hdf5(path_or_bytes: Any) -> bool:
    """True when the file starts with the HDF5 signature (at offset 0; user blocks are not looked for)."""
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        return bytes(path_or_bytes[:8]) == HDF5_SIGNATURE
    try:
        with open(path_or_bytes, "rb") as f:
            return f.read(8) == HDF5_SIGNATURE
    except OSError:
        return False


def _decode(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.bytes_):
        return bytes(value).decode("utf-8")
    if isinstance(value, np.str_):
        return str(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "SOU":
        return [_decode(v) for v in value.reshape(-1).tolist()]
    if isinstance(value, (list, tuple)):
        return [_decode(v) for v in value]
    return value


MIN_READ_BUDGET = 64 << 20   # datasets may hold this much in all, or
READ_RATIO = 100             # this many times the file's size, whichever is larger


class _ReadBudget:
    """The bytes datasets may still take when read: a crafted file cannot make a reader allocate beyond it."""

    def __init__(self, file_size: int | None):
        self.limit = None if file_size is None else max(MIN_READ_BUDGET, READ_RATIO * file_size)
        self.file_size = file_size
        self.used = 0

    def take(self, nbytes: int, what: str) -> None:
        if self.limit is None:
            return
        self.used += nbytes
        if self.used > self.limit:
            raise FormatError(f"HDF5 dataset {what} would take {nbytes} bytes: the datasets read from this "
                              f"{self.file_size}-byte file would exceed {self.limit} bytes")


class Node:
    """A group or dataset of either library."""

    def __init__(self, obj: Any, backend: str, budget: _ReadBudget | None = None):
        self._obj = obj
        self.backend = backend
        self._budget = budget or _ReadBudget(None)

    @property
    def is_group(self) -> bool:
        return hasattr(self._obj, "keys") and not hasattr(self._obj, "shape")

    def attrs_get(self, name: str, default: Any = None) -> Any:
        attrs = self._obj.attrs
        if name not in attrs:
            return default
        return _decode(attrs[name])

    def has_attr(self, name: str) -> bool:
        return name in self._obj.attrs

    def keys(self) -> list[str]:
        return sorted((_decode(k) for k in self._obj.keys()), key=lambda k: k.encode("utf-8"))

    def __contains__(self, name: str) -> bool:
        try:
            self[name]
            return True
        except KeyError:
            return False

    def __getitem__(self, name: str) -> "Node":
        obj = self._obj
        for part in [p for p in name.split("/") if p]:
            try:
                obj = obj[part]
            except (KeyError, ValueError) as e:
                raise KeyError(name) from e
        return Node(obj, self.backend, self._budget)

    def read(self) -> np.ndarray:
        obj = self._obj
        try:
            nbytes = int(np.prod(obj.shape, dtype=object)) * np.dtype(obj.dtype).itemsize
        except (TypeError, ValueError):
            nbytes = 0
        self._budget.take(nbytes, f"{getattr(obj, 'name', '?')} {list(obj.shape)} {obj.dtype}")
        if self.backend == "h5py":
            arr = obj[()]
        else:
            arr = obj[...] if obj.shape != () else np.asarray(obj[()])
        arr = np.asarray(arr)
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        return arr

    @property
    def shape(self) -> tuple:
        return tuple(self._obj.shape)


class Hdf5File(Node):
    def __init__(self, handle: Any, backend: str, closer=None, file_size: int | None = None):
        super().__init__(handle, backend, _ReadBudget(file_size))
        self._closer = closer

    def close(self) -> None:
        if self._closer is not None:
            self._closer()
            self._closer = None

    def __enter__(self) -> "Hdf5File":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _stub_pyfive_deps() -> None:
    """pyfive imports numcodecs (Fletcher32 checksums) and fsspec.utils (ranged remote reads) at import time.
    Neither is used for local, unchecksummed Keras files, and neither installs in Pyodide here: stand-ins."""
    try:
        import numcodecs  # noqa: F401
    except ImportError:
        mod = types.ModuleType("numcodecs")

        class Fletcher32:  # noqa: D401 - a stand-in
            def decode(self, buf, out=None):
                raise FormatError("this HDF5 file uses Fletcher32 checksums, which the in-browser reader "
                                  "does not support")

        mod.Fletcher32 = Fletcher32
        sys.modules["numcodecs"] = mod
    try:
        import fsspec.utils  # noqa: F401
    except ImportError:
        fs = types.ModuleType("fsspec")
        utils = types.ModuleType("fsspec.utils")

        def merge_offset_ranges(paths, starts, ends, max_gap=0, max_block=None, sort=True):
            return paths, starts, ends

        utils.merge_offset_ranges = merge_offset_ranges
        fs.utils = utils
        sys.modules["fsspec"] = fs
        sys.modules["fsspec.utils"] = utils


def backend_name(prefer: str | None = None) -> str:
    """'h5py' when importable (and not told otherwise), else 'pyfive'."""
    choice = prefer or os.environ.get("TFJS_HDF5_BACKEND")
    if choice in ("h5py", "pyfive"):
        return choice
    try:
        import h5py  # noqa: F401
        return "h5py"
    except ImportError:
        return "pyfive"


def open_hdf5(source: Any, backend: str | None = None) -> Hdf5File:
    """Open an HDF5 file (a path, bytes or a binary file object) for reading."""
    backend = backend_name(backend)
    size = None
    if isinstance(source, (bytes, bytearray, memoryview)):
        size = memoryview(source).nbytes
        source = io.BytesIO(bytes(source))
    elif isinstance(source, (str, os.PathLike)):
        size = os.path.getsize(source)
    if backend == "h5py":
        try:
            import h5py
        except ImportError as e:
            raise ImportError("Reading Keras HDF5 files needs h5py: pip install 'tfjs[convert]'") from e
        handle = h5py.File(source, "r")
        return Hdf5File(handle, "h5py", handle.close, size)
    _stub_pyfive_deps()
    try:
        import pyfive
    except ImportError as e:
        raise ImportError("Reading Keras HDF5 files needs h5py (CPython) or pyfive (pure Python: "
                          "pip install pyfive; in the browser micropip installs it)") from e
    if isinstance(source, (str, os.PathLike)):
        f = open(source, "rb")
        handle = pyfive.File(f)
        return Hdf5File(handle, "pyfive", f.close, size)
    handle = pyfive.File(source)
    return Hdf5File(handle, "pyfive", getattr(handle, "close", None), size)


async def ensure_reader(build_info_url: str = "build-info.json") -> str:
    """Make an HDF5 reader importable; returns its name. In the browser pyfive is installed on demand with
    micropip from the app's own origin (build.py places its wheel beside the app and records its sha256 in
    build-info.json; a wheel whose bytes differ is refused)."""
    for name in ("h5py", "pyfive"):
        try:
            __import__(name)
            return name
        except ImportError:
            continue
    from .. import platform
    from ..platform.fetch import fetch

    if not platform.is_browser():
        raise ImportError("No HDF5 reader: pip install 'tfjs[convert]' (h5py) or pyfive")
    info = __import__("json").loads(await (await fetch(build_info_url)).text())
    entry = info.get("pyfive")
    if not entry:
        raise ImportError(f"{build_info_url} names no pyfive wheel: rebuild the app with build.py")
    base = build_info_url.rsplit("/", 1)[0] + "/" if "/" in build_info_url else ""
    url = base + entry["file"]
    data = await (await fetch(url)).bytes()
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    if digest != entry["sha256"]:
        raise ImportError(f"{url}: sha256 {digest} differs from build-info.json's {entry['sha256']}; refused")
    await platform.load_packages("micropip")
    import micropip

    await micropip.install(url, deps=False)
    _stub_pyfive_deps()
    import pyfive  # noqa: F401

    return "pyfive"
