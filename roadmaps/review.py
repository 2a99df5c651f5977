"""Who reviews a plan, and who approved it: what the plan's page, its history, its PDF, the inbox
and notifications show.

`reviewers_for(roadmap)` names the organization one level up that is expected to approve the
plan and its people (see orgs/reviewers.py for the rule). `approval_of(roadmap)` tells who
approved it on the portal, from the last «утверждена» event.
"""

from __future__ import annotations

from dataclasses import dataclass

from orgs.models import Membership, Organization
from orgs.reviewers import WRITING_ROLES, Reviewers, person_name, reviewers_of
from roadmaps.models import Roadmap, RoadmapEvent

__all__ = [
    "Approval",
    "Reviewers",
    "approval_of",
    "author_and_others",
    "reviewers_for",
    "submitter_of",
]


def reviewers_for(roadmap: Roadmap) -> Reviewers:
    """Who reviews `roadmap`: `Reviewers(organization, users)`.

    A school's plan — its municipality's education office (or, with no writer there, the
    region's bodies); a municipality's plan and a regional plan — the region's bodies, a
    regional body's own plan by that body first. One query (two when nobody can write there).
    """
    return reviewers_of(roadmap.owner)


def submitter_of(roadmap: Roadmap):
    """The user who last sent the plan for approval (None if nobody did or the user is gone)."""
    event = (
        RoadmapEvent.objects.filter(roadmap=roadmap, action=RoadmapEvent.Action.SUBMITTED)
        .select_related("user")
        .order_by("-created", "-pk")
        .first()
    )
    return event.user if event else None


def author_and_others(roadmap: Roadmap, user) -> tuple[bool, tuple]:
    """Whether `user` sent the plan for approval themselves, and if so the other people who
    could review it (empty: the author is the only one, and may approve as the author)."""
    author = submitter_of(roadmap)
    if author is None or author.pk != user.pk:
        return False, ()
    return True, reviewers_for(roadmap).others_than(user)


@dataclass(frozen=True)
class Approval:
    """Who approved the plan on the portal: «Утвердил: Смирнова И. (ГАОУ ДПО «ЛОИРО»)»."""

    event: RoadmapEvent
    name: str
    organization: str

    @property
    def by_author(self) -> bool:
        return self.event.self_approved

    @property
    def caption(self) -> str:
        who = f"{self.name} ({self.organization})" if self.organization else self.name
        suffix = " — утверждено автором" if self.by_author else ""
        return f"Утвердил: {who}{suffix}"


def approver_organization(user, owner: Organization) -> str:
    """The organization on whose behalf `user` approved a plan of `owner`: their writing
    membership in the owner's region (the municipality's office for a school's plan first)."""
    if user is None:
        return ""
    if user.is_superuser:
        return "администратор портала"
    memberships = list(
        Membership.objects.filter(
            user=user, role__in=WRITING_ROLES, organization__region_id=owner.region_id
        ).select_related("organization")
    )
    if not memberships:
        return ""

    def rank(membership):
        org = membership.organization
        same_municipality = owner.municipality_id and org.municipality_id == owner.municipality_id
        return (org.pk != owner.pk, not same_municipality, org.municipality_id is not None, org.pk)

    return min(memberships, key=rank).organization.short_name


def approval_of(roadmap: Roadmap, events=None) -> Approval | None:
    """The last approval of this version, if it was approved on the portal (an imported
    approved plan has none). Two queries at most; one when the page has read the plan's
    `events` (oldest first, with their users) already."""
    if roadmap.status not in (Roadmap.Status.APPROVED, Roadmap.Status.ARCHIVED):
        return None
    if events is not None:
        approvals = [e for e in events if e.action == RoadmapEvent.Action.APPROVED]
        event = approvals[-1] if approvals else None
    else:
        event = (
            RoadmapEvent.objects.filter(roadmap=roadmap, action=RoadmapEvent.Action.APPROVED)
            .select_related("user")
            .order_by("-created", "-pk")
            .first()
        )
    if event is None or event.user is None:
        return None
    return Approval(
        event=event,
        name=person_name(event.user),
        organization=approver_organization(event.user, roadmap.owner),
    )
