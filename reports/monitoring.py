"""The «Информационно-аналитическая справка о ходе реализации дорожных карт» drawn as PDF: its
text and tables from roadmaps/monitoring.py's `Spravka`, and the chart of execution."""

from __future__ import annotations

import datetime

from reports.analytics_pdf import render_pdf
from reports.downloads import Download
from reports.pdf import FONT_FAMILY
from reports.svg import PROGRESS_FILL, PROGRESS_INK, Segment, stacked_rows
from roadmaps.monitoring import Line, Spravka

PROGRESS_PALETTE = [
    ("done", "выполнено", PROGRESS_FILL["done"]),
    ("overdue", "просрочено", PROGRESS_FILL["overdue"]),
    ("cancelled", "отменено", "#9aa6b5"),
    ("open", "в работе или не начато в срок", PROGRESS_FILL["open"]),
]
PROGRESS_INKS = {**PROGRESS_INK, "cancelled": "#1b2430"}


def line_segments(line: Line) -> list[Segment]:
    rest = line.item_count - line.done_count - line.overdue_count - line.cancelled_count
    return [
        Segment("done", "выполнено", line.done_count),
        Segment("overdue", "просрочено", line.overdue_count),
        Segment("cancelled", "отменено", line.cancelled_count),
        Segment("open", "в работе или не начато в срок", max(rest, 0)),
    ]


def spravka_chart(spravka: Spravka) -> str:
    """Done, overdue, cancelled and open items: a bar per line of the table and the total."""
    if not spravka.lines:
        return ""
    return stacked_rows(
        [
            (line.name, line_segments(line), f"{line.done_percent} %")
            for line in [*spravka.lines, spravka.total]
        ],
        PROGRESS_PALETTE,
        inks=PROGRESS_INKS,
        title="Исполнение мероприятий дорожных карт",
        font_family=FONT_FAMILY,
    )


def spravka_file(spravka: Spravka, *, filters: str) -> Download:
    """The справка as PDF, named for download; `filters` describes the selection in words."""
    today: datetime.date = spravka.today
    content = render_pdf(
        "reports/analytics/monitoring_pdf.html",
        {
            "spravka": spravka,
            "chart": spravka_chart(spravka),
            "filters": filters,
            "generated": today,
        },
    )
    return Download(
        content,
        "application/pdf",
        name=f"Справка о ходе реализации дорожных карт на {today:%d.%m.%Y}.pdf",
        fallback=f"monitoring-{today:%Y-%m-%d}.pdf",
    )
