"""Scoped querysets of self-diagnosis: every view, export and report starts here.

A round is seen by whoever sees its region, or one of its schools (a municipal coordinator whose
district takes part, a school coordinator of a school included). Submissions and their results
follow the school: a school never sees another school's answers.
"""

from django.db import models
from django.db.models import Count, Q, Subquery
from django.db.models.functions import Coalesce

from orgs.scope import get_scope


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
        scope = get_scope(user)
        if scope.is_superuser:
            return self.all()
        from selfdiag.models import Round

        included = Round.schools.through.objects.filter(
            scope.organization_q("organization__")
        ).values("round_id")
        return self.filter(Q(region_id__in=scope.regions) | Q(pk__in=included))

    def writable_by(self, user):
        """Rounds the user may manage (open, close, import): the region's writing bodies."""
        scope = get_scope(user)
        if scope.is_superuser:
            return self.all()
        return self.filter(region_id__in=scope.write_regions)

    def open(self):
        return self.filter(status="open")


class SubmissionQuerySet(models.QuerySet):
    def for_user(self, user, *, write: bool = False):
        return self.filter(get_scope(user).organization_q("school__", write=write))

    def scored(self):
        """Submissions whose stored result counts: sent or accepted."""
        return self.filter(status__in=("submitted", "accepted"), scored_at__isnull=False)


class DirectionResultQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(get_scope(user).organization_q("school__"))

    def counted(self):
        return self.filter(
            submission__status__in=("submitted", "accepted"), submission__scored_at__isnull=False
        )


class DeficitQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(get_scope(user).organization_q("school__"))

    def counted(self):
        return self.filter(
            submission__status__in=("submitted", "accepted"), submission__scored_at__isnull=False
        )

    def critical(self):
        return self.filter(critical=True)
