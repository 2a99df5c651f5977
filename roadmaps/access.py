"""Who may do what with a plan. Views, the API and reports all ask here.

Reading follows `Roadmap.objects.for_user`. Editing needs a writing membership that covers
the owner, and a plan in draft or returned. Reviewing (approve or return) needs a writing
membership one level up: a school's plan is reviewed by its municipality or region, a
municipality's plan by the region, a regional plan by the region's bodies themselves.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from orgs.scope import get_scope
from roadmaps.models import Roadmap


def can_write_owner(user, roadmap: Roadmap) -> bool:
    return get_scope(user).covers(roadmap.owner, write=True)


def can_edit(user, roadmap: Roadmap) -> bool:
    return roadmap.is_editable and can_write_owner(user, roadmap)


def can_review(user, roadmap: Roadmap) -> bool:
    scope = get_scope(user)
    if scope.is_superuser:
        return True
    owner = roadmap.owner
    if owner.level == owner.Level.SCHOOL:
        return owner.municipality_id in scope.write_municipalities or (
            owner.region_id in scope.write_regions
        )
    return owner.region_id in scope.write_regions


def get_roadmap_for_user(request, pk, *, write=False) -> tuple[Roadmap, bool]:
    """The plan if the user may see it (404 otherwise) and whether they may write to it.

    With write=True a user who may only read gets 403.
    """
    roadmap = get_object_or_404(
        Roadmap.objects.for_user(request.user).select_related(
            "owner__region", "owner__municipality"
        ),
        pk=pk,
    )
    writable = can_write_owner(request.user, roadmap)
    if write and not writable:
        raise PermissionDenied("У вас есть доступ к этому плану только для чтения.")
    return roadmap, writable
