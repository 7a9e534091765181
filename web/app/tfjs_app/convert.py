"""Keras .h5 / .keras files converted in the page, when the library has its converter (tfjs.converter).

The converter writes model.json and shards into Pyodide's in-memory file system; they come back as
(name, bytes) pairs, which load like dropped files. Without tfjs.converter the user reads a clear message.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Callable

from .dom import AppError


async def convert_keras(name: str, data: bytes, status: Callable[[str], None]) -> list[tuple[str, bytes]]:
    """Convert a Keras file's bytes to TF.js layers-model files: [(file name, bytes)], model.json first."""
    try:
        from tfjs.converter import convert
        from tfjs.converter.hdf5 import ensure_reader
    except ImportError:
        raise AppError(f"{name}: converting Keras files in the page is not available yet in this build "
                       f"(tfjs.converter is missing). Convert it with the tfjs converter and drop model.json "
                       f"with its shards instead.") from None
    status("Loading the HDF5 reader")
    await ensure_reader()
    work = tempfile.mkdtemp(prefix="tfjs-app-convert-")
    try:
        source = os.path.join(work, os.path.basename(name) or "model.h5")
        with open(source, "wb") as f:
            f.write(data)
        out = os.path.join(work, "out")
        status(f"Converting {name}")
        convert(source, out, log=None)
        names = sorted(os.listdir(out), key=lambda n: (n != "model.json", n))
        files = []
        for n in names:
            with open(os.path.join(out, n), "rb") as f:
                files.append((n, f.read()))
        return files
    finally:
        shutil.rmtree(work, ignore_errors=True)
