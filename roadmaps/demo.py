"""Demo plans: the three published sample roadmaps, imported the way a user would import them."""

from pathlib import Path

from orgs.models import Municipality, Organization, Region
from portal import russian
from portal.russian import ITEMS
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
                f"  план «{roadmap.title[:70]}…»: {russian.count(roadmap.items.count(), ITEMS)}"
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


# The approval workflow in the demo: something waits in the inbox of each demo login.

WORKFLOW_COMMENT = (
    "Добавьте мероприятия по дефицитам направления «Здоровье» из самодиагностики и укажите "
    "ответственных за каждое мероприятие."
)


def _demo_plan(owner, title, period, user, items):
    """A draft plan of `owner` with one section and `items` (title, deadline text, names of the
    responsible, status), written the way the editor writes them."""
    from roadmaps.deadlines import Period
    from roadmaps.editing import add_item, add_section, create_roadmap

    roadmap = create_roadmap(owner=owner, title=title, period=Period(*period), user=user)
    section = add_section(roadmap, title="Организационно-управленческое сопровождение", user=user)
    for item_title, deadline, responsible, status in items:
        add_item(
            section,
            {
                "title": item_title,
                "deadline_text": deadline,
                "result": "",
                "status": status,
                "responsible": responsible,
                "directions": [],
            },
            user=user,
        )
    return roadmap


def seed_workflow(directory, stdout=None):
    """Plans on their way through approval, dated around today: the Gatchina district office's
    approved plan for this year with items due soon and one overdue, its plan for the next
    academic year sent to the region, a Gatchina school's plan sent to the district and the demo
    school's plan returned with a comment. Skipped when the district's plan exists."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from orgs.demo import MUNICIPALITIES

    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["operator", "municipal", "school"])
    }
    if len(users) < 3:
        return
    gatchina = Municipality.objects.get(region=directory["region"], name=MUNICIPALITIES[0][0])
    office = Organization.objects.get(
        municipality=gatchina, kind=Organization.Kind.MUNICIPAL_AUTHORITY
    )
    service = Organization.objects.get(
        municipality=gatchina, kind=Organization.Kind.METHODICAL_SERVICE
    )
    schools = list(
        Organization.objects.filter(municipality=gatchina, kind=Organization.Kind.SCHOOL).order_by(
            "short_name"
        )
    )
    today = timezone.localdate()
    year = today.year
    title = (
        "План мероприятий («дорожная карта») по реализации проекта «Школа Минпросвещения "
        f"России» в Гатчинском муниципальном округе на {year} год"
    )
    if Roadmap.objects.filter(owner=office, title=title).exists():
        if stdout is not None:
            stdout.write("  согласование: планы уже загружены")
        return
    operator, municipal, school_user = users["operator"], users["municipal"], users["school"]

    def day(offset):
        return f"до {today + datetime.timedelta(days=offset):%d.%m.%Y}"

    names = [office.short_name, service.short_name]
    current = _demo_plan(
        office,
        title,
        (datetime.date(year, 1, 1), datetime.date(year, 12, 31)),
        municipal,
        [
            (
                "Совещание с руководителями школ по итогам самодиагностики",
                day(-6),
                names,
                "in_progress",
            ),
            ("Сбор отчётов школ об исполнении дорожных карт", day(4), names[:1], "not_started"),
            (
                "Семинар для управленческих команд школ «Школьный климат»",
                day(11),
                names[1:],
                "not_started",
            ),
            ("Мониторинг сайтов школ (раздел проекта)", day(-20), names[:1], "done"),
            ("Итоговая конференция муниципальных команд", "декабрь", names, "not_started"),
        ],
    )
    current.submit(by=municipal)
    current.approve(
        by=operator,
        kind="распоряжение",
        number=f"{year}-47-12",
        date=today - datetime.timedelta(days=30),
        name="Н. В. Андреева",
        position="Председатель комитета образования администрации Гатчинского МО",
    )

    next_year = _demo_plan(
        office,
        "План мероприятий («дорожная карта») по реализации проекта «Школа Минпросвещения "
        f"России» в Гатчинском муниципальном округе на {year}/{year + 1} учебный год",
        (datetime.date(year, 9, 1), datetime.date(year + 1, 8, 31)),
        municipal,
        [
            ("Участие школ в самодиагностике", "октябрь-ноябрь", names, "not_started"),
            (
                "Методические дни ММС по направлению «Здоровье»",
                "ежеквартально",
                names[1:],
                "not_started",
            ),
        ],
    )
    next_year.submit(by=municipal)

    if len(schools) >= 2:
        school, sibling = schools[0], schools[1]
        period = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        sibling_plan = _demo_plan(
            sibling,
            f"Дорожная карта {sibling.short_name} на {year} год",
            period,
            municipal,
            [("Педагогический совет по итогам самодиагностики", "ноябрь", [], "not_started")],
        )
        sibling_plan.submit(by=municipal)
        school_plan = _demo_plan(
            school,
            f"Дорожная карта {school.short_name} на {year} год",
            period,
            school_user,
            [("Разработка программы развития школы", "в течение года", [], "in_progress")],
        )
        school_plan.submit(by=school_user)
        school_plan.return_for_revision(by=municipal, comment=WORKFLOW_COMMENT)
    if stdout is not None:
        stdout.write(
            "  согласование: план Гатчинского МО утверждён, план на учебный год и план школы "
            "на согласовании, план демо-школы возвращён на доработку"
        )
