"""Runs the benchmarks in one headless Chromium against the app server and prints one table.

Each benchmark module is named bench_*.py and defines ``BENCHMARKS``: functions taking a
:class:`BenchContext` and returning :class:`Row` objects. Rows compare ours with TF.js in the same
browser where TF.js has a counterpart; the ratio column is ours / TF.js in time (TF.js / ours for rates such as
samples/s), so below 1 always means we are faster.
"""

from __future__ import annotations

import importlib
import pkgutil
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from harness import AppServer, launch_args


@dataclass
class Row:
    name: str
    ours: float | None
    tfjs: float | None = None
    unit: str = "ms"
    note: str = ""

    @property
    def ratio(self) -> str:
        """ours / TF.js for times and counts, TF.js / ours for rates (a unit per second): below 1, ours is
        faster (or smaller) either way."""
        if self.ours is None or not self.tfjs:
            return "-"
        if self.unit.endswith("/s"):
            return f"{self.tfjs / self.ours:.2f}" if self.ours else "-"
        return f"{self.ours / self.tfjs:.2f}"


class BenchContext:
    def __init__(self, browser, url: str):
        self.browser = browser
        self.url = url

    def fresh_page(self):
        """A new browser context (cold profile, empty cache) and a page in it, not yet navigated."""
        context = self.browser.new_context()
        page = context.new_page()
        page.on("close", lambda _: context.close())
        return page


def median(values) -> float:
    return statistics.median(values)


def fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if value < 1000 else f"{value:.0f}"


def print_table(rows: list[Row]) -> None:
    headers = ["benchmark", "ours", "TF.js", "ratio (<1: ours faster)", "unit", "note"]
    cells = [[r.name, fmt(r.ours), fmt(r.tfjs), r.ratio, r.unit, r.note] for r in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *cells)]
    line = "  ".join("{:<%d}" % w for w in widths)
    print(line.format(*headers))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print(line.format(*row))


def discover(selected: list[str]):
    package = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(package)]), key=lambda m: m.name):
        if not info.name.startswith("bench_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        for func in module.BENCHMARKS:
            name = f"{info.name[6:]}.{func.__name__}"
            if not selected or any(s in name for s in selected):
                yield name, func


def main(dist: Path, selected: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    rows: list[Row] = []
    with AppServer(dist) as server, sync_playwright() as p:
        browser = p.chromium.launch(**launch_args())
        ctx = BenchContext(browser, server.url)
        for name, func in discover(selected):
            print(f"[bench] {name} ...", file=sys.stderr, flush=True)
            rows.extend(func(ctx))
        browser.close()
    print()
    print_table(rows)
