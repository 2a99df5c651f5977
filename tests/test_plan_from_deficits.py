"""From deficits to a plan: which plan, proposed rows edited before saving, all or nothing."""

import datetime

import pytest

from roadmaps.models import Item, Roadmap, RoadmapEvent
from selfdiag.plans import SECTION_TITLE
from tests.factories import make_item, make_roadmap, make_round, make_section, make_submission
from tests.test_selfdiag_views import ALL_FULL, url

Z1 = "Реализация федеральных рабочих программ по учебным предметам"
S1 = "Использование ФГИС «Моя школа»"


def form_data(response, target=None, **rows):
    """What the page posts when nothing is changed, with `rows[code]` changes on top (a dict
    of field → value; `include` as True/False)."""
    data = {
        key: value
        for key, value in response.context["rows"].management_form.initial.items()
        if value is not None
    }
    data = {f"rows-{key}": value for key, value in data.items()}
    for form in response.context["rows"]:
        values = dict(form.initial)
        values.update(rows.get(values["code"], {}))
        for name, value in values.items():
            if name == "include":
                if value:
                    data[f"{form.prefix}-include"] = "on"
            else:
                data[f"{form.prefix}-{name}"] = value
    data["target"] = target or response.context["target_form"]["target"].initial
    return data


@pytest.fixture
def round_(world):
    """A spring round: it falls in the academic year 2024/2025."""
    return make_round(
        world.region,
        [world.school, world.sibling_school],
        name="Самодиагностика — весна 2025",
        opens_on=datetime.date(2025, 3, 1),
        closes_on=datetime.date(2025, 4, 30),
    )


@pytest.fixture
def sent(world, round_):
    return make_submission(
        round_, world.school, {**ALL_FULL, "Z1": "no", "S1": "partly"}, status="submitted"
    )


def test_the_form_proposes_plain_wording_responsible_parties_and_the_academic_year(
    world,
    client_for,
    round_,
    sent,
):
    response = client_for(world.school_user).get(url("plan-from-deficits", round_, world.school))
    page = response.content.decode()
    rows = {form.initial["code"]: form.initial for form in response.context["rows"]}
    assert rows["Z1"]["title"] == f"Устранить дефицит: {Z1}"
    assert rows["Z1"]["include"] is True  # critical: ticked already
    assert rows["S1"]["include"] is False
    assert rows["Z1"]["responsible"] == ("МБОУ «Гатчинская СОШ № 1», заместитель директора по УВР")
    assert rows["S1"]["responsible"] == "МБОУ «Гатчинская СОШ № 1», директор"
    assert rows["Z1"]["deadline_text"] == "в течение учебного года"
    # No draft yet: the only choice is a new plan for the academic year of the spring round.
    assert "Новый план на 2024/2025 учебный год" in page
    assert "с 01.09.2024 по 31.08.2025" in page
    assert 'value="draft"' not in page
    assert "data-select-all" in page
    assert '<label for="select-all-deficits">выбрать все</label>' in page
    assert '<option value="заместитель директора по ВР">' in page


def test_a_new_plan_for_the_rounds_academic_year_with_the_rows_as_edited(
    world,
    client_for,
    round_,
    sent,
):
    client = client_for(world.school_user)
    page = client.get(url("plan-from-deficits", round_, world.school))
    data = form_data(
        page,
        target="new",
        Z1={"title": "Перейти на федеральные рабочие программы", "deadline_text": "до 1 декабря"},
        S1={"include": True, "responsible": "директор, учитель информатики, директор"},
    )
    response = client.post(url("plan-from-deficits", round_, world.school), data)

    roadmap = Roadmap.objects.get(owner=world.school)
    assert response.status_code == 302
    assert (roadmap.period_start, roadmap.period_end) == (
        datetime.date(2024, 9, 1),
        datetime.date(2025, 8, 31),
    )
    assert roadmap.title.endswith("на 2024/2025 учебный год")
    assert roadmap.status == Roadmap.Status.DRAFT
    assert roadmap.events.get().action == RoadmapEvent.Action.CREATED
    items = list(roadmap.items.order_by("position"))
    assert [item.title for item in items] == [
        "Перейти на федеральные рабочие программы",
        f"Устранить дефицит: {S1}",
    ]
    # The deadline is read against the academic year: December is 2024's.
    assert (items[0].deadline_kind, items[0].deadline_end) == ("until", datetime.date(2024, 12, 1))
    assert items[1].deadline_kind == "continuous"
    assert items[1].deadline_end == datetime.date(2025, 8, 31)
    assert [link.party.name for link in items[0].itemresponsible_set.order_by("position")] == [
        "МБОУ «Гатчинская СОШ № 1»",
        "заместитель директора по УВР",
    ]
    assert [link.party.name for link in items[1].itemresponsible_set.order_by("position")] == [
        "директор",
        "учитель информатики",
    ]
    assert [list(item.directions.values_list("code", flat=True)) for item in items] == [
        ["znanie"],
        ["sreda"],
    ]
    assert {item.section.title for item in items} == {SECTION_TITLE}
    assert [item.number for item in items] == ["1.1", "1.2"]
    assert items[0].history.get().history_user == world.school_user


def test_items_go_into_the_schools_current_draft_once(world, client_for, round_, sent):
    draft = make_roadmap(
        world.school,
        title="План школы на 2025 год",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    make_section(draft, number="1.", title="Организационные мероприятия")
    make_section(draft, number="2.", title="Методическое сопровождение", position=1)
    client = client_for(world.school_user)
    page = client.get(url("plan-from-deficits", round_, world.school))
    html = page.content.decode()
    assert "Дополнить текущий черновик «План школы на 2025 год» (2025 год)" in html
    assert page.context["target_form"]["target"].initial == "draft"

    response = client.post(
        url("plan-from-deficits", round_, world.school),
        form_data(page, target="draft", S1={"include": True}),
    )
    assert response.status_code == 302
    assert Roadmap.objects.filter(owner=world.school).count() == 1
    section = draft.sections.get(title=SECTION_TITLE)
    assert section.number == "3."
    items = list(section.items.order_by("position"))
    assert [item.number for item in items] == ["3.1", "3.2"]
    # Read against the draft's own period, a calendar year.
    assert items[0].deadline_end == datetime.date(2025, 12, 31)

    again = client.get(url("plan-from-deficits", round_, world.school))
    assert again.content.decode().count("уже в черновике") == 2
    assert not any(form.initial["include"] for form in again.context["rows"])
    client.post(
        url("plan-from-deficits", round_, world.school),
        form_data(again, target="draft", Z1={"include": True}),
    )
    assert Item.objects.filter(roadmap__owner=world.school).count() == 2


def test_a_form_error_keeps_what_was_typed_and_saves_nothing(
    world,
    client_for,
    round_,
    sent,
):
    client = client_for(world.school_user)
    page = client.get(url("plan-from-deficits", round_, world.school))
    data = form_data(
        page,
        target="new",
        Z1={"title": "   ", "deadline_text": "до 1 декабря", "responsible": "педагог-психолог"},
        S1={"include": True, "title": "Подключить всех учителей к ФГИС", "deadline_text": "май"},
    )
    response = client.post(url("plan-from-deficits", round_, world.school), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Напишите, что будет сделано." in html
    assert 'value="до 1 декабря"' in html
    assert 'value="педагог-психолог"' in html
    assert "Подключить всех учителей к ФГИС</textarea>" in html
    assert 'value="май"' in html
    assert not Roadmap.objects.exists()
    assert not Item.objects.exists()


def test_nothing_ticked_is_refused_in_russian(world, client_for, round_, sent):
    client = client_for(world.school_user)
    page = client.get(url("plan-from-deficits", round_, world.school))
    response = client.post(
        url("plan-from-deficits", round_, world.school),
        form_data(page, target="new", Z1={"include": False, "deadline_text": "май"}),
    )
    assert "Отметьте хотя бы один дефицит." in response.content.decode()
    assert 'value="май"' in response.content.decode()
    assert not Roadmap.objects.exists()


def test_a_draft_sent_for_review_meanwhile_is_not_written_to(
    world,
    client_for,
    round_,
    sent,
):
    draft = make_roadmap(world.school)
    client = client_for(world.school_user)
    page = client.get(url("plan-from-deficits", round_, world.school))
    Roadmap.objects.filter(pk=draft.pk).update(status=Roadmap.Status.REVIEW)
    response = client.post(
        url("plan-from-deficits", round_, world.school), form_data(page, target="draft")
    )
    assert response.status_code == 200
    assert "Выберите, в какой план добавить мероприятия." in response.content.decode()
    assert not Item.objects.exists()


def test_all_or_nothing_when_a_later_row_fails(world, round_, sent, monkeypatch):
    from roadmaps import editing
    from selfdiag.plans import PlanRow, add_deficits_to_plan, plan_deficits

    real_add_item = editing.add_item
    calls = []

    def add_item_then_fail(section, values, *, user):
        calls.append(values["title"])
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_add_item(section, values, user=user)

    monkeypatch.setattr(editing, "add_item", add_item_then_fail)
    deficits, _ = plan_deficits(sent)
    rows = [PlanRow(deficit=deficit, title=f"Мероприятие {deficit.pk}") for deficit in deficits]
    with pytest.raises(RuntimeError):
        add_deficits_to_plan(sent, rows, user=world.school_user, target="new")
    assert len(calls) == 2
    assert not Roadmap.objects.exists()
    assert not Item.objects.exists()


def test_the_page_queries_do_not_grow_with_deficits(
    world,
    client_for,
    round_,
    django_assert_max_num_queries,
):
    make_submission(round_, world.school, {**ALL_FULL, "Z1": "no"}, status="submitted")
    make_submission(
        round_,
        world.sibling_school,
        dict.fromkeys(["Z1", "Z2", "Z3", "V1", "S1", "S2"], "no"),
        status="submitted",
    )
    draft = make_roadmap(world.school)
    make_item(make_section(draft))
    client = client_for(world.operator)
    client.get(url("plan-from-deficits", round_, world.school))
    with django_assert_max_num_queries(20) as one:
        client.get(url("plan-from-deficits", round_, world.school))
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url("plan-from-deficits", round_, world.sibling_school))
    assert len(response.context["rows"].forms) >= 5


# The API: the same domain function, the same choice of plan


def _api_url(submission):
    from django.urls import reverse

    return reverse("api:submission-plan-from-deficits", args=[submission.pk])


def test_api_adds_to_the_draft_by_default_or_to_a_new_plan_when_asked(world, api, sent):
    draft = make_roadmap(world.school, title="Черновик школы")
    client = api("school")
    body = client.get(_api_url(sent)).json()
    assert body["plan"]["id"] == draft.pk

    into_draft = client.post(_api_url(sent), {"deficits": ["Z1"]}, format="json").json()
    assert (into_draft["plan"]["id"], into_draft["plan_created"]) == (draft.pk, False)
    assert into_draft["added"][0]["title"] == f"Устранить дефицит: {Z1}"

    new = client.post(
        _api_url(sent), {"deficits": ["Z1", "S1"], "target": "new"}, format="json"
    ).json()
    assert new["plan_created"] is True
    assert new["already_in_plan"] == []
    created = Roadmap.objects.get(pk=new["plan"]["id"])
    assert (created.period_start, created.period_end) == (
        datetime.date(2024, 9, 1),
        datetime.date(2025, 8, 31),
    )
    assert created.items.count() == 2


def test_api_refuses_the_draft_when_the_school_has_none(world, api, sent):
    response = api("school").post(
        _api_url(sent), {"deficits": ["Z1"], "target": "draft"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["target"] == ["Выберите, в какой план добавить мероприятия."]
    assert not Roadmap.objects.exists()


def test_a_periodic_deadline_gives_the_items_their_periods(world, client_for, round_, sent):
    """«ежеквартально» typed into a row: the item is reported quarter by quarter of the
    academic year, as any periodic item written in the editor."""
    client = client_for(world.school_user)
    page = client.get(url("plan-from-deficits", round_, world.school))
    data = form_data(page, target="new", Z1={"deadline_text": "ежеквартально"})
    assert client.post(url("plan-from-deficits", round_, world.school), data).status_code == 302
    item = Item.objects.get(roadmap__owner=world.school)
    assert list(item.occurrences.order_by("index").values_list("label", flat=True)) == [
        "III квартал 2024",  # September of the academic year
        "IV квартал 2024",
        "I квартал 2025",
        "II квартал 2025",  # the quarter due after the plan's end is not the plan's
    ]
    assert item.next_due is not None
