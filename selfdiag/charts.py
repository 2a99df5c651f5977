"""Server-rendered SVG bar charts: no scripts, no inline styles (the CSP forbids both).

Sizes are SVG attributes; colours come from classes in portal.css (`.chart-bar.level-high`), so
the chart prints and follows the level palette of the rest of the portal.

    svg = horizontal_bars(
        [Bar("Знание", 12, 20, "medium", thresholds=[(0.5, "базовый"), (0.7, "средний")])],
        title="Баллы по направлениям",
    )
"""

from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from selfdiag.methodology import LEVELS


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    maximum: float
    level: str = ""
    # Marks along the bar as shares of the maximum (0..1), each with its name.
    thresholds: list[tuple[float, str]] = field(default_factory=list)
    caption: str = ""

    @property
    def fraction(self) -> float:
        if self.maximum <= 0:
            return 0.0
        return max(0.0, min(1.0, self.value / self.maximum))

    @property
    def text(self) -> str:
        return self.caption or f"{self.value:g} из {self.maximum:g}"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def horizontal_bars(
    bars: list[Bar],
    *,
    title: str,
    chart_id: str = "chart",
    width: int = 760,
    label_width: int = 250,
    value_width: int = 110,
    row_height: int = 34,
    legend: bool = True,
) -> SafeString:
    """One horizontal bar a row, its length the share of its maximum, thresholds marked."""
    plot_x = label_width + 10
    plot_width = width - plot_x - value_width
    bar_height = 16
    top = 8
    rows = []
    for index, bar in enumerate(bars):
        y = top + index * row_height
        bar_y = y + (row_height - bar_height) // 2
        marks = format_html_join(
            "",
            '<line class="chart-threshold" x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke-width="2">'
            "<title>{3}</title></line>",
            (
                (
                    _n(plot_x + share * plot_width),
                    bar_y - 4,
                    bar_y + bar_height + 4,
                    f"порог «{name}»",
                )
                for share, name in bar.thresholds
                if 0 <= share <= 1
            ),
        )
        rows.append(
            format_html(
                '<g class="chart-row">'
                '<text class="chart-label" x="{label_x}" y="{text_y}" text-anchor="end" '
                'font-size="14">{label}</text>'
                '<rect class="chart-track" x="{x}" y="{bar_y}" width="{plot_width}" '
                'height="{h}" rx="3"/>'
                '<rect class="chart-bar level-{level}" x="{x}" y="{bar_y}" width="{bar_width}" '
                'height="{h}" rx="3"><title>{label}: {text}{level_text}</title></rect>'
                "{marks}"
                '<text class="chart-value" x="{value_x}" y="{text_y}" font-size="14">{text}</text>'
                "</g>",
                label_x=label_width,
                text_y=bar_y + bar_height - 3,
                label=bar.label,
                x=plot_x,
                bar_y=bar_y,
                plot_width=plot_width,
                h=bar_height,
                level=bar.level or "none",
                bar_width=_n(bar.fraction * plot_width),
                text=bar.text,
                level_text=f", уровень «{LEVELS[bar.level]}»" if bar.level in LEVELS else "",
                marks=marks,
                value_x=plot_x + plot_width + 10,
            )
        )
    height = top + len(bars) * row_height + 8
    legend_svg = ""
    if legend:
        y = height + 4
        items = []
        x = 10
        for code, label in LEVELS.items():
            items.append(
                format_html(
                    '<rect class="chart-bar level-{}" x="{}" y="{}" width="14" height="14" rx="2"/>'
                    '<text x="{}" y="{}" font-size="13">{}</text>',
                    code,
                    x,
                    y,
                    x + 19,
                    y + 12,
                    label,
                )
            )
            x += 19 + 9 * len(label) + 20
        items.append(
            format_html(
                '<line class="chart-threshold" x1="{0}" x2="{0}" y1="{1}" y2="{2}" '
                'stroke-width="2"/>'
                '<text x="{3}" y="{4}" font-size="13">пороги уровней</text>',
                x + 4,
                y - 2,
                y + 16,
                x + 12,
                y + 12,
            )
        )
        legend_svg = mark_safe("".join(items))
        height = y + 24
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-labelledby="{id}-title" '
        'preserveAspectRatio="xMinYMin meet">'
        '<title id="{id}-title">{title}</title>{rows}{legend}</svg>',
        w=width,
        h=height,
        id=chart_id,
        title=title,
        rows=mark_safe("".join(rows)),
        legend=legend_svg,
    )


def level_thresholds(thresholds, maximum: float) -> list[tuple[float, str]]:
    """Threshold marks of a selfdiag.methodology.Thresholds as shares of `maximum`."""
    values = [
        (thresholds.base, LEVELS["base"]),
        (thresholds.medium, LEVELS["medium"]),
        (thresholds.high, LEVELS["high"]),
    ]
    if thresholds.mode == "share":
        return values
    if maximum <= 0:
        return []
    return [(value / maximum, name) for value, name in values]
