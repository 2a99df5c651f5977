"""«Ожидает моих действий»: what waits for a user, derived from the data on every request.

Nothing is stored: each kind of entry is one bounded query over the rows that already say it
(a plan on review, a returned questionnaire, an open round, an item's deadline, a finished job),
scoped like every page (`for_user`, roadmaps/access.py `review_q`, selfdiag/access.py
`review_q`). The home page, the page /inbox/, the menu's count and the API /api/v1/inbox/ all
read here, so they never disagree.

Kinds, in the order the page shows them:

- `plan_review` — plans sent for approval that the user may review (`can_review`);
- `plan_returned` — plans of the user's organizations returned for rework, with the comment;
- `submission_review` — sent self-diagnosis questionnaires of schools the user reviews;
- `submission_returned` — the user's schools' questionnaires returned, with the comment;
- `round_open` — open rounds of the user's schools not yet sent, with the days left;
- `item_due` — items of approved plans (the versions in force) whose responsible parties are
  the user's organizations: overdue by the monitoring's rule (`ItemQuerySet.overdue`) or due
  within `DUE_DAYS` days;
- `job_done` — the user's background jobs finished in the last `JOB_DAYS` days.

«The user's organizations» are those where the user has a writing membership: the inbox lists
what the user is expected to act on, and a viewer acts on nothing. Superusers review anything
and so see every plan and questionnaire on review, but own no plans, schools or items.
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Exists, IntegerField, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job
from orgs.models import Membership
from orgs.reviewers import WRITING_ROLES, format_name, person_name
from orgs.scope import get_scope
from portal import russian
from portal.russian import DAYS, quote
from roadmaps.access import review_q as plan_review_q
from roadmaps.models import Item, ItemResponsible, Roadmap, RoadmapEvent
from selfdiag.access import review_q as school_review_q
from selfdiag.models import Round, Submission

# Each kind lists at most this many entries (the oldest first); the count stops there too.
LIMIT = 50
DUE_DAYS = 14
JOB_DAYS = 3

KINDS = {
    "plan_review": "Планы на согласование",
    "plan_returned": "Планы, возвращённые на доработку",
    "submission_review": "Анкеты самодиагностики на проверку",
    "submission_returned": "Анкеты, возвращённые на доработку",
    "round_open": "Самодиагностика: открытые раунды",
    "item_due": f"Сроки мероприятий: просрочено и ближайшие {russian.count(DUE_DAYS, DAYS)}",
    "job_done": "Готовые фоновые задания",
}


@dataclass(frozen=True)
class Entry:
    """One thing waiting for the user, with the link to where it is done."""

    kind: str
    title: str
    url: str
    action: str  # the link's words: «Утвердить или вернуть», «Исправить»…
    organization: str = ""
    detail: str = ""
    comment: str = ""
    comment_by: str = ""
    date: datetime.date | None = None
    days_left: int | None = None  # negative: days overdue
    urgent: bool = False

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


@dataclass
class Group:
    kind: str
    entries: list[Entry] = field(default_factory=list)
    more: bool = False  # more than were asked for: the rest is not listed
    total: int | None = None  # how many there are (from `count_for`), when known

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def total_label(self) -> str:
        """«14», or «5+» / «50+» when the total is not known or more than LIMIT."""
        if self.total is not None and (self.total <= LIMIT or not self.more):
            return str(self.total)
        if self.total is not None:
            return f"{LIMIT}+"
        return f"{len(self.entries)}+" if self.more else str(len(self.entries))


@dataclass
class Inbox:
    groups: list[Group]

    @property
    def entries(self) -> list[Entry]:
        return [entry for group in self.groups for entry in group.entries]

    @property
    def count(self) -> int:
        return sum(len(group.entries) for group in self.groups)

    @property
    def more(self) -> bool:
        return any(group.more for group in self.groups)

    def __bool__(self) -> bool:
        return self.count > 0


# The querysets: one per kind, what both the entries and the count read.


def _my_organizations(user):
    """Ids of the organizations where the user may write: the request's scope has them already
    (its own organizations are the writing memberships); a superuser's scope does not list
    memberships, so for one they are a subquery."""
    scope = get_scope(user)
    if not scope.is_superuser:
        return list(scope.own_organizations)
    return Membership.objects.filter(user=user, role__in=WRITING_ROLES).values("organization_id")


def plans_to_review(user):
    return (
        Roadmap.objects.for_user(user)
        .filter(plan_review_q(user), status=Roadmap.Status.REVIEW)
        .order_by("updated", "pk")
    )


def plans_returned(user):
    return (
        Roadmap.objects.for_user(user)
        .filter(status=Roadmap.Status.RETURNED, owner_id__in=_my_organizations(user))
        .order_by("-updated", "pk")
    )


def submissions_to_review(user):
    return (
        Submission.objects.for_user(user)
        .filter(school_review_q(user, "school__"), status=Submission.Status.SUBMITTED)
        .order_by("submitted_at", "pk")
    )


def submissions_returned(user):
    return (
        Submission.objects.for_user(user)
        .filter(status=Submission.Status.RETURNED, school_id__in=_my_organizations(user))
        .order_by("-reviewed_at", "pk")
    )


def rounds_open(user):
    """(round, school) rows: an open round of one of the user's schools that the school has not
    sent (a returned questionnaire is listed as returned instead)."""
    Through = Round.schools.through
    handled = Submission.objects.filter(
        round_id=OuterRef("round_id"),
        school_id=OuterRef("organization_id"),
        status__in=(
            Submission.Status.SUBMITTED,
            Submission.Status.ACCEPTED,
            Submission.Status.RETURNED,
        ),
    )
    return (
        Through.objects.filter(
            round__in=Round.objects.for_user(user).open(),
            organization_id__in=_my_organizations(user),
        )
        .exclude(Exists(handled))
        .order_by("round__closes_on", "round_id", "organization_id")
    )


def items_due(user, today: datetime.date | None = None):
    today = today or timezone.localdate()
    responsible = ItemResponsible.objects.filter(
        item_id=OuterRef("pk"), party__organization_id__in=_my_organizations(user)
    )
    return (
        Item.objects.for_user(user)
        # Approved versions are the plans in force (Roadmap.approve archives the one before).
        .filter(Exists(responsible), roadmap__status=Roadmap.Status.APPROVED)
        .overdue_or_due(DUE_DAYS, today)
    )


def _jobs_since(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=JOB_DAYS)


def jobs_done(user, now: datetime.datetime | None = None):
    now = now or timezone.now()
    return Job.objects.filter(
        user=user,
        status__in=Job.FINISHED,
        finished__gte=_jobs_since(now),
    ).order_by("-finished", "-pk")


def possible_kinds(user) -> set[str]:
    """The kinds that can have entries for `user` at all, read from the scope the request has
    already built: a school coordinator reviews nothing, a municipal one has no questionnaire of
    its own. The other kinds' queries would find no row, but building each costs a few ms of
    Python (the home page of a school coordinator spent half its time there)."""
    scope = get_scope(user)
    if scope.is_superuser:
        return set(KINDS)  # reviews everything, and may have memberships of its own
    kinds = {"job_done"}
    if scope.write_regions or scope.write_municipalities:
        kinds |= {"plan_review", "submission_review"}
    if scope.own_organizations:  # the writing memberships (_my_organizations)
        kinds |= {"plan_returned", "item_due"}
    if scope.write_organizations:  # writing memberships in schools, which rounds are made of
        kinds |= {"submission_returned", "round_open"}
    return kinds


def _querysets(user, today, now, kinds=None) -> dict:
    """The querysets of the kinds `user` can have (`possible_kinds`), or only of `kinds`."""
    makers = {
        "plan_review": lambda: plans_to_review(user),
        "plan_returned": lambda: plans_returned(user),
        "submission_review": lambda: submissions_to_review(user),
        "submission_returned": lambda: submissions_returned(user),
        "round_open": lambda: rounds_open(user),
        "item_due": lambda: items_due(user, today),
        "job_done": lambda: jobs_done(user, now),
    }
    wanted = possible_kinds(user)
    if kinds is not None:
        wanted &= set(kinds)
    return {kind: make() for kind, make in makers.items() if kind in wanted}


# The count for the menu: one query whatever the number of rows.


class _CountOf(Subquery):
    """COUNT(*) of a (sliced) queryset, as a scalar subquery."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) inbox_kind)"
    output_field = IntegerField()
    # A kind that cannot have rows (no memberships) compiles to no subquery at all.
    empty_result_set_value = 0


@dataclass(frozen=True)
class Count:
    total: int
    more: bool  # some kind has more than LIMIT entries: show «50+»
    by_kind: dict = field(default_factory=dict)  # kind -> entries, up to LIMIT + 1

    def __str__(self) -> str:
        return f"{self.total}+" if self.more else str(self.total)

    def __bool__(self) -> bool:
        return self.total > 0


# The count's SQL, kept per (user, scope, day, database): building it — seven scalar subqueries,
# each filtered by the user's scope — costs 15-20 ms of Python, running it about a millisecond
# of the database's time, and the menu shows it on every page. The SQL depends on nothing else:
# the scope's ids and the day's dates are in it, the rows are not (a new plan to review is
# counted by the same SQL). The one moment it needs, `now` for the recent jobs, is compiled as
# a stand-in value and replaced in the parameters on each run. An LRU of _COUNT_SQL_LIMIT users.
_COUNT_SQL: OrderedDict[tuple, tuple[str, tuple, tuple[str, ...]]] = OrderedDict()
_COUNT_SQL_LIMIT = 1024
_COUNT_SQL_LOCK = threading.Lock()
_NOW_STAND_IN = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _count_sql(user, today, using: str) -> tuple[str, tuple, tuple[str, ...]]:
    key = (user.pk, get_scope(user), today, using)
    with _COUNT_SQL_LOCK:
        compiled = _COUNT_SQL.get(key)
        if compiled is not None:
            _COUNT_SQL.move_to_end(key)
            return compiled
    querysets = _querysets(user, today, _NOW_STAND_IN)
    row = (
        get_user_model()
        .objects.using(using)
        .filter(pk=user.pk)
        .values(
            **{
                kind: _CountOf(queryset.order_by().values("pk")[: LIMIT + 1])
                for kind, queryset in querysets.items()
            }
        )
        .order_by()
    )
    sql, params = row.query.get_compiler(using).as_sql()
    compiled = (sql, tuple(params), tuple(querysets))
    with _COUNT_SQL_LOCK:
        _COUNT_SQL[key] = compiled
        while len(_COUNT_SQL) > _COUNT_SQL_LIMIT:
            _COUNT_SQL.popitem(last=False)
    return compiled


def count_for(user, today=None, now=None) -> Count:
    """How many entries wait for the user, in one query (each kind counted up to LIMIT + 1)."""
    if not user.is_authenticated:
        return Count(0, False)
    today = today or timezone.localdate()
    now = now or timezone.now()
    using = router.db_for_read(get_user_model())
    connection = connections[using]
    sql, params, kinds = _count_sql(user, today, using)
    adapt = connection.ops.adapt_datetimefield_value
    stand_in = adapt(_jobs_since(_NOW_STAND_IN))
    since = adapt(_jobs_since(now))
    params = tuple(since if param == stand_in else param for param in params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    row = dict(zip(kinds, found, strict=True)) if found else {}
    by_kind = {kind: row.get(kind, 0) for kind in KINDS}
    counts = [min(n, LIMIT) for n in by_kind.values()]
    return Count(sum(counts), any(n > LIMIT for n in by_kind.values()), by_kind)


# The entries: one query per kind.


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value


def _plan_review_entries(queryset, today, limit) -> list[Entry]:
    submitted = RoadmapEvent.objects.filter(
        roadmap_id=OuterRef("pk"), action=RoadmapEvent.Action.SUBMITTED
    ).order_by("-created", "-pk")
    plans = queryset.select_related("owner__municipality").annotate(
        submitted_at=Subquery(submitted.values("created")[:1])
    )[:limit]
    return [
        Entry(
            kind="plan_review",
            title=plan.title,
            url=reverse("roadmaps:roadmap-approve", args=[plan.pk]),
            action="Утвердить или вернуть",
            organization=plan.owner.short_name,
            detail=f"{plan.period_label}, версия {plan.version}",
            date=_date(plan.submitted_at or plan.updated),
        )
        for plan in plans
    ]


def _plan_returned_entries(queryset, today, limit) -> list[Entry]:
    returned = RoadmapEvent.objects.filter(
        roadmap_id=OuterRef("pk"), action=RoadmapEvent.Action.RETURNED
    ).order_by("-created", "-pk")
    plans = queryset.select_related("owner").annotate(
        returned_at=Subquery(returned.values("created")[:1]),
        returned_comment=Subquery(returned.values("comment")[:1]),
        returned_last=Subquery(returned.values("user__last_name")[:1]),
        returned_first=Subquery(returned.values("user__first_name")[:1]),
        returned_login=Subquery(returned.values("user__username")[:1]),
    )[:limit]
    return [
        Entry(
            kind="plan_returned",
            title=plan.title,
            url=reverse("roadmaps:roadmap-detail", args=[plan.pk]),
            action="Доработать",
            organization=plan.owner.short_name,
            detail=f"{plan.period_label}, версия {plan.version}",
            comment=plan.returned_comment or "",
            comment_by=format_name(plan.returned_last, plan.returned_first, plan.returned_login),
            date=_date(plan.returned_at or plan.updated),
        )
        for plan in plans
    ]


def _submission_review_entries(queryset, today, limit) -> list[Entry]:
    submissions = queryset.select_related("school__municipality", "round")[:limit]
    return [
        Entry(
            kind="submission_review",
            title=f"Самодиагностика {quote(submission.round.name)}",
            url=reverse("selfdiag:result", args=[submission.round_id, submission.school_id]),
            action="Принять или вернуть",
            organization=submission.school.short_name,
            detail=submission.school.municipality.name if submission.school.municipality else "",
            date=_date(submission.submitted_at),
        )
        for submission in submissions
    ]


def _submission_returned_entries(queryset, today, limit) -> list[Entry]:
    submissions = queryset.select_related("school", "round", "reviewed_by")[:limit]
    return [
        Entry(
            kind="submission_returned",
            title=f"Самодиагностика {quote(submission.round.name)}",
            url=reverse("selfdiag:questionnaire", args=[submission.round_id, submission.school_id]),
            action="Исправить и отправить",
            organization=submission.school.short_name,
            comment=submission.review_comment,
            comment_by=person_name(submission.reviewed_by),
            date=_date(submission.reviewed_at),
        )
        for submission in submissions
    ]


def _round_entries(queryset, today, limit) -> list[Entry]:
    rows = queryset.select_related("round", "organization")[:limit]
    entries = []
    for row in rows:
        days_left = (row.round.closes_on - today).days
        entries.append(
            Entry(
                kind="round_open",
                title=f"Самодиагностика {quote(row.round.name)}",
                url=reverse("selfdiag:questionnaire", args=[row.round_id, row.organization_id]),
                action="Заполнить анкету",
                organization=row.organization.short_name,
                detail=f"до {row.round.closes_on:%d.%m.%Y}",
                date=row.round.closes_on,
                days_left=days_left,
                urgent=days_left <= 7,
            )
        )
    return entries


def _item_entries(queryset, today, limit) -> list[Entry]:
    items = queryset.select_related("roadmap__owner")[:limit]
    return [
        Entry(
            kind="item_due",
            title=f"{item.number} {item.title}".strip(),
            url=reverse("roadmaps:item-reports", args=[item.pk]),
            action="Отчитаться",
            organization=item.roadmap.owner.short_name,
            detail=item.deadline_text or "",
            date=item.due_on,
            days_left=(item.due_on - today).days,
            urgent=item.is_late,
        )
        for item in items
    ]


def _job_entries(queryset, today, limit) -> list[Entry]:
    return [
        Entry(
            kind="job_done",
            title=job.title,
            url=reverse("jobs:job-detail", args=[job.pk]),
            action="Скачать файл" if job.has_file else "Открыть",
            detail=job.get_status_display(),
            date=_date(job.finished),
            urgent=job.status == Job.Status.FAILED,
        )
        for job in queryset[:limit]
    ]


BUILDERS = {
    "plan_review": _plan_review_entries,
    "plan_returned": _plan_returned_entries,
    "submission_review": _submission_review_entries,
    "submission_returned": _submission_returned_entries,
    "round_open": _round_entries,
    "item_due": _item_entries,
    "job_done": _job_entries,
}


def inbox_for(user, *, limit: int = LIMIT, today=None, now=None, counts=None) -> Inbox:
    """Everything waiting for `user`, grouped by kind (only the kinds with entries), at most
    `limit` of each. Given the `count_for` of the same request, each group knows its total, and
    the kinds it counted none of are not asked at all (building each kind's query costs a few
    ms of Python): so pass a fresh count, not the menu's cached one."""
    if not user.is_authenticated:
        return Inbox([])
    today = today or timezone.localdate()
    kinds = None if counts is None else [kind for kind, n in counts.by_kind.items() if n]
    groups = []
    for kind, queryset in _querysets(user, today, now, kinds).items():
        entries = BUILDERS[kind](queryset, today, limit + 1)
        if entries:
            total = counts.by_kind.get(kind) if counts is not None else None
            groups.append(Group(kind, entries[:limit], more=len(entries) > limit, total=total))
    return Inbox(groups)
