"""Pages and downloads of the analytical reports of self-diagnosis: deficit map and dynamics.

The data comes from selfdiag/deficit_map.py and selfdiag/dynamics.py, chosen from the query's
filters as the API chooses them; reports/ draws the tables, charts and files. Every view starts
from the user's scoped querysets: a round, school or municipality outside the scope is a 404,
whatever the parameter that named it. A user with no role at all gets 403.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from portal import tasks
from reports.deficits import area_rows, deficit_map_file, map_body
from reports.dynamics import change_chart, delta_chart, school_rows
from reports.svg import level_legend_items
from selfdiag.access import get_round_and_school
from selfdiag.analytics import report_filters
from selfdiag.deficit_map import cell_deficits, choose_deficit_map, group_by_municipality
from selfdiag.dynamics import CHANGE_LABELS, choose_dynamics
from selfdiag.methodology import LEVELS
from selfdiag.models import Deficit, DirectionResult

SCHOOLS_PER_PAGE = 100


def _query(**params) -> str:
    return urlencode({key: value for key, value in params.items() if value})


# Deficit map ------------------------------------------------------------------------------------


def _chosen_map(request):
    return choose_deficit_map(request.user, report_filters(request.user, request.GET, "round"))


@login_required
@require_safe
def deficit_map(request):
    rounds, round_, municipalities, municipality, dmap = _chosen_map(request)
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
    dmap = _chosen_map(request).dmap
    if dmap is None:
        raise Http404("Нет раундов самодиагностики.")
    return dmap


@login_required
@require_safe
def deficit_map_xlsx(request):
    return deficit_map_file(_map_download(request), "xlsx").response()


@login_required
@require_safe
def deficit_map_pdf(request):
    return deficit_map_file(_map_download(request), "pdf").response()


@login_required
@require_safe
def deficit_cell(request, round_pk, school_pk):
    """A school's deficits in one direction (?direction=code): the page behind a map's cell."""
    direction = request.GET.get("direction", "")
    round_, school = get_round_and_school(request, round_pk, school_pk)
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


@login_required
@require_safe
def dynamics(request):
    filters = report_filters(request.user, request.GET, "after", "before")
    rounds, before, after, problem, municipalities, municipality, result = choose_dynamics(
        request.user, filters
    )
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
        delta_chart_narrow=delta_chart(result, narrow=True) if result.schools else "",
        change_chart_narrow=change_chart(result, narrow=True) if result.schools else "",
        query=_query(
            before=before.pk, after=after.pk, municipality=municipality and municipality.pk
        ),
    )
    return render(request, "reports/analytics/dynamics.html", context)
