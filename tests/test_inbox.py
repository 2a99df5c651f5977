"""«Ожидает моих действий»: the inbox of each role, its scope, counts, links and queries; who
reviews a plan or a questionnaire; approval of a plan by its own author."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from inbox.entries import count_for, inbox_for, possible_kinds
from jobs.models import Job
from orgs.models import Membership
from orgs.reviewers import person_name
from orgs.scope import get_scope
from roadmaps.models import Item, Roadmap, WorkflowError
from roadmaps.review import approval_of, reviewers_for
from selfdiag.review import reviewers_for as submission_reviewers
from tests.factories import (
    add_responsible,
    make_item,
    make_member,
    make_party,
    make_roadmap,
    make_round,
    make_section,
    make_small_plan,
    make_submission,
    make_user,
)

APPROVAL = {
    "kind": "распоряжение",
    "number": "3.12-1331-р",
    "date": datetime.date(2024, 9, 26),
    "name": "Е.В. Иванова",
    "position": "Председатель комитета",
}


def _submitted(owner, by, **kwargs):
    plan = make_small_plan(owner, **kwargs)
    plan.submit(by=by)
    return plan


def _approved_plan_with_items(owner, responsible, deadlines, status="approved"):
    """A plan of `owner` with an item per (title, deadline_end, item status), each with the
    party of `responsible` (an Organization) answering for it."""
    today = timezone.localdate()
    plan = make_roadmap(
        owner,
        status=status,
        period_start=today - datetime.timedelta(days=200),
        period_end=today + datetime.timedelta(days=200),
    )
    party = make_party(plan, responsible.short_name, organization=responsible)
    section = make_section(plan, number="1", title="Раздел")
    items = []
    for title, offset, item_status in deadlines:
        item = make_item(
            section,
            title=title,
            deadline_text="до срока",
            deadline_kind="until",
            deadline_start=None,
            deadline_end=today + datetime.timedelta(days=offset),
            status=item_status,
        )
        add_responsible(item, party)
        items.append(item)
    return plan, items


@pytest.fixture
def scene(world):
    """Something waiting for each role of the cast."""
    today = timezone.localdate()
    w = world
    s = {}
    # Plans on review: the district's own plan, a Gatchina school's, a Luga school's, and one
    # in another region.
    s["district_plan"] = _submitted(w.omsu, w.municipal)
    s["sibling_plan"] = _submitted(w.sibling_school, w.municipal)
    luga_user = make_member(w.other_school, Membership.Role.SCHOOL_COORDINATOR, "luga")
    s["luga_plan"] = _submitted(w.other_school, luga_user)
    s["foreign_plan"] = _submitted(w.foreign_school, w.outsider)
    # The school's plan, returned with a comment.
    school_plan = _submitted(w.school, w.school_user)
    school_plan.return_for_revision(by=w.municipal, comment="Добавьте мероприятия по «Здоровью»")
    s["school_plan"] = school_plan
    # An open round: the school has not started, the sibling and Luga schools have sent.
    s["round"] = make_round(
        w.region,
        [w.school, w.sibling_school, w.other_school],
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=5),
    )
    s["sibling_submission"] = make_submission(
        s["round"], w.sibling_school, {"Z1": "yes"}, status="submitted"
    )
    s["luga_submission"] = make_submission(
        s["round"], w.other_school, {"Z1": "no"}, status="submitted"
    )
    # An earlier round, the school's questionnaire returned.
    earlier = make_round(w.region, [w.school], methodology=s["round"].methodology)
    s["returned_submission"] = make_submission(
        earlier, w.school, {"Z1": "no"}, status="returned", by=w.operator, comment="Уточните Z1"
    )
    # Items the district office answers for, in the region's approved plan.
    s["regional_plan"], s["items"] = _approved_plan_with_items(
        w.institute,
        w.omsu,
        [
            ("Совещание через пять дней", 5, Item.Status.NOT_STARTED),
            ("Отчёт просрочен", -3, Item.Status.IN_PROGRESS),
            ("Выполнено давно", -3, Item.Status.DONE),
            ("Не скоро", 30, Item.Status.NOT_STARTED),
        ],
    )
    # The same in a draft: not in force, not listed.
    _approved_plan_with_items(
        w.institute, w.omsu, [("Черновик просрочен", -1, "not_started")], status="draft"
    )
    # The operator's jobs: one finished yesterday, one long ago, one still running.
    now = timezone.now()
    s["job"] = Job.objects.create(
        user=w.operator,
        kind=Job.Kind.PLAN_PDF,
        title="План в PDF",
        status=Job.Status.DONE,
        finished=now - datetime.timedelta(days=1),
    )
    Job.objects.create(
        user=w.operator,
        kind=Job.Kind.PLAN_PDF,
        title="Старый PDF",
        status=Job.Status.DONE,
        finished=now - datetime.timedelta(days=10),
    )
    Job.objects.create(
        user=w.operator, kind=Job.Kind.PLAN_PDF, title="Идёт", status=Job.Status.RUNNING
    )
    return s


def titles(user, kind):
    return [
        (entry.organization, entry.title) for entry in inbox_for(user).entries if entry.kind == kind
    ]


def kinds(user):
    return {group.kind: len(group.entries) for group in inbox_for(user).groups}


# Each role's inbox


def test_operator_sees_plans_and_questionnaires_of_the_whole_region_to_review(world, scene):
    plans = titles(world.operator, "plan_review")
    owners = {owner for owner, _ in plans}
    assert owners == {
        world.omsu.short_name,
        world.sibling_school.short_name,
        world.other_school.short_name,
    }
    submissions = {owner for owner, _ in titles(world.operator, "submission_review")}
    assert submissions == {world.sibling_school.short_name, world.other_school.short_name}
    assert kinds(world.operator) == {"plan_review": 3, "submission_review": 2, "job_done": 1}


def test_municipal_coordinator_sees_only_the_district_and_its_own_deadlines(world, scene):
    assert {o for o, _ in titles(world.municipal, "plan_review")} == {
        world.sibling_school.short_name
    }
    assert {o for o, _ in titles(world.municipal, "submission_review")} == {
        world.sibling_school.short_name
    }
    items = [entry for entry in inbox_for(world.municipal).entries if entry.kind == "item_due"]
    # Overdue first (earliest deadline), then the one due in five days; the done, the far and
    # the draft's items are not listed.
    assert [(e.title, e.days_left, e.urgent) for e in items] == [
        ("1.2 Отчёт просрочен", -3, True),
        ("1.1 Совещание через пять дней", 5, False),
    ]
    # The district's own plan on review waits for the region, not for the district.
    assert world.omsu.short_name not in {o for o, _ in titles(world.municipal, "plan_review")}


def test_school_coordinator_sees_its_returned_plan_and_questionnaire_and_the_open_round(
    world, scene
):
    entries = {entry.kind: entry for entry in inbox_for(world.school_user).entries}
    assert set(entries) == {"plan_returned", "submission_returned", "round_open"}
    returned = entries["plan_returned"]
    assert returned.comment == "Добавьте мероприятия по «Здоровью»"
    assert returned.comment_by == person_name(world.municipal)
    assert entries["submission_returned"].comment == "Уточните Z1"
    assert entries["round_open"].days_left == 5
    assert entries["round_open"].organization == world.school.short_name


def test_a_round_the_school_has_sent_waits_no_longer(world, scene):
    make_submission(scene["round"], world.school, {"Z1": "yes"}, status="submitted")
    assert "round_open" not in kinds(world.school_user)


def test_outsider_and_viewer_see_nothing_of_the_region(world, scene):
    outsider = inbox_for(world.outsider)
    assert all(entry.organization != world.school.short_name for entry in outsider.entries)
    assert {o for o, _ in titles(world.outsider, "plan_review")} == set()
    # The viewer writes nothing: nothing waits for them.
    assert inbox_for(world.viewer).count == 0


def test_an_entry_of_another_municipality_never_appears(world, scene):
    for user in (world.municipal, world.school_user):
        organizations = {entry.organization for entry in inbox_for(user).entries}
        assert world.other_school.short_name not in organizations
        assert world.foreign_school.short_name not in organizations


def test_superuser_reviews_every_plan_on_review(world, scene, superuser):
    owners = {o for o, _ in titles(superuser, "plan_review")}
    assert world.foreign_school.short_name in owners and world.omsu.short_name in owners


# Counts and links


@pytest.mark.parametrize("role", ["operator", "municipal", "school_user", "viewer", "outsider"])
def test_the_count_is_the_number_of_entries(world, scene, role):
    user = getattr(world, role)
    assert count_for(user).total == inbox_for(user).count


def test_the_menu_shows_the_count_on_every_page(world, scene, client_for):
    client = client_for(world.operator)
    response = client.get(reverse("roadmaps:roadmap-list"))
    assert "Ожидает действий (6)" in response.content.decode()


def test_the_menu_count_is_kept_a_few_seconds_and_the_inbox_page_counts_afresh(
    world, scene, client_for, settings, django_assert_max_num_queries
):
    settings.INBOX_COUNT_SECONDS = 10
    client = client_for(world.operator)
    plans = reverse("roadmaps:roadmap-list")
    with django_assert_max_num_queries(50) as first:
        assert "Ожидает действий (6)" in client.get(plans).content.decode()
    _submitted(world.omsu, world.municipal)
    # The menu's count comes from the cache: one query fewer, the old number for a few seconds.
    with django_assert_max_num_queries(len(first.captured_queries) - 1):
        assert "Ожидает действий (6)" in client.get(plans).content.decode()
    assert "Ожидает действий (7)" in client.get(reverse("inbox:inbox")).content.decode()
    assert "Ожидает действий (7)" in client.get(plans).content.decode()
    settings.INBOX_COUNT_SECONDS = 0
    _submitted(world.omsu, world.municipal)
    assert "Ожидает действий (8)" in client.get(plans).content.decode()


def test_a_kind_with_more_entries_than_the_limit_is_cut_and_says_so(world, settings):
    from inbox import entries

    for _ in range(3):
        _submitted(world.omsu, world.municipal)
    original = entries.LIMIT
    entries.LIMIT = 2
    try:
        assert str(count_for(world.operator)) == "2+"
        inbox = inbox_for(world.operator, limit=2)
        assert inbox.count == 2 and inbox.more
    finally:
        entries.LIMIT = original


@pytest.mark.parametrize("role", ["operator", "municipal", "school_user"])
def test_every_link_opens_for_its_user(world, scene, client_for, role):
    user = getattr(world, role)
    client = client_for(user)
    entries = inbox_for(user).entries
    assert entries
    for entry in entries:
        response = client.get(entry.url)
        assert response.status_code == 200, (entry.kind, entry.url, response.status_code)


def test_the_plan_link_opens_the_approval_page(world, scene, client_for):
    entry = next(
        e
        for e in inbox_for(world.operator).entries
        if e.kind == "plan_review" and e.organization == world.omsu.short_name
    )
    assert entry.url == reverse("roadmaps:roadmap-approve", args=[scene["district_plan"].pk])
    page = client_for(world.operator).get(entry.url).content.decode()
    assert "Утверждение плана" in page


def test_inbox_page_and_home_page_list_the_entries(world, scene, client_for):
    client = client_for(world.school_user)
    page = client.get(reverse("inbox:inbox")).content.decode()
    assert "Ожидает моих действий" in page
    assert "Добавьте мероприятия по «Здоровью»" in page
    assert "осталось 5 дней" in page
    assert "3 записи" in page
    home = client.get(reverse("home")).content.decode()
    assert "Ожидает моих действий" in home and "Уточните Z1" in home


def test_an_empty_inbox_says_so(world, client_for):
    page = client_for(world.viewer).get(reverse("inbox:inbox")).content.decode()
    assert "Сейчас ничего не ожидает ваших действий." in page


def test_days_are_written_with_the_right_plural():
    from inbox.templatetags.inbox_tags import days_phrase, entries_phrase

    assert days_phrase(1) == "остался 1 день"
    assert days_phrase(3) == "осталось 3 дня"
    assert days_phrase(11) == "осталось 11 дней"
    assert days_phrase(21) == "остался 21 день"
    assert days_phrase(0) == "сегодня последний день"
    assert days_phrase(-2) == "просрочено на 2 дня"
    assert entries_phrase(1) == "1 запись" and entries_phrase(25) == "25 записей"


# Queries


def _more_rows(world, n):
    """n more of every kind for the operator and the district."""
    today = timezone.localdate()
    for _ in range(n):
        _submitted(world.omsu, world.municipal)
        school = make_small_plan(world.sibling_school)
        school.submit(by=world.municipal)
    round_ = make_round(
        world.region, [], opens_on=today, closes_on=today + datetime.timedelta(days=3)
    )
    from tests.factories import make_school

    for _ in range(n):
        school = make_school(world.municipality)
        round_.schools.add(school)
        make_submission(round_, school, {"Z1": "yes"}, status="submitted")
    _approved_plan_with_items(
        world.institute, world.omsu, [(f"Ещё {i}", i, "not_started") for i in range(n)]
    )
    for _ in range(n):
        Job.objects.create(
            user=world.operator,
            kind=Job.Kind.PLAN_PDF,
            title="PDF",
            status=Job.Status.DONE,
            finished=timezone.now(),
        )


def test_the_count_is_one_query_whatever_the_rows(world, scene, django_assert_num_queries):
    get_scope(world.operator)  # read once per request, for every page
    with django_assert_num_queries(1):
        first = count_for(world.operator).total
    _more_rows(world, 5)
    with django_assert_num_queries(1):
        assert count_for(world.operator).total > first


@pytest.mark.parametrize("role", ["operator", "municipal", "school_user"])
def test_the_inbox_is_one_query_per_kind_whatever_the_rows(
    world, scene, role, django_assert_max_num_queries
):
    user = getattr(world, role)
    get_scope(user)  # read once per request, for every page
    with django_assert_max_num_queries(7) as small:
        inbox_for(user)
    _more_rows(world, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        inbox_for(user)


@pytest.mark.parametrize(
    "role, queries",
    # municipal: no questionnaire or round of its own; school: reviews nothing (no query then
    # either, but building those querysets cost as much as the others); viewer: only its jobs.
    [("operator", 5), ("municipal", 5), ("school_user", 5), ("viewer", 1)],
)
def test_the_inbox_asks_only_the_kinds_the_user_can_have(
    world, scene, role, queries, django_assert_num_queries
):
    user = getattr(world, role)
    get_scope(user)
    with django_assert_num_queries(queries):
        inbox = inbox_for(user)
    assert {group.kind for group in inbox.groups} <= possible_kinds(user)
    assert inbox_for(user).entries == inbox.entries


def test_pages_and_api_do_not_grow_with_rows(world, scene, client_for, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.operator)
    api_client = api("operator")

    def counts():
        result = []
        for get in (
            lambda: client.get(reverse("inbox:inbox")),
            lambda: client.get(reverse("home")),
            lambda: api_client.get("/api/v1/inbox/"),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert get().status_code == 200
            result.append(len(captured))
        return result

    small = counts()
    _more_rows(world, 6)
    assert counts() == small
    # The page: session, user, the user's memberships (scope), the menu's count, one query
    # per kind.
    assert small[0] <= 3 + 1 + 7


# The API


def test_api_returns_the_same_entries(world, scene, api):
    response = api("school")
    body = response.get("/api/v1/inbox/").json()
    expected = inbox_for(world.school_user).entries
    assert body["count"] == len(expected) and body["more"] is False
    assert [(e["kind"], e["title"], e["url"]) for e in body["entries"]] == [
        (e.kind, e.title, e.url) for e in expected
    ]
    returned = next(e for e in body["entries"] if e["kind"] == "plan_returned")
    assert returned["comment"] == "Добавьте мероприятия по «Здоровью»"
    assert returned["kind_label"] == "Планы, возвращённые на доработку"


def test_api_inbox_needs_a_login(api):
    assert api("anonymous").get("/api/v1/inbox/").status_code == 401


# Who reviews


def test_a_school_plan_is_reviewed_by_its_district_office(world, django_assert_max_num_queries):
    plan = make_small_plan(world.school)
    plan = Roadmap.objects.select_related("owner").get(pk=plan.pk)
    with django_assert_max_num_queries(1):
        reviewers = reviewers_for(plan)
    assert reviewers.organization == world.omsu
    assert reviewers.users == (world.municipal,)


def test_a_school_plan_goes_to_the_region_when_nobody_writes_in_the_district(world):
    plan = make_small_plan(world.other_school)
    reviewers = reviewers_for(plan)
    assert reviewers.organization == world.institute
    assert reviewers.users == (world.operator,)


def test_a_district_plan_is_reviewed_by_the_regional_operator(world):
    reviewers = reviewers_for(make_small_plan(world.omsu))
    assert (reviewers.organization, reviewers.users) == (world.institute, (world.operator,))


def test_a_regional_body_reviews_its_own_plan_first(world):
    second = make_member(world.ministry, Membership.Role.REGIONAL_OPERATOR, "ministry-op")
    reviewers = reviewers_for(make_small_plan(world.ministry))
    assert (reviewers.organization, reviewers.users) == (world.ministry, (second,))


def test_with_nobody_to_review_the_organization_is_still_named(world):
    Membership.objects.filter(user=world.operator).delete()
    reviewers = reviewers_for(make_small_plan(world.omsu))
    assert reviewers.organization == world.institute and reviewers.users == ()


def test_a_questionnaire_is_reviewed_by_the_district_office(world):
    round_ = make_round(world.region, [world.school])
    submission = make_submission(round_, world.school, {"Z1": "yes"}, status="submitted")
    reviewers = submission_reviewers(submission)
    assert (reviewers.organization, reviewers.users) == (world.omsu, (world.municipal,))


def test_the_plan_page_names_who_reviews_it(world, client_for):
    world.municipal.last_name, world.municipal.first_name = "Петров", "Олег Иванович"
    world.municipal.save()
    plan = _submitted(world.sibling_school, world.municipal)
    page = client_for(world.operator).get(reverse("roadmaps:roadmap-detail", args=[plan.pk]))
    text = page.content.decode()
    assert "Проверяет:" in text and world.omsu.short_name in text and "Петров О. И." in text


def test_the_result_page_names_who_reviews_the_questionnaire(world, client_for):
    round_ = make_round(world.region, [world.school])
    make_submission(round_, world.school, {"Z1": "yes"}, status="submitted")
    url = reverse("selfdiag:result", args=[round_.pk, world.school.pk])
    text = client_for(world.school_user).get(url).content.decode()
    assert "Проверяет:" in text and world.omsu.short_name in text


# Approval by the author


def test_the_author_may_not_approve_while_another_operator_could(world):
    colleague = make_member(world.institute, Membership.Role.REGIONAL_OPERATOR, "colleague")
    plan = _submitted(world.institute, world.operator)
    with pytest.raises(WorkflowError, match="утвердить его должен другой проверяющий"):
        plan.approve(by=world.operator, **APPROVAL)
    plan.refresh_from_db()
    assert plan.status == Roadmap.Status.REVIEW
    event = plan.approve(by=colleague, **APPROVAL)
    assert not event.self_approved
    assert "утверждено автором" not in approval_of(plan).caption


def test_the_only_reviewer_approves_their_own_plan_and_it_says_so(world, client_for):
    world.operator.last_name, world.operator.first_name = "Смирнова", "Ирина Петровна"
    world.operator.save()
    plan = _submitted(world.institute, world.operator)
    event = plan.approve(by=world.operator, **APPROVAL)
    assert event.self_approved
    plan.refresh_from_db()
    caption = approval_of(plan).caption
    assert caption == "Утвердил: Смирнова И. П. (ГАОУ ДПО «ЛОИРО») — утверждено автором"
    client = client_for(world.viewer)
    assert (
        caption in client.get(reverse("roadmaps:roadmap-detail", args=[plan.pk])).content.decode()
    )
    history = client.get(reverse("roadmaps:roadmap-history", args=[plan.pk])).content.decode()
    assert "утверждено автором" in history


def test_the_superuser_approves_a_plan_the_author_may_not(world, superuser):
    make_member(world.institute, Membership.Role.REGIONAL_OPERATOR, "colleague")
    plan = _submitted(world.institute, world.operator)
    event = plan.approve(by=superuser, **APPROVAL)
    assert not event.self_approved
    assert approval_of(plan).caption == f"Утвердил: {superuser.username} (администратор портала)"


def test_the_approval_page_refuses_the_author_in_russian_and_changes_nothing(world, client_for):
    make_member(world.institute, Membership.Role.REGIONAL_OPERATOR, "colleague")
    plan = _submitted(world.institute, world.operator)
    data = {**APPROVAL, "date": "2024-09-26", "issuer": ""}
    response = client_for(world.operator).post(
        reverse("roadmaps:roadmap-approve", args=[plan.pk]), data, follow=True
    )
    assert "утвердить его должен другой проверяющий (colleague)" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == Roadmap.Status.REVIEW and plan.approval_number == ""


def test_the_api_refuses_the_author_too(world, api):
    make_member(world.institute, Membership.Role.REGIONAL_OPERATOR, "colleague")
    plan = _submitted(world.institute, world.operator)
    response = api("operator").post(
        f"/api/v1/roadmaps/{plan.pk}/approve/", {**APPROVAL, "date": "2024-09-26"}, format="json"
    )
    assert response.status_code == 409, response.content
    assert "другой проверяющий" in str(response.json())
    plan.refresh_from_db()
    assert plan.status == Roadmap.Status.REVIEW


def test_a_municipal_plan_approved_by_the_region_names_the_approver(world, client_for):
    plan = _submitted(world.omsu, world.municipal)
    plan.approve(by=world.operator, **APPROVAL)
    plan.refresh_from_db()
    text = client_for(world.municipal).get(reverse("roadmaps:roadmap-detail", args=[plan.pk]))
    assert f"Утвердил: {world.operator.username} (ГАОУ ДПО «ЛОИРО»)" in text.content.decode()


def test_a_user_without_a_name_is_named_by_login(db):
    assert person_name(make_user("login-only")) == "login-only"


def test_the_home_page_lists_the_first_entries_with_the_true_total(world, client_for):
    for _ in range(7):
        _submitted(world.omsu, world.municipal)
    home = client_for(world.operator).get(reverse("home")).content.decode()
    assert 'Планы на согласование <span class="inbox-count">(7)</span>' in home
    assert "Показаны первые 5" in home
    assert home.count("Утвердить или вернуть</a>") == 5


def test_the_pdf_names_who_approved_the_plan_under_the_grif(world):
    from reports.pdf import plan_html

    plan = _submitted(world.omsu, world.municipal)
    plan.approve(by=world.operator, **APPROVAL)
    plan.refresh_from_db()
    html = plan_html(plan)
    assert f"Утвердил: {world.operator.username} (ГАОУ ДПО «ЛОИРО»)" in html
    assert "portal-approval" not in plan_html(make_small_plan(world.omsu))


def test_the_approval_page_tells_the_author_before_they_fill_it_in(world, client_for):
    plan = _submitted(world.institute, world.operator)
    client = client_for(world.operator)
    url = reverse("roadmaps:roadmap-approve", args=[plan.pk])
    assert "будет отмечено «утверждено автором»" in client.get(url).content.decode()
    make_member(world.institute, Membership.Role.REGIONAL_OPERATOR, "colleague")
    assert "утвердить его должен другой проверяющий — colleague" in client.get(url).content.decode()


def test_a_periodic_item_is_due_by_its_next_period_not_the_end_of_the_year(world):
    """«Ежемесячно» over the plan's year: the next monthly report is what waits, days away,
    although the deadline as a whole ends months later."""
    from roadmaps.deadlines import Period, parse_deadline
    from roadmaps.occurrences import refresh_next_due, store_occurrences

    today = timezone.localdate()
    plan, (item,) = _approved_plan_with_items(
        world.institute, world.omsu, [("Мониторинг сайтов", 150, Item.Status.NOT_STARTED)]
    )
    period = Period(plan.period_start, plan.period_end)
    item.apply_deadline(parse_deadline("ежемесячно", period))
    item.save()
    store_occurrences([item], period)
    # The months gone by are reported: the next one is what is left.
    item.occurrences.filter(due__lt=today).update(status=Item.Status.DONE)
    # This month's report is due in six days (the 25th of «до 25 числа»).
    upcoming = item.occurrences.filter(due__gte=today).order_by("due").first()
    upcoming.due = today + datetime.timedelta(days=6)
    upcoming.save(update_fields=["due"])
    refresh_next_due([item])
    item.refresh_from_db()
    assert item.deadline_end > today + datetime.timedelta(days=14)
    assert item.next_due is not None

    [entry] = [e for e in inbox_for(world.municipal).entries if e.kind == "item_due"]
    assert entry.date == item.overdue_since
    assert entry.days_left == 6 and entry.urgent is False


def test_the_counts_sql_is_built_once_per_user_and_day_and_still_counts_new_rows(
    world, scene, monkeypatch
):
    """The menu's count keeps its compiled SQL (inbox.entries._count_sql): the second count
    builds no querysets, yet counts a row added meanwhile; a job leaves the count when it is
    older than JOB_DAYS by the `now` of this count, not of the first one."""
    from inbox import entries

    first = count_for(world.operator)

    def no_building(*args, **kwargs):
        raise AssertionError("the count's querysets were built again")

    monkeypatch.setattr(entries, "_querysets", no_building)
    job = Job.objects.create(
        user=world.operator,
        kind=Job.Kind.PLAN_PDF,
        title="PDF",
        status=Job.Status.DONE,
        finished=timezone.now(),
    )
    again = count_for(world.operator)
    assert again.total == first.total + 1
    assert again.by_kind["job_done"] == first.by_kind["job_done"] + 1
    later = timezone.now() + datetime.timedelta(days=entries.JOB_DAYS, hours=1)
    assert count_for(world.operator, now=later).by_kind["job_done"] == 0
    assert job.finished < later

    # Another scope (a new membership) is another SQL: built afresh.
    monkeypatch.undo()
    built = []
    original = entries._querysets
    monkeypatch.setattr(entries, "_querysets", lambda *a: built.append(a) or original(*a))
    Membership.objects.create(
        user=world.operator, organization=world.school, role=Membership.Role.SCHOOL_COORDINATOR
    )
    world.operator._portal_scope = None
    count_for(world.operator)
    assert len(built) == 1


@pytest.mark.parametrize("role", ["operator", "municipal", "school_user"])
def test_given_the_count_the_inbox_asks_only_the_kinds_it_counted(
    world, scene, role, django_assert_num_queries
):
    user = getattr(world, role)
    get_scope(user)
    counts = count_for(user)
    counted = [kind for kind, n in counts.by_kind.items() if n]
    assert counted  # every role of the scene has something waiting
    with django_assert_num_queries(len(counted)):
        inbox = inbox_for(user, counts=counts)
    assert inbox.entries == inbox_for(user).entries
    assert {group.kind: group.total for group in inbox.groups} == {
        kind: counts.by_kind[kind] for kind in counted
    }


def test_the_home_page_counts_afresh_and_lists_a_new_entry_at_once(
    world, scene, client_for, settings
):
    settings.INBOX_COUNT_SECONDS = 60
    client = client_for(world.operator)
    assert "Ожидает действий (6)" in client.get(reverse("roadmaps:roadmap-list")).content.decode()
    plan = _submitted(world.omsu, world.municipal)
    # The menu of other pages keeps its count for a minute; the home page's panel lists only the
    # kinds its count has, so it counts afresh and shows the plan sent a moment ago.
    assert "Ожидает действий (6)" in client.get(reverse("roadmaps:roadmap-list")).content.decode()
    home = client.get(reverse("home")).content.decode()
    assert "Ожидает действий (7)" in home
    assert plan.title in home
