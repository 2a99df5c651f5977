"""Plain `make_*` helpers: each sets sensible defaults and takes any field as a keyword."""

import itertools

from django.contrib.auth import get_user_model

from orgs.models import Membership, Municipality, Organization, Region

_counter = itertools.count(1)


def make_region(code="47", **kwargs):
    region = Region.objects.filter(code=code).first()
    if region:
        return region
    kwargs.setdefault("name", f"Регион {code}")
    return Region.objects.create(code=code, **kwargs)


def make_municipality(region=None, **kwargs):
    kwargs.setdefault("name", f"Район {next(_counter)}")
    return Municipality.objects.create(region=region or make_region(), **kwargs)


def make_organization(**kwargs):
    n = next(_counter)
    municipality = kwargs.get("municipality")
    kwargs.setdefault("region", municipality.region if municipality else make_region())
    kwargs.setdefault("kind", Organization.Kind.OTHER)
    kwargs.setdefault("short_name", f"Организация {n}")
    kwargs.setdefault("name", f"Полное наименование организации {n}")
    return Organization.objects.create(**kwargs)


def make_school(municipality=None, **kwargs):
    municipality = municipality or make_municipality()
    n = next(_counter)
    kwargs.setdefault("short_name", f"МБОУ «СОШ № {n}»")
    kwargs.setdefault("name", f"Муниципальное бюджетное общеобразовательное учреждение № {n}")
    kwargs.setdefault("teaches_noo", True)
    kwargs.setdefault("teaches_ooo", True)
    kwargs.setdefault("teaches_soo", True)
    return make_organization(kind=Organization.Kind.SCHOOL, municipality=municipality, **kwargs)


def make_user(username=None, **kwargs):
    username = username or f"user{next(_counter)}"
    password = kwargs.pop("password", "pass-for-tests")
    user = get_user_model().objects.create(username=username, **kwargs)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def make_member(organization, role, username=None):
    user = make_user(username)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def make_roadmap(owner, **kwargs):
    import datetime

    from roadmaps.models import Roadmap

    kwargs.setdefault(
        "title", f"План мероприятий («дорожная карта») {owner.short_name} на 2024 год"
    )
    kwargs.setdefault("period_start", datetime.date(2024, 1, 1))
    kwargs.setdefault("period_end", datetime.date(2024, 12, 31))
    return Roadmap.objects.create(owner=owner, **kwargs)


def make_section(roadmap, **kwargs):
    from roadmaps.models import Section

    position = roadmap.sections.count() + 1
    kwargs.setdefault("number", str(position))
    kwargs.setdefault("title", f"Раздел {position}")
    kwargs.setdefault("position", position)
    return Section.objects.create(roadmap=roadmap, **kwargs)


def make_item(section, **kwargs):
    from roadmaps.models import Item

    position = section.items.count() + 1
    kwargs.setdefault("number", f"{section.number}.{position}")
    kwargs.setdefault("title", f"Мероприятие {section.number}.{position}")
    kwargs.setdefault("deadline_text", "в течение года")
    kwargs.setdefault("deadline_kind", "continuous")
    kwargs.setdefault("deadline_start", section.roadmap.period_start)
    kwargs.setdefault("deadline_end", section.roadmap.period_end)
    kwargs.setdefault("position", position)
    return Item.objects.create(roadmap=section.roadmap, section=section, **kwargs)


def make_party(roadmap, name, **kwargs):
    from roadmaps.models import Party

    kwargs.setdefault("position", roadmap.parties.count())
    return Party.objects.create(roadmap=roadmap, name=name, **kwargs)


def add_responsible(item, *parties):
    """Make `parties` answer for `item`, in this order."""
    from roadmaps.models import ItemResponsible

    for position, party in enumerate(parties):
        ItemResponsible.objects.create(item=item, party=party, position=position)


SAMPLE_SECTIONS = [
    ("1", "Организационно-управленческое сопровождение", None),
    ("2", "Научно-методическое сопровождение", None),
    ("2.1", "Мероприятия по повышению квалификации руководящих и педагогических кадров", "2"),
    ("2.2", "Постоянно действующий семинар проекта «Школа Минпросвещения России»", "2"),
    ("3", "Информационное сопровождение", None),
    ("4", "Мониторинг реализации проекта", None),
]
SAMPLE_TITLES = [
    "Проведение совещания с муниципальными координаторами по вопросам реализации Проекта",
    "Организация участия общеобразовательных организаций в самодиагностике",
    "Актуализация информации раздела «Школа Минпросвещения России» на официальном сайте",
    "Консультирование управленческих команд по разработке программ развития на основе "
    "результатов самодиагностики с участием муниципальных кураторов и методистов",
    "Организация и проведение семинара по направлениям Проекта:\n"
    "• Знание: качество и объективность;\n• Воспитание;\n• Здоровье",
]
SAMPLE_DEADLINES = [
    "Февраль-март",
    "до 15 октября 2024",
    "в течение года",
    "2 раза в год",
    "по отдельному графику",
    "14.02, 15.02, 20.02.2024",
    "2 квартал",
]


def make_sample_plan(owner, items=150, **kwargs):
    """A plan that looks like a published one: sections, subsections, a glossary, every kind of
    deadline, multi-line titles. Item k is numbered within its section and its title ends with
    «(мероприятие k)», so each one can be found in an export."""
    from roadmaps.deadlines import parse_deadline
    from roadmaps.occurrences import store_occurrences

    roadmap = make_roadmap(owner, **kwargs)
    period = roadmap.period
    parties = [
        make_party(roadmap, "ИРОСО", full_name="Институт развития образования", in_glossary=True),
        make_party(roadmap, "ОМСУ", full_name="Органы местного самоуправления", in_glossary=True),
        make_party(roadmap, "ОО", full_name="Общеобразовательные организации", in_glossary=True),
        make_party(roadmap, "ММС"),
    ]
    sections = {}
    for position, (number, title, parent) in enumerate(SAMPLE_SECTIONS, start=1):
        sections[number] = make_section(
            roadmap, number=number, title=title, parent=sections.get(parent), position=position
        )
    # Section 2 keeps its items in its subsections, as the Leningrad plan does.
    holders = [section for number, section in sections.items() if number != "2"]
    for k in range(1, items + 1):
        section = holders[(k - 1) * len(holders) // items]
        item = make_item(
            section,
            title=f"{SAMPLE_TITLES[k % len(SAMPLE_TITLES)]} (мероприятие {k})",
            result=f"Информационно-аналитическая справка № {k}",
        )
        item.apply_deadline(parse_deadline(SAMPLE_DEADLINES[k % len(SAMPLE_DEADLINES)], period))
        item.save()
        add_responsible(item, *parties[k % 3 : k % 3 + 1 + k % 2])
    # As every write path does: «2 раза в год» and «14.02, 15.02, 20.02.2024» are periodic.
    store_occurrences(roadmap.items.all(), period)
    return roadmap


def make_report(item, **kwargs):
    """An execution report; through roadmaps.execution.add_report, so the item follows it."""
    import datetime

    from roadmaps.execution import add_report

    kwargs.setdefault("author", None)
    kwargs.setdefault("status", "in_progress")
    kwargs.setdefault("date", datetime.date(2024, 3, 1))
    # A report must say something: add_report refuses an empty one.
    kwargs.setdefault("comment", "Проведено по плану")
    return add_report(item, **kwargs)


def make_small_plan(owner, status="draft", **kwargs):
    """A plan with one section, one item and one responsible party, in the given status."""
    roadmap = make_roadmap(owner, status=status, **kwargs)
    party = make_party(
        roadmap, "ИМЦ", full_name="Информационно-методический центр", in_glossary=True
    )
    section = make_section(roadmap, number="1.", title="Организационные мероприятия")
    item = make_item(section, number="1.1.", title="Совещание с координаторами проекта")
    add_responsible(item, party)
    return roadmap


# Self-diagnosis ------------------------------------------------------------------------------

SMALL_METHODOLOGY = {
    "version": "test-small",
    "name": "Тестовая методика самодиагностики",
    "thresholds": {"mode": "share", "base": 0.5, "medium": 0.7, "high": 0.85},
    "option_sets": {
        "yes_no": [
            {"code": "no", "label": "нет", "points": 0},
            {"code": "yes", "label": "да", "points": 1},
        ],
        "partial": [
            {"code": "no", "label": "нет", "points": 0},
            {"code": "partly", "label": "частично", "points": 1},
            {"code": "full", "label": "да, в полном объёме", "points": 2},
        ],
    },
    "directions": [
        {
            "code": "znanie",
            "name": "Знание",
            "group": "direction",
            "thresholds": {"mode": "share", "base": 0.5, "medium": 0.7, "high": 0.85},
        },
        {
            "code": "vospitanie",
            "name": "Воспитание",
            "group": "direction",
            "thresholds": {"mode": "share", "base": 0.5, "medium": 0.7, "high": 0.85},
        },
        {
            "code": "sreda",
            "name": "Образовательная среда",
            "group": "condition",
            "thresholds": {"mode": "points", "base": 1, "medium": 2, "high": 3},
        },
    ],
    "indicators": [
        {
            "code": "Z1",
            "direction": "znanie",
            "wording": "Реализация федеральных рабочих программ по учебным предметам",
            "options": "yes_no",
            "critical": True,
        },
        {
            "code": "Z2",
            "direction": "znanie",
            "wording": "Реализация курсов внеурочной деятельности",
            "options": "partial",
        },
        {
            "code": "Z3",
            "direction": "znanie",
            "wording": "Реализация профильного обучения в 10–11 классах",
            "options": "yes_no",
            "applies_to": {"levels": ["СОО"]},
        },
        {
            "code": "V1",
            "direction": "vospitanie",
            "wording": "Реализация рабочей программы воспитания",
            "options": "partial",
        },
        {
            "code": "V2",
            "direction": "vospitanie",
            "wording": "Воспитательная работа с обучающимися с ОВЗ",
            "options": "yes_no",
            "applies_to": {"ovz": True},
        },
        {
            "code": "S1",
            "direction": "sreda",
            "wording": "Использование ФГИС «Моя школа»",
            "options": "partial",
        },
        {
            "code": "S2",
            "direction": "sreda",
            "wording": "Высокоскоростной доступ к сети Интернет",
            "options": "yes_no",
        },
    ],
}


def make_methodology(data=None, **overrides):
    """A methodology in the database; by default the small one above (3 directions, 7 indicators).

    `make_methodology(demo=True)` loads the demonstration methodology (114 indicators).
    """
    import copy

    from selfdiag.loading import load_demo, save_methodology
    from selfdiag.methodology import parse_methodology

    if overrides.pop("demo", False):
        return load_demo()
    data = copy.deepcopy(data or SMALL_METHODOLOGY)
    data.update(overrides)
    return save_methodology(parse_methodology(data), source=data).methodology


def make_round(region, schools, methodology=None, **kwargs):
    import datetime

    from selfdiag.models import Round

    kwargs.setdefault("name", f"Самодиагностика {next(_counter)}")
    kwargs.setdefault("opens_on", datetime.date(2025, 3, 1))
    kwargs.setdefault("closes_on", datetime.date(2025, 4, 30))
    round_ = Round.objects.create(
        region=region, methodology=methodology or make_methodology(), **kwargs
    )
    round_.schools.set(schools)
    return round_


def make_submission(round_, school, answers=None, status="draft", by=None, comment=""):
    """A school's submission with answers (indicator code -> option code), in any status.

    Sent statuses are scored the way submitting scores them.
    """
    from django.utils import timezone

    from selfdiag.models import Answer, Option, Submission
    from selfdiag.results import store_results

    submission = Submission.objects.create(round=round_, school=school)
    options = {
        (indicator, code): (indicator_id, pk)
        for pk, code, indicator_id, indicator in Option.objects.filter(
            indicator__methodology_id=round_.methodology_id
        ).values_list("pk", "code", "indicator_id", "indicator__code")
    }
    Answer.objects.bulk_create(
        Answer(
            submission=submission,
            indicator_id=options[(code, option)][0],
            option_id=options[(code, option)][1],
        )
        for code, option in (answers or {}).items()
    )
    if status == "draft":
        return submission
    # As Submission.submit writes, without its checks: a test may want any state.
    submission.mark_submitted(by=by, at=timezone.now())
    submission.save()
    store_results([submission])
    submission.refresh_from_db()
    if status == "accepted":
        submission.accept(by=by)
    elif status == "returned":
        submission.return_for_correction(by=by, comment=comment or "Проверьте ответы.")
    return submission


def make_api_client(user=None):
    """A DRF test client, logged in (by session) when given a user."""
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def make_token(user):
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=user)


def calendar_feed_token(user):
    """The user's calendar key, made once per user object (privacy rows build URLs twice)."""
    if not hasattr(user, "_calendar_feed_token"):
        from reports.models import CalendarFeedToken

        user._calendar_feed_token = CalendarFeedToken.issue(user)
    return user._calendar_feed_token


def make_scored_submissions(round_, answers_by_school):
    """Sent submissions of many schools at once ({school: {indicator: option}}), scored together
    the way submitting scores them: a few queries for any number of schools."""
    from django.utils import timezone

    from selfdiag.models import Answer, Option, Submission
    from selfdiag.results import store_results

    options = {
        (indicator, code): (indicator_id, pk)
        for pk, code, indicator_id, indicator in Option.objects.filter(
            indicator__methodology_id=round_.methodology_id
        ).values_list("pk", "code", "indicator_id", "indicator__code")
    }
    now = timezone.now()
    submissions = Submission.objects.bulk_create(
        Submission(
            round=round_,
            school=school,
            status=Submission.Status.SUBMITTED,
            submitted_at=now,
            profile_levels=list(school.education_levels),
            profile_has_ovz=school.has_ovz_pupils,
        )
        for school in answers_by_school
    )
    Answer.objects.bulk_create(
        Answer(
            submission=submission,
            indicator_id=options[(code, option)][0],
            option_id=options[(code, option)][1],
        )
        for submission, answers in zip(submissions, answers_by_school.values(), strict=True)
        for code, option in answers.items()
    )
    store_results(submissions)
    return submissions


def travel_to_september_2025():
    """Round dates typed in tests are of autumn 2025; a round opens within a year of today
    (portal.validators.round_dates_problem), so those tests run on 15 September 2025."""
    import datetime

    import time_machine

    return time_machine.travel(datetime.datetime(2025, 9, 15, 9, tzinfo=datetime.UTC), tick=False)
