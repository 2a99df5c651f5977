"""Text hygiene shared by all readers: spaces, list markers, HTML and markdown left in exports."""

from __future__ import annotations

import html
import re

_SPACES = re.compile(r"[ \t\u00a0\u2002-\u200b\u202f\u205f\u3000\ufeff]+")
# A list line: «•», «·», «●», … or a dash followed by a space (an inline «-ТОГИРРО» stays).
_BULLET = re.compile(r"^(?:([•·●▪■◦○►▸➢✓✔]|\*(?=\s))|([-–—−])(?=\s))\s*")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*?/?>")
_BLOCK_TAGS = {"p", "div", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
_BOLD_TAGS = {"b", "strong"}


def squeeze(text: str) -> str:
    """One line, single spaces."""
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def normalize_line(line: str) -> str:
    line = _SPACES.sub(" ", line.replace("\u2060", "")).strip()  # word joiners tie, print nothing
    marker = ""
    while True:
        match = _BULLET.match(line)
        if not match:
            break
        marker = marker or ("• " if match.group(1) else "– ")
        line = line[match.end() :]
    return marker + line if line else ""


def clean_text(text: str) -> str:
    """Lines stripped and single-spaced, empty lines dropped, list markers unified."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    lines = (normalize_line(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def starts_lowercase(text: str) -> bool:
    for char in text:
        if char.isalpha():
            return char.islower()
        if char in "«\"(“„'":
            continue
        return False
    return False


def join_continued(before: str, after: str) -> str:
    """Glue a cell continued on the next page to its first part."""
    if not before:
        return after
    if not after:
        return before
    if after.startswith(("• ", "– ")) or before.endswith(":"):
        return f"{before}\n{after}"
    if re.search(r"[а-яёa-z]-$", before, re.IGNORECASE):  # «Санкт-» + «Петербурга»
        return before + after
    return f"{before} {after}"


def strip_html(text: str) -> tuple[str, bool]:
    """Turn an HTML fragment of a text export into plain lines; also say if it was all bold."""
    if "<" not in text and "&" not in text:
        return text, False
    bold = _all_bold(text)

    def replace(match: re.Match) -> str:
        closing, tag = match.group(1), match.group(2).lower()
        if tag == "br":
            return "\n"
        if tag == "li":
            return "\n" if closing else "\n• "
        if tag in _BLOCK_TAGS:
            return "\n"
        return ""

    text = _TAG.sub(replace, text)
    return html.unescape(text), bold


def _all_bold(text: str) -> bool:
    depth = 0
    for part in re.split(r"(<[^<>]+>)", text):
        match = _TAG.fullmatch(part)
        if match:
            if match.group(2).lower() in _BOLD_TAGS:
                depth += -1 if match.group(1) else 1
            continue
        if part.strip() and depth <= 0:
            return False
    return bool(re.search(r"<(b|strong)\b", text, re.IGNORECASE))


def strip_markdown(line: str) -> tuple[str, bool, int]:
    """``## **Раздел**`` → text, bold, heading level."""
    if not any(mark in line for mark in "*_#\\"):
        return line, False, 0
    level = 0
    match = re.match(r"^\s*(#{1,6})\s+", line)
    if match:
        level = len(match.group(1))
        line = line[match.end() :].rstrip("# ")
    stripped = line.strip()
    bold = (
        stripped.startswith(("**", "__")) and stripped.endswith(("**", "__")) and len(stripped) > 4
    )
    line = line.replace("**", "")
    line = re.sub(r"(?<!\w)__(?=\S)|(?<=\S)__(?!\w)", "", line)
    line = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|>])", r"\1", line)
    return line, bold, level


def normalize_number(text: str) -> str:
    """An item or section number as written, minus trailing dots: «1.1.» and «1.1» both → «1.1».

    Documents write the same numbering both ways (Kirovsky has «4.1» next to «4.2.», Tyumen a
    stray «4.6..»); keeping the dot would make equal numbers differ.
    """
    text = squeeze(text)
    text = re.sub(r"\s*\.\s*", ".", text) if re.fullmatch(r"[\d.\s]+", text) else text
    return text.rstrip(".) ").strip()
