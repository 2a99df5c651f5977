"""The roadmaps API beside the editor's pages: a plan's parties and glossary, its history log,
the deadline preview, and the roll-up of an item to the plans made from it.

Each endpoint answers as its page does: the same rules, the same data, the same scope.
Plans of the cast:
- school: the Gatchina school's draft, one section, one item naming the party «ИМЦ»;
- sibling: the other Gatchina school's plan, approved, the same shape;
- other: the Luga school's plan, on review, the same shape;
- foreign: the outsider's school draft.
"""

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roadmaps.cascade import create_from_template
from roadmaps.deadlines import Period
from roadmaps.models import Item, Party, Roadmap
from tests.factories import (
    add_responsible,
    make_item,
    make_party,
    make_report,
    make_roadmap,
    make_school,
    make_section,
    make_small_plan,
)

ROLES = ("anonymous", "operator", "municipal", "school", "viewer", "outsider", "superuser")

# Who sees the school's plan: its school, district and region, a viewer of the region.
READERS = [
    ("anonymous", 401),
    ("operator", 200),
    ("municipal", 200),
    ("school", 200),
    ("viewer", 200),
    ("outsider", 404),
    ("superuser", 200),
]

READ_ONLY = "У вас есть доступ к этому плану только для чтения."


@dataclass
class Plans:
    school: Roadmap
    sibling: Roadmap
    other: Roadmap
    foreign: Roadmap


@pytest.fixture
def plans(world):
    return Plans(
        school=make_small_plan(world.school),
        sibling=make_small_plan(world.sibling_school, status="approved"),
        other=make_small_plan(world.other_school, status="review"),
        foreign=make_small_plan(world.foreign_school),
    )


def _results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# Parties and glossary


def _parties_url(roadmap, party=None):
    if party is None:
        return reverse("api:roadmap-party-list", args=[roadmap.pk])
    return reverse("api:roadmap-party-detail", args=[roadmap.pk, party.pk])


@pytest.mark.parametrize(("role", "status"), READERS)
def test_the_plans_parties_are_read_by_everyone_who_sees_the_plan(role, status, api, plans):
    party = plans.school.parties.get()
    assert api(role).get(_parties_url(plans.school)).status_code == status
    assert api(role).get(_parties_url(plans.school, party)).status_code == status


def test_parties_are_listed_as_on_the_glossary_page_glossary_first_with_item_counts(
    api, plans, world
):
    make_party(plans.school, "Классные руководители", kind="role", position=0)
    make_party(plans.school, "КОиПО", full_name="Комитет", in_glossary=True, position=5)
    rows = _results(api("municipal").get(_parties_url(plans.school)))
    assert [(r["name"], r["in_glossary"], r["item_count"]) for r in rows] == [
        ("ИМЦ", True, 1),
        ("КОиПО", True, 0),
        ("Классные руководители", False, 0),
    ]
    assert rows[0]["full_name"] == "Информационно-методический центр"
    assert rows[2]["kind"] == "role"


def test_a_party_of_another_plan_is_not_found_under_this_one(api, plans):
    other_party = plans.sibling.parties.get()
    response = api("operator").get(_parties_url(plans.school, other_party))
    assert response.status_code == 404
    assert response.json()["detail"] == "Не найдено или недоступно."


def test_the_outsider_is_told_not_found_in_russian(api, plans):
    response = api("outsider").get(_parties_url(plans.school))
    assert response.status_code == 404
    assert response.json()["detail"] == "Не найдено или недоступно."


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("operator", 201),
        ("municipal", 201),
        ("school", 201),
        ("viewer", 403),
        ("outsider", 404),
        ("superuser", 201),
    ],
)
def test_a_party_is_added_by_those_who_write_for_the_owner(role, status, api, plans):
    before = Party.objects.count()
    response = api(role).post(
        _parties_url(plans.school),
        {"name": "ППк", "full_name": "Психолого-педагогический консилиум"},
    )
    assert response.status_code == status, response.content
    if status == 201:
        party = Party.objects.get(roadmap=plans.school, name="ППк")
        assert response.json()["id"] == party.pk
        assert Party.objects.count() == before + 1
    else:
        assert Party.objects.count() == before
    if role == "viewer":
        assert response.json()["detail"] == READ_ONLY


def test_a_new_party_goes_last_into_the_glossary_with_its_spaces_collapsed(api, plans):
    response = api("school").post(
        _parties_url(plans.school),
        {"name": "  Методист   ИМЦ ", "full_name": "Методист ИМЦ Гатчины"},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["name"], data["in_glossary"], data["kind"]) == (
        "Методист ИМЦ",
        True,
        "organization",
    )
    assert data["item_count"] == 0
    assert data["position"] > plans.school.parties.get(name="ИМЦ").position


def test_a_new_party_stays_out_of_the_glossary_when_asked(api, plans):
    response = api("school").post(
        _parties_url(plans.school), {"name": "Педагоги", "in_glossary": False}, format="json"
    )
    assert response.status_code == 201
    assert Party.objects.get(pk=response.json()["id"]).in_glossary is False


def test_a_duplicate_name_is_refused_and_nothing_is_added(api, plans):
    before = Party.objects.count()
    response = api("school").post(_parties_url(plans.school), {"name": " ИМЦ  "}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["Обозначение «ИМЦ» уже есть в этом плане."]}
    assert Party.objects.count() == before


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"name": ""},
        {"name": "x" * 301},
        {"name": "ППк", "kind": "planet"},
        {"name": "ППк", "organization": "школа"},
    ],
)
def test_bad_party_input_is_a_bad_request_and_adds_nothing(payload, api, plans):
    before = Party.objects.count()
    response = api("school").post(_parties_url(plans.school), payload, format="json")
    assert response.status_code == 400
    assert Party.objects.count() == before


def test_a_party_is_linked_to_a_directory_organization_only_within_the_users_scope(
    api, plans, world
):
    party = plans.school.parties.get()
    client = api("municipal")
    linked = client.patch(
        _parties_url(plans.school, party), {"organization": world.omsu.pk}, format="json"
    )
    assert linked.status_code == 200, linked.content
    assert linked.json()["organization_name"] == "Комитет образования Гатчинского МО"
    refused = client.patch(
        _parties_url(plans.school, party), {"organization": world.foreign_school.pk}, format="json"
    )
    assert refused.status_code == 400
    assert "organization" in refused.json()
    party.refresh_from_db()
    assert party.organization == world.omsu


def test_a_school_of_another_district_is_not_in_the_directory_the_page_offers(api, plans, world):
    response = api("operator").patch(
        _parties_url(plans.school, plans.school.parties.get()),
        {"organization": world.other_school.pk},
        format="json",
    )
    assert response.status_code == 400
    assert plans.school.parties.get().organization is None


def test_renaming_a_party_rewrites_the_items_that_name_it_with_a_history_reason(api, plans, world):
    party = plans.school.parties.get()
    item = plans.school.items.get()
    response = api("municipal").patch(
        _parties_url(plans.school, party), {"name": "ИМЦ Гатчина"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "ИМЦ Гатчина"
    assert response.json()["full_name"] == "Информационно-методический центр"
    assert response.json()["item_count"] == 1
    item.refresh_from_db()
    assert item.responsible_text == "ИМЦ Гатчина"
    latest = item.history.first()
    assert latest.history_user == world.municipal
    assert latest.history_change_reason == "Ответственный «ИМЦ» переименован в «ИМЦ Гатчина»"


def test_put_replaces_the_party_and_keeps_the_items_text_when_the_name_stays(api, plans):
    party = plans.school.parties.get()
    item = plans.school.items.get()
    item.responsible_text = "ИМЦ (методисты)"
    item.save(update_fields=["responsible_text"])
    response = api("school").put(
        _parties_url(plans.school, party),
        {
            "name": "ИМЦ",
            "full_name": "Методический центр",
            "kind": "category",
            "in_glossary": False,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    party.refresh_from_db()
    assert (party.full_name, party.kind, party.in_glossary) == (
        "Методический центр",
        "category",
        False,
    )
    item.refresh_from_db()
    assert item.responsible_text == "ИМЦ (методисты)"


@pytest.mark.parametrize("name", ["имц", "Имц", " иМЦ "])
def test_a_duplicate_in_another_case_is_refused_on_every_database(api, plans, name):
    # SQLite folds the case of Latin letters only; the rule must hold for Cyrillic there too.
    before = Party.objects.count()
    response = api("school").post(_parties_url(plans.school), {"name": name}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": [f"Обозначение «{name.strip()}» уже есть в этом плане."]}
    assert Party.objects.count() == before


def test_a_party_keeps_its_own_name_in_another_case(api, plans):
    party = plans.school.parties.get(name="ИМЦ")
    response = api("school").patch(
        _parties_url(plans.school, party), {"name": "Имц"}, format="json"
    )
    assert response.status_code == 200, response.content
    party.refresh_from_db()
    assert party.name == "Имц"


def test_renaming_to_another_partys_name_is_refused(api, plans):
    make_party(plans.school, "ОО")
    party = plans.school.parties.get(name="ИМЦ")
    response = api("school").patch(_parties_url(plans.school, party), {"name": "ОО"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["Обозначение «ОО» уже есть в этом плане."]}
    party.refresh_from_db()
    assert party.name == "ИМЦ"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("operator", 200),
        ("municipal", 200),
        ("school", 200),
        ("viewer", 403),
        ("outsider", 404),
        ("superuser", 200),
    ],
)
def test_a_party_is_edited_by_those_who_write_for_the_owner(role, status, api, plans):
    party = plans.school.parties.get()
    response = api(role).patch(
        _parties_url(plans.school, party), {"full_name": "Новое наименование"}, format="json"
    )
    assert response.status_code == status
    party.refresh_from_db()
    assert (party.full_name == "Новое наименование") is (status == 200)


@pytest.mark.parametrize(
    ("plan", "words"),
    [("sibling", ["утверждён", "новую версию"]), ("other", ["на согласовании"])],
)
def test_a_frozen_plans_parties_are_not_changed_and_the_answer_says_why(plan, words, api, plans):
    roadmap = getattr(plans, plan)
    party = roadmap.parties.get()
    make_party(roadmap, "Неиспользуемое")
    client = api("operator")
    unused = roadmap.parties.get(name="Неиспользуемое")
    before = list(Party.objects.order_by("pk").values())
    responses = [
        client.post(_parties_url(roadmap), {"name": "ППк"}, format="json"),
        client.patch(_parties_url(roadmap, party), {"name": "ИМЦ-2"}, format="json"),
        client.put(_parties_url(roadmap, party), {"name": "ИМЦ-2"}, format="json"),
        client.delete(_parties_url(roadmap, unused)),
    ]
    for response in responses:
        assert response.status_code == 403
        assert all(word in response.json()["detail"] for word in words)
    assert list(Party.objects.order_by("pk").values()) == before


def test_a_party_named_in_items_is_not_deleted_and_the_answer_says_why(api, plans):
    party = plans.school.parties.get()
    response = api("school").delete(_parties_url(plans.school, party))
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "«ИМЦ» указан ответственным в мероприятиях (1); сначала уберите его из них."
    )
    assert Party.objects.filter(pk=party.pk).exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("operator", 204),
        ("municipal", 204),
        ("school", 204),
        ("viewer", 403),
        ("outsider", 404),
        ("superuser", 204),
    ],
)
def test_an_unused_party_is_deleted_by_those_who_write_for_the_owner(role, status, api, plans):
    party = make_party(plans.school, "ГИА")
    assert api(role).delete(_parties_url(plans.school, party)).status_code == status
    assert Party.objects.filter(pk=party.pk).exists() is (status != 204)


def test_the_party_list_queries_do_not_grow_with_the_parties(
    api, plans, django_assert_max_num_queries
):
    client = api("municipal")
    with CaptureQueriesContext(connection) as small:
        assert client.get(_parties_url(plans.school)).status_code == 200
    section = plans.school.sections.get()
    for n in range(40):
        party = make_party(plans.school, f"Исполнитель {n}")
        add_responsible(make_item(section), party)
    with django_assert_max_num_queries(len(small)):
        response = client.get(_parties_url(plans.school))
    assert response.json()["count"] == 41


# The history log


def _history_url(roadmap):
    return reverse("api:roadmap-history", args=[roadmap.pk])


def _edit_the_school_plan(api, plans):
    client = api("school")
    item = plans.school.items.get()
    section = plans.school.sections.get()
    client.patch(
        reverse("api:roadmap-item-detail", args=[plans.school.pk, item.pk]),
        {"title": "Название после правки"},
        format="json",
    )
    client.patch(
        reverse("api:roadmap-section-detail", args=[plans.school.pk, section.pk]),
        {"title": "Раздел после правки"},
        format="json",
    )


@pytest.mark.parametrize(("role", "status"), READERS)
def test_the_history_is_read_by_everyone_who_sees_the_plan(role, status, api, plans):
    assert api(role).get(_history_url(plans.school)).status_code == status


def test_the_history_lists_changes_newest_first_with_old_and_new_values(api, plans):
    _edit_the_school_plan(api, plans)
    rows = _results(api("viewer").get(_history_url(plans.school)))
    assert [(row["kind"], row["action"]) for row in rows[:2]] == [
        ("section", "изменено"),
        ("item", "изменено"),
    ]
    item_change = rows[1]
    assert item_change["user"] == "school"
    assert item_change["object_id"] == plans.school.items.get().pk
    assert item_change["label"] == "Мероприятие 1.1. Название после правки"
    assert {
        "label": "мероприятие",
        "old": "Совещание с координаторами проекта",
        "new": "Название после правки",
    } in item_change["changes"]
    assert rows[-1]["action"] == "создано"


def test_the_history_holds_the_same_rows_as_the_history_page(api, plans, world, client_for):
    _edit_the_school_plan(api, plans)
    page = client_for(world.municipal).get(
        reverse("roadmaps:roadmap-history", args=[plans.school.pk])
    )
    rows = _results(api("municipal").get(_history_url(plans.school)))
    assert len(rows) == len(page.context["rows"]) >= 4
    for row, shown in zip(rows, page.context["rows"], strict=True):
        assert datetime.datetime.fromisoformat(row["when"]) == shown["when"]
        for key in ("user", "kind", "action", "label", "changes", "reason"):
            assert row[key] == shown[key]


def test_the_history_comes_in_pages(api, plans):
    _edit_the_school_plan(api, plans)
    client = api("school")
    everything = _results(client.get(_history_url(plans.school)))
    first = client.get(_history_url(plans.school), {"page_size": 2}).json()
    second = client.get(_history_url(plans.school), {"page_size": 2, "page": 2}).json()
    assert first["count"] == len(everything)
    assert first["next"]
    assert first["results"] + second["results"] == everything[:4]
    assert client.get(_history_url(plans.school), {"page": 99}).status_code == 404


def test_the_history_of_a_plan_outside_the_scope_is_not_found(api, plans):
    response = api("school").get(_history_url(plans.sibling))
    assert response.status_code == 404
    assert response.json()["detail"] == "Не найдено или недоступно."


def test_the_history_queries_do_not_grow_with_the_page_size(
    api, plans, django_assert_max_num_queries
):
    client = api("school")
    section = plans.school.sections.get()
    for n in range(30):
        item = make_item(section, title=f"Новое {n}")
        client.patch(
            reverse("api:roadmap-item-detail", args=[plans.school.pk, item.pk]),
            {"title": f"Правка {n}"},
            format="json",
        )
    with CaptureQueriesContext(connection) as small:
        assert client.get(_history_url(plans.school), {"page_size": 5}).status_code == 200
    with django_assert_max_num_queries(len(small)):
        response = client.get(_history_url(plans.school), {"page_size": 60})
    assert len(response.json()["results"]) == 60


# The deadline preview


def _preview(client, roadmap, text=None):
    params = {} if text is None else {"text": text}
    return client.get(reverse("api:roadmap-deadline-preview", args=[roadmap.pk]), params)


@pytest.mark.parametrize(("role", "status"), READERS)
def test_the_deadline_preview_answers_everyone_who_sees_the_plan(role, status, api, plans):
    assert _preview(api(role), plans.school, "май").status_code == status


def test_the_deadline_preview_reads_a_phrase_against_the_plans_year(api, plans):
    data = _preview(api("viewer"), plans.school, "Февраль-март").json()
    assert data == {
        "text": "Февраль-март",
        "kind": "dates",
        "kind_label": "даты",
        "start": "2024-02-01",
        "end": "2024-03-31",
        "occurrences": 1,
        "note": "",
        "warnings": [],
    }


def test_the_deadline_preview_reads_an_academic_year(api, world):
    plan = make_roadmap(
        world.omsu, period_start=datetime.date(2023, 9, 1), period_end=datetime.date(2024, 8, 31)
    )
    data = _preview(api("municipal"), plan, "Октябрь, февраль").json()
    assert (data["start"], data["end"]) == ("2023-10-01", "2024-02-29")


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "occurrences", "note"),
    [
        ("до 15 октября 2024", "until", None, "2024-10-15", 1, ""),
        ("2 раза в год (5 групп)", "recurring", "2024-01-01", "2024-12-31", 2, "5 групп"),
        ("в течение года", "continuous", "2024-01-01", "2024-12-31", None, ""),
        ("по отдельному графику", "unscheduled", None, None, None, ""),
    ],
)
def test_the_deadline_preview_tells_each_kind_of_deadline(
    text, kind, start, end, occurrences, note, api, plans
):
    data = _preview(api("school"), plans.school, text).json()
    assert (data["kind"], data["start"], data["end"]) == (kind, start, end)
    assert data["note"] == note
    if occurrences is not None:
        assert data["occurrences"] == occurrences


def test_the_deadline_preview_warns_about_a_date_outside_the_period(api, plans):
    data = _preview(api("school"), plans.school, "март 2025").json()
    assert data["kind"] == "dates"
    assert any("выходит за пределы периода" in warning for warning in data["warnings"])


@pytest.mark.parametrize("text", ["Февраль-март", "март 2025", "", "непонятно что", "x" * 700])
def test_the_deadline_preview_says_what_the_editors_preview_says(
    text, api, plans, world, client_for
):
    page = client_for(world.school_user).get(
        reverse("roadmaps:deadline-preview", args=[plans.school.pk]), {"deadline_text": text}
    )
    shown = page.context["deadline"]
    data = _preview(api("school"), plans.school, text).json()
    assert data["text"] == shown["text"]
    assert len(data["text"]) <= 500
    assert (data["kind"], data["kind_label"]) == (shown["kind"], shown["kind_label"])
    assert data["start"] == (shown["start"].isoformat() if shown["start"] else None)
    assert data["end"] == (shown["end"].isoformat() if shown["end"] else None)
    assert (data["occurrences"], data["note"]) == (shown["occurrences"], shown["note"])
    assert data["warnings"] == list(shown["warnings"])


def test_the_deadline_preview_without_text_is_a_deadline_not_given(api, plans):
    data = _preview(api("school"), plans.school).json()
    assert (data["text"], data["kind"], data["start"], data["end"]) == (
        "",
        "unscheduled",
        None,
        None,
    )


def test_the_deadline_preview_of_a_plan_outside_the_scope_is_not_found(api, plans):
    assert _preview(api("school"), plans.sibling, "май").status_code == 404


def test_the_deadline_preview_saves_nothing(api, plans):
    item = plans.school.items.get()
    before = (Item.objects.count(), item.deadline_text, item.lock_version)
    _preview(api("school"), plans.school, "май")
    item.refresh_from_db()
    assert (Item.objects.count(), item.deadline_text, item.lock_version) == before


# The roll-up of an item to the plans made from it


@pytest.fixture
def frozen_today():
    with time_machine.travel(
        datetime.datetime(2024, 5, 15, 12, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield


@pytest.fixture
def copies(world, frozen_today):
    """The regional plan's item «до 30 апреля 2024» copied by the district, by the Gatchina
    school from the district's copy, by the other Gatchina school and by the Luga school;
    the district reported it done, the school in progress. Today is 15 May 2024."""
    period = Period.calendar_year(2024)
    region = make_roadmap(world.institute, status="approved")
    source = make_item(
        make_section(region),
        deadline_text="до 30 апреля 2024",
        deadline_kind="until",
        deadline_start=None,
        deadline_end=datetime.date(2024, 4, 30),
    )
    district = create_from_template(region, owner=world.omsu, title="План ОМСУ", period=period)
    Roadmap.objects.filter(pk=district.pk).update(status="approved")
    district.refresh_from_db()
    school = create_from_template(district, owner=world.school, title="План СОШ 1", period=period)
    create_from_template(region, owner=world.sibling_school, title="План СОШ 2", period=period)
    create_from_template(region, owner=world.other_school, title="План Луги", period=period)

    def copy_in(roadmap):
        return roadmap.items.get(number=source.number)

    make_report(
        copy_in(district),
        status="done",
        date=datetime.date(2024, 4, 20),
        comment="Совещание проведено",
    )
    make_report(
        copy_in(school),
        status="in_progress",
        date=datetime.date(2024, 5, 2),
        comment="Готовим приказ",
    )
    return {"source": source, "region": region, "copy_in": copy_in}


def _rollup(client, item, **params):
    return client.get(reverse("api:item-rollup", args=[item.pk]), params)


ROLLUP_OWNERS = {
    "anonymous": None,
    "operator": {
        "Комитет образования Гатчинского МО",
        "МБОУ «Гатчинская СОШ № 1»",
        "МБОУ «Гатчинская СОШ № 2»",
        "МОУ «Лужская СОШ № 3»",
    },
    # The district and its schools: not Luga.
    "municipal": {
        "Комитет образования Гатчинского МО",
        "МБОУ «Гатчинская СОШ № 1»",
        "МБОУ «Гатчинская СОШ № 2»",
    },
    # Its own copy, and the district's: an approved plan above the school that it implements.
    "school": {"Комитет образования Гатчинского МО", "МБОУ «Гатчинская СОШ № 1»"},
    "viewer": {
        "Комитет образования Гатчинского МО",
        "МБОУ «Гатчинская СОШ № 1»",
        "МБОУ «Гатчинская СОШ № 2»",
        "МОУ «Лужская СОШ № 3»",
    },
    "outsider": None,
    "superuser": {
        "Комитет образования Гатчинского МО",
        "МБОУ «Гатчинская СОШ № 1»",
        "МБОУ «Гатчинская СОШ № 2»",
        "МОУ «Лужская СОШ № 3»",
    },
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_copies_within_its_scope(role, api, copies, frozen_today):
    response = _rollup(api(role), copies["source"])
    if role == "anonymous":
        assert response.status_code == 401
        return
    if role == "outsider":
        assert response.status_code == 404
        assert response.json()["detail"] == "Не найдено или недоступно."
        return
    owners = {row["owner_name"] for row in _results(response)}
    assert owners == ROLLUP_OWNERS[role]
    assert response.json()["summary"]["item_count"] == len(owners)


def test_the_rollup_shows_each_copy_with_its_plan_and_last_report(api, copies, world, frozen_today):
    data = _rollup(api("operator"), copies["source"]).json()
    rows = {row["owner_name"]: row for row in data["results"]}
    assert {
        name: (row["status"], row["last_report_date"], row["is_overdue"])
        for name, row in rows.items()
    } == {
        "Комитет образования Гатчинского МО": ("done", "2024-04-20", False),
        "МБОУ «Гатчинская СОШ № 1»": ("in_progress", "2024-05-02", True),
        "МБОУ «Гатчинская СОШ № 2»": ("not_started", None, True),
        "МОУ «Лужская СОШ № 3»": ("not_started", None, True),
    }
    school = rows["МБОУ «Гатчинская СОШ № 1»"]
    assert school["last_report_comment"] == "Готовим приказ"
    assert (school["roadmap_title"], school["roadmap_status"]) == ("План СОШ 1", "draft")
    assert school["roadmap_period_label"] == "2024 год"
    assert (school["owner"], school["municipality"]) == (world.school.pk, world.municipality.pk)
    assert school["municipality_name"] == "Гатчинский муниципальный округ"
    assert data["summary"] == {
        "item_count": 4,
        "not_started_count": 2,
        "in_progress_count": 1,
        "done_count": 1,
        "cancelled_count": 0,
        "overdue_count": 3,
    }


def test_the_rollup_holds_the_same_rows_and_counts_as_its_page(
    api, copies, world, client_for, frozen_today
):
    page = client_for(world.municipal).get(
        reverse("roadmaps:item-rollup", args=[copies["source"].pk])
    )
    data = _rollup(api("municipal"), copies["source"]).json()
    assert data["summary"] == page.context["counts"]
    shown = list(page.context["page"])
    assert [row["id"] for row in data["results"]] == [copy.pk for copy in shown]
    assert [row["is_overdue"] for row in data["results"]] == [copy.overdue for copy in shown]


def test_the_rollup_comes_in_pages_with_the_counts_of_all_of_them(api, copies, frozen_today):
    client = api("operator")
    everything = _results(_rollup(client, copies["source"]))
    first = _rollup(client, copies["source"], page_size=3).json()
    second = _rollup(client, copies["source"], page_size=3, page=2).json()
    assert (first["count"], len(first["results"]), first["summary"]["item_count"]) == (4, 3, 4)
    assert first["next"] and second["previous"]
    assert first["results"] + second["results"] == everything


def test_the_rollup_of_an_item_without_copies_is_empty(api, plans, frozen_today):
    data = _rollup(api("school"), plans.school.items.get()).json()
    assert (data["count"], data["results"], data["summary"]["item_count"]) == (0, [], 0)


def test_the_rollup_queries_do_not_grow_with_the_copies(
    api, copies, world, django_assert_max_num_queries, frozen_today
):
    client = api("operator")
    with CaptureQueriesContext(connection) as small:
        assert _rollup(client, copies["source"]).status_code == 200
    for _ in range(20):
        school = make_school(world.other_municipality)
        roadmap = create_from_template(
            copies["region"], owner=school, title="План", period=Period.calendar_year(2024)
        )
        make_report(copies["copy_in"](roadmap), status="done", date=datetime.date(2024, 5, 1))
    with django_assert_max_num_queries(len(small)):
        response = _rollup(client, copies["source"])
    assert response.json()["summary"]["item_count"] == 24
    assert len(response.json()["results"]) == 24
