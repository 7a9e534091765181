"""The conformance suite on the webgl backend (headless Chromium, WebGL2 on SwiftShader): one case per webgl kernel
and shape class it claims in the kernel registry, each against the cpu kernel on the generated inputs of
tests/conformance_cases.py, with its inputs on the GPU; a failure names the kernel and the shape class.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import run_py
from tfjs.backends import registry

pytestmark = pytest.mark.e2e

CASES_SRC = (Path(__file__).resolve().parents[1] / "conformance_cases.py").read_text(encoding="utf-8")
CLAIMS = [(op, sc) for op, cfg in sorted(registry.kernel_configs("webgl").items()) for sc in cfg.shapes]

SETUP_PY = r"""
import sys, types
import tfjs as tf
from tfjs import backends
from tfjs.backends import webgl
_m = types.ModuleType("conformance_cases")
exec(compile(CASES_SRC, "conformance_cases.py", "exec"), _m.__dict__)
sys.modules["conformance_cases"] = _m
import conformance_cases as cc
tf.set_backend("webgl")
GL = webgl.current()
CPU = backends.find_backend("cpu")
sorted(backends.registry.registered_ops("webgl"))
"""


@pytest.fixture(scope="module")
def conformance_page(app_page):
    ops = run_py(app_page, f"CASES_SRC = {CASES_SRC!r}\n" + SETUP_PY)
    assert ops == sorted({op for op, _ in CLAIMS}), "the page's webgl registry differs from CPython's"
    return app_page


@pytest.mark.parametrize("op,shape_class", CLAIMS, ids=[f"{op}-{sc}" for op, sc in CLAIMS])
def test_webgl_kernel_matches_cpu(conformance_page, op, shape_class):
    problems = run_py(conformance_page, f"cc.check(GL, CPU, {op!r}, {shape_class!r})")
    assert problems == [], "\n".join(problems)


def test_conformance_coverage(conformance_page, capsys):
    out = run_py(conformance_page, """
{"registered": len(backends.registry.registered_ops("webgl")),
 "all_ops": len(GL.kernels), "fallbacks": GL.fallback_report()}
""")
    checked = sorted({op for op, _ in CLAIMS})
    classes = sorted({sc for _, sc in CLAIMS})
    with capsys.disabled():
        print(f"\nconformance (webgl): {out['registered']} kernels registered, {len(checked)} checked, "
              f"{len(classes)} shape classes ({', '.join(classes)}), {len(CLAIMS)} (kernel, shape class) "
              f"cases; {out['all_ops'] - out['registered']} more ops run on the cpu kernels")
    assert len(checked) == out["registered"]
    assert out["fallbacks"] == {}, out["fallbacks"]
