"""Pages and downloads of the analytical reports: deficit map, dynamics, monitoring справка.

Every view starts from the user's scoped querysets: a round, school or municipality outside the
scope is a 404, whatever the parameter that named it. A user with no role at all gets 403.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from orgs.models import Municipality, Organization, Region
from orgs.scope import get_scope
from portal import tasks
from portal.validators import parse_id
from reports import deficits
from reports.analytics_pdf import render_pdf
from reports.deficits import (
    area_rows,
    cell_deficits,
    deficit_map_for,
    group_by_municipality,
    map_body,
)
from reports.downloads import attachment
from reports.dynamics import Dynamics, build_dynamics, change_chart, delta_chart, school_rows
from reports.monitoring import build_spravka
from reports.svg import CHANGE_LABELS, level_legend_items
from roadmaps.models import Item, Roadmap
from roadmaps.monitoring import MonitoredPlans, monitored_plans
from selfdiag.access import get_round_for_user, get_school_for_user
from selfdiag.methodology import LEVELS
from selfdiag.models import Deficit, DirectionResult, Round, Submission

SCHOOLS_PER_PAGE = 100


def _require_role(user) -> None:
    if get_scope(user).is_empty:
        raise PermissionDenied("Аналитические отчёты доступны участникам проекта.")


# Choosing a round and a municipality ----------------------------------------------------------


def _rounds(user) -> list[Round]:
    """The rounds the user sees, newest first; has_results: counted results in the user's scope."""
    results = DirectionResult.objects.for_user(user).counted().filter(round_id=OuterRef("pk"))
    return list(
        Round.objects.for_user(user)
        .select_related("region")
        .annotate(has_results=Exists(results))
        .order_by("-closes_on", "-opens_on", "-pk")
    )


def _round_from(request, rounds: list[Round], param: str, default: Round | None) -> Round | None:
    """The round named by `param` (404 unless the user sees it), else `default`."""
    value = request.GET.get(param, "")
    if not value:
        return default
    pk = parse_id(value)
    if pk is None:
        raise Http404("Нет такого раунда.")
    for round_ in rounds:
        if round_.pk == pk:
            return round_
    raise Http404("Раунд не найден или недоступен.")


def _latest_with_results(rounds: list[Round]) -> Round | None:
    return next((round_ for round_ in rounds if round_.has_results), None)


def _municipalities(request, region_id: int):
    """The municipalities of the region the user sees, and the one chosen (None for all)."""
    municipalities = list(
        Municipality.objects.for_user(request.user).filter(region_id=region_id).order_by("name")
    )
    value = request.GET.get("municipality", "")
    if not value:
        return municipalities, None
    chosen = next((m for m in municipalities if str(m.pk) == value), None)
    if chosen is None:
        raise Http404("Муниципальное образование не найдено или недоступно.")
    return municipalities, chosen


def _query(**params) -> str:
    return urlencode({key: value for key, value in params.items() if value})


# Deficit map ------------------------------------------------------------------------------------


def _deficit_map(request):
    """(rounds, round, municipalities, municipality, map); the map is None without a round."""
    _require_role(request.user)
    rounds = _rounds(request.user)
    round_ = _round_from(
        request, rounds, "round", _latest_with_results(rounds) or next(iter(rounds), None)
    )
    if round_ is None:
        return rounds, None, [], None, None
    municipalities, municipality = _municipalities(request, round_.region_id)
    dmap = deficit_map_for(request.user, round_, municipality)
    return rounds, round_, municipalities, municipality, dmap


@login_required
@require_safe
def deficit_map(request):
    rounds, round_, municipalities, municipality, dmap = _deficit_map(request)
    context = {
        "rounds": rounds,
        "round": round_,
        "municipalities": municipalities,
        "municipality": municipality,
        "dmap": dmap,
        "legend": level_legend_items(),
    }
    if dmap is not None:
        page = Paginator(dmap.schools, SCHOOLS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            page=page,
            map_body=map_body(
                group_by_municipality(page.object_list),
                dmap.directions,
                lambda row: reverse("reports:deficit-cell", args=[round_.pk, row.pk]),
            ),
            area_rows=area_rows(dmap) if len(dmap.areas) > 1 or dmap.total.schools > 1 else [],
            query=_query(round=round_.pk, municipality=municipality and municipality.pk),
            # A big map's files are made in the background: the PDF of a 2,000-school region
            # takes WeasyPrint a minute or more, longer than a request may wait.
            in_background=tasks.in_background(dmap.total.schools),
        )
    return render(request, "reports/analytics/deficit_map.html", context)


def _map_download(request):
    dmap = _deficit_map(request)[-1]
    if dmap is None:
        raise Http404("Нет раундов самодиагностики.")
    return dmap


@login_required
@require_safe
def deficit_map_xlsx(request):
    return deficits.deficit_map_file(_map_download(request), "xlsx")


@login_required
@require_safe
def deficit_map_pdf(request):
    return deficits.deficit_map_file(_map_download(request), "pdf")


@login_required
@require_safe
def deficit_cell(request, round_pk, school_pk):
    """A school's deficits in one direction (?direction=code): the page behind a map's cell."""
    direction = request.GET.get("direction", "")
    round_ = get_round_for_user(request, round_pk)
    school = get_school_for_user(request, round_, school_pk)
    result = get_object_or_404(
        DirectionResult.objects.for_user(request.user).counted().select_related("direction"),
        round_id=round_.pk,
        school_id=school.pk,
        direction_code=direction,
    )
    rows = list(
        cell_deficits(Deficit.objects.for_user(request.user).counted(), round_, school, direction)
    )
    context = {
        "round": round_,
        "school": school,
        "result": result,
        "level_label": LEVELS[result.level],
        "deficits": rows,
        "critical_count": sum(1 for deficit in rows if deficit.critical),
    }
    template = "_deficit_cell.html" if request.htmx else "deficit_cell.html"
    return render(request, f"reports/analytics/{template}", context)


# Dynamics ---------------------------------------------------------------------------------------


def _earlier_with_results(rounds: list[Round], after: Round | None) -> Round | None:
    """The newest round with results that is older than `after` in the list, of its region."""
    if after is None:
        return None
    older = rounds[rounds.index(after) + 1 :] if after in rounds else rounds
    return next(
        (r for r in older if r.has_results and r.region_id == after.region_id and r != after),
        None,
    )


SAME_ROUND_PROBLEM = "Выберите два разных раунда."
NO_ROUNDS_PROBLEM = "Для динамики нужны два раунда самодиагностики с результатами."


class DynamicsChoice(NamedTuple):
    """The rounds and municipality chosen by the query (?before, ?after, ?municipality) and the
    dynamics between them; without two different rounds, `problem` says why and there is none."""

    rounds: list[Round]
    before: Round | None
    after: Round | None
    problem: str
    municipalities: list[Municipality]
    municipality: Municipality | None
    dynamics: Dynamics | None


def choose_dynamics(request) -> DynamicsChoice:
    """What the dynamics page shows (the API's dynamics too): 403 without a role, 404 for a
    round or municipality the user does not see."""
    _require_role(request.user)
    rounds = _rounds(request.user)
    after = _round_from(request, rounds, "after", _latest_with_results(rounds))
    before = _round_from(request, rounds, "before", _earlier_with_results(rounds, after))
    if before is None or after is None or before == after:
        problem = (
            SAME_ROUND_PROBLEM if before is not None and before == after else NO_ROUNDS_PROBLEM
        )
        return DynamicsChoice(rounds, before, after, problem, [], None, None)

    municipalities, municipality = _municipalities(request, after.region_id)
    result = build_dynamics(
        before,
        after,
        submissions=Submission.objects.for_user(request.user).scored(),
        results=DirectionResult.objects.for_user(request.user).counted(),
        municipality=municipality,
    )
    return DynamicsChoice(rounds, before, after, "", municipalities, municipality, result)


@login_required
@require_safe
def dynamics(request):
    rounds, before, after, problem, municipalities, municipality, result = choose_dynamics(request)
    context = {"rounds": rounds, "before": before, "after": after}
    if problem:
        context["problem"] = problem
        return render(request, "reports/analytics/dynamics.html", context)

    change = request.GET.get("change", "")
    page = Paginator(result.schools_changed(change), SCHOOLS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context.update(
        rows=school_rows(page.object_list, result.directions),
        municipalities=municipalities,
        municipality=municipality,
        dynamics=result,
        change=change,
        change_title=CHANGE_LABELS.get(change, ""),
        change_labels=CHANGE_LABELS,
        page=page,
        delta_chart=delta_chart(result) if result.schools else "",
        change_chart=change_chart(result) if result.schools else "",
        query=_query(
            before=before.pk, after=after.pk, municipality=municipality and municipality.pk
        ),
    )
    return render(request, "reports/analytics/dynamics.html", context)


# Monitoring справка -----------------------------------------------------------------------------


def _territory(user, municipality) -> tuple[str, str]:
    """The territory the справка covers and the words for «where»: («Ленинградская область»,
    «в регионе»)."""
    if municipality is not None:
        return municipality.name, "в муниципальном образовании"
    scope = get_scope(user)
    if scope.is_superuser:
        return "Все субъекты РФ", "на портале"
    if scope.regions:
        names = Region.objects.filter(pk__in=scope.regions).values_list("name", flat=True)
        return ", ".join(names), "в регионе" if len(scope.regions) == 1 else "в регионах"
    if scope.municipalities:
        names = Municipality.objects.filter(pk__in=scope.municipalities).values_list(
            "name", flat=True
        )
        return ", ".join(names), "в муниципальном образовании"
    names = Organization.objects.filter(pk__in=scope.organizations).values_list(
        "short_name", flat=True
    )
    return ", ".join(names), "в организации"


def _filter_caption(form) -> str:
    if not form.is_valid():
        return ""
    data = form.cleaned_data
    parts = []
    if data.get("level"):
        parts.append(f"уровень — {Organization.Level(data['level']).label}")
    if data.get("municipality"):
        parts.append(f"муниципальное образование — {data['municipality'].name}")
    if data.get("status"):
        parts.append(f"статус планов — «{Roadmap.Status(data['status']).label}»")
    else:
        parts.append("статус планов — любой")
    if data.get("year"):
        parts.append(f"год — {data['year']}")
    return "; ".join(parts)


def spravka_file(user, selected: MonitoredPlans) -> HttpResponse:
    """The справка PDF over the plans the monitoring filters selected, as the page and the API
    download it."""
    today = timezone.localdate()
    status = selected.status
    territory, place = _territory(user, selected.municipality)
    spravka = build_spravka(
        selected.plans,
        Item.objects.for_user(user),
        today=today,
        territory=territory,
        place=place,
        status=status,
        status_label=Roadmap.Status(status).label if status else "",
    )
    content = render_pdf(
        "reports/analytics/monitoring_pdf.html",
        {"spravka": spravka, "filters": _filter_caption(selected.form), "generated": today},
    )
    return attachment(
        content,
        "application/pdf",
        name=f"Справка о ходе реализации дорожных карт на {today:%d.%m.%Y}.pdf",
        fallback=f"monitoring-{today:%Y-%m-%d}.pdf",
    )


@login_required
@require_safe
def monitoring_pdf(request):
    """The справка over the plans the monitoring page shows, with the same filters."""
    _require_role(request.user)
    return spravka_file(request.user, monitored_plans(request.user, request.GET))
