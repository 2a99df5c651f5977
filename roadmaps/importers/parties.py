"""Responsible cells into ordered parties, and abbreviations defined inline («(далее – ИРОСО)»).

Cells are written loosely: «ИМЦ, ОО», «ИМЦ ОО», «ДОиН ТО ТОГИРРО», «Лысенко С.Н. Руководители ОО»,
«ГАОУ ДПО «ЛОИРО» ОМСУ». The rules here: separators first (comma, semicolon, new line, « и »
before a capital), then within a piece a new party starts at each abbreviation unless it qualifies
the one before (a region «ТО», «ЛО») or follows a plain word («Руководители ОО»), and at each
person «Фамилия И.О.». Abbreviations the document defines are matched whole first, so a
defined «ГАОУ ДПО «ЛОИРО»» is never cut.
"""

from __future__ import annotations

import re

from .cleanup import squeeze

_DASH = r"[–—−-]"
_DEFINED_AS = re.compile(
    rf"\(\s*(?:далее|в дальнейшем)\s*(?:по тексту\s*)?(?:{_DASH}|:)?\s*([^()]{{1,60}}?)\s*\)",
    re.IGNORECASE,
)
_BARE_ABBREVIATION = re.compile(r"\(\s*([А-ЯЁA-Z][А-ЯЁA-Zа-яёa-z]{1,9})\s*\)")
# A participle opens a clause that belongs to the name before the comma:
# «органы местного самоуправления, осуществляющие управление в сфере образования».
_PARTICIPLE = re.compile(
    r"^(?:[а-яё]+(?:ющ|ящ|ащ|ущ|вш|ем|им|енн|анн)(?:ие|ий|ая|ее|их|им|ими|его|ей|ую|ое|ый|ые|ых|ого|ому)(?:ся)?"
    r"|[а-яё]+(?:ющ|ящ|ащ|ущ)ие)$"
)
_REGION = re.compile(r"^(?!ОО$|ДО$|ИО$)[А-ЯЁ]О$|^(?:РФ|СПб|РТ|РБ|РК|РС|ХМАО|ЯНАО|НАО|ЕАО|КЧР|КБР)$")
_ORG_FORM = re.compile(r"^(?:ФГ|Г|М|Ч|Н)[АБКП]?[ДПС]?О?У$|^(?:АНО|ФГБУ|ФГАУ)$")
_INITIALS = re.compile(r"^[А-ЯЁ]\.[А-ЯЁ]\.?$")
_GLUED_PERSON = re.compile(r"^[А-ЯЁ]\.[А-ЯЁ]\.[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?$")
_SURNAME = re.compile(r"^[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?$")
# A plain word after an abbreviation starts a new party when it names people or bodies in the
# nominative: «ОО участники проекта» is two, «ОО района» and «ИМЦ Кировского района» are one.
_ROLE = re.compile(
    r"^(?:участник|руководител|педагог|учител|специалист|заместител|методист|координатор|куратор"
    r"|родител|эксперт|член|директор|наставник|тьютор|психолог|советник|ответственн|сотрудник"
    r"|работник|представител|команд|служб|орган|школ|обучающ|студент|выпускник|консультант"
    r"|преподавател|воспитател|администраци|организаци|учрежден)"
)
_GENITIVE_PLURAL = re.compile(r"(?:ей|ов|ев|ых|их|ий)$")
_NOMINATIVE_ADJECTIVE = re.compile(r"^[а-яё]{4,}(?:ые|ие)$")


def is_abbreviation(token: str) -> bool:
    """«ИМЦ», «КОиПО», «ДОиН», «СПб»: short, mostly capitals, at least two of them."""
    word = token.strip('«»"“”„()-–—.,;:')
    if not 2 <= len(word) <= 12 or not re.fullmatch(
        r"[А-ЯЁA-Zа-яёa-z]+(?:-[А-ЯЁA-Zа-яёa-z]+)?", word
    ):
        return False
    letters = [char for char in word if char.isalpha()]
    upper = sum(char.isupper() for char in letters)
    return upper >= 2 and upper * 2 >= len(letters)


def looks_like_abbreviation(text: str) -> bool:
    """A glossary key: «ИРОСО», «ГАОУ ДПО «ЛОИРО»», «КОиПО ЛО»; not «План» or «Проект»."""
    text = squeeze(text)
    if not text or len(text) > 40 or len(text.split()) > 5:
        return False
    return sum(char.isupper() for char in text) >= 2 and is_abbreviation(text.split()[0])


# --- inline definitions ------------------------------------------------------------------------


def _clause_start(text: str, end: int) -> int:
    """Where the name ending at ``end`` begins: after the last separator that is not inside
    quotes or brackets and not a comma before a participle."""
    depth = 0
    position = end
    while position > 0:
        char = text[position - 1]
        if char in "»)":
            depth += 1
        elif char in "«(":
            if depth == 0:
                return position
            depth -= 1
        elif depth == 0 and char in ";\n":
            return position
        elif depth == 0 and char == ",":
            following = text[position:end].split()
            if not following or not _PARTICIPLE.match(following[0].lower()):
                return position
        elif depth == 0 and char == "." and position < end and text[position : position + 1] == " ":
            rest = text[position:end].lstrip()
            if rest[:1].isupper() and not re.search(r"(?:^|\s)[А-ЯЁ]\.$", text[:position]):
                return position
        position -= 1
    return 0


def _full_name(text: str, start: int, end: int, abbreviation: str) -> str:
    name = squeeze(text[start:end])
    name = re.sub(rf"^(?:\d+(?:\.\d+)*\.?\s+|{_DASH}\s+|•\s*|и\s+)", "", name).strip(" ,;:")
    return _initials_match(name, abbreviation) or name


def _initials_match(name: str, abbreviation: str) -> str:
    """«… региональных инновационных площадок (далее – РИП)» names only the last three words."""
    letters = abbreviation.replace("-", "").lower()
    if not letters.isalpha() or not 2 <= len(letters) <= 8:
        return ""
    words = re.findall(r"[«\"]?[А-ЯЁа-яёA-Za-z-]+", name)
    if len(words) < len(letters):
        return ""
    tail = words[-len(letters) :]
    initials = "".join(word.lstrip('«"')[0].lower() for word in tail)
    if initials != letters:
        return ""
    first = tail[0]
    position = name.rfind(first, 0, len(name) - sum(len(word) for word in tail[1:]))
    return name[position:].strip() if position >= 0 else ""


def find_definitions(text: str) -> list[tuple[str, str]]:
    """Abbreviations a text defines: «… (далее – ИРОСО)» and «… площадок (РИП)» whose words
    spell the letters. Definitions of plain words («(далее – План)») are not abbreviations."""
    found = []
    for match in _DEFINED_AS.finditer(text):
        abbreviation = squeeze(match.group(1)).strip(" .,;")
        if not looks_like_abbreviation(abbreviation):
            continue
        start = _clause_start(text, match.start())
        name = _full_name(text, start, match.start(), abbreviation)
        if name and name != abbreviation:
            found.append((match.start(), abbreviation, name))
    for match in _BARE_ABBREVIATION.finditer(text):
        abbreviation = match.group(1)
        if not is_abbreviation(abbreviation):
            continue
        name = _initials_match(squeeze(text[: match.start()]), abbreviation)
        if name:
            found.append((match.start(), abbreviation, name))
    return [(abbreviation, name) for _, abbreviation, name in sorted(found)]


def replace_definitions(text: str) -> str:
    """«органы …, осуществляющие … (далее – ОМСУ), ОО» → «ОМСУ, ОО»."""
    while True:
        match = next(
            (m for m in _DEFINED_AS.finditer(text) if looks_like_abbreviation(m.group(1))), None
        )
        if match is None:
            return text
        start = _clause_start(text, match.start())
        lead = text[start:]
        spaces = len(lead) - len(lead.lstrip())
        text = text[: start + spaces] + squeeze(match.group(1)) + text[match.end() :]


# --- splitting ---------------------------------------------------------------------------------


def _split_separators(text: str) -> list[str]:
    """Cut at new lines, semicolons, commas (not before a participle) and « и » before a capital,
    never inside quotes or brackets."""
    pieces, current, depth = [], [], 0
    index = 0
    while index < len(text):
        char = text[index]
        if char in "«(":
            depth += 1
        elif char in "»)":
            depth = max(0, depth - 1)
        cut = False
        skip = 1
        if depth == 0:
            if char in "\n;":
                cut = True
            elif char == ",":
                following = text[index + 1 :].split()
                cut = not (following and _PARTICIPLE.match(following[0].lower()))
            elif text.startswith(" и ", index):
                following = text[index + 3 :].lstrip()
                cut = bool(following) and (following[0].isupper() or following[0] == "«")
                skip = 3 if cut else 1
        if cut:
            pieces.append("".join(current))
            current = []
            index += skip
            continue
        current.append(char)
        index += 1
    pieces.append("".join(current))
    cleaned = []
    for piece in pieces:
        piece = re.sub(rf"^\s*(?:[•·●▪]|{_DASH}(?=\s)|\d+[.)](?=\s))\s*", "", piece)
        piece = _trim(squeeze(piece))
        if piece:
            cleaned.append(piece)
    return cleaned


def _tokens(piece: str) -> list[str]:
    """Words, with «quoted names» and (brackets) kept as one token each."""
    tokens, current, depth = [], "", 0
    for char in piece:
        if char in "«(":
            depth += 1
        elif char in "»)":
            depth = max(0, depth - 1)
        if char == " " and depth == 0:
            if current:
                tokens.append(current)
            current = ""
        else:
            current += char
    if current:
        tokens.append(current)
    return tokens


def _person_at(tokens: list[str], index: int) -> int:
    """How many tokens a person's name takes at ``index``: «Лысенко С.Н.», «С.Н. Лысенко»."""
    token = tokens[index]
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    if _GLUED_PERSON.match(token):
        return 1
    if _SURNAME.match(token) and _INITIALS.match(following):
        return 2
    if _INITIALS.match(token) and _SURNAME.match(following):
        return 2
    return 0


def _known_at(tokens: list[str], index: int, known: dict[str, str]) -> int:
    for length in range(min(6, len(tokens) - index), 0, -1):
        candidate = " ".join(tokens[index : index + length])
        if candidate in known:
            return length
    return 0


def _starts_party(word: str) -> bool:
    lower = word.lower().strip('«»"')
    if _ROLE.match(lower):
        return not _GENITIVE_PLURAL.search(lower)
    return bool(_NOMINATIVE_ADJECTIVE.match(lower)) or lower.endswith("щиеся")


def _split_piece(piece: str, known: dict[str, str]) -> list[str]:
    tokens = _tokens(piece)
    parties: list[list[str]] = []
    state = ""  # what the current party ends with: abbreviation, word, person, number, dash
    index = 0

    opened_by: list[str] = []  # what each party starts with

    def start(taken: list[str], new_state: str) -> None:
        nonlocal state
        parties.append(list(taken))
        opened_by.append(new_state)
        state = new_state

    def extend(taken: list[str], new_state: str) -> None:
        nonlocal state
        parties[-1].extend(taken)
        state = new_state

    while index < len(tokens):
        token = tokens[index]
        length = _known_at(tokens, index, known)
        if length:
            taken = tokens[index : index + length]
            if state in ("word", "dash"):
                extend(taken, "abbreviation")
            else:
                start(taken, "abbreviation")
            index += length
            continue
        length = _person_at(tokens, index)
        if length:
            taken = tokens[index : index + length]
            # A role written out takes its person: «заместитель директора по УВР Иванова И.И.».
            if state == "word" or (state == "abbreviation" and opened_by[-1] == "word"):
                extend(taken, "person")
            else:
                start(taken, "person")
            index += length
            continue
        if token in "-–—−":
            if parties:
                extend([token], "dash")
            index += 1
            continue
        if token.startswith(("«", "(")) or re.fullmatch(r"№|\d[\d\-/]*", token):
            if not parties:
                start([token], "word")
            else:
                extend([token], "number" if token[0].isdigit() else state)
            index += 1
            continue
        trailing_dash = token.endswith(("-", "–"))
        if is_abbreviation(token):
            if _REGION.match(token.strip("-–")) and state == "abbreviation":
                extend([token], "abbreviation")
            elif _ORG_FORM.match(token) and state not in ("word", "dash"):
                # «ГАОУ ДПО «ЛОИРО»», «МБОУ СОШ № 5»: the form takes what names the body.
                taken = [token]
                index += 1
                while index < len(tokens) and _known_at(tokens, index, known) == 0:
                    following = tokens[index]
                    if following.startswith("«"):
                        taken.append(following)
                        index += 1
                        break
                    if following == "№" and index + 1 < len(tokens):
                        taken.extend(tokens[index : index + 2])
                        index += 2
                        break
                    if not is_abbreviation(following) or _ORG_FORM.match(following):
                        break
                    taken.append(following)
                    index += 1
                start(taken, "abbreviation")
                continue
            elif state in ("word", "dash"):
                extend([token], "abbreviation")
            else:
                start([token], "abbreviation")
            if trailing_dash:
                state = "dash"
            index += 1
            continue
        # A plain word.
        if not parties or state == "person" or (state == "abbreviation" and _starts_party(token)):
            start([token], "word")
        else:
            extend([token], "word")
        index += 1
    return [_trim(" ".join(party)) for party in parties if party]


def _trim(text: str) -> str:
    """Drop edge punctuation, but not the dot of an initial («Лысенко С.Н.»)."""
    text = text.strip(" ,;:").lstrip(".")
    while text.endswith(".") and not re.search(r"(?:^|[\s.])[А-ЯЁA-Z]\.$", text):
        text = text[:-1].rstrip(" ,;:")
    return text


def split_parties(text: str, known: dict[str, str] | None = None) -> list[str]:
    """The ordered, distinct parties of a responsible cell; ``known`` abbreviations (the
    glossary) are kept whole."""
    return PartySplitter(known or {})(text)


class PartySplitter:
    """``split_parties`` with the glossary prepared once for a whole document."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known = {squeeze(key): value for key, value in known.items()}

    def __call__(self, text: str) -> list[str]:
        if not text.strip():
            return []
        if "(" in text:
            text = replace_definitions(text)
        text = re.sub(r"\b([А-ЯЁ])\.\s+([А-ЯЁ])\.", r"\1.\2.", text)
        parties: list[str] = []
        for piece in _split_separators(text):
            for party in _split_piece(piece, self.known):
                if party and party not in parties:
                    parties.append(party)
        return parties
