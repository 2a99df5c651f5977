"""Files of approved plans: made once in the background when a plan is approved, served from
storage by the page and the API, made again when the version changes; drafts never stored."""

import datetime
import io

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.test import RequestFactory
from django.urls import reverse
from pypdf import PdfReader

from reports import stored
from reports.models import PlanFile
from roadmaps.admin import ItemAdmin
from roadmaps.models import Item, Roadmap
from tests.factories import make_sample_plan, make_small_plan

APPROVAL = {
    "kind": "распоряжение",
    "number": "3.12-1331-р",
    "date": datetime.date(2024, 9, 26),
    "name": "Е.В. Иванова",
    "position": "Председатель комитета общего и профессионального образования",
}
FORMATS = ["pdf", "xlsx", "docx"]


@pytest.fixture
def commit(django_capture_on_commit_callbacks, immediate_tasks):
    """Run what waits for the commit (the background task, at once) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def no_rendering(monkeypatch):
    """Call it, and from then on any drawing of a file (WeasyPrint, openpyxl, python-docx)
    fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the file was drawn instead of read from storage")

    def forbid():
        for name in ("reports.pdf.plan_pdf", "reports.xlsx.plan_xlsx", "reports.docx.plan_docx"):
            monkeypatch.setattr(name, refuse)
        monkeypatch.setattr("weasyprint.HTML.write_pdf", refuse)

    return forbid


@pytest.fixture
def renders(monkeypatch):
    """Counts the files drawn, by format, and still draws them."""
    counts = dict.fromkeys(FORMATS, 0)
    real = stored.render

    def counting(roadmap, extension):
        counts[extension] += 1
        return real(roadmap, extension)

    monkeypatch.setattr(stored, "render", counting)
    return counts


def approved_plan(world, commit, **kwargs):
    plan = make_sample_plan(world.omsu, items=kwargs.pop("items", 8), **kwargs)
    plan.submit(by=world.municipal)
    with commit():
        plan.approve(by=world.operator, **APPROVAL)
    plan.refresh_from_db()
    return plan


def page_url(plan, extension):
    return reverse(f"reports:roadmap-{extension}", args=[plan.pk])


def stored_bytes(row: PlanFile) -> bytes:
    with default_storage.open(row.file.name, "rb") as handle:
        return handle.read()


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def test_approving_a_plan_stores_its_pdf_excel_and_word_files(world, commit):
    plan = approved_plan(world, commit)
    rows = {row.format: row for row in PlanFile.objects.filter(roadmap=plan)}
    assert sorted(rows) == sorted(FORMATS)
    key = stored.source_key(Roadmap.objects.select_related("owner").get(pk=plan.pk))
    for extension, row in rows.items():
        content = stored_bytes(row)
        assert row.source_key == key
        assert row.size == len(content) > 0
        assert row.file.name.startswith(f"plans/{plan.pk}/")
        assert row.file.name.endswith(f".{extension}")
    assert stored_bytes(rows["pdf"]).startswith(b"%PDF-")
    assert "УТВЕРЖДЕН" in pdf_text(stored_bytes(rows["pdf"]))


def test_nothing_is_stored_until_the_approval_is_committed(
    world, django_capture_on_commit_callbacks
):
    plan = make_small_plan(world.omsu, status="review")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        plan.approve(by=world.operator, **APPROVAL)
    assert callbacks  # the task waits for the commit
    assert not PlanFile.objects.exists()


def test_the_download_of_an_approved_plan_reads_the_stored_file_without_drawing_it(
    world, commit, client_for, no_rendering, django_assert_max_num_queries
):
    plan = approved_plan(world, commit)
    client = client_for(world.school_user)
    rows = {row.format: row for row in PlanFile.objects.filter(roadmap=plan)}
    no_rendering()
    for extension in FORMATS:
        with django_assert_max_num_queries(6):
            response = client.get(page_url(plan, extension))
        assert response.status_code == 200
        assert response.getvalue() == stored_bytes(rows[extension])
        assert int(response["Content-Length"]) == rows[extension].size
        assert response["Content-Type"] == stored.CONTENT_TYPES[extension]
        assert response["Cache-Control"] == "private, no-store"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert f'filename="roadmap-{plan.pk}-v1.{extension}"' in disposition
        assert "(проект)" not in disposition and "%D0%BF%D1%80%D0%BE%D0%B5%D0%BA%D1%82" not in (
            disposition
        )


def test_the_api_serves_the_same_stored_file_as_the_page(world, commit, api, no_rendering):
    plan = approved_plan(world, commit)
    no_rendering()
    for extension in ("pdf", "xlsx"):
        row = PlanFile.objects.get(roadmap=plan, format=extension)
        response = api("operator").get(reverse(f"api:roadmap-{extension}", args=[plan.pk]))
        assert response.status_code == 200
        assert response.getvalue() == stored_bytes(row)


def test_the_query_count_of_a_stored_download_does_not_grow_with_the_plan(
    world, commit, client_for, no_rendering, django_assert_max_num_queries
):
    client = client_for(world.operator)
    small = approved_plan(world, commit, items=2)
    large = approved_plan(world, commit, items=60, title="Другой план")
    no_rendering()
    with django_assert_max_num_queries(8) as few:
        client.get(page_url(small, "pdf")).getvalue()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(page_url(large, "pdf")).status_code == 200


def test_a_draft_is_drawn_on_every_download_and_never_stored(world, client_for, renders):
    plan = make_small_plan(world.omsu)
    client = client_for(world.municipal)
    first = client.get(page_url(plan, "pdf")).getvalue()
    second = client.get(page_url(plan, "pdf")).getvalue()
    assert first.startswith(b"%PDF-") and second.startswith(b"%PDF-")
    assert renders["pdf"] == 2
    plan.submit(by=world.municipal)
    client.get(page_url(plan, "xlsx")).getvalue()
    assert renders["xlsx"] == 1
    assert not PlanFile.objects.exists()
    assert not default_storage.exists("plans")


def test_an_approved_plan_without_a_stored_file_is_drawn_once_then_served_from_storage(
    world, client_for, renders
):
    # Approved before files were stored (or the queue was down): the first download makes it.
    plan = make_small_plan(world.omsu, status="approved")
    client = client_for(world.municipal)
    first = client.get(page_url(plan, "docx")).getvalue()
    second = client.get(page_url(plan, "docx")).getvalue()
    assert renders["docx"] == 1
    assert first == second == stored_bytes(PlanFile.objects.get(roadmap=plan, format="docx"))


def test_a_stored_file_missing_from_storage_is_made_again(world, commit, client_for, renders):
    plan = approved_plan(world, commit)
    renders["pdf"] = 0
    row = PlanFile.objects.get(roadmap=plan, format="pdf")
    default_storage.delete(row.file.name)
    response = client_for(world.municipal).get(page_url(plan, "pdf"))
    assert response.getvalue().startswith(b"%PDF-")
    assert renders["pdf"] == 1
    assert default_storage.exists(PlanFile.objects.get(pk=row.pk).file.name)


def test_a_change_to_the_version_makes_its_files_again(
    world, commit, client_for, renders, django_capture_on_commit_callbacks
):
    plan = approved_plan(world, commit)
    renders["pdf"] = 0
    old = PlanFile.objects.get(roadmap=plan, format="pdf")
    # The owner renamed: the footer and the file name print it.
    world.omsu.short_name = "Комитет по образованию Гатчинского МО"
    world.omsu.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.municipal).get(page_url(plan, "pdf"))
    content = response.getvalue()
    assert renders["pdf"] == 1
    assert "Комитет по образованию Гатчинского МО" in pdf_text(content)
    new = PlanFile.objects.get(roadmap=plan, format="pdf")
    assert new.pk == old.pk and new.file.name != old.file.name
    assert stored_bytes(new) == content
    assert not default_storage.exists(old.file.name)  # the replaced file is removed


def test_an_item_changed_in_the_admin_makes_the_approved_files_stale(world, commit, superuser):
    plan = approved_plan(world, commit)
    roadmap = Roadmap.objects.select_related("owner").get(pk=plan.pk)
    assert stored.fresh(roadmap, "pdf") is not None
    item = Item.objects.filter(roadmap=plan).first()
    item.title = "Исправлено администратором"
    request = RequestFactory().post("/admin/")
    request.user = superuser
    from django.contrib import admin

    ItemAdmin(Item, admin.site).save_model(request, item, form=None, change=True)
    roadmap = Roadmap.objects.select_related("owner").get(pk=plan.pk)
    assert stored.fresh(roadmap, "pdf") is None
    assert "Исправлено администратором" in pdf_text(stored.content(roadmap, "pdf"))
    assert stored.fresh(roadmap, "pdf") is not None


def test_a_new_layout_makes_the_stored_files_stale(world, commit, monkeypatch):
    plan = approved_plan(world, commit)
    roadmap = Roadmap.objects.select_related("owner").get(pk=plan.pk)
    assert stored.fresh(roadmap, "xlsx") is not None
    monkeypatch.setattr(stored, "renderer_digest", lambda: "another-release")
    assert stored.fresh(roadmap, "xlsx") is None


def test_approving_the_next_version_stores_both_versions_files(world, commit, client_for):
    first = approved_plan(world, commit)
    second = first.revise(by=world.municipal)
    second.submit(by=world.municipal)
    with commit():
        second.approve(by=world.operator, **APPROVAL)
    first.refresh_from_db()
    assert first.status == Roadmap.Status.ARCHIVED
    for plan in (first, second):
        roadmap = Roadmap.objects.select_related("owner").get(pk=plan.pk)
        assert sorted(
            PlanFile.objects.filter(
                roadmap=plan, source_key=stored.source_key(roadmap)
            ).values_list("format", flat=True)
        ) == sorted(FORMATS)
    # The draft in between was never stored.
    assert PlanFile.objects.count() == 6


def test_a_plan_out_of_scope_is_404_and_nothing_is_made(world, client_for, api, renders):
    plan = make_small_plan(world.omsu, status="approved")
    assert client_for(world.outsider).get(page_url(plan, "pdf")).status_code == 404
    assert api("outsider").get(reverse("api:roadmap-pdf", args=[plan.pk])).status_code == 404
    assert renders["pdf"] == 0
    assert not PlanFile.objects.exists()


def test_deleting_a_plan_removes_its_stored_files(
    world, commit, django_capture_on_commit_callbacks
):
    plan = approved_plan(world, commit)
    names = list(PlanFile.objects.filter(roadmap=plan).values_list("file", flat=True))
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        Roadmap.objects.get(pk=plan.pk).delete()
    assert not any(default_storage.exists(name) for name in names)


def test_the_background_pdf_job_of_an_approved_plan_uses_the_stored_file(
    world, commit, no_rendering
):
    from jobs.models import Job
    from jobs.operations import plan_pdf

    plan = approved_plan(world, commit)
    no_rendering()
    job = Job(user=world.operator, kind=Job.Kind.PLAN_PDF, params={"roadmap": plan.pk})
    content, name = plan_pdf(job, lambda *args, **kwargs: None)
    assert content.read() == stored_bytes(PlanFile.objects.get(roadmap=plan, format="pdf"))
    assert name.endswith(".pdf")


def test_the_admin_lists_the_stored_files(world, commit, superuser, client_for):
    plan = approved_plan(world, commit)
    response = client_for(superuser).get(reverse("admin:reports_planfile_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(plan.title) == 3
    assert 'alt="True"' in page


def test_the_command_makes_the_files_of_plans_approved_before(world):
    from django.core.management import call_command

    old = make_small_plan(world.omsu, status="approved")
    make_small_plan(world.school, status="draft")
    out = io.StringIO()
    call_command("store_plan_files", stdout=out)
    assert sorted(PlanFile.objects.values_list("roadmap_id", "format")) == sorted(
        (old.pk, extension) for extension in FORMATS
    )
    call_command("store_plan_files", stdout=out)  # nothing stale: nothing made again
    assert out.getvalue().splitlines()[-1] == "Планов проверено: 1, файлов сделано: 0."


def test_storage_that_refuses_the_file_still_gets_the_download_answered(
    world, client_for, monkeypatch
):
    plan = make_small_plan(world.omsu, status="approved")

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "save", full)
    response = client_for(world.municipal).get(page_url(plan, "pdf"))
    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF-")
    assert not PlanFile.objects.exists()
