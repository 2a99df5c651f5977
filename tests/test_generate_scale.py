"""The national-scale generator (`manage.py generate_scale`, scale/generator.py), at 200 schools."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum

from orgs.models import Membership, Municipality, Organization
from roadmaps.importers import parse_document
from roadmaps.models import Item, ItemResponsible, Roadmap
from scale import generator as scale
from selfdiag.models import Answer, Deficit, DirectionResult, Round, Submission
from selfdiag.results import store_results

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def generate(schools=200, **options):
    out = io.StringIO()
    call_command("generate_scale", schools=schools, stdout=out, **options)
    return out.getvalue()


def fingerprint():
    return (
        list(Organization.objects.order_by("pk").values_list("short_name", "teaches_soo")),
        list(Item.objects.order_by("pk").values_list("title", "deadline_text", "status", "key")),
        list(Submission.objects.order_by("pk").values_list("level", "total_points")),
    )


def test_generate_scale_builds_a_country_in_proportion():
    output = generate()
    assert "школ 200" in output
    schools = Organization.objects.filter(kind="school")
    assert schools.count() == 200
    assert Municipality.objects.count() == 12  # 2,400 × 200 / 40,000
    assert not schools.filter(municipality__isnull=True).exists()
    assert schools.filter(has_ovz_pupils=True).exists()
    assert schools.filter(teaches_soo=False).exists()
    regions = schools.values("region").distinct().count()
    assert regions == 12
    # Every region with schools has its bodies, a regional operator and two rounds.
    assert Membership.objects.filter(role="regional_operator").count() == regions
    assert Membership.objects.filter(role="municipal_coordinator").count() == 12
    assert Round.objects.count() == 2 * regions
    # A regional plan of 150 items in every region, municipal and school plans below it.
    regional = Roadmap.objects.at_level("region")
    assert regional.count() == regions
    assert {p.items.count() for p in regional} == {scale.REGIONAL_ITEMS}
    assert Roadmap.objects.at_level("municipality").exists()
    assert Roadmap.objects.filter(implements__isnull=False).exists()
    items = Item.objects.all()
    assert items.filter(deadline_end__isnull=False).count() > items.count() // 2
    assert set(items.values_list("deadline_kind", flat=True)) >= {"dates", "until", "recurring"}
    assert items.overdue(scale.REFERENCE_DATE).exists()
    assert items.filter(status="done").exists()
    assert ItemResponsible.objects.count() >= items.count()


def test_every_school_has_a_scored_submission_in_both_rounds():
    generate()
    submissions = Submission.objects.scored()
    assert submissions.count() == 400
    assert submissions.values("school").annotate(n=Count("pk")).filter(n=2).count() == 200
    assert DirectionResult.objects.count() == 400 * 8
    assert Deficit.objects.count() == submissions.aggregate(n=Sum("deficit_count"))["n"]
    assert Answer.objects.exists()
    assert len(set(submissions.values_list("level", flat=True))) >= 3


def test_stored_results_are_exactly_what_selfdiag_stores():
    generate(schools=60)

    def stored():
        return (
            sorted(
                Submission.objects.values_list(
                    "pk",
                    "total_points",
                    "max_points",
                    "share",
                    "level",
                    "capped_by_critical",
                    "unanswered_count",
                    "deficit_count",
                )
            ),
            sorted(
                DirectionResult.objects.values_list(
                    "submission",
                    "direction",
                    "direction_code",
                    "points",
                    "max_points",
                    "share",
                    "level",
                    "capped_by_critical",
                )
            ),
            sorted(
                Deficit.objects.values_list(
                    "submission",
                    "indicator",
                    "indicator_code",
                    "direction_code",
                    "points",
                    "max_points",
                    "critical",
                    "position",
                )
            ),
        )

    generated = stored()
    store_results(list(Submission.objects.all()))
    assert stored() == generated


def test_the_same_seed_gives_the_same_country():
    with transaction.atomic():
        generate(schools=40, seed=7)
        first = fingerprint()
        transaction.set_rollback(True)
    generate(schools=40, seed=7)
    assert fingerprint()[0] == first[0]
    assert [row[:3] for row in fingerprint()[1]] == [row[:3] for row in first[1]]
    assert fingerprint()[2] == first[2]


def test_a_second_run_is_refused_unless_forced():
    generate(schools=20)
    with pytest.raises(CommandError, match="--force"):
        generate(schools=20)
    generate(schools=20, force=True)
    assert Organization.objects.filter(kind="school").count() == 40


def test_generated_docx_plan_imports_with_all_its_items():
    parsed = parse_document(io.BytesIO(scale.plan_docx(300)), filename="plan.docx")
    assert len(list(parsed.all_items())) == 300
    assert parsed.glossary["ОМСУ"].startswith("органы местного самоуправления")
    assert parsed.approval.number == "3.12-1331-р"
