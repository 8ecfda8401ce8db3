"""Small SVG charts drawn on the server for the PDF reports (no script, no network): a
horizontal bar chart, a line chart and a Pareto chart. Text stays text, so the PDF's text
layer carries every label and value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"
GRID = "#dee2e6"
AXIS = "#6c757d"
TEXT = "#212529"
PALETTE = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#20c997"]


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _svg(width: int, height: int, body: list[str], label: str) -> SafeString:
    return mark_safe(  # every text below went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" '
        f'font-family="{FONT}" font-size="11">' + "".join(body) + "</svg>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: int = 11,
    colour: str = TEXT,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{colour}" font-weight="{weight}">{escape(text)}</text>'
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str = "",
    width: int = 640,
    bar_height: int = 18,
    max_value: float | None = None,
    colour: str = PALETTE[0],
    suffix: str = "",
    label_chars: int = 14,
) -> SafeString:
    """Horizontal bars, one per label, the value written at the end of each bar."""
    label_width = 11 * label_chars + 8  # CJK glyphs are about one font size wide
    top = 24 if title else 6
    gap = 6
    height = top + len(labels) * (bar_height + gap) + 8
    plot = width - label_width - 56
    biggest = max_value or max((v for v in values if v is not None), default=0) or 1
    body = []
    if title:
        body.append(_text(0, 14, title, size=13, weight="bold"))
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * (bar_height + gap)
        body.append(
            _text(label_width - 6, y + bar_height * 0.72, _clip(label, label_chars), anchor="end")
        )
        length = 0.0 if value is None else max(0.0, plot * value / biggest)
        body.append(
            f'<rect x="{label_width}" y="{y}" width="{_num(length)}" height="{bar_height}" '
            f'fill="{colour}" rx="2"/>'
        )
        shown = "—" if value is None else _num(value) + suffix
        body.append(_text(label_width + length + 4, y + bar_height * 0.72, shown))
    return _svg(width, height, body, title or "bar chart")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    colour: str = PALETTE[0]


def line_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str = "",
    width: int = 640,
    height: int = 220,
    y_min: float = 0,
    y_max: float = 100,
    ticks: int = 4,
) -> SafeString:
    """Lines over categories (months); a gap where a value is missing."""
    left, right, top, bottom = 36, 12, 28 if title else 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    span = (y_max - y_min) or 1
    step = plot_w / max(1, len(categories) - 1) if len(categories) > 1 else 0

    def x_of(index: int) -> float:
        return left + (index * step if len(categories) > 1 else plot_w / 2)

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * (min(max(value, y_min), y_max) - y_min) / span

    body = []
    if title:
        body.append(_text(0, 14, title, size=13, weight="bold"))
    for n in range(ticks + 1):
        value = y_min + span * n / ticks
        y = y_of(value)
        body.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" '
            f'stroke="{GRID}" stroke-width="0.6"/>'
        )
        body.append(_text(left - 4, y + 4, _num(value), anchor="end", colour=AXIS, size=9))
    for index, category in enumerate(categories):
        body.append(
            _text(x_of(index), top + plot_h + 14, category, anchor="middle", colour=AXIS, size=9)
        )
    for line in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for index, point in enumerate(line.values):
            if point is None:
                runs.append([])
                continue
            runs[-1].append((x_of(index), y_of(point)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{_num(x)},{_num(y)}" for x, y in run)
                body.append(
                    f'<polyline points="{points}" fill="none" stroke="{line.colour}" '
                    f'stroke-width="2"/>'
                )
            for x, y in run:
                body.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="2.5" fill="{line.colour}"/>')
        last = next(
            ((i, v) for i, v in reversed(list(enumerate(line.values))) if v is not None), None
        )
        if last is not None:
            body.append(
                _text(
                    x_of(last[0]) + 4, y_of(last[1]) - 4, _num(last[1]), colour=line.colour, size=9
                )
            )
    x = left
    for line in series:
        body.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{line.colour}"/>'
        )
        body.append(_text(x + 14, height - 5, line.name, size=10))
        x += 24 + 11 * len(line.name)
    return _svg(width, height, body, title or "line chart")


def pareto_chart(
    counts: Sequence[int],
    cumulative: Sequence[float],
    *,
    title: str = "",
    width: int = 640,
    height: int = 220,
    bar_colour: str = PALETTE[2],
    line_colour: str = PALETTE[0],
) -> SafeString:
    """Bars numbered 1…n (the table beside it names them), most frequent first, and the
    cumulative share of all failures as a line on a 0–100 % right-hand axis."""
    left, right, top, bottom = 36, 40, 28 if title else 12, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(counts))
    slot = plot_w / n
    biggest = max(counts, default=0) or 1
    body = []
    if title:
        body.append(_text(0, 14, title, size=13, weight="bold"))
    for tick in range(5):
        y = top + plot_h - plot_h * tick / 4
        body.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" '
            f'stroke="{GRID}" stroke-width="0.6"/>'
        )
        body.append(
            _text(left - 4, y + 4, _num(biggest * tick / 4), anchor="end", colour=AXIS, size=9)
        )
        body.append(_text(width - right + 4, y + 4, f"{25 * tick}%", colour=AXIS, size=9))
    points = []
    for index, count in enumerate(counts):
        x = left + index * slot
        bar = plot_h * count / biggest
        body.append(
            f'<rect x="{_num(x + slot * 0.15)}" y="{_num(top + plot_h - bar)}" '
            f'width="{_num(slot * 0.7)}" height="{_num(bar)}" fill="{bar_colour}"/>'
        )
        body.append(
            _text(x + slot / 2, top + plot_h - bar - 3, str(count), anchor="middle", size=9)
        )
        body.append(
            _text(
                x + slot / 2,
                top + plot_h + 14,
                str(index + 1),
                anchor="middle",
                colour=AXIS,
                size=9,
            )
        )
        share = cumulative[index] if index < len(cumulative) else 0
        points.append((x + slot / 2, top + plot_h - plot_h * min(share, 100) / 100))
    if len(points) > 1:
        body.append(
            f'<polyline points="{" ".join(f"{_num(x)},{_num(y)}" for x, y in points)}" '
            f'fill="none" stroke="{line_colour}" stroke-width="2"/>'
        )
    for x, y in points:
        body.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="2.5" fill="{line_colour}"/>')
    return _svg(width, height, body, title or "pareto chart")
