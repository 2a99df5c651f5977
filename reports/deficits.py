"""The deficit map: the schools of a round × the directions, each cell the school's level there.

The map of a whole region is three queries whatever its size: the schools the user sees (with
each school's overall level), the stored direction results of the round (a values_list) and the
round's directions; the matrix and the municipality tallies are a dict pivot in Python. The
page, the Excel file and the PDF all read the same `DeficitMap`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connections
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from reports.analytics_pdf import render_pdf
from reports.downloads import XLSX_TYPE, attachment, clean_stem
from reports.svg import (
    LEVEL_FILL,
    LEVEL_INK,
    LEVEL_PALETTE,
    LEVEL_SHORT,
    Segment,
    level_legend_items,
    stacked_bar,
)
from reports.xlsx import cell_text, set_cell, write_cell
from selfdiag.access import schools_in_scope
from selfdiag.methodology import BELOW_BASE, LEVELS
from selfdiag.models import DirectionResult, MethodologyDirection, Submission

LEVEL_CODES = tuple(LEVELS)


@dataclass(frozen=True)
class Direction:
    code: str
    name: str
    group: str


class Cell(NamedTuple):
    """A school's result in one direction. A tuple: a region's map makes tens of thousands."""

    level: str
    points: float
    max_points: float
    share: float
    capped: bool

    @property
    def label(self) -> str:
        return LEVELS[self.level]

    @property
    def percent(self) -> int:
        return round(self.share * 100)

    @property
    def short(self) -> str:
        return LEVEL_SHORT[self.level]


@dataclass
class SchoolRow:
    pk: int
    name: str
    municipality_id: int
    municipality_name: str
    level: str  # the overall level; "" when the school has no counted result in the round
    cells: list[Cell | None]

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, "")

    @property
    def level_short(self) -> str:
        return LEVEL_SHORT.get(self.level, "")


@dataclass
class Tally:
    """Schools at each level, and the sum of their shares, for one group of cells."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVEL_CODES, 0))
    share_sum: float = 0.0
    share_count: int = 0

    def merge(self, other: Tally) -> None:
        for level, count in other.counts.items():
            self.counts[level] += count
        self.share_sum += other.share_sum
        self.share_count += other.share_count

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def below_base_share(self) -> float | None:
        return self.counts[BELOW_BASE] / self.total if self.total else None

    @property
    def mean_share(self) -> float | None:
        return self.share_sum / self.share_count if self.share_count else None

    @property
    def below_base_text(self) -> str:
        return percent(self.below_base_share)

    @property
    def mean_share_text(self) -> str:
        return percent(self.mean_share)

    def segments(self) -> list[Segment]:
        return [Segment(code, LEVELS[code], self.counts[code]) for code in LEVEL_CODES]

    def bar(self, title: str, width: int = 120) -> SafeString:
        return stacked_bar(
            self.segments(), LEVEL_FILL, title=f"{title}: {self.describe()}", width=width
        )

    def describe(self) -> str:
        if not self.total:
            return "нет результатов"
        parts = [f"{LEVELS[code]} — {count}" for code, count in self.counts.items() if count]
        return ", ".join(parts)


@dataclass
class AreaRow:
    """A municipality (or, with pk None, everything shown): tallies overall and per direction."""

    pk: int | None
    name: str
    schools: int = 0
    reported: int = 0
    overall: Tally = field(default_factory=Tally)
    directions: list[Tally] = field(default_factory=list)


@dataclass
class DeficitMap:
    round: object
    directions: list[Direction]
    schools: list[SchoolRow]
    areas: list[AreaRow]
    total: AreaRow
    municipality: object = None

    @property
    def reported(self) -> int:
        return self.total.reported


def round_directions(round_) -> list[Direction]:
    return [
        Direction(code, name, group)
        for code, name, group in MethodologyDirection.objects.filter(
            methodology_id=round_.methodology_id
        )
        .order_by("position", "pk")
        .values_list("code", "name", "group")
    ]


def _raw_rows(queryset) -> list[tuple]:
    """The rows of a values_list() queryset as the database returns them, without Django's
    per-row conversion: for wide reads of plain numbers and strings."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def build_deficit_map(round_, *, schools, results, municipality=None) -> DeficitMap:
    """The map of `round_` over the user's querysets.

    schools: the round's schools the user sees (`selfdiag.access.schools_in_scope`);
    results: `DirectionResult.objects.for_user(user).counted()`.
    """
    directions = round_directions(round_)
    if municipality is not None:
        schools = schools.filter(municipality=municipality)
        results = results.filter(school__municipality=municipality)
    # Every query here drops the models' Meta.ordering (.order_by()): it would join the round,
    # school, municipality and direction only to sort rows that end up in dictionaries.
    overall = (
        Submission.objects.scored().filter(round_id=round_.pk, school_id=OuterRef("pk")).order_by()
    )
    school_rows = (
        schools.annotate(overall_level=Subquery(overall.values("level")[:1]))
        .order_by("municipality__name", "short_name", "pk")
        .values_list("pk", "short_name", "municipality_id", "municipality__name", "overall_level")
    )
    width = len(directions)
    rows: dict[int, SchoolRow] = {}
    areas: dict[int, AreaRow] = {}
    for pk, name, municipality_id, municipality_name, level in school_rows:
        rows[pk] = SchoolRow(
            pk, name, municipality_id, municipality_name, level or "", [None] * width
        )
        area = areas.get(municipality_id)
        if area is None:
            area = areas[municipality_id] = AreaRow(
                municipality_id, municipality_name, directions=[Tally() for _ in directions]
            )
        area.schools += 1
        if level:
            area.reported += 1
            area.overall.counts[level] += 1

    # The one loop over every result: fill the cell and count it for its municipality. Written
    # out rather than through Tally.add: this runs for each school × direction of a region
    # (32,000 results in the largest region). The rows come straight from the cursor of the
    # scoped queryset's SQL: Django's per-row value conversion (a boolean converter on SQLite)
    # and a NamedTuple call per cell cost as much as the query itself.
    column = {direction.code: index for index, direction in enumerate(directions)}
    cells = (
        results.filter(round_id=round_.pk)
        .order_by()
        .values_list(
            "school_id",
            "direction_code",
            "level",
            "points",
            "max_points",
            "share",
            "capped_by_critical",
        )
    )
    new_cell = Cell._make
    for school_id, code, level, points, max_points, share, capped in _raw_rows(cells):
        row = rows.get(school_id)
        index = column.get(code)
        if row is None or index is None:
            continue
        row.cells[index] = new_cell((level, points, max_points, share, bool(capped)))
        tally = areas[row.municipality_id].directions[index]
        tally.counts[level] += 1
        tally.share_sum += share
        tally.share_count += 1

    total = AreaRow(None, "Итого", directions=[Tally() for _ in directions])
    for area in areas.values():
        total.schools += area.schools
        total.reported += area.reported
        total.overall.merge(area.overall)
        for into, tally in zip(total.directions, area.directions, strict=True):
            into.merge(tally)
    return DeficitMap(
        round=round_,
        directions=directions,
        schools=list(rows.values()),
        areas=list(areas.values()),
        total=total,
        municipality=municipality,
    )


def deficit_map_for(user, round_, municipality=None) -> DeficitMap:
    """The map of `round_` as `user` sees it: the page, its downloads and the API."""
    return build_deficit_map(
        round_,
        schools=schools_in_scope(user, round_),
        results=DirectionResult.objects.for_user(user).counted(),
        municipality=municipality,
    )


def group_by_municipality(rows: list[SchoolRow]) -> list[tuple[str, list[SchoolRow]]]:
    """Consecutive rows of one municipality together, for the group headings of the table."""
    groups: list[tuple[str, list[SchoolRow]]] = []
    for row in rows:
        if not groups or groups[-1][1][0].municipality_id != row.municipality_id:
            groups.append((row.municipality_name, []))
        groups[-1][1].append(row)
    return groups


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


def cell_deficits(deficits, round_, school, direction_code: str):
    """A school's deficits in one direction of a round, critical first.

    deficits: `Deficit.objects.for_user(user).counted()`.
    """
    return (
        deficits.filter(round_id=round_.pk, school_id=school.pk, direction_code=direction_code)
        .select_related("indicator")
        .order_by("-critical", "position", "pk")
    )


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


def area_rows(dmap: DeficitMap) -> list[dict]:
    """The municipalities and the total with their bars, for the page and the PDF."""
    rows = []
    for area in [*dmap.areas, dmap.total]:
        rows.append(
            {
                "area": area,
                "overall": area.overall,
                "overall_bar": area.overall.bar(f"{area.name}, общий уровень"),
                "directions": [
                    {"tally": tally, "bar": tally.bar(f"{area.name}, {direction.name}")}
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


def deficit_map_file(dmap: DeficitMap, extension: str) -> HttpResponse:
    """The map as Excel («xlsx») or PDF («pdf»), named for download: the page and the API."""
    generated = timezone.localdate()
    content, content_type = (
        (deficit_map_pdf(dmap, generated=generated), "application/pdf")
        if extension == "pdf"
        else (deficit_map_xlsx(dmap, generated=generated), XLSX_TYPE)
    )
    name, fallback = download_names(dmap, extension)
    return attachment(content, content_type, name=name, fallback=fallback)


# Excel -----------------------------------------------------------------------------------------

FONT = "Times New Roman"
_thin = Side(style="thin", color="9AA6B5")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEADER_FILL = PatternFill("solid", fgColor="E9EEF5")
GROUP_FILL = PatternFill("solid", fgColor="F0F3F8")
LEVEL_FILLS = {
    code: PatternFill("solid", fgColor=fill.lstrip("#").upper())
    for code, fill in LEVEL_FILL.items()
}
LEVEL_FONTS = {
    code: Font(name=FONT, color=ink.lstrip("#").upper()) for code, ink in LEVEL_INK.items()
}
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
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
    sheet.row_dimensions[header].height = 45
    for index, title in enumerate(titles, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = {1: 30, 2: 42}.get(
            index, max(13, min(22, len(title) + 2))
        )

    row = header + 1
    for school in dmap.schools:
        write_cell(sheet, row, 1, school.municipality_name).font = Font(name=FONT)
        write_cell(sheet, row, 2, school.name).font = Font(name=FONT)
        _level_cell(sheet.cell(row, 3), school.level)
        for offset, cell in enumerate(school.cells):
            _level_cell(sheet.cell(row, 4 + offset), cell.level if cell else "", cell)
        for column in range(1, width + 1):
            sheet.cell(row, column).border = BORDER
        row += 1
    if dmap.schools:
        sheet.auto_filter.ref = f"A{header}:{get_column_letter(width)}{row - 1}"
    sheet.freeze_panes = sheet.cell(header + 1, 3)
    sheet.print_title_rows = f"{header}:{header}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

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
