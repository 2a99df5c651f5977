"""Self-diagnosis in the database: loading methodologies, stored scoring, recomputation."""

import copy
import io
import json

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from roadmaps.models import Direction as RoadmapDirection
from selfdiag.methodology import load_demo_methodology
from selfdiag.models import (
    Deficit,
    DirectionResult,
    Indicator,
    Methodology,
    Option,
    Submission,
    SubmissionError,
)
from selfdiag.results import recompute
from tests.factories import (
    SMALL_METHODOLOGY,
    make_methodology,
    make_round,
    make_school,
    make_submission,
)

ALL_FULL = {"Z1": "yes", "Z2": "full", "Z3": "yes", "V1": "full", "S1": "full", "S2": "yes"}


# Loading -------------------------------------------------------------------------------------


def test_demo_methodology_loads_into_rows_that_give_back_the_same_methodology(db):
    call_command("load_methodology", "--demo", stdout=io.StringIO())
    methodology = Methodology.objects.get(version="2024-demo")
    assert methodology.is_demo
    assert methodology.directions.count() == 8
    assert methodology.indicators.count() == 114
    assert methodology.source["version"] == "2024-demo"
    assert methodology.as_plain() == load_demo_methodology()


def test_methodology_directions_are_linked_to_roadmap_directions_by_code(db):
    methodology = make_methodology(demo=True)
    linked = dict(methodology.directions.values_list("code", "roadmap_direction__code"))
    assert linked == {code: code for code in linked}
    assert set(linked) == set(RoadmapDirection.objects.values_list("code", flat=True))


def test_applicability_and_critical_flags_survive_the_round_trip(db):
    methodology = make_methodology()
    z3 = Indicator.objects.get(methodology=methodology, code="Z3")
    v2 = Indicator.objects.get(methodology=methodology, code="V2")
    assert (z3.for_noo, z3.for_ooo, z3.for_soo, z3.ovz_only) == (False, False, True, False)
    assert v2.ovz_only and v2.levels == []
    assert Indicator.objects.get(methodology=methodology, code="Z1").critical
    assert z3.applicability_label == "СОО"


def test_loading_a_file_with_errors_lists_them_in_russian_and_saves_nothing(db, tmp_path):
    data = copy.deepcopy(SMALL_METHODOLOGY)
    data["indicators"][0]["critcal"] = True
    data["directions"][0]["thresholds"]["base"] = 0.9
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("load_methodology", str(path))
    message = str(error.value)
    assert "неизвестное поле «critcal»" in message
    assert "базовый (0.9) выше среднего (0.7)" in message
    assert not Methodology.objects.exists()


def test_loading_the_same_version_again_updates_it_in_place(db, tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(SMALL_METHODOLOGY, ensure_ascii=False), encoding="utf-8")
    call_command("load_methodology", str(path), stdout=io.StringIO())
    first = Methodology.objects.get()
    z1 = Indicator.objects.get(code="Z1")

    data = copy.deepcopy(SMALL_METHODOLOGY)
    data["indicators"][0]["wording"] = "Реализация ФРП по всем учебным предметам"
    data["indicators"] = [i for i in data["indicators"] if i["code"] != "S2"]
    data["indicators"].append(
        {"code": "S3", "direction": "sreda", "wording": "Цифровая библиотека", "options": "yes_no"}
    )
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("load_methodology", str(path), stdout=out)

    assert Methodology.objects.get().pk == first.pk
    assert Indicator.objects.get(code="Z1").pk == z1.pk
    assert Indicator.objects.get(code="Z1").wording == "Реализация ФРП по всем учебным предметам"
    assert set(Indicator.objects.values_list("code", flat=True)) == {
        "Z1",
        "Z2",
        "Z3",
        "V1",
        "V2",
        "S1",
        "S3",
    }
    assert "добавлено 1, изменено 1, удалено 1" in out.getvalue()


def test_dry_run_checks_the_file_without_saving(db, tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(SMALL_METHODOLOGY, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("load_methodology", str(path), "--dry-run", stdout=out)
    assert "Файл в порядке" in out.getvalue()
    assert not Methodology.objects.exists()


# Scoring stored on submit --------------------------------------------------------------------


@pytest.fixture
def school(world):
    return world.school  # НОО, ООО, СОО; no ОВЗ: 6 indicators, maximum 9


def test_submitting_stores_the_overall_result_per_direction_and_deficits(world, school):
    round_ = make_round(world.region, [school])
    submission = make_submission(
        round_, school, {"Z1": "yes", "Z2": "partly", "Z3": "yes", "V1": "full", "S1": "no"}
    )
    submission.submit(by=world.school_user)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.submitted_by == world.school_user
    assert (submission.total_points, submission.max_points) == (5, 9)
    assert submission.level == "base"  # 5/9 = 0.56
    assert submission.unanswered_count == 1  # S2
    assert submission.profile_levels == ["НОО", "ООО", "СОО"]
    results = {
        r.direction_code: (r.points, r.max_points, r.level)
        for r in DirectionResult.objects.filter(submission=submission)
    }
    assert results == {
        "znanie": (3, 4, "medium"),
        "vospitanie": (2, 2, "high"),
        "sreda": (0, 3, "below_base"),
    }
    deficits = list(
        Deficit.objects.filter(submission=submission).values_list("indicator_code", "points")
    )
    assert deficits == [("Z2", 1), ("S1", 0), ("S2", 0)]
    assert submission.deficit_count == 3
    row = DirectionResult.objects.get(submission=submission, direction_code="znanie")
    assert (row.round_id, row.school_id) == (round_.pk, school.pk)


def test_a_critical_indicator_with_zero_points_caps_the_stored_level(world, school):
    round_ = make_round(world.region, [school])
    submission = make_submission(round_, school, {**ALL_FULL, "Z1": "no"}, status="submitted")
    assert submission.level == "below_base"
    assert submission.capped_by_critical
    znanie = DirectionResult.objects.get(submission=submission, direction_code="znanie")
    assert znanie.level == "below_base" and znanie.capped_by_critical
    first = Deficit.objects.filter(submission=submission).first()
    assert (first.indicator_code, first.critical) == ("Z1", True)


def test_a_submitted_submission_cannot_be_submitted_again(world, school):
    round_ = make_round(world.region, [school])
    submission = make_submission(round_, school, ALL_FULL, status="submitted")
    with pytest.raises(SubmissionError):
        submission.submit(by=world.school_user)


def test_a_draft_of_a_closed_round_cannot_be_submitted(world, school):
    round_ = make_round(world.region, [school], status="closed")
    submission = make_submission(round_, school, ALL_FULL)
    with pytest.raises(SubmissionError):
        submission.submit(by=world.school_user)


def test_accept_and_return_follow_the_workflow(world, school):
    round_ = make_round(world.region, [school])
    submission = make_submission(round_, school, ALL_FULL, status="submitted")
    with pytest.raises(SubmissionError, match="что нужно исправить"):
        submission.return_for_correction(by=world.operator, comment="  ")
    submission.return_for_correction(by=world.operator, comment="Проверьте S1.")
    assert submission.status == Submission.Status.RETURNED
    assert submission.is_editable
    with pytest.raises(SubmissionError):
        submission.accept(by=world.operator)
    submission.submit(by=world.school_user)
    submission.accept(by=world.operator)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
    assert submission.reviewed_by == world.operator


def test_one_submission_per_school_and_round(world, school):
    round_ = make_round(world.region, [school])
    make_submission(round_, school)
    with pytest.raises(IntegrityError):
        Submission.objects.create(round=round_, school=school)


def test_scoring_uses_the_profile_the_school_submitted_with(world):
    school = make_school(world.municipality, teaches_soo=False)
    round_ = make_round(world.region, [school])
    submission = make_submission(round_, school, ALL_FULL, status="submitted")
    assert submission.max_points == 8  # no Z3
    school.teaches_soo = True
    school.save()
    recompute(round_.methodology)
    submission.refresh_from_db()
    assert submission.max_points == 8


# Recomputing after a methodology change ------------------------------------------------------


def test_recompute_after_points_change_updates_every_stored_result(world, school):
    round_ = make_round(world.region, [school, world.sibling_school])
    first = make_submission(round_, school, {**ALL_FULL, "S1": "partly"}, status="accepted")
    second = make_submission(round_, world.sibling_school, ALL_FULL, status="submitted")
    draft = make_submission(
        make_round(world.region, [school], methodology=round_.methodology), school, ALL_FULL
    )
    assert first.total_points == 8

    Option.objects.filter(indicator__code="S1", code="partly").update(points=2)
    count = recompute(round_.methodology)

    assert count == 2
    first.refresh_from_db()
    second.refresh_from_db()
    draft.refresh_from_db()
    assert first.total_points == 9 and first.level == "high"
    assert first.status == Submission.Status.ACCEPTED
    assert second.total_points == 9
    assert not draft.is_scored
    assert not Deficit.objects.filter(submission=first, indicator_code="S1").exists()
    sreda = DirectionResult.objects.get(submission=first, direction_code="sreda")
    assert (sreda.points, sreda.max_points) == (3, 3)


def test_recompute_changes_nothing_when_the_rows_no_longer_form_a_valid_methodology(world, school):
    from selfdiag.methodology import MethodologyError

    round_ = make_round(world.region, [school])
    submission = make_submission(round_, school, ALL_FULL, status="submitted")
    Option.objects.filter(indicator__code="Z1").update(points=0)  # critical with no points
    with pytest.raises(MethodologyError, match="критический показатель"):
        recompute(round_.methodology)
    submission.refresh_from_db()
    assert submission.total_points == 9


def test_recompute_results_command_recomputes_a_version(world, school):
    round_ = make_round(world.region, [school])
    submission = make_submission(round_, school, ALL_FULL, status="submitted")
    Indicator.objects.filter(code="S2").update(critical=True)
    Option.objects.filter(indicator__code="S2", code="yes").update(points=3)
    out = io.StringIO()
    call_command("recompute_results", "--methodology", "test-small", stdout=out)
    submission.refresh_from_db()
    assert submission.max_points == 11
    assert "test-small: пересчитано анкет — 1" in out.getvalue()
    with pytest.raises(CommandError, match="Нет методики с версией: nope"):
        call_command("recompute_results", "--methodology", "nope")


def test_saving_an_option_in_the_admin_recomputes_results(world, school, superuser, client):
    round_ = make_round(world.region, [school])
    submission = make_submission(round_, school, {**ALL_FULL, "S1": "partly"}, status="submitted")
    option = Option.objects.get(indicator__code="S1", code="partly")
    client.force_login(superuser)
    response = client.post(
        f"/admin/selfdiag/option/{option.pk}/change/",
        {
            "indicator": option.indicator_id,
            "code": "partly",
            "label": "частично",
            "points": "2",
            "position": option.position,
        },
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.total_points == 9


def test_an_admin_edit_that_breaks_the_methodology_is_rolled_back(world, school, superuser, client):
    round_ = make_round(world.region, [school])
    make_submission(round_, school, ALL_FULL, status="submitted")
    option = Option.objects.get(indicator__code="Z1", code="yes")
    client.force_login(superuser)
    response = client.post(
        f"/admin/selfdiag/option/{option.pk}/change/",
        {
            "indicator": option.indicator_id,
            "code": "yes",
            "label": "да",
            "points": "0",
            "position": option.position,
        },
        follow=True,
    )
    assert "Изменения не сохранены" in response.content.decode()
    option.refresh_from_db()
    assert option.points == 1


def test_admin_pages_of_every_model_open(world, school, superuser, client):
    round_ = make_round(world.region, [school])
    make_submission(round_, school, ALL_FULL, status="submitted")
    client.force_login(superuser)
    for model in [
        "methodology",
        "methodologydirection",
        "indicator",
        "option",
        "round",
        "submission",
        "answer",
        "directionresult",
        "deficit",
    ]:
        assert client.get(f"/admin/selfdiag/{model}/").status_code == 200, model
        assert client.get(f"/admin/selfdiag/{model}/?q=1").status_code == 200, model
    methodology = round_.methodology
    assert client.get(f"/admin/selfdiag/methodology/{methodology.pk}/change/").status_code == 200
    indicator = Indicator.objects.get(code="Z1")
    assert client.get(f"/admin/selfdiag/indicator/{indicator.pk}/change/").status_code == 200
    submission = Submission.objects.get()
    assert client.get(f"/admin/selfdiag/submission/{submission.pk}/change/").status_code == 200
