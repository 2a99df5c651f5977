from django.db import models
from django.db.models import Q

from orgs.scope import get_scope


class RegionQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = get_scope(user)
        if scope.is_superuser:
            return self.all()
        return self.filter(
            Q(pk__in=scope.regions)
            | Q(municipalities__pk__in=scope.municipalities)
            | Q(organizations__pk__in=scope.organizations)
        ).distinct()


class MunicipalityQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = get_scope(user)
        if scope.is_superuser:
            return self.all()
        return self.filter(
            Q(region_id__in=scope.regions)
            | Q(pk__in=scope.municipalities)
            | Q(organizations__pk__in=scope.organizations)
        ).distinct()


class OrganizationQuerySet(models.QuerySet):
    def for_user(self, user, *, write: bool = False):
        return self.filter(get_scope(user).organization_q(write=write))

    def schools(self):
        return self.filter(kind="school")

    def bodies(self):
        return self.exclude(kind="school")


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user):
        """Memberships of the organizations a user sees (for the people list of a scope)."""
        return self.filter(get_scope(user).organization_q("organization__"))
