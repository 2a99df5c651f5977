"""Self-diagnosis in Excel: the template of a round, loading it back filled, exporting results.

The template has a row per school and a column per indicator (the code above, the wording below
it), with drop-down lists of the answer labels. The lists live on a hidden sheet, one column per
distinct list, because a label may contain a comma and an inline list may not.

A filled template is checked whole before anything is saved (the directory import's pattern):
row-level errors name the row and the column; answers to indicators that do not apply to a
school are ignored with a warning. Saving creates or updates each school's submission as sent
and scores it.

The export streams: a write-only workbook fed by one grouped query read with .iterator().
"""

import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from orgs.importers import DirectoryError, read_table
from orgs.models import Organization
from portal.russian import quote
from portal.validators import parse_id
from reports.xlsx import (
    WRAP,
    print_setup,
    row_cells,
    row_height,
    set_cell,
    wrapped_lines,
    write_cell,
)
from selfdiag.methodology import LEVELS
from selfdiag.methodology import Methodology as PlainMethodology
from selfdiag.models import Answer, Deficit, Option, Round, Submission, school_profile
from selfdiag.results import store_results
from selfdiag.scoring import compile_methodology

SHEET = "Ответы"
OPTIONS_SHEET = "Варианты"
HELP_SHEET = "Как заполнять"
ID_HEADER = "ID школы"
FIXED_COLUMNS = (ID_HEADER, "Муниципальное образование", "Школа")
NOT_APPLICABLE_FILL = PatternFill("solid", fgColor="D9D9D9")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A filled template: a row per school of a region, a column per indicator of a methodology.
MAX_ROWS = 20_000
MAX_COLUMNS = 1_000


class ResultsFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


# Template -----------------------------------------------------------------------------------


def build_template(
    round_: Round, schools: Iterable[Organization], methodology: PlainMethodology, out
) -> None:
    """Write the template of a round for these schools into the binary file `out`."""
    schools = list(schools)
    compiled = compile_methodology(methodology)
    indicators = [i for d in methodology.directions for i in methodology.indicators_of(d.code)]
    answers: dict[int, dict[str, str]] = {}
    for school_id, code, label in (
        Answer.objects.filter(submission__round=round_, submission__school__in=schools)
        .order_by()
        .values_list("submission__school_id", "indicator__code", "option__label")
    ):
        answers.setdefault(school_id, {})[code] = label

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    lists = workbook.create_sheet(OPTIONS_SHEET)
    lists.sheet_state = "hidden"
    help_sheet = workbook.create_sheet(HELP_SHEET)

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, title in enumerate(FIXED_COLUMNS, start=1):
        write_cell(sheet, 1, column, title).font = bold
        sheet.column_dimensions[get_column_letter(column)].width = (10, 30, 40)[column - 1]
    first_row, last_row = 3, max(3, len(schools) + 2)

    # One hidden column per distinct list of labels; indicators sharing a scale share it.
    list_columns: dict[tuple[str, ...], DataValidation] = {}
    for offset, indicator in enumerate(indicators):
        column = len(FIXED_COLUMNS) + 1 + offset
        letter = get_column_letter(column)
        write_cell(sheet, 1, column, indicator.code).font = bold
        wording = indicator.wording + (" (критический)" if indicator.critical else "")
        write_cell(sheet, 2, column, wording).alignment = wrap
        sheet.column_dimensions[letter].width = 22
        labels = tuple(option.label for option in indicator.options)
        validation = list_columns.get(labels)
        if validation is None:
            list_letter = get_column_letter(len(list_columns) + 1)
            for row, label in enumerate(labels, start=1):
                write_cell(lists, row, len(list_columns) + 1, label)
            validation = DataValidation(
                type="list",
                formula1=f"{quote_sheetname(OPTIONS_SHEET)}!${list_letter}$1:"
                f"${list_letter}${len(labels)}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Недопустимый ответ",
                error="Выберите ответ из списка.",
            )
            list_columns[labels] = validation
            sheet.add_data_validation(validation)
        validation.add(f"{letter}{first_row}:{letter}{last_row}")
    sheet.row_dimensions[2].height = 120
    write_cell(sheet, 2, 3, "Формулировка показателя →").alignment = wrap

    for row, school in enumerate(schools, start=first_row):
        write_cell(sheet, row, 1, school.pk)
        write_cell(sheet, row, 2, str(school.municipality or ""))
        write_cell(sheet, row, 3, school.short_name)
        applicable = {i.code for i in compiled.plan(school_profile(school)).indicators}
        given = answers.get(school.pk, {})
        for offset, indicator in enumerate(indicators):
            cell = sheet.cell(row=row, column=len(FIXED_COLUMNS) + 1 + offset)
            if indicator.code not in applicable:
                cell.fill = NOT_APPLICABLE_FILL
            elif indicator.code in given:
                set_cell(cell, given[indicator.code])
    sheet.freeze_panes = sheet.cell(row=first_row, column=len(FIXED_COLUMNS) + 1)

    help_sheet.column_dimensions["A"].width = 110
    for row, line in enumerate(
        [
            f"Раунд: {round_.name}. Методика: {methodology.name} (версия {methodology.version}).",
            "Одна строка — одна школа; столбец ID школы не меняйте.",
            "Ответ выбирается из выпадающего списка в ячейке; пустая ячейка — нет ответа "
            "(0 баллов).",
            "Серые ячейки — показатели, которые к школе не относятся: ответы в них не учитываются.",
            "Строка без единого ответа пропускается. Загруженные ответы отправляются как анкета "
            "школы и сразу подсчитываются.",
        ],
        start=1,
    ):
        write_cell(help_sheet, row, 1, line).alignment = wrap
    workbook.save(out)


# Upload ---------------------------------------------------------------------------------------


@dataclass
class ResultsRow:
    line: int
    school: Organization
    answers: dict[str, str]  # indicator code -> option code
    ignored: int = 0
    existing_status: str = ""

    @property
    def existing_status_label(self) -> str:
        return Submission.Status(self.existing_status).label if self.existing_status else ""


@dataclass
class ParsedResults:
    rows: list[ResultsRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _match_option(indicator, value: str) -> str | None:
    wanted = _normal(value)
    for option in indicator.options:
        if wanted in (_normal(option.label), _normal(option.code)):
            return option.code
    # Excel turns a typed «100%» into the number 1.
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return None
    for option in indicator.options:
        if option.label.strip().endswith("%") and _normal(option.label) == f"{number * 100:g}%":
            return option.code
    return None


def _cell(row: list[str], column: int) -> str:
    return row[column].strip() if column < len(row) else ""


def _read(data: bytes, filename: str) -> list[list[str]]:
    if not filename.lower().endswith(".xlsx"):
        raise ResultsFileError("Загрузите книгу Excel (.xlsx), скачанную как шаблон раунда.")
    try:
        return read_table(data, filename, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)
    except DirectoryError as error:
        raise ResultsFileError(str(error)) from None


def parse_results(
    data: bytes,
    filename: str,
    round_: Round,
    schools: Iterable[Organization],
    methodology: PlainMethodology,
) -> ParsedResults:
    """Check a filled template against the round; `schools` are those the user may load."""
    table = _read(data, filename)
    compiled = compile_methodology(methodology)
    by_code = {indicator.code: indicator for indicator in methodology.indicators}
    result = ParsedResults()

    header_index = None
    for index, row in enumerate(table[:10]):
        if any(_normal(cell) in ("id школы", "id") for cell in row):
            header_index = index
            break
    if header_index is None:
        raise ResultsFileError(
            f"Не найдена строка заголовка со столбцом {quote(ID_HEADER)}: загрузите шаблон раунда."
        )
    header = table[header_index]
    id_column = next(i for i, cell in enumerate(header) if _normal(cell) in ("id школы", "id"))
    columns: dict[int, str] = {}
    unknown = []
    for column, cell in enumerate(header):
        code = cell.strip()
        if code in by_code:
            columns[column] = code
        elif code and column > id_column and cell not in FIXED_COLUMNS:
            unknown.append(code)
    if not columns:
        raise ResultsFileError(
            "В строке заголовка нет ни одного кода показателя методики "
            f"{quote(methodology.name)}: проверьте, что это шаблон этого раунда."
        )
    if unknown:
        result.warnings.append(
            "Столбцы не относятся к методике и пропущены: " + ", ".join(unknown) + "."
        )
    missing = [code for code in by_code if code not in columns.values()]
    if missing:
        result.warnings.append(
            f"В файле нет столбцов показателей ({len(missing)}): {', '.join(missing[:20])}"
            f"{'…' if len(missing) > 20 else ''}; ответы на них останутся пустыми."
        )

    known = {school.pk: school for school in schools}
    statuses = dict(
        Submission.objects.filter(round=round_, school_id__in=known).values_list(
            "school_id", "status"
        )
    )
    seen: dict[int, int] = {}
    for index, row in enumerate(table[header_index + 1 :], start=header_index + 2):
        raw_id = _cell(row, id_column)
        values = {code: _cell(row, column) for column, code in columns.items()}
        if not raw_id:
            is_wording_row = index == header_index + 2 and any(
                value == by_code[code].wording or value.startswith(by_code[code].wording)
                for code, value in values.items()
                if value
            )
            if any(values.values()) and not is_wording_row:
                result.errors.append(f"Строка {index}: не указан ID школы.")
            continue
        errors = []
        school_id = parse_id(raw_id)
        school = known.get(school_id) if school_id is not None else None
        if school_id is None:
            result.errors.append(f"Строка {index}: ID школы {quote(raw_id)} — не число.")
            continue
        if school is None:
            result.errors.append(
                f"Строка {index}: школа с ID {raw_id} не входит в раунд {quote(round_.name)} "
                "или недоступна вам."
            )
            continue
        if school_id in seen:
            result.errors.append(
                f"Строка {index}: школа {quote(school.short_name)} уже была в строке "
                f"{seen[school_id]}."
            )
            continue
        seen[school_id] = index
        if statuses.get(school_id) == Submission.Status.ACCEPTED:
            result.errors.append(
                f"Строка {index}: самодиагностика школы {quote(school.short_name)} уже принята; "
                "чтобы изменить ответы, сначала верните её на доработку."
            )
            continue
        applicable = {i.code for i in compiled.plan(school_profile(school)).indicators}
        answers: dict[str, str] = {}
        ignored = []
        for code, value in values.items():
            if not value:
                continue
            indicator = by_code[code]
            option = _match_option(indicator, value)
            if option is None:
                labels = "; ".join(o.label for o in indicator.options)
                errors.append(f"{code}: ответа {quote(value)} нет в списке ({labels})")
                continue
            if code not in applicable:
                ignored.append(code)
                continue
            answers[code] = option
        if errors:
            result.errors.append(
                f"Строка {index} ({quote(school.short_name)}): " + "; ".join(errors) + "."
            )
            continue
        if ignored:
            result.warnings.append(
                f"Строка {index} ({quote(school.short_name)}): показатели {', '.join(ignored)} к "
                "школе не относятся (уровни образования, ОВЗ) — ответы не учтены."
            )
        if not answers:
            result.warnings.append(
                f"Строка {index} ({quote(school.short_name)}): нет ни одного ответа — школа "
                "пропущена."
            )
            continue
        result.rows.append(
            ResultsRow(
                line=index,
                school=school,
                answers=answers,
                ignored=len(ignored),
                existing_status=statuses.get(school_id, ""),
            )
        )
    if not result.rows and not result.errors:
        result.errors.append("В файле нет ни одной строки с ответами.")
    return result


@transaction.atomic
def save_results(parsed: ParsedResults, round_: Round, user) -> tuple[int, int]:
    """Save every row or none, as sent submissions, and score them; returns (created, updated)."""
    if not parsed.ok:
        raise ResultsFileError("Исправьте ошибки в файле: ничего не сохранено.")
    now = timezone.now()
    schools = {row.school.pk: row.school for row in parsed.rows}
    existing = {
        s.school_id: s for s in Submission.objects.filter(round=round_, school_id__in=schools)
    }
    new = [
        Submission(round=round_, school=school)
        for school_id, school in schools.items()
        if school_id not in existing
    ]
    Submission.objects.bulk_create(new)
    submissions = {**existing, **{s.school_id: s for s in new}}
    if any(s.pk is None for s in submissions.values()):
        submissions = {
            s.school_id: s for s in Submission.objects.filter(round=round_, school_id__in=schools)
        }
    for school_id, submission in submissions.items():
        submission.school = schools[school_id]
        submission.mark_submitted(by=user, at=now)
    Submission.objects.bulk_update(submissions.values(), Submission.SUBMITTED_FIELDS)
    options: dict[tuple[str, str], tuple[int, int]] = {
        (indicator_code, code): (indicator_id, pk)
        for pk, code, indicator_id, indicator_code in Option.objects.filter(
            indicator__methodology_id=round_.methodology_id
        ).values_list("pk", "code", "indicator_id", "indicator__code")
    }
    Answer.objects.filter(submission__in=submissions.values()).delete()
    Answer.objects.bulk_create(
        [
            Answer(
                submission=submissions[row.school.pk],
                indicator_id=options[(code, option)][0],
                option_id=options[(code, option)][1],
                answered_by=user,
            )
            for row in parsed.rows
            for code, option in row.answers.items()
        ],
        batch_size=1000,
    )
    store_results(submissions.values())
    return len(new), len(existing)


# Export ---------------------------------------------------------------------------------------


def export_rows(submissions, direction_codes: list[str]):
    """One row of values per scored submission: a single grouped query, streamed."""
    critical = (
        Deficit.objects.filter(submission=OuterRef("pk"), critical=True)
        .values("submission")
        .annotate(n=Count("pk"))
        .values("n")
    )
    per_direction = {}
    for index, code in enumerate(direction_codes):
        in_direction = Q(direction_results__direction_code=code)
        per_direction[f"d{index}_points"] = Max("direction_results__points", filter=in_direction)
        per_direction[f"d{index}_level"] = Max("direction_results__level", filter=in_direction)
    return (
        submissions.order_by("school__municipality__name", "school__short_name", "pk")
        .values(
            "pk",
            "status",
            "level",
            "total_points",
            "max_points",
            "share",
            "deficit_count",
            "unanswered_count",
            "submitted_at",
            school_name=F("school__short_name"),
            school_inn=F("school__inn"),
            municipality=F("school__municipality__name"),
        )
        .annotate(**per_direction, critical_deficits=Coalesce(Subquery(critical), 0))
        .iterator(chunk_size=500)
    )


# Widths (characters) of the results' columns; a direction has two columns after the first eight.
RESULT_WIDTHS = [30, 45, 14, 16, 14, 9, 10, 9]
DIRECTION_WIDTHS = [14, 14]
TAIL_WIDTHS = [11, 13, 10, 17]


def write_export(round_: Round, submissions, directions: list[tuple[str, str]], out) -> int:
    """Write the results of a round (write-only workbook) into `out`; returns the row count.

    Names wrap in wide columns and each row is as tall as its name needs; it prints landscape on
    one page wide with the header on every page."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Результаты")
    sheet.freeze_panes = "C3"
    bold = Font(bold=True)
    header_style = Alignment(wrap_text=True, vertical="center", horizontal="center")

    def header(values, alignment=None):
        cells = []
        for value in values:
            cell = set_cell(WriteOnlyCell(sheet), value)
            cell.font = bold
            if alignment is not None:
                cell.alignment = alignment
            cells.append(cell)
        return cells

    titles = [
        "Муниципальное образование",
        "Школа",
        "ИНН",
        "Статус",
        "Уровень",
        "Баллы",
        "Максимум",
        "Доля, %",
    ]
    for _, name in directions:
        titles += [f"{name}: баллы", f"{name}: уровень"]
    titles += ["Дефицитов", "Критических дефицитов", "Без ответа", "Отправлена"]
    widths = RESULT_WIDTHS + DIRECTION_WIDTHS * len(directions) + TAIL_WIDTHS
    for index, width in enumerate(widths, start=1):  # before any row: write-only sheets
        sheet.column_dimensions[get_column_letter(index)].width = width
    print_setup(sheet, 2)

    sheet.append(header([f"{round_.name} ({round_.region}): результаты самодиагностики"]))
    sheet.row_dimensions[2].height = row_height(zip(titles, widths, strict=True))
    sheet.append(header(titles, header_style))
    statuses = dict(Submission.Status.choices)
    count = 0
    for row in export_rows(submissions, [code for code, _ in directions]):
        names = []
        for value in (row["municipality"], row["school_name"]):
            cell = set_cell(WriteOnlyCell(sheet), value or "")
            cell.alignment = WRAP
            names.append(cell)
        values = [
            *names,
            row["school_inn"],
            statuses.get(row["status"], row["status"]),
            LEVELS.get(row["level"], ""),
            row["total_points"],
            row["max_points"],
            round(row["share"] * 100, 1) if row["share"] is not None else None,
        ]
        for index in range(len(directions)):
            values += [row[f"d{index}_points"], LEVELS.get(row[f"d{index}_level"] or "", "")]
        submitted = row["submitted_at"]
        values += [
            row["deficit_count"],
            row["critical_deficits"],
            row["unanswered_count"],
            timezone.localtime(submitted).strftime("%d.%m.%Y %H:%M") if submitted else "",
        ]
        tall = max(
            wrapped_lines(row["municipality"] or "", widths[0]),
            wrapped_lines(row["school_name"] or "", widths[1]),
        )
        if tall > 1:  # written when the row is: set it before
            sheet.row_dimensions[count + 3].height = row_height(
                [(row["municipality"] or "", widths[0]), (row["school_name"] or "", widths[1])]
            )
        sheet.append(row_cells(sheet, values))
        count += 1
    workbook.save(out)
    return count


def temporary_file():
    return tempfile.TemporaryFile(suffix=".xlsx")
