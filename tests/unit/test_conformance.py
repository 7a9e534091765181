"""The conformance suite under CPython: every kernel of every backend that starts here, against the cpu kernel,
on the generated inputs of every shape class it claims (tests/conformance_cases.py). Backends that start only
in the browser (webgl) are checked by tests/e2e/test_conformance_webgl.py on the same cases; here their claims
are held against the case table.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import conformance_cases as cc  # noqa: E402

from tfjs import backends, kernel_names  # noqa: E402
from tfjs.backends import registry  # noqa: E402
from tfjs.errors import TfjsError  # noqa: E402


def _started(name):
    try:
        return backends.find_backend(name)
    except TfjsError:  # a browser-only backend under CPython
        return None


def _claims(name):
    return [(op, sc) for op, cfg in sorted(registry.kernel_configs(name).items()) for sc in cfg.shapes]


def test_every_registered_kernel_is_named_in_the_vocabulary():
    for name in registry.registered_backends():
        unknown = [op for op in registry.registered_ops(name) if op not in kernel_names.ALL]
        assert unknown == [], f"backend {name} registers kernels outside tfjs.kernel_names: {unknown}"


def test_registry_refuses_unknown_names_duplicates_and_shape_classes():
    with pytest.raises(ValueError, match="not an op name"):
        registry.register_kernel("cpu", "NoSuchOp", fn=abs)
    with pytest.raises(ValueError, match="registered already"):
        registry.register_kernel("cpu", kernel_names.Relu, fn=abs)
    with pytest.raises(ValueError, match="unknown shape classes"):
        registry.register_kernel("elsewhere", kernel_names.Relu, fn=abs, shapes=("hexagon",))
    assert registry.get_kernel_config("elsewhere", kernel_names.Relu) is None


def test_every_claimed_shape_class_has_cases():
    for name in registry.registered_backends():
        if name == "cpu":
            continue
        missing = [f"{op} [{sc}]" for op, sc in _claims(name) if sc not in cc.classes(op)]
        assert missing == [], f"backend {name} claims shape classes the conformance suite has no case for: {missing}"


def test_every_case_runs_on_the_cpu_reference():
    """The cases themselves are valid: each runs on the cpu kernel and gives finite values."""
    cpu = backends.find_backend("cpu")
    ran = 0
    for op in sorted(cc.TABLE):
        for sc in cc.classes(op):
            for inputs, attrs in cc.cases(op, sc):
                out = cpu.kernels[op](*inputs, **attrs)
                for o in (out if isinstance(out, (list, tuple)) else [out]):
                    assert np.all(np.isfinite(np.asarray(o, np.float64))), f"{op} [{sc}] {attrs}"
                ran += 1
    assert ran > 200


def test_the_check_finds_a_kernel_that_differs_or_falls_back():
    """check() against a stand-in backend: the cpu kernels, one of them off by a little, one reporting a
    fallback; a faithful kernel passes."""
    cpu = backends.find_backend("cpu")
    fake = backends.Backend("stand-in")
    fake.kernels = dict(cpu.kernels)
    fake.kernels[kernel_names.Relu] = lambda x: cpu.kernels[kernel_names.Relu](x) * np.float32(1.001)
    report = {}

    def sigmoid_elsewhere(x):
        report["Sigmoid"] = {"calls": 1, "downloads": 1, "uploads": 0}
        return cpu.kernels[kernel_names.Sigmoid](x)
    fake.kernels[kernel_names.Sigmoid] = sigmoid_elsewhere
    fake.fallback_report = lambda: dict(report)
    assert cc.check(fake, cpu, "Tanh", "matrix") == []
    assert cc.check(fake, cpu, "Conv2D", "image") == []
    relu = cc.check(fake, cpu, "Relu", "matrix")
    # the float32 case is off by 1e-3; the int32 cases come back float, not int32
    assert len(relu) == 3 and "relative error" in relu[0] and all("Relu [matrix]" in p for p in relu), relu
    assert all("dtype float64 != int32" in p for p in relu[1:]), relu
    assert "fallback" in cc.check(fake, cpu, "Sigmoid", "matrix")[0]


def test_the_sampled_check_finds_a_sampler_that_is_biased_or_ignores_its_seed():
    """Multinomial is held to its seed and its probabilities, not to the cpu kernel's draws: the cpu kernel passes,
    a sampler off by one class, one that ignores the seed and one that draws a class of probability zero fail."""
    cpu = backends.find_backend("cpu")
    fake = backends.Backend("stand-in")
    fake.fallback_report = lambda: {}
    draw = cpu.kernels[kernel_names.Multinomial]
    fake.kernels = {kernel_names.Multinomial: draw}
    assert cc.check(fake, cpu, "Multinomial", "matrix") == []
    fake.kernels = {kernel_names.Multinomial: lambda x, n, **a: (draw(x, n, **a) + 1) % np.shape(x)[1]}
    shifted = cc.check(fake, cpu, "Multinomial", "matrix")
    assert shifted and all("probability zero" in p or "chi-square" in p for p in shifted), shifted
    fake.kernels = {kernel_names.Multinomial: lambda x, n, seed=None, **a: draw(x, n, **a)}
    assert "same seed drew other samples" in cc.check(fake, cpu, "Multinomial", "matrix")[0]

    def uniform(x, n, seed=None, normalized=False):  # every class alike, the impossible one too
        return np.random.default_rng(seed).integers(0, np.shape(x)[1], (np.shape(x)[0], n)).astype(np.int32)
    fake.kernels = {kernel_names.Multinomial: uniform}
    assert "probability zero" in cc.check(fake, cpu, "Multinomial", "matrix")[0]


def test_backends_that_start_here_match_cpu(capsys):
    cpu = backends.find_backend("cpu")
    lines, problems = [], []
    for name in registry.registered_backends():
        claims = _claims(name)
        ops = registry.registered_ops(name)
        if name == "cpu":
            lines.append(f"{name}: {len(ops)} kernels registered; the reference (every case runs on it)")
            continue
        inst = _started(name)
        if inst is None:
            lines.append(f"{name}: {len(ops)} kernels registered, {len({op for op, _ in claims})} claim "
                         f"{len(claims)} (kernel, shape class) pairs; not startable under CPython: checked in "
                         f"the browser (tests/e2e/test_conformance_webgl.py)")
            continue
        for op, sc in claims:
            problems += cc.check(inst, cpu, op, sc)
        checked = {op for op, _ in claims}
        lines.append(f"{name}: {len(ops)} kernels registered, {len(checked)} checked, "
                     f"{len({sc for _, sc in claims})} shape classes, {len(claims)} (kernel, shape class) pairs")
    with capsys.disabled():
        print("\nconformance (CPython):\n  " + "\n  ".join(lines))
    assert problems == [], "\n".join(problems)
