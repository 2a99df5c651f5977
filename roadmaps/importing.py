"""Saving a parsed document (roadmaps.importers.ParsedRoadmap) as a plan, all or nothing.

The importers know documents and nothing of the database; this module knows the models and
nothing of documents. A plan of a few hundred items is written with a handful of bulk inserts.
"""

import re

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from orgs.models import Organization
from roadmaps import editing
from roadmaps.deadlines import Period, parse_deadline
from roadmaps.importers import ParsedRoadmap, ParsedSection
from roadmaps.models import Direction, Item, ItemResponsible, Party, Roadmap, RoadmapEvent, Section

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
        comment=f"Файл «{filename}»: разделов {len(walked)}, мероприятий {item_count}."
        if filename
        else "",
        reason=f"Импорт из файла {filename}".strip(),
        source_filename=filename[:255],
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
    return roadmap
