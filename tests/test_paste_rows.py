"""«Вставить строки»: a block copied from Word or Excel added to a section of a draft."""

from pathlib import Path

import docx
import pytest
from django.urls import reverse

from roadmaps.models import Item
from tests.factories import make_small_plan

FIXTURE = Path(__file__).parent / "fixtures" / "roadmaps" / "tyumen-oblast-2024.docx"


def _tyumen_rows(n=20) -> str:
    """The first n item rows of the Tyumen plan's Word table, cells joined by tabs as Word
    copies them (no header row)."""
    table = max(docx.Document(FIXTURE).tables, key=lambda t: len(t.rows))
    rows = []
    for row in table.rows[1:]:
        cells = [" ".join(cell.text.split()) for cell in row.cells]
        if len(set(cells)) == 1 or not cells[1] or cells[1].startswith("Наименование"):
            continue  # a section row spans the table; the header may repeat
        rows.append("\t".join(cells))
        if len(rows) == n:
            break
    return "\n".join(rows)


@pytest.fixture
def plan(world):
    return make_small_plan(world.omsu)


def test_twenty_rows_from_the_tyumen_docx_table_add_twenty_items(world, plan, client_for):
    client = client_for(world.municipal)
    section = plan.sections.get()
    url = reverse("roadmaps:paste-rows", args=[plan.pk])
    text = _tyumen_rows()
    preview = client.post(url, {"text": text, "section": section.pk, "preview": ""})
    assert preview.status_code == 200
    assert "Добавить 20 мероприятий" in preview.content.decode()
    assert Item.objects.filter(section=section).count() == 1

    response = client.post(url, {"text": text, "section": section.pk, "confirm": ""})
    assert response.status_code == 302
    items = list(Item.objects.filter(section=section).order_by("position"))
    assert len(items) == 21
    added = items[1:]
    assert [item.number for item in added[:3]] == ["1.2", "1.3", "1.4"] or [
        item.number for item in added[:3]
    ] == ["1.2.", "1.3.", "1.4."]
    with_dates = [item for item in added if item.deadline_end]
    assert len(with_dates) >= 15
    assert sum(1 for item in added if item.responsible_text) >= 15


def test_rows_with_the_importers_header_use_its_columns(world, plan, client_for):
    client = client_for(world.municipal)
    section = plan.sections.get()
    text = (
        "Ожидаемый результат\tНаименование мероприятия\tСроки\n"
        "Протокол\tСовещание директоров\tмарт 2024\n"
    )
    client.post(
        reverse("roadmaps:paste-rows", args=[plan.pk]),
        {"text": text, "section": section.pk, "confirm": ""},
    )
    item = Item.objects.get(title="Совещание директоров")
    assert item.result == "Протокол"
    assert str(item.deadline_start) == "2024-03-01"


def test_a_block_without_columns_changes_nothing_and_keeps_the_text(world, plan, client_for):
    client = client_for(world.municipal)
    section = plan.sections.get()
    response = client.post(
        reverse("roadmaps:paste-rows", args=[plan.pk]),
        {"text": "просто текст без таблицы", "section": section.pk, "confirm": ""},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Не видно столбцов" in page
    assert "просто текст без таблицы" in page
    assert Item.objects.filter(section=section).count() == 1


def test_a_failing_row_rolls_back_every_row(world, plan, client_for, monkeypatch):
    from roadmaps import editing

    real = editing.add_item
    calls = []

    def fail_on_third(section, values, *, user):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("boom")
        return real(section, values, user=user)

    monkeypatch.setattr(editing, "add_item", fail_on_third)
    client = client_for(world.municipal)
    client.raise_request_exception = False
    section = plan.sections.get()
    client.post(
        reverse("roadmaps:paste-rows", args=[plan.pk]),
        {"text": _tyumen_rows(5), "section": section.pk, "confirm": ""},
    )
    assert Item.objects.filter(section=section).count() == 1


def test_the_preview_query_count_does_not_grow_with_rows(
    world, plan, client_for, django_assert_max_num_queries
):
    client = client_for(world.municipal)
    section = plan.sections.get()
    url = reverse("roadmaps:paste-rows", args=[plan.pk])
    with django_assert_max_num_queries(15):
        client.post(url, {"text": _tyumen_rows(20), "section": section.pk, "preview": ""})


def test_outsider_gets_404_and_viewer_403(world, plan, client_for):
    url = reverse("roadmaps:paste-rows", args=[plan.pk])
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.viewer).get(url).status_code == 403


@pytest.mark.parametrize("status", ["review", "approved"])
def test_a_frozen_plan_refuses_pasting_in_russian(world, client_for, status):
    plan = make_small_plan(world.omsu, status=status)
    section = plan.sections.get()
    response = client_for(world.municipal).post(
        reverse("roadmaps:paste-rows", args=[plan.pk]),
        {"text": _tyumen_rows(2), "section": section.pk, "confirm": ""},
    )
    assert response.status_code == 403
    assert Item.objects.filter(section=section).count() == 1


def test_a_draft_shows_the_button_to_its_editor(world, plan, client_for):
    page = client_for(world.municipal).get(reverse("roadmaps:roadmap-detail", args=[plan.pk]))
    assert "Вставить строки" in page.content.decode()


def test_an_html_table_from_the_clipboard_is_read_as_rows(world, plan, client_for):
    section = plan.sections.get()
    html = (
        "<html><body><table><tr><td>1</td><td>Совещание директоров</td><td>март 2024</td>"
        "<td>ИМЦ</td><td>Протокол</td></tr></table></body></html>"
    )
    client_for(world.municipal).post(
        reverse("roadmaps:paste-rows", args=[plan.pk]),
        {
            "text": "1 Совещание директоров март 2024",
            "html": html,
            "section": section.pk,
            "confirm": "",
        },
    )
    item = Item.objects.get(title="Совещание директоров")
    assert item.result == "Протокол"
