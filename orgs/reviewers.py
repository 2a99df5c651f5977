"""Who reviews the work of an organization: the body one level up and its people.

A school's plan and its self-diagnosis are reviewed by its municipality's education bodies or,
when none of them has anyone who may write, by the region's; a municipality's plan and a
regional plan by the region's bodies. This mirrors who *may* review (roadmaps/access.py
`can_review`, selfdiag/access.py `can_review`): any writer of those levels may; this module
names the one organization that is expected to, and its people, so that the author knows whom
they wait for and notifications know whom to tell.

The people are the active users with a writing membership (not a viewer) in that organization.
Portal administrators (superusers) may review anything but are not listed: they are not
anyone's reviewer by default. One query in the usual case; a second one only when no body of
the reviewing levels has a writer, to still name the organization.

`roadmaps.review.reviewers_for(roadmap)` and `selfdiag.review.reviewers_for(submission)` are the
entry points the pages, the inbox and e-mail notifications call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from orgs.models import Membership, Organization

WRITING_ROLES = (
    Membership.Role.REGIONAL_OPERATOR,
    Membership.Role.MUNICIPAL_COORDINATOR,
    Membership.Role.SCHOOL_COORDINATOR,
)

# Among bodies of one level, who is expected to review first: the operator (the institute that
# runs the project in the region) before the ministry; the district's office before its
# methodical service.
KIND_ORDER = {
    Organization.Kind.REGIONAL_OPERATOR: 0,
    Organization.Kind.REGIONAL_AUTHORITY: 1,
    Organization.Kind.MUNICIPAL_AUTHORITY: 0,
    Organization.Kind.METHODICAL_SERVICE: 1,
}


@dataclass(frozen=True)
class Reviewers:
    """The reviewing organization (None when the level above has no body on the portal) and
    its people with a writing membership, by surname."""

    organization: Organization | None
    users: tuple = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return self.organization is not None

    def others_than(self, user) -> tuple:
        """The reviewers but `user`: whether someone else could review what `user` sent."""
        return tuple(person for person in self.users if person.pk != user.pk)

    @property
    def names(self) -> list[str]:
        return [person_name(person) for person in self.users]


def person_name(user) -> str:
    """«Смирнова И. П.»: the surname and initials, or the login when no name is known."""
    if user is None:
        return ""
    return format_name(user.last_name, user.first_name, user.get_username())


def format_name(last_name, first_name, username) -> str:
    """`person_name` from the three fields (as a query returns them without the user)."""
    last = (last_name or "").strip()
    initials = " ".join(f"{part[0]}." for part in (first_name or "").split() if part)
    if last:
        return f"{last} {initials}".strip()
    return (first_name or "").strip() or (username or "")


def _tiers(owner: Organization) -> list[Q]:
    """Filters for Organization rows, the reviewing level first and the fallback after."""
    region = Q(region_id=owner.region_id, municipality__isnull=True)
    if owner.is_school:
        municipal = Q(municipality_id=owner.municipality_id) & ~Q(kind=Organization.Kind.SCHOOL)
        return [municipal, region]
    return [region]


def _tier_of(organization: Organization, owner: Organization) -> int:
    if owner.is_school and organization.municipality_id is not None:
        return 0
    return 1 if owner.is_school else 0


def _rank(organization: Organization, owner: Organization) -> tuple:
    return (
        _tier_of(organization, owner),
        organization.pk != owner.pk,  # a regional body reviews its own plan first
        KIND_ORDER.get(organization.kind, 9),
        organization.pk,
    )


def reviewers_of(owner: Organization) -> Reviewers:
    """Who reviews what `owner` sends up (its plan, a school's self-diagnosis)."""
    tiers = _tiers(owner)
    bodies = Q(pk__in=[])
    for tier in tiers:
        bodies |= tier
    memberships = list(
        Membership.objects.filter(
            role__in=WRITING_ROLES,
            user__is_active=True,
            organization__in=Organization.objects.filter(bodies),
        ).select_related("organization", "user")
    )
    if memberships:
        organization = min((m.organization for m in memberships), key=lambda o: _rank(o, owner))
        users = sorted(
            (m.user for m in memberships if m.organization_id == organization.pk),
            key=lambda user: (person_name(user), user.pk),
        )
        return Reviewers(organization, tuple(users))
    candidates = list(Organization.objects.filter(bodies))
    if not candidates:
        return Reviewers(None)
    return Reviewers(min(candidates, key=lambda o: _rank(o, owner)))
