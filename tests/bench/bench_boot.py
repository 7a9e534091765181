"""Boot time: navigation to `tfjsReady` resolved, from a cold profile each time."""

from bench.runner import Row, median
from harness import BOOT_JS

RUNS = 5


def boot_time(ctx):
    times = []
    for _ in range(RUNS):
        page = ctx.fresh_page()
        page.goto(ctx.url)
        times.append(page.evaluate(BOOT_JS))
        page.close()
    note = f"median of {RUNS} cold loads; min {min(times):.0f}, max {max(times):.0f}"
    return [Row("page boot (navigation -> tfjsReady)", median(times), note=note)]


BENCHMARKS = [boot_time]
