"""Demo plans: the three published sample roadmaps, imported the way a user would import them."""

from pathlib import Path

from orgs.models import Municipality, Organization, Region
from roadmaps.importers import parse_document
from roadmaps.importing import save_parsed_roadmap
from roadmaps.models import Item, ItemOccurrence, Roadmap
from roadmaps.occurrences import refresh_next_due

DATA = Path(__file__).resolve().parent / "demo_data"


def _body(region_code, short_name, name, kind, municipality=None):
    region = Region.objects.get(code=region_code)
    organization, _ = Organization.objects.update_or_create(
        region=region,
        municipality=municipality,
        short_name=short_name,
        defaults={"name": name, "kind": kind},
    )
    return organization


def _import_once(filename, owner, *, status):
    existing = Roadmap.objects.filter(owner=owner, source_filename=filename).first()
    if existing:
        return existing, False
    parsed = parse_document(DATA / filename, filename=filename)
    roadmap = save_parsed_roadmap(parsed, owner=owner, filename=filename)
    if status != roadmap.status:
        roadmap.status = status
        roadmap.save(update_fields=["status"])
    return roadmap, True


def seed_roadmaps(directory, stdout=None):
    leningrad_owner = directory["bodies"]["koipo"]
    spb = Region.objects.get(code="78")
    kirovsky, _ = Municipality.objects.update_or_create(
        region=spb, name="Кировский район", defaults={"kind": Municipality.Kind.CITY_DISTRICT}
    )
    kirovsky_office = _body(
        "78",
        "Отдел образования Кировского района",
        "Отдел образования администрации Кировского района Санкт-Петербурга",
        Organization.Kind.MUNICIPAL_AUTHORITY,
        municipality=kirovsky,
    )
    _body(
        "78",
        "ИМЦ",
        "ГБУ ДППО ЦПКС «Информационно-методический центр» Кировского района Санкт-Петербурга",
        Organization.Kind.METHODICAL_SERVICE,
        municipality=kirovsky,
    )
    tyumen_owner = _body(
        "72",
        "ДОН ТО",
        "Департамент образования и науки Тюменской области",
        Organization.Kind.REGIONAL_AUTHORITY,
    )
    _body(
        "72",
        "ТОГИРРО",
        "ГАОУ ТО ДПО «Тюменский областной государственный институт развития регионального "
        "образования»",
        Organization.Kind.REGIONAL_OPERATOR,
    )
    plans = [
        ("leningrad-oblast-2023-2024.txt", leningrad_owner, Roadmap.Status.APPROVED),
        ("spb-kirovsky-2024.docx", kirovsky_office, Roadmap.Status.APPROVED),
        ("tyumen-oblast-2024.xlsx", tyumen_owner, Roadmap.Status.APPROVED),
    ]
    for filename, owner, status in plans:
        roadmap, created = _import_once(filename, owner, status=status)
        if created:
            _mark_progress(roadmap)
        if stdout is not None:
            stdout.write(
                f"  план «{roadmap.title[:70]}…»: {roadmap.items.count()} мероприятий"
                + ("" if created else " (уже загружен)")
            )


def _mark_progress(roadmap):
    """Past plans: most of their items done, a few left undone so monitoring shows overdue."""
    items = list(roadmap.items.order_by("position"))
    for index, item in enumerate(items):
        if index % 7 == 3:
            item.status = Item.Status.IN_PROGRESS
        elif index % 11 == 5:
            item.status = Item.Status.NOT_STARTED
        else:
            item.status = Item.Status.DONE
    Item.objects.bulk_update(items, ["status"])
    # A periodic item's periods agree with it: all done, or the first one done while it goes on.
    rows = ItemOccurrence.objects.filter(item__roadmap=roadmap)
    rows.filter(item__status=Item.Status.DONE).update(status=Item.Status.DONE)
    rows.filter(item__status=Item.Status.IN_PROGRESS, index=0).update(status=Item.Status.DONE)
    refresh_next_due(items)
