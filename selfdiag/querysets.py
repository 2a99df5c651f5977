"""Scoped querysets of self-diagnosis: every view, export and report starts here.

A round is seen by whoever sees its region, or one of its schools (a municipal coordinator whose
district takes part, a school coordinator of a school included). Submissions and their results
follow the school: a school never sees another school's answers.

A round's progress (how many schools started, sent, had accepted…) is counted by one method,
`SubmissionQuerySet.progress`: the round page, the list of rounds, the home page and the API all
count with it, the lists through `RoundQuerySet.with_progress`.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from orgs.scope import get_scope

SCORED_STATUSES = ("submitted", "accepted")

# What a round's progress counts: questionnaires started (any state), in each state, and done
# (sent or accepted, the ones whose result counts).
PROGRESS_COUNTS = {
    "started": Q(),
    "draft": Q(status="draft"),
    "submitted": Q(status="submitted"),
    "returned": Q(status="returned"),
    "accepted": Q(status="accepted"),
    "done": Q(status__in=SCORED_STATUSES),
}


def count_of(queryset, group_by: str):
    """A subquery counting the rows of `queryset`, correlated with OuterRef on `group_by`."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted), 0)


class MethodologyQuerySet(models.QuerySet):
    def for_user(self, user):
        """Methodologies are public documents: anyone with a role may read them."""
        scope = get_scope(user)
        return self.all() if not scope.is_empty else self.none()


class RoundQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.for_scope(get_scope(user))

    def for_scope(self, scope):
        if scope.is_superuser:
            return self.all()
        from selfdiag.models import Round

        included = Round.schools.through.objects.filter(
            scope.organization_q("organization__")
        ).values("round_id")
        return self.filter(Q(region_id__in=scope.regions) | Q(pk__in=included))

    def with_methodology(self):
        """Rounds with their region and methodology in one query, without the methodology's
        `source` (the whole document as loaded, tens of kilobytes of JSON that no page reads:
        parsing it was the largest part of the autosave's round lookup)."""
        return self.select_related("region", "methodology").defer("methodology__source")

    def writable_by(self, user):
        """Rounds the user may manage (open, close, import): the region's writing bodies."""
        scope = get_scope(user)
        if scope.is_superuser:
            return self.all()
        return self.filter(region_id__in=scope.write_regions)

    def open(self):
        return self.filter(status="open")

    def with_progress(self, schools):
        """Each round with its progress among `schools` (an Organization queryset, such as the
        user's scope): `school_total`, the round's schools among them, and every count of
        `PROGRESS_COUNTS` (`started`, `draft`, …, `done`), one correlated subquery each."""
        from selfdiag.models import Round, Submission

        included = Round.schools.through.objects.filter(
            round_id=OuterRef("pk"), organization_id__in=schools.values("pk")
        )
        submissions = Submission.objects.filter(
            round_id=OuterRef("pk"),
            school_id__in=schools.values("pk"),
            school__selfdiag_rounds=OuterRef("pk"),
        ).progress("round_id")
        return self.annotate(
            school_total=count_of(included, "round_id"),
            **{
                name: Coalesce(Subquery(submissions.values(name)[:1]), 0)
                for name in PROGRESS_COUNTS
            },
        )


@dataclass(frozen=True)
class Progress:
    """The progress of a round, or of one municipality in it, for a page."""

    total: int = 0
    started: int = 0
    draft: int = 0
    submitted: int = 0
    returned: int = 0
    accepted: int = 0
    done: int = 0
    name: str = ""

    @property
    def not_started(self) -> int:
        return self.total - self.started

    def __add__(self, other: "Progress") -> "Progress":
        counts = {
            field: getattr(self, field) + getattr(other, field)
            for field in ("total", *PROGRESS_COUNTS)
        }
        return Progress(**counts, name=self.name)


class SubmissionQuerySet(models.QuerySet):
    def for_user(self, user, *, write: bool = False):
        return self.filter(get_scope(user).organization_q("school__", write=write))

    def scored(self):
        """Submissions whose stored result counts: sent or accepted."""
        return self.filter(status__in=SCORED_STATUSES, scored_at__isnull=False)

    def progress(self, *group_by: str):
        """The one count of a round's progress: a row per value of `group_by` (the round, the
        school's municipality) with every count of `PROGRESS_COUNTS`."""
        return (
            self.order_by()
            .values(*group_by)
            .annotate(**{name: Count("pk", filter=q) for name, q in PROGRESS_COUNTS.items()})
        )


class DirectionResultQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(get_scope(user).organization_q("school__"))

    def counted(self):
        return self.filter(
            submission__status__in=SCORED_STATUSES, submission__scored_at__isnull=False
        )


class DeficitQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(get_scope(user).organization_q("school__"))

    def counted(self):
        return self.filter(
            submission__status__in=SCORED_STATUSES, submission__scored_at__isnull=False
        )

    def critical(self):
        return self.filter(critical=True)
