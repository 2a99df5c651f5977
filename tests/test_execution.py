"""Execution reports on items: who may report, evidence files, the item's status, htmx rows."""

import datetime
import io
import zipfile
from pathlib import Path

import docx
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import Workbook

from roadmaps.execution import (
    MAX_EVIDENCE_BYTES,
    add_report,
    progress_bar,
    status_bar,
    validate_evidence_file,
)
from roadmaps.models import ExecutionReport, Item, Roadmap
from tests.factories import make_item, make_report, make_roadmap, make_section

# The suite's "today": reports may not be dated later, and March 2024 is inside the plans.
TODAY = datetime.datetime(2024, 5, 15, 12, 0, tzinfo=datetime.UTC)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _docx_bytes():
    document = docx.Document()
    document.add_paragraph("Протокол педагогического совета № 3")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx_bytes():
    workbook = Workbook()
    workbook.active["A1"] = "Охват обучающихся"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _odt_bytes(mimetype="application/vnd.oasis.opendocument.text"):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def _zip_bytes():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photos/1.txt", "не документ")
    return out.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


@pytest.fixture
def plan(world):
    """The school's approved plan with one item due by the end of March 2024."""
    roadmap = make_roadmap(world.school, status=Roadmap.Status.APPROVED)
    section = make_section(roadmap)
    item = make_item(
        section,
        title="Проведение Недели функциональной грамотности",
        deadline_text="март",
        deadline_kind="dates",
        deadline_start=datetime.date(2024, 3, 1),
        deadline_end=datetime.date(2024, 3, 31),
    )
    return roadmap, item


def report_url(item):
    return reverse("roadmaps:item-report", args=[item.pk])


def report_data(**overrides):
    data = {
        "status": "done",
        "date": "2024-03-28",
        "comment": "Проведены открытые уроки в 5–9 классах",
        "evidence_url": "https://school1.gatchina.ru/news/120",
    }
    data.update(overrides)
    return data


# Evidence files


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("Приказ.pdf", PDF),
        ("фото.png", PNG),
        ("фото.JPG", JPEG),
        ("скан.jpeg", JPEG),
        ("протокол.docx", _docx_bytes()),
        ("охват.xlsx", _xlsx_bytes()),
        ("справка.odt", _odt_bytes()),
    ],
)
def test_accepted_evidence_types_pass(name, content):
    validate_evidence_file(upload(name, content))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "не принят"),
        ("заметки.txt", "просто текст".encode(), "не принят"),
        ("архив.zip", _zip_bytes(), "не принят"),
        ("Приказ.pdf", b"MZ\x90\x00 a program", "не похоже на PDF"),
        ("фото.png", JPEG, "не похоже на PNG"),
        ("протокол.docx", _xlsx_bytes(), "не похоже на DOCX"),
        ("протокол.docx", _zip_bytes(), "не похоже на DOCX"),
        ("охват.xlsx", b"PK\x03\x04 broken", "не похоже на XLSX"),
        ("справка.odt", _odt_bytes("application/vnd.oasis.opendocument.spreadsheet"), "ODT"),
    ],
)
def test_other_types_and_disguised_files_are_rejected_in_russian(name, content, message):
    with pytest.raises(ValidationError, match=message):
        validate_evidence_file(upload(name, content))


def test_evidence_over_ten_megabytes_is_rejected():
    big = upload("скан.pdf", PDF + b"0" * MAX_EVIDENCE_BYTES)
    with pytest.raises(ValidationError, match="не больше 10 МБ"):
        validate_evidence_file(big)


def test_evidence_of_exactly_ten_megabytes_passes():
    validate_evidence_file(upload("скан.pdf", PDF + b"0" * (MAX_EVIDENCE_BYTES - len(PDF))))


# Adding a report


def test_school_coordinator_reports_an_item_of_the_approved_plan(world, plan, client_for):
    _, item = plan
    response = client_for(world.school_user).post(report_url(item), report_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmaps:item-reports", args=[item.pk])
    report = ExecutionReport.objects.get(item=item)
    assert report.status == "done"
    assert report.author == world.school_user
    assert report.evidence_url == "https://school1.gatchina.ru/news/120"
    item.refresh_from_db()
    assert item.status == Item.Status.DONE


def test_report_on_a_draft_plan_is_accepted(world, client_for):
    roadmap = make_roadmap(world.school)
    item = make_item(make_section(roadmap))
    response = client_for(world.school_user).post(report_url(item), report_data())
    assert response.status_code == 302
    assert item.reports.count() == 1


def test_municipal_coordinator_reports_on_a_school_of_the_district(world, plan, client_for):
    _, item = plan
    response = client_for(world.municipal).post(report_url(item), report_data())
    assert response.status_code == 302
    assert item.reports.get().author == world.municipal


def test_outsider_reporting_gets_not_found(world, plan, client_for):
    _, item = plan
    response = client_for(world.outsider).post(report_url(item), report_data())
    assert response.status_code == 404
    assert not ExecutionReport.objects.exists()


def test_viewer_reporting_is_forbidden(world, plan, client_for):
    _, item = plan
    response = client_for(world.viewer).post(report_url(item), report_data())
    assert response.status_code == 403
    assert not ExecutionReport.objects.exists()


def test_school_coordinator_cannot_report_on_the_regional_plan(world, client_for):
    regional = make_roadmap(world.institute, status=Roadmap.Status.APPROVED)
    item = make_item(make_section(regional))
    response = client_for(world.school_user).post(report_url(item), report_data())
    assert response.status_code == 403
    assert not ExecutionReport.objects.exists()


def test_get_on_the_report_endpoint_is_not_allowed(world, plan, client_for):
    _, item = plan
    assert client_for(world.school_user).get(report_url(item)).status_code == 405


def test_report_on_an_archived_plan_is_forbidden(world, plan, client_for):
    roadmap, item = plan
    Roadmap.objects.filter(pk=roadmap.pk).update(status=Roadmap.Status.ARCHIVED)
    response = client_for(world.school_user).post(report_url(item), report_data())
    assert response.status_code == 403
    assert "архив" in response.content.decode()


def test_uploaded_evidence_is_saved_and_downloaded_through_the_scoped_view(
    world, plan, client_for, settings
):
    _, item = plan
    client = client_for(world.school_user)
    data = report_data(evidence_url="", files=upload("Приказ о проведении.pdf", PDF))
    assert client.post(report_url(item), data).status_code == 302
    evidence = item.reports.get().files.get()
    stored = Path(settings.MEDIA_ROOT) / evidence.file.name
    assert stored.read_bytes() == PDF
    assert (evidence.name, evidence.size) == ("Приказ о проведении.pdf", len(PDF))

    page = client.get(reverse("roadmaps:item-reports", args=[item.pk])).content.decode()
    download = reverse("roadmaps:evidence-download", args=[evidence.pk])
    assert download in page
    assert settings.MEDIA_URL not in page

    response = client_for(world.municipal).get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF

    assert client_for(world.outsider).get(download).status_code == 404


def test_rejected_file_shows_a_russian_message_keeps_the_input_and_saves_nothing(
    world, plan, client_for, settings
):
    _, item = plan
    data = report_data(
        comment="Фотоотчёт о мероприятии",
        evidence_url="",
        files=upload("фотоотчёт.pdf", b"MZ\x90\x00 not a pdf"),
    )
    response = client_for(world.school_user).post(report_url(item), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "не похоже на PDF" in page
    assert "Фотоотчёт о мероприятии" in page
    assert not ExecutionReport.objects.exists()
    item.refresh_from_db()
    assert item.status == Item.Status.NOT_STARTED
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_too_large_file_is_rejected_and_nothing_is_saved(world, plan, client_for):
    _, item = plan
    data = report_data(files=upload("скан.pdf", PDF + b"0" * MAX_EVIDENCE_BYTES))
    response = client_for(world.school_user).post(report_url(item), data)
    assert response.status_code == 200
    assert "не больше 10 МБ" in response.content.decode()
    assert not ExecutionReport.objects.exists()


def test_report_dated_in_the_future_is_refused(world, plan, client_for):
    _, item = plan
    response = client_for(world.school_user).post(report_url(item), report_data(date="2024-05-16"))
    assert "будущим днём" in response.content.decode()
    assert not ExecutionReport.objects.exists()


def test_unknown_status_and_bad_link_are_explained(world, plan, client_for):
    _, item = plan
    response = client_for(world.school_user).post(
        report_url(item), report_data(status="maybe", evidence_url="school.ru news")
    )
    page = response.content.decode()
    assert "Выберите корректный вариант" in page
    assert "Введите адрес целиком" in page
    assert not ExecutionReport.objects.exists()


# The item's status follows its newest report


def test_an_earlier_dated_report_does_not_undo_a_later_one(world, plan):
    _, item = plan
    make_report(item, status="done", date=datetime.date(2024, 3, 28))
    make_report(item, status="in_progress", date=datetime.date(2024, 3, 10))
    item.refresh_from_db()
    assert item.status == Item.Status.DONE
    assert item.reports.count() == 2


def test_cancelling_an_item_by_report(world, plan):
    _, item = plan
    make_report(item, status="in_progress", date=datetime.date(2024, 3, 10))
    make_report(item, status="cancelled", date=datetime.date(2024, 3, 20), comment="Карантин")
    item.refresh_from_db()
    assert item.status == Item.Status.CANCELLED
    assert not item.is_overdue(datetime.date(2024, 5, 15))


def test_report_on_the_version_in_force_carries_to_the_draft_of_the_next_version(world, plan):
    roadmap, item = plan
    new_version = roadmap.revise(by=world.school_user)
    copy = new_version.items.get()
    add_report(
        item,
        author=world.school_user,
        status="done",
        date=datetime.date(2024, 3, 28),
    )
    copy.refresh_from_db()
    assert copy.status == Item.Status.DONE


def test_reports_page_of_a_new_version_lists_the_reports_of_the_earlier_one(
    world, plan, client_for
):
    roadmap, item = plan
    make_report(item, status="in_progress", comment="Разработан план недели")
    new_version = roadmap.revise(by=world.school_user)
    copy = new_version.items.get()
    page = client_for(world.school_user).get(reverse("roadmaps:item-reports", args=[copy.pk]))
    assert "Разработан план недели" in page.content.decode()


# Pages and fragments


def test_reports_page_shows_the_form_to_those_who_report(world, plan, client_for):
    _, item = plan
    page = client_for(world.school_user).get(reverse("roadmaps:item-reports", args=[item.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Новый отчёт" in html
    assert "Проведение Недели функциональной грамотности" in html


def test_reports_page_is_read_only_for_the_viewer(world, plan, client_for):
    _, item = plan
    make_report(item, status="in_progress", comment="Составлен график открытых уроков")
    page = client_for(world.viewer).get(reverse("roadmaps:item-reports", args=[item.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Составлен график открытых уроков" in html
    assert "Новый отчёт" not in html


def test_htmx_opens_the_reports_as_a_table_row(world, plan, client_for):
    _, item = plan
    response = client_for(world.school_user).get(
        reverse("roadmaps:item-reports", args=[item.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<tr class="execution-row"')
    assert "<html" not in html
    assert f'hx-post="{report_url(item)}"' in html


def test_htmx_report_returns_the_row_and_updates_the_status_badge(world, plan, client_for):
    _, item = plan
    response = client_for(world.school_user).post(
        report_url(item), report_data(), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Отчёт сохранён" in html
    assert f'id="item-status-{item.pk}" hx-swap-oob="true"' in html
    assert "выполнено" in html


def test_item_status_include_for_the_plan_page(world, plan):
    _, item = plan
    html = render_to_string(
        "roadmaps/execution/item_status.html", {"item": item, "can_report": True}
    )
    assert f'hx-get="{reverse("roadmaps:item-reports", args=[item.pk])}"' in html
    assert 'hx-target="closest tr"' in html
    assert "Отчёт" in html
    assert "просрочено" in html  # March has passed and nothing is reported
    read_only = render_to_string(
        "roadmaps/execution/item_status.html", {"item": item, "can_report": False}
    )
    assert "Отчёты" in read_only


def test_pages_carry_no_inline_scripts_or_styles(world, plan, client_for):
    _, item = plan
    html = (
        client_for(world.school_user)
        .get(reverse("roadmaps:item-reports", args=[item.pk]))
        .content.decode()
    )
    assert "style=" not in html
    assert "<script>" not in html
    assert "js/execution.js" in html


# Bars


def test_progress_bar_segments_fill_the_scale_without_gaps():
    bar = progress_bar({"item_count": 3, "done_count": 1, "overdue_count": 1, "cancelled_count": 1})
    assert [(s["key"], s["x"], s["width"]) for s in bar["segments"]] == [
        ("done", 0, 333),
        ("overdue", 333, 334),
        ("cancelled", 667, 333),
    ]
    assert bar["percent"] == 33
    assert bar["label"] == "Выполнено 1 из 3 (33 %), просрочено 1, отменено 1"


def test_empty_bar_has_no_segments():
    bar = progress_bar({"item_count": 0, "done_count": 0, "overdue_count": 0})
    assert bar["segments"] == []
    assert bar["percent"] == 0


def test_status_bar_counts_each_status():
    bar = status_bar(
        {
            "item_count": 4,
            "done_count": 2,
            "in_progress_count": 1,
            "not_started_count": 1,
            "cancelled_count": 0,
        }
    )
    assert [(s["key"], s["width"]) for s in bar["segments"]] == [
        ("done", 500),
        ("in_progress", 250),
        ("not_started", 250),
    ]
