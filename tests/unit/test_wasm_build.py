"""The wasm kernel build: cached by a digest of sources and flags, and refusing a module that would write
outside the buffers it is handed (data segments, shadow-stack use) or that does not import its memory."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "wasm"))
import build_kernels  # noqa: E402

sys.path.pop(0)


def compile_c(tmp_path, source: str, extra=()) -> Path:
    compiler = build_kernels.install_toolchain()
    src = tmp_path / "k.c"
    src.write_text(source)
    out = tmp_path / "k.wasm"
    subprocess.run([compiler, *build_kernels.CFLAGS, *build_kernels.LDFLAGS, *extra, "-o", str(out), str(src)],
                   check=True, capture_output=True)
    return out


def test_the_built_module_is_cached_and_checked(tmp_path):
    first = build_kernels.build(tmp_path)
    stamp = first.stat().st_mtime_ns
    assert build_kernels.build(tmp_path) == first and first.stat().st_mtime_ns == stamp   # no recompile
    build_kernels.check_module(first)
    assert first.read_bytes()[:4] == b"\0asm"


def test_a_module_with_static_data_is_refused(tmp_path):
    wasm = compile_c(tmp_path, """
static const float table[4] = {1.5f, 2.5f, 3.5f, 4.5f};
__attribute__((export_name("pick"))) float pick(int i) { return table[i & 3]; }
""")
    with pytest.raises(build_kernels.KernelBuildError, match="data segments"):
        build_kernels.check_module(wasm)


@pytest.mark.skipif(not (shutil.which("llvm-objdump") or shutil.which("llvm-objdump-14")),
                    reason="llvm-objdump disassembles the module")
def test_a_module_using_its_shadow_stack_is_refused(tmp_path):
    wasm = compile_c(tmp_path, """
void fill(volatile float *p, int n);
__attribute__((export_name("sum"))) float sum(int n) {
  volatile float tmp[64];
  for (int i = 0; i < 64; i++) tmp[i] = (float)(i * n);
  float s = 0; for (int i = 0; i < 64; i++) s += tmp[i];
  return s;
}
""")
    with pytest.raises(build_kernels.KernelBuildError, match="shadow stack"):
        build_kernels.check_module(wasm)


def test_a_module_with_its_own_memory_is_refused(tmp_path):
    wasm = tmp_path / "own.wasm"
    compiler = build_kernels.install_toolchain()
    src = tmp_path / "own.c"
    src.write_text('__attribute__((export_name("f"))) int f(int x) { return x + 1; }\n')
    subprocess.run([compiler, "--target=wasm32", "-O2", "-nostdlib", "-Wl,--no-entry", "-o", str(wasm), str(src)],
                   check=True, capture_output=True)
    with pytest.raises(build_kernels.KernelBuildError, match="does not import its memory"):
        build_kernels.check_module(wasm)
