"""A second visit boots from the memory snapshot the first one stored (web/snapshot.js) and computes what a full
boot computes; a stored snapshot that is damaged or does not fit is dropped and the page boots in full."""

import pytest

from harness import BOOT_JS, run_py

pytestmark = pytest.mark.e2e

# A real layers model: built and saved to IndexedDB by a full boot, loaded back and run by the restored ones.
SAVE_MODEL = """
import numpy as np, tfjs as tf
m = tf.sequential(layers=[tf.layers.dense(units=5, activation="relu", input_shape=[4]),
                          tf.layers.dense(units=3, activation="softmax")])
m.set_weights([np.linspace(-1, 1, 20, dtype=np.float32).reshape(4, 5), np.linspace(0.2, -0.2, 5, dtype=np.float32),
               np.linspace(1.5, -1, 15, dtype=np.float32).reshape(5, 3), np.array([0.1, 0, -0.1], np.float32)])
await m.save("indexeddb://snapshot-check")
None
"""
PREDICT = """
import numpy as np, tfjs as tf
m = await tf.load_layers_model("indexeddb://snapshot-check")
x = np.arange(-6, 6, dtype=np.float32).reshape(3, 4) / 4
np.asarray(m.predict(x)).astype(float).tolist()
"""
# numpy modules that were not imported before the snapshot: their shared libraries must be linked as well.
LAZY = """
import numpy as np, numpy.fft, numpy.linalg
[np.fft.fft(np.array([1.0, 2.0, 0.0, -1.0])).real.tolist(), float(np.linalg.det(np.diag([2.0, 3.0, 4.0])))]
"""
# What the page offers beyond numpy: the wasm backend (its kernel module shares Pyodide's memory) and scipy,
# loaded on demand with shared libraries of its own after the restore.
WASM_AND_SCIPY = """
import numpy as np, tfjs as tf
m = await tf.load_layers_model("indexeddb://snapshot-check")
x = np.arange(-6, 6, dtype=np.float32).reshape(3, 4) / 4
tf.set_backend("wasm")
try:
    on_wasm = np.asarray(m.predict(x)).astype(float).tolist()
finally:
    tf.set_backend("cpu")
await tf.platform.load_packages("scipy")
from scipy.linalg import blas
a = np.arange(12, dtype=np.float32).reshape(4, 3)
[on_wasm, blas.sgemm(1.0, a, a.T).astype(float).tolist()]
"""
DRAWS = """
import random, numpy as np
from tfjs.layers import initializers
[random.random(), float(np.random.rand()), float(initializers._rng.random())]
"""

GRID = [[3.0 * i + j for j in range(3)] for i in range(4)]

# Bytes that are no snapshot: too short, another format, a header longer than the bytes.
REFUSALS_JS = """() => {
  const overlong = new Uint8Array(64);
  overlong.set(new TextEncoder().encode("TFJSSNAP"));
  new DataView(overlong.buffer).setUint32(8, 1, true);
  new DataView(overlong.buffer).setUint32(12, 4000, true);
  return [new Uint8Array(20), new TextEncoder().encode("GIF89a" + "x".repeat(60)), overlong].map((bytes) => {
    try { tfjsSnapshot.decode(bytes, "k"); return null; } catch (e) { return e.message; }
  });
}"""

CORRUPT_JS = """
async (how) => {
  const S = globalThis.tfjsSnapshot;
  const bytes = await S.load();
  if (how === "truncate") {
    await S.store(bytes.slice(0, bytes.length - 4096));
  } else if (how === "flip") {
    // One byte of the memory changed in storage: the length and header still fit.
    bytes[bytes.length >> 1] ^= 0x5a;
    await S.store(bytes);
  } else if (how === "table") {
    // A well-formed, sealed snapshot whose linking record does not fit this Pyodide (one table slot off).
    const json = new DataView(bytes.buffer).getUint32(12, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(48, 48 + json)));
    const parts = S.decode(bytes, header.key);
    header.tableAtStart += 1;
    const files = header.files.map(([path]) => parts.files.get(path));
    await S.store(await S.seal(S.encode(header, files, parts.memory)));
  }
  return bytes.length;
}
"""


def visit(context, url, warnings=None):
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    if warnings is not None:
        page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    page.goto(url)
    page.evaluate(BOOT_JS)
    page.errors = errors
    return page


def source_and_stored(page):
    return page.evaluate("async () => [globalThis.tfjsBootSource, await globalThis.tfjsSnapshotStored]")


def test_second_visit_boots_from_the_snapshot_and_predicts_like_a_full_boot(browser, app_server):
    context = browser.new_context()
    try:
        first = visit(context, app_server.url)
        assert source_and_stored(first) == ["full", True]
        run_py(first, SAVE_MODEL)
        full_prediction = run_py(first, PREDICT)
        full_lazy = run_py(first, LAZY)
        versions = first.locator("#versions").inner_text()
        first.close()

        restored = []
        for _ in range(2):
            page = visit(context, app_server.url)
            assert source_and_stored(page) == ["snapshot", False]
            assert page.evaluate("async () => { await tfjsApp; return document.body.dataset.state; }") == "ready"
            assert page.locator("#versions").inner_text() == versions
            assert run_py(page, PREDICT) == full_prediction
            assert run_py(page, LAZY) == full_lazy == [[2.0, 1.0, 0.0, 1.0], pytest.approx(24.0)]
            restored.append(run_py(page, DRAWS))
            if len(restored) == 1:
                on_wasm, gram = run_py(page, WASM_AND_SCIPY)
                assert on_wasm == [pytest.approx(row, abs=1e-6) for row in full_prediction]
                assert gram == [[float(sum(a * b for a, b in zip(r, q))) for q in GRID] for r in GRID]
            assert page.errors == []
            page.close()
        # Both restores start from the same memory: their random generators must be seeded afresh.
        assert all(a != b for a, b in zip(*restored))
        assert len(full_prediction) == 3 and all(sum(row) == pytest.approx(1.0) for row in full_prediction)
    finally:
        context.close()


def test_a_damaged_or_unfitting_snapshot_is_dropped_and_the_page_boots_in_full(browser, app_server):
    context = browser.new_context()
    try:
        first = visit(context, app_server.url)
        assert source_and_stored(first) == ["full", True]
        message = first.evaluate("""async () => {
          const bytes = await tfjsSnapshot.load();
          try { tfjsSnapshot.decode(bytes, "another-build"); return null; } catch (e) { return e.message; }
        }""")
        assert message.startswith("snapshot was made for ") and message.endswith(", this page is another-build")
        refusals = first.evaluate(REFUSALS_JS)
        assert refusals == ["snapshot is 20 bytes, too short for its header",
                            'snapshot starts with "GIF89axx", not TFJSSNAP',
                            "snapshot header of 4000 bytes runs past its end"]
        run_py(first, SAVE_MODEL)
        expected = run_py(first, PREDICT)

        for how, reason in (("truncate", "bytes, its header says"),
                            ("flip", "does not match its SHA-256"),
                            ("table", "slots before linking, the snapshot")):
            size = first.evaluate(CORRUPT_JS, how)
            assert size > 20_000_000
            warnings = []
            page = visit(context, app_server.url, warnings)
            # The stored snapshot was not used: a full boot, which stores a good one again.
            assert source_and_stored(page) == ["full", True], how
            assert [w for w in warnings if "the stored snapshot was not used" in w and reason in w], warnings
            assert run_py(page, PREDICT) == expected
            assert page.errors == []
            page.close()

        page = visit(context, app_server.url)
        assert source_and_stored(page) == ["snapshot", False]
        assert run_py(page, PREDICT) == expected
        first.close()
    finally:
        context.close()
