import datetime

from django.db import models
from django.db.models import Q
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


class RoadmapQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = get_scope(user)
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


class ItemQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = get_scope(user)
        if scope.is_superuser:
            return self.all()
        return self.filter(
            scope.organization_q("roadmap__owner__") | _higher_level_plans_q(scope, "roadmap__")
        )

    def overdue(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(deadline_end__lt=today).exclude(status__in=["done", "cancelled"])

    def done(self):
        return self.filter(status="done")
