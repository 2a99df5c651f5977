import datetime
import hashlib
import re

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from reports.ics import SUMMARY_LENGTH, summary
from reports.models import CalendarFeedToken
from roadmaps.download_views import FRESH_TOKEN_KEY
from roadmaps.models import Item, Roadmap
from tests.factories import (
    add_responsible,
    calendar_feed_token,
    make_item,
    make_party,
    make_roadmap,
    make_sample_plan,
    make_section,
)


def events_of(response) -> dict[str, object]:
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def feed_url(user):
    return reverse("reports:calendar-feed", args=[calendar_feed_token(user)])


def plan_feed_url(user, roadmap):
    return reverse("reports:roadmap-calendar-feed", args=[roadmap.pk, calendar_feed_token(user)])


@pytest.fixture
def school_plan(world):
    """A school plan with one item of each kind of deadline."""
    roadmap = make_roadmap(world.school, title="План мероприятий школы на 2024 год")
    section = make_section(roadmap, number="1", title="Организационное сопровождение")
    party = make_party(roadmap, "Иванова А.А.")
    items = {
        "dates": make_item(
            section,
            title="Семинар для учителей",
            deadline_text="Февраль-март",
            deadline_kind="dates",
            deadline_start=datetime.date(2024, 2, 1),
            deadline_end=datetime.date(2024, 3, 31),
            result="Программа семинара",
        ),
        "until": make_item(
            section,
            title="Утвердить программу развития",
            deadline_text="до 15 октября 2024",
            deadline_kind="until",
            deadline_start=None,
            deadline_end=datetime.date(2024, 10, 15),
        ),
        "continuous": make_item(section, title="Вести раздел на сайте"),
        "unscheduled": make_item(
            section,
            title="Консультации по запросу",
            deadline_text="по запросу",
            deadline_kind="unscheduled",
            deadline_start=None,
            deadline_end=None,
        ),
    }
    add_responsible(items["dates"], party)
    return roadmap, items


def test_the_feed_has_one_all_day_event_per_dated_item(world, client, school_plan):
    roadmap, items = school_plan
    response = client.get(plan_feed_url(world.school_user, roadmap))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = events_of(response)
    assert set(events) == {
        f"item-{items[kind].pk}@shkola-portal" for kind in ("dates", "until", "continuous")
    }
    dates = events[f"item-{items['dates'].pk}@shkola-portal"]
    assert dates["DTSTART"].dt == datetime.date(2024, 2, 1)
    assert dates["DTEND"].dt == datetime.date(2024, 4, 1)  # exclusive: the day after 31 March
    assert dates["DTSTART"].params["VALUE"] == "DATE"
    assert str(dates["SUMMARY"]) == "1.1 Семинар для учителей"
    description = str(dates["DESCRIPTION"])
    assert "План мероприятий школы на 2024 год" in description
    assert "Ответственные: Иванова А.А." in description
    assert "Ожидаемый результат: Программа семинара" in description
    assert dates["DTSTAMP"].dt.tzinfo is not None


def test_an_until_deadline_is_one_day_on_its_last_date(world, client, school_plan):
    roadmap, items = school_plan
    events = events_of(client.get(plan_feed_url(world.school_user, roadmap)))
    until = events[f"item-{items['until'].pk}@shkola-portal"]
    assert (until["DTSTART"].dt, until["DTEND"].dt) == (
        datetime.date(2024, 10, 15),
        datetime.date(2024, 10, 16),
    )
    continuous = events[f"item-{items['continuous'].pk}@shkola-portal"]
    assert (continuous["DTSTART"].dt, continuous["DTEND"].dt) == (
        datetime.date(2024, 1, 1),
        datetime.date(2025, 1, 1),
    )
    # A deadline spread over the year must not make the year look busy in Outlook.
    assert str(continuous["TRANSP"]) == "TRANSPARENT"


def test_the_feed_is_what_outlook_and_yandex_expect(world, client, school_plan):
    roadmap, _ = school_plan
    make_item(roadmap.sections.get(), title="Очень длинное наименование мероприятия " * 10)
    content = client.get(plan_feed_url(world.school_user, roadmap)).content
    lines = content.split(b"\r\n")
    assert b"\n" not in content.replace(b"\r\n", b"")  # CRLF only
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets
    assert any(line.startswith(b" ") for line in lines)  # and long lines were folded
    for line in (b"VERSION:2.0", b"CALSCALE:GREGORIAN", b"METHOD:PUBLISH"):
        assert line in lines
    assert any(line.startswith(b"PRODID:") for line in lines)
    calendar = Calendar.from_ical(content)
    assert str(calendar["X-WR-CALNAME"]).startswith("Сроки мероприятий: МБОУ «Гатчинская СОШ № 1»")


def test_summaries_are_cut_at_a_word_with_an_ellipsis(world):
    roadmap = make_roadmap(world.school)
    item = make_item(make_section(roadmap), title="Проведение совещания " * 20)
    text = summary(item)
    assert len(text) <= SUMMARY_LENGTH
    assert text.endswith("совещания…")


def test_a_multi_line_title_gives_its_first_line_as_summary(world):
    roadmap = make_roadmap(world.school)
    item = make_item(make_section(roadmap), title="Семинары по направлениям:\n• Знание")
    assert summary(item) == "1.1 Семинары по направлениям:"


def test_the_scope_feed_holds_the_users_current_plans_only(world, client):
    own = make_sample_plan(world.school, items=7)
    archived = make_sample_plan(world.school, items=2, status=Roadmap.Status.ARCHIVED)
    superseded = make_sample_plan(world.school, items=2, status=Roadmap.Status.APPROVED)
    make_roadmap(world.school, previous_version=superseded, lineage=superseded.lineage, version=2)
    sibling = make_sample_plan(world.sibling_school, items=3)
    foreign = make_sample_plan(world.foreign_school, items=3)
    district = make_sample_plan(world.omsu, items=3, status=Roadmap.Status.APPROVED)

    events = events_of(client.get(feed_url(world.school_user)))

    def uids(roadmap):
        # A periodic item is an event per occurrence, any other dated item one event.
        dated = roadmap.items.exclude(deadline_kind="unscheduled").with_occurrences()
        return {
            uid
            for item in dated
            for uid in [
                f"item-{item.pk}-occurrence-{row.pk}@shkola-portal" for row in item.occurrence_rows
            ]
            or [f"item-{item.pk}@shkola-portal"]
        }

    # The approved district plan is one the school implements: its deadlines are the school's too.
    assert set(events) == uids(own) | uids(district)
    for hidden in (archived, superseded, sibling, foreign):
        assert not uids(hidden) & set(events)


def test_a_token_never_opens_a_plan_outside_its_users_scope(world, client, school_plan):
    roadmap, _ = school_plan
    assert client.get(plan_feed_url(world.outsider, roadmap)).status_code == 404
    foreign = make_sample_plan(world.foreign_school, items=2)
    assert client.get(plan_feed_url(world.school_user, foreign)).status_code == 404
    assert client.get(plan_feed_url(world.outsider, foreign)).status_code == 200


def test_a_logged_in_session_does_not_replace_the_token(world, client_for, school_plan):
    roadmap, _ = school_plan
    client = client_for(world.operator)
    url = reverse("reports:roadmap-calendar-feed", args=[roadmap.pk, "x" * 43])
    assert client.get(url).status_code == 404


def test_resetting_the_key_switches_the_old_feed_addresses_off(world, client_for, school_plan):
    roadmap, _ = school_plan
    client = client_for(world.school_user)
    old_feed, old_plan_feed = feed_url(world.school_user), plan_feed_url(world.school_user, roadmap)
    assert client.get(old_feed).status_code == 200

    response = client.post(reverse("reports:calendar-reset"), {"roadmap": roadmap.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('reports:calendar')}?roadmap={roadmap.pk}"

    assert client.get(old_feed).status_code == 404
    assert client.get(old_plan_feed).status_code == 404
    page = client.get(response["Location"]).content.decode()
    new_token = re.search(r"/reports/calendar/([-\w]+)\.ics", page).group(1)
    assert client.get(reverse("reports:calendar-feed", args=[new_token])).status_code == 200
    assert (
        client.get(
            reverse("reports:roadmap-calendar-feed", args=[roadmap.pk, new_token])
        ).status_code
        == 200
    )


def test_the_key_is_stored_only_as_a_hash(world):
    token = CalendarFeedToken.issue(world.operator)
    stored = CalendarFeedToken.objects.get(user=world.operator)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.prefix == token[:8]
    assert token not in str(stored.__dict__)
    assert len(token) >= 43


def test_the_new_address_is_shown_once_then_only_its_date(world, client_for):
    client = client_for(world.operator)
    client.post(reverse("reports:calendar-reset"))
    first = client.get(reverse("reports:calendar"))
    assert ".ics" in first.content.decode()
    assert "no-store" in first["Cache-Control"]
    assert FRESH_TOKEN_KEY not in client.session
    again = client.get(reverse("reports:calendar")).content.decode()
    assert ".ics" not in again
    assert "Ссылка создана" in again


def test_the_calendar_page_offers_to_create_a_link_first(world, client_for):
    page = client_for(world.viewer).get(reverse("reports:calendar")).content.decode()
    assert "Создать ссылку на календарь" in page
    assert 'action="/reports/calendar/reset/"' in page
    assert "<script>" not in page and 'style="' not in page


def test_the_plan_page_link_needs_a_plan_in_scope(world, client_for, school_plan):
    roadmap, _ = school_plan
    url = f"{reverse('reports:calendar')}?roadmap={roadmap.pk}"
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.municipal).get(url).status_code == 200
    bad = f"{reverse('reports:calendar')}?roadmap=abc"
    assert client_for(world.municipal).get(bad).status_code == 404


def test_reset_is_post_only(world, client_for):
    assert client_for(world.operator).get(reverse("reports:calendar-reset")).status_code == 405


def test_an_inactive_users_feed_stops_working(world, client):
    url = feed_url(world.school_user)
    world.school_user.is_active = False
    world.school_user.save(update_fields=["is_active"])
    assert client.get(url).status_code == 404


def test_feed_use_is_recorded_at_most_every_quarter_hour(world, client):
    url = feed_url(world.school_user)
    with time_machine.travel(datetime.datetime(2024, 5, 1, 9, 0, tzinfo=datetime.UTC)):
        client.get(url)
    with time_machine.travel(datetime.datetime(2024, 5, 1, 9, 5, tzinfo=datetime.UTC)):
        client.get(url)
    key = CalendarFeedToken.objects.get(user=world.school_user)
    assert key.last_used == datetime.datetime(2024, 5, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(datetime.datetime(2024, 5, 1, 9, 20, tzinfo=datetime.UTC)):
        client.get(url)
    key.refresh_from_db()
    assert key.last_used == datetime.datetime(2024, 5, 1, 9, 20, tzinfo=datetime.UTC)


def test_a_cancelled_item_is_published_as_cancelled(world, client, school_plan):
    roadmap, items = school_plan
    Item.objects.filter(pk=items["dates"].pk).update(status=Item.Status.CANCELLED)
    events = events_of(client.get(plan_feed_url(world.school_user, roadmap)))
    assert str(events[f"item-{items['dates'].pk}@shkola-portal"]["STATUS"]) == "CANCELLED"


def test_feed_queries_do_not_grow_with_items(world, client, django_assert_max_num_queries):
    url = feed_url(world.operator)
    client.get(url)
    make_sample_plan(world.institute, items=5)
    with django_assert_max_num_queries(6):
        small = client.get(url)
    make_sample_plan(world.omsu, items=80)
    with django_assert_max_num_queries(6):
        large = client.get(url)
    assert len(events_of(large)) > len(events_of(small))
