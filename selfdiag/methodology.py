"""Self-diagnosis methodology as data: the format, its dataclasses and its validator.

A methodology is one version of the self-diagnosis of «Школа Минпросвещения России»: directions in
order, indicators with their answer options and points, critical indicators and the thresholds that
turn points into a level. It is kept as a JSON (or YAML) document of this shape::

    {
      "version": "2024-demo",                 # code of the version, [0-9A-Za-z._-]
      "name": "…",                            # shown to people
      "description": "…",                     # optional
      "thresholds": {"mode": "share", "base": 0.5, "medium": 0.7, "high": 0.85},   # overall
      "critical_caps_overall": true,          # optional, default true
      "option_sets": {                        # optional: named answer scales shared by indicators
        "yes_no": [{"code": "no", "label": "нет", "points": 0},
                   {"code": "yes", "label": "да", "points": 1}]
      },
      "directions": [                         # in the order of the methodology
        {"code": "znanie", "name": "Знание", "group": "direction",      # or "condition"
         "thresholds": {"mode": "points", "base": 20, "medium": 35, "high": 45}}
      ],
      "indicators": [                         # in order inside each direction
        {"code": "Z1", "direction": "znanie", "wording": "…",
         "options": "yes_no",                 # a name from option_sets, or a list of options
         "critical": true,                    # optional, default false
         "applies_to": {"levels": ["СОО"],    # optional; the school teaches ANY of them; [] = all
                        "ovz": true}}         # optional; null = all schools, true = with ОВЗ
      ]
    }

Thresholds are shares of the maximum the school can reach with its profile (``"share"``: a school
gets a level when points >= share * maximum) or plain points (``"points"``: points >= threshold).
Below ``base`` is «ниже базового». A critical indicator answered with zero points caps the level of
its direction at «ниже базового», and the overall level too when ``critical_caps_overall`` is true.

The validator is strict on purpose: unknown fields are errors (a misspelt ``"critcal"`` must not
silently turn a critical indicator into an ordinary one), and every problem is reported at once, in
Russian, naming its place, so a methodologist can fix the file in one pass.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from portal.validators import printable_problem

BELOW_BASE = "below_base"
BASE = "base"
MEDIUM = "medium"
HIGH = "high"

#: Levels from the lowest to the highest, with their Russian labels. Iterating gives the codes in
#: order; ``LEVELS[code]`` gives the label.
LEVELS: Mapping[str, str] = MappingProxyType(
    {
        BELOW_BASE: "ниже базового",
        BASE: "базовый",
        MEDIUM: "средний",
        HIGH: "высокий",
    }
)
LEVEL_RANK: Mapping[str, int] = MappingProxyType({code: rank for rank, code in enumerate(LEVELS)})

#: Levels of general education a school may teach.
EDUCATION_LEVELS = ("НОО", "ООО", "СОО")

GROUP_DIRECTION = "direction"
GROUP_CONDITION = "condition"
GROUPS: Mapping[str, str] = MappingProxyType(
    {
        GROUP_DIRECTION: "магистральное направление",
        GROUP_CONDITION: "ключевое условие",
    }
)

MODE_SHARE = "share"
MODE_POINTS = "points"
THRESHOLD_MODES = (MODE_SHARE, MODE_POINTS)

DEMO_METHODOLOGY_PATH = Path(__file__).resolve().parent / "data" / "methodology-demo-2024.json"

# Thresholds are compared with a tolerance so that fractional points summed in binary floating
# point still reach their edge: 0.7 + 0.1 is 0.7999999999999999, and «exactly at the edge» must
# mean the higher level.
_EPSILON = 1e-9

_THRESHOLD_KEYS = (BASE, MEDIUM, HIGH)
_VERSION_RE = re.compile(r"^[0-9A-Za-z._-]+$")
_DIRECTION_CODE_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
_CODE_RE = re.compile(r"^\S+$")


def level_label(level: str) -> str:
    """Russian label of a level code: ``level_label("base") == "базовый"``."""
    return LEVELS[level]


class MethodologyError(ValueError):
    """The methodology document is not valid; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    points: int | float


@dataclass(frozen=True)
class Applicability:
    """Which schools an indicator is asked of.

    ``levels`` empty means every school; otherwise the school must teach at least one of them.
    ``ovz`` None means every school; True means only schools with pupils with ОВЗ.
    """

    levels: frozenset[str] = frozenset()
    ovz: bool | None = None

    def applies(self, levels: frozenset[str], has_ovz: bool) -> bool:
        if self.levels and self.levels.isdisjoint(levels):
            return False
        return not (self.ovz and not has_ovz)


@dataclass(frozen=True)
class Indicator:
    code: str
    direction: str
    wording: str
    options: tuple[Option, ...]
    critical: bool = False
    applies_to: Applicability = field(default_factory=Applicability)

    @property
    def max_points(self) -> int | float:
        return max(option.points for option in self.options)

    def option(self, code: str) -> Option | None:
        for option in self.options:
            if option.code == code:
                return option
        return None


@dataclass(frozen=True)
class Thresholds:
    mode: str
    base: int | float
    medium: int | float
    high: int | float

    def level_for(self, points: int | float, max_points: int | float) -> str:
        """Level reached by ``points`` out of ``max_points`` (before any critical cap).

        In share mode a maximum of 0 (nothing asked of the school) counts as a share of 0.
        """
        if self.mode == MODE_SHARE:
            reached = (points / max_points if max_points > 0 else 0.0) + _EPSILON
        else:
            reached = points + _EPSILON
        if reached >= self.high:
            return HIGH
        if reached >= self.medium:
            return MEDIUM
        if reached >= self.base:
            return BASE
        return BELOW_BASE


@dataclass(frozen=True)
class Direction:
    code: str
    name: str
    group: str
    thresholds: Thresholds


@dataclass(frozen=True)
class Methodology:
    version: str
    name: str
    directions: tuple[Direction, ...]
    indicators: tuple[Indicator, ...]
    thresholds: Thresholds
    description: str = ""
    critical_caps_overall: bool = True

    def direction(self, code: str) -> Direction:
        for direction in self.directions:
            if direction.code == code:
                return direction
        raise KeyError(code)

    def indicator(self, code: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    def indicators_of(self, direction_code: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.direction == direction_code)


# Loading -------------------------------------------------------------------------------------


def load_methodology(path: str | Path) -> Methodology:
    """Read and validate a methodology from a ``.json``, ``.yaml`` or ``.yml`` file."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MethodologyError(
            [f"Файл {path.name}: не удалось прочитать ({exc.strerror})"]
        ) from exc
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MethodologyError(
                [
                    f"Файл {path.name}: ошибка JSON в строке {exc.lineno}, "
                    f"столбце {exc.colno}: {exc.msg}"
                ]
            ) from exc
    elif suffix in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise MethodologyError([f"Файл {path.name}: ошибка YAML: {exc}"]) from exc
    else:
        raise MethodologyError(
            [f"Файл {path.name}: неизвестный формат «{suffix}» (ожидается .json, .yaml или .yml)"]
        )
    return parse_methodology(data)


def load_demo_methodology() -> Methodology:
    return load_methodology(DEMO_METHODOLOGY_PATH)


def parse_methodology(data: Any) -> Methodology:
    """Validate a methodology given as plain data (as read from JSON or YAML) and build it.

    Raises MethodologyError listing every problem found.
    """
    return _Parser().parse(data)


# Validation ----------------------------------------------------------------------------------

_TOP_KEYS = {
    "version",
    "name",
    "description",
    "thresholds",
    "critical_caps_overall",
    "option_sets",
    "directions",
    "indicators",
}
_DIRECTION_KEYS = {"code", "name", "group", "thresholds"}
_INDICATOR_KEYS = {"code", "direction", "wording", "options", "critical", "applies_to"}
_OPTION_KEYS = {"code", "label", "points"}
_APPLIES_KEYS = {"levels", "ovz"}
_THRESHOLD_ALL_KEYS = {"mode", *_THRESHOLD_KEYS}


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"логическое значение {str(value).lower()}"
    if isinstance(value, int | float):
        return f"число {value}"
    if isinstance(value, str):
        return f"строка «{value}»"
    if isinstance(value, list | tuple):
        return "список"
    if isinstance(value, Mapping):
        return "объект"
    return type(value).__name__


def _quote(value: Any) -> str:
    return f"«{value}»" if isinstance(value, str) else _describe(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class _Parser:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, message: str) -> None:
        self.errors.append(message)

    # Generic field checks; each returns None when the value is unusable (the error is recorded).

    def mapping(self, value: Any, place: str, allowed: set[str]) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.error(f"{place}: ожидается объект с полями, а указано {_describe(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.error(f"{place}: неизвестное поле «{key}»")
        return value

    def text(self, obj: Mapping[str, Any], key: str, place: str, required: bool = True) -> Any:
        if key not in obj or obj[key] is None:
            if required:
                self.error(f"{place}: не указано обязательное поле «{key}»")
            return None
        value = obj[key]
        if not isinstance(value, str):
            self.error(f"{place}: поле «{key}» должно быть строкой, а указано {_describe(value)}")
            return None
        if not value.strip():
            self.error(f"{place}: поле «{key}» не должно быть пустым")
            return None
        problem = printable_problem(value, multiline=True)
        if problem:
            self.error(f"{place}: поле «{key}»: {problem}")
            return None
        return value.strip()

    def flag(self, obj: Mapping[str, Any], key: str, place: str, default: bool) -> bool:
        if key not in obj:
            return default
        value = obj[key]
        if not isinstance(value, bool):
            self.error(
                f"{place}: поле «{key}» должно быть логическим значением (true или false), "
                f"а указано {_describe(value)}"
            )
            return default
        return value

    def sequence(self, obj: Mapping[str, Any], key: str, place: str) -> list[Any] | None:
        if key not in obj or obj[key] is None:
            self.error(f"{place}: не указано обязательное поле «{key}»")
            return None
        value = obj[key]
        if not isinstance(value, list | tuple):
            self.error(f"{place}: поле «{key}» должно быть списком, а указано {_describe(value)}")
            return None
        return list(value)

    # Sections.

    def parse(self, data: Any) -> Methodology:
        top = self.mapping(data, "Методика", _TOP_KEYS)
        if top is None:
            raise MethodologyError(self.errors)

        version = self.text(top, "version", "Методика")
        if version is not None and not _VERSION_RE.match(version):
            self.error(
                f"Методика: код версии «{version}» может содержать только латинские буквы, "
                "цифры, точку, дефис и подчёркивание"
            )
        name = self.text(top, "name", "Методика")
        description = self.text(top, "description", "Методика", required=False) or ""
        caps_overall = self.flag(top, "critical_caps_overall", "Методика", default=True)
        option_sets = self.option_sets(top.get("option_sets"))
        directions = self.directions(top)
        direction_codes = set(directions)
        indicators = self.indicators(top, direction_codes, option_sets)

        overall = None
        if "thresholds" not in top or top["thresholds"] is None:
            self.error("Методика: не указано обязательное поле «thresholds» (пороги в целом)")
        else:
            overall = self.thresholds(top["thresholds"], "Пороги методики в целом")

        self.check_coverage(top, directions, indicators, overall)

        if self.errors:
            raise MethodologyError(self.errors)
        return Methodology(
            version=version,
            name=name,
            description=description,
            directions=tuple(d for d, _ in directions.values()),
            indicators=tuple(indicators),
            thresholds=overall,
            critical_caps_overall=caps_overall,
        )

    def option_sets(self, value: Any) -> dict[str, tuple[Option, ...]]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.error(
                f"Методика: поле «option_sets» должно быть объектом «название: список вариантов», "
                f"а указано {_describe(value)}"
            )
            return {}
        sets = {}
        for set_name, options in value.items():
            parsed = self.options(options, f"Набор вариантов «{set_name}»")
            if parsed is not None:
                sets[set_name] = parsed
        return sets

    def options(self, value: Any, place: str) -> tuple[Option, ...] | None:
        if not isinstance(value, list | tuple):
            self.error(
                f"{place}: варианты ответа должны быть списком, а указано {_describe(value)}"
            )
            return None
        if not value:
            self.error(f"{place}: нет ни одного варианта ответа")
            return None
        options = []
        seen = set()
        valid = True
        for number, raw in enumerate(value, start=1):
            raw_code = raw.get("code") if isinstance(raw, Mapping) else None
            option_place = (
                f"{place}, вариант «{raw_code}»"
                if isinstance(raw_code, str) and raw_code
                else f"{place}, вариант №{number}"
            )
            obj = self.mapping(raw, option_place, _OPTION_KEYS)
            if obj is None:
                valid = False
                continue
            code = self.text(obj, "code", option_place)
            label = self.text(obj, "label", option_place)
            points = self.points(obj, option_place)
            if code is not None:
                if code in seen:
                    self.error(f"{place}: код варианта ответа «{code}» повторяется")
                    valid = False
                seen.add(code)
            if code is None or label is None or points is None:
                valid = False
                continue
            options.append(Option(code=code, label=label, points=points))
        return tuple(options) if valid else None

    def points(self, obj: Mapping[str, Any], place: str) -> int | float | None:
        if "points" not in obj or obj["points"] is None:
            self.error(f"{place}: не указано обязательное поле «points»")
            return None
        value = obj["points"]
        if not _is_number(value):
            self.error(f"{place}: баллы должны быть числом, а указано {_describe(value)}")
            return None
        if value < 0:
            self.error(f"{place}: баллы не могут быть отрицательными ({value})")
            return None
        return value

    def directions(self, top: Mapping[str, Any]) -> dict[str, tuple[Direction | None, str]]:
        """Directions by code, in order, each with the name used in messages."""
        raw_list = self.sequence(top, "directions", "Методика")
        if raw_list is None:
            return {}
        if not raw_list:
            self.error("Методика: в разделе directions нет ни одного направления")
        directions: dict[str, tuple[Direction | None, str]] = {}
        for number, raw in enumerate(raw_list, start=1):
            place = f"Направление №{number}"
            if isinstance(raw, Mapping) and isinstance(raw.get("name"), str) and raw["name"]:
                place = f"Направление «{raw['name']}»"
            obj = self.mapping(raw, place, _DIRECTION_KEYS)
            if obj is None:
                continue
            code = self.text(obj, "code", place)
            name = self.text(obj, "name", place)
            group = self.text(obj, "group", place)
            if code is not None and not _DIRECTION_CODE_RE.match(code):
                self.error(
                    f"{place}: код «{code}» должен состоять из строчных латинских букв, цифр, "
                    "«-» и «_» и начинаться с буквы"
                )
                code = None
            if group is not None and group not in GROUPS:
                self.error(
                    f"{place}: неизвестная группа «{group}» (допустимы: {', '.join(GROUPS)})"
                )
                group = None
            label = name or code or str(number)
            thresholds = None
            if "thresholds" not in obj or obj["thresholds"] is None:
                self.error(f"{place}: не указано обязательное поле «thresholds» (пороги)")
            else:
                thresholds = self.thresholds(obj["thresholds"], f"Пороги направления «{label}»")
            if code is not None and code in directions:
                self.error(f"{place}: код направления «{code}» повторяется")
                continue
            if None in (code, name, group, thresholds):
                # Keep the code known so that indicators do not report it as undescribed.
                if code is not None:
                    directions[code] = (None, label)
                continue
            directions[code] = (Direction(code, name, group, thresholds), label)
        return directions

    def thresholds(self, value: Any, place: str) -> Thresholds | None:
        obj = self.mapping(value, place, _THRESHOLD_ALL_KEYS)
        if obj is None:
            return None
        mode = self.text(obj, "mode", place)
        if mode is not None and mode not in THRESHOLD_MODES:
            self.error(
                f"{place}: неизвестный режим «{mode}» (допустимы: share — доли от максимума, "
                "points — баллы)"
            )
            mode = None
        values = {}
        for key in _THRESHOLD_KEYS:
            level = LEVELS[key]
            if key not in obj or obj[key] is None:
                self.error(f"{place}: не указан порог уровня «{level}» (поле «{key}»)")
                continue
            raw = obj[key]
            if not _is_number(raw):
                self.error(
                    f"{place}: порог уровня «{level}» должен быть числом, "
                    f"а указано {_describe(raw)}"
                )
                continue
            if raw < 0:
                self.error(f"{place}: порог уровня «{level}» не может быть отрицательным ({raw})")
                continue
            if mode == MODE_SHARE and raw > 1:
                self.error(
                    f"{place}: порог уровня «{level}» ({raw}) — это доля от максимума, "
                    "она должна быть от 0 до 1"
                )
                continue
            values[key] = raw
        if (BASE in values and MEDIUM in values) and values[BASE] > values[MEDIUM]:
            self.error(f"{place}: базовый ({values[BASE]}) выше среднего ({values[MEDIUM]})")
        if (MEDIUM in values and HIGH in values) and values[MEDIUM] > values[HIGH]:
            self.error(f"{place}: средний ({values[MEDIUM]}) выше высокого ({values[HIGH]})")
        if mode is None or len(values) != len(_THRESHOLD_KEYS):
            return None
        return Thresholds(mode=mode, **values)

    def indicators(
        self,
        top: Mapping[str, Any],
        direction_codes: set[str],
        option_sets: dict[str, tuple[Option, ...]],
    ) -> list[Indicator]:
        raw_list = self.sequence(top, "indicators", "Методика")
        if raw_list is None:
            return []
        if not raw_list:
            self.error("Методика: в разделе indicators нет ни одного показателя")
        indicators = []
        seen: dict[str, int] = {}
        for number, raw in enumerate(raw_list, start=1):
            raw_code = raw.get("code") if isinstance(raw, Mapping) else None
            place = (
                f"Показатель {raw_code}"
                if isinstance(raw_code, str) and raw_code.strip()
                else f"Показатель №{number}"
            )
            obj = self.mapping(raw, place, _INDICATOR_KEYS)
            if obj is None:
                continue
            code = self.text(obj, "code", place)
            if code is not None and not _CODE_RE.match(code):
                self.error(f"{place}: код показателя не должен содержать пробелов")
                code = None
            if code is not None:
                if code in seen:
                    self.error(
                        f"{place}: код показателя повторяется (уже был у показателя №{seen[code]})"
                    )
                    code = None
                else:
                    seen[code] = number
            wording = self.text(obj, "wording", place)
            direction = self.text(obj, "direction", place)
            if direction is not None and direction not in direction_codes:
                self.error(f"{place}: направление «{direction}» не описано в разделе directions")
                direction = None
            critical = self.flag(obj, "critical", place, default=False)
            options = self.indicator_options(obj, place, option_sets)
            applies_to = self.applies_to(obj.get("applies_to"), place)
            if options is not None and critical and max(o.points for o in options) <= 0:
                self.error(
                    f"{place}: критический показатель должен иметь вариант ответа с баллами "
                    "больше нуля, иначе он всегда понижает уровень"
                )
                options = None
            if None in (code, wording, direction, options, applies_to):
                continue
            indicators.append(
                Indicator(
                    code=code,
                    direction=direction,
                    wording=wording,
                    options=options,
                    critical=critical,
                    applies_to=applies_to,
                )
            )
        return indicators

    def indicator_options(
        self, obj: Mapping[str, Any], place: str, option_sets: dict[str, tuple[Option, ...]]
    ) -> tuple[Option, ...] | None:
        if "options" not in obj or obj["options"] is None:
            self.error(f"{place}: не указано обязательное поле «options» (варианты ответа)")
            return None
        value = obj["options"]
        if isinstance(value, str):
            if value not in option_sets:
                self.error(f"{place}: набор вариантов «{value}» не описан в разделе option_sets")
                return None
            return option_sets[value]
        return self.options(value, place)

    def applies_to(self, value: Any, place: str) -> Applicability | None:
        if value is None:
            return Applicability()
        obj = self.mapping(value, f"{place}, поле «applies_to»", _APPLIES_KEYS)
        if obj is None:
            return None
        ok = True
        levels: set[str] = set()
        raw_levels = obj.get("levels")
        if raw_levels is not None:
            if not isinstance(raw_levels, list | tuple):
                self.error(
                    f"{place}: поле «applies_to.levels» должно быть списком уровней "
                    f"({', '.join(EDUCATION_LEVELS)}), а указано {_describe(raw_levels)}"
                )
                ok = False
            else:
                for level in raw_levels:
                    if level not in EDUCATION_LEVELS:
                        self.error(
                            f"{place}: неизвестный уровень образования {_quote(level)} "
                            f"(допустимы: {', '.join(EDUCATION_LEVELS)})"
                        )
                        ok = False
                    else:
                        levels.add(level)
        ovz = obj.get("ovz")
        if ovz is not None and ovz is not True:
            self.error(
                f"{place}: поле «applies_to.ovz» может быть только true (только для школ с "
                f"обучающимися с ОВЗ) или null (для всех школ), а указано {_describe(ovz)}"
            )
            ok = False
        return Applicability(levels=frozenset(levels), ovz=ovz) if ok else None

    def check_coverage(
        self,
        top: Mapping[str, Any],
        directions: dict[str, tuple[Direction | None, str]],
        indicators: list[Indicator],
        overall: Thresholds | None,
    ) -> None:
        """Checks across sections: empty directions and point thresholds nobody can reach."""
        # With earlier errors some indicators were dropped, so maxima and coverage are not
        # trustworthy: report those checks only once the rest is clean.
        trusted = not self.errors
        max_by_direction = dict.fromkeys(directions, 0)
        universal = {
            i.direction for i in indicators if not i.applies_to.levels and i.applies_to.ovz is None
        }
        for indicator in indicators:
            max_by_direction[indicator.direction] += indicator.max_points
        raw_indicators = top.get("indicators")
        used = set()
        if isinstance(raw_indicators, list | tuple):
            used = {
                i.get("direction")
                for i in raw_indicators
                if isinstance(i, Mapping) and isinstance(i.get("direction"), str)
            }
        for code, (direction, label) in directions.items():
            if code not in used:
                self.error(f"Направление «{label}»: нет ни одного показателя")
            elif trusted and code not in universal:
                self.error(
                    f"Направление «{label}»: нет ни одного показателя для всех школ (без "
                    "ограничений applies_to), у части школ направление нечем оценить"
                )
            elif trusted and direction is not None:
                self.check_reachable(
                    direction.thresholds, max_by_direction[code], f"Пороги направления «{label}»"
                )
        if trusted and overall is not None and indicators:
            self.check_reachable(overall, sum(max_by_direction.values()), "Пороги методики в целом")

    def check_reachable(self, thresholds: Thresholds, maximum: int | float, place: str) -> None:
        if thresholds.mode != MODE_POINTS:
            return
        if thresholds.high > maximum:
            self.error(
                f"{place}: высокий ({thresholds.high}) больше максимально возможного числа "
                f"баллов ({maximum})"
            )
