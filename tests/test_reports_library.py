"""reports/ is a rendering library: it draws PDF, Excel, SVG and ICS and names downloads, and
imports no views and handles no requests. The analytics builders it draws live in the apps that
own the data and are called with a user and plain filters, as the pages, the API and the
background jobs call them."""

import ast
import datetime
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from openpyxl import load_workbook

from reports.deficits import deficit_map_file
from reports.monitoring import spravka_file
from roadmaps.monitoring import monitored_plans, spravka_for
from selfdiag.analytics import report_filters
from selfdiag.deficit_map import choose_deficit_map, deficit_map_for
from selfdiag.dynamics import SAME_ROUND_PROBLEM, choose_dynamics
from tests.factories import make_user
from tests.test_dynamics import dynamics_for, spring_and_autumn, tally

REPORTS = Path(__file__).resolve().parent.parent / "reports"
# Request handling: views, URL routing, decorators of views, the API framework.
FORBIDDEN_MODULES = (
    "django.shortcuts",
    "django.views",
    "django.contrib.auth.decorators",
    "django.urls",
    "rest_framework",
)
# django.http gives the library its one response, the download (reports/downloads.py): of
# bytes, or streamed from an open file (a plan's file, stored or drawn, reports/stored.py).
ALLOWED_FROM_DJANGO_HTTP = {"HttpResponse", "FileResponse"}


def library_modules():
    return sorted(p for p in REPORTS.rglob("*.py") if "migrations" not in p.parts)


def imported(tree: ast.Module):
    """(module, name) for every import of the module, at any depth."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                yield node.module, alias.name


PROJECT = {"portal", "orgs", "roadmaps", "selfdiag", "reports", "jobs", "scale"}


def is_views(module: str, name: str | None) -> bool:
    """A views or URL module of the project (weasyprint.urls is a library's own)."""
    if module.split(".")[0] not in PROJECT:
        return False
    parts = module.split(".") + ([name] if name else [])
    return any(part in {"views", "urls"} or part.endswith(("_views", "_urls")) for part in parts)


def test_reports_has_no_views_or_urls_modules():
    names = {path.name for path in library_modules()}
    assert not {name for name in names if is_views(f"reports.{name.removesuffix('.py')}", None)}


@pytest.mark.parametrize("path", library_modules(), ids=lambda path: path.name)
def test_reports_module_imports_no_views_and_no_request_handling(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for module, name in imported(tree):
        assert not is_views(module, name), f"{path.name} imports {module}.{name}"
        assert not module.startswith(FORBIDDEN_MODULES), f"{path.name} imports {module}"
        if module == "django.http":
            assert name in ALLOWED_FROM_DJANGO_HTTP, f"{path.name} imports django.http.{name}"
    arguments = {
        arg.arg
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    }
    if path.name != "admin.py":  # the calendar keys' ModelAdmin hooks take one by Django's contract
        assert "request" not in arguments, f"{path.name} takes a request"


def test_the_checks_catch_a_views_import_and_a_request():
    tree = ast.parse(
        "from selfdiag.analytics_views import dynamics\n"
        "from reports import views\n"
        "import portal.report_urls\n"
        "from weasyprint.urls import URLFetcher\n"
        "from django.http import Http404\n"
    )
    found = list(imported(tree))
    assert [is_views(module, name) for module, name in found] == [True, True, True, False, False]
    assert "Http404" not in ALLOWED_FROM_DJANGO_HTTP


# The builders, called as the API and the jobs call them: a user and plain filters.


@pytest.fixture
def rounds(world):
    return spring_and_autumn(world)


def test_dynamics_builder_takes_a_user_and_round_numbers(world, rounds):
    filters = {"before": rounds["spring"].pk, "after": rounds["autumn"].pk}
    choice = choose_dynamics(world.operator, filters)
    assert (choice.before, choice.after, choice.problem) == (rounds["spring"], rounds["autumn"], "")
    expected = dynamics_for(world.operator, rounds)
    assert tally(choice.dynamics.total.tally) == tally(expected.total.tally)
    assert [row.pk for row in choice.dynamics.schools] == [row.pk for row in expected.schools]


def test_dynamics_builder_defaults_to_the_latest_rounds_and_narrows_to_a_municipality(
    world, rounds
):
    choice = choose_dynamics(world.operator, {"municipality": world.other_municipality.pk})
    assert (choice.before, choice.after) == (rounds["spring"], rounds["autumn"])
    assert choice.municipality == world.other_municipality
    assert {row.municipality_id for row in choice.dynamics.schools} == {world.other_municipality.pk}


def test_dynamics_builder_names_the_problem_of_one_round_twice(world, rounds):
    spring = rounds["spring"].pk
    choice = choose_dynamics(world.operator, {"before": spring, "after": spring})
    assert (choice.problem, choice.dynamics) == (SAME_ROUND_PROBLEM, None)


def test_builders_refuse_a_round_out_of_scope_and_a_user_without_role(world, rounds):
    with pytest.raises(Http404):
        choose_dynamics(world.outsider, {"after": rounds["autumn"].pk})
    with pytest.raises(Http404):
        choose_deficit_map(world.outsider, {"round": rounds["spring"].pk})
    nobody = make_user("nobody")
    with pytest.raises(PermissionDenied):
        choose_deficit_map(nobody, {})
    with pytest.raises(PermissionDenied):
        choose_dynamics(nobody, {})


def test_deficit_map_builder_takes_a_user_and_filters_and_reports_draws_the_result(world, rounds):
    filters = {"round": rounds["spring"].pk, "municipality": world.municipality.pk}
    choice = choose_deficit_map(world.operator, filters)
    assert (choice.round, choice.municipality) == (rounds["spring"], world.municipality)
    direct = deficit_map_for(world.operator, rounds["spring"], world.municipality)
    assert [row.pk for row in choice.dmap.schools] == [row.pk for row in direct.schools]

    download = deficit_map_file(choice.dmap, "xlsx")
    assert download.name == f"Карта дефицитов Весна 2025 {world.municipality.name}.xlsx"
    sheet = load_workbook(io.BytesIO(download.content))["Карта дефицитов"]
    assert sheet["A1"].value == "Карта дефицитов: Весна 2025"
    response = download.response()
    assert response["Content-Disposition"].startswith('attachment; filename="deficit-map-')


def test_query_filters_are_numbers_and_anything_else_names_nothing(world):
    filters = report_filters(world.operator, {"round": "7", "municipality": ""}, "round")
    assert filters == {"round": 7, "municipality": None}
    with pytest.raises(Http404):
        report_filters(world.operator, {"round": "семь"}, "round")
    with pytest.raises(Http404):
        report_filters(world.operator, {"municipality": "1; DROP"}, "round")
    with pytest.raises(PermissionDenied):
        report_filters(make_user("nobody"), {"round": "семь"}, "round")


def test_spravka_builder_takes_a_user_and_the_filter_values(world):
    today = datetime.date(2024, 5, 15)
    selected = monitored_plans(world.operator, {"status": "", "year": ""})
    spravka = spravka_for(world.operator, selected, today)
    assert spravka.territory == world.region.name
    assert spravka.place == "в регионе"
    assert spravka.status == ""
    download = spravka_file(spravka, filters="статус планов — любой")
    assert download.content.startswith(b"%PDF")
    assert download.name == "Справка о ходе реализации дорожных карт на 15.05.2024.pdf"
