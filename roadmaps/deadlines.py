"""Reading the «Сроки» column of a roadmap.

A deadline is kept exactly as written and also parsed, relative to the roadmap's period, into a kind
and the dates it means. No Django here: the importers, the editor and the calendar feed all call
`parse_deadline`, and it never raises, because one odd cell must not stop an import.

How a phrase is read:

1. notes in brackets are set aside; the rest is normalised (case, «ё», dashes, footnote marks);
2. a frequency («ежеквартально», «2 раза в год», «по четвергам») makes it recurring;
3. the rest is cut into tokens; a bare number takes its unit from the word on its right (day of a
   month, quarter, half-year, school term), and a year spreads leftwards to the yearless dates
   written before it («14.02, 15.02, 20.02.2024»);
4. tokens are grouped into entries: single dates or ranges («с … по …», «май - август»);
5. the kind follows from the markers («до», «в течение года») and from what the entries are.
"""

import calendar
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import TypeVar


class Kind(StrEnum):
    DATES = "dates"
    UNTIL = "until"
    CONTINUOUS = "continuous"
    RECURRING = "recurring"
    UNSCHEDULED = "unscheduled"


Span = tuple[date, date]
T = TypeVar("T")

# ---------------------------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------------------------

_PERIOD_HELP = "ожидается год (2024), учебный год (2023/2024) или даты (2023-09-01..2024-08-31)"
_PERIOD_YEAR_RE = re.compile(r"(\d{4})")
_PERIOD_ACADEMIC_RE = re.compile(r"(\d{4})\s*[/-]\s*(\d{4}|\d{2})")
_PERIOD_RANGE_RE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Period:
    """The span a roadmap covers: a calendar year, an academic year or any two dates."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(
                f"Начало периода {self.start:%d.%m.%Y} позже его конца {self.end:%d.%m.%Y}"
            )

    @classmethod
    def calendar_year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def academic_year(cls, first_year: int) -> "Period":
        return cls(date(first_year, 9, 1), date(first_year + 1, 8, 31))

    @classmethod
    def parse(cls, text: str) -> "Period":
        """Read «2024», «2023/2024» (or «2023-2024») or «2023-09-01..2024-08-31»."""
        value = str(text).strip()
        if match := _PERIOD_YEAR_RE.fullmatch(value):
            return cls._checked(value, lambda: cls.calendar_year(int(match[1])))
        if match := _PERIOD_ACADEMIC_RE.fullmatch(value):
            first = int(match[1])
            if _full_year(match[2], first) != first + 1:
                raise ValueError(f"Учебный год «{value}» должен охватывать два соседних года")
            return cls._checked(value, lambda: cls.academic_year(first))
        if match := _PERIOD_RANGE_RE.fullmatch(value):
            start = cls._checked(value, lambda: date.fromisoformat(match[1]))
            end = cls._checked(value, lambda: date.fromisoformat(match[2]))
            return cls(start, end)
        raise ValueError(f"Не удалось распознать период «{value}»: {_PERIOD_HELP}")

    @staticmethod
    def _checked(value: str, build: Callable[[], T]) -> T:
        # date() complains in English; the command line and the forms speak Russian.
        try:
            return build()
        except (ValueError, OverflowError):
            raise ValueError(f"Недопустимый период «{value}»: {_PERIOD_HELP}") from None

    @property
    def is_academic(self) -> bool:
        return self.start == date(self.start.year, 9, 1) and self.end == date(
            self.start.year + 1, 8, 31
        )

    @property
    def is_calendar_year(self) -> bool:
        return self.start == date(self.start.year, 1, 1) and self.end == date(
            self.start.year, 12, 31
        )

    def __str__(self) -> str:
        if self.is_academic:
            return f"{self.start.year}/{self.end.year}"
        if self.is_calendar_year:
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def covers(self, span: Span) -> bool:
        return self.start <= span[0] and span[1] <= self.end


# ---------------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A deadline as written, with the dates it means relative to the roadmap's period."""

    text: str
    kind: Kind
    start: date | None = None
    end: date | None = None
    occurrences: int | None = None
    note: str = ""
    warnings: tuple[str, ...] = ()
    spans: tuple[Span, ...] = ()
    frequency: str = ""

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "kind": self.kind.value,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "occurrences": self.occurrences,
            "note": self.note,
            "warnings": list(self.warnings),
        }


# ---------------------------------------------------------------------------------------------
# Date helpers
# ---------------------------------------------------------------------------------------------


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _overlap_days(a: Span, b: Span) -> int:
    return max(0, (min(a[1], b[1]) - max(a[0], b[0])).days + 1)


def _best_year(within: Period, first_month: int, last_month: int) -> int:
    """The year in which these months overlap the period most.

    This is what makes «январь» mean January 2024 in the academic year 2023/2024, and «4 квартал»
    mean October–December 2023 in it.
    """
    best_year, best_overlap = within.start.year, 0
    # Years strictly inside a long period all overlap fully, so the edges are enough to look at.
    first, last = within.start.year, within.end.year
    for year in sorted({first, min(first + 1, last), max(last - 1, first), last}):
        months = (date(year, first_month, 1), _last_day(year, last_month))
        overlap = _overlap_days(months, (within.start, within.end))
        if overlap > best_overlap:
            best_year, best_overlap = year, overlap
    return best_year


def _shift_years(day: date, years: int) -> date:
    year = day.year + years
    if not date.min.year <= year <= date.max.year:
        return day  # nowhere to move it; the range is then swapped instead
    # 29 February has no twin in most years; the 28th is the honest neighbour.
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def _full_year(digits: str, near: int) -> int:
    """«24» after 2023 is 2024; four digits are taken as they are."""
    if len(digits) == 4:
        return int(digits)
    year = near - near % 100 + int(digits)
    return year + 100 if year < near else year


def _calendar_year_or_none(year: int) -> Period | None:
    try:
        return Period.calendar_year(year)
    except (ValueError, OverflowError):
        return None


def _format_day(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def _format_span(span: Span) -> str:
    if span[0] == span[1]:
        return _format_day(span[0])
    return f"{_format_day(span[0])}–{_format_day(span[1])}"


class _InvalidDate(ValueError):
    """A date that does not exist (31.02.2024); its message is the Russian warning."""


# ---------------------------------------------------------------------------------------------
# Atoms: the things in a phrase that name days
# ---------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Atom:
    # The year (or academic year) written with this atom or after it, if any; without it the
    # roadmap's period decides.
    context: Period | None = None
    # The year was written right next to this atom, not carried over from a later one.
    explicit: bool = False

    takes_year = True  # a year written right after it belongs to it («май 2024»)

    def resolve(self, period: Period) -> Span:
        raise NotImplementedError


@dataclass(eq=False, kw_only=True)
class _Day(_Atom):
    day: int
    month: int

    def resolve(self, period: Period) -> Span:
        within = self.context or period
        if not 1 <= self.month <= 12:
            raise _InvalidDate(f"Такой даты нет: {self.day:02}.{self.month:02}")
        year = _best_year(within, self.month, self.month)
        try:
            day = date(year, self.month, self.day)
        except ValueError:
            raise _InvalidDate(f"Такой даты нет: {self.day:02}.{self.month:02}.{year:04}") from None
        return day, day


@dataclass(eq=False, kw_only=True)
class _Months(_Atom):
    """A month, a quarter or a school term: whole months within one year."""

    first: int
    last: int

    def resolve(self, period: Period) -> Span:
        year = _best_year(self.context or period, self.first, self.last)
        return date(year, self.first, 1), _last_day(year, self.last)


@dataclass(eq=False, kw_only=True)
class _Half(_Atom):
    number: int

    def resolve(self, period: Period) -> Span:
        within = self.context or period
        if within.is_academic:
            # Schools count half-years of the academic year: I is September–December, II is the
            # rest of the period, so the two halves tile the roadmap's year.
            if self.number == 1:
                return within.start, date(within.start.year, 12, 31)
            return date(within.end.year, 1, 1), within.end
        first = 1 if self.number == 1 else 7
        return _Months(context=within, first=first, last=first + 5).resolve(period)


@dataclass(eq=False, kw_only=True)
class _Year(_Atom):
    """A calendar year, an academic year or a run of years written as such."""

    span: Period
    takes_year = False

    def resolve(self, period: Period) -> Span:
        return self.span.start, self.span.end


@dataclass(eq=False, kw_only=True)
class _Edge(_Atom):
    """«конец года», «начало учебного года»: the last or first month of the roadmap's period."""

    at_end: bool
    takes_year = False

    def resolve(self, period: Period) -> Span:
        if self.at_end:
            return period.end.replace(day=1), period.end
        return period.start, _last_day(period.start.year, period.start.month)


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------

_MONTH_NAMES = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
_CASE_ENDINGS = ("", "ь", "й", "я", "е", "ю", "ем", "а", "у", "ом")


def _month_forms() -> dict[str, int]:
    """Every spelling of a month: any case («января», «январе») and any abbreviation of three
    letters or more («янв», «февр», «сент»). None of these is an ordinary Russian word."""
    forms: dict[str, int] = {}
    for number, name in enumerate(_MONTH_NAMES, start=1):
        stem = name[:-1] if name[-1] in "ьй" else name
        for ending in _CASE_ENDINGS:
            if len(stem + ending) >= 3:
                forms[stem + ending] = number
        for length in range(3, len(name) + 1):
            forms.setdefault(name[:length], number)
    return forms


_MONTH_FORMS = _month_forms()
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_ORDINAL_RE = re.compile(
    r"(перв|втор|трет|четверт)"
    r"(ый|ий|ой|ая|ое|ые|ого|ому|ом|ую|ых|ьего|ьему|ьем|ья|ье|ьи|ьей|ью)"
)
_ORDINAL_STEMS = {"перв": 1, "втор": 2, "трет": 3, "четверт": 4}
# School terms («четверти») are not calendar quarters: they follow the school year.
_TERMS = {1: (9, 10), 2: (11, 12), 3: (1, 3), 4: (4, 5)}

# Words that neither name a date nor break a list of dates.
_FILLERS = frozenset(
    {
        *("г", "гг", "год", "года", "году", "годы", "годах", "годов", "месяц", "месяце", "месяца"),
        *("в", "во", "на", "течение", "течении", "теч", "срок", "сроки", "срока", "вплоть"),
        *("уч", "учебного", "учебный", "учебном", "текущего", "текущий", "календарного"),
        *("конец", "конца", "конце", "концу", "начало", "начала", "начале", "началу"),
        *("середина", "середины", "середине", "окончание", "окончания", "включительно"),
        # endings left behind by «1й», «2го» written without a dash
        *("й", "го", "ого", "ом", "е", "ое", "я", "х"),
    }
)
_SEPARATORS = frozenset({"и", "или", "а", "также"})


@dataclass(frozen=True)
class _Tok:
    """A token that is not an atom: a number, a unit word, a marker or any other word."""

    kind: str  # num | unit | dash | sep | from | to | until | filler | other
    value: int | str = ""


_Token = _Atom | _Tok


def _number_atom(unit: str, number: int) -> _Atom | None:
    if unit == "quarter" and 1 <= number <= 4:
        return _Months(first=3 * number - 2, last=3 * number)
    if unit == "half" and number in (1, 2):
        return _Half(number=number)
    if unit == "term" and number in _TERMS:
        first, last = _TERMS[number]
        return _Months(first=first, last=last)
    return None


def _word_token(word: str) -> _Token:
    if word in _MONTH_FORMS:
        month = _MONTH_FORMS[word]
        return _Months(first=month, last=month)
    if word in _ROMAN:
        return _Tok("num", _ROMAN[word])
    if match := _ORDINAL_RE.fullmatch(word):
        return _Tok("num", _ORDINAL_STEMS[match[1]])
    if word == "кв" or word.startswith("квартал"):
        return _Tok("unit", "quarter")
    if word.startswith("полугод"):
        return _Tok("unit", "half")
    if word.startswith("четверт"):
        return _Tok("unit", "term")
    if word in ("с", "со"):
        return _Tok("from")
    if word in ("по", "до"):
        return _Tok("to")
    if word in ("к", "ко"):
        return _Tok("until")
    if word in _SEPARATORS:
        return _Tok("sep")
    if word in _FILLERS:
        return _Tok("filler")
    return _Tok("other", word)


# ---------------------------------------------------------------------------------------------
# Normalising and tokenising
# ---------------------------------------------------------------------------------------------

_NOTE_RE = re.compile(r"\(([^()]*)(?:\)|$)|\[([^\[\]]*)(?:\]|$)")
_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]{0,40}>")
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−﹣－", "-"))
# Latin letters typed into Russian words (a Latin «о» in «октябрь») are a Word-document classic.
_LOOKALIKES = str.maketrans("aceopxykmthb", "асеорхукмтнв")
_MIXED_WORD_RE = re.compile(r"(?<![а-яa-z])(?=[а-яa-z]*[а-я])(?=[а-яa-z]*[a-z])[а-яa-z]+")
_FOOTNOTE_RE = re.compile(r"[*¹²³⁴⁵⁶⁷⁸⁹⁰†‡]")
# «декабрь1»: a footnote number glued to a word; «до25.03» is a missing space, not a footnote.
_GLUED_FOOTNOTE_RE = re.compile(r"(?<=[а-я]{3})\d{1,2}(?![\d.,]?\d)")
# «1-й квартал», «2-го полугодия», «2-х раз»: the grammatical ending carries no meaning here.
_ORDINAL_SUFFIX_RE = re.compile(
    r"(?<=[\divx])\s*-\s*(?:ы?й|ого|го|ому|ом|м|ое|е|ая|я|ую|ой|х|ух|ех)(?![а-я])"
)
_LETTER_DIGIT_RE = re.compile(r"(?<=[а-я])(?=\d)|(?<=\d)(?=[а-я])")
_NOT_LATER_RE = re.compile(r"\bне\s+(?:позднее|позже)\b")

_YEAR_ADJECTIVES = r"(?:(?:текущего|календарного|учебного|отчетного)\s+)?"
_TOKEN_RE = re.compile(
    r"""
    (?P<iso>\d{4}-\d\d-\d\d)
    |(?P<date>(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d\d)(?!\d))
    |(?P<years>(?P<y1>(?:19|20)\d\d)\s*[-/]\s*(?P<y2>(?:19|20)\d\d|\d\d)(?![\d.])
        (?P<suffix>\s*(?:уч[а-я]*\.?\s*)?(?:г(?:г|од[а-я]*)?(?![а-я])\.?)?))
    |(?P<daymonth>(?P<dd>\d{1,2})\.(?P<mm>\d{1,2})(?!\d))
    |(?P<year>(?:19|20)\d\d(?!\d))
    |(?P<num>\d+)
    |(?P<end>(?:конец|конца|концу|конце|окончани[еяю])\s+"""
    + _YEAR_ADJECTIVES
    + r"""года?)
    |(?P<begin>(?:начало|начала|началу|начале)\s+"""
    + _YEAR_ADJECTIVES
    + r"""года?)
    |(?P<word>[а-яa-z]+)
    |(?P<dash>-)
    |(?P<sep>[,;/+&])
    """,
    re.VERBOSE,
)


def _split_notes(text: str) -> tuple[str, list[str]]:
    """Take the bracketed notes out: «2023-2024 уч.г. (по отдельному графику)»."""
    notes: list[str] = []
    rest = text
    while match := _NOTE_RE.search(rest):
        note = " ".join((match[1] if match[1] is not None else match[2] or "").split())
        if note:
            notes.append(note)
        rest = rest[: match.start()] + " " + rest[match.end() :]
    return rest, notes


def _normalise(text: str) -> str:
    text = _TAG_RE.sub(" ", text)  # cells pasted from HTML keep their <p> and <b>
    text = text.lower().replace("ё", "е").translate(_DASHES)
    text = text.replace("і", "i")  # a Ukrainian «і» standing for a Roman one
    text = _FOOTNOTE_RE.sub("", text)
    text = _MIXED_WORD_RE.sub(lambda match: match[0].translate(_LOOKALIKES), text)
    text = _GLUED_FOOTNOTE_RE.sub("", text)
    text = _ORDINAL_SUFFIX_RE.sub("", text)
    text = _LETTER_DIGIT_RE.sub(" ", text)
    text = _NOT_LATER_RE.sub(" до ", text)
    return " ".join(text.split())


def _years_token(match: re.Match[str]) -> _Token:
    first = int(match["y1"])
    last = _full_year(match["y2"], first)
    suffix = match["suffix"]
    try:
        # «2023-2024 гг.» names two calendar years; «2023-2024 уч.г.», «2023/2024» and a bare
        # «2023-2024» name one academic year, as roadmaps write it.
        if last == first + 1 and not re.search(r"гг|годы|годах|годов", suffix):
            return _Year(span=Period.academic_year(first), explicit=True)
        return _Year(span=Period(date(first, 1, 1), date(last, 12, 31)), explicit=True)
    except (ValueError, OverflowError):
        return _Tok("other", match[0])


def _date_token(day: int, month: int, year: int) -> _Token:
    context = _calendar_year_or_none(year)
    if context is None:
        return _Tok("other", f"{day}.{month}.{year}")
    return _Day(day=day, month=month, context=context, explicit=True)


def _tokenise(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN_RE.finditer(text):
        group = match.lastgroup
        if group == "iso":
            year, month, day = (int(part) for part in match[0].split("-"))
            tokens.append(_date_token(day, month, year))
        elif group == "date":
            year = _full_year(match["y"], 2000)
            tokens.append(_date_token(int(match["d"]), int(match["m"]), year))
        elif group == "years":
            tokens.append(_years_token(match))
        elif group == "daymonth":
            tokens.append(_Day(day=int(match["dd"]), month=int(match["mm"])))
        elif group == "year":
            span = _calendar_year_or_none(int(match[0]))
            tokens.append(_Year(span=span, explicit=True) if span else _Tok("other"))
        elif group == "num":
            tokens.append(_Tok("num", int(match[0])) if len(match[0]) < 6 else _Tok("other"))
        elif group in ("end", "begin"):
            tokens.append(_Edge(at_end=group == "end"))
        elif group == "word":
            tokens.append(_word_token(match[0]))
        else:
            tokens.append(_Tok(group or "other"))
    return tokens


# ---------------------------------------------------------------------------------------------
# Passes over the tokens
# ---------------------------------------------------------------------------------------------

_LIST_GLUE = frozenset({"dash", "sep", "from", "to"})


def _attach_units(tokens: list[_Token]) -> list[_Token]:
    """Give bare numbers the unit written after them.

    «с 1 по 15 сентября» → two days of September; «II-III кв.» → two quarters; «15–20.02.2024» →
    the 15th takes February 2024 from the date after it. The month name or unit word that lent
    itself to the numbers is then dropped: it is not a date of its own.
    """
    out: list[_Token] = []
    lender: _Token | None = None
    used: set[int] = set()
    for token in reversed(tokens):
        if isinstance(token, _Tok) and token.kind == "num" and lender is not None:
            atom = _lend(lender, int(token.value))
            if atom is not None:
                used.add(id(lender))
                out.append(atom)
                continue
        if _is_lender(token):
            lender = token
        elif not (isinstance(token, _Tok) and token.kind in _LIST_GLUE):
            lender = None
        out.append(token)
    out.reverse()
    return [token for token in out if not (id(token) in used and _is_name(token))]


def _is_lender(token: _Token) -> bool:
    return (
        (isinstance(token, _Tok) and token.kind == "unit")
        or isinstance(token, _Day)
        or (isinstance(token, _Months) and token.first == token.last)
    )


def _is_name(token: _Token) -> bool:
    """A unit word or a month name, as opposed to a written date like 20.02.2024."""
    return isinstance(token, (_Tok, _Months))


def _lend(lender: _Token, number: int) -> _Atom | None:
    if isinstance(lender, _Tok):
        return _number_atom(str(lender.value), number)
    if isinstance(lender, _Day):
        return _Day(day=number, month=lender.month, context=lender.context)
    if isinstance(lender, _Months):
        return _Day(day=number, month=lender.first)
    return None


def _spread_years(tokens: list[_Token]) -> list[_Token]:
    """Attach written years to the dates before them.

    «Сентябрь 2023 г., август 2024 г.»: each month takes its own year. «14.02, 15.02, 20.02.2024»:
    the last year serves the whole list. A year that follows nothing datable stays a year.
    """
    out: list[_Token] = []
    carried: Period | None = None
    suffix = False  # the year just seen was written right after the next atom
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        before = tokens[index - 1] if index else None
        if isinstance(token, _Year) and _takes_year(before):
            carried, suffix = token.span, True
            continue
        if isinstance(token, _Atom) and token.takes_year:
            if token.context is None and carried is not None:
                token.context, token.explicit = carried, suffix
            elif token.context is not None:
                carried = token.context
        elif not (isinstance(token, _Tok) and token.kind in _LIST_GLUE | {"filler"}):
            carried = None
        suffix = False
        out.append(token)
    out.reverse()
    return out


def _takes_year(token: _Token | None) -> bool:
    return isinstance(token, _Atom) and token.takes_year and token.context is None


@dataclass(frozen=True)
class _Entry:
    """One date, month, quarter… or a range of two of them."""

    first: _Atom
    last: _Atom | None = None
    open_ended: bool = False  # «с 1 сентября»: from that day to the end of the period

    @property
    def is_year_level(self) -> bool:
        return isinstance(self.first, _Year) and isinstance(self.last or self.first, _Year)


def _group(tokens: list[_Token]) -> tuple[list[_Entry], bool]:
    """Group atoms into entries and tell whether the phrase is a «до …» deadline."""
    entries: list[_Entry] = []
    until = joining = opening = after_atom = False
    for token in tokens:
        if isinstance(token, _Atom):
            last = entries[-1] if entries else None
            if joining and last is not None and last.last is None:
                entries[-1] = replace(last, last=token, open_ended=False)
            else:
                entries.append(_Entry(token, open_ended=opening))
            joining = opening = False
            after_atom = True
            continue
        if token.kind == "filler":
            continue
        if token.kind in ("dash", "to") and after_atom:
            joining = True
        elif token.kind in ("to", "until"):
            until = until or not entries
        elif token.kind == "from":
            opening = True
        else:
            joining = opening = False
        after_atom = False
    return entries, until


def _resolve(entry: _Entry, period: Period, warnings: list[str]) -> Span | None:
    try:
        first = entry.first.resolve(period)
        if entry.last is None:
            return (first[0], max(first[1], period.end)) if entry.open_ended else first
        last = entry.last.resolve(period)
    except _InvalidDate as error:
        warnings.append(str(error))
        return None
    if first[0] > last[1]:
        first, last = _straighten(entry, first, last, warnings)
    return first[0], last[1]


def _straighten(entry: _Entry, first: Span, last: Span, warnings: list[str]) -> tuple[Span, Span]:
    """A range that runs backwards: move the end whose year was guessed, or swap."""
    assert entry.last is not None
    if not entry.last.explicit:
        last = (_shift_years(last[0], 1), _shift_years(last[1], 1))
    elif not entry.first.explicit:
        first = (_shift_years(first[0], -1), _shift_years(first[1], -1))
    if first[0] > last[1]:
        warnings.append(
            f"Начало диапазона позже его конца: {_format_span(first)} и {_format_span(last)};"
            " даты переставлены"
        )
        first, last = last, first
    return first, last


# ---------------------------------------------------------------------------------------------
# Frequencies, continuity and phrases without dates
# ---------------------------------------------------------------------------------------------

_UNIT_ADVERBS = {
    "day": "daily",
    "week": "weekly",
    "month": "monthly",
    "quarter": "quarterly",
    "half-year": "half-yearly",
    "year": "yearly",
}
_EVERY_RE = (
    (re.compile(r"ежедневн|кажд\w*\s+(?:рабоч\w+\s+)?(?:день|дня)"), "day"),
    (re.compile(r"еженедельн|кажд\w*\s+недел"), "week"),
    (re.compile(r"ежемесячн|кажд\w*\s+месяц"), "month"),
    (re.compile(r"ежеквартальн|кажд\w*\s+квартал"), "quarter"),
    (re.compile(r"ежеполугодн|кажд\w*\s+полугоди|раз\s+в\s+полгода"), "half-year"),
    (re.compile(r"ежегодн|кажд\w*\s+(?:учебн\w+\s+|календарн\w+\s+)?год"), "year"),
)
_COUNT_WORDS = {
    "один": 1,
    "одного": 1,
    "одна": 1,
    "два": 2,
    "две": 2,
    "двух": 2,
    "дважды": 2,
    "три": 3,
    "трех": 3,
    "трижды": 3,
    "четыре": 4,
    "четырех": 4,
    "пять": 5,
    "шесть": 6,
}
_TIMES_RE = re.compile(
    r"(?:(?:(?<![а-я\d])(?P<count>\d+|[а-я]+)\s+)?(?<![а-я])раза?|(?P<adverb>дважды|трижды))\s+"
    r"в\s+(?:течение\s+)?(?:учебн\w+\s+|календарн\w+\s+)?"
    r"(?P<unit>полугод|полгода|год|квартал|месяц|недел|день|дня|сутки)"
)
_TIMES_UNITS = {
    "полугод": "half-year",
    "полгода": "half-year",
    "год": "year",
    "квартал": "quarter",
    "месяц": "month",
    "недел": "week",
    "день": "day",
    "дня": "day",
    "сутки": "day",
}
_WEEKDAY_RE = re.compile(
    r"(?:\bпо|кажд\w*)\s+(понедельник|вторник|сред|четверг|пятниц|суббот|воскресень?)"
)
_WEEKDAYS = {
    "понедельник": (0, "mon"),
    "вторник": (1, "tue"),
    "сред": (2, "wed"),
    "четверг": (3, "thu"),
    "пятниц": (4, "fri"),
    "суббот": (5, "sat"),
    "воскрес": (6, "sun"),
    "воскресен": (6, "sun"),
    "воскресень": (6, "sun"),
}


@dataclass(frozen=True)
class _Frequency:
    count: int
    unit: str  # day | week | month | quarter | half-year | year
    weekday: int | None = None
    weekday_code: str = ""

    @property
    def code(self) -> str:
        """The machine value kept on the deadline: «monthly», «2/year», «weekly:thu»."""
        if self.weekday is not None:
            return f"weekly:{self.weekday_code}"
        if self.count == 1:
            return _UNIT_ADVERBS[self.unit]
        return f"{self.count}/{self.unit}"

    def occurrences(self, window: Span) -> int:
        start, end = window
        days = (end - start).days + 1
        if self.weekday is not None:
            first = (self.weekday - start.weekday()) % 7
            return 0 if first >= days else (days - 1 - first) // 7 + 1
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        per_unit = {
            "day": days,
            "week": max(1, days // 7),
            "month": months,
            "quarter": math.ceil(months / 3),
            "half-year": math.ceil(months / 6),
            "year": math.ceil(months / 12),
        }
        return self.count * per_unit[self.unit]


def _find_frequency(text: str) -> _Frequency | None:
    if match := _WEEKDAY_RE.search(text):
        weekday, code = _WEEKDAYS[match[1]]
        return _Frequency(1, "week", weekday, code)
    if match := _TIMES_RE.search(text):
        count = _times_count(match)
        if count:
            return _Frequency(count, _TIMES_UNITS[match["unit"]])
    for pattern, unit in _EVERY_RE:
        if pattern.search(text):
            return _Frequency(1, unit)
    return None


def _times_count(match: re.Match[str]) -> int:
    word = match["count"] or match["adverb"]
    if word is None:
        return 1  # «раз в квартал»
    if word.isdigit():
        return min(int(word), 1000)  # a typo, not a schedule, beyond that
    return _COUNT_WORDS.get(word, 1)


# «в течение года», «постоянно»: the whole period, whatever else the phrase says.
_CONTINUOUS_RE = re.compile(
    r"(?:в|во)\s+теч(?:ение|ении|\.)\s*(?:всего\s+)?" + _YEAR_ADJECTIVES + r"(?:года|периода)\b"
    r"|в\s+течени[еи]\s+(?:всего\s+)?(?:срока|времени|проекта|реализации)"
    r"|на\s+протяжении\s+(?:всего\s+)?" + _YEAR_ADJECTIVES + r"(?:года|периода)"
    r"|постоянн|круглогодичн|регулярн|систематическ"
    r"|весь\s+(?:учебный\s+|календарный\s+)?(?:год|период)"
    r"|в\s+период\s+реализации"
    r"|^(?:текущий\s+)?учебный\s+год$"
)
# Phrases that legitimately carry no dates: no warning for them.
_UNSCHEDULED_RE = re.compile(
    r"по\s+(?:отдельному\s+|утвержденному\s+)?график|по\s+мере|по\s+запрос|по\s+согласовани"
    r"|по\s+необходимости|по\s+плану|по\s+итогам|по\s+результатам|по\s+факту|по\s+заявк"
    r"|по\s+требовани|по\s+приглашени|в\s+соответствии\s+со?\b|согласно|после|в\s+случае"
    r"|в\s+установленн\w+\s+срок|в\s+сроки|при\s+(?:наличии|необходимости|поступлении)"
    r"|\bдн(?:я|ей)\b|\bдень\b|недел|месяц|суток|квартала\b|полугодия\b"
)


# ---------------------------------------------------------------------------------------------
# The public entry point
# ---------------------------------------------------------------------------------------------


def parse_deadline(text: str, period: Period) -> Deadline:
    """Read one «Сроки» cell relative to the roadmap's period. Never raises."""
    written = text.strip() if isinstance(text, str) else ""
    try:
        return _parse(written, period)
    except Exception:
        # A deadline must never stop an import or a page: whatever went wrong, the text is kept
        # and flagged for a person to read.
        return Deadline(text=written, kind=Kind.UNSCHEDULED, warnings=(_unreadable(written),))


def _unreadable(text: str) -> str:
    return f"Не удалось распознать срок: «{text}»" if text else "Срок не указан"


@dataclass
class _Reading:
    """What the tokens of a phrase say, before the kind is decided."""

    spans: list[Span]
    year_spans: list[Span]  # the spans written as whole years («2023-2024 уч.г.», «2024 год»)
    until: bool
    warnings: list[str]

    @classmethod
    def of(cls, clean: str, period: Period) -> "_Reading":
        entries, until = _group(_spread_years(_attach_units(_tokenise(clean))))
        warnings: list[str] = []
        resolved = [
            (entry, span) for entry in entries if (span := _resolve(entry, period, warnings))
        ]
        spans = [span for _, span in resolved]
        year_spans = [span for entry, span in resolved if entry.is_year_level]
        return cls(spans, year_spans, until, warnings)

    @property
    def only_years(self) -> bool:
        return bool(self.spans) and len(self.year_spans) == len(self.spans) and not self.until


def _parse(written: str, period: Period) -> Deadline:
    main, notes = _split_notes(written)
    clean = _normalise(main)
    reading = _Reading.of(clean, period)
    base = Deadline(text=written, kind=Kind.UNSCHEDULED, note="; ".join(notes))
    warnings = reading.warnings

    if frequency := _find_frequency(clean):
        result = _recurring(base, frequency, reading, period)
    elif _CONTINUOUS_RE.search(clean) or reading.only_years:
        result = _continuous(base, _window(reading.year_spans, period, until=False))
    elif reading.spans and reading.until:
        result = _until(base, reading.spans)
    elif reading.spans:
        result = _dates(base, reading.spans)
    elif _UNSCHEDULED_RE.search(clean or _normalise(" ".join(notes))):
        result = base
    else:
        warnings.append(_unreadable(written))
        result = base

    warnings.extend(_outside_warnings(result, period))
    return replace(result, warnings=tuple(dict.fromkeys(warnings)))


def _recurring(
    base: Deadline, frequency: _Frequency, reading: _Reading, period: Period
) -> Deadline:
    window = _window(reading.spans, period, reading.until)
    # The months written with a frequency («ежегодно в марте») are when it happens.
    spans = tuple(sorted(reading.spans)) if reading.spans and not reading.until else (window,)
    return replace(
        base,
        kind=Kind.RECURRING,
        start=window[0],
        end=window[1],
        occurrences=frequency.occurrences(window),
        spans=spans,
        frequency=frequency.code,
    )


def _continuous(base: Deadline, window: Span) -> Deadline:
    return replace(base, kind=Kind.CONTINUOUS, start=window[0], end=window[1], spans=(window,))


def _until(base: Deadline, spans: list[Span]) -> Deadline:
    ends = sorted({span[1] for span in spans})
    return replace(
        base,
        kind=Kind.UNTIL,
        end=ends[-1],
        occurrences=len(ends),
        spans=tuple((end, end) for end in ends),
    )


def _dates(base: Deadline, spans: list[Span]) -> Deadline:
    ordered = tuple(sorted(spans))
    return replace(
        base,
        kind=Kind.DATES,
        start=ordered[0][0],
        end=max(span[1] for span in ordered),
        occurrences=len(ordered),
        spans=ordered,
    )


def _window(spans: list[Span], period: Period, until: bool) -> Span:
    """The stretch a continuous or recurring deadline covers: what was written, or the period."""
    if not spans:
        return period.start, period.end
    end = max(span[1] for span in spans)
    # «ежемесячно до 1 марта»: from the start of the period, unless the end comes before it
    start = min(period.start, end) if until else min(span[0] for span in spans)
    return start, end


def _outside_warnings(deadline: Deadline, period: Period) -> Iterable[str]:
    for span in deadline.spans:
        if not period.covers(span):
            yield f"Срок {_format_span(span)} выходит за пределы периода {period}"


# ---------------------------------------------------------------------------------------------
# Occurrences: the separate due dates a deadline means
# ---------------------------------------------------------------------------------------------
#
# «Ежеквартально, до 25 числа» is not one task for the whole year but four, each reported on its
# own: «за I квартал 2025», due 25.03.2025. «Октябрь–ноябрь 2024 г., март 2025 г.» is two, not one
# six-month block; «14.02, 15.02, 20.02.2024» is three days, not a range.
#
# The rules:
# - a frequency is counted in calendar units (months, quarters, half-years, years), as reports
#   are filed; in an academic year half-years and years are the school's (I = September–December)
#   and «2 раза в год» splits the school year. Work done more often than monthly («еженедельно»,
#   «по четвергам», «2 раза в месяц») is reported by month: nobody files a report a day.
# - a unit's due date is the day written («до 25 числа») in its last month, else its last day.
#   A unit belongs to the deadline when that due date falls within the deadline's window (which
#   lies within the plan's period); its start is the window's start at the earliest. When a written
#   end («ежемесячно до 1 марта») falls inside a unit, that unit is due on it.
# - months written with a frequency («ежегодно в сентябре») are the occurrences themselves;
# - a deadline with dates has an occurrence per date or range, one «до …» per end date;
# - a deadline that means fewer than two due dates (a single date, «в течение года», no dates)
#   has no occurrences: the item itself is its one occurrence, with the item's own status.

MAX_OCCURRENCES = 120  # ten years of months: a longer list is a typo in the period, not a plan


@dataclass(frozen=True)
class Occurrence:
    """One due date of a deadline, reported on separately: «I квартал 2025», due 25.03.2025."""

    label: str
    start: date
    due: date


_ROMAN_NUMERALS = ("I", "II", "III", "IV")
_STATED_DAY_RE = re.compile(r"(?<![\d.])(\d{1,2})\s+числ")
_UNIT_MONTHS = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_of(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1


def _months_label(first: int, last: int, period: Period) -> str:
    """«сентябрь 2024», «I квартал 2025», «I полугодие 2024/2025», «2025 год», or a range."""
    (year1, month1), (year2, month2) = _month_of(first), _month_of(last)
    if first == last:
        return f"{_MONTH_NAMES[month1 - 1]} {year1}"
    if year1 == year2 and month2 - month1 == 2 and month1 % 3 == 1:
        return f"{_ROMAN_NUMERALS[month1 // 3]} квартал {year1}"
    if period.is_academic:
        if (month1, month2, year2) == (9, 12, year1):
            return f"I полугодие {year1}/{year1 + 1}"
        if (month1, month2) == (1, 8) and year1 == year2:
            return f"II полугодие {year1 - 1}/{year1}"
        if (month1, month2, year2) == (9, 8, year1 + 1):
            return f"{year1}/{year2} учебный год"
    elif year1 == year2 and (month1, month2) in ((1, 6), (7, 12)):
        return f"{'I' if month1 == 1 else 'II'} полугодие {year1}"
    if year1 == year2 and (month1, month2) == (1, 12):
        return f"{year1} год"
    if year1 == year2:
        return f"{_MONTH_NAMES[month1 - 1]} – {_MONTH_NAMES[month2 - 1]} {year1}"
    return f"{_MONTH_NAMES[month1 - 1]} {year1} – {_MONTH_NAMES[month2 - 1]} {year2}"


def _span_label(span: Span, period: Period) -> str:
    start, end = span
    whole_months = start.day == 1 and end == _last_day(end.year, end.month)
    if whole_months:
        return _months_label(_month_index(start), _month_index(end), period)
    if start == end:
        return _format_day(start)
    return f"{_format_day(start)} – {_format_day(end)}"


def _unit_key(index: int, unit: str, academic: bool) -> tuple[int, int]:
    """Which unit («quarter», …) a month belongs to; equal keys make one unit."""
    year, month = _month_of(index)
    school_year = year if month >= 9 else year - 1
    if unit == "quarter":
        return year, (month - 1) // 3
    if unit == "half-year":
        return (school_year, int(month < 9)) if academic else (year, (month - 1) // 6)
    if unit == "year":
        return (school_year, 0) if academic else (year, 0)
    return year, month


def _units(unit: str, window: Span, academic: bool) -> list[tuple[int, int]]:
    """The units that overlap the window, as (first month, last month) indices."""
    first, last = _month_index(window[0]), _month_index(window[1])
    units: list[tuple[int, int]] = []
    # Widen by a year on each side: a unit overlapping the window may start or end beyond it.
    for index in range(first - 12, last + 13):
        if units and _unit_key(index, unit, academic) == _unit_key(units[-1][0], unit, academic):
            units[-1] = (units[-1][0], index)
        else:
            units.append((index, index))
    return [(start, end) for start, end in units if end >= first and start <= last]


def _split(unit: tuple[int, int], count: int) -> list[tuple[int, int]]:
    """«2 раза в год»: the unit's months in `count` runs as even as whole months allow."""
    months = unit[1] - unit[0] + 1
    if count >= months:
        return [(index, index) for index in range(unit[0], unit[1] + 1)]
    edges = [unit[0] + round(part * months / count) for part in range(count + 1)]
    return [(edges[part], edges[part + 1] - 1) for part in range(count)]


def _frequency_of(code: str) -> _Frequency | None:
    if code.startswith("weekly:"):
        return _Frequency(1, "week", 0, code.partition(":")[2])
    for unit, adverb in _UNIT_ADVERBS.items():
        if code == adverb:
            return _Frequency(1, unit)
    count, _, unit = code.partition("/")
    if count.isdigit() and unit in _UNIT_ADVERBS:
        return _Frequency(int(count), unit)
    return None


def _stated_day(text: str) -> int | None:
    match = _STATED_DAY_RE.search(_normalise(_split_notes(text)[0]))
    return int(match[1]) if match and 1 <= int(match[1]) <= 31 else None


def _due_in(last_month: int, day: int | None) -> date:
    year, month = _month_of(last_month)
    end = _last_day(year, month)
    return end if day is None else end.replace(day=min(day, end.day))


def _recurring_occurrences(deadline: Deadline, period: Period) -> list[Occurrence]:
    window = (deadline.start, deadline.end)
    if window[0] is None or window[1] is None:
        return []
    if deadline.spans and deadline.spans != (window,):
        # «ежегодно в сентябре»: the months written are when it happens.
        return [Occurrence(_span_label(span, period), *span) for span in deadline.spans]
    frequency = _frequency_of(deadline.frequency)
    if frequency is None:
        return []
    unit, count = frequency.unit, frequency.count
    if unit not in _UNIT_MONTHS or frequency.weekday is not None:
        unit, count = "month", 1
    day = _stated_day(deadline.text)
    written_end = window[1] < period.end
    found: list[Occurrence] = []
    for whole in _units(unit, window, period.is_academic):
        for first, last in _split(whole, count) if count > 1 else [whole]:
            year, month = _month_of(first)
            start = max(date(year, month, 1), window[0])
            due = _due_in(last, day)
            if due > window[1] and written_end and start <= window[1]:
                due = window[1]
            if window[0] <= due <= window[1] and start <= due:
                found.append(Occurrence(_months_label(first, last, period), start, due))
            if len(found) > MAX_OCCURRENCES:
                return found
    return found


def occurrences_of(deadline: Deadline, period: Period) -> tuple[Occurrence, ...]:
    """The deadline's separate due dates in order, or () when it means fewer than two.

    `period` is the plan's, as given to `parse_deadline`. Never raises: an odd deadline is
    left with no occurrences, that is, as one task.
    """
    try:
        if deadline.kind == Kind.RECURRING:
            found = _recurring_occurrences(deadline, period)
        elif deadline.kind == Kind.DATES:
            found = [Occurrence(_span_label(span, period), *span) for span in deadline.spans]
        elif deadline.kind == Kind.UNTIL:
            found = [Occurrence(f"до {_format_day(end)}", end, end) for _, end in deadline.spans]
        else:
            found = []
    except (ValueError, OverflowError):
        return ()
    unique: dict[str, Occurrence] = {}
    for occurrence in sorted(found, key=lambda found: (found.due, found.start)):
        unique.setdefault(occurrence.label, occurrence)
    ordered = tuple(unique.values())[:MAX_OCCURRENCES]
    return ordered if len(ordered) >= 2 else ()
