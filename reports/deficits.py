"""The deficit map drawn: the page's table body and bars, the Excel file and the PDF.

The data is selfdiag/deficit_map.py's `DeficitMap`; the page (selfdiag/analytics_views.py), the
API (selfdiag/api.py) and the background jobs (jobs/operations.py) draw it with these functions.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from reports.analytics_pdf import render_pdf
from reports.downloads import XLSX_TYPE, Download, clean_stem
from reports.svg import Segment, level_legend_items, stacked_bar
from reports.xlsx import WRAP, cell_text, print_setup, row_height, set_cell, write_cell
from selfdiag.deficit_map import (
    LEVEL_CODES,
    Cell,
    DeficitMap,
    Direction,
    Tally,
    group_by_municipality,
)
from selfdiag.levels import LEVEL_FILL, LEVEL_INK, LEVEL_PALETTE, LEVEL_SHORT
from selfdiag.methodology import LEVELS


def _points(value: float) -> str:
    """«2», «2,5»: points as the pages print them."""
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}".replace(".", ",")


_NO_RESULT = (
    '<td class="map-cell level-none"><span title="нет результата">—</span>'
    '<span class="visually-hidden"> нет результата</span></td>'
)
_OVERALL = (
    '<td class="map-cell level-{level}"><span title="Общий уровень: {label}">{short}</span>'
    '<span class="visually-hidden"> {label}</span></td>'
)
_EMPTY = '<td class="map-cell level-none">—</td>'
_CELL = (
    '<td class="map-cell level-{level}"><a class="map-link" href="{url}" '
    'title="{name}: {label}, {points} из {maximum}"><span aria-hidden="true">{short}</span> '
    '{percent} %{capped}<span class="visually-hidden"> — {name}, {label}</span></a></td>'
)
_LABELS = {code: escape(label) for code, label in LEVELS.items()}


def map_body(groups, directions: list[Direction], cell_url) -> SafeString:
    """The <tbody> groups of the map's table: a heading row per municipality, a row per school.

    Built here rather than in the template, and with str.format on values escaped once: a page
    of a region's map has a thousand cells, and the template language would spend most of the
    request on them. cell_url(row) is the address of the school's cells; the direction's code
    goes in `?direction=`.
    """
    columns = [(escape(direction.name), escape(direction.code)) for direction in directions]
    width = len(directions) + 2
    parts = []
    for municipality_name, rows in groups:
        heading = escape(municipality_name)
        parts.append(
            f'<tbody><tr class="group-row"><th scope="colgroup" colspan="{width}">{heading}</th>'
            "</tr>"
        )
        for row in rows:
            base = escape(cell_url(row))
            if row.level:
                overall = _OVERALL.format(
                    level=row.level, label=_LABELS[row.level], short=LEVEL_SHORT[row.level]
                )
            else:
                overall = _NO_RESULT
            cells = [
                _EMPTY
                if cell is None
                else _CELL.format(
                    level=cell.level,
                    url=f"{base}?direction={code}",
                    name=name,
                    label=_LABELS[cell.level],
                    points=_points(cell.points),
                    maximum=_points(cell.max_points),
                    short=LEVEL_SHORT[cell.level],
                    percent=round(cell.share * 100),
                    capped="*" if cell.capped else "",
                )
                for (name, code), cell in zip(columns, row.cells, strict=True)
            ]
            parts.append(
                '<tr data-school="{}"><th scope="row" class="map-school">{}</th>{}{}</tr>'.format(
                    row.pk, escape(row.name), overall, "".join(cells)
                )
            )
        parts.append("</tbody>")
    return mark_safe("".join(parts))  # every inserted text escaped above


def tally_segments(tally: Tally) -> list[Segment]:
    return [Segment(code, LEVELS[code], tally.counts[code]) for code in LEVEL_CODES]


def tally_bar(tally: Tally, title: str, width: int = 120) -> SafeString:
    """Schools at each level as one bar; the title says the numbers for screen readers."""
    return stacked_bar(
        tally_segments(tally), LEVEL_FILL, title=f"{title}: {tally.describe()}", width=width
    )


def area_rows(dmap: DeficitMap) -> list[dict]:
    """The municipalities and the total with their bars, for the page and the PDF."""
    rows = []
    for area in [*dmap.areas, dmap.total]:
        rows.append(
            {
                "area": area,
                "overall": area.overall,
                "overall_bar": tally_bar(area.overall, f"{area.name}, общий уровень"),
                "directions": [
                    {"tally": tally, "bar": tally_bar(tally, f"{area.name}, {direction.name}")}
                    for direction, tally in zip(dmap.directions, area.directions, strict=True)
                ],
            }
        )
    return rows


def download_names(dmap: DeficitMap, extension: str) -> tuple[str, str]:
    """(«Карта дефицитов Весна 2025 Лужский район.xlsx», «deficit-map-7.xlsx»): the Russian
    name of a download and the ASCII one for clients that ignore filename*."""
    stem = f"Карта дефицитов {dmap.round.name}"
    if dmap.municipality is not None:
        stem += f" {dmap.municipality.name}"
    return f"{clean_stem(stem)}.{extension}", f"deficit-map-{dmap.round.pk}.{extension}"


def deficit_map_file(dmap: DeficitMap, extension: str) -> Download:
    """The map as Excel («xlsx») or PDF («pdf»), named for download: the page and the API."""
    generated = timezone.localdate()
    content, content_type = (
        (deficit_map_pdf(dmap, generated=generated), "application/pdf")
        if extension == "pdf"
        else (deficit_map_xlsx(dmap, generated=generated), XLSX_TYPE)
    )
    name, fallback = download_names(dmap, extension)
    return Download(content, content_type, name=name, fallback=fallback)


# Excel -----------------------------------------------------------------------------------------

FONT = "Times New Roman"
_thin = Side(style="thin", color="9AA6B5")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEADER_FILL = PatternFill("solid", fgColor="E9EEF5")
LEVEL_FILLS = {
    code: PatternFill("solid", fgColor=fill.lstrip("#").upper())
    for code, fill in LEVEL_FILL.items()
}
LEVEL_FONTS = {
    code: Font(name=FONT, color=ink.lstrip("#").upper()) for code, ink in LEVEL_INK.items()
}
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
FIRST_COLUMNS = ["Муниципальное образование", "Школа", "Общий уровень"]


def deficit_map_xlsx(dmap: DeficitMap, *, generated) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Карта дефицитов"
    workbook.properties.title = cell_text(f"Карта дефицитов: {dmap.round.name}")[:255]
    workbook.properties.creator = "Портал «Школа Минпросвещения России»"
    width = len(FIRST_COLUMNS) + len(dmap.directions)

    write_cell(sheet, 1, 1, f"Карта дефицитов: {dmap.round.name}").font = Font(
        name=FONT, bold=True, size=13
    )
    where = dmap.municipality.name if dmap.municipality else str(dmap.round.region)
    write_cell(
        sheet,
        2,
        1,
        f"{where}; школ: {dmap.total.schools}, с результатами: {dmap.reported}; "
        f"сформировано {generated:%d.%m.%Y}",
    ).font = Font(name=FONT)
    row = _write_legend(sheet, 3)

    header = row + 1
    titles = [*FIRST_COLUMNS, *(direction.name for direction in dmap.directions)]
    for index, title in enumerate(titles, start=1):
        cell = write_cell(sheet, header, index, title)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = CENTER
        cell.border = BORDER
    widths = [{1: 30, 2: 42}.get(i, max(13, min(22, len(t) + 2))) for i, t in enumerate(titles, 1)]
    for index, size in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = size
    sheet.row_dimensions[header].height = row_height(zip(titles, widths, strict=True))

    row = header + 1
    for school in dmap.schools:
        for column, text in ((1, school.municipality_name), (2, school.name)):
            cell = write_cell(sheet, row, column, text)
            cell.font = Font(name=FONT)
            cell.alignment = WRAP
        sheet.row_dimensions[row].height = row_height(
            [(school.municipality_name or "", widths[0]), (school.name or "", widths[1])]
        )
        _level_cell(sheet.cell(row, 3), school.level)
        for offset, cell in enumerate(school.cells):
            _level_cell(sheet.cell(row, 4 + offset), cell.level if cell else "", cell)
        for column in range(1, width + 1):
            sheet.cell(row, column).border = BORDER
        row += 1
    if dmap.schools:
        sheet.auto_filter.ref = f"A{header}:{get_column_letter(width)}{row - 1}"
    sheet.freeze_panes = sheet.cell(header + 1, 3)
    print_setup(sheet, header)

    _write_areas(workbook.create_sheet("Муниципалитеты"), dmap)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _write_legend(sheet, row: int) -> int:
    write_cell(sheet, row, 1, "Обозначения:").font = Font(name=FONT, bold=True)
    for offset, (code, label, _) in enumerate(LEVEL_PALETTE):
        cell = write_cell(sheet, row, 2 + offset, label)
        cell.fill = LEVEL_FILLS[code]
        cell.font = LEVEL_FONTS[code]
        cell.alignment = CENTER
        cell.border = BORDER
    note = write_cell(
        sheet, row, 2 + len(LEVEL_PALETTE), "пусто — нет результата; * — критический показатель"
    )
    note.font = Font(name=FONT, italic=True)
    return row + 1


def _level_cell(cell, level: str, result: Cell | None = None) -> None:
    if level in LEVELS:
        set_cell(cell, LEVELS[level] + ("*" if result and result.capped else ""))
        cell.fill = LEVEL_FILLS[level]
        cell.font = LEVEL_FONTS[level]
    else:
        cell.font = Font(name=FONT)
    cell.alignment = CENTER


def _write_areas(sheet, dmap: DeficitMap) -> None:
    """Per municipality × direction: schools at each level, share below base, mean share."""
    headers = ["Муниципальное образование", "Направление", "Школ с результатом"]
    headers += list(LEVELS.values())
    headers += ["Доля ниже базового", "Средняя доля баллов"]
    for index, title in enumerate(headers, start=1):
        cell = write_cell(sheet, 1, index, title)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = CENTER
        cell.border = BORDER
        sheet.column_dimensions[get_column_letter(index)].width = {1: 32, 2: 30}.get(index, 14)
    for code, _, _ in LEVEL_PALETTE:
        column = 4 + LEVEL_CODES.index(code)
        sheet.cell(1, column).fill = LEVEL_FILLS[code]
        sheet.cell(1, column).font = Font(
            name=FONT, bold=True, color=LEVEL_INK[code].lstrip("#").upper()
        )
    row = 2
    for area in [*dmap.areas, dmap.total]:
        lines = [("Общий уровень", area.overall)]
        lines += [(d.name, t) for d, t in zip(dmap.directions, area.directions, strict=True)]
        for name, tally in lines:
            values = [area.name, name, tally.total, *tally.counts.values()]
            for index, value in enumerate(values, start=1):
                write_cell(sheet, row, index, value).font = Font(name=FONT, bold=area.pk is None)
            for index, value in ((8, tally.below_base_share), (9, tally.mean_share)):
                cell = write_cell(sheet, row, index, value)
                cell.number_format = "0%"
                cell.font = Font(name=FONT, bold=area.pk is None)
            for index in range(1, len(headers) + 1):
                sheet.cell(row, index).border = BORDER
            row += 1
    sheet.freeze_panes = "C2"


# PDF -------------------------------------------------------------------------------------------


def deficit_map_pdf(dmap: DeficitMap, *, generated) -> bytes:
    for row in dmap.schools:
        row.columns = list(zip(dmap.directions, row.cells, strict=True))
    return render_pdf(
        "reports/analytics/deficit_map_pdf.html",
        {
            "dmap": dmap,
            "groups": group_by_municipality(dmap.schools),
            "area_rows": area_rows(dmap),
            "legend": level_legend_items(),
            "generated": generated,
        },
    )
