"""A plan's responsible parties and its glossary («Обозначения и сокращения»): who a plan may
link a party to, adding, renaming and deleting parties.

The glossary pages (roadmaps/views.py) and the API (roadmaps/api/) both call here; the rules of
a party's fields themselves (the name's spaces collapsed, no two parties of a plan with the same
name, an organization only from the directory) are `roadmaps.forms.PartyForm`'s.
"""

from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from simple_history.utils import bulk_update_with_history

from orgs.models import Organization
from portal.russian import quote
from roadmaps.models import Item, ItemResponsible, Party, Roadmap, bump_versions

# The fields a party is edited by, on the page and through the API.
PARTY_FIELDS = ["name", "full_name", "kind", "organization", "in_glossary"]


class PartyInUse(Exception):
    """The party answers for items: it cannot leave the plan before they stop naming it."""


def responsible_directory(user, roadmap: Roadmap):
    """Directory bodies a plan can name as responsible: the region's bodies, and the schools
    of the owner's municipality, as far as the user sees them."""
    owner = roadmap.owner
    nearby = Q(region_id=owner.region_id) & ~Q(kind=Organization.Kind.SCHOOL)
    if owner.municipality_id:
        nearby |= Q(municipality_id=owner.municipality_id)
    return (
        Organization.objects.for_user(user)
        .filter(nearby)
        .only("id", "short_name", "name")
        .order_by("short_name")
    )


def parties_named(roadmap: Roadmap, names: list[str], user) -> list[Party]:
    """The plan's parties with these names (matched regardless of case), creating those it does
    not have yet; a name that is a directory organization's short name links the new party to
    it. The item editor and the API's items both name their responsible parties this way."""
    existing = {party.name.casefold(): party for party in roadmap.parties.all()}
    missing = [name for name in names if name.casefold() not in existing]
    if missing:
        directory = {
            org.short_name: org
            for org in Organization.objects.for_user(user).filter(short_name__in=missing)
        }
        position = max((party.position for party in existing.values()), default=-1)
        for offset, name in enumerate(missing, start=1):
            organization = directory.get(name)
            existing[name.casefold()] = Party.objects.create(
                roadmap=roadmap,
                name=name,
                full_name=organization.name if organization else "",
                kind=Party.Kind.ORGANIZATION,
                organization=organization,
                position=position + offset,
            )
    return [existing[name.casefold()] for name in names]


def name_taken(roadmap: Roadmap, name: str, *, but: Party | None = None) -> bool:
    """Whether another party of the plan has this name, regardless of case. Compared in Python:
    SQLite's LIKE and iexact fold the case of Latin letters only, and «имц» is «ИМЦ»."""
    others = roadmap.parties.exclude(pk=but.pk) if but and but.pk else roadmap.parties.all()
    folded = name.casefold()
    return any(other.casefold() == folded for other in others.values_list("name", flat=True))


def parties_of(roadmap: Roadmap):
    """The plan's parties as the glossary lists them: those in the glossary first, each with
    `item_count`, the number of items it answers for."""
    return (
        roadmap.parties.select_related("organization")
        .annotate(item_count=Count("items"))
        .order_by("-in_glossary", "position", "name")
    )


def new_party(roadmap: Roadmap) -> Party:
    """An unsaved party placed after the plan's last one."""
    last = roadmap.parties.aggregate(Max("position"))["position__max"]
    return Party(roadmap=roadmap, position=(last or 0) + 1)


@transaction.atomic
def save_party(party: Party, *, old_name: str, user) -> None:
    """Save an edited party; a new name is carried into the items that name it."""
    party.save(update_fields=PARTY_FIELDS)
    if party.name != old_name:
        rename_in_items(party, old_name, user)


def rename_in_items(party: Party, old_name: str, user) -> None:
    """Items list their responsible parties as text too; keep that text in step."""
    items = list(
        Item.objects.filter(itemresponsible__party=party).prefetch_related(
            Prefetch(
                "itemresponsible_set",
                queryset=ItemResponsible.objects.select_related("party").order_by("position"),
            )
        )
    )
    for item in items:
        item.responsible_text = ", ".join(
            link.party.name for link in item.itemresponsible_set.all()
        )
    bulk_update_with_history(
        items,
        Item,
        ["responsible_text"],
        default_user=user,
        default_change_reason=f"Ответственный {quote(old_name)} переименован в {quote(party.name)}",
    )
    # The items name the party by its new name now: a form opened before is stale.
    bump_versions(Item, [item.pk for item in items])


def delete_party(party: Party) -> None:
    """Delete a party no item names; raises PartyInUse, with the words to show, otherwise."""
    used = party.items.count()
    if used:
        raise PartyInUse(
            f"{quote(party.name)} указан ответственным в мероприятиях ({used}); "
            "сначала уберите его из них."
        )
    party.delete()
