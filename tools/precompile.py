"""Bytecode for the page's Python, compiled at build time by Pyodide's own CPython (run under Node by
precompile.mjs), so that the page does not compile the standard library, numpy and tfjs at every start.

Every .pyc is hash-checked (PEP 552, CHECKED_HASH): the interpreter hashes the source beside it and uses the
bytecode only when the hashes agree, so a source changed or replaced later (an upgrade in a notebook, an
edited file) is compiled again instead of running stale bytecode.

The job (a dict) names:
- ``stdlib``: {"src", "out", "mount"}: Pyodide's python_stdlib.zip, copied with a .pyc beside each .py;
  the code objects name their files under ``mount`` (where Pyodide puts the zip: /lib/python312.zip).
- ``trees``: [{"archive", "root"}]: wheels or zips to compile as they will lie at ``root``;
- ``overlay``: where to write one zip of every tree's __pycache__ files, with paths from ``/``, for the page to
  unpack at ``/`` before it imports them.
"""

from __future__ import annotations

import importlib.util
import os
import py_compile
import shutil
import tempfile
import zipfile

MODE = py_compile.PycInvalidationMode.CHECKED_HASH
FIXED_DATE = (2020, 1, 1, 0, 0, 0)  # the same inputs give the same bytes


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _compile(source: str, pyc: str, shown_as: str) -> bool:
    try:
        py_compile.compile(source, cfile=pyc, dfile=shown_as, doraise=True, invalidation_mode=MODE)
        return True
    except py_compile.PyCompileError:  # a file that does not compile (a test fixture, a py2 leftover) stays .py
        return False


def stdlib(src: str, out: str, mount: str) -> int:
    """Copy the zip with a .pyc beside each .py it holds. Returns the number compiled."""
    count = 0
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, data)
            if not info.filename.endswith(".py"):
                continue
            source, pyc = os.path.join(tmp, "m.py"), os.path.join(tmp, "m.pyc")
            with open(source, "wb") as f:
                f.write(data)
            if _compile(source, pyc, f"{mount}/{info.filename}"):
                with open(pyc, "rb") as f:
                    zout.writestr(_entry(info.filename[:-3] + ".pyc"), f.read())
                count += 1
    return count


def overlay(trees: list[dict], out: str) -> int:
    """Unpack each archive in a scratch folder, compile it there, and zip its __pycache__ files as they will
    lie under the tree's root."""
    count = 0
    with zipfile.ZipFile(out, "w") as zout:
        for tree in trees:
            with tempfile.TemporaryDirectory() as scratch:
                shutil.unpack_archive(tree["archive"], scratch, "zip")
                for folder, dirs, files in os.walk(scratch):
                    dirs.sort()
                    for name in sorted(files):
                        if not name.endswith(".py"):
                            continue
                        source = os.path.join(folder, name)
                        pyc = importlib.util.cache_from_source(source)  # __pycache__/<name>.cpython-312.pyc
                        final = os.path.join(tree["root"], os.path.relpath(source, scratch))  # its path in the page
                        if _compile(source, pyc, final):
                            inside = os.path.join(tree["root"].strip("/"), os.path.relpath(pyc, scratch))
                            with open(pyc, "rb") as f:
                                zout.writestr(_entry(inside), f.read())
                            count += 1
    return count


def run(job: dict) -> dict:
    done = {}
    if "stdlib" in job:
        done["stdlib"] = stdlib(**job["stdlib"])
    if "trees" in job:
        done["overlay"] = overlay(job["trees"], job["overlay"])
    return done
