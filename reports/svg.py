"""Charts of the analytical reports as inline SVG, the same picture on the page and in the PDF.

Colours and sizes are SVG attributes (`fill="#2a7f4f"`), never `style=`: the CSP forbids inline
styles on pages, and WeasyPrint does not read portal.css, so a chart coloured by classes would
print grey. The levels' colours come from selfdiag/levels.py, as the CSS's do.

Every coordinate is written by these functions as a whole number or with a dot, whatever the
locale would print.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from selfdiag.levels import LEVEL_PALETTE, LEVEL_SHORT

NO_DATA_FILL = "#e3e8ef"
INK = "#1b2430"
MUTED = "#5a6675"
TRACK = "#eef1f5"

CHANGE_FILL = {"up": "#1e7a3d", "same": "#9aa6b5", "down": "#b00020"}
CHANGE_INK = {"up": "#ffffff", "same": "#1b2430", "down": "#ffffff"}

PROGRESS_FILL = {"done": "#1e7a3d", "overdue": "#b00020", "open": "#c9d2de"}
PROGRESS_INK = {"done": "#ffffff", "overdue": "#ffffff", "open": "#1b2430"}

FONT_SIZE = 13
CHAR_WIDTH = 7.2  # average width of a character at FONT_SIZE, for fitting labels
# A phone's chart: drawn 360 wide and shown at the screen's width, labels above the bars.
NARROW_WIDTH = 360
LABEL_LINE = 18


def _chart_class(narrow: bool) -> str:
    """The page shows the wide picture or the narrow one by the screen's width (portal.css)."""
    return "report-chart chart-narrow" if narrow else "report-chart chart-wide"


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    count: int


def _n(value: float) -> str:
    """A coordinate: «12», «12.5»; never a comma."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _fit(text: str, width: float) -> str:
    limit = max(4, int(width / CHAR_WIDTH))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _spans(segments: list[Segment], length: float) -> list[tuple[Segment, float, float]]:
    """(segment, start, width) along `length`; from running totals, so rounding leaves no gap."""
    total = sum(segment.count for segment in segments)
    spans = []
    used = 0
    for segment in segments:
        if total and segment.count:
            start = used * length / total
            end = (used + segment.count) * length / total
            spans.append((segment, start, end - start))
        used += segment.count
    return spans


def _svg(
    width: int,
    height: int,
    title: str,
    body: SafeString,
    *,
    css_class: str,
    aspect: str = "xMinYMin meet",
    font_family: str = "",
) -> SafeString:
    # A page's chart takes the page's font; a PDF's names the bundled one, which WeasyPrint
    # does not pass from the document's CSS into an SVG.
    font = format_html(' font-family="{}"', font_family) if font_family else ""
    return format_html(
        '<svg class="{cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-label="{title}" '
        'preserveAspectRatio="{aspect}" font-size="{fs}"{font}><title>{title}</title>{body}</svg>',
        cls=css_class,
        aspect=aspect,
        font=font,
        w=width,
        h=height,
        title=title,
        fs=FONT_SIZE,
        body=body,
    )


def legend(palette: list[tuple[str, str, str]], *, x: int, y: int, width: int) -> SafeString:
    """Swatches with their names in rows that wrap at `width`; returns SVG pieces."""
    pieces = []
    cursor_x, cursor_y = x, y
    for _, label, fill in palette:
        item_width = 18 + len(label) * CHAR_WIDTH + 18
        if cursor_x + item_width > x + width and cursor_x > x:
            cursor_x, cursor_y = x, cursor_y + 20
        pieces.append(
            format_html(
                '<rect x="{}" y="{}" width="13" height="13" rx="2" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}">{}</text>',
                _n(cursor_x),
                cursor_y,
                fill,
                _n(cursor_x + 18),
                cursor_y + 11,
                INK,
                label,
            )
        )
        cursor_x += item_width
    return mark_safe("".join(pieces))  # pieces escaped by format_html


def legend_height(palette, width: int) -> int:
    rows, cursor = 1, 0.0
    for _, label, _ in palette:
        item_width = 18 + len(label) * CHAR_WIDTH + 18
        if cursor + item_width > width and cursor > 0:
            rows, cursor = rows + 1, 0.0
        cursor += item_width
    return rows * 20


def stacked_bar(
    segments: list[Segment],
    fills: dict[str, str],
    *,
    title: str,
    width: int = 120,
    height: int = 12,
) -> SafeString:
    """One small bar split by counts (a table cell's picture); grey when every count is 0."""
    rects = [
        format_html(
            '<rect x="{}" y="0" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
            _n(start),
            _n(span),
            height,
            fills[segment.key],
            segment.label,
            segment.count,
        )
        for segment, start, span in _spans(segments, width)
    ]
    body = format_html(
        '<rect x="0" y="0" width="{}" height="{}" fill="{}"/>{}',
        width,
        height,
        NO_DATA_FILL,
        mark_safe("".join(rects)),  # pieces escaped by format_html
    )
    # Stretched to the width of its cell: a bar has no text to distort.
    return _svg(width, height, title, body, css_class="mini-bar", aspect="none")


def stacked_rows(
    rows: list[tuple[str, list[Segment], str]],
    palette: list[tuple[str, str, str]],
    *,
    title: str,
    inks: dict[str, str] | None = None,
    width: int = 760,
    label_width: int = 240,
    value_width: int = 90,
    row_height: int = 26,
    font_family: str = "",
    narrow: bool = False,
) -> SafeString:
    """A horizontal bar a row, split by counts, the count written in each wide-enough part.

    rows: (label, segments, caption at the end of the row); palette: (key, name, fill).
    narrow: a phone's picture (NARROW_WIDTH wide): each label on its own line above its bar,
    so that the chart fits a 360 px screen at a legible size.
    """
    fills = {key: fill for key, _, fill in palette}
    inks = inks or {}
    if narrow:
        width, label_width, value_width = NARROW_WIDTH, 0, min(value_width, 80)
    plot_x = label_width + 8 if not narrow else 0
    plot_width = width - plot_x - value_width
    bar_height = row_height - 8
    step = row_height + (LABEL_LINE if narrow else 0)
    pieces = []
    for index, (label, segments, caption) in enumerate(rows):
        y = index * step + 4 + (LABEL_LINE if narrow else 0)
        text_y = y + bar_height - 5
        parts = []
        for segment, start, span in _spans(segments, plot_width):
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {} — {}</title></rect>",
                    _n(plot_x + start),
                    y,
                    _n(span),
                    bar_height,
                    fills[segment.key],
                    label,
                    segment.label,
                    segment.count,
                )
            )
            if span >= len(str(segment.count)) * CHAR_WIDTH + 6:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                        _n(plot_x + start + span / 2),
                        text_y,
                        inks.get(segment.key, INK),
                        segment.count,
                    )
                )
        pieces.append(
            format_html(
                '<g><text x="{lx}" y="{ty}" text-anchor="{anchor}" fill="{ink}">{short}'
                "<title>{label}</title></text>"
                '<rect x="{px}" y="{y}" width="{pw}" height="{h}" fill="{track}"/>{parts}'
                '<text x="{vx}" y="{ty}" fill="{ink}">{caption}</text></g>',
                lx=0 if narrow else label_width,
                ty=y - 5 if narrow else text_y,
                anchor="start" if narrow else "end",
                ink=INK,
                short=_fit(label, width if narrow else label_width),
                label=label,
                px=plot_x,
                y=y,
                pw=plot_width,
                h=bar_height,
                track=TRACK,
                parts=mark_safe("".join(parts)),  # pieces escaped by format_html
                vx=plot_x + plot_width + 8,
                caption=caption,
            )
        )
    top = len(rows) * step + 10
    height = top + legend_height(palette, plot_width + value_width) + 4
    body = mark_safe(  # pieces escaped by format_html
        "".join(pieces) + legend(palette, x=plot_x, y=top, width=plot_width + value_width)
    )
    return _svg(width, height, title, body, css_class=_chart_class(narrow), font_family=font_family)


def diverging_bars(
    rows: list[tuple[str, float | None, str]],
    *,
    title: str,
    width: int = 760,
    label_width: int = 240,
    row_height: int = 26,
    positive: str = CHANGE_FILL["up"],
    negative: str = CHANGE_FILL["down"],
    narrow: bool = False,
) -> SafeString:
    """Bars either side of a zero line: growth to the right, decline to the left.

    rows: (label, value or None for no data, caption written beside the bar). narrow: each
    label above its bar, NARROW_WIDTH wide (see stacked_rows).
    """
    if narrow:
        width, label_width = NARROW_WIDTH, 0
    plot_x = label_width + 8 if not narrow else 0
    plot_width = width - plot_x - 8
    half = plot_width / 2
    zero = plot_x + half
    # Room for the longest caption beside the longest bar on each side.
    reach = half - max((len(caption) for _, _, caption in rows), default=0) * CHAR_WIDTH - 12
    peak = max((abs(value) for _, value, _ in rows if value is not None), default=0) or 1
    bar_height = row_height - 10
    step = row_height + (LABEL_LINE if narrow else 0)
    pieces = []
    for index, (label, value, caption) in enumerate(rows):
        y = index * step + 5 + (LABEL_LINE if narrow else 0)
        text_y = y + bar_height - 3
        length = 0 if value is None else abs(value) / peak * reach
        if value is None:
            bar = format_html(
                '<text x="{}" y="{}" fill="{}">нет данных</text>', _n(zero + 6), text_y, MUTED
            )
        else:
            start = zero if value >= 0 else zero - length
            anchor_x = zero + length + 6 if value >= 0 else zero - length - 6
            bar = format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                "<title>{}: {}</title></rect>"
                '<text x="{}" y="{}" text-anchor="{}" fill="{}">{}</text>',
                _n(start),
                y,
                _n(max(length, 1)),
                bar_height,
                positive if value >= 0 else negative,
                label,
                caption,
                _n(anchor_x),
                text_y,
                "start" if value >= 0 else "end",
                INK,
                caption,
            )
        pieces.append(
            format_html(
                '<g><text x="{}" y="{}" text-anchor="{}" fill="{}">{}<title>{}</title></text>'
                "{}</g>",
                0 if narrow else label_width,
                y - 6 if narrow else text_y,
                "start" if narrow else "end",
                INK,
                _fit(label, width if narrow else label_width),
                label,
                bar,
            )
        )
    height = len(rows) * step + 10
    axis = format_html(
        '<line x1="{0}" x2="{0}" y1="0" y2="{1}" stroke="{2}" stroke-width="1"/>',
        _n(zero),
        height - 4,
        INK,
    )
    body = mark_safe("".join(pieces) + axis)  # pieces escaped by format_html
    return _svg(width, height, title, body, css_class=_chart_class(narrow))


def level_legend_items() -> list[dict]:
    """The levels for a legend written in HTML: code (for the .level-* class), name, letter."""
    return [
        {"code": code, "label": label, "short": LEVEL_SHORT[code]}
        for code, label, _ in LEVEL_PALETTE
    ]
