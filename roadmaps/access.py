"""Who may do what with a plan. Views, the API and reports all ask here.

Reading follows `Roadmap.objects.for_user`. Editing needs a writing membership that covers
the owner, and a plan in draft or returned. Reviewing (approve or return) needs a writing
membership one level up: a school's plan is reviewed by its municipality or region, a
municipality's plan by the region, a regional plan by the region's bodies themselves.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from orgs.models import Municipality, Organization, Region
from orgs.scope import get_scope
from portal.prepared import Columns, Prepared
from roadmaps.models import Item, Party, Roadmap, Section


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


def review_q(user, prefix: str = "") -> Q:
    """The plans `user` may review, as a filter: `can_review` for a queryset (the inbox)."""
    scope = get_scope(user)
    if scope.is_superuser:
        return Q()
    q = Q(pk__in=[])
    if scope.write_regions:
        q |= Q(**{f"{prefix}owner__region_id__in": scope.write_regions})
    if scope.write_municipalities:
        q |= Q(
            **{
                f"{prefix}owner__kind": Organization.Kind.SCHOOL,
                f"{prefix}owner__municipality_id__in": scope.write_municipalities,
            }
        )
    return q


# The plan with its owner, the owner's region and municipality (a region's body has none).
_ROADMAP = Prepared(
    lambda roadmap_pk, scope: Roadmap.objects.for_scope(scope).filter(pk=roadmap_pk),
    params=("roadmap_pk",),
    columns=(
        Columns(Roadmap),
        Columns(Organization, "owner__"),
        Columns(Region, "owner__region__"),
        Columns(Municipality, "owner__municipality__"),
    ),
)


def get_roadmap_for_user(request, pk, *, write=False) -> tuple[Roadmap, bool]:
    """The plan if the user may see it (404 otherwise) and whether they may write to it, in one
    query compiled once per scope: every page and action of a plan starts here.

    With write=True a user who may only read gets 403.
    """
    roadmap, owner, region, municipality = _ROADMAP.in_scope(
        get_scope(request.user), "Нет такого плана.", roadmap_pk=pk
    )
    owner.region, owner.municipality = region, municipality
    roadmap.owner = owner
    writable = can_write_owner(request.user, roadmap)
    if write and not writable:
        raise PermissionDenied("У вас есть доступ к этому плану только для чтения.")
    return roadmap, writable


def read_only_reason(user, roadmap: Roadmap) -> str:
    """Why the user may not edit the plan, in words for the 403 page ("" if they may)."""
    if not can_write_owner(user, roadmap):
        return "У вас есть доступ к этому плану только для чтения."
    if roadmap.is_editable:
        return ""
    if roadmap.status == Roadmap.Status.REVIEW:
        return "План на согласовании: изменить его можно после решения проверяющего."
    if roadmap.status == Roadmap.Status.APPROVED:
        return (
            "План утверждён и доступен только для чтения. Чтобы внести изменения, "
            "создайте новую версию («Актуализировать»)."
        )
    return "План в архиве и доступен только для чтения."


def require_edit(user, roadmap: Roadmap) -> None:
    reason = read_only_reason(user, roadmap)
    if reason:
        raise PermissionDenied(reason)


def get_editable_roadmap(request, pk) -> Roadmap:
    """The plan for an editing endpoint: 404 out of scope, 403 read-only or frozen."""
    roadmap, _ = get_roadmap_for_user(request, pk)
    require_edit(request.user, roadmap)
    return roadmap


def _get_part(request, model, pk):
    """A section, item or party of a plan the user sees (404 otherwise), with its plan."""
    visible = model.objects.filter(roadmap__in=Roadmap.objects.for_user(request.user))
    return get_object_or_404(
        visible.select_related("roadmap__owner__region", "roadmap__owner__municipality"), pk=pk
    )


def get_section_for_user(request, pk, *, write=False) -> Section:
    section = _get_part(request, Section, pk)
    if write:
        require_edit(request.user, section.roadmap)
    return section


def get_item_for_user(request, pk, *, write=False) -> Item:
    item = _get_part(request, Item, pk)
    if write:
        require_edit(request.user, item.roadmap)
    return item


def get_party_for_user(request, pk, *, write=False) -> Party:
    party = _get_part(request, Party, pk)
    if write:
        require_edit(request.user, party.roadmap)
    return party
