"""Periodic items as occurrences: stored on every write path, reported on one by one, counted
by the one overdue rule in monitoring, the API and the calendar feed."""

import datetime
from pathlib import Path

import ics
import pytest
import time_machine
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from roadmaps import editing
from roadmaps.cascade import create_from_template
from roadmaps.deadlines import Period
from roadmaps.execution import add_report
from roadmaps.importing import read_document, save_parsed_roadmap
from roadmaps.models import ExecutionReport, Item, Roadmap
from roadmaps.occurrences import item_status_from_occurrences, store_occurrences
from tests.factories import (
    calendar_feed_token,
    make_item,
    make_roadmap,
    make_section,
)

D = datetime.date
FIXTURES = Path(__file__).parent / "fixtures" / "roadmaps"
QUARTERLY = "ежеквартально, до 25 числа"


def moment(day: datetime.date):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.UTC), tick=False
    )


def item_values(**overrides):
    values = {
        "number": "",
        "title": "Мониторинг реализации плана",
        "deadline_text": QUARTERLY,
        "result": "Справка",
        "responsible": [],
        "directions": [],
    }
    values.update(overrides)
    return values


def academic_plan(owner, **kwargs):
    """A school's plan for 2024/2025, as schools write them."""
    kwargs.setdefault("period_start", D(2024, 9, 1))
    kwargs.setdefault("period_end", D(2025, 8, 31))
    return make_roadmap(owner, **kwargs)


@pytest.fixture
def quarterly(world):
    """An approved school plan for 2024/2025 with a quarterly item, written by the editor."""
    roadmap = academic_plan(world.school, status=Roadmap.Status.APPROVED)
    section = make_section(roadmap)
    item = Item(roadmap=roadmap, section=section, position=1)
    roadmap.status = Roadmap.Status.DRAFT  # written while a draft, then approved
    editing.write_item(item, item_values(), user=world.school_user)
    Roadmap.objects.filter(pk=roadmap.pk).update(status=Roadmap.Status.APPROVED)
    roadmap.refresh_from_db()
    item.refresh_from_db()
    return item


def labels(item):
    return list(item.occurrences.order_by("index").values_list("label", "due", "status"))


# The status rule


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], None),
        (["not_started", "not_started"], "not_started"),
        (["done", "not_started", "not_started"], "in_progress"),
        (["in_progress", "not_started"], "in_progress"),
        (["done", "done", "cancelled"], "done"),
        (["cancelled", "cancelled"], "cancelled"),
        (["done", "done"], "done"),
    ],
)
def test_an_item_is_done_when_all_its_occurrences_are(statuses, expected):
    assert item_status_from_occurrences(statuses) == expected


# Stored on every write path


def test_a_quarterly_item_of_a_2024_2025_plan_has_four_occurrences(quarterly):
    assert labels(quarterly) == [
        ("III квартал 2024", D(2024, 9, 25), "not_started"),
        ("IV квартал 2024", D(2024, 12, 25), "not_started"),
        ("I квартал 2025", D(2025, 3, 25), "not_started"),
        ("II квартал 2025", D(2025, 6, 25), "not_started"),
    ]
    assert quarterly.next_due == D(2024, 9, 25)


def test_storing_again_changes_nothing(quarterly, django_assert_max_num_queries):
    before = list(quarterly.occurrences.values_list("pk", "index", "label", "due"))
    period = quarterly.roadmap.period
    with django_assert_max_num_queries(3):  # read the rows, refresh next_due, read it back
        store_occurrences([quarterly], period)
    assert list(quarterly.occurrences.values_list("pk", "index", "label", "due")) == before


def test_a_new_deadline_keeps_the_reports_of_the_periods_it_still_has(world, quarterly):
    with moment(D(2024, 10, 1)):
        add_report(
            quarterly,
            author=world.school_user,
            status="done",
            date=D(2024, 9, 20),
            occurrence=quarterly.occurrences.get(index=0),
        )
    Roadmap.objects.filter(pk=quarterly.roadmap_id).update(status=Roadmap.Status.DRAFT)
    quarterly.refresh_from_db()
    editing.write_item(quarterly, item_values(deadline_text="ежеквартально"), user=None)
    rows = labels(quarterly)
    assert rows[0] == ("III квартал 2024", D(2024, 9, 30), "done")  # same period, new due date
    assert len(rows) == 4
    report = ExecutionReport.objects.get()
    assert report.occurrence.label == "III квартал 2024"

    editing.write_item(quarterly, item_values(deadline_text="до 15 мая 2025"), user=None)
    assert labels(quarterly) == []  # one due date: the item is its own occurrence
    assert quarterly.next_due is None
    assert ExecutionReport.objects.get().occurrence is None  # the report stays, detached


def test_a_new_period_reads_the_occurrences_again(world):
    roadmap = make_roadmap(world.school)  # 2024
    item = editing.add_item(make_section(roadmap), item_values(), user=None)
    assert labels(item)[0][0] == "I квартал 2024"
    assert editing.update_roadmap(
        roadmap,
        title=roadmap.title,
        period=Period.calendar_year(2025),
        user=None,
        loaded_version=roadmap.lock_version,
    )
    assert [label for label, _, _ in labels(item)] == [
        "I квартал 2025",
        "II квартал 2025",
        "III квартал 2025",
        "IV квартал 2025",
    ]


def test_an_imported_plan_gets_its_occurrences(world):
    parsed = read_document(FIXTURES / "school-plan-2024-2025.md")
    roadmap = save_parsed_roadmap(parsed, owner=world.school)
    monthly = roadmap.items.get(deadline_text="ежемесячно")
    assert monthly.occurrences.count() == 12
    assert monthly.occurrences.order_by("index").first().label == "сентябрь 2024"
    assert monthly.next_due == D(2024, 9, 30)
    twice = roadmap.items.filter(deadline_text="2 раза в год").first()
    assert twice.occurrences.count() == 2


def test_a_plan_built_on_another_reads_occurrences_for_its_own_period(world):
    source = make_roadmap(world.omsu, status=Roadmap.Status.APPROVED)
    item = make_item(make_section(source), deadline_text=QUARTERLY)
    store_occurrences([item], source.period)
    copy = create_from_template(
        source,
        owner=world.school,
        title="План школы",
        period=Period.academic_year(2024),
        user=world.school_user,
    )
    assert labels(copy.items.get())[0][0] == "III квартал 2024"


def test_a_new_version_copies_the_occurrences_with_their_statuses(world, quarterly):
    with moment(D(2024, 10, 1)):
        add_report(
            quarterly,
            author=world.school_user,
            status="done",
            date=D(2024, 9, 20),
            occurrence=quarterly.occurrences.get(index=0),
        )
        new = quarterly.roadmap.revise(by=world.school_user)
    copy = new.items.get()
    assert labels(copy) == labels(quarterly)
    assert labels(copy)[0][2] == "done"
    assert copy.status == "in_progress"
    assert copy.next_due == D(2024, 12, 25)


def test_the_data_migration_files_old_reports_under_the_period_of_their_date(world):
    """Before: one report «за I квартал» made a quarterly item «выполнено»."""
    migration = __import__("roadmaps.migrations.0010_fill_item_occurrences", fromlist=["fill"])
    roadmap = make_roadmap(world.school, period_start=D(2025, 1, 1), period_end=D(2025, 12, 31))
    item = make_item(
        make_section(roadmap), deadline_text="ежеквартально", deadline_kind="recurring"
    )
    plain = make_item(roadmap.sections.get(), deadline_text="Март", deadline_kind="dates")
    marked = make_item(roadmap.sections.get(), deadline_text="2 раза в год", status="done")
    ExecutionReport.objects.create(item=item, status="done", date=D(2025, 3, 28))
    Item.objects.filter(pk=item.pk).update(status="done")

    migration.fill(django_apps, None)

    item.refresh_from_db()
    assert [row[0] for row in labels(item)] == [
        "I квартал 2025",
        "II квартал 2025",
        "III квартал 2025",
        "IV квартал 2025",
    ]
    assert labels(item)[0][2] == "done"
    assert ExecutionReport.objects.get().occurrence.label == "I квартал 2025"
    assert item.status == "in_progress"
    assert item.next_due == D(2025, 6, 30)
    assert plain.occurrences.count() == 0
    # Marked done without a report: its periods are done too, and nothing is due.
    marked.refresh_from_db()
    assert [row[2] for row in labels(marked)] == ["done", "done"]
    assert (marked.status, marked.next_due) == ("done", None)


# Reporting per occurrence, and the overdue rule


def test_reporting_one_quarter_done_leaves_three_to_go_and_a_missed_one_is_overdue(
    world, quarterly, client_for, api
):
    with moment(D(2024, 10, 1)):
        client = client_for(world.school_user)
        response = client.post(
            reverse("roadmaps:item-report", args=[quarterly.pk]),
            {
                "occurrence": quarterly.occurrences.get(index=0).pk,
                "status": "done",
                "date": "2024-09-24",
                "comment": "Справка за III квартал",
            },
        )
        assert response.status_code == 302
        quarterly.refresh_from_db()
        assert quarterly.status == Item.Status.IN_PROGRESS  # not «выполнено»: three to go
        statuses = [status for _, _, status in labels(quarterly)]
        assert statuses == ["done", "not_started", "not_started", "not_started"]
        assert not quarterly.is_overdue()
        assert Roadmap.objects.filter(pk=quarterly.roadmap_id).with_progress()[0].overdue_count == 0

    # IV квартал is due 25.12.2024; nothing is reported by then.
    with moment(D(2024, 12, 26)):
        assert quarterly.is_overdue()
        plans = Roadmap.objects.filter(pk=quarterly.roadmap_id).with_progress()
        assert plans[0].overdue_count == 1
        assert list(Item.objects.overdue()) == [quarterly]

        operator = client_for(world.operator)
        page = operator.get(reverse("roadmaps:monitoring"))
        overdue = list(page.context["overdue_page"])
        assert overdue == [quarterly]
        assert overdue[0].days_overdue == 1
        html = page.content.decode()
        assert "IV квартал 2024" in html  # the period missed, under the date missed

        listed = api("school").get("/api/v1/items/?overdue=true").json()
        assert [row["id"] for row in listed["results"]] == [quarterly.pk]
        row = listed["results"][0]
        assert row["is_overdue"] is True
        assert [(o["label"], o["status"], o["is_overdue"]) for o in row["occurrences"]] == [
            ("III квартал 2024", "done", False),
            ("IV квартал 2024", "not_started", True),
            ("I квартал 2025", "not_started", False),
            ("II квартал 2025", "not_started", False),
        ]
        figures = api("school").get("/api/v1/monitoring/").json()
        assert figures["totals"]["overdue_count"] == 1

        # Reporting the missed quarter ends the overdue; the item is still in progress.
        add_report(
            quarterly,
            author=world.school_user,
            status="done",
            date=D(2024, 12, 26),
            occurrence=quarterly.occurrences.get(index=1),
        )
        quarterly.refresh_from_db()
        assert not quarterly.is_overdue()
        assert Item.objects.overdue().count() == 0
        assert quarterly.status == Item.Status.IN_PROGRESS

    with moment(D(2025, 6, 26)):
        for index in (2, 3):
            add_report(
                quarterly,
                author=world.school_user,
                status="done",
                date=D(2025, 6, 20),
                occurrence=quarterly.occurrences.get(index=index),
            )
        quarterly.refresh_from_db()
        assert quarterly.status == Item.Status.DONE  # every quarter reported done
        assert quarterly.next_due is None


def test_the_report_form_offers_the_items_periods_and_picks_the_first_not_done(
    world, quarterly, client_for
):
    with moment(D(2024, 10, 1)):
        add_report(
            quarterly,
            author=world.school_user,
            status="done",
            date=D(2024, 9, 20),
            occurrence=quarterly.occurrences.get(index=0),
        )
        page = client_for(world.school_user).get(
            reverse("roadmaps:item-reports", args=[quarterly.pk])
        )
    form = page.context["form"]
    assert form.fields["occurrence"].required
    assert form.initial["occurrence"] == quarterly.occurrences.get(index=1).pk
    html = page.content.decode()
    assert "Отчёт за" in html
    assert "IV квартал 2024 — срок 25.12.2024 (не начато)" in html
    assert "III кв. 2024" in html and "✓" in html  # the compact line under the status


def test_a_period_of_another_item_is_refused_in_russian_and_nothing_is_saved(
    world, quarterly, client_for
):
    other = editing.add_item(
        make_section(academic_plan(world.school)), item_values(), user=world.school_user
    )
    with moment(D(2024, 10, 1)):
        response = client_for(world.school_user).post(
            reverse("roadmaps:item-report", args=[quarterly.pk]),
            {
                "occurrence": other.occurrences.first().pk,
                "status": "done",
                "date": "2024-09-24",
                "comment": "Не туда",
            },
        )
    assert response.status_code == 200
    assert "этого периода у мероприятия нет" in response.content.decode()
    assert "Не туда" in response.content.decode()  # what was typed stays in the form
    assert not ExecutionReport.objects.exists()


def test_an_item_with_one_due_date_has_no_period_to_choose(world, client_for):
    roadmap = make_roadmap(world.school)
    item = make_item(make_section(roadmap))
    with moment(D(2024, 5, 1)):
        page = client_for(world.school_user).get(reverse("roadmaps:item-reports", args=[item.pk]))
    assert "occurrence" not in page.context["form"].fields


def test_the_api_files_a_report_under_a_period(world, quarterly, api):
    url = f"/api/v1/items/{quarterly.pk}/reports/"
    second = quarterly.occurrences.get(index=1)
    with moment(D(2024, 12, 1)):
        client = api("school")
        response = client.post(url, {"status": "done", "date": "2024-11-30"}, format="json")
        assert response.status_code == 201, response.content
        # no period given: the earliest not done
        assert response.json()["occurrence_label"] == "III квартал 2024"
        response = client.post(
            url, {"status": "in_progress", "occurrence": second.pk}, format="json"
        )
        assert response.status_code == 201
        assert response.json()["occurrence"] == second.pk

        other = editing.add_item(
            make_section(academic_plan(world.school)), item_values(), user=world.school_user
        )
        refused = client.post(
            url,
            {"status": "done", "occurrence": other.occurrences.first().pk},
            format="json",
        )
        assert refused.status_code == 400
        # In the page's words: the API validates through the same form.
        assert refused.json()["occurrence"] == [
            "Выберите период из списка: этого периода у мероприятия нет."
        ]
        item = client.get(f"/api/v1/roadmaps/{quarterly.roadmap_id}/").json()
    quarterly.refresh_from_db()
    assert quarterly.status == "in_progress"
    assert ExecutionReport.objects.filter(item=quarterly).count() == 2
    rows = item["sections"][0]["items"][0]["occurrences"]
    assert [(row["label"], row["status"]) for row in rows][:2] == [
        ("III квартал 2024", "done"),
        ("IV квартал 2024", "in_progress"),
    ]


# The calendar feed, read by a second library


def test_the_feed_has_an_event_per_occurrence_on_its_due_date(world, quarterly, client):
    single = make_item(
        quarterly.section,
        deadline_text="Март",
        deadline_kind="dates",
        deadline_start=D(2025, 3, 1),
        deadline_end=D(2025, 3, 31),
    )
    url = reverse(
        "reports:roadmap-calendar-feed",
        args=[quarterly.roadmap_id, calendar_feed_token(world.school_user)],
    )
    content = client.get(url).content.decode()
    assert "X-PUBLISHED-TTL;VALUE=DURATION:PT6H" in content.replace("\r\n", "\n").split("\n")
    calendar = ics.Calendar(content)
    events = sorted(calendar.events, key=lambda event: event.begin)
    periodic = [event for event in events if "квартал" in event.name]
    assert [event.begin.date() for event in periodic] == [
        D(2024, 9, 25),
        D(2024, 12, 25),
        D(2025, 3, 25),
        D(2025, 6, 25),
    ]
    assert all(event.all_day for event in periodic)
    assert periodic[2].name.endswith("(I квартал 2025)")
    assert len({event.uid for event in periodic}) == 4
    (march,) = [event for event in events if event.uid == f"item-{single.pk}@shkola-portal"]
    assert (march.begin.date(), march.end.date()) == (D(2025, 3, 1), D(2025, 4, 1))


# The plan's page


def test_the_plan_page_shows_each_period_compactly_and_its_query_count_stays(
    world, quarterly, client_for, django_assert_max_num_queries
):
    roadmap = quarterly.roadmap
    client = client_for(world.school_user)
    url = reverse("roadmaps:roadmap-detail", args=[roadmap.pk])
    with moment(D(2024, 12, 26)):
        client.get(url)
        with django_assert_max_num_queries(20) as few:
            client.get(url)
        for n in range(20):
            item = make_item(quarterly.section, deadline_text="ежемесячно", title=f"М {n}")
            store_occurrences([item], roadmap.period)
        client.get(url)  # the approved plan's table is cached again, as it was for `few`
        with django_assert_max_num_queries(20) as many:
            response = client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
    html = response.content.decode()
    assert "III кв. 2024" in html
    assert 'class="occurrence occurrence-overdue"' in html  # IV кв. 2024, missed
    assert timezone.localdate() != D(2024, 12, 26)  # the clock came back
