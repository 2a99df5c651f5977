"""Who may do what in self-diagnosis. Views, exports and the home panel all ask here.

- Reading a round follows `Round.objects.for_user`; inside it, a user sees the schools of their
  scope only. A school outside the scope is a 404, as is a round of another region.
- Answering and submitting needs a writing membership that covers the school.
- Reviewing (accept, return), the Excel template and the import need a writing membership one
  level up: the school's municipality or its region.
- Opening and closing rounds is for the region's writing bodies (the regional operator).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from orgs.models import Organization
from orgs.scope import get_scope
from selfdiag.models import Round


def review_q(user, prefix: str = "") -> Q:
    """Schools whose submissions the user reviews: their region's or municipality's writers."""
    scope = get_scope(user)
    if scope.is_superuser:
        return Q()
    q = Q(pk__in=[])
    if scope.write_regions:
        q |= Q(**{f"{prefix}region_id__in": scope.write_regions})
    if scope.write_municipalities:
        q |= Q(**{f"{prefix}municipality_id__in": scope.write_municipalities})
    return q


def can_write_school(user, school: Organization) -> bool:
    return get_scope(user).covers(school, write=True)


def can_review(user, school: Organization) -> bool:
    scope = get_scope(user)
    return (
        scope.is_superuser
        or school.region_id in scope.write_regions
        or school.municipality_id in scope.write_municipalities
    )


def can_manage_round(user, round_: Round) -> bool:
    scope = get_scope(user)
    return scope.is_superuser or round_.region_id in scope.write_regions


def get_round_for_user(request, pk) -> Round:
    return get_object_or_404(
        Round.objects.for_user(request.user).select_related("region", "methodology"), pk=pk
    )


def schools_in_scope(user, round_: Round):
    """The round's schools the user sees."""
    return round_.schools.filter(get_scope(user).organization_q())


def reviewed_schools(user, round_: Round):
    """The round's schools the user reviews (and may load results for)."""
    return round_.schools.filter(review_q(user))


def get_school_for_user(request, round_: Round, school_pk) -> Organization:
    return get_object_or_404(
        schools_in_scope(request.user, round_).select_related("municipality", "region"),
        pk=school_pk,
    )


def require_reviewer(user, round_: Round) -> None:
    if not reviewed_schools(user, round_).exists():
        raise PermissionDenied(
            "Это доступно региональному оператору и муниципальному координатору."
        )
