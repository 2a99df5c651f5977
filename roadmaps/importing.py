"""Saving a parsed document (roadmaps.importers.ParsedRoadmap) as a plan, all or nothing.

The importers know documents and nothing of the database; this module knows the models and
nothing of documents. A plan of a few hundred items is written with a handful of bulk inserts.
"""

import re
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from orgs.models import Organization
from portal import russian
from portal.russian import CHARACTERS, quote
from portal.validators import approval_date_problem, period_problem, printable_problem
from roadmaps import editing, layout
from roadmaps.deadlines import Period, parse_deadline
from roadmaps.importers import DocumentError, ParsedRoadmap, ParsedSection, parse_document
from roadmaps.models import Direction, Item, ItemResponsible, Party, Roadmap, RoadmapEvent, Section
from roadmaps.occurrences import store_occurrences

# Words that name a whole category of bodies rather than one body.
CATEGORY_NAMES = {"ОО", "ОУ", "ОМСУ", "ММС", "ИМЦ", "МОУО", "ОМС", "ДОО", "УДО", "ОДО", "ООО"}
_PERSON = re.compile(
    r"^[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.?$|^[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+$"
)


def party_kind(name: str) -> str:
    if _PERSON.match(name.strip()):
        return Party.Kind.PERSON
    first = name.split()[0] if name.split() else ""
    if first in CATEGORY_NAMES and (len(name.split()) == 1 or name.split()[1].islower()):
        return Party.Kind.CATEGORY
    if first[:1].isupper() and first[1:].islower() and not name.isupper():
        # «Руководители ОО», «Районный оператор проекта»: a role, not a body.
        return Party.Kind.ROLE
    return Party.Kind.ORGANIZATION


def _directory_match(organizations, name: str, full_name: str):
    """The directory body a party stands for, when its short or full name matches exactly."""
    wanted = {name.casefold(), full_name.casefold()} - {""}
    for organization in organizations:
        names = {organization.short_name.casefold(), organization.name.casefold()}
        if names & wanted:
            return organization
    return None


def _walk(sections: list[ParsedSection], parent=None):
    for section in sections:
        yield section, parent
        yield from _walk(section.sections, section)


# Problems listed in one message; the rest are counted.
SHOWN_PROBLEMS = 5


def _texts(parsed: ParsedRoadmap) -> Iterator[tuple[str, object, str]]:
    """(where, model field, text) for every text the import saves into a limited field."""

    def field(model, name):
        return model._meta.get_field(name)

    yield "Наименование плана", field(Roadmap, "title"), parsed.title
    approval = parsed.approval
    if approval is not None:
        for attr, name in [
            ("kind", "approval_kind"),
            ("number", "approval_number"),
            ("issuer", "approval_issuer"),
            ("official_name", "approved_by_name"),
            ("official_position", "approved_by_position"),
            ("text", "approval_text"),
        ]:
            yield "Гриф утверждения", field(Roadmap, name), getattr(approval, attr)
    for name, full_name in parsed.glossary.items():
        yield f"Сокращение {quote(name[:40])}", field(Party, "name"), name
        yield f"Сокращение {quote(name[:40])}", field(Party, "full_name"), full_name
    for section, _ in _walk(parsed.sections):
        where = f"Раздел {section.number or '«' + section.title[:40] + '»'}"
        yield where, field(Section, "title"), section.title
        yield where, field(Section, "number"), section.number
        for item in section.items:
            where = f"Пункт {item.number or '«' + item.title[:40] + '»'}"
            for name in ("number", "title", "deadline_text", "responsible_text", "result"):
                yield where, field(Item, name), getattr(item, name)
            for party in item.responsible:
                yield where, field(Party, "name"), party


def text_problems(parsed: ParsedRoadmap) -> list[str]:
    """What the import cannot save as written: a text longer than its field allows or with a
    control character, each named by where it is in the document."""
    problems = []
    for where, model_field, text in _texts(parsed):
        if not text:
            continue
        if len(text) > model_field.max_length:
            problems.append(
                f"{where}, поле {quote(model_field.verbose_name)}: "
                f"{russian.count(len(text), CHARACTERS)}, "
                f"допускается не больше {model_field.max_length}."
            )
        # Line breaks and tabs of a table cell are kept as written; other control characters
        # break the plan's exports.
        problem = printable_problem(text, multiline=True)
        if problem:
            problems.append(f"{where}, поле {quote(model_field.verbose_name)}: {problem}")
    return problems


def check_parsed(parsed: ParsedRoadmap, period: Period | None = None) -> None:
    """DocumentError with the problems of the texts, and of the period when given."""
    problems = text_problems(parsed)
    problem = period and period_problem(period.start, period.end)
    if problem:
        problems.insert(0, problem)
    approval = parsed.approval
    problem = (
        approval and approval.date and approval_date_problem(approval.date, timezone.localdate())
    )
    if problem:
        problems.insert(0, f"Гриф утверждения: {problem}")
    if problems:
        shown = " ".join(problems[:SHOWN_PROBLEMS])
        more = len(problems) - SHOWN_PROBLEMS
        tail = f" И ещё замечаний: {more}." if more > 0 else ""
        raise DocumentError(f"План не загружен: исправьте документ. {shown}{tail}")


def read_document(source, filename: str | None = None) -> ParsedRoadmap:
    """parse_document, then the checks of the texts it would save: one DocumentError for both.
    The period is checked on saving: the upload page lets the user choose another one."""
    parsed = parse_document(source, filename=filename)
    check_parsed(parsed)
    return parsed


@transaction.atomic
def save_parsed_roadmap(
    parsed: ParsedRoadmap,
    *,
    owner: Organization,
    user=None,
    period: Period | None = None,
    title: str | None = None,
    filename: str = "",
) -> Roadmap:
    period = period or parsed.deadline_period()
    check_parsed(parsed, period)
    walked = list(_walk(parsed.sections))
    approval = parsed.approval
    fields = {}
    if approval is not None:
        fields = {
            "approval_kind": approval.kind[:200],
            "approval_number": approval.number[:100],
            "approval_date": approval.date,
            "approval_issuer": approval.issuer[:500],
            "approved_by_name": approval.official_name[:200],
            "approved_by_position": approval.official_position[:500],
            "approval_text": approval.text,
        }
    item_count = sum(len(parsed_section.items) for parsed_section, _ in walked)
    roadmap = editing.create_roadmap(
        owner=owner,
        title=title or parsed.title or "План мероприятий",
        period=period,
        user=user,
        action=RoadmapEvent.Action.IMPORTED,
        comment=f"Файл {quote(filename)}: разделов {len(walked)}, мероприятий {item_count}."
        if filename
        else "",
        reason=f"Импорт из файла {filename}".strip(),
        source_filename=filename[:255],
        columns=layout.stored(parsed.columns),
        number_dots=parsed.number_dots,
        **fields,
    )

    directory = list(
        Organization.objects.filter(region_id=owner.region_id).only("id", "short_name", "name")
    )
    parties: dict[str, Party] = {}

    def party_for(name: str, full_name: str = "", in_glossary: bool = False) -> Party:
        party = parties.get(name)
        if party is None:
            party = Party(
                roadmap=roadmap,
                name=name[:300],
                full_name=full_name[:1000],
                kind=party_kind(name),
                organization=_directory_match(directory, name, full_name),
                in_glossary=in_glossary,
                position=len(parties),
            )
            parties[name] = party
        return party

    for abbreviation, full_name in parsed.glossary.items():
        party_for(abbreviation, full_name, in_glossary=True)
    for item in parsed.all_items():
        for name in item.responsible:
            party_for(name, parsed.glossary.get(name, ""))
    Party.objects.bulk_create(parties.values())

    directions = {direction.name.casefold(): direction for direction in Direction.objects.all()}
    items: list[Item] = []
    responsible: list[tuple[Item, list[str]]] = []
    item_directions: list[tuple[Item, list[Direction]]] = []
    saved_sections: dict[int, Section] = {}
    item_position = 0
    for section_position, (parsed_section, parent) in enumerate(walked):
        section = Section.objects.create(
            roadmap=roadmap,
            parent=saved_sections.get(id(parent)) if parent is not None else None,
            number=parsed_section.number[:20],
            title=(parsed_section.title or "Без названия")[:1000],
            position=section_position,
        )
        saved_sections[id(parsed_section)] = section
        for parsed_item in parsed_section.items:
            item = Item(
                roadmap=roadmap,
                section=section,
                number=parsed_item.number[:20],
                title=parsed_item.title,
                responsible_text=parsed_item.responsible_text,
                result=parsed_item.result,
                position=item_position,
            )
            item.apply_deadline(parse_deadline(parsed_item.deadline_text[:500], period))
            item_position += 1
            items.append(item)
            responsible.append((item, parsed_item.responsible))
            matched = [
                directions[name.casefold()]
                for name in parsed_item.directions
                if name.casefold() in directions
            ]
            if matched:
                item_directions.append((item, matched))
    bulk_create_with_history(items, Item, default_user=user, default_change_reason="Импорт")
    # bulk_create_with_history sets pks on SQLite and PostgreSQL alike (RETURNING).
    ItemResponsible.objects.bulk_create(
        ItemResponsible(item=item, party=parties[name], position=position)
        for item, names in responsible
        for position, name in enumerate(dict.fromkeys(names))
    )
    Through = Item.directions.through
    Through.objects.bulk_create(
        Through(item_id=item.pk, direction_id=direction.pk)
        for item, matched in item_directions
        for direction in matched
    )
    store_occurrences(items, period)
    return roadmap
