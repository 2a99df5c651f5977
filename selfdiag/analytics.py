"""What the analytical reports of self-diagnosis are drawn over: the rounds the user sees and
the municipality chosen. The deficit map (selfdiag/deficit_map.py) and the dynamics
(selfdiag/dynamics.py) choose here, for their pages, the API and the background jobs alike.

The choosers take the user and plain filters (`report_filters` reads them from a query): a round
or a municipality outside the user's scope is a 404, a user with no role at all gets 403.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404

from orgs.models import Municipality
from orgs.scope import get_scope
from portal.validators import parse_id
from selfdiag.models import DirectionResult, Round

NO_ROLE_MESSAGE = "Аналитические отчёты доступны участникам проекта."
NO_ROUND_MESSAGE = "Нет такого раунда."
NO_MUNICIPALITY_MESSAGE = "Муниципальное образование не найдено или недоступно."


def require_role(user) -> None:
    if get_scope(user).is_empty:
        raise PermissionDenied(NO_ROLE_MESSAGE)


def report_filters(user, params: Mapping[str, str], *rounds: str) -> dict[str, int | None]:
    """The round parameters `rounds` and ?municipality= of a query as numbers, None when absent.

    A value that is not a number names nothing the user sees: 404, as an unknown one does; but
    a user with no role learns that first (403).
    """
    require_role(user)
    filters: dict[str, int | None] = {}
    for name, message in [*((r, NO_ROUND_MESSAGE) for r in rounds), ("municipality", None)]:
        value = params.get(name, "")
        if not value:
            filters[name] = None
        elif (number := parse_id(value)) is not None:
            filters[name] = number
        else:
            raise Http404(message or NO_MUNICIPALITY_MESSAGE)
    return filters


def visible_rounds(user) -> list[Round]:
    """The rounds the user sees, newest first; has_results: counted results in the user's scope."""
    results = DirectionResult.objects.for_user(user).counted().filter(round_id=OuterRef("pk"))
    return list(
        Round.objects.for_user(user)
        .select_related("region")
        .annotate(has_results=Exists(results))
        .order_by("-closes_on", "-opens_on", "-pk")
    )


def round_named(rounds: list[Round], pk: int | None, default: Round | None) -> Round | None:
    """The round `pk` among `rounds` (404 unless the user sees it), else `default`."""
    if pk is None:
        return default
    for round_ in rounds:
        if round_.pk == pk:
            return round_
    raise Http404("Раунд не найден или недоступен.")


def latest_with_results(rounds: list[Round]) -> Round | None:
    return next((round_ for round_ in rounds if round_.has_results), None)


def municipality_choice(
    user, region_id: int, pk: int | None
) -> tuple[list[Municipality], Municipality | None]:
    """The municipalities of the region the user sees, and the one `pk` names (None for all)."""
    municipalities = list(
        Municipality.objects.for_user(user).filter(region_id=region_id).order_by("name")
    )
    if pk is None:
        return municipalities, None
    chosen = next((m for m in municipalities if m.pk == pk), None)
    if chosen is None:
        raise Http404(NO_MUNICIPALITY_MESSAGE)
    return municipalities, chosen
