"""Saving imported plans: the command of DESIGN.md, the upload page, all-or-nothing."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from roadmaps.importers import parse_document
from roadmaps.importing import party_kind, save_parsed_roadmap
from roadmaps.models import Item, ItemResponsible, Party, Roadmap, RoadmapEvent, Section

FIXTURES = Path(__file__).parent / "fixtures" / "roadmaps"
KIROVSKY_DOCX = FIXTURES / "spb-kirovsky-2024.docx"
LENINGRAD_TXT = FIXTURES / "leningrad-oblast-2023-2024.txt"


def _run(*args):
    out = io.StringIO()
    call_command("import_roadmap", *map(str, args), stdout=out)
    return out.getvalue()


def test_dry_run_json_prints_the_contract_shape_and_writes_nothing(db):
    document = json.loads(_run(KIROVSKY_DOCX, "--dry-run", "--json"))
    assert set(document) == {"title", "period", "approval", "sections", "glossary", "warnings"}
    assert document["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert len(document["sections"]) == 5
    first = document["sections"][0]["items"][0]
    assert set(first) == {"number", "title", "deadline", "responsible", "result"}
    assert first["deadline"] == {
        "text": "Февраль-март",
        "kind": "dates",
        "start": "2024-02-01",
        "end": "2024-03-31",
    }
    assert not Roadmap.objects.exists()


def test_command_saves_the_whole_plan_with_parsed_deadlines_and_parties(world):
    output = _run(KIROVSKY_DOCX, "--owner", world.omsu.pk)
    assert "Сохранено: план №" in output
    roadmap = Roadmap.objects.get()
    assert roadmap.owner == world.omsu
    assert (roadmap.period_start.isoformat(), roadmap.period_end.isoformat()) == (
        "2024-01-01",
        "2024-12-31",
    )
    assert roadmap.sections.filter(parent=None).count() == 5
    assert roadmap.items.count() == 20
    item = roadmap.items.get(number="1.4")
    assert item.deadline_kind == "dates"
    assert str(item.deadline_start) == "2024-04-01"
    assert [p.name for p in item.responsible.order_by("itemresponsible__position")] == [
        "ИМЦ",
        "ОО",
    ]
    assert roadmap.source_filename == "spb-kirovsky-2024.docx"
    assert roadmap.events.get().action == RoadmapEvent.Action.IMPORTED
    assert item.history.count() == 1


def test_responsible_order_is_kept_as_written(world):
    _run(KIROVSKY_DOCX, "--owner", world.omsu.pk)
    item = Item.objects.get(number="1.8")
    links = ItemResponsible.objects.filter(item=item).order_by("position")
    assert [link.party.name for link in links] == ["ОО", "ИМЦ"]


def test_glossary_and_inline_definitions_become_glossary_parties(world):
    _run(LENINGRAD_TXT, "--owner", world.ministry.pk)
    roadmap = Roadmap.objects.get()
    glossary = dict(roadmap.parties.filter(in_glossary=True).values_list("name", "full_name"))
    assert "ММС" in glossary
    assert "методическ" in glossary["ММС"].lower()


def test_party_linked_to_the_directory_when_the_names_match(world):
    parsed = parse_document(LENINGRAD_TXT)
    world.ministry.short_name = "КОиПО ЛО"
    world.ministry.save(update_fields=["short_name"])
    roadmap = save_parsed_roadmap(parsed, owner=world.ministry)
    assert roadmap.parties.get(name="КОиПО ЛО").organization == world.ministry


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Лысенко С.Н.", Party.Kind.PERSON),
        ("С.Н. Лысенко", Party.Kind.PERSON),
        ("ОО", Party.Kind.CATEGORY),
        ("ОМСУ", Party.Kind.CATEGORY),
        ("Руководители ОО", Party.Kind.ROLE),
        ("ГАОУ ДПО «ЛОИРО»", Party.Kind.ORGANIZATION),
        ("ИРОСО", Party.Kind.ORGANIZATION),
    ],
)
def test_party_kind_is_told_from_the_name(name, kind):
    assert party_kind(name) == kind


def test_a_failure_midway_leaves_nothing_behind(world, monkeypatch):
    parsed = parse_document(KIROVSKY_DOCX)

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ItemResponsible.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        save_parsed_roadmap(parsed, owner=world.omsu)
    assert not Roadmap.objects.exists()
    assert not Section.objects.exists()
    assert not Item.objects.exists()


def test_corrupt_file_exits_with_one_clear_line_and_writes_nothing(db, tmp_path):
    broken = tmp_path / "plan.docx"
    broken.write_bytes(b"PK\x03\x04 this is not a real archive")
    with pytest.raises(CommandError) as error:
        _run(broken, "--owner", "1")
    message = str(error.value)
    assert "\n" not in message and message
    assert not Roadmap.objects.exists()


def test_saving_without_an_owner_is_refused(db):
    with pytest.raises(CommandError, match="--owner"):
        _run(KIROVSKY_DOCX)


def test_period_option_overrides_the_document(db):
    document = json.loads(_run(KIROVSKY_DOCX, "--dry-run", "--json", "--period", "2025"))
    assert document["period"] == {"start": "2025-01-01", "end": "2025-12-31"}


# The upload page


def _upload(client, path, owner):
    with open(path, "rb") as handle:
        return client.post(reverse("roadmaps:import"), {"file": handle, "owner": owner.pk})


def test_upload_shows_the_plan_before_anything_is_saved(world, client_for):
    response = _upload(client_for(world.municipal), KIROVSKY_DOCX, world.omsu)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>20</strong> мероприятий" in page
    assert "Формирование перечня участников Проекта" in page
    assert "01.02.2024" in page  # «Февраль-март» parsed
    assert not Roadmap.objects.exists()


def test_confirming_the_preview_saves_the_plan(world, client_for):
    client = client_for(world.municipal)
    preview = _upload(client, KIROVSKY_DOCX, world.omsu)
    initial = preview.context["form"].initial
    response = client.post(
        reverse("roadmaps:import-confirm"),
        {
            "token": initial["token"],
            "filename": initial["filename"],
            "owner": world.omsu.pk,
            "title": "План Кировского района",
            "period": "2024",
        },
    )
    roadmap = Roadmap.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmaps:roadmap-detail", args=[roadmap.pk])
    assert roadmap.title == "План Кировского района"
    assert roadmap.items.count() == 20
    assert roadmap.created_by == world.municipal


def test_bad_period_on_confirm_keeps_what_was_typed_and_saves_nothing(world, client_for):
    client = client_for(world.municipal)
    preview = _upload(client, KIROVSKY_DOCX, world.omsu)
    initial = preview.context["form"].initial
    response = client.post(
        reverse("roadmaps:import-confirm"),
        {
            "token": initial["token"],
            "filename": initial["filename"],
            "owner": world.omsu.pk,
            "title": "Мой заголовок",
            "period": "позже",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Мой заголовок" in page
    assert "ожидается год" in page
    assert not Roadmap.objects.exists()


def test_municipal_coordinator_cannot_import_for_another_district(world, client_for):
    response = _upload(client_for(world.municipal), KIROVSKY_DOCX, world.institute)
    assert response.status_code == 200
    assert "Выберите корректный вариант" in response.content.decode()
    assert not Roadmap.objects.exists()


def test_corrupt_upload_gets_a_russian_message(world, client_for):
    broken = io.BytesIO(b"definitely not a word document")
    broken.name = "plan.docx"
    response = client_for(world.municipal).post(
        reverse("roadmaps:import"), {"file": broken, "owner": world.omsu.pk}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "field-error" in page
    assert not Roadmap.objects.exists()


def test_viewer_cannot_open_the_upload_page(world, client_for):
    assert client_for(world.viewer).get(reverse("roadmaps:import")).status_code == 403


def test_confirm_with_someone_elses_token_finds_nothing(world, client_for):
    client = client_for(world.municipal)
    preview = _upload(client, KIROVSKY_DOCX, world.omsu)
    token = preview.context["form"].initial["token"]
    client.force_login(world.operator)
    response = client.post(
        reverse("roadmaps:import-confirm"),
        {"token": token, "owner": world.institute.pk, "title": "x", "period": "2024"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmaps:import")
    assert not Roadmap.objects.exists()
