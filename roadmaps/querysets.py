import datetime

from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from orgs.scope import get_scope


def _higher_level_plans_q(scope, prefix: str = "") -> Q:
    """Approved plans of the levels above the user's organizations: the plans they implement."""
    q = Q(pk__in=[])
    if scope.context_regions:
        q |= Q(
            **{
                f"{prefix}owner__region_id__in": scope.context_regions,
                f"{prefix}owner__municipality__isnull": True,
            }
        )
    if scope.context_municipalities:
        q |= Q(**{f"{prefix}owner__municipality_id__in": scope.context_municipalities}) & ~Q(
            **{f"{prefix}owner__kind": "school"}
        )
    return q & Q(**{f"{prefix}status__in": ["approved", "archived"]})


# Item statuses that still expect work; an item in one of them past a due date is overdue.
OPEN_STATUSES = ("not_started", "in_progress")


def _overdue_q(today: datetime.date | None, prefix: str = "") -> Q:
    """The one overdue rule: a due date passed while the work is open: the end of the
    deadline, or for a periodic item its first occurrence neither done nor cancelled
    (`next_due`: «II квартал» past due without a report). Item.is_overdue says the same."""
    today = today or timezone.localdate()
    # Written positively (not ~Q(status__in=closed)): inside an aggregate over a join a
    # negated lookup on a multi-valued relation turns into a subquery with other semantics.
    return Q(**{f"{prefix}status__in": OPEN_STATUSES}) & (
        Q(**{f"{prefix}deadline_end__lt": today}) | Q(**{f"{prefix}next_due__lt": today})
    )


def _first_due():
    """The earlier of a periodic item's next period and the end of its deadline, in SQL
    (Item.overdue_since). PostgreSQL's LEAST skips NULLs, SQLite's MIN() returns NULL:
    Coalesce evens them out."""
    from django.db.models.functions import Coalesce, Least

    return Coalesce(Least("next_due", "deadline_end"), "next_due", "deadline_end")


def _progress_counts(prefix: str, today: datetime.date | None) -> dict:
    """Counts of a plan's items by execution state, for annotate() and aggregate() alike."""

    def count(**lookups):
        q = Q(**{f"{prefix}{key}": value for key, value in lookups.items()})
        return Count(f"{prefix}pk", filter=q)

    return {
        "item_count": Count(f"{prefix}pk"),
        "not_started_count": count(status="not_started"),
        "in_progress_count": count(status="in_progress"),
        "done_count": count(status="done"),
        "cancelled_count": count(status="cancelled"),
        "overdue_count": Count(f"{prefix}pk", filter=_overdue_q(today, prefix)),
    }


class RoadmapQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.for_scope(get_scope(user))

    def for_scope(self, scope):
        if scope.is_superuser:
            return self.all()
        return self.filter(scope.organization_q("owner__") | _higher_level_plans_q(scope))

    def writable_by(self, user):
        return self.filter(get_scope(user).organization_q("owner__", write=True))

    def approved(self):
        return self.filter(status="approved")

    def current(self):
        """The newest version of each plan (older versions are kept for comparison)."""
        return self.filter(next_version__isnull=True)

    def at_level(self, level: str):
        if level == "school":
            return self.filter(owner__kind="school")
        if level == "municipality":
            return self.filter(owner__municipality__isnull=False).exclude(owner__kind="school")
        if level == "region":
            return self.filter(owner__municipality__isnull=True)
        return self

    def in_force(self):
        """One version of each plan: the approved one while it is in force, else the newest.

        «Актуализировать» makes a new draft version while the approved one stays in force
        until the new one is approved (and the old one archived): execution is reported on the
        version in force, so that is the one monitoring counts.
        """
        approved_version = self.model.objects.filter(lineage=OuterRef("lineage"), status="approved")
        return self.filter(
            Q(status="approved") | Q(next_version__isnull=True) & ~Exists(approved_version)
        )

    def monitored_by(self, user):
        """Plans of the organizations the user's memberships cover: what the user answers for.

        Unlike for_user() it leaves out the higher-level plans a user only reads because their
        organization implements them: a school coordinator monitors the school, not the region.
        """
        return self.for_user(user).filter(get_scope(user).organization_q("owner__"))

    def in_year(self, year: int):
        """Plans whose period touches the calendar year (an academic year touches two)."""
        return self.filter(
            period_start__lte=datetime.date(year, 12, 31),
            period_end__gte=datetime.date(year, 1, 1),
        )

    def with_progress(self, today: datetime.date | None = None):
        """Each plan with item_count, done_count, overdue_count and the other states, one query."""
        return self.annotate(**_progress_counts("items__", today))

    def progress_totals(self, today: datetime.date | None = None) -> dict:
        """The same counts summed over the plans, with plan_count."""
        return self.aggregate(
            plan_count=Count("pk", distinct=True), **_progress_counts("items__", today)
        )

    def progress_by_municipality(self, today: datetime.date | None = None):
        """The counts per municipality: the plans of its bodies and of its schools together.

        Rows are dicts with municipality_id, municipality_name and plan_count besides the counts;
        regional plans have no municipality and are left out.
        """
        return (
            self.filter(owner__municipality__isnull=False)
            .values(
                municipality_id=F("owner__municipality_id"),
                municipality_name=F("owner__municipality__name"),
            )
            .annotate(plan_count=Count("pk", distinct=True), **_progress_counts("items__", today))
            .order_by("municipality_name", "municipality_id")
        )


class ItemQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = get_scope(user)
        if scope.is_superuser:
            return self.all()
        return self.filter(
            scope.organization_q("roadmap__owner__") | _higher_level_plans_q(scope, "roadmap__")
        )

    def with_links(self):
        """Items with their responsible parties (in order, each link with the party's name as
        `party_name`) and directions as plain lists: `item.responsible_links`,
        `item.direction_tags`. Lists, not the related managers' cache: Django then builds no
        queryset per item, which on a plan's page or a page of the API costs more than the two
        prefetch queries themselves; the name comes joined, not as a Party object per link."""
        from roadmaps.models import Direction, ItemResponsible

        return self.with_occurrences().prefetch_related(
            Prefetch(
                "itemresponsible_set",
                # By item id, not ItemResponsible.Meta.ordering: "item" would expand to
                # Item.Meta.ordering and join every row with its plan, section and owner.
                queryset=ItemResponsible.objects.annotate(party_name=F("party__name"))
                .only("item", "position")
                .order_by("item_id", "position"),
                to_attr="responsible_links",
            ),
            Prefetch("directions", queryset=Direction.objects.all(), to_attr="direction_tags"),
        )

    def with_occurrences(self):
        """Items with their occurrences in order as a plain list, `item.occurrence_list`
        (empty for an item that is not periodic)."""
        from roadmaps.models import ItemOccurrence

        return self.prefetch_related(
            Prefetch(
                "occurrences",
                queryset=ItemOccurrence.objects.order_by("item_id", "index"),
                to_attr="occurrence_list",
            )
        )

    def overdue(self, today: datetime.date | None = None):
        return self.filter(_overdue_q(today))

    def by_overdue_since(self):
        """Ordered by the due date missed first (Item.overdue_since), earliest first."""
        return self.annotate(overdue_from=_first_due()).order_by(
            "overdue_from", "roadmap__owner__short_name", "position", "pk"
        )

    def done(self):
        return self.filter(status="done")

    def overdue_or_due(self, days: int, today: datetime.date | None = None):
        """Items overdue (the rule of `overdue()`) or still open and due within `days` days
        (the end of the deadline or a periodic item's next period), each with `is_late` saying
        which, ordered by that date (Item.overdue_since): the inbox's «сроки»."""
        today = today or timezone.localdate()
        late = _overdue_q(today)
        window = (today, today + datetime.timedelta(days=days))
        due = Q(status__in=OPEN_STATUSES) & (
            Q(deadline_end__range=window) | Q(next_due__range=window)
        )
        return (
            self.filter(late | due)
            .annotate(
                # A NULL next_due makes the bare comparison NULL, not False: say it in a Case.
                is_late=Case(When(late, then=Value(True)), default=Value(False)),
                due_on=_first_due(),
            )
            .order_by("due_on", "roadmap_id", "position", "pk")
        )

    def status_counts(self, today: datetime.date | None = None) -> dict:
        """item_count, not_started_count, …, overdue_count over these items, one query."""
        return self.aggregate(**_progress_counts("", today))

    def versions_of(self, item):
        """The item in every version of its plan (versions share the item's key)."""
        return self.filter(key=item.key, roadmap__lineage=item.roadmap.lineage)

    def copies_of(self, item):
        """Copies of `item` (made from any version of its plan) in plans in force, and the
        copies of those one level down: levels are three, so two steps reach every copy."""
        from roadmaps.models import Roadmap

        same = {"key": item.key, "roadmap__lineage": item.roadmap.lineage}
        direct = Q(**{f"source_item__{name}": value for name, value in same.items()})
        indirect = Q(**{f"source_item__source_item__{name}": value for name, value in same.items()})
        return self.filter(direct | indirect).filter(roadmap__in=Roadmap.objects.in_force())

    def with_last_report(self):
        """Each item with last_report_date and last_report_comment of its newest report that
        counts (not withdrawn), whichever version of the plan the report was made on."""
        from roadmaps.models import ExecutionReport

        latest = ExecutionReport.objects.filter(
            item__key=OuterRef("key"),
            item__roadmap__lineage=OuterRef("roadmap__lineage"),
            withdrawn_at__isnull=True,
        ).order_by("-date", "-created")
        return self.annotate(
            last_report_date=Subquery(latest.values("date")[:1]),
            last_report_comment=Subquery(latest.values("comment")[:1]),
        )
