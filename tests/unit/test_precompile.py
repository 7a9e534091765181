"""tools/precompile.py, the build step that compiles the page's Python ahead of time, run here under CPython:
hash-checked bytecode (a changed source is compiled again, never run stale), placed where the page unpacks it,
files that do not compile left as sources, the same inputs giving the same bytes."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile

import pytest

from harness import ROOT

pytestmark = pytest.mark.unit

_spec = importlib.util.spec_from_file_location("precompile", ROOT / "tools" / "precompile.py")
precompile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(precompile)

CHECKED_HASH_FLAGS = 0b11  # PEP 552: hash-based, check the source


def make_zip(path, files: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def flags_and_hash(pyc: bytes) -> tuple[int, bytes]:
    assert pyc[:4] == importlib.util.MAGIC_NUMBER
    return int.from_bytes(pyc[4:8], "little"), pyc[8:16]


def test_overlay_holds_checked_bytecode_where_the_sources_will_lie(tmp_path):
    source = b"VALUE = 1\n"
    archive = make_zip(tmp_path / "pkg.whl", {"probe/__init__.py": source, "probe/broken.py": b"def (:\n",
                                              "probe/data.txt": b"not python"})
    root = tmp_path / "site"
    out = tmp_path / "overlay.zip"
    assert precompile.overlay([{"archive": str(archive), "root": str(root)}], str(out)) == 1
    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        pyc = z.read(names[0])
    assert names == [f"{str(root).strip('/')}/probe/__pycache__/__init__.{tag}.pyc"]  # broken.py stays a source
    assert flags_and_hash(pyc) == (CHECKED_HASH_FLAGS, importlib.util.source_hash(source))


def test_a_changed_source_is_compiled_again_not_run_stale(tmp_path):
    """What makes shipping bytecode safe: a later upgrade or edit of the source wins over the shipped .pyc."""
    archive = make_zip(tmp_path / "pkg.whl", {"probe/__init__.py": b"VALUE = 1\n"})
    root = tmp_path / "site"
    out = tmp_path / "overlay.zip"
    precompile.overlay([{"archive": str(archive), "root": str(root)}], str(out))
    with zipfile.ZipFile(archive) as z:
        z.extractall(root)
    with zipfile.ZipFile(out) as z:
        z.extractall("/")
    read = [sys.executable, "-c", "import probe; print(probe.VALUE, probe.__cached__)"]
    first = subprocess.run(read, cwd=root, capture_output=True, text=True, check=True,
                           env={"PYTHONDONTWRITEBYTECODE": "1"}).stdout.split()
    assert first[0] == "1" and first[1].endswith(f".{sys.implementation.cache_tag}.pyc")
    (root / "probe" / "__init__.py").write_bytes(b"VALUE = 2\n")  # same size, same second: only the hash tells
    second = subprocess.run(read, cwd=root, capture_output=True, text=True, check=True,
                            env={"PYTHONDONTWRITEBYTECODE": "1"}).stdout.split()
    assert second[0] == "2"


def test_stdlib_zip_gets_bytecode_beside_each_source_and_imports_from_it(tmp_path):
    src = make_zip(tmp_path / "stdlib.zip", {"mod_a.py": b"def where():\n    return __file__\n",
                                             "pkg_b/__init__.py": b"X = 3\n", "pkg_b/bad.py": b"return (\n",
                                             "pkg_b/notes.txt": b"text"})
    out = tmp_path / "stdlib_pyc.zip"
    mount = "/lib/python312.zip"
    assert precompile.stdlib(str(src), str(out), mount) == 2
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        assert names == {"mod_a.py", "mod_a.pyc", "pkg_b/__init__.py", "pkg_b/__init__.pyc", "pkg_b/bad.py",
                         "pkg_b/notes.txt"}
        assert flags_and_hash(z.read("mod_a.pyc")) == (CHECKED_HASH_FLAGS,
                                                       importlib.util.source_hash(z.read("mod_a.py")))
        code = __import__("marshal").loads(z.read("mod_a.pyc")[16:])
    assert code.co_filename == f"{mount}/mod_a.py"  # tracebacks name the file where the page mounts the zip
    run = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(out)!r}); "
                          "import mod_a, pkg_b; print(pkg_b.X)"], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "3"


def test_same_inputs_give_the_same_bytes(tmp_path):
    archive = make_zip(tmp_path / "pkg.whl", {f"probe/m{i}.py": f"A = {i}\n".encode() for i in range(5)})
    outs = []
    for n in range(2):
        out = tmp_path / f"o{n}.zip"
        precompile.overlay([{"archive": str(archive), "root": "/lib/site"}], str(out))
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
