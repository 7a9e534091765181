"""The conformance suite for the wasm backend under CPython: the kernel module runs in wasmtime, and every
(kernel, shape class) the wasm backend claims in the registry is held against the cpu kernel within 1e-5
relative (summation order differs), with no fallback to the cpu kernel. In the page the same module runs on
Pyodide's memory (tests/e2e/test_wasm_models.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("wasmtime")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import conformance_cases as cc  # noqa: E402

from tfjs import backends  # noqa: E402
from tfjs.backends import registry  # noqa: E402

CLAIMS = [(op, sc) for op, cfg in sorted(registry.kernel_configs("wasm").items()) for sc in cfg.shapes]


@pytest.fixture(scope="module")
def wasm_backend(wasm_kernels_path):
    from tfjs.backends.wasm import WasmBackend
    from tfjs.backends.wasm.runtime_wasmtime import WasmtimeHost

    return WasmBackend(host=WasmtimeHost(wasm_kernels_path))


def test_wasm_claims_are_many_and_have_cases(capsys):
    ops = registry.registered_ops("wasm")
    assert len(ops) >= 25 and len(CLAIMS) >= 60
    with capsys.disabled():
        print(f"\nconformance (wasm through wasmtime): {len(ops)} kernels registered, "
              f"{len({op for op, _ in CLAIMS})} checked, {len({sc for _, sc in CLAIMS})} shape classes, "
              f"{len(CLAIMS)} (kernel, shape class) pairs")


@pytest.mark.parametrize("op,shape_class", CLAIMS, ids=[f"{op}-{sc}" for op, sc in CLAIMS])
def test_wasm_kernel_matches_cpu(wasm_backend, op, shape_class):
    problems = cc.check(wasm_backend, backends.find_backend("cpu"), op, shape_class, tol=1e-5)
    assert problems == [], "\n".join(problems)
