"""Import of a region's directory: municipalities and schools from an XLSX or CSV list.

The file is the region's list of project participants, one school a row. Columns are found by
their header, in any order. Every row is checked before anything is saved; one bad row stops
the whole import, and the messages name the row and the column.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from orgs.models import EDUCATION_LEVELS, Municipality, Organization, Region
from orgs.scope import get_scope
from orgs.validators import inn_is_valid
from portal.spreadsheets import BROKEN, SpreadsheetError, read_xlsx
from portal.validators import printable_problem

MAX_BYTES = 10 * 1024 * 1024
# A region has a few thousand schools; the limits bound what a spreadsheet may cost to read.
MAX_ROWS = 20_000
MAX_COLUMNS = 100
TOO_BIG = "Файл больше 10 МБ; разделите список на части."
IMPORT_FORBIDDEN = "Загрузка справочника доступна региональному оператору."


class DirectoryError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


def import_regions(user):
    """Regions where the user may load the directory: regional operators only (and superusers).
    The import page and the API ask here; no region at all means the user may not import."""
    scope = get_scope(user)
    if scope.is_superuser:
        return Region.objects.all()
    return Region.objects.filter(pk__in=scope.write_regions)


def read_upload(uploaded) -> bytes:
    """The bytes of an uploaded file, refused by its size before it is read into memory."""
    if uploaded.size is not None and uploaded.size > MAX_BYTES:
        raise DirectoryError(TOO_BIG)
    return uploaded.read()


# Header words that identify each column; the first matching rule wins.
COLUMNS = [
    ("municipality_kind", ("вид мо", "вид муниципального")),
    ("municipality", ("муниципальн", "район", "мо ", "городской округ")),
    ("kind", ("вид организации", "тип организации")),
    ("short_name", ("кратк", "сокращ")),
    ("name", ("полное наименование", "наименование", "организация")),
    ("inn", ("инн",)),
    ("address", ("адрес",)),
    ("levels", ("уровн", "ступен")),
    ("ovz", ("овз",)),
    ("since", ("в проекте с", "год вступления", "год включения", "год")),
]
REQUIRED = ("municipality", "name")
COLUMN_LABELS = {
    "municipality": "Муниципальное образование",
    "name": "Полное наименование",
}
# Texts stored as written: a control character in them is a row error.
TEXT_COLUMNS = {
    **COLUMN_LABELS,
    "short_name": "краткое наименование",
    "address": "адрес",
}

MUNICIPALITY_KINDS = {label.lower(): value for value, label in Municipality.Kind.choices}
ORGANIZATION_KINDS = {label.lower(): value for value, label in Organization.Kind.choices}
YES = {"да", "есть", "1", "+", "yes", "true", "имеются"}
NO = {"нет", "0", "-", "no", "false", "", "отсутствуют"}


@dataclass
class DirectoryRow:
    line: int
    municipality: str
    municipality_kind: str
    kind: str
    short_name: str
    name: str
    inn: str
    address: str
    levels: tuple[str, ...]
    has_ovz: bool
    since: int | None
    exists: bool = False


@dataclass
class ParsedDirectory:
    rows: list[DirectoryRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    new_municipalities: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def _read_xlsx(data: bytes, max_rows: int, max_columns: int) -> list[list[str]]:
    try:
        sheets = read_xlsx(data, max_rows=max_rows, max_columns=max_columns, max_sheets=1)
    except SpreadsheetError as error:
        raise DirectoryError(str(error)) from None
    if not sheets:
        raise DirectoryError(BROKEN)
    return [[_clean(cell) for cell in row] for row in sheets[0].table()]


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DirectoryError(
            "Не удалось определить кодировку файла CSV (ожидается UTF-8 или cp1251)."
        )
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";"
    return [[_clean(cell) for cell in row] for row in csv.reader(io.StringIO(text), dialect)]


def read_table(
    data: bytes, filename: str, *, max_rows: int = MAX_ROWS, max_columns: int = MAX_COLUMNS
) -> list[list[str]]:
    """The first sheet of a workbook or a CSV file as rows of text; a workbook with values
    beyond ``max_rows`` or ``max_columns`` is refused."""
    if len(data) > MAX_BYTES:
        raise DirectoryError(TOO_BIG)
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(data, max_rows, max_columns)
    if suffix in (".csv", ".txt"):
        return _read_csv(data)
    raise DirectoryError("Поддерживаются файлы .xlsx и .csv.")


def _find_header(table: list[list[str]]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(table[:20]):
        mapping: dict[str, int] = {}
        for column, cell in enumerate(row):
            text = cell.lower() + " "
            for key, words in COLUMNS:
                if key not in mapping and any(word in text for word in words):
                    mapping[key] = column
                    break
        if all(key in mapping for key in REQUIRED):
            return index, mapping
    raise DirectoryError(
        "Не найдена строка заголовка: нужны столбцы «Муниципальное образование» и "
        "«Полное наименование»."
    )


def _parse_levels(text: str) -> tuple[str, ...] | None:
    if not text:
        return EDUCATION_LEVELS
    found = set(re.findall(r"[НОС]ОО", text.upper()))
    words = re.split(r"[\s,;/]+", text.upper().strip())
    if not found or any(word and word not in {"НОО", "ООО", "СОО"} for word in words):
        return None
    return tuple(level for level in EDUCATION_LEVELS if level in found)


def parse_directory(data: bytes, filename: str, region: Region) -> ParsedDirectory:
    table = read_table(data, filename)
    header_index, columns = _find_header(table)
    result = ParsedDirectory()
    known_municipalities = {m.name.lower(): m for m in region.municipalities.all()}
    existing_inns = set(
        Organization.objects.filter(region=region).exclude(inn="").values_list("inn", flat=True)
    )
    existing_names = set(
        Organization.objects.filter(region=region, kind="school").values_list(
            "municipality__name", "name"
        )
    )
    seen_inns: dict[str, int] = {}
    new_municipalities: dict[str, None] = {}

    def cell(row: list[str], key: str) -> str:
        column = columns.get(key)
        return row[column] if column is not None and column < len(row) else ""

    for offset, row in enumerate(table[header_index + 1 :], start=header_index + 2):
        if not any(row):
            continue
        errors = []
        municipality = cell(row, "municipality")
        name = cell(row, "name")
        if not municipality:
            errors.append("не указано муниципальное образование")
        if not name:
            errors.append("не указано полное наименование")
        if len(municipality) > Municipality._meta.get_field("name").max_length:
            errors.append("наименование муниципального образования длиннее 255 знаков")
        for key, label in TEXT_COLUMNS.items():
            problem = printable_problem(cell(row, key), multiline=False)
            if problem:
                errors.append(f"{label}: {problem[0].lower()}{problem[1:-1]}")
        municipality_kind = Municipality.Kind.MUNICIPAL_DISTRICT
        kind_text = cell(row, "municipality_kind").lower()
        if kind_text:
            if kind_text not in MUNICIPALITY_KINDS:
                errors.append(f"неизвестный вид МО «{cell(row, 'municipality_kind')}»")
            else:
                municipality_kind = MUNICIPALITY_KINDS[kind_text]
        kind = Organization.Kind.SCHOOL
        org_kind_text = cell(row, "kind").lower()
        if org_kind_text:
            kind = ORGANIZATION_KINDS.get(org_kind_text, "")
            if not kind:
                errors.append(f"неизвестный вид организации «{cell(row, 'kind')}»")
        inn = re.sub(r"\s", "", cell(row, "inn"))
        if inn and not inn_is_valid(inn):
            errors.append(f"ИНН «{inn}» неверен (10 или 12 цифр с контрольной суммой)")
        elif inn in seen_inns:
            errors.append(f"ИНН {inn} уже встречался в строке {seen_inns[inn]}")
        elif inn:
            seen_inns[inn] = offset
        levels = _parse_levels(cell(row, "levels"))
        if levels is None:
            errors.append(f"уровни «{cell(row, 'levels')}» не распознаны (ожидается НОО, ООО, СОО)")
        ovz_text = cell(row, "ovz").lower()
        if ovz_text not in YES | NO:
            errors.append(f"в столбце ОВЗ ожидается «да» или «нет», а не «{cell(row, 'ovz')}»")
        since = None
        since_text = cell(row, "since")
        if since_text:
            if not re.fullmatch(r"20\d\d", since_text):
                errors.append(f"год вступления в проект «{since_text}» не похож на год")
            else:
                since = int(since_text)
        if errors:
            result.errors.append(f"Строка {offset}: " + "; ".join(errors) + ".")
            continue
        if municipality.lower() not in known_municipalities:
            new_municipalities.setdefault(municipality)
        short_name = cell(row, "short_name") or name[:150]
        result.rows.append(
            DirectoryRow(
                line=offset,
                municipality=municipality,
                municipality_kind=municipality_kind,
                kind=kind,
                short_name=short_name[:150],
                name=name[:500],
                inn=inn,
                address=cell(row, "address")[:500],
                levels=levels or (),
                has_ovz=ovz_text in YES,
                since=since,
                exists=(inn in existing_inns) or ((municipality, name) in existing_names),
            )
        )
    if not result.rows and not result.errors:
        result.errors.append("В файле нет ни одной строки с организациями.")
    result.new_municipalities = list(new_municipalities)
    return result


@transaction.atomic
def save_directory(parsed: ParsedDirectory, region: Region) -> tuple[int, int]:
    """Save every row or none; returns (created, updated)."""
    if not parsed.ok:
        raise DirectoryError("Исправьте ошибки в файле: ничего не сохранено.")
    municipalities = {m.name.lower(): m for m in region.municipalities.all()}
    created = updated = 0
    for row in parsed.rows:
        municipality = municipalities.get(row.municipality.lower())
        if municipality is None:
            municipality = Municipality.objects.create(
                region=region, name=row.municipality, kind=row.municipality_kind
            )
            municipalities[row.municipality.lower()] = municipality
        values = {
            "kind": row.kind,
            "short_name": row.short_name,
            "name": row.name,
            "municipality": municipality,
            "address": row.address,
            "teaches_noo": "НОО" in row.levels,
            "teaches_ooo": "ООО" in row.levels,
            "teaches_soo": "СОО" in row.levels,
            "has_ovz_pupils": row.has_ovz,
            "in_project_since": row.since,
        }
        if row.inn:
            _, was_created = Organization.objects.update_or_create(
                region=region, inn=row.inn, defaults=values
            )
        else:
            _, was_created = Organization.objects.update_or_create(
                region=region, municipality=municipality, name=row.name, defaults=values
            )
        created += was_created
        updated += not was_created
    return created, updated
