"""What a user may see and change: the one place every view, API endpoint and report asks.

A membership in a regional body covers the whole region, one in a municipal body covers the
municipality and its schools, one in a school covers the school. A viewer reads what the same
membership would cover and writes nothing. Superusers see and change everything.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from portal.prepared import Prepared


@dataclass(frozen=True)
class Scope:
    is_superuser: bool = False
    regions: frozenset[int] = frozenset()
    municipalities: frozenset[int] = frozenset()
    organizations: frozenset[int] = frozenset()
    write_regions: frozenset[int] = frozenset()
    write_municipalities: frozenset[int] = frozenset()
    write_organizations: frozenset[int] = frozenset()
    roles: frozenset[str] = field(default_factory=frozenset)
    # Levels above the user's own organizations: whose approved plans they implement.
    context_regions: frozenset[int] = frozenset()
    context_municipalities: frozenset[int] = frozenset()
    # The organizations the user works at with a writing role, in the order they joined: the
    # first is the one a new plan belongs to unless the user picks another.
    own_organizations: tuple[int, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.is_superuser or self.regions or self.municipalities or self.organizations)

    def organization_q(self, prefix: str = "", *, write: bool = False) -> Q:
        """A filter for Organization rows (or rows pointing at one through `prefix`)."""
        if self.is_superuser:
            return Q()
        regions = self.write_regions if write else self.regions
        municipalities = self.write_municipalities if write else self.municipalities
        organizations = self.write_organizations if write else self.organizations
        q = Q(pk__in=[])
        if regions:
            q |= Q(**{f"{prefix}region_id__in": regions})
        if municipalities:
            q |= Q(**{f"{prefix}municipality_id__in": municipalities})
        if organizations:
            q |= Q(**{f"{prefix}id__in": organizations})
        return q

    def covers(self, organization, *, write: bool = False) -> bool:
        if self.is_superuser:
            return True
        regions = self.write_regions if write else self.regions
        municipalities = self.write_municipalities if write else self.municipalities
        organizations = self.write_organizations if write else self.organizations
        return (
            organization.region_id in regions
            or (
                organization.municipality_id is not None
                and organization.municipality_id in municipalities
            )
            or organization.pk in organizations
        )

    def region_ids(self) -> set[int] | None:
        """The regions the user touches at all (None means all of them)."""
        return None if self.is_superuser else set(self.regions)


def _memberships(user):
    from orgs.models import Membership

    return (
        Membership.objects.filter(user_id=user)
        .order_by("pk")
        .values_list(
            "role",
            "organization_id",
            "organization__kind",
            "organization__region_id",
            "organization__municipality_id",
        )
    )


# Plain values from SQL compiled once: every signed-in request builds a scope.
_MEMBERSHIPS = Prepared(_memberships, params=("user",))


def build_scope(user) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(is_superuser=True)
    from orgs.models import Membership, Organization

    read: dict[str, set[int]] = {"region": set(), "municipality": set(), "organization": set()}
    write: dict[str, set[int]] = {"region": set(), "municipality": set(), "organization": set()}
    roles = set()
    context: dict[str, set[int]] = {"region": set(), "municipality": set()}
    own: list[int] = []
    for role, org_pk, kind, region_id, municipality_id in _MEMBERSHIPS.rows(user=user.pk):
        roles.add(role)
        can_write = role != Membership.Role.VIEWER
        targets = [read, write] if can_write else [read]
        if can_write:
            own.append(org_pk)
        context["region"].add(region_id)
        if municipality_id:
            context["municipality"].add(municipality_id)
        for target in targets:
            if kind == Organization.Kind.SCHOOL:
                target["organization"].add(org_pk)
            elif municipality_id:
                target["municipality"].add(municipality_id)
            else:
                target["region"].add(region_id)
    return Scope(
        regions=frozenset(read["region"]),
        municipalities=frozenset(read["municipality"]),
        organizations=frozenset(read["organization"]),
        write_regions=frozenset(write["region"]),
        write_municipalities=frozenset(write["municipality"]),
        write_organizations=frozenset(write["organization"]),
        roles=frozenset(roles),
        context_regions=frozenset(context["region"]),
        context_municipalities=frozenset(context["municipality"]),
        own_organizations=tuple(own),
    )


def get_scope(user) -> Scope:
    """The user's scope, computed once per user object (so once per request)."""
    scope = getattr(user, "_portal_scope", None)
    if scope is None:
        scope = build_scope(user)
        if user.is_authenticated:
            user._portal_scope = scope
    return scope
