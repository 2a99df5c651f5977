"""«Вставить строки»: a block copied from Word or Excel added to a section of a draft."""

from html import escape
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


YEAR = ("2024-01-01", "2024-12-31")
# The parsed dates of the first 20 rows of the Tyumen table, in a 2024 plan.
TYUMEN_DATES = [
    ("2024-01-01", "2024-01-31"),  # январь
    YEAR,  # в течении года
    ("2024-03-25", "2024-11-30"),  # 25.03.2024 Ноябрь
    ("2024-01-01", "2024-02-29"),  # январь-февраль
    YEAR,
    ("2024-04-01", "2024-05-31"),  # Апрель-май
    YEAR,
    YEAR,  # в течение года в соответствии с государственным заданием
    YEAR,
    YEAR,
    YEAR,
    YEAR,  # 2 раза в год
    ("2024-10-01", "2024-12-31"),  # 4 квартал
    ("2024-04-01", "2024-09-30"),  # Апрель Май Август Сентябрь
    ("2024-05-01", "2024-08-31"),  # Май- август
    ("2024-10-01", "2024-11-30"),  # Октябрь Ноябрь
    ("2024-11-01", "2024-11-30"),  # Ноябрь
    YEAR,
    YEAR,
    ("2024-08-01", "2024-08-31"),  # август
]


def _as_html(text: str) -> str:
    """The same rows as the HTML table Word puts on the clipboard next to the plain text."""
    rows = "".join(
        "<tr>" + "".join(f"<td><p>{escape(cell)}</p></td>" for cell in line.split("\t")) + "</tr>"
        for line in text.split("\n")
    )
    return f"<html><body><table>{rows}</table></body></html>"


@pytest.mark.parametrize("clipboard", ["tab-separated", "html"])
def test_twenty_rows_from_the_tyumen_docx_table_add_twenty_items(
    world, plan, client_for, clipboard
):
    client = client_for(world.municipal)
    section = plan.sections.get()
    url = reverse("roadmaps:paste-rows", args=[plan.pk])
    text = _tyumen_rows()
    assert len(text.split("\n")) == 20
    data = {"text": text, "section": section.pk}
    if clipboard == "html":
        # The browser sends both; the HTML table wins. The plain text here is useless on its
        # own, so the rows must come from the table.
        data = {"text": "см. таблицу", "html": _as_html(text), "section": section.pk}
    preview = client.post(url, {**data, "preview": ""})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Добавить 20 мероприятий" in page
    assert "25.03.2024 – 30.11.2024" in page
    assert Item.objects.filter(section=section).count() == 1

    response = client.post(url, {**data, "confirm": ""})
    assert response.status_code == 302
    items = list(Item.objects.filter(section=section).order_by("position"))
    assert len(items) == 21
    added = items[1:]
    assert [item.number for item in added[:3]] == ["1.2.", "1.3.", "1.4."]
    assert [(str(i.deadline_start), str(i.deadline_end)) for i in added] == TYUMEN_DATES
    assert added[0].title.startswith("Разработка плана мероприятий («дорожная карта»)")
    assert added[0].deadline_text == "январь"
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


# Blocks without a header are read in the plan's own column order.


def _paste(client, plan, text):
    section = plan.sections.get()
    return client.post(
        reverse("roadmaps:paste-rows", args=[plan.pk]),
        {"text": text, "section": section.pk, "confirm": ""},
    )


def test_a_block_without_a_header_follows_a_plan_whose_result_comes_before_the_responsible(
    world, plan, client_for
):
    from roadmaps.layout import stored

    plan.columns = stored(
        [
            ("number", "№ п/п"),
            ("title", "Содержание деятельности"),
            ("deadline", "Срок"),
            ("result", "Результат"),
            ("responsible", "Ответственный"),
        ]
    )
    plan.save(update_fields=["columns"])
    client = client_for(world.municipal)
    page = client.get(reverse("roadmaps:paste-rows", args=[plan.pk])).content.decode()
    assert "№, Мероприятие, Сроки, Ожидаемый результат, Ответственные" in page
    _paste(client, plan, "1.\tСовещание директоров\tмарт\tПротокол совещания\tИМЦ")
    item = Item.objects.get(title="Совещание директоров")
    assert item.result == "Протокол совещания"
    assert item.responsible_text == "ИМЦ"
    assert (str(item.deadline_start), str(item.deadline_end)) == ("2024-03-01", "2024-03-31")


def test_a_block_without_a_header_follows_a_plan_without_a_number_column(world, plan, client_for):
    from roadmaps.layout import stored

    plan.columns = stored(
        [("title", "Мероприятие"), ("responsible", "Ответственные"), ("deadline", "Сроки")]
    )
    plan.save(update_fields=["columns"])
    _paste(client_for(world.municipal), plan, "Семинар для учителей\tИМЦ\tапрель-май")
    item = Item.objects.get(title="Семинар для учителей")
    assert item.responsible_text == "ИМЦ"
    assert (str(item.deadline_start), str(item.deadline_end)) == ("2024-04-01", "2024-05-31")


def test_a_plan_with_the_standard_columns_keeps_the_standard_order(world, plan, client_for):
    _paste(client_for(world.municipal), plan, "1.\tСовещание\tмарт\tИМЦ\tПротокол")
    item = Item.objects.get(title="Совещание")
    assert (item.responsible_text, item.result) == ("ИМЦ", "Протокол")
