"""The dynamics between two rounds drawn: the schools' table rows and the charts of the page.

The data is selfdiag/dynamics.py's `Dynamics`.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports.svg import CHANGE_FILL, CHANGE_INK, Segment, diverging_bars, stacked_rows
from selfdiag.dynamics import (
    ARROWS,
    CHANGE_LABELS,
    DOWN,
    SAME,
    UP,
    ChangeTally,
    DirectionSummary,
    Dynamics,
    SchoolChange,
    signed,
)
from selfdiag.methodology import LEVELS

CHANGE_PALETTE = [(key, label, CHANGE_FILL[key]) for key, label in CHANGE_LABELS.items()]


def change_segments(tally: ChangeTally) -> list[Segment]:
    return [Segment(key, CHANGE_LABELS[key], tally.counts[key]) for key in (UP, SAME, DOWN)]


_BADGE = '<span class="badge level-{}">{}</span>'
_LABELS = {code: escape(label) for code, label in LEVELS.items()}
_SHIFT = (
    '<td class="num nowrap"><span class="change change-{change}" title="{name}: {before} → '
    '{after}">{arrow}</span> {delta}<span class="visually-hidden"> ({name}: {verdict})</span></td>'
)
_NO_SHIFT = '<td class="num"><span class="muted">—</span></td>'


def school_rows(rows: list[SchoolChange], directions: list[DirectionSummary]) -> SafeString:
    """The <tr> rows of the schools' table: levels before → after, points, each direction.

    Built with str.format on values escaped once rather than in the template, for the same
    reason as the deficit map's body: a page has a thousand cells.
    """
    names = [escape(summary.direction.name) for summary in directions]
    parts = []
    for row in rows:
        shift = row.overall
        cells = [
            _NO_SHIFT
            if cell is None
            else _SHIFT.format(
                change=cell.change,
                name=name,
                before=_LABELS[cell.before],
                after=_LABELS[cell.after],
                arrow=ARROWS[cell.change],
                delta=signed(cell.delta),
                verdict=CHANGE_LABELS[cell.change],
            )
            for name, cell in zip(names, row.directions, strict=True)
        ]
        parts.append(
            '<tr data-school="{pk}" data-change="{change}"><th scope="row">{name}<br>'
            '<small class="muted">{municipality}</small></th>'
            '<td class="nowrap">{before} <span class="change change-{change}" aria-hidden="true">'
            '{arrow}</span><span class="visually-hidden">{verdict}:</span> {after}</td>'
            '<td class="num">{delta}</td>{cells}</tr>'.format(
                pk=row.pk,
                change=shift.change,
                name=escape(row.name),
                municipality=escape(row.municipality_name),
                before=_BADGE.format(shift.before, _LABELS[shift.before]),
                after=_BADGE.format(shift.after, _LABELS[shift.after]),
                arrow=ARROWS[shift.change],
                verdict=CHANGE_LABELS[shift.change],
                delta=signed(shift.delta),
                cells="".join(cells),
            )
        )
    return mark_safe("".join(parts))  # every inserted text escaped above


def delta_chart(dynamics: Dynamics, *, narrow: bool = False):
    """Mean change of points per direction, growth to the right; `narrow` for a phone."""
    rows = [
        (
            summary.direction.name,
            summary.mean_delta,
            f"{signed(summary.mean_delta)} (школ: {summary.tally.total})",
        )
        for summary in dynamics.directions
    ]
    return diverging_bars(rows, title="Среднее изменение баллов по направлениям", narrow=narrow)


def change_chart(dynamics: Dynamics, *, narrow: bool = False):
    """Schools whose overall level went up, stayed, went down: a bar per municipality;
    `narrow` for a phone."""
    areas = dynamics.areas if len(dynamics.areas) > 1 else []
    rows = [
        (area.name, change_segments(area.tally), f"школ: {area.tally.total}")
        for area in [*areas, dynamics.total]
    ]
    return stacked_rows(
        rows,
        CHANGE_PALETTE,
        inks=CHANGE_INK,
        title="Изменение общего уровня школ по муниципальным образованиям",
        narrow=narrow,
    )
