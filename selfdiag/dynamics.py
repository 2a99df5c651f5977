"""Dynamics between two rounds of self-diagnosis: who went up a level, who stayed, who went down.

A school counts when it has a counted result (sent or accepted) in both rounds. Directions are
matched by code, so two versions of the methodology compare as long as they keep the codes.
Like the deficit map, the whole region is a handful of queries (the schools' results in both
rounds, their direction results, the directions of both methodologies) and a dict pivot. The
page and the API choose the rounds with `choose_dynamics(user, filters)`; reports/dynamics.py
draws the table and the charts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from orgs.models import Municipality
from selfdiag.analytics import (
    latest_with_results,
    municipality_choice,
    require_role,
    round_named,
    visible_rounds,
)
from selfdiag.deficit_map import Direction
from selfdiag.methodology import LEVEL_RANK
from selfdiag.models import DirectionResult, MethodologyDirection, Round, Submission

UP, SAME, DOWN = "up", "same", "down"
ARROWS = {UP: "↑", SAME: "→", DOWN: "↓"}
CHANGE_LABELS = {UP: "уровень вырос", SAME: "не изменился", DOWN: "снизился"}


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


# Choosing the rounds ----------------------------------------------------------------------------


def _earlier_with_results(rounds: list[Round], after: Round | None) -> Round | None:
    """The newest round with results that is older than `after` in the list, of its region."""
    if after is None:
        return None
    older = rounds[rounds.index(after) + 1 :] if after in rounds else rounds
    return next(
        (r for r in older if r.has_results and r.region_id == after.region_id and r != after),
        None,
    )


SAME_ROUND_PROBLEM = "Выберите два разных раунда."
NO_ROUNDS_PROBLEM = "Для динамики нужны два раунда самодиагностики с результатами."


class DynamicsChoice(NamedTuple):
    """The rounds and municipality chosen and the dynamics between them; without two different
    rounds, `problem` says why and there is none."""

    rounds: list[Round]
    before: Round | None
    after: Round | None
    problem: str
    municipalities: list[Municipality]
    municipality: Municipality | None
    dynamics: Dynamics | None


def choose_dynamics(user, filters) -> DynamicsChoice:
    """What the dynamics page and the API show. filters: "before", "after" and "municipality"
    as numbers, or None for the two latest rounds with results of one region and all
    municipalities. 403 without a role, 404 for a round or municipality the user does not see."""
    require_role(user)
    rounds = visible_rounds(user)
    after = round_named(rounds, filters.get("after"), latest_with_results(rounds))
    before = round_named(rounds, filters.get("before"), _earlier_with_results(rounds, after))
    if before is None or after is None or before == after:
        problem = (
            SAME_ROUND_PROBLEM if before is not None and before == after else NO_ROUNDS_PROBLEM
        )
        return DynamicsChoice(rounds, before, after, problem, [], None, None)

    municipalities, municipality = municipality_choice(
        user, after.region_id, filters.get("municipality")
    )
    result = build_dynamics(
        before,
        after,
        submissions=Submission.objects.for_user(user).scored(),
        results=DirectionResult.objects.for_user(user).counted(),
        municipality=municipality,
    )
    return DynamicsChoice(rounds, before, after, "", municipalities, municipality, result)
