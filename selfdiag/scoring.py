"""Scoring of one self-diagnosis submission: points, levels and deficits. No Django here.

    result = score(methodology, SchoolProfile(levels=frozenset({"НОО", "ООО"}), has_ovz=False),
                   {"Z1": "yes", "Z2": "80"})

Rules, in the order they apply:

- Only indicators that apply to the school's profile count, both for its points and for the
  maximum it can reach; answers to other indicators and to unknown codes are ignored.
- An applicable indicator without an answer (absent, None or "") counts as 0 points and is listed
  in ``unanswered``. An answer with an option code the indicator does not have also counts as 0 and
  is listed in ``invalid`` (not in ``unanswered``: the school did answer, the data is wrong).
- Each direction gets a level from its thresholds; the school gets one from the overall thresholds
  applied to its total.
- A critical indicator with 0 points (answered so, unanswered or invalid: skipping a critical
  question must not avoid the cap) caps its direction at «ниже базового», and the overall level
  as well when the methodology says so (``critical_caps_overall``).
- A deficit is an applicable indicator below its maximum; critical ones come first, then the others
  by direction order and then by the order of indicators in the methodology.

Speed: a methodology is compiled once (lookups by option code, applicable indicators and maxima per
school profile, cached); ``score`` accepts either a Methodology, compiled on first use and cached,
or the result of ``compile_methodology``. Scoring one submission of the demonstration methodology
takes about a tenth of a millisecond.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from selfdiag.methodology import BELOW_BASE, Direction, Methodology, Thresholds

Number = int | float


@dataclass(frozen=True)
class SchoolProfile:
    """What a school teaches: levels of education (НОО, ООО, СОО) and whether it has ОВЗ pupils."""

    levels: frozenset[str]
    has_ovz: bool

    def __post_init__(self) -> None:
        # Accept any iterable of levels, so callers can pass a list from a form or a model.
        if not isinstance(self.levels, frozenset):
            object.__setattr__(self, "levels", frozenset(self.levels))


@dataclass(frozen=True)
class DirectionResult:
    direction: str
    points: Number
    max_points: Number
    share: float
    level: str
    # True when a critical indicator of this direction has 0 points, so the level is held at
    # «ниже базового» whatever the points alone would give.
    capped_by_critical: bool


@dataclass(frozen=True)
class Deficit:
    indicator: str
    direction: str
    points: Number
    max_points: Number
    critical: bool
    wording: str


@dataclass(frozen=True)
class Result:
    total_points: Number
    max_points: Number
    share: float
    level: str
    directions: tuple[DirectionResult, ...]
    deficits: tuple[Deficit, ...]
    unanswered: tuple[str, ...]
    invalid: tuple[str, ...] = ()
    # True when the overall level is held at «ниже базового» by a critical indicator.
    capped_by_critical: bool = False

    def direction(self, code: str) -> DirectionResult:
        for result in self.directions:
            if result.direction == code:
                return result
        raise KeyError(code)


@dataclass(frozen=True, slots=True)
class _Indicator:
    code: str
    direction: str
    direction_index: int
    points: Mapping[str, Number]
    max_points: Number
    critical: bool
    wording: str


@dataclass(frozen=True, slots=True)
class _Plan:
    """What one school profile is asked: applicable indicators in deficit order, and maxima."""

    indicators: tuple[_Indicator, ...]
    direction_max: tuple[Number, ...]
    total_max: Number


class CompiledMethodology:
    """A methodology prepared for scoring many submissions; build it with compile_methodology."""

    def __init__(self, methodology: Methodology):
        self.methodology = methodology
        self.directions: tuple[Direction, ...] = methodology.directions
        self.thresholds: Thresholds = methodology.thresholds
        self.critical_caps_overall = methodology.critical_caps_overall
        index = {d.code: i for i, d in enumerate(methodology.directions)}
        # Direction order first, then the order of the file: the order deficits are listed in.
        ordered = sorted(
            enumerate(methodology.indicators), key=lambda pair: (index[pair[1].direction], pair[0])
        )
        self._indicators = tuple(
            (
                indicator.applies_to,
                _Indicator(
                    code=indicator.code,
                    direction=indicator.direction,
                    direction_index=index[indicator.direction],
                    points={option.code: option.points for option in indicator.options},
                    max_points=indicator.max_points,
                    critical=indicator.critical,
                    wording=indicator.wording,
                ),
            )
            for _, indicator in ordered
        )
        self._plans: dict[tuple[frozenset[str], bool], _Plan] = {}

    def plan(self, profile: SchoolProfile) -> _Plan:
        key = (profile.levels, bool(profile.has_ovz))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._build_plan(*key)
        return plan

    def _build_plan(self, levels: frozenset[str], has_ovz: bool) -> _Plan:
        applicable = tuple(
            indicator
            for applies_to, indicator in self._indicators
            if applies_to.applies(levels, has_ovz)
        )
        direction_max = [0] * len(self.directions)
        for indicator in applicable:
            direction_max[indicator.direction_index] += indicator.max_points
        return _Plan(
            indicators=applicable,
            direction_max=tuple(direction_max),
            total_max=sum(direction_max),
        )


# Compiled methodologies by identity. Methodology is a frozen dataclass, so hashing it would walk
# every indicator on each call; identity is enough, and the entry keeps the object alive so the id
# cannot be reused while cached.
_COMPILED: dict[int, tuple[Methodology, CompiledMethodology]] = {}
_COMPILED_LIMIT = 32


def compile_methodology(methodology: Methodology | CompiledMethodology) -> CompiledMethodology:
    """Prepare a methodology for scoring; cached, so calling it again is cheap."""
    if isinstance(methodology, CompiledMethodology):
        return methodology
    cached = _COMPILED.get(id(methodology))
    if cached is not None and cached[0] is methodology:
        return cached[1]
    compiled = CompiledMethodology(methodology)
    if len(_COMPILED) >= _COMPILED_LIMIT:
        _COMPILED.pop(next(iter(_COMPILED)))
    _COMPILED[id(methodology)] = (methodology, compiled)
    return compiled


def score(
    methodology: Methodology | CompiledMethodology,
    profile: SchoolProfile,
    answers: Mapping[str, str],
) -> Result:
    """Score one school's answers (indicator code -> option code) against a methodology."""
    compiled = compile_methodology(methodology)
    plan = compiled.plan(profile)
    count = len(compiled.directions)
    points: list[Number] = [0] * count
    capped = [False] * count
    unanswered: list[str] = []
    invalid: list[str] = []
    critical_deficits: list[Deficit] = []
    other_deficits: list[Deficit] = []
    get_answer = answers.get

    for indicator in plan.indicators:
        answer = get_answer(indicator.code)
        if answer is None or answer == "":
            unanswered.append(indicator.code)
            got = 0
        else:
            got = indicator.points.get(answer)
            if got is None:
                invalid.append(indicator.code)
                got = 0
        if got:
            points[indicator.direction_index] += got
        if got < indicator.max_points:
            deficit = Deficit(
                indicator.code,
                indicator.direction,
                got,
                indicator.max_points,
                indicator.critical,
                indicator.wording,
            )
            if indicator.critical:
                critical_deficits.append(deficit)
                if not got:
                    capped[indicator.direction_index] = True
            else:
                other_deficits.append(deficit)

    directions = []
    for index, direction in enumerate(compiled.directions):
        got, maximum = points[index], plan.direction_max[index]
        level = BELOW_BASE if capped[index] else direction.thresholds.level_for(got, maximum)
        directions.append(
            DirectionResult(
                direction=direction.code,
                points=got,
                max_points=maximum,
                share=got / maximum if maximum else 0.0,
                level=level,
                capped_by_critical=capped[index],
            )
        )

    total = sum(points)
    overall_capped = compiled.critical_caps_overall and any(capped)
    level = BELOW_BASE if overall_capped else compiled.thresholds.level_for(total, plan.total_max)
    return Result(
        total_points=total,
        max_points=plan.total_max,
        share=total / plan.total_max if plan.total_max else 0.0,
        level=level,
        directions=tuple(directions),
        deficits=(*critical_deficits, *other_deficits),
        unanswered=tuple(unanswered),
        invalid=tuple(invalid),
        capped_by_critical=overall_capped,
    )
