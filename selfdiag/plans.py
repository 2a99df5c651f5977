"""From deficits to a plan: one roadmap item per chosen deficit, in the school's draft plan.

The plan is the school's editable roadmap for the calendar year in which the round closed; if
there is none, a draft is created. Items go into one section, «Устранение дефицитов по
результатам самодиагностики», are tagged with the deficit's direction, and are never added twice.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from simple_history.utils import bulk_create_with_history

from roadmaps import editing
from roadmaps.deadlines import Period, parse_deadline
from roadmaps.models import Item, Roadmap, Section, next_number
from roadmaps.occurrences import store_occurrences
from selfdiag.models import Deficit, MethodologyDirection, Submission

SECTION_TITLE = "Устранение дефицитов по результатам самодиагностики"
ITEM_PREFIX = "Устранение дефицита: "


@dataclass
class PlanOutcome:
    roadmap: Roadmap
    created: list[Item]
    skipped: int
    roadmap_created: bool


def plan_period(submission: Submission) -> Period:
    return Period.calendar_year(submission.round.closes_on.year)


def item_title(deficit: Deficit) -> str:
    return f"{ITEM_PREFIX}{deficit.indicator.wording}"


def find_plan(submission: Submission) -> Roadmap | None:
    """The school's current editable plan for the round's year, if it has one."""
    period = plan_period(submission)
    return (
        Roadmap.objects.filter(
            owner_id=submission.school_id,
            period_start=period.start,
            period_end=period.end,
            status__in=Roadmap.EDITABLE_STATUSES,
        )
        .current()
        .order_by("-version", "-pk")
        .first()
    )


def titles_in_plan(roadmap: Roadmap | None) -> set[str]:
    if roadmap is None:
        return set()
    return set(
        Item.objects.filter(roadmap=roadmap, title__startswith=ITEM_PREFIX).values_list(
            "title", flat=True
        )
    )


@transaction.atomic
def add_deficits_to_plan(
    submission: Submission, deficits: list[Deficit], *, user, deadline_text: str
) -> PlanOutcome:
    period = plan_period(submission)
    school = submission.school
    roadmap = find_plan(submission)
    roadmap_created = roadmap is None
    if roadmap is None:
        roadmap = editing.create_roadmap(
            owner=school,
            title=f"План мероприятий («дорожная карта») {school.short_name} "
            f"на {period.start.year} год",
            period=period,
            user=user,
            comment=f"Создана из дефицитов самодиагностики «{submission.round.name}».",
        )
    section = Section.objects.filter(roadmap=roadmap, parent=None, title=SECTION_TITLE).first()
    if section is None:
        section = editing.add_section(roadmap, title=SECTION_TITLE, user=user)
    existing = titles_in_plan(roadmap)
    number = editing.next_item_number(section)
    last_position = Item.objects.filter(roadmap=roadmap).aggregate(p=Max("position"))["p"] or 0
    directions = dict(
        MethodologyDirection.objects.filter(
            methodology_id=submission.round.methodology_id
        ).values_list("code", "roadmap_direction_id")
    )
    deadline = parse_deadline(deadline_text, period)
    items: list[Item] = []
    tags: list[tuple[Item, int]] = []
    skipped = 0
    for deficit in deficits:
        title = item_title(deficit)
        if title in existing:
            skipped += 1
            continue
        existing.add(title)
        last_position += 1
        item = Item(
            roadmap=roadmap,
            section=section,
            number=number,
            title=title,
            result=f"Показатель {deficit.indicator_code} достигает максимума "
            f"({deficit.max_points:g} б.; по самодиагностике — {deficit.points:g} б.)",
            position=last_position,
        )
        item.apply_deadline(deadline)
        items.append(item)
        number = next_number(number)
        direction_id = directions.get(deficit.direction_code)
        if direction_id is not None:
            tags.append((item, direction_id))
    bulk_create_with_history(
        items, Item, default_user=user, default_change_reason="Из дефицитов самодиагностики"
    )
    Through = Item.directions.through
    Through.objects.bulk_create(
        Through(item_id=item.pk, direction_id=direction_id) for item, direction_id in tags
    )
    store_occurrences(items, period)
    return PlanOutcome(
        roadmap=roadmap, created=items, skipped=skipped, roadmap_created=roadmap_created
    )


PLAN_WRITERS_MESSAGE = "Составлять план школы может только тот, кто его ведёт."


def plan_deficits(submission: Submission) -> tuple[list[Deficit], Roadmap | None]:
    """The submission's deficits in order, each marked `in_plan` when the school's plan for the
    round's year already has its item, and that plan (None if there is none yet)."""
    deficits = list(
        Deficit.objects.filter(submission=submission)
        .select_related("indicator__direction")
        .order_by("position")
    )
    plan = find_plan(submission)
    in_plan = titles_in_plan(plan)
    for deficit in deficits:
        deficit.in_plan = item_title(deficit) in in_plan
    return deficits, plan


def plan_outcome_message(outcome: PlanOutcome) -> str:
    created = "создан черновик плана" if outcome.roadmap_created else "план дополнен"
    return (
        f"{created.capitalize()} «{outcome.roadmap.title}»: добавлено мероприятий — "
        f"{len(outcome.created)}."
    )
