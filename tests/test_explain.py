"""On PostgreSQL, the queries behind the benchmarks (bench/run.py) can use their indexes.

A small generated country is far too small for the planner to prefer an index over reading a
table, so each check runs with `SET LOCAL enable_seqscan = off`: the question asked is whether a
suitable index exists and the query is written so that it can be used, not which plan wins on
toy data. The real plans at national scale are the benchmarks' business.

Runs only when DATABASE_URL points at PostgreSQL (`make test` in CI does that on its second run).
"""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count

from orgs.models import Organization
from roadmaps.models import Item
from scale import generator as scale
from selfdiag.access import schools_in_scope
from selfdiag.models import Deficit, DirectionResult, Round, Submission

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="EXPLAIN checks need PostgreSQL: set DATABASE_URL=postgres://…",
    ),
]


@pytest.fixture
def country():
    call_command("generate_scale", schools=60, no_answers=True, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    region_id = (
        Organization.objects.filter(kind="school")
        .values("region_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "region_id")
        .first()["region_id"]
    )
    operator = get_user_model().objects.get(
        memberships__role="regional_operator", memberships__organization__region_id=region_id
    )
    round_ = Round.objects.get(region_id=region_id, name=scale.ROUNDS[1][0])
    return operator, round_


def index_scans(queryset) -> set[str]:
    """The indexes the plan reads, with sequential scans switched off (a Bitmap Index Scan node
    names its index but not its table: index names are unique, so names are enough)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain(format="json")
    found: set[str] = set()

    def walk(node):
        if "Index Name" in node:
            found.add(node["Index Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(json.loads(plan)[0]["Plan"])
    return found


def _indexes_of(model, *columns: str) -> set[str]:
    """Names of the indexes of `model` (unique constraints included) that start with
    `columns`."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    wanted = list(columns)
    return {
        name
        for name, info in constraints.items()
        if (info["index"] or info["unique"]) and info["columns"][: len(wanted)] == wanted
    }


def test_deficit_map_reads_direction_results_of_a_round_by_index(country):
    operator, round_ = country
    results = DirectionResult.objects.for_user(operator).counted().filter(round_id=round_.pk)
    scans = index_scans(results.values_list("school_id", "direction_code", "level"))
    assert scans & _indexes_of(DirectionResult, "round_id"), scans


def test_deficit_map_reads_the_schools_of_a_round_by_index(country):
    operator, round_ = country
    scans = index_scans(schools_in_scope(operator, round_).values_list("pk", "short_name"))
    through = Round.schools.through
    assert scans & _indexes_of(through, "round_id"), scans


def test_level_distribution_reads_the_submissions_of_rounds_by_index(country):
    _, round_ = country
    query = (
        Submission.objects.scored()
        .filter(round__name=round_.name)
        .values("level")
        .annotate(n=Count("pk"))
    )
    scans = index_scans(query)
    # By round, or by status (the scored ones) when that is the narrower: either is an index.
    expected = _indexes_of(Submission, "round_id") | _indexes_of(Submission, "status")
    assert scans & expected, scans


def test_overdue_items_are_found_by_status_and_deadline(country):
    operator, _ = country
    query = Item.objects.for_user(operator).overdue(scale.REFERENCE_DATE).values_list("pk")
    scans = index_scans(query)
    expected = _indexes_of(Item, "status", "deadline_end") | _indexes_of(Item, "deadline_end")
    expected |= _indexes_of(Item, "roadmap_id")
    assert scans & expected, scans


def test_items_of_the_plans_in_scope_are_read_by_plan(country):
    operator, _ = country
    scans = index_scans(Item.objects.for_user(operator).values_list("pk")[:50])
    assert scans & _indexes_of(Item, "roadmap_id"), scans


def test_export_counts_critical_deficits_of_a_submission_by_index(country):
    _, round_ = country
    query = Deficit.objects.filter(
        submission_id__in=Submission.objects.filter(round=round_).values("pk"), critical=True
    ).values("submission_id")
    scans = index_scans(query)
    assert scans & _indexes_of(Deficit, "submission_id"), scans


def test_a_page_of_items_across_plans_is_read_in_the_order_of_an_index(country):
    from roadmaps.api.views import ItemViewSet

    query = Item.objects.order_by(*ItemViewSet.ordering).values_list("pk")[:50]
    scans = index_scans(query)
    assert "item_roadmap_id" in scans, scans
