"""The deficit map's data: the schools of a round × the directions, each cell the school's level.

The map of a whole region is three queries whatever its size: the schools the user sees (with
each school's overall level), the stored direction results of the round (a values_list) and the
round's directions; the matrix and the municipality tallies are a dict pivot in Python. The
page, the API, the Excel file and the PDF (reports/deficits.py draws those) all read the same
`DeficitMap`, built by `deficit_map_for(user, filters)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connections
from django.db.models import OuterRef, Subquery

from orgs.models import Municipality
from selfdiag.access import schools_in_scope
from selfdiag.analytics import (
    latest_with_results,
    municipality_choice,
    require_role,
    round_named,
    visible_rounds,
)
from selfdiag.levels import LEVEL_SHORT
from selfdiag.methodology import BELOW_BASE, LEVELS
from selfdiag.models import DirectionResult, MethodologyDirection, Round, Submission

LEVEL_CODES = tuple(LEVELS)


@dataclass(frozen=True)
class Direction:
    code: str
    name: str
    group: str


class Cell(NamedTuple):
    """A school's result in one direction. A tuple: a region's map makes tens of thousands."""

    level: str
    points: float
    max_points: float
    share: float
    capped: bool

    @property
    def label(self) -> str:
        return LEVELS[self.level]

    @property
    def percent(self) -> int:
        return round(self.share * 100)

    @property
    def short(self) -> str:
        return LEVEL_SHORT[self.level]


@dataclass
class SchoolRow:
    pk: int
    name: str
    municipality_id: int
    municipality_name: str
    level: str  # the overall level; "" when the school has no counted result in the round
    cells: list[Cell | None]

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, "")

    @property
    def level_short(self) -> str:
        return LEVEL_SHORT.get(self.level, "")


@dataclass
class Tally:
    """Schools at each level, and the sum of their shares, for one group of cells."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVEL_CODES, 0))
    share_sum: float = 0.0
    share_count: int = 0

    def merge(self, other: Tally) -> None:
        for level, count in other.counts.items():
            self.counts[level] += count
        self.share_sum += other.share_sum
        self.share_count += other.share_count

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def below_base_share(self) -> float | None:
        return self.counts[BELOW_BASE] / self.total if self.total else None

    @property
    def mean_share(self) -> float | None:
        return self.share_sum / self.share_count if self.share_count else None

    @property
    def below_base_text(self) -> str:
        return percent(self.below_base_share)

    @property
    def mean_share_text(self) -> str:
        return percent(self.mean_share)

    def describe(self) -> str:
        if not self.total:
            return "нет результатов"
        parts = [f"{LEVELS[code]} — {count}" for code, count in self.counts.items() if count]
        return ", ".join(parts)


@dataclass
class AreaRow:
    """A municipality (or, with pk None, everything shown): tallies overall and per direction."""

    pk: int | None
    name: str
    schools: int = 0
    reported: int = 0
    overall: Tally = field(default_factory=Tally)
    directions: list[Tally] = field(default_factory=list)


@dataclass
class DeficitMap:
    round: object
    directions: list[Direction]
    schools: list[SchoolRow]
    areas: list[AreaRow]
    total: AreaRow
    municipality: object = None

    @property
    def reported(self) -> int:
        return self.total.reported


def round_directions(round_) -> list[Direction]:
    return [
        Direction(code, name, group)
        for code, name, group in MethodologyDirection.objects.filter(
            methodology_id=round_.methodology_id
        )
        .order_by("position", "pk")
        .values_list("code", "name", "group")
    ]


def _raw_rows(queryset) -> list[tuple]:
    """The rows of a values_list() queryset as the database returns them, without Django's
    per-row conversion: for wide reads of plain numbers and strings."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def build_deficit_map(round_, *, schools, results, municipality=None) -> DeficitMap:
    """The map of `round_` over the user's querysets.

    schools: the round's schools the user sees (`selfdiag.access.schools_in_scope`);
    results: `DirectionResult.objects.for_user(user).counted()`.
    """
    directions = round_directions(round_)
    if municipality is not None:
        schools = schools.filter(municipality=municipality)
        results = results.filter(school__municipality=municipality)
    # Every query here drops the models' Meta.ordering (.order_by()): it would join the round,
    # school, municipality and direction only to sort rows that end up in dictionaries.
    overall = (
        Submission.objects.scored().filter(round_id=round_.pk, school_id=OuterRef("pk")).order_by()
    )
    school_rows = (
        schools.annotate(overall_level=Subquery(overall.values("level")[:1]))
        .order_by("municipality__name", "short_name", "pk")
        .values_list("pk", "short_name", "municipality_id", "municipality__name", "overall_level")
    )
    width = len(directions)
    rows: dict[int, SchoolRow] = {}
    areas: dict[int, AreaRow] = {}
    for pk, name, municipality_id, municipality_name, level in school_rows:
        rows[pk] = SchoolRow(
            pk, name, municipality_id, municipality_name, level or "", [None] * width
        )
        area = areas.get(municipality_id)
        if area is None:
            area = areas[municipality_id] = AreaRow(
                municipality_id, municipality_name, directions=[Tally() for _ in directions]
            )
        area.schools += 1
        if level:
            area.reported += 1
            area.overall.counts[level] += 1

    # The one loop over every result: fill the cell and count it for its municipality. Written
    # out rather than through Tally.add: this runs for each school × direction of a region
    # (32,000 results in the largest region). The rows come straight from the cursor of the
    # scoped queryset's SQL: Django's per-row value conversion (a boolean converter on SQLite)
    # and a NamedTuple call per cell cost as much as the query itself.
    column = {direction.code: index for index, direction in enumerate(directions)}
    cells = (
        results.filter(round_id=round_.pk)
        .order_by()
        .values_list(
            "school_id",
            "direction_code",
            "level",
            "points",
            "max_points",
            "share",
            "capped_by_critical",
        )
    )
    new_cell = Cell._make
    for school_id, code, level, points, max_points, share, capped in _raw_rows(cells):
        row = rows.get(school_id)
        index = column.get(code)
        if row is None or index is None:
            continue
        row.cells[index] = new_cell((level, points, max_points, share, bool(capped)))
        tally = areas[row.municipality_id].directions[index]
        tally.counts[level] += 1
        tally.share_sum += share
        tally.share_count += 1

    total = AreaRow(None, "Итого", directions=[Tally() for _ in directions])
    for area in areas.values():
        total.schools += area.schools
        total.reported += area.reported
        total.overall.merge(area.overall)
        for into, tally in zip(total.directions, area.directions, strict=True):
            into.merge(tally)
    return DeficitMap(
        round=round_,
        directions=directions,
        schools=list(rows.values()),
        areas=list(areas.values()),
        total=total,
        municipality=municipality,
    )


def deficit_map_for(user, round_, municipality=None) -> DeficitMap:
    """The map of `round_` as `user` sees it: the page, its downloads and the API."""
    return build_deficit_map(
        round_,
        schools=schools_in_scope(user, round_),
        results=DirectionResult.objects.for_user(user).counted(),
        municipality=municipality,
    )


class MapChoice(NamedTuple):
    """The rounds to choose from, the round and municipality chosen, and the map (None without
    any round)."""

    rounds: list[Round]
    round: Round | None
    municipalities: list[Municipality]
    municipality: Municipality | None
    dmap: DeficitMap | None


def choose_deficit_map(user, filters) -> MapChoice:
    """The map the page shows and downloads. filters: "round" and "municipality" as numbers, or
    None for the newest round with results (else the newest round) and all municipalities."""
    require_role(user)
    rounds = visible_rounds(user)
    round_ = round_named(
        rounds, filters.get("round"), latest_with_results(rounds) or next(iter(rounds), None)
    )
    if round_ is None:
        return MapChoice(rounds, None, [], None, None)
    municipalities, municipality = municipality_choice(
        user, round_.region_id, filters.get("municipality")
    )
    dmap = deficit_map_for(user, round_, municipality)
    return MapChoice(rounds, round_, municipalities, municipality, dmap)


def group_by_municipality(rows: list[SchoolRow]) -> list[tuple[str, list[SchoolRow]]]:
    """Consecutive rows of one municipality together, for the group headings of the table."""
    groups: list[tuple[str, list[SchoolRow]]] = []
    for row in rows:
        if not groups or groups[-1][1][0].municipality_id != row.municipality_id:
            groups.append((row.municipality_name, []))
        groups[-1][1].append(row)
    return groups


def cell_deficits(deficits, round_, school, direction_code: str):
    """A school's deficits in one direction of a round, critical first.

    deficits: `Deficit.objects.for_user(user).counted()`.
    """
    return (
        deficits.filter(round_id=round_.pk, school_id=school.pk, direction_code=direction_code)
        .select_related("indicator")
        .order_by("-critical", "position", "pk")
    )


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"
