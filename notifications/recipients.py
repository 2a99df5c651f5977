"""Who is told: minimal rules, the same as the access rules of roadmaps/access.py and
selfdiag/access.py (a writer is a user with a non-viewer membership).

- the writers of an organization: its own members who may write (the plan's or the school's
  people, not everyone above them who could);
- the reviewers of a plan (roadmaps.access.can_review): the regional bodies' writers of the
  region for a regional or municipal plan; for a school's plan the municipality's writers (the
  region's when the municipality has none);
- the reviewers of a school's questionnaire (selfdiag.access.can_review): the same as of the
  school's plan.

Each returns a queryset of active users, so a caller can narrow it or read ids in one query.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from orgs.models import Membership, Organization

# Written positively: a negated lookup on a multi-valued relation would become a subquery
# about any of the user's memberships, not the one that matched.
BODIES = [kind for kind in Organization.Kind.values if kind != Organization.Kind.SCHOOL]


def _users(q: Q):
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(q & Q(memberships__role__in=_writing_roles()))
        .distinct()
    )


def _writing_roles() -> list[str]:
    return [role for role in Membership.Role.values if role != Membership.Role.VIEWER]


def writers_of(organization: Organization):
    return _users(Q(memberships__organization=organization))


def writers_of_organizations(organization_ids):
    return _users(Q(memberships__organization_id__in=list(organization_ids)))


def regional_writers(region_id: int):
    """Writers of the region's own bodies (institute, ministry): the regional operators."""
    return _users(
        Q(
            memberships__organization__region_id=region_id,
            memberships__organization__municipality__isnull=True,
            memberships__organization__kind__in=BODIES,
        )
    )


def municipal_writers(municipality_id: int):
    """Writers of the municipality's bodies (ОМСУ, ИМЦ), its schools left out."""
    return _users(
        Q(
            memberships__organization__municipality_id=municipality_id,
            memberships__organization__kind__in=BODIES,
        )
    )


def school_reviewers(school: Organization):
    """Who checks a school's plan or questionnaire: its municipality, or else its region."""
    municipal = municipal_writers(school.municipality_id)
    return municipal if municipal.exists() else regional_writers(school.region_id)


def plan_reviewers(roadmap):
    owner = roadmap.owner
    if owner.level == Organization.Level.SCHOOL:
        return school_reviewers(owner)
    return regional_writers(owner.region_id)


def submission_reviewers(submission):
    return school_reviewers(submission.school)
