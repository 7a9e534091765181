"""The build refuses any Pyodide package file whose sha256 differs from pyodide-lock.json."""

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from harness import ROOT

sys.path.insert(0, str(ROOT))
import build  # noqa: E402

pytestmark = pytest.mark.needs_build


def lock_entries():
    lock = json.loads((ROOT / "node_modules" / "pyodide" / "pyodide-lock.json").read_text())
    return {e["file_name"]: e for e in build.package_closure(lock, build.PYODIDE_PACKAGES)}


def test_package_closure_pulls_in_dependencies():
    names = {e["name"] for e in lock_entries().values()}
    assert names == {"numpy", "scipy", "openblas", "micropip", "packaging"}


@pytest.fixture
def cache_copy(tmp_path):
    real = build.CACHE / f"pyodide-{build.PYODIDE_VERSION}"
    entries = lock_entries()
    missing = [name for name in entries if not (real / name).exists()]
    assert not missing, f"the build cache {real} lacks {missing}: run `python3 build.py build` first"
    cache = tmp_path / "cache"
    (cache / real.name).mkdir(parents=True)
    for name in entries:
        shutil.copy2(real / name, cache / real.name / name)
    return cache


def test_build_refuses_a_corrupted_cached_wheel(cache_copy, tmp_path):
    name = next(n for n in lock_entries() if n.startswith("numpy-"))
    corrupted = cache_copy / f"pyodide-{build.PYODIDE_VERSION}" / name
    data = bytearray(corrupted.read_bytes())
    data[len(data) // 2] ^= 0xFF
    corrupted.write_bytes(bytes(data))
    expected = lock_entries()[name]["sha256"]
    actual = hashlib.sha256(data).hexdigest()

    dist = tmp_path / "dist"
    env = dict(os.environ, TFJS_BUILD_CACHE=str(cache_copy), TFJS_DIST_DIR=str(dist))
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "build"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    message = proc.stderr
    assert name in message and expected in message and actual in message
    assert "refused" in message
    assert not (dist / "pyodide" / name).exists()
    assert not (dist / "build-info.json").exists()


def test_check_sha256_accepts_the_right_file(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"abc")
    build.check_sha256(path, hashlib.sha256(b"abc").hexdigest())
    with pytest.raises(build.BuildError, match="f.bin"):
        build.check_sha256(path, "0" * 64)


def test_sync_tree_mirrors_and_prunes(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    (src / "a").mkdir(parents=True)
    (src / "a" / "x.txt").write_text("x")
    (src / "y.txt").write_text("y")
    (dst / "old").mkdir(parents=True)
    (dst / "old" / "gone.txt").write_text("stale")
    build.sync_tree(src, dst)
    assert sorted(str(p.relative_to(dst)) for p in dst.rglob("*")) == ["a", "a/x.txt", "y.txt"]
    assert (dst / "a" / "x.txt").read_text() == "x"
