"""Conversion time of a ~100 MB Keras .h5 (4 Dense layers, built by tf_keras in the reference environment):
tfjs-convert (ours, in this process) vs the official tensorflowjs_converter (its own process, TensorFlow import
included and also measured apart). Also ours with uint8 quantization. Runs on CPython; no browser needed."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench.runner import Row, median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))

RUNS = 3


def bench_convert_100mb(ctx=None):
    import conv_support
    import reference_env

    from tfjs.converter import convert

    big = conv_support.keras_models("big") / "big.h5"
    mb = big.stat().st_size / 1e6
    rows = []
    with tempfile.TemporaryDirectory(prefix="tfjs-bench-conv-") as tmp:
        ours, ours_q = [], []
        for i in range(RUNS):
            t0 = time.perf_counter()
            convert(big, Path(tmp) / f"ours{i}", log=None, progress=False)
            ours.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            convert(big, Path(tmp) / f"q{i}", quantize_uint8=True, log=None, progress=False)
            ours_q.append((time.perf_counter() - t0) * 1000)
        code = ("import time, sys\nt0 = time.perf_counter()\nfrom tensorflowjs.converters import converter\n"
                "t1 = time.perf_counter()\nconverter.convert(['--input_format=keras', sys.argv[1], sys.argv[2]])\n"
                "print('@@', (t1 - t0) * 1000, (time.perf_counter() - t1) * 1000)\n")
        official, official_import = [], []
        for i in range(RUNS):
            t0 = time.perf_counter()
            r = reference_env.run_in("tfjs", ["-c", code, big, Path(tmp) / f"ref{i}"])
            total = (time.perf_counter() - t0) * 1000
            imp, conv = map(float, r.stdout.rsplit("@@", 1)[1].split())
            official.append(conv)
            official_import.append(total)
    rows.append(Row(f"convert {mb:.0f} MB .h5 -> layers model (conversion only)", median(ours), median(official),
                    note="official: converter call after its imports"))
    rows.append(Row(f"convert {mb:.0f} MB .h5, whole command", median(ours), median(official_import),
                    note="official: process incl. TensorFlow import"))
    rows.append(Row(f"convert {mb:.0f} MB .h5 --quantize_uint8", median(ours_q), None))
    return rows


def bench_convert_saved_model(ctx=None):
    """conv_bn SavedModel (tests/fixtures/make_saved_models.py) -> graph model: ours (TensorFlow freeze step in a
    subprocess of the `tf` reference environment, then our passes here) vs the official converter's process."""
    import reference_env
    import saved_model_support as sms

    from tfjs.converter import convert

    src = sms.saved_models() / "conv_bn"
    tf_python = sms.tf_python()
    ours, official = [], []
    with tempfile.TemporaryDirectory(prefix="tfjs-bench-sm-") as tmp:
        for i in range(RUNS):
            t0 = time.perf_counter()
            convert(src, Path(tmp) / f"ours{i}", tf_python=tf_python, log=None, progress=False)
            ours.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            reference_env.tfjs_convert(["--input_format=tf_saved_model", "--output_format=tfjs_graph_model", src,
                                        Path(tmp) / f"ref{i}"])
            official.append((time.perf_counter() - t0) * 1000)
    return [Row("convert conv_bn SavedModel -> graph model, whole command", median(ours), median(official),
                note="both include a TensorFlow import (ours: freeze subprocess)")]


BENCHMARKS = [bench_convert_100mb, bench_convert_saved_model]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "py"))
    for row in bench_convert_100mb() + bench_convert_saved_model():
        print(f"{row.name:60s} ours {row.ours:9.0f} ms  official {row.tfjs or float('nan'):9.0f} ms  {row.note}")
