"""Charts without a chart library: inline SVG line charts (vectors, benchmark runs) and canvas heat maps."""

from __future__ import annotations

import numpy as np

import js  # type: ignore[import-not-found]

from tfjs import platform

from .dom import esc, fmt_num, h, set_html

COLORS = ["#ff6f00", "#1a73e8", "#2e7d32", "#8e24aa", "#c62828", "#00838f"]
MAX_POINTS = 800


def _downsample(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) with at most ~2*MAX_POINTS points: min and max of each bucket, so peaks stay visible."""
    n = values.size
    x = np.arange(n, dtype=np.float64)
    if n <= 2 * MAX_POINTS:
        return x, values.astype(np.float64)
    edges = np.linspace(0, n, MAX_POINTS + 1).astype(int)
    xs, ys = [], []
    for a, b in zip(edges[:-1], edges[1:]):
        seg = values[a:b]
        i, j = int(np.argmin(seg)), int(np.argmax(seg))
        for k in sorted((i, j)):
            xs.append(a + k)
            ys.append(float(seg[k]))
    return np.array(xs, np.float64), np.array(ys, np.float64)


def line_chart_svg(series: list[tuple[str, np.ndarray]], title: str, x_label: str = "", y_label: str = "",
                   width: int = 640, height: int = 220, markers: bool = False) -> str:
    """An SVG line chart of one or more series (same x axis: the index)."""
    pad_l, pad_r, pad_t, pad_b = 58, 12, 10, 30
    arrays = [np.asarray(v, np.float64).reshape(-1) for _, v in series]
    finite = np.concatenate([a[np.isfinite(a)] for a in arrays]) if arrays else np.zeros(0)
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    n_max = max((a.size for a in arrays), default=1)
    span_x = max(n_max - 1, 1)
    pw, ph = width - pad_l - pad_r, height - pad_t - pad_b

    def sx(x: float) -> float:
        return pad_l + pw * x / span_x

    def sy(y: float) -> float:
        return pad_t + ph * (1 - (y - lo) / (hi - lo))

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{esc(title)}</title>',
             f'<line class="axis" x1="{pad_l}" y1="{pad_t + ph}" x2="{pad_l + pw}" y2="{pad_t + ph}"/>',
             f'<line class="axis" x1="{pad_l}" y1="{pad_t}" x2="{pad_l}" y2="{pad_t + ph}"/>']
    for frac in (0.0, 0.5, 1.0):
        y = lo + (hi - lo) * frac
        parts.append(f'<text x="{pad_l - 4}" y="{sy(y) + 4:.1f}" text-anchor="end">{esc(fmt_num(y))}</text>')
    parts.append(f'<text x="{pad_l}" y="{height - 8}">0</text>')
    parts.append(f'<text x="{pad_l + pw}" y="{height - 8}" text-anchor="end">{n_max - 1}</text>')
    if x_label:
        parts.append(f'<text x="{pad_l + pw / 2}" y="{height - 8}" text-anchor="middle">{esc(x_label)}</text>')
    if y_label:
        parts.append(f'<text x="12" y="{pad_t + ph / 2}" transform="rotate(-90 12 {pad_t + ph / 2})" '
                     f'text-anchor="middle">{esc(y_label)}</text>')
    for k, a in enumerate(arrays):
        xs, ys = _downsample(a)
        ok = np.isfinite(ys)
        pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs[ok], ys[ok]))
        color = COLORS[k % len(COLORS)]
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{pts}"/>')
        if markers and a.size <= 200:
            parts.extend(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{color}"/>'
                         for x, y in zip(xs[ok], ys[ok]))
    parts.append("</svg>")
    return "".join(parts)


def chart_element(series, title: str, **kwargs):
    box = h("figure", {"class": "chart-box"})
    svg_holder = h("div")
    set_html(svg_holder, line_chart_svg(series, title, **kwargs))
    box.append(svg_holder)
    if len(series) > 1:
        legend = h("div", {"class": "legend"})
        for k, (label, _) in enumerate(series):
            legend.append(h("span", None, h("span", {"class": "swatch",
                                                     "style": f"background:{COLORS[k % len(COLORS)]}"}), label))
        box.append(legend)
    box.append(h("figcaption", {"class": "detail", "text": title}))
    return box


# A perceptual colour ramp (dark blue -> teal -> yellow), interpolated linearly.
_RAMP = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], np.float64)


def heat_rgba(matrix: np.ndarray) -> tuple[np.ndarray, float, float]:
    """RGBA pixels of a 2-D array on the colour ramp (min to max); also the min and max."""
    m = np.asarray(matrix, np.float64)
    finite = m[np.isfinite(m)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    t = np.zeros_like(m) if hi == lo else np.clip((np.nan_to_num(m, nan=lo) - lo) / (hi - lo), 0, 1)
    pos = t * (len(_RAMP) - 1)
    i = np.minimum(pos.astype(int), len(_RAMP) - 2)
    f = (pos - i)[..., None]
    rgb = _RAMP[i] * (1 - f) + _RAMP[i + 1] * f
    rgba = np.empty(m.shape + (4,), np.uint8)
    rgba[..., :3] = np.round(rgb).astype(np.uint8)
    rgba[..., 3] = 255
    return rgba, lo, hi


def image_rgba(img: np.ndarray) -> tuple[np.ndarray, float, float]:
    """RGBA pixels of an H x W x 3 array, its values stretched from their min..max to 0..255."""
    a = np.asarray(img, np.float64)
    lo, hi = float(np.nanmin(a)), float(np.nanmax(a))
    scaled = np.zeros_like(a) if hi == lo else (a - lo) / (hi - lo) * 255
    rgba = np.empty(a.shape[:2] + (4,), np.uint8)
    rgba[..., :3] = np.clip(np.round(np.nan_to_num(scaled)), 0, 255).astype(np.uint8)
    rgba[..., 3] = 255
    return rgba, lo, hi


def put_pixels(canvas, rgba: np.ndarray) -> None:
    """Draw H x W x 4 uint8 pixels onto a canvas (resized to them)."""
    hgt, wid = rgba.shape[:2]
    canvas.width, canvas.height = wid, hgt
    data = js.Uint8ClampedArray.new(platform.to_array_buffer(np.ascontiguousarray(rgba)))
    canvas.getContext("2d").putImageData(js.ImageData.new(data, wid, hgt), 0, 0)


def canvas_element(rgba: np.ndarray, label: str, longest_side_px: int = 384):
    """A canvas of the pixels, shown with its longest side ``longest_side_px`` CSS pixels (aspect kept)."""
    hgt, wid = rgba.shape[:2]
    k = longest_side_px / max(hgt, wid, 1)
    canvas = h("canvas", {"class": "heatmap", "role": "img", "aria-label": label,
                          "style": f"width:{max(wid * k, 1):.0f}px;aspect-ratio:{wid}/{hgt}"})
    put_pixels(canvas, rgba)
    return canvas
