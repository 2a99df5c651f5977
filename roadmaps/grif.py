"""The grif: how a plan says who approved it, worded by one rule for the page and every document.

A plan is approved by a signature («УТВЕРЖДАЮ», then the official's position and name) or by a
document («УТВЕРЖДЕН распоряжением комитета … от 26.09.2023 № 3.12-1331-р»), sometimes both (the
document, then the official who signed it). The document's kind is put in the instrumental case
(«приказом», «инструктивно-методическим письмом»); only the head word of the issuer changes case,
the rest of a body's name is genitive already. The importer (roadmaps/importers/preamble.py)
reads every block written here back into the same fields; tests/test_approval_roundtrip.py holds
the two sides together.
"""

from __future__ import annotations

from dataclasses import dataclass

_GENITIVE_HEADS = {
    "комитет": "комитета",
    "министерство": "министерства",
    "департамент": "департамента",
    "управление": "управления",
    "отдел": "отдела",
    "администрация": "администрации",
    "правительство": "правительства",
    "институт": "института",
    "центр": "центра",
    "учреждение": "учреждения",
    "агентство": "агентства",
    "дирекция": "дирекции",
}
BLANK = "_" * 24
SIGNATURE = "_" * 14
UNDATED = "«___» ______________ 20___ г."
BY_SIGNATURE = "утверждаю"


@dataclass(frozen=True)
class ApprovalBlock:
    head: str  # «УТВЕРЖДАЮ» or «УТВЕРЖДЕН»
    lines: list[str]
    draft: bool = False  # not approved (yet): printed under «ПРОЕКТ»

    @property
    def text(self) -> str:
        return "\n".join([*(["ПРОЕКТ"] if self.draft else []), self.head, *self.lines])


def is_approved(roadmap) -> bool:
    """Approved now, or archived after having been approved (its grif is filled in)."""
    status = roadmap.Status
    if roadmap.status == status.APPROVED:
        return True
    return roadmap.status == status.ARCHIVED and bool(
        roadmap.approval_date or roadmap.approval_number or roadmap.approved_by_name
    )


def has_captured_approval(roadmap) -> bool:
    """A draft imported from a document that said how it was approved keeps saying so."""
    kind = roadmap.approval_kind.strip().lower()
    return bool(
        roadmap.approval_date
        or roadmap.approval_number
        or (kind and kind != BY_SIGNATURE and roadmap.approval_issuer)
    )


def approval_block(roadmap) -> ApprovalBlock:
    approved = is_approved(roadmap)
    if not approved and not has_captured_approval(roadmap):
        return ApprovalBlock(
            head="УТВЕРЖДАЮ",
            lines=[
                roadmap.approved_by_position or BLANK,
                f"{SIGNATURE} {roadmap.approved_by_name or SIGNATURE}",
                UNDATED,
            ],
            draft=True,
        )
    block = _filled_in(roadmap)
    return block if approved else ApprovalBlock(block.head, block.lines, draft=True)


def _filled_in(roadmap) -> ApprovalBlock:
    kind = roadmap.approval_kind.strip()
    signer = _signer_lines(roadmap)
    if not kind or kind.lower() == BY_SIGNATURE:
        if signer:
            return ApprovalBlock(head="УТВЕРЖДАЮ", lines=[*signer, dated(roadmap) or UNDATED])
        # Approved with no details entered: the grif as the document wrote it, if it was kept.
        written = [line.strip() for line in roadmap.approval_text.splitlines() if line.strip()]
        if written and written[0].upper().startswith("УТВЕРЖД"):
            return ApprovalBlock(head=written[0].upper(), lines=written[1:8])
        return ApprovalBlock(head="УТВЕРЖДЕН", lines=written[:8])
    lines = [line for line in (document_phrase(roadmap), dated(roadmap)) if line]
    return ApprovalBlock(head="УТВЕРЖДЕН", lines=[*lines, *signer])


def _signer_lines(roadmap) -> list[str]:
    if not (roadmap.approved_by_name or roadmap.approved_by_position):
        return []
    lines = [roadmap.approved_by_position] if roadmap.approved_by_position else []
    lines.append(f"{SIGNATURE} {roadmap.approved_by_name}".rstrip())
    return lines


def document_phrase(roadmap) -> str:
    """«распоряжением комитета общего и профессионального образования Ленинградской области»."""
    kind = roadmap.approval_kind.strip()
    if not kind or kind.lower() == BY_SIGNATURE:
        return ""
    return " ".join(
        part for part in (instrumental(kind), genitive_issuer(roadmap.approval_issuer)) if part
    )


def caption(roadmap) -> str:
    """One line for the page and the history: «распоряжением комитета … от 26.09.2023 № 5»."""
    return " ".join(part for part in (document_phrase(roadmap), dated(roadmap)) if part)


def dated(roadmap) -> str:
    parts = []
    if roadmap.approval_date:
        parts.append(f"от {roadmap.approval_date:%d.%m.%Y}")
    if roadmap.approval_number:
        parts.append(f"№ {roadmap.approval_number}")
    return " ".join(parts)


def instrumental(kind: str) -> str:
    """«распоряжение» → «распоряжением», «методическое письмо» → «методическим письмом»."""
    return " ".join(_instrumental_word(word) for word in kind.split())


def _instrumental_word(word: str) -> str:
    lower = word.lower()
    if lower.endswith(("кое", "гое", "хое", "жее", "шее", "чее", "щее")):
        return word[:-2] + "им"
    if lower.endswith(("ое", "ее")):
        return word[:-2] + "ым"
    if lower.endswith("ие"):
        return word + "м"
    if lower.endswith("о"):
        return word + "м"
    if lower[-1:].isalpha() and lower[-1] not in "аяйь":
        return word + "ом"
    return word


def genitive_issuer(issuer: str) -> str:
    """«Комитет общего … образования» → «комитета общего … образования» after «распоряжением».

    A letterhead in capitals («ПРАВИТЕЛЬСТВО … ОТДЕЛ ОБРАЗОВАНИЯ») cannot be put in a case
    by a rule; the grif then names the document alone («… письмом от 29.02.2024 № 231»).
    """
    issuer = " ".join(issuer.split())
    if issuer.isupper():
        return ""
    head, _, rest = issuer.partition(" ")
    genitive = _GENITIVE_HEADS.get(head.lower())
    if genitive is None:
        return issuer
    return f"{genitive} {rest}".strip()
