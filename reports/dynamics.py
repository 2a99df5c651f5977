"""Dynamics between two rounds of self-diagnosis: who went up a level, who stayed, who went down.

A school counts when it has a counted result (sent or accepted) in both rounds. Directions are
matched by code, so two versions of the methodology compare as long as they keep the codes.
Like the deficit map, the whole region is a handful of queries (the schools' results in both
rounds, their direction results, the directions of both methodologies) and a dict pivot.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports.deficits import Direction
from reports.svg import (
    CHANGE_INK,
    CHANGE_LABELS,
    CHANGE_PALETTE,
    Segment,
    diverging_bars,
    stacked_rows,
)
from selfdiag.methodology import LEVEL_RANK, LEVELS
from selfdiag.models import MethodologyDirection

UP, SAME, DOWN = "up", "same", "down"
ARROWS = {UP: "↑", SAME: "→", DOWN: "↓"}


def change_of(before: str, after: str) -> str:
    step = LEVEL_RANK[after] - LEVEL_RANK[before]
    return UP if step > 0 else DOWN if step < 0 else SAME


def signed(value: float | None, digits: int = 2) -> str:
    """«+1,5», «−0,25», «0»: a change written the Russian way, halves rounded away from zero."""
    if value is None:
        return "—"
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    if rounded == 0:
        return "0"
    text = f"{abs(rounded):f}".rstrip("0").rstrip(".").replace(".", ",")
    return ("+" if rounded > 0 else "−") + text


# (level before, level after) -> up / same / down, for every pair of levels.
CHANGES = {
    (before, after): change_of(before, after) for before in LEVEL_RANK for after in LEVEL_RANK
}


@dataclass
class ChangeTally:
    counts: dict[str, int] = field(default_factory=lambda: {UP: 0, SAME: 0, DOWN: 0})

    def add(self, change: str) -> None:
        self.counts[change] += 1

    @property
    def up(self) -> int:
        return self.counts[UP]

    @property
    def same(self) -> int:
        return self.counts[SAME]

    @property
    def down(self) -> int:
        return self.counts[DOWN]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def segments(self) -> list[Segment]:
        return [Segment(key, CHANGE_LABELS[key], self.counts[key]) for key in (UP, SAME, DOWN)]


class Shift(NamedTuple):
    """One school in one direction (or overall): levels before and after, change of points.

    A tuple with the change worked out once: a region's dynamics makes tens of thousands.
    """

    before: str
    after: str
    delta: float
    change: str

    @classmethod
    def of(cls, before: str, after: str, delta: float) -> Shift:
        return cls(before, after, delta, CHANGES[(before, after)])

    @property
    def arrow(self) -> str:
        return ARROWS[self.change]

    @property
    def before_label(self) -> str:
        return LEVELS[self.before]

    @property
    def after_label(self) -> str:
        return LEVELS[self.after]

    @property
    def delta_text(self) -> str:
        return signed(self.delta)


@dataclass
class SchoolChange:
    pk: int
    name: str
    municipality_id: int
    municipality_name: str
    overall: Shift
    directions: list[Shift | None]

    @property
    def change(self) -> str:
        return self.overall.change

    @property
    def change_label(self) -> str:
        return CHANGE_LABELS[self.change]


@dataclass
class DirectionSummary:
    direction: Direction
    tally: ChangeTally = field(default_factory=ChangeTally)
    delta_sum: float = 0.0

    @property
    def mean_delta(self) -> float | None:
        return self.delta_sum / self.tally.total if self.tally.total else None

    @property
    def mean_delta_text(self) -> str:
        return signed(self.mean_delta)


@dataclass
class AreaChange:
    pk: int | None
    name: str
    tally: ChangeTally = field(default_factory=ChangeTally)
    delta_sum: float = 0.0

    @property
    def mean_delta(self) -> float | None:
        return self.delta_sum / self.tally.total if self.tally.total else None

    @property
    def mean_delta_text(self) -> str:
        return signed(self.mean_delta)


@dataclass
class Dynamics:
    before: object
    after: object
    directions: list[DirectionSummary]
    schools: list[SchoolChange]
    areas: list[AreaChange]
    total: AreaChange
    only_before: int = 0
    only_after: int = 0
    municipality: object = None

    def schools_changed(self, change: str) -> list[SchoolChange]:
        """The schools whose overall level went `change` (up, same, down); all for anything
        else, as the page's and the API's filter `?change=` read it."""
        if change not in CHANGE_LABELS:
            return self.schools
        return [row for row in self.schools if row.change == change]


def _directions(before, after) -> list[Direction]:
    """The directions of the later round's methodology in its order, then any only the earlier
    round had (they show as «нет данных» for the later round)."""
    rows = MethodologyDirection.objects.filter(
        methodology_id__in={before.methodology_id, after.methodology_id}
    ).order_by("position", "pk")
    later, earlier = {}, {}
    for methodology_id, code, name, group in rows.values_list(
        "methodology_id", "code", "name", "group"
    ):
        if methodology_id == after.methodology_id:
            later.setdefault(code, Direction(code, name, group))
        if methodology_id == before.methodology_id:
            earlier.setdefault(code, Direction(code, name, group))
    return [*later.values(), *(d for code, d in earlier.items() if code not in later)]


def build_dynamics(before, after, *, submissions, results, municipality=None) -> Dynamics:
    """Changes from round `before` to round `after` over the user's querysets.

    submissions: `Submission.objects.for_user(user).scored()`;
    results: `DirectionResult.objects.for_user(user).counted()`.
    """
    rounds = (before.pk, after.pk)
    if municipality is not None:
        submissions = submissions.filter(school__municipality=municipality)
        results = results.filter(school__municipality=municipality)
    directions = _directions(before, after)
    column = {direction.code: index for index, direction in enumerate(directions)}

    schools: dict[int, tuple[str, int, str]] = {}
    overall: dict[tuple[int, int], tuple[str, float]] = {}
    for school_id, name, municipality_id, municipality_name, round_id, level, points in (
        submissions.filter(round_id__in=rounds)
        .order_by("school__municipality__name", "school__short_name", "school_id")
        .values_list(
            "school_id",
            "school__short_name",
            "school__municipality_id",
            "school__municipality__name",
            "round_id",
            "level",
            "total_points",
        )
    ):
        schools[school_id] = (name, municipality_id, municipality_name)
        overall[(school_id, round_id)] = (level, points or 0.0)

    by_direction: dict[tuple[int, int], dict[str, tuple[str, float]]] = defaultdict(dict)
    for school_id, round_id, code, level, points in results.filter(round_id__in=rounds).values_list(
        "school_id", "round_id", "direction_code", "level", "points"
    ):
        by_direction[(school_id, round_id)][code] = (level, points)

    summaries = [DirectionSummary(direction) for direction in directions]
    total = AreaChange(None, "Итого")
    areas: dict[int, AreaChange] = {}
    changes: list[SchoolChange] = []
    only_before = only_after = 0
    for school_id, (name, municipality_id, municipality_name) in schools.items():
        was, now = overall.get((school_id, before.pk)), overall.get((school_id, after.pk))
        if was is None or now is None:
            only_before += now is None
            only_after += was is None
            continue
        shift = Shift.of(was[0], now[0], now[1] - was[1])
        row = SchoolChange(
            school_id, name, municipality_id, municipality_name, shift, [None] * len(directions)
        )
        earlier, later = by_direction[(school_id, before.pk)], by_direction[(school_id, after.pk)]
        for code, (level, points) in later.items():
            previous = earlier.get(code)
            index = column.get(code)
            if previous is None or index is None:
                continue
            direction_shift = Shift.of(previous[0], level, points - previous[1])
            row.directions[index] = direction_shift
            summary = summaries[index]
            summary.tally.counts[direction_shift.change] += 1
            summary.delta_sum += direction_shift.delta
        area = areas.get(municipality_id)
        if area is None:
            area = areas[municipality_id] = AreaChange(municipality_id, municipality_name)
        for target in (area, total):
            target.tally.counts[shift.change] += 1
            target.delta_sum += shift.delta
        changes.append(row)
    return Dynamics(
        before=before,
        after=after,
        directions=summaries,
        schools=changes,
        areas=list(areas.values()),
        total=total,
        only_before=only_before,
        only_after=only_after,
        municipality=municipality,
    )


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


def delta_chart(dynamics: Dynamics):
    """Mean change of points per direction, growth to the right."""
    rows = [
        (
            summary.direction.name,
            summary.mean_delta,
            f"{signed(summary.mean_delta)} (школ: {summary.tally.total})",
        )
        for summary in dynamics.directions
    ]
    return diverging_bars(rows, title="Среднее изменение баллов по направлениям")


def change_chart(dynamics: Dynamics):
    """Schools whose overall level went up, stayed, went down: a bar per municipality."""
    areas = dynamics.areas if len(dynamics.areas) > 1 else []
    rows = [
        (area.name, area.tally.segments(), f"школ: {area.tally.total}")
        for area in [*areas, dynamics.total]
    ]
    return stacked_rows(
        rows,
        CHANGE_PALETTE,
        inks=CHANGE_INK,
        title="Изменение общего уровня школ по муниципальным образованиям",
    )
