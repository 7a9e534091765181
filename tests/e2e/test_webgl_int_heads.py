"""A detector head's int32 and creation ops as a graph model on webgl: Range, Fill, LinSpace, ZerosLike, OnesLike,
FloorDiv / FloorMod on int32, SelectV2 on int32 branches, Bincount and DenseBincount, int32 arithmetic (Mul, AddV2,
SquaredDifference, Maximum, Neg, Abs joining each other's passes, then a float32 add on their cast result) and a
GatherV2 by int32 indices computed on the GPU stay on the GPU
(no cpu fallback, no readback before the outputs, no host-made Range or Fill uploaded) and equal the cpu backend's
results exactly (int32) or within 1e-5 (float32)."""

import pytest

from harness import run_py

pytestmark = pytest.mark.e2e

HEAD_PY = r"""
import numpy as np, tfjs as tf
from tfjs.backends import webgl
from tfjs.graph import builder as gb

I, F = gb.dtype("int32"), gb.dtype("float32")
N = 3000
nodes = [
    gb.placeholder("scores", "float32", [N]),
    gb.const("zero", np.int32(0)), gb.const("n", np.int32(N)), gb.const("one", np.int32(1)),
    gb.const("seven", np.int32(7)), gb.const("shape", np.array([N], np.int32)), gb.const("minus", np.int32(-1)),
    gb.const("lo", np.float32(-2.0)), gb.const("hi", np.float32(2.0)), gb.const("zf", np.float32(0.0)),
    gb.const("classes", np.int32(7)), gb.const("bins", np.int32(500)),
    gb.node("idx", "Range", ["zero", "n", "one"], Tidx=I),
    gb.node("cls", "FloorDiv", ["idx", "seven"], T=I),
    gb.node("rem", "FloorMod", ["idx", "seven"], T=I),
    gb.node("keep", "Greater", ["scores", "zf"], T=F),
    gb.node("none", "ZerosLike", ["cls"], T=I),
    gb.node("kept_cls", "SelectV2", ["keep", "cls", "none"], T=I),
    gb.node("fill", "Fill", ["shape", "minus"], T=I, index_type=I),
    gb.node("kept_rem", "SelectV2", ["keep", "rem", "fill"], T=I),
    gb.node("ramp", "LinSpace", ["lo", "hi", "n"], T=F, Tidx=I),
    gb.node("ones", "OnesLike", ["scores"], T=F),
    gb.node("weighted", "Mul", ["scores", "ramp"], T=F),
    gb.node("shifted", "AddV2", ["weighted", "ones"], T=F),
    gb.node("hist", "Bincount", ["rem", "classes", "shifted"], T=F),
    gb.node("dense", "DenseBincount", ["cls", "bins", "shifted"], T=F, Tidx=I, binary_output=False),
    # int32 arithmetic: cls * 7 + rem gives the index back; its steps fuse into the FloorDiv's pass
    gb.node("back", "Mul", ["cls", "seven"], T=I),
    gb.node("pos", "AddV2", ["back", "rem"], T=I),
    gb.node("off", "SquaredDifference", ["pos", "idx"], T=I),          # zeros
    gb.node("far", "Maximum", ["pos", "classes"], T=I),
    gb.node("neg", "Neg", ["far"], T=I),
    gb.node("dist", "Abs", ["neg"], T=I),
    gb.node("span", "AddV2", ["dist", "off"], T=I),
    gb.node("spanf", "Cast", ["span"], SrcT=I, DstT=F),
    gb.node("mixed", "AddV2", ["spanf", "scores"], T=F),              # a float32 step on an int32 pass
    gb.node("rev", "Sub", ["n", "pos"], T=I),
    gb.node("last", "Sub", ["rev", "one"], T=I),                      # N - 1 - idx: a reversal
    gb.node("picked", "GatherV2", ["scores", "last", "zero"], Tparams=F, Tindices=I, Taxis=I, batch_dims=0),
]
OUTS = ["kept_cls", "kept_rem", "hist", "dense", "span", "mixed", "picked"]
model = gb.model(gb.graph_def(nodes))
scores = np.random.default_rng(5).uniform(-1, 1, N).astype(np.float32)
scores.flags.writeable = False       # uploaded once (a read-only array's upload is cached), read by two ops

def run(backend):
    tf.set_backend(backend)
    return [np.asarray(v) for v in model.execute({"scores": scores}, OUTS)]

want = run("cpu")
run("webgl")                         # programs compiled
gl = webgl.current()
gl.stats.reset()
got = run("webgl")
stats = {"downloads": gl.stats.downloads, "upload_bytes": gl.stats.upload_bytes, "fallbacks": gl.fallback_report()}
tf.set_backend("cpu")
{"stats": stats, "dtypes": [[str(w.dtype), str(g.dtype)] for w, g in zip(want, got)],
 "shapes": [[list(w.shape), list(g.shape)] for w, g in zip(want, got)],
 "int_equal": [bool(np.array_equal(w, g)) for w, g in zip(want, got) if w.dtype == np.int32],
 "float_err": [float(np.max(np.abs(w - g)) / max(float(np.max(np.abs(w))), 1e-6))
               for w, g in zip(want, got) if w.dtype == np.float32],
 "kept": int(np.sum(want[0] > 0)), "scores_bytes": scores.nbytes}
"""


def test_int_head_graph_stays_on_the_gpu_and_matches_cpu(app_page):
    out = run_py(app_page, HEAD_PY)
    assert out["dtypes"] == [["int32", "int32"], ["int32", "int32"], ["float32", "float32"],
                             ["float32", "float32"], ["int32", "int32"], ["float32", "float32"],
                             ["float32", "float32"]], out
    assert out["shapes"] == [[[3000], [3000]], [[3000], [3000]], [[7], [7]], [[500], [500]], [[3000], [3000]],
                             [[3000], [3000]], [[3000], [3000]]], out
    assert out["int_equal"] == [True, True, True], out
    assert max(out["float_err"]) < 1e-5, out
    assert 1000 < out["kept"] < 3000, out          # the mask picks some of each branch
    stats = out["stats"]
    assert stats["fallbacks"] == {}, stats
    assert stats["downloads"] == 7, stats          # the seven outputs, nothing before them
    # the scores and a few small constants; Range, Fill, LinSpace and the *Like outputs are made on the GPU
    assert stats["upload_bytes"] < out["scores_bytes"] + 1024, stats
