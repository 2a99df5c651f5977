"""Execution reports people can correct: edit and withdraw by the author, the item's status
following, empty reports refused, several evidence files per report, the API and htmx rows."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from roadmaps.execution import (
    EMPTY_REPORT_MESSAGE,
    MAX_EVIDENCE_FILES,
    add_evidence_files,
    add_report,
    edit_report,
    remove_evidence_file,
    sync_item_status,
    withdraw_report,
)
from roadmaps.models import EvidenceFile, ExecutionReport, Item, Roadmap
from tests.factories import make_item, make_roadmap, make_section

TODAY = datetime.datetime(2024, 5, 15, 12, 0, tzinfo=datetime.UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def pdf(name="Приказ.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def plan(world):
    """The school's approved plan with one item due by the end of March 2024."""
    roadmap = make_roadmap(world.school, status=Roadmap.Status.APPROVED)
    item = make_item(
        make_section(roadmap),
        title="Проведение Недели функциональной грамотности",
        deadline_text="март",
        deadline_kind="dates",
        deadline_start=datetime.date(2024, 3, 1),
        deadline_end=datetime.date(2024, 3, 31),
    )
    return roadmap, item


def report(item, author, status="done", date=datetime.date(2024, 3, 28), **kwargs):
    kwargs.setdefault("comment", "Проведены открытые уроки")
    return add_report(item, author=author, status=status, date=date, **kwargs)


def status_of(item):
    return Item.objects.values_list("status", flat=True).get(pk=item.pk)


def htmx(client):
    client.defaults["HTTP_HX_REQUEST"] = "true"
    return client


# The status rule, shared by add, edit and withdraw


def test_withdrawing_the_newest_report_brings_back_the_status_of_the_one_before(world, plan):
    _, item = plan
    report(item, world.school_user, status="in_progress", date=datetime.date(2024, 3, 10))
    done = report(item, world.school_user, status="done")
    assert status_of(item) == "done"

    withdraw_report(done, by=world.school_user)

    assert status_of(item) == "in_progress"
    done.refresh_from_db()
    assert done.withdrawn_by == world.school_user
    assert done.withdrawn_at is not None


def test_withdrawing_the_only_report_leaves_the_item_not_started(world, plan):
    _, item = plan
    only = report(item, world.school_user)
    withdraw_report(only, by=world.school_user)
    assert status_of(item) == Item.Status.NOT_STARTED


def test_editing_a_report_moves_the_item_and_bumps_its_lock_version(world, plan):
    _, item = plan
    saved = report(item, world.school_user, status="in_progress")
    before = Item.objects.get(pk=item.pk).lock_version
    edit_report(
        saved, by=world.school_user, status="done", date=saved.date, comment="Всё проведено"
    )
    fresh = Item.objects.get(pk=item.pk)
    assert fresh.status == "done"
    assert fresh.lock_version == before + 1
    saved.refresh_from_db()
    assert (saved.edited_by, saved.comment) == (world.school_user, "Всё проведено")


def test_the_next_version_of_the_plan_follows_a_withdrawal(world, plan):
    roadmap, item = plan
    saved = report(item, world.school_user)
    draft = roadmap.revise(by=world.school_user)
    copy = draft.items.get()
    assert copy.status == "done"
    withdraw_report(saved, by=world.school_user)
    assert status_of(copy) == Item.Status.NOT_STARTED


def test_sync_item_status_ignores_withdrawn_reports(world, plan):
    _, item = plan
    saved = report(item, world.school_user)
    ExecutionReport.objects.filter(pk=saved.pk).update(withdrawn_at=TODAY)
    sync_item_status(item, reason="проверка")
    assert status_of(item) == Item.Status.NOT_STARTED


def test_every_correction_is_in_the_report_history_with_who_and_when(world, plan):
    _, item = plan
    saved = report(item, world.school_user, status="in_progress")
    edit_report(saved, by=world.school_user, status="done", date=saved.date, comment="Готово")
    withdraw_report(saved, by=world.school_user)
    records = list(saved.history.order_by("history_id"))
    assert [r.history_change_reason for r in records] == [None, "Отчёт исправлен", "Отчёт отозван"]
    assert {r.history_user for r in records} == {world.school_user}
    assert [r.status for r in records] == ["in_progress", "done", "done"]


# Who may correct


def test_only_the_author_may_correct_a_report(world, plan):
    _, item = plan
    school_colleague = world.school_user
    saved = report(item, school_colleague)
    with pytest.raises(PermissionDenied, match="только его автор"):
        withdraw_report(saved, by=world.operator)
    assert status_of(item) == "done"


def test_a_report_on_a_plan_not_in_force_cannot_be_corrected(world):
    draft = make_roadmap(world.school)
    item = make_item(make_section(draft))
    saved = report(item, world.school_user)
    with pytest.raises(PermissionDenied, match="пока план утверждён"):
        edit_report(saved, by=world.school_user, status="in_progress", date=saved.date)


def test_a_withdrawn_report_cannot_be_withdrawn_or_edited_again(world, plan):
    _, item = plan
    saved = report(item, world.school_user)
    withdraw_report(saved, by=world.school_user)
    with pytest.raises(PermissionDenied, match="отозван"):
        edit_report(saved, by=world.school_user, status="done", date=saved.date, comment="x")


# Empty reports


def test_an_empty_report_is_refused_by_the_domain_function(world, plan):
    _, item = plan
    with pytest.raises(ValidationError) as error:
        add_report(item, author=world.school_user, status=item.status, date=TODAY.date())
    assert error.value.messages == [EMPTY_REPORT_MESSAGE]
    assert not ExecutionReport.objects.exists()


def test_a_report_with_only_a_status_change_or_only_a_file_is_not_empty(world, plan):
    _, item = plan
    add_report(item, author=world.school_user, status="in_progress", date=TODAY.date())
    add_report(
        item, author=world.school_user, status="in_progress", date=TODAY.date(), files=[pdf()]
    )
    assert ExecutionReport.objects.count() == 2


def test_an_edit_that_empties_a_report_is_refused_and_changes_nothing(world, plan):
    _, item = plan
    saved = report(item, world.school_user, status="in_progress")
    with pytest.raises(ValidationError):
        edit_report(saved, by=world.school_user, status="not_started", date=saved.date)
    saved.refresh_from_db()
    assert (saved.status, saved.comment) == ("in_progress", "Проведены открытые уроки")


def test_the_page_refuses_an_empty_report_in_russian_and_keeps_the_form(world, plan, client_for):
    _, item = plan
    response = client_for(world.school_user).post(
        reverse("roadmaps:item-report", args=[item.pk]),
        {"status": "not_started", "date": "2024-05-01", "comment": "  ", "evidence_url": ""},
    )
    assert response.status_code == 200
    assert "Отчёт пустой" in response.content.decode()
    assert 'value="2024-05-01"' in response.content.decode()
    assert not ExecutionReport.objects.exists()


def test_the_api_refuses_an_empty_report_in_russian(world, plan, api):
    _, item = plan
    response = api("school").post(
        reverse("api:item-report-list", args=[item.pk]), {"status": "not_started"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [EMPTY_REPORT_MESSAGE]}
    assert not ExecutionReport.objects.exists()


# Pages: edit, withdraw, files


def test_author_corrects_a_report_on_the_page(world, plan, client_for):
    _, item = plan
    saved = report(item, world.school_user, status="in_progress")
    client = client_for(world.school_user)
    url = reverse("roadmaps:report-edit", args=[saved.pk])
    form = client.get(url).content.decode()
    assert "Исправить отчёт от 28.03.2024" in form
    assert "Проведены открытые уроки" in form

    response = client.post(
        url,
        {
            "status": "done",
            "date": "2024-03-29",
            "comment": "Проведено 12 уроков",
            "files": [pdf("Протокол.pdf"), SimpleUploadedFile("Фото.png", PNG)],
        },
    )
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.status, saved.date, saved.comment) == (
        "done",
        datetime.date(2024, 3, 29),
        "Проведено 12 уроков",
    )
    assert sorted(saved.files.values_list("name", flat=True)) == ["Протокол.pdf", "Фото.png"]
    assert status_of(item) == "done"
    page = client.get(reverse("roadmaps:item-reports", args=[item.pk])).content.decode()
    assert "исправлен 15.05.2024" in page


def test_a_refused_correction_keeps_what_was_typed(world, plan, client_for):
    _, item = plan
    saved = report(item, world.school_user, status="in_progress")
    response = client_for(world.school_user).post(
        reverse("roadmaps:report-edit", args=[saved.pk]),
        {"status": "done", "date": "2024-06-01", "comment": "Новый текст"},
    )
    page = response.content.decode()
    assert "будущим днём" in page
    assert "Новый текст" in page
    saved.refresh_from_db()
    assert saved.comment == "Проведены открытые уроки"


@pytest.mark.parametrize(
    ("role", "expected"),
    [("operator", 403), ("viewer", 403), ("municipal", 403), ("outsider", 404)],
)
def test_others_cannot_correct_the_report(world, plan, client_for, role, expected):
    _, item = plan
    saved = report(item, world.school_user)
    user = getattr(world, role)
    client = client_for(user)
    for name in ("report-edit", "report-withdraw"):
        response = client.post(reverse(f"roadmaps:{name}", args=[saved.pk]), {"status": "done"})
        assert response.status_code == expected
        if expected == 403:
            assert "только его автор" in response.content.decode()
    saved.refresh_from_db()
    assert not saved.is_withdrawn


def test_withdraw_needs_post(world, plan, client_for):
    _, item = plan
    saved = report(item, world.school_user)
    url = reverse("roadmaps:report-withdraw", args=[saved.pk])
    assert client_for(world.school_user).get(url).status_code == 405


def test_withdrawn_report_stays_in_the_history_as_withdrawn_and_no_longer_counts(
    world, plan, client_for
):
    _, item = plan
    saved = report(item, world.school_user)
    client = client_for(world.school_user)
    response = client.post(reverse("roadmaps:report-withdraw", args=[saved.pk]))
    assert response.status_code == 302
    page = client.get(reverse("roadmaps:item-reports", args=[item.pk])).content.decode()
    assert "отозван 15.05.2024" in page
    assert "report-withdrawn" in page
    # A withdrawn report offers no more corrections.
    assert reverse("roadmaps:report-edit", args=[saved.pk]) not in page
    assert status_of(item) == Item.Status.NOT_STARTED


def test_htmx_save_returns_the_new_status_out_of_band(world, plan, client_for):
    _, item = plan
    client = htmx(client_for(world.school_user))
    response = client.post(
        reverse("roadmaps:item-report", args=[item.pk]),
        {"status": "done", "date": "2024-03-28", "comment": "Проведено"},
    )
    html = response.content.decode()
    assert f'id="item-status-{item.pk}" hx-swap-oob="true"' in html
    assert "badge status-done" in html
    saved = item.reports.get()

    response = client.post(reverse("roadmaps:report-withdraw", args=[saved.pk]))
    html = response.content.decode()
    assert "отозван." in html
    assert f'id="item-status-{item.pk}" hx-swap-oob="true"' in html
    assert "badge status-not_started" in html


def test_several_files_are_uploaded_at_once_and_each_is_checked(world, plan, client_for):
    _, item = plan
    client = client_for(world.school_user)
    data = {"status": "done", "date": "2024-03-28", "comment": "Фотоотчёт"}
    bad = SimpleUploadedFile("Акт.pdf", b"MZ not a pdf")
    response = client.post(
        reverse("roadmaps:item-report", args=[item.pk]), {**data, "files": [pdf(), bad]}
    )
    assert "Содержимое файла «Акт.pdf» не похоже на PDF" in response.content.decode()
    assert not ExecutionReport.objects.exists()
    assert not EvidenceFile.objects.exists()

    response = client.post(
        reverse("roadmaps:item-report", args=[item.pk]),
        {**data, "files": [pdf("Приказ.pdf"), SimpleUploadedFile("Фото.png", PNG)]},
    )
    assert response.status_code == 302
    assert sorted(EvidenceFile.objects.values_list("name", "size")) == [
        ("Приказ.pdf", len(PDF)),
        ("Фото.png", len(PNG)),
    ]
    assert set(EvidenceFile.objects.values_list("uploaded_by", flat=True)) == {world.school_user.pk}


def test_the_number_of_files_per_report_is_limited(world, plan, client_for):
    _, item = plan
    too_many = [pdf(f"Скан {n}.pdf") for n in range(MAX_EVIDENCE_FILES + 1)]
    response = client_for(world.school_user).post(
        reverse("roadmaps:item-report", args=[item.pk]),
        {"status": "done", "date": "2024-03-28", "files": too_many},
    )
    assert f"не больше {MAX_EVIDENCE_FILES} файлов" in response.content.decode()
    assert not ExecutionReport.objects.exists()

    saved = report(item, world.school_user, files=[pdf() for _ in range(MAX_EVIDENCE_FILES)])
    with pytest.raises(ValidationError, match="не больше 10 файлов"):
        add_evidence_files(saved, [pdf()], by=world.school_user)
    assert saved.files.count() == MAX_EVIDENCE_FILES


def test_author_removes_one_file_and_the_history_keeps_who_and_when(
    world, plan, client_for, settings, django_capture_on_commit_callbacks
):
    _, item = plan
    saved = report(item, world.school_user, files=[pdf("Первый.pdf"), pdf("Второй.pdf")])
    first = saved.files.get(name="Первый.pdf")
    stored = Path(settings.MEDIA_ROOT) / first.file.name
    assert stored.exists()
    download = reverse("roadmaps:evidence-download", args=[first.pk])
    assert client_for(world.operator).get(download).status_code == 200
    assert (
        client_for(world.operator)
        .post(reverse("roadmaps:evidence-remove", args=[first.pk]))
        .status_code
        == 403
    )

    client = client_for(world.school_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roadmaps:evidence-remove", args=[first.pk]))
    assert response.status_code == 302
    assert list(saved.files.values_list("name", flat=True)) == ["Второй.pdf"]
    removed = EvidenceFile.history.filter(id=first.pk, history_type="-").get()
    assert (removed.history_user, removed.name) == (world.school_user, "Первый.pdf")
    assert not stored.exists()
    assert client.get(download).status_code == 404


def test_the_last_evidence_of_a_report_that_says_nothing_else_cannot_be_removed(world, plan):
    _, item = plan
    saved = add_report(
        item, author=world.school_user, status="not_started", date=TODAY.date(), files=[pdf()]
    )
    with pytest.raises(ValidationError, match="Отчёт пустой"):
        remove_evidence_file(saved.files.get(), by=world.school_user)
    assert saved.files.count() == 1


def test_reports_page_queries_do_not_grow_with_reports_and_files(
    world, plan, client_for, django_assert_max_num_queries
):
    _, item = plan
    client = client_for(world.school_user)
    url = reverse("roadmaps:item-reports", args=[item.pk])
    report(item, world.school_user, files=[pdf()])
    client.get(url)
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    for day in range(1, 12):
        saved = report(
            item, world.school_user, date=datetime.date(2024, 4, day), comment=f"Отчёт {day}"
        )
        add_evidence_files(saved, [pdf(), pdf()], by=world.school_user)
        if day % 3 == 0:
            withdraw_report(saved, by=world.school_user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    # Twelve reports, three of them withdrawn: nine can still be withdrawn.
    assert page.count('aria-label="Отозвать отчёт от') == 9


# The API


def _report_url(saved, name="api:item-report-detail"):
    return reverse(name, args=[saved.item_id, saved.pk])


def test_api_author_corrects_and_withdraws_a_report(world, plan, api):
    _, item = plan
    saved = report(item, world.school_user, status="in_progress")
    response = api("school").patch(_report_url(saved), {"status": "done"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["edited_by"], body["comment"]) == (
        "done",
        "school",
        "Проведены открытые уроки",
    )
    assert status_of(item) == "done"

    response = api("school").post(_report_url(saved, "api:item-report-withdraw"))
    assert response.status_code == 200
    assert response.json()["withdrawn_by"] == "school"
    assert status_of(item) == Item.Status.NOT_STARTED


def test_api_others_cannot_correct_a_report(world, plan, api):
    _, item = plan
    saved = report(item, world.school_user)
    response = api("operator").patch(_report_url(saved), {"comment": "чужая правка"}, format="json")
    assert response.status_code == 403
    assert "только его автор" in response.json()["detail"]
    assert api("outsider").patch(_report_url(saved), {}, format="json").status_code == 404
    saved.refresh_from_db()
    assert saved.comment == "Проведены открытые уроки"


def test_api_files_are_uploaded_listed_downloaded_and_deleted(world, plan, api):
    _, item = plan
    saved = report(item, world.school_user)
    files_url = _report_url(saved, "api:item-report-file-list")
    response = api("school").post(
        files_url,
        {"files": [pdf("Акт.pdf"), SimpleUploadedFile("Фото.png", PNG)]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert [row["name"] for row in response.json()] == ["Акт.pdf", "Фото.png"]

    listed = api("operator").get(files_url).json()
    assert [(row["name"], row["size"]) for row in listed] == [
        ("Акт.pdf", len(PDF)),
        ("Фото.png", len(PNG)),
    ]
    download = api("operator").get(listed[0]["url"])
    assert b"".join(download.streaming_content) == PDF

    bad = api("school").post(
        files_url, {"files": [SimpleUploadedFile("Акт.pdf", b"nope")]}, format="multipart"
    )
    assert bad.status_code == 400
    assert "не похоже на PDF" in bad.json()["files"][0]

    delete_url = reverse("api:item-report-file-detail", args=[item.pk, saved.pk, listed[0]["id"]])
    assert api("operator").delete(delete_url).status_code == 403
    assert api("school").delete(delete_url).status_code == 204
    assert list(saved.files.values_list("name", flat=True)) == ["Фото.png"]


# The data migration


@pytest.mark.django_db(transaction=True)
def test_the_old_evidence_file_moves_into_an_evidence_file(world):
    executor = MigrationExecutor(connection)
    before = [("roadmaps", "0011_report_corrections_and_evidence_files")]
    after = [("roadmaps", "0012_move_evidence_files")]
    latest = executor.loader.graph.leaf_nodes("roadmaps")
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        # Rows through the models of that time: today's have columns added since.
        roadmap = old.get_model("roadmaps", "Roadmap").objects.create(
            owner_id=world.school.pk,
            title="План",
            period_start=datetime.date(2024, 1, 1),
            period_end=datetime.date(2024, 12, 31),
            status=Roadmap.Status.APPROVED,
        )
        section = old.get_model("roadmaps", "Section").objects.create(
            roadmap_id=roadmap.pk, number="1", title="Раздел 1", position=1
        )
        item = old.get_model("roadmaps", "Item").objects.create(
            roadmap_id=roadmap.pk, section_id=section.pk, number="1.1", title="Мероприятие"
        )
        OldReport = old.get_model("roadmaps", "ExecutionReport")
        with_file = OldReport.objects.create(
            item_id=item.pk,
            status="done",
            author_id=world.school_user.pk,
            evidence_file="evidence/1/abc/Приказ.pdf",
        )
        OldReport.objects.create(item_id=item.pk, status="in_progress")

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        moved = new.get_model("roadmaps", "EvidenceFile").objects.get()
        assert (moved.report_id, moved.file.name, moved.name, moved.uploaded_by_id) == (
            with_file.pk,
            "evidence/1/abc/Приказ.pdf",
            "Приказ.pdf",
            world.school_user.pk,
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
