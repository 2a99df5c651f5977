"""The daily reminders (`manage.py send_reminders`, or the task of the same name):

- to the writers of each organization: the items of its plans in force that are overdue (the
  overdue rule of roadmaps.querysets, as on the monitoring page) or due within REMINDER_DAYS;
- to the writers of each school of an open round that closes within REMINDER_DAYS and whose
  questionnaire is not sent: a notification on the portal and a letter, once per round;
- to users who chose the daily digest: their unread notifications not yet e-mailed.

Idempotent: before a letter is sent a SentReminder row (recipient, kind, key, day) is inserted
in the same transaction; a second run finds it and sends nothing. If sending fails the row is
rolled back and the next run tries again.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.mail import Entry, absolute, letter, unread_phrase
from notifications.models import EmailPreference, Notification, SentReminder
from orgs.models import Membership
from portal.russian import DAYS, count, plural, quote
from roadmaps.execution import days_overdue
from roadmaps.models import Item, Roadmap
from roadmaps.monitoring import items_phrase
from roadmaps.querysets import OPEN_STATUSES
from selfdiag.models import Round, Submission

logger = logging.getLogger(__name__)

# A letter lists this many items at most; the rest are on the monitoring page.
ITEMS_PER_LETTER = 200


@dataclass
class Sent:
    deadlines: int = 0
    round_closing: int = 0
    digests: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def send_reminders(today: datetime.date | None = None, days: int | None = None) -> Sent:
    today = today or timezone.localdate()
    days = settings.REMINDER_DAYS if days is None else days
    sent = Sent()
    send_deadlines(today, days, sent)
    send_round_closing(today, days, sent)
    send_digests(today, sent)
    return sent


def _once(user, kind: str, key: str, day: datetime.date, send) -> bool | None:
    """Log the reminder and send it, in one transaction: True sent, False already logged,
    None failed (nothing logged)."""
    try:
        with transaction.atomic():
            _, created = SentReminder.objects.get_or_create(
                recipient=user, kind=kind, key=key, day=day
            )
            if created:
                send()
            return created
    except Exception:
        logger.exception("reminder %s %s to user %s was not sent", kind, key, user.pk)
        return None


def _count(sent: Sent, field: str, outcome) -> None:
    if outcome is True:
        setattr(sent, field, getattr(sent, field) + 1)
    elif outcome is None:
        sent.failed += 1


def _writers(organization_ids, *, with_email: bool = True):
    """Writing memberships of the organizations, with their active users (those who want
    letters and have an address, unless with_email=False)."""
    memberships = (
        Membership.objects.filter(organization_id__in=list(organization_ids))
        .exclude(role=Membership.Role.VIEWER)
        .filter(user__is_active=True)
        .select_related("user", "organization")
        .order_by("organization_id", "user_id")
    )
    if with_email:
        memberships = memberships.exclude(user__email="").exclude(
            user__email_preference__mode=EmailPreference.Mode.NONE
        )
    return memberships


# Deadlines of items


def plans_in_force():
    """The plans whose execution is watched: approved versions in force (the monitoring page's
    default selection)."""
    return Roadmap.objects.in_force().approved()


def deadline_items(today: datetime.date, days: int, organization_ids=None):
    """Overdue items (ItemQuerySet.overdue, the monitoring page's rule) and items due within
    `days`, of the plans in force, by owner, then as the monitoring page lists them."""
    plans = plans_in_force()
    if organization_ids is not None:
        plans = plans.filter(owner_id__in=list(organization_ids))
    items = Item.objects.filter(roadmap__in=plans.values("pk"))
    due = items.filter(
        status__in=OPEN_STATUSES,
        deadline_end__gte=today,
        deadline_end__lte=today + datetime.timedelta(days=days),
    )
    return (
        (items.overdue(today) | due)
        .select_related("roadmap__owner")
        .order_by(
            "roadmap__owner_id", "deadline_end", "roadmap__owner__short_name", "position", "pk"
        )
    )


def _item_entry(item: Item, today: datetime.date) -> Entry:
    late = days_overdue(item, today)
    written = f" ({quote(item.deadline_text)})" if item.deadline_text else ""
    if late:
        note = (
            f"Просрочено на {count(late, DAYS)}: срок истёк {item.deadline_end:%d.%m.%Y}{written}."
        )
    else:
        left = (item.deadline_end - today).days
        when = "сегодня" if not left else f"через {count(left, DAYS)}"
        note = f"Срок — {item.deadline_end:%d.%m.%Y}{written}, {when}."
    return Entry(
        text=f"{item.number} {item.title}".strip(),
        link=reverse("roadmaps:roadmap-detail", args=[item.roadmap_id]) + f"#item-{item.pk}",
        note=f"{note} План {quote(item.roadmap.title[:200])}.",
    )


def deadlines_letter(user, organization, items: list[Item], today: datetime.date, days: int):
    overdue = [item for item in items if item.is_overdue(today)]
    due = len(items) - len(overdue)
    parts = []
    if overdue:
        parts.append(f"просрочено {items_phrase(len(overdue))}")
    if due:
        until = today + datetime.timedelta(days=days)
        parts.append(
            f"в ближайшие {count(days, DAYS)} (до {until:%d.%m.%Y}) "
            f"наступает срок {due} {plural(due, 'мероприятия', 'мероприятий', 'мероприятий')}"
        )
    shown = items[:ITEMS_PER_LETTER]
    outro = ""
    if len(items) > len(shown):
        outro = (
            f"В письме — первые {len(shown)}; все мероприятия — на странице «Мониторинг»: "
            f"{absolute(reverse('roadmaps:monitoring'))}"
        )
    return letter(
        user,
        f"Сроки мероприятий: {organization.short_name}",
        f"{organization.short_name}: в действующих планах на {today:%d.%m.%Y} {', '.join(parts)}:",
        [_item_entry(item, today) for item in shown],
        outro,
    )


def send_deadlines(today: datetime.date, days: int, sent: Sent) -> None:
    by_owner: dict[int, list[Item]] = defaultdict(list)
    for item in deadline_items(today, days):
        by_owner[item.roadmap.owner_id].append(item)
    for membership in _writers(by_owner):
        items = by_owner[membership.organization_id]
        outcome = _once(
            membership.user,
            SentReminder.Kind.DEADLINES,
            f"org:{membership.organization_id}",
            today,
            lambda m=membership, i=items: deadlines_letter(
                m.user, m.organization, i, today, days
            ).send(),
        )
        _count(sent, "deadlines", outcome)


# Questionnaires not sent before a round closes


def closing_rounds(today: datetime.date, days: int):
    return Round.objects.filter(
        status=Round.Status.OPEN,
        closes_on__gte=today,
        closes_on__lte=today + datetime.timedelta(days=days),
    ).order_by("closes_on", "pk")


def unsent_schools(round_: Round):
    """The round's schools whose questionnaire is not sent (none, a draft, or returned)."""
    sent = Submission.objects.filter(round=round_, status__in=Submission.SCORED_STATUSES).values(
        "school_id"
    )
    return round_.schools.exclude(pk__in=sent)


def _round_closing_text(round_: Round, school, today: datetime.date) -> str:
    left = (round_.closes_on - today).days
    if left == 0:
        when = "раунд закрывается сегодня"
    else:
        when = f"до окончания {plural(left, 'остался', 'осталось', 'осталось')} {count(left, DAYS)}"
    return (
        f"Анкета самодиагностики {quote(round_.name)} школы {school.short_name} не отправлена, "
        f"а {when} ({round_.closes_on:%d.%m.%Y})."
    )


def send_round_closing(today: datetime.date, days: int, sent: Sent) -> None:
    for round_ in closing_rounds(today, days):
        schools = unsent_schools(round_)
        for membership in _writers(schools.values_list("pk", flat=True), with_email=False):
            school, user = membership.organization, membership.user
            text = _round_closing_text(round_, school, today)
            link = reverse("selfdiag:questionnaire", args=[round_.pk, school.pk])

            def remind(user=user, text=text, link=link, round_=round_):
                notification = Notification.objects.create(
                    recipient=user,
                    kind=Notification.Kind.ROUND_CLOSING,
                    text=text,
                    link=link,
                    obj=round_,
                )
                if user.email and EmailPreference.mode_of(user) != EmailPreference.Mode.NONE:
                    letter(
                        user,
                        "Раунд самодиагностики скоро закроется",
                        "Напоминание:",
                        [Entry(text, link)],
                        "Заполните и отправьте анкету до окончания раунда.",
                    ).send()
                    notification.emailed_at = timezone.now()
                    notification.save(update_fields=["emailed_at"])

            # Once per round and school: the day in the log is the round's last day.
            outcome = _once(
                user,
                SentReminder.Kind.ROUND_CLOSING,
                f"round:{round_.pk}:school:{school.pk}",
                round_.closes_on,
                remind,
            )
            _count(sent, "round_closing", outcome)


# The daily digest


def send_digests(today: datetime.date, sent: Sent) -> None:
    pending = (
        Notification.objects.unread()
        .filter(
            emailed_at__isnull=True,
            recipient__is_active=True,
            recipient__email_preference__mode=EmailPreference.Mode.DIGEST,
        )
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("recipient_id", "created", "pk")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.recipient_id].append(notification)
    for notifications in by_user.values():
        user = notifications[0].recipient

        def send(user=user, notifications=notifications):
            n = len(notifications)
            letter(
                user,
                f"Сводка: {unread_phrase(n)}",
                f"Уведомления, которые вы ещё не прочитали, на {today:%d.%m.%Y}:",
                [Entry(item.text, item.link) for item in notifications],
            ).send()
            Notification.objects.filter(pk__in=[item.pk for item in notifications]).update(
                emailed_at=timezone.now()
            )

        _count(sent, "digests", _once(user, SentReminder.Kind.DIGEST, "", today, send))
