"""Title, period and approval from the lines above the table.

The preamble is whatever the author put there: a bare heading (Tyumen), an «УТВЕРЖДАЮ» block
(Leningrad), or a whole instructive letter with a letterhead, a number and a signature
(Kirovsky). Each finder looks for its own marks and leaves the rest alone.
"""

from __future__ import annotations

import re
from datetime import date

from roadmaps.deadlines import Period

from .cleanup import squeeze, starts_lowercase
from .structure import Approval

_TITLE_START = re.compile(
    r"^(?:комплексный\s+|районный\s+|муниципальный\s+|региональный\s+)?"
    r"(?:план(?:\s|-|$)|«?дорожная\s+карта)",
    re.IGNORECASE,
)

_MONTHS = {
    "январ": 1,
    "феврал": 2,
    "март": 3,
    "апрел": 4,
    "ма": 5,
    "июн": 6,
    "июл": 7,
    "август": 8,
    "сентябр": 9,
    "октябр": 10,
    "ноябр": 11,
    "декабр": 12,
}
_NUMERIC_DATE = r"\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})"
_WORDY_DATE = r"«?\d{1,2}»?\s+[а-яё]+\s+\d{4}"
_DATE = rf"(?:{_NUMERIC_DATE}|{_WORDY_DATE})(?:\s*(?:г\.?|года))?"
_NUMBER = r"№\s*([^\s,;]+)"

_KIND_FORMS = [
    (re.compile(r"^распоряжени"), "распоряжение"),
    (re.compile(r"^приказ"), "приказ"),
    (re.compile(r"^постановлени"), "постановление"),
    (re.compile(r"^решени"), "решение"),
    (re.compile(r"^протокол"), "протокол"),
    (re.compile(r"^письм"), "письмо"),
]
_DOCUMENT_WORD = r"распоряжени\w*|приказ\w*|постановлени\w*|решени\w*|протокол\w*|письм\w*"
# «инструктивно-методическим письмом», «совместным приказом»: an adjective before the word.
_ADJECTIVE_ENDING = r"(?:ым|им|ому|ему|ое|ее|ый|ий|ого|его)"
_DOCUMENT_PHRASE = rf"(?:[а-яё]+-)?(?:[а-яё]+{_ADJECTIVE_ENDING}\s+)?(?:{_DOCUMENT_WORD})"
_NEUTER_KINDS = {"распоряжение", "постановление", "решение", "письмо"}
_LETTER_KIND = re.compile(
    r"(?:(?:инструктивно|информационно|организационно)\s*-\s*методическое\s+|"
    r"информационное\s+|методическое\s+)?письмо|приказ|распоряжение|постановление",
    re.IGNORECASE,
)

_SURNAME = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_INITIALS = r"[А-ЯЁ]\.\s?[А-ЯЁ]\."
_PERSON = rf"(?:{_INITIALS}\s?{_SURNAME}|{_SURNAME}\s+{_INITIALS})"
_POSITION_START = re.compile(
    r"^(?:и\.\s?о\.|врио|исполняющий|первый|заместитель|начальник|директор|министр|председатель"
    r"|руководитель|глава|ректор|заведующий|президент|губернатор)",
    re.IGNORECASE,
)

# The body that signs, in the case a position or «распоряжением …» puts it, and its nominative.
_BODY_HEADS = {
    "комитет": "комитет",
    "министерств": "министерство",
    "департамент": "департамент",
    "управлени": "управление",
    "отдел": "отдел",
    "администраци": "администрация",
    "правительств": "правительство",
    "институт": "институт",
    "центр": "центр",
    "учреждени": "учреждение",
    "агентств": "агентство",
    "дирекци": "дирекция",
}
# Who signs an order, when the order names a person rather than a body: «приказом директора …».
_OFFICIAL_HEADS = {
    "директор": "директор",
    "министр": "министр",
    "начальник": "начальник",
    "председател": "председатель",
    "ректор": "ректор",
    "руководител": "руководитель",
    "заведующ": "заведующий",
    "главы": "глава",
}


# --- title ---------------------------------------------------------------------------------------


def find_title(lines: list[str]) -> tuple[str, int | None]:
    """The «План мероприятий («дорожная карта») …» heading, its lines joined into one, and the
    line it starts on."""
    starts = [i for i, line in enumerate(lines) if _TITLE_START.match(line.strip())]
    if not starts:
        return "", None
    first = starts[-1]
    parts = [lines[first].strip()]
    upper = _is_upper(parts[0])
    index = first + 1
    while index < len(lines) and len(parts) < 8:
        line = lines[index].strip()
        if not line:
            following = next((ln.strip() for ln in lines[index + 1 :] if ln.strip()), "")
            if starts_lowercase(following) and index + 1 < len(lines):
                index += 1
                continue
            break
        if starts_lowercase(line) or line[0] in '«("„0123456789' or (upper and _is_upper(line)):
            parts.append(line)
            index += 1
            continue
        break
    return squeeze(" ".join(parts)), first


def _is_upper(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and sum(char.isupper() for char in letters) >= 0.8 * len(letters)


# --- period --------------------------------------------------------------------------------------

_ACADEMIC = re.compile(
    r"(20\d\d)\s*[/\-–—]\s*(20\d\d|\d\d)\s*(?:гг?\.?\s*)?"
    r"(?:учебн\w*(?:\s+год\w*)?|уч\.?\s*(?:год\w*|г\.?\s*г?\.?))"
)
_YEARS = re.compile(r"(?:на|в)\s+(?:период\s+)?(20\d\d)\s*([/\-–—])\s*(20\d\d)\s*(?:год\w*|гг?\.)")
_YEAR = re.compile(r"(?:на|в|в течение)\s+(20\d\d)\s*(?:год\w*|г\.?)(?!\s*[/\-–—]\s*\d)")


def find_period(*texts: str) -> Period | None:
    """«на 2024 год», «в 2024 году» → 2024; «в 2023/2024 учебном году», «2023-2024 уч. год» →
    2023/2024; «на 2024–2025 годы» → both calendar years. The first text that names one wins."""
    for text in texts:
        period = _period_in(squeeze(text).lower().replace("ё", "е"))
        if period:
            return period
    return None


def _period_in(text: str) -> Period | None:
    match = _ACADEMIC.search(text)
    if match:
        first = int(match.group(1))
        second = match.group(2)
        second_year = int(second) if len(second) == 4 else first // 100 * 100 + int(second)
        if second_year == first + 1:
            return Period.academic_year(first)
    match = _YEARS.search(text)
    if match:
        first, separator, last = int(match.group(1)), match.group(2), int(match.group(3))
        if separator == "/" and last == first + 1:
            return Period.academic_year(first)
        if first < last <= first + 10:
            return Period(date(first, 1, 1), date(last, 12, 31))
    match = _YEAR.search(text)
    if match:
        return Period.calendar_year(int(match.group(1)))
    return None


# --- approval ------------------------------------------------------------------------------------


def parse_date(text: str) -> date | None:
    text = squeeze(text).lower()
    match = re.search(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})", text)
    if match:
        day, month, year = (int(group) for group in match.groups())
    else:
        match = re.search(r"«?(\d{1,2})»?\s+([а-яё]+)\s+(\d{4})", text)
        if not match:
            return None
        month = next(
            (number for stem, number in _MONTHS.items() if match.group(2).startswith(stem)), 0
        )
        day, year = int(match.group(1)), int(match.group(3))
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_approval(lines: list[str], title_line: int | None = None) -> Approval | None:
    """The document that approved the plan, if the preamble says which."""
    lines = [squeeze(line) for line in lines]
    head = lines[:title_line] if title_line is not None else lines
    by_document = _approved_by_document(lines)
    by_signature = _approved_by_signature(lines)
    if by_document and by_signature:
        by_document.official_name = by_document.official_name or by_signature.official_name
        by_document.official_position = (
            by_document.official_position or by_signature.official_position
        )
        by_document.text = f"{by_signature.text}\n{by_document.text}"
        return by_document
    return by_document or by_signature or _letter(head)


def _kind(phrase: str) -> str:
    """«инструктивно-методическим письмом» → «инструктивно-методическое письмо»."""
    *adjectives, word = squeeze(phrase).lower().split()
    kind = next((kind for pattern, kind in _KIND_FORMS if pattern.match(word)), word)
    return " ".join([*(_nominative_adjective(a, kind) for a in adjectives), kind])


def _nominative_adjective(adjective: str, kind: str) -> str:
    prefix, _, word = adjective.rpartition("-")
    stem = re.sub(rf"{_ADJECTIVE_ENDING}$", "", word)
    if kind in _NEUTER_KINDS:
        ending = "ее" if stem[-1:] in "жшчщ" else "ое"
    else:
        ending = "ий" if stem[-1:] in "кгхжшчщ" else "ый"
    return f"{prefix}-{stem}{ending}" if prefix else stem + ending


def _approved_by_document(lines: list[str]) -> Approval | None:
    """«Утвержден распоряжением комитета … от 26.09.2023 № 3.12-1331-р»,
    «Приложение к приказу …»."""
    for index, line in enumerate(lines):
        if not re.match(r"(?:утвержд(?!аю)\w*|приложение)\b", line, re.IGNORECASE):
            continue
        block_lines = []
        for following in lines[index : index + 8]:
            if not following and block_lines and len(block_lines) > 1:
                break
            if following:
                block_lines.append(following)
            if re.search(_NUMBER, following) and re.search(_DATE, " ".join(block_lines)):
                break
        block = " ".join(block_lines)
        match = re.search(
            rf"^(?:утвержд\w*|приложение(?:\s*№\s*\d+)?)\s*:?\s*(?:к\s+)?({_DOCUMENT_PHRASE})\s+(.*)$",
            block,
            re.IGNORECASE,
        )
        if not match:
            continue
        rest = match.group(2)
        date_match = re.search(rf"\bот\s+({_DATE})", rest)
        # The number of the document follows its date; a «№» before it is part of a name
        # («приказом директора МБОУ СОШ № 5 от …»).
        number_match = re.search(_NUMBER, rest[date_match.end() :]) if date_match else None
        number_match = number_match or re.search(_NUMBER, rest)
        issuer = rest[: date_match.start()] if date_match else rest
        if not date_match and number_match:
            issuer = rest[: number_match.start()]
        position, name, signature = _signature_after(lines, index + len(block_lines))
        return Approval(
            kind=_kind(match.group(1)),
            number=_clean_number(number_match.group(1)) if number_match else "",
            date=parse_date(date_match.group(1)) if date_match else None,
            issuer=_nominative(issuer, officials=True),
            official_name=name,
            official_position=position,
            text="\n".join([*block_lines, *signature]),
        )
    return None


def _signature_after(lines: list[str], start: int) -> tuple[str, str, list[str]]:
    """The official who signed, written right under the document's line: «Председатель
    комитета» / «______ В.И. Реброва». Returns (position, name, the lines), or empties."""
    taken: list[str] = []
    for line in lines[start : start + 3]:
        if not line:
            break
        taken.append(line)
        cleaned = squeeze(re.sub(r"_{2,}|/|\(подпись\)", " ", line))
        person = re.search(rf"(?:^|\s)({_PERSON})$", cleaned)
        if person:
            position = squeeze(" ".join([*taken[:-1], cleaned[: person.start(1)]]))
            return position, person.group(1), taken
    return "", "", []


def _approved_by_signature(lines: list[str]) -> Approval | None:
    """«УТВЕРЖДАЮ / первый заместитель председателя комитета … / И.А. Голубев»."""
    for index, line in enumerate(lines):
        match = re.match(r"утверждаю\b\s*:?\s*(.*)$", line, re.IGNORECASE)
        if not match:
            continue
        block = [line]
        position_parts = [match.group(1)] if match.group(1) else []
        name = ""
        when = None
        number = ""
        for following in lines[index + 1 : index + 14]:
            if not following:
                continue
            cleaned = squeeze(re.sub(r"_{2,}|/|\(подпись\)|подпись", " ", following))
            if name:
                # After the signature only a date line may belong to the block.
                if re.search(r"\d{4}|_{2,}", following) and len(following) < 60:
                    block.append(following)
                    when = when or parse_date(following)
                break
            block.append(following)
            if re.search(rf"\bот\s+{_DATE}", cleaned):
                when = parse_date(cleaned)
                number_match = re.search(_NUMBER, cleaned)
                number = _clean_number(number_match.group(1)) if number_match else number
                continue
            person = re.search(rf"(?:^|\s)({_PERSON})$", cleaned)
            if person:
                name = person.group(1)
                before = cleaned[: person.start(1)].strip()
                if before:
                    position_parts.append(before)
                continue
            if cleaned:
                position_parts.append(cleaned)
        if not name:
            continue
        position = squeeze(" ".join(position_parts))
        return Approval(
            kind="утверждаю",
            number=number,
            date=when,
            official_name=name,
            official_position=position,
            issuer=_issuer_of(position),
            text="\n".join(block),
        )
    return None


def _letter(lines: list[str]) -> Approval | None:
    """A letter or an order that carries the plan: its kind line, «29.02.2024 № 231» and the
    signature above the plan's heading."""
    kind_index, kind_lines = None, []
    for index in range(len(lines)):
        for size in (1, 2):
            candidate = " ".join(lines[index : index + size])
            if _LETTER_KIND.fullmatch(candidate.strip(" .")):
                kind_index, kind_lines = index, lines[index : index + size]
                break
        if kind_index is not None:
            break
    if kind_index is None:
        return None
    number_line = next(
        (
            line
            for line in lines
            if re.fullmatch(rf"(?:от\s+)?{_DATE}\s*{_NUMBER}|{_NUMBER}\s+от\s+{_DATE}", line)
        ),
        "",
    )
    number_match = re.search(_NUMBER, number_line)
    letterhead = []
    for line in lines:
        if not line and not letterhead:
            continue
        if not line or line in kind_lines or not _is_upper(line) or re.search(r"\d", line):
            break
        letterhead.append(line)
    position, name, signature = "", "", []
    for index in range(len(lines) - 1, kind_index, -1):
        cleaned = squeeze(re.sub(r"_{2,}|/", " ", lines[index]))
        person = re.search(rf"(?:^|\s)({_PERSON})$", cleaned)
        if not person:
            continue
        name = person.group(1)
        position = cleaned[: person.start(1)].strip()
        signature = [lines[index]]
        if not position:
            previous = next((j for j in range(index - 1, kind_index, -1) if lines[j].strip()), None)
            if previous is not None and _POSITION_START.match(lines[previous]):
                position = lines[previous]
                signature.insert(0, lines[previous])
        break
    if not number_line and not name:
        return None
    kind = squeeze(re.sub(r"\s*-\s*", "-", " ".join(kind_lines))).lower().rstrip(".")
    block = [*letterhead, number_line, *kind_lines, *signature]
    return Approval(
        kind=kind,
        number=_clean_number(number_match.group(1)) if number_match else "",
        date=parse_date(number_line) if number_line else None,
        official_name=name,
        official_position=position,
        issuer=squeeze(" ".join(letterhead)) or _issuer_of(position),
        text="\n".join(line for line in block if line),
    )


def _issuer_of(position: str) -> str:
    """The body an official heads: «… председателя комитета …» → «Комитет …»,
    «Министр образования …» → «Министерство образования …», «Директор МБОУ СОШ № 5» →
    «МБОУ СОШ № 5»."""
    body = _nominative(position, require_head=True)
    if body:
        return body
    match = re.match(r"(?:и\.\s?о\.\s*)?министр\s+(.+)$", position, re.IGNORECASE)
    if match:
        return f"Министерство {match.group(1)}"
    match = re.match(
        r"(?:и\.\s?о\.\s*)?(?:директор|руководитель|ректор|заведующий)\s+(.+)$",
        position,
        re.IGNORECASE,
    )
    return match.group(1) if match else ""


def _clean_number(number: str) -> str:
    return number.rstrip(".,;)")


def _nominative(text: str, *, require_head: bool = False, officials: bool = False) -> str:
    """«комитета общего и профессионального образования Ленинградской области» →
    «Комитет общего и профессионального образования Ленинградской области».

    Only the head word changes case (what follows it is genitive either way). If adjectives
    stand before the head («Главного управления …») the text is kept as written.
    """
    text = squeeze(text).strip(" ,.;:")
    words = text.split()
    heads = {**_BODY_HEADS, **_OFFICIAL_HEADS} if officials else _BODY_HEADS
    for index, word in enumerate(words):
        lower = word.lower()
        stem = next((stem for stem in heads if lower.startswith(stem)), None)
        if stem is None or len(lower) - len(stem) > 3:
            continue
        if index > 0 and re.search(r"(ого|его|ой|ей)$", words[index - 1].lower()):
            start = index - 1
            while start > 0 and re.search(r"(ого|его|ой|ей)$", words[start - 1].lower()):
                start -= 1
            phrase = " ".join(words[start:])
            return phrase[:1].upper() + phrase[1:]
        head = heads[stem]
        if word.isupper():
            head = head.upper()
        phrase = " ".join([head, *words[index + 1 :]])
        return phrase[:1].upper() + phrase[1:]
    if require_head:
        return ""
    return text[:1].upper() + text[1:] if text else ""
