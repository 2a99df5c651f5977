"""From deficits to a plan: one roadmap item per chosen deficit.

The school chooses where the items go: its current draft plan (if it has one), or a new draft
for the round's academic year (01.09.YYYY–31.08.YYYY+1). Each deficit is proposed as a row —
«Устранить дефицит: <indicator>», a deadline and responsible parties (the school itself, or a
named role such as «заместитель директора по УВР») — that can be edited before saving. Items go
into one section, «Устранение дефицитов по результатам самодиагностики», are tagged with the
deficit's direction and are never added twice. Everything is written through roadmaps/editing.py,
all or nothing.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from portal.russian import quote
from roadmaps import editing
from roadmaps.deadlines import Period
from roadmaps.models import Item, Roadmap, Section, WorkflowError
from selfdiag.models import Deficit, MethodologyDirection, Round, Submission

SECTION_TITLE = "Устранение дефицитов по результатам самодиагностики"
ITEM_PREFIX = "Устранить дефицит: "
# Items made before the wording was simplified; still recognised as already in the plan.
OLD_ITEM_PREFIX = "Устранение дефицита: "
DEFAULT_DEADLINE = "в течение учебного года"

TARGET_DRAFT = "draft"
TARGET_NEW = "new"

# Who usually answers for a direction in a school; the school itself is always offered too.
DEPUTY_STUDIES = "заместитель директора по УВР"
DEPUTY_UPBRINGING = "заместитель директора по ВР"
ROLE_SUGGESTIONS = [
    "директор",
    DEPUTY_STUDIES,
    DEPUTY_UPBRINGING,
    "заместитель директора по АХЧ",
    "педагог-психолог",
    "социальный педагог",
    "советник директора по воспитанию",
    "классные руководители",
    "руководители методических объединений",
]
RESPONSIBLE_BY_DIRECTION = {
    "zdorovie": DEPUTY_UPBRINGING,
    "tvorchestvo": DEPUTY_UPBRINGING,
    "vospitanie": DEPUTY_UPBRINGING,
    "proforientatsiya": DEPUTY_UPBRINGING,
    "klimat": "директор",
    "sreda": "директор",
    "uchitel": "директор",
}


@dataclass
class PlanRow:
    """One item to be: the deficit it closes and the words the school settled on."""

    deficit: Deficit
    title: str
    deadline_text: str = DEFAULT_DEADLINE
    responsible: list[str] = field(default_factory=list)


@dataclass
class PlanOutcome:
    roadmap: Roadmap
    created: list[Item]
    skipped: list[str]  # codes of the deficits whose items the plan already had
    roadmap_created: bool


def academic_year(round_: Round) -> Period:
    """The academic year the round falls in: a round in March 2025 belongs to 2024/2025."""
    opens = round_.opens_on
    return Period.academic_year(opens.year if opens.month >= 9 else opens.year - 1)


def item_title(deficit: Deficit) -> str:
    return f"{ITEM_PREFIX}{deficit.indicator.wording}"


def _titles_of(deficit: Deficit) -> set[str]:
    return {item_title(deficit), f"{OLD_ITEM_PREFIX}{deficit.indicator.wording}"}


def proposed_responsible(deficit: Deficit, school) -> list[str]:
    role = RESPONSIBLE_BY_DIRECTION.get(deficit.direction_code, DEPUTY_STUDIES)
    return [school.short_name, role]


def proposed_rows(deficits: list[Deficit], school) -> list[PlanRow]:
    return [
        PlanRow(
            deficit=deficit,
            title=item_title(deficit),
            responsible=proposed_responsible(deficit, school),
        )
        for deficit in deficits
    ]


def current_draft(school) -> Roadmap | None:
    """The school's plan being written now (a draft or one returned for revision), newest
    first, whatever its period."""
    return (
        Roadmap.objects.filter(owner=school, status__in=Roadmap.EDITABLE_STATUSES)
        .current()
        .order_by("-period_start", "-version", "-pk")
        .first()
    )


def titles_in_plan(roadmap: Roadmap | None) -> set[str]:
    if roadmap is None:
        return set()
    ours = Q(title__startswith=ITEM_PREFIX) | Q(title__startswith=OLD_ITEM_PREFIX)
    return set(Item.objects.filter(ours, roadmap=roadmap).values_list("title", flat=True))


def plan_deficits(submission: Submission) -> tuple[list[Deficit], Roadmap | None]:
    """The submission's deficits in order, each marked `in_plan` when the school's current
    draft already has its item, and that draft (None if there is none)."""
    deficits = list(
        Deficit.objects.filter(submission=submission)
        .select_related("indicator__direction")
        .order_by("position")
    )
    plan = current_draft(submission.school)
    in_plan = titles_in_plan(plan)
    for deficit in deficits:
        deficit.in_plan = bool(_titles_of(deficit) & in_plan)
    return deficits, plan


def new_plan_title(school, period: Period) -> str:
    return (
        f"План мероприятий («дорожная карта») {school.short_name} на "
        f"{period.start.year}/{period.end.year} учебный год"
    )


def _target_plan(submission: Submission, target: str, user) -> tuple[Roadmap, bool]:
    school = submission.school
    if target == TARGET_DRAFT:
        draft = current_draft(school)
        if draft is None:
            raise WorkflowError("У школы нет черновика плана: выберите «Новый план».")
        # Lock the plan: a workflow step waits for the items, or the items see the plan sent.
        draft = Roadmap.objects.select_for_update().get(pk=draft.pk)
        if not draft.is_editable:
            raise WorkflowError("План уже отправлен на согласование: дополнить его нельзя.")
        return draft, False
    period = academic_year(submission.round)
    roadmap = editing.create_roadmap(
        owner=school,
        title=new_plan_title(school, period),
        period=period,
        user=user,
        comment=f"Создан из дефицитов самодиагностики {quote(submission.round.name)}.",
    )
    return roadmap, True


def _deficit_section(roadmap: Roadmap, user) -> Section:
    section = Section.objects.filter(roadmap=roadmap, parent=None, title=SECTION_TITLE).first()
    return section or editing.add_section(roadmap, title=SECTION_TITLE, user=user)


@transaction.atomic
def add_deficits_to_plan(
    submission: Submission, rows: list[PlanRow], *, user, target: str
) -> PlanOutcome:
    """Write one item per row into the chosen plan, all or nothing (WorkflowError when the
    draft is gone or no longer editable). A row whose deficit already has its item in the plan
    is skipped."""
    roadmap, created = _target_plan(submission, target, user)
    section = _deficit_section(roadmap, user)
    existing = titles_in_plan(roadmap)
    directions = {
        link.code: link.roadmap_direction
        for link in MethodologyDirection.objects.filter(
            methodology_id=submission.round.methodology_id, roadmap_direction__isnull=False
        ).select_related("roadmap_direction")
    }
    items: list[Item] = []
    skipped: list[str] = []
    for row in rows:
        deficit = row.deficit
        if _titles_of(deficit) & existing or row.title in existing:
            skipped.append(deficit.indicator_code)
            continue
        existing.add(row.title)
        direction = directions.get(deficit.direction_code)
        values = {
            "number": "",
            "title": row.title,
            "deadline_text": row.deadline_text,
            "result": f"Показатель {deficit.indicator_code} достигает максимума "
            f"({deficit.max_points:g} б.; по самодиагностике — {deficit.points:g} б.)",
            "responsible": row.responsible,
            "directions": [direction] if direction else [],
        }
        item = editing.add_item(section, values, user=user)
        item.indicator = deficit.indicator_code
        items.append(item)
    return PlanOutcome(roadmap=roadmap, created=items, skipped=skipped, roadmap_created=created)


PLAN_WRITERS_MESSAGE = "Составлять план школы может только тот, кто его ведёт."


def plan_outcome_message(outcome: PlanOutcome) -> str:
    created = "создан черновик плана" if outcome.roadmap_created else "план дополнен"
    return (
        f"{created.capitalize()} {quote(outcome.roadmap.title)}: добавлено мероприятий — "
        f"{len(outcome.created)}."
    )
