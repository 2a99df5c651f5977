"""Which columns a plan's table has, in which order, under which headings, and how its items
are numbered: kept from the imported document (Sakhalin's four columns, Zeya's result before
the responsible, Tyumen's «Ответственный/исполнитель, соисполнители», «1.1.» with a dot), the
standard set for a plan made in the portal. The page and every export read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from portal import russian

NUMBER, TITLE, DEADLINE, RESPONSIBLE, RESULT, DIRECTION = (
    "number",
    "title",
    "deadline",
    "responsible",
    "result",
    "direction",
)
KEYS = (NUMBER, TITLE, DEADLINE, RESPONSIBLE, RESULT, DIRECTION)
MAX_HEADING = 200


@dataclass(frozen=True)
class PlanColumn:
    key: str
    heading: str


STANDARD = (
    PlanColumn(NUMBER, "№"),
    PlanColumn(TITLE, "Наименование мероприятия"),
    PlanColumn(DEADLINE, "Сроки"),
    PlanColumn(RESPONSIBLE, "Ответственные"),
    PlanColumn(RESULT, "Ожидаемый результат"),
)


def plan_columns(roadmap) -> list[PlanColumn]:
    """The plan's own columns if it kept them, else the standard set."""
    stored = roadmap.columns or []
    columns = [
        PlanColumn(entry["key"], entry["heading"])
        for entry in stored
        if isinstance(entry, dict) and entry.get("key") in KEYS
    ]
    if not any(column.key == TITLE for column in columns):
        return list(STANDARD)
    return columns


def stored(columns) -> list[dict]:
    """Columns as the model keeps them: [{"key": …, "heading": …}, …]."""
    return [{"key": key, "heading": heading} for key, heading in columns]


def validate_columns(value) -> None:
    """A list of distinct known keys with short single-line headings, the activity among them."""
    if value in (None, []):
        return
    if not isinstance(value, list):
        raise ValidationError("Столбцы плана: ожидается список.")
    keys = []
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"key", "heading"}:
            raise ValidationError("Столбец плана: нужны ровно «key» и «heading».")
        key, heading = entry["key"], entry["heading"]
        if key not in KEYS:
            raise ValidationError(f"Неизвестный столбец плана «{key}».")
        if not isinstance(heading, str) or not heading.strip() or len(heading) > MAX_HEADING:
            raise ValidationError(
                "Заголовок столбца — непустая строка до "
                f"{russian.count(MAX_HEADING, 'символа,символов,символов')}."
            )
        if "\n" in heading or "\r" in heading:
            raise ValidationError("Заголовок столбца пишется в одну строку.")
        keys.append(key)
    if len(set(keys)) != len(keys):
        raise ValidationError("Столбец плана указан дважды.")
    if TITLE not in keys:
        raise ValidationError("Среди столбцов плана должно быть «Мероприятие».")


def display_number(roadmap, number: str) -> str:
    """«1.1» as the plan writes it: «1.1.» in a plan numbered with a closing dot."""
    if roadmap.number_dots and number and not number.endswith("."):
        return f"{number}."
    return number
