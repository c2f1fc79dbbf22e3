"""GetMetricWidgetImage's PNG: a line chart of the widget's series, drawn with Pillow (a real
image library rather than hand-written PNG encoding and rasterizing): title, left axis with
ticks, time axis in the widget's time zone, one coloured line per series, horizontal
annotations and a legend."""

from __future__ import annotations

import io
import math
from datetime import datetime

from PIL import Image, ImageDraw, ImageFont

from overcast.services.cloudwatch.dynamic_labels import format_number, offset_of
from overcast.services.cloudwatch.metric_queries import QueryResult
from overcast.services.cloudwatch.widget_spec import Widget

# CloudWatch's default graph palette, in the order series take it.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
BACKGROUND = (255, 255, 255)
AXIS = (160, 160, 160)
GRID = (232, 232, 232)
TEXT = (68, 68, 68)
Y_TICKS = 5


def render_widget(widget: Widget, results: list[QueryResult]) -> bytes:
    """The PNG bytes of the chart."""
    image = Image.new("RGB", (widget.width, widget.height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    colors = _colors(widget, results)
    legend_rows = _legend_rows(widget, results)
    top = 24 if widget.title else 8
    bottom = widget.height - 22 - 14 * legend_rows
    left, right = min(56, widget.width // 4), widget.width - (8 if widget.legend != "right" else widget.width // 4)
    if widget.title:
        draw.text((8, 6), widget.title, fill=TEXT, font=font)
    plot = (left, top, max(left + 1, right), max(top + 1, bottom))
    if widget.view != "timeSeries":
        area = (8, top, max(9, widget.width - 8), plot[3])
        VIEWS[widget.view](draw, font, widget, results, colors, area)
        _legend(draw, font, widget, results, colors, plot)
        return _png(image)
    low, high = _y_range(widget, results)
    _axes(draw, font, widget, plot, low, high)
    for annotation in widget.annotations:
        y = _scale(annotation["value"], low, high, plot[3], plot[1])
        if plot[1] <= y <= plot[3]:
            draw.line([(plot[0], y), (plot[2], y)], fill=_rgb(annotation["color"] or "#d62728"), width=1)
            draw.text((plot[0] + 4, y - 12), annotation["label"], fill=TEXT, font=font)
    for result, color in zip(results, colors):
        points = sorted(zip(result.timestamps, result.values))
        xy = [(_scale(t, widget.start, widget.end, plot[0], plot[2]), _scale(v, low, high, plot[3], plot[1]))
              for t, v in points]
        if len(xy) == 1:
            x, y = xy[0]
            draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=color)
        elif xy:
            draw.line(xy, fill=color, width=2)
    _legend(draw, font, widget, results, colors, plot)
    return _png(image)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _latest(result: QueryResult) -> float | None:
    """The newest value of a series (the value the single-value, bar and pie views show)."""
    return max(zip(result.timestamps, result.values))[1] if result.values else None


def _single_values(draw, font, widget: Widget, results, colors, area) -> None:
    left, top, right, bottom = area
    columns = max(1, len(results))
    width = (right - left) / columns
    for index, (result, color) in enumerate(zip(results, colors)):
        value = _latest(result)
        x = left + index * width + 4
        draw.text((x, top + 4), result.label[:24], fill=TEXT, font=font)
        big = _font(max(12, min(48, int(width / 5), (bottom - top) // 2)))
        draw.text((x, top + 20), "-" if value is None else format_number(value), fill=color, font=big)


def _font(size: int):
    """The default font at ``size`` (a scalable font needs Pillow's FreeType support; the
    fixed bitmap font otherwise)."""
    try:
        return ImageFont.load_default(size=size)
    except (ImportError, OSError, TypeError):
        return ImageFont.load_default()


def _bars(draw, font, widget: Widget, results, colors, area) -> None:
    left, top, right, bottom = area
    values = [_latest(r) for r in results]
    high = max([v for v in values if v is not None] + [0.0]) or 1.0
    low = min([v for v in values if v is not None] + [0.0])
    slot = (right - left) / max(1, len(results))
    zero = _scale(0.0, low, high, bottom, top)
    draw.line([(left, zero), (right, zero)], fill=AXIS)
    for index, (value, color) in enumerate(zip(values, colors)):
        if value is None:
            continue
        x0 = left + index * slot + slot * 0.2
        y = _scale(value, low, high, bottom, top)
        draw.rectangle([x0, min(y, zero), x0 + slot * 0.6, max(y, zero)], fill=color)


def _pie(draw, font, widget: Widget, results, colors, area) -> None:
    left, top, right, bottom = area
    values = [max(_latest(r) or 0.0, 0.0) for r in results]
    total = sum(values)
    size = max(2, min(right - left, bottom - top) - 8)
    box = [left + (right - left - size) / 2, top + 4, left + (right - left + size) / 2, top + 4 + size]
    if not total:
        draw.ellipse(box, outline=AXIS)
        return
    angle = -90.0
    for value, color in zip(values, colors):
        sweep = 360.0 * value / total
        if sweep > 0:
            draw.pieslice(box, angle, angle + sweep, fill=color)
        angle += sweep


VIEWS = {"singleValue": _single_values, "bar": _bars, "pie": _pie}


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _colors(widget: Widget, results: list[QueryResult]) -> list[tuple[int, int, int]]:
    out = []
    for index, result in enumerate(results):
        out.append(_rgb(widget.colors.get(result.id) or PALETTE[index % len(PALETTE)]))
    return out


def _legend_rows(widget: Widget, results: list[QueryResult]) -> int:
    if widget.legend != "bottom" or not results:
        return 0
    per_row = max(1, (widget.width - 16) // 180)
    return math.ceil(len(results) / per_row)


def _y_range(widget: Widget, results: list[QueryResult]) -> tuple[float, float]:
    values = [v for r in results for v in r.values] + [a["value"] for a in widget.annotations]
    low = widget.y_min if widget.y_min is not None else min([0.0, *values])
    high = widget.y_max if widget.y_max is not None else max(values, default=1.0)
    if high <= low:
        high = low + 1.0
    padded = high + (high / 2 - low / 2) * 0.1
    return low, high if widget.y_max is not None or not math.isfinite(padded) else padded


def _scale(value: float, low: float, high: float, out_low: float, out_high: float) -> float:
    """``value``'s pixel between out_low and out_high (halves keep extreme values finite;
    far outside values are clamped a little beyond the edges)."""
    span = high / 2 - low / 2
    share = (value / 2 - low / 2) / span if span else 0.5
    if not math.isfinite(share):
        share = 0.0 if math.isnan(share) else math.copysign(2.0, share)
    return out_low + max(-1.0, min(2.0, share)) * (out_high - out_low)


def _axes(draw, font, widget: Widget, plot, low: float, high: float) -> None:
    left, top, right, bottom = plot
    for i in range(Y_TICKS + 1):
        value = low + (high / 2 - low / 2) * (2 * i / Y_TICKS)
        y = _scale(value, low, high, bottom, top)
        draw.line([(left, y), (right, y)], fill=GRID)
        draw.text((4, y - 6), format_number(value)[:8], fill=TEXT, font=font)
    zone = offset_of(widget.timezone)
    ticks = max(2, min(6, (right - left) // 90))
    for i in range(ticks + 1):
        stamp = widget.start + (widget.end - widget.start) * i / ticks
        x = _scale(stamp, widget.start, widget.end, left, right)
        draw.line([(x, bottom), (x, bottom + 3)], fill=AXIS)
        text = datetime.fromtimestamp(stamp, zone).strftime("%H:%M")
        draw.text((x - 14, bottom + 5), text, fill=TEXT, font=font)
    draw.line([(left, top), (left, bottom)], fill=AXIS)
    draw.line([(left, bottom), (right, bottom)], fill=AXIS)


def _legend(draw, font, widget: Widget, results, colors, plot) -> None:
    if widget.legend == "hidden":
        return
    if widget.legend == "right":
        x, y = plot[2] + 8, plot[1]
        for result, color in zip(results, colors):
            draw.rectangle([x, y + 2, x + 8, y + 10], fill=color)
            draw.text((x + 12, y), result.label[:24], fill=TEXT, font=font)
            y += 14
        return
    per_row = max(1, (widget.width - 16) // 180)
    for index, (result, color) in enumerate(zip(results, colors)):
        x = 8 + (index % per_row) * 180
        y = plot[3] + 20 + (index // per_row) * 14
        draw.rectangle([x, y + 2, x + 8, y + 10], fill=color)
        draw.text((x + 12, y), result.label[:26], fill=TEXT, font=font)
