"""Who is told (a writer is an active user with a non-viewer membership):

- the writers of an organization: its own members who may write (the plan's or the school's
  people, not everyone above them who could);
- the reviewers of a plan or a questionnaire: the people its page names as reviewers
  (orgs/reviewers.py), worked out when the step commits.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from orgs.models import Organization
from orgs.reviewers import WRITING_ROLES


def _users(q: Q):
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(q & Q(memberships__role__in=WRITING_ROLES))
        .distinct()
    )


def writers_of(organization: Organization):
    return _users(Q(memberships__organization=organization))


def writers_of_organizations(organization_ids):
    return _users(Q(memberships__organization_id__in=list(organization_ids)))


def plan_reviewers(roadmap):
    """The people the plan's page names as its reviewers (roadmaps.review.reviewers_for), so
    that whoever is told is whoever the author sees waiting; found when the step commits."""
    from roadmaps.review import reviewers_for

    return lambda: reviewers_for(roadmap).users


def submission_reviewers(submission):
    """The reviewers the questionnaire's page names (selfdiag.review.reviewers_for)."""
    from selfdiag.review import reviewers_for

    return lambda: reviewers_for(submission).users
