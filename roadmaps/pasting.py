"""«Вставить строки»: rows pasted from Word or Excel added to a section of a draft.

The pasted block is read by the importer (the same column recognition, cleanup and deadline
parser as «Загрузить план»); rows without a header the importer knows are read in the plan's own
column order (plan.columns: Tyumen's, Zeya's or the standard one). All rows are written through
roadmaps/editing.py in one transaction: all or nothing. The page (roadmaps:paste-rows) and the
API (POST /api/v1/roadmaps/{id}/paste-rows/) both validate with PasteForm and write with add_rows.
"""

from __future__ import annotations

from django import forms
from django.db import transaction

from portal.validators import validate_multiline
from roadmaps import editing
from roadmaps.deadlines import parse_deadline
from roadmaps.importers import DocumentError, ParsedItem, parse_document
from roadmaps.layout import (
    DEADLINE,
    DIRECTION,
    NUMBER,
    RESPONSIBLE,
    RESULT,
    STANDARD,
    TITLE,
    plan_columns,
)

# A heading the importer recognizes for each kind of column (roadmaps/importers/columns.py).
HEADINGS = {
    NUMBER: "№",
    TITLE: "Мероприятие",
    DEADLINE: "Сроки",
    RESPONSIBLE: "Ответственные",
    RESULT: "Ожидаемый результат",
    DIRECTION: "Направление",
}
# The importer's warnings about a whole document (its title, its period): a pasted block has
# neither, the plan it goes into has both.
DOCUMENT_WARNINGS = ("Заголовок «План мероприятий", "Период плана не найден")
MAX_ROWS = 500
MAX_CHARS = 200_000


def column_keys(roadmap=None) -> list[str]:
    """The kinds of the plan's columns, in the plan's order (the standard order without one)."""
    columns = plan_columns(roadmap) if roadmap is not None else STANDARD
    return [column.key for column in columns]


def header_for(keys) -> str:
    return "\t".join(HEADINGS[key] for key in keys)


def parse_rows(text: str, columns=None) -> tuple[list[ParsedItem], list[str]]:
    """The items of a pasted block and the importer's warnings; DocumentError with a Russian
    sentence when nothing can be read. `columns`: the column kinds a block without a header
    is read in (default: the standard order)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not text.strip():
        raise DocumentError("Вставьте строки таблицы: поле пустое.")
    if "\t" not in text and "<t" not in text.lower():
        raise DocumentError(
            "Не видно столбцов: скопируйте строки таблицы из Word или Excel целиком "
            "(ячейки разделяются табуляцией)."
        )
    items, warnings = _parse(text)
    if not items:
        # No header the importer knows: the plan's own column order.
        items, warnings = _parse(f"{header_for(columns or column_keys())}\n{text}")
    if not items:
        raise DocumentError("Мероприятий в тексте не найдено: проверьте, что скопирована таблица.")
    if len(items) > MAX_ROWS:
        raise DocumentError(f"Слишком много строк: за один раз можно вставить до {MAX_ROWS}.")
    return items, warnings


def html_to_rows(html: str) -> str:
    """A table the browser put on the clipboard as HTML (Word, Excel, LibreOffice), as
    tab-separated rows; "" when it holds no table."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return ""
    rows = []
    for tr in tree.iter("tr"):
        cells = [" ".join(td.text_content().split()) for td in tr if td.tag in ("td", "th")]
        if any(cells):
            rows.append("\t".join(cells))
    return "\n".join(rows)


def _parse(text: str) -> tuple[list[ParsedItem], list[str]]:
    try:
        parsed = parse_document(text.encode("utf-8"), "paste.txt")
    except DocumentError:
        return [], []
    items = list(parsed.all_items())
    warnings = [w for w in parsed.warnings if not w.startswith(DOCUMENT_WARNINGS)]
    return [item for item in items if item.title], warnings


class PasteForm(forms.Form):
    text = forms.CharField(
        label="Строки из Word или Excel",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        max_length=MAX_CHARS,
        strip=False,
        validators=[validate_multiline],
    )
    html = forms.CharField(
        required=False,
        widget=forms.HiddenInput,
        max_length=MAX_CHARS,
        validators=[validate_multiline],
    )
    section = forms.ModelChoiceField(label="Добавить в раздел", queryset=None, empty_label=None)

    def __init__(self, *args, roadmap, **kwargs):
        super().__init__(*args, **kwargs)
        self.roadmap = roadmap
        self.fields["section"].queryset = roadmap.sections.order_by("position", "pk")
        self.fields["section"].label_from_instance = lambda s: f"{s.number}. {s.title}"
        self.columns = column_keys(roadmap)
        self.items: list[ParsedItem] = []
        self.warnings: list[str] = []

    def clean(self):
        data = super().clean()
        text = data.get("text") or ""
        if data.get("html"):
            text = html_to_rows(data["html"]) or text
        if "text" in data:
            try:
                self.items, self.warnings = parse_rows(text, self.columns)
            except DocumentError as error:
                self.add_error("text", str(error))
        return data

    @property
    def column_order(self) -> str:
        """The plan's column order in words, for the page's hint."""
        return ", ".join(HEADINGS[key] for key in self.columns)

    def preview(self) -> list[dict]:
        period = self.roadmap.period
        return [
            {"item": item, "deadline": parse_deadline(item.deadline_text, period)}
            for item in self.items
        ]


@transaction.atomic
def add_rows(section, items: list[ParsedItem], *, user) -> list:
    """Every item at the end of the section, numbered in the section's sequence."""
    return [
        editing.add_item(
            section,
            {
                "title": item.title,
                "deadline_text": item.deadline_text,
                "result": item.result,
                "responsible": list(dict.fromkeys(item.responsible)),
                "responsible_text": item.responsible_text,
                "directions": [],
            },
            user=user,
        )
        for item in items
    ]
