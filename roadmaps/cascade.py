"""A plan made from a higher level's approved plan: «Создать план на основе…».

A municipality starts its plan from the regional one, a school from the municipal or the
regional one. The copy keeps the sections, the items with their responsible parties and
directions, and points back: the plan `implements` its source, every item keeps `source_item`,
so the region can follow each of its items down to the municipalities and schools.
Deadlines are read again against the new plan's period.
"""

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from orgs.models import Organization
from portal.russian import quote
from roadmaps import editing
from roadmaps.deadlines import Period, parse_deadline
from roadmaps.models import Item, ItemResponsible, Party, Roadmap, Section
from roadmaps.occurrences import store_occurrences

_LEVEL_RANK = {
    Organization.Level.REGION: 0,
    Organization.Level.MUNICIPALITY: 1,
    Organization.Level.SCHOOL: 2,
}


def template_sources(user):
    """Approved plans the user sees that can serve as a template (not schools' plans).

    Only one version of a plan is approved at a time: the one in force.
    """
    return (
        Roadmap.objects.for_user(user)
        .approved()
        .exclude(owner__kind=Organization.Kind.SCHOOL)
        .select_related("owner__municipality")
        .order_by("owner__municipality__name", "owner__short_name", "-period_start")
    )


def template_owners(user):
    """The organizations whose plan the user may start from a template: municipal bodies and
    schools they write for (a regional plan has no level above it)."""
    return (
        Organization.objects.for_user(user, write=True)
        .filter(municipality__isnull=False)
        .select_related("region", "municipality")
        .order_by("municipality__name", "kind", "short_name")
    )


def can_build_on(user, source: Roadmap) -> bool:
    """Whether «Создать план на основе» of `source` leads anywhere for this user: the plan is
    an approved plan above school level and the user writes for a body one level below it
    (the same rule as `template_error`, asked of the database in one query)."""
    if source.status != Roadmap.Status.APPROVED or source.owner.is_school:
        return False
    owners = template_owners(user).filter(region_id=source.owner.region_id)
    if source.owner.level == Organization.Level.MUNICIPALITY:
        owners = owners.filter(
            kind=Organization.Kind.SCHOOL, municipality_id=source.owner.municipality_id
        )
    return owners.exists()


def template_error(source: Roadmap, owner: Organization) -> str | None:
    """Why `source` cannot be the basis of a plan of `owner`; None when it can."""
    if source.status != Roadmap.Status.APPROVED:
        return "Основой может быть только утверждённый план."
    if _LEVEL_RANK[source.owner.level] >= _LEVEL_RANK[owner.level]:
        return (
            f"План {quote(source.owner)} не выше уровнем, чем {quote(owner)}: муниципалитет "
            "строит план на основе регионального, школа — на основе муниципального или "
            "регионального."
        )
    if source.owner.region_id != owner.region_id:
        return f"План {quote(source.owner)} относится к другому региону, чем {quote(owner)}."
    if (
        source.owner.level == Organization.Level.MUNICIPALITY
        and source.owner.municipality_id != owner.municipality_id
    ):
        return f"План {quote(source.owner)} относится к другому муниципалитету, чем {quote(owner)}."
    return None


def _sections_in_order(sections: list[Section]):
    """Parents before their subsections, each level in its own order."""
    children: dict[int | None, list[Section]] = {}
    for section in sorted(sections, key=lambda s: (s.position, s.pk)):
        children.setdefault(section.parent_id, []).append(section)

    def walk(parent_id):
        for section in children.get(parent_id, []):
            yield section
            yield from walk(section.pk)

    return list(walk(None))


@transaction.atomic
def create_from_template(
    source: Roadmap, *, owner: Organization, title: str, period: Period, user=None
) -> Roadmap:
    """A new draft plan of `owner` copied from `source`; raises ValueError if it may not be."""
    error = template_error(source, owner)
    if error:
        raise ValueError(error)
    roadmap = editing.create_roadmap(
        owner=owner,
        title=title,
        period=period,
        user=user,
        implements=source,
        reason=f"Создана на основе плана № {source.pk}",
        comment=f"На основе плана {quote(source.title)} ({source.owner}, {source.period_label}).",
    )

    parties = {
        party.pk: Party(
            roadmap=roadmap,
            name=party.name,
            full_name=party.full_name,
            kind=party.kind,
            organization_id=party.organization_id,
            in_glossary=party.in_glossary,
            position=party.position,
        )
        for party in source.parties.all()
    }
    Party.objects.bulk_create(parties.values())

    sections: dict[int, Section] = {}
    for section in _sections_in_order(list(source.sections.all())):
        sections[section.pk] = Section.objects.create(
            roadmap=roadmap,
            parent=sections.get(section.parent_id),
            number=section.number,
            title=section.title,
            position=section.position,
        )

    copies: dict[int, Item] = {}
    for item in source.items.order_by("section__position", "position", "pk"):
        copy = Item(
            roadmap=roadmap,
            section=sections[item.section_id],
            number=item.number,
            title=item.title,
            responsible_text=item.responsible_text,
            result=item.result,
            position=item.position,
            source_item=item,
        )
        copy.apply_deadline(parse_deadline(item.deadline_text, period))
        copies[item.pk] = copy
    bulk_create_with_history(
        list(copies.values()),
        Item,
        default_user=user,
        default_change_reason=f"Создано на основе плана № {source.pk}",
    )

    ItemResponsible.objects.bulk_create(
        ItemResponsible(item=copies[item_id], party=parties[party_id], position=position)
        for item_id, party_id, position in ItemResponsible.objects.filter(
            item__roadmap=source
        ).values_list("item_id", "party_id", "position")
    )
    Through = Item.directions.through
    Through.objects.bulk_create(
        Through(item_id=copies[item_id].pk, direction_id=direction_id)
        for item_id, direction_id in Through.objects.filter(item__roadmap=source).values_list(
            "item_id", "direction_id"
        )
    )
    store_occurrences(copies.values(), period)
    return roadmap
