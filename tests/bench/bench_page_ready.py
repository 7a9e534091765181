"""Page ready (navigation -> tfjsReady) split by phase, cold and warm, from a plain static server
(python -m http.server on dist/) and from the app server (build.py serve), beside bare Pyodide + numpy.
Warm visits are measured with the memory snapshot of the first visit (web/snapshot.js) and without it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from bench.runner import Row, median
from harness import BOOT_JS, DIST

RUNS = 5
# boot.js marks tfjs-boot:<i> as each step starts; the phases are the spans between them.
PHASES_JS = """() => {
  const at = {};
  for (const m of performance.getEntriesByType("mark")) at[m.name] = m.startTime;
  return {marks: at, steps: globalThis.tfjsBootSteps || ["Pyodide", "packages", "wheel", "import tfjs"]};
}"""
BARE_JS = "async () => { const t = await globalThis.bareReady; " \
          "const m = performance.getEntriesByName('bare:core')[0]; return [m.startTime, t]; }"


class StaticServer:
    """``python -m http.server`` on dist/: what any static host gives (no cache headers of ours)."""

    def __enter__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                      "--directory", str(DIST)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(self.url + "build-info.json", timeout=2).read()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.proc.kill()
                    raise RuntimeError("python -m http.server did not start")
                time.sleep(0.1)

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)


# A restore from the memory snapshot marks tfjs-snapshot:<step> as each of these ends (web/snapshot.js); they
# split the first boot step of a restored visit.
RESTORE_STEPS = {"read": "read from IndexedDB", "script": "pyodide.asm.js in", "compiled": "numpy's modules compiled",
                 "files": "Pyodide's wasm instantiated", "instantiated": "files written, runtime up",
                 "linked": "numpy's modules linked",
                 "memory": "memory copied", "python": "Python up", "reseeded": "generators reseeded"}


def phases(page) -> dict[str, float]:
    info = page.evaluate(PHASES_JS)
    marks, steps = info["marks"], info["steps"]
    points = [0.0] + [marks[f"tfjs-boot:{i}"] for i in range(len(steps) + 1)]
    names = ["page, scripts, build-info"] + list(steps)
    split = {name: points[i + 1] - points[i] for i, name in enumerate(names)}
    if all(f"tfjs-snapshot:{step}" in marks for step in RESTORE_STEPS):
        last = marks["tfjs-boot:0"]
        for step, name in RESTORE_STEPS.items():
            split[f"  restore: {name}"] = marks[f"tfjs-snapshot:{step}"] - last
            last = marks[f"tfjs-snapshot:{step}"]
    return split


# A warm visit restores the memory snapshot the first visit stored (web/snapshot.js); without it, the stored
# snapshot is deleted before each reload, so that the page boots in full from the HTTP cache.
DROP_SNAPSHOT_JS = """() => new Promise((resolve, reject) => {
  const request = indexedDB.deleteDatabase("tfjs-snapshot");
  request.onsuccess = () => resolve(true);
  request.onerror = () => reject(request.error);
})"""


def measure(ctx, url: str, warm: bool, snapshot: bool = True):
    """RUNS loads: cold (each in a fresh browser context) or warm (reloads after a first visit, same context)."""
    totals, splits, sources = [], [], []
    first = None
    if warm:
        first = ctx.fresh_page()
        first.goto(url)
        first.evaluate(BOOT_JS)
        first.evaluate("async () => await globalThis.tfjsSnapshotStored")
    for _ in range(RUNS):
        if warm and not snapshot:
            first.evaluate(DROP_SNAPSHOT_JS)
        page = first.context.new_page() if warm else ctx.fresh_page()
        page.goto(url)
        totals.append(page.evaluate(BOOT_JS))
        splits.append(phases(page))
        sources.append(page.evaluate("globalThis.tfjsBootSource"))
        page.evaluate("async () => await globalThis.tfjsSnapshotStored")
        page.close()
    if first is not None:
        first.close()
    split = {name: median([s[name] for s in splits]) for name in splits[0] if all(name in s for s in splits)}
    return median(totals), split, (min(totals), max(totals)), sources


def bare(ctx, url: str, warm: bool) -> float:
    target = url + "web/bench/bare-pyodide.html"
    times, first = [], None
    if warm:
        first = ctx.fresh_page()
        first.goto(target)
        first.evaluate(BARE_JS)
    for _ in range(RUNS):
        page = first.context.new_page() if warm else ctx.fresh_page()
        page.goto(target)
        times.append(page.evaluate(BARE_JS)[1])
        page.close()
    if first is not None:
        first.close()
    return median(times)


def page_ready(ctx):
    rows = []
    with StaticServer() as static:
        for label, url in (("static host", static.url), ("build.py serve", ctx.url)):
            for warm, snapshot in ((False, True), (True, True), (True, False)):
                visit = ("warm" if snapshot else "warm, no snapshot") if warm else "cold"
                total, split, (lo, hi), sources = measure(ctx, url, warm, snapshot)
                base = bare(ctx, url, warm)
                parts = ", ".join(f"{name} {ms:.0f}" for name, ms in split.items())
                booted = ", ".join(f"{sources.count(s)} {s}" for s in sorted(set(sources)))
                rows.append(Row(f"page ready, {visit}, {label}", total, note=f"median of {RUNS} "
                                f"(min {lo:.0f}, max {hi:.0f}; boots: {booted}); bare Pyodide + numpy {base:.0f} ms "
                                f"(ratio {total / base:.2f})"))
                for name, ms in split.items():
                    rows.append(Row(f"  {visit}, {label}: {name}", ms, note="median"))
                print(f"[page ready] {visit}, {label}: {total:.0f} ms = {parts} (boots: {booted}); bare {base:.0f} ms",
                      flush=True)
    return rows


BENCHMARKS = [page_ready]
