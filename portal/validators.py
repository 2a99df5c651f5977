"""Checks every text and number a user sends goes through, whatever the door (page form, API,
admin, import).

Text: control characters are refused. They come from copying out of other programs (Word's
vertical tab, a stray U+0001), never from typing, and a stored one breaks every export (XML
forbids them in XLSX and DOCX) and the PDF. A multi-line field keeps tab, newline and carriage
return; a one-line field refuses those too. Model fields carry the validators, so ModelForms,
DRF ModelSerializers and the admin pick them up; a form or serializer field declared by hand
lists them itself (tests/test_input_validation.py walks them all).

Numbers: an identifier or a page number from a query string is read only from ASCII digits and
only within the range of a 64-bit column. `str.isdigit()` accepts «²» and «٣», which `int()`
then refuses or reads as another number, and a 20-digit id overflows the database driver.

Dates: the windows an approval date, a plan's period and a round must fall in, as functions
that return the Russian reason (forms and serializers raise it, the importer lists it).
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

from portal import russian

# Noncharacters U+FFFE/U+FFFF and lone surrogates cannot be written to XML either.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff"
_MULTILINE_BAD = re.compile(f"[{_CONTROL}]")
_SINGLE_LINE_BAD = re.compile(f"[{_CONTROL}\t\n\r]")

MESSAGE = "Уберите непечатаемые символы из текста"

_NAMES = {"\t": "«табуляция»", "\n": "«перевод строки»", "\r": "«возврат каретки»"}


def _describe(char: str) -> str:
    return _NAMES.get(char) or f"U+{ord(char):04X}"


@deconstructible
class PrintableTextValidator:
    """Refuses control characters; `multiline` lets tab, newline and carriage return through."""

    code = "control_characters"

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        pattern = _MULTILINE_BAD if self.multiline else _SINGLE_LINE_BAD
        match = pattern.search(value)
        if match:
            raise ValidationError(
                "%(message)s: символ %(char)s в позиции %(position)s.",
                code=self.code,
                params={
                    "message": MESSAGE,
                    "char": _describe(match.group()),
                    "position": match.start() + 1,
                },
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, PrintableTextValidator) and self.multiline == other.multiline

    def __hash__(self) -> int:
        return hash((type(self), self.multiline))


validate_single_line = PrintableTextValidator()
validate_multiline = PrintableTextValidator(multiline=True)


def printable_problem(value: str, *, multiline: bool = True) -> str | None:
    """The validator's message for `value`, or None: for code that reports rather than raises
    (the importer's preview)."""
    try:
        PrintableTextValidator(multiline)(value)
    except ValidationError as error:
        return error.messages[0]
    return None


# Numbers ------------------------------------------------------------------------------------

INT64_MAX = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value, *, maximum: int = INT64_MAX) -> int | None:
    """A positive integer written in ASCII digits and within `maximum`, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _ASCII_DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 0 < number <= maximum else None


# Dates --------------------------------------------------------------------------------------
# A date typed with a wrong year (2099, 1900) is accepted by every date field and then lands in
# the approval stamp of the PDF or opens a round for decades. The windows below are generous
# for real work and narrow enough to catch such typos.

# The national project «Образование» with its federal projects started in 2018: no plan of
# theirs is approved or runs before it. Plans are written for a year or an academic year,
# at most a few years ahead.
EARLIEST_YEAR = 2018
LATEST_YEAR = 2040
MAX_PERIOD_YEARS = 3
MAX_ROUND_DAYS = 366


def _date(value) -> str:
    return f"{value:%d.%m.%Y}"


def approval_date_problem(value, today) -> str | None:
    """The date of the document approving a plan: already signed, and not before 2018."""
    if value > today:
        return f"Дата документа не может быть позже сегодняшнего дня ({_date(today)})."
    if value.year < EARLIEST_YEAR:
        return f"Дата документа раньше {EARLIEST_YEAR} года: проверьте год."
    return None


def period_problem(start, end) -> str | None:
    """A plan's period: inside 2018–2040, the end not before the start, three years at most."""
    if end < start:
        return "Конец периода не может быть раньше его начала."
    if start.year < EARLIEST_YEAR or end.year > LATEST_YEAR:
        return f"Период плана — в пределах {EARLIEST_YEAR}–{LATEST_YEAR} годов: проверьте год."
    if (end - start).days >= 366 * MAX_PERIOD_YEARS:
        return f"Период плана — не длиннее {russian.count(MAX_PERIOD_YEARS, 'года,лет,лет')}."
    return None


def round_dates_problem(opens, closes, today) -> tuple[str, str] | None:
    """A self-diagnosis round: opening within a year of today either way, closing after it
    opens, a year long at most. Returns (field, message)."""
    if opens < today - datetime.timedelta(days=366):
        return "opens_on", "Начало раунда — не раньше чем год назад: проверьте год."
    if opens.year > today.year + 1:
        return "opens_on", "Начало раунда — не позже следующего года: проверьте год."
    if closes < opens:
        return "closes_on", "Окончание раньше начала."
    if (closes - opens).days > MAX_ROUND_DAYS:
        return "closes_on", "Раунд длится не больше года: проверьте год окончания."
    return None
