"""Builds the wasm SIMD kernel module from wasm/kernels/*.c with Debian's clang and lld.

    python3 wasm/build_kernels.py            prints the path of the built module (cached)

The module is cached under ``<cache>/wasm-kernels/<digest>.wasm``, the digest covering the compiler's version,
the flags and every source file, so an unchanged tree never recompiles and a fresh clone builds offline once
clang and lld are installed (``apt-get install clang lld``: LLVM 14 has the wasm32 target).

The module imports its memory (``env.memory``) from its host: in the page that is Pyodide's own memory, so the
kernels work in place on numpy buffers. It must therefore write nothing on its own: the build refuses a module
with data segments (they would be copied over the host's memory at start) or code that touches the shadow
stack pointer (a local array spilled to memory would land in the host's first pages).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "kernels"
NAME = "tfjs-kernels"
CFLAGS = ["--target=wasm32", "-msimd128", "-O3", "-nostdlib", "-ffreestanding", "-fno-builtin", "-Wall",
          "-Werror", "-fno-exceptions"]
LDFLAGS = ["-Wl,--no-entry", "-Wl,--import-memory", "-Wl,--strip-debug"]
COMPILERS = ["clang", "clang-14", "clang-15", "clang-16"]
DEBIAN_PACKAGES = ["clang", "lld"]


class KernelBuildError(Exception):
    """The kernel module could not be built or failed its checks; the message says which and why."""


def default_cache() -> Path:
    base = os.environ.get("TFJS_BUILD_CACHE") or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tfjs-build"
    return Path(base) / "wasm-kernels"


def find_compiler() -> str | None:
    for name in COMPILERS:
        path = shutil.which(name)
        if path and (shutil.which("wasm-ld") or shutil.which("wasm-ld-14") or shutil.which("lld")):
            return path
    return None


def install_toolchain() -> str:
    """clang + lld from Debian when missing (root only); the compiler's path."""
    compiler = find_compiler()
    if compiler:
        return compiler
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise KernelBuildError("the wasm kernels need clang and lld: install them with "
                               "`apt-get install clang lld` (needs root)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *DEBIAN_PACKAGES]):
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if result.returncode:
            raise KernelBuildError(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr.strip()[-500:]}")
    compiler = find_compiler()
    if not compiler:
        raise KernelBuildError(f"apt-get installed {' '.join(DEBIAN_PACKAGES)} but no clang with wasm-ld is on PATH")
    return compiler


def sources() -> list[Path]:
    return sorted(p for p in SOURCES.iterdir() if p.suffix in (".c", ".h"))


def digest(compiler: str) -> str:
    version = subprocess.run([compiler, "--version"], capture_output=True, text=True).stdout.splitlines()[:1]
    h = hashlib.sha256()
    h.update("\0".join(version + CFLAGS + LDFLAGS).encode())
    for path in sources():
        h.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _sections(data: bytes) -> dict[int, bytes]:
    """The module's sections by id (custom sections left out)."""
    if data[:8] != b"\0asm\x01\0\0\0":
        raise KernelBuildError("not a WebAssembly module (bad magic or version)")
    pos, out = 8, {}
    while pos < len(data):
        sid = data[pos]
        pos += 1
        size, shift = 0, 0
        while True:
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        if sid:
            out[sid] = data[pos:pos + size]
        pos += size
    return out


def check_module(path: Path) -> None:
    """Refuse a module that would write outside the buffers it is handed (see the module docstring)."""
    sections = _sections(path.read_bytes())
    if 11 in sections:
        raise KernelBuildError(f"{path.name}: the module has data segments (static tables or constants in "
                               "memory); the kernels must keep constants in code")
    if 2 not in sections or b"memory" not in sections[2]:
        raise KernelBuildError(f"{path.name}: the module does not import its memory")
    objdump = shutil.which("llvm-objdump") or shutil.which("llvm-objdump-14")
    if objdump:
        text = subprocess.run([objdump, "-d", str(path)], capture_output=True, text=True).stdout
        uses = re.findall(r"^\s*[0-9a-f]+:.*\bglobal\.(?:get|set)\b", text, re.M)
        if uses:
            raise KernelBuildError(f"{path.name}: {len(uses)} instructions touch the shadow stack pointer; a "
                                   "kernel keeps an array or an address-taken local in memory")


def build(cache: Path | None = None) -> Path:
    """The built module's path (compiled only when the sources, flags or compiler changed)."""
    compiler = install_toolchain()
    cache = cache or default_cache()
    target = cache / f"{NAME}-{digest(compiler)}.wasm"
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    cmd = [compiler, *CFLAGS, *LDFLAGS, "-o", str(tmp), *[str(p) for p in sources() if p.suffix == ".c"]]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode:
        tmp.unlink(missing_ok=True)
        raise KernelBuildError(f"compiling the wasm kernels failed:\n{' '.join(cmd)}\n{result.stderr.strip()}")
    try:
        check_module(tmp)
    except KernelBuildError:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, target)
    return target


if __name__ == "__main__":
    try:
        print(build())
    except KernelBuildError as e:
        print(f"build_kernels: error: {e}", file=sys.stderr)
        sys.exit(1)
