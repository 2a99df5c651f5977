"""Letters: one notification, a digest, a reminder. Every letter has a plain-text body and a
simple HTML alternative, absolute links back to the portal (PORTAL_BASE_URL), an unsubscribe
link that works without logging in (a signed token: one click sets «не присылать») and the
List-Unsubscribe headers mail clients show as a button (RFC 2369, one-click RFC 8058).

Letters go out through Django's mail framework (EMAIL_* settings), only to users with an
address who have not chosen «не присылать».
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notifications.models import EmailPreference, Notification
from portal.russian import count

logger = logging.getLogger(__name__)

SITE_NAME = "Школа Минпросвещения России"
UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def absolute(link: str) -> str:
    """A path of the portal as an address that opens from a mail client."""
    if not link or "://" in link:
        return link
    return settings.PORTAL_BASE_URL + link


def unread_phrase(n: int) -> str:
    """«1 непрочитанное уведомление», «3 непрочитанных уведомления», «нет непрочитанных…»."""
    if not n:
        return "нет непрочитанных уведомлений"
    words = ("непрочитанное уведомление", "непрочитанных уведомления", "непрочитанных уведомлений")
    return count(n, words)


# Unsubscribing without logging in


def unsubscribe_token(user) -> str:
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def user_id_from_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe_url(user) -> str:
    return absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(user)]))


# Building a letter


@dataclass
class Entry:
    """A line of a letter: what happened and where to see it."""

    text: str
    link: str = ""
    note: str = ""

    @property
    def url(self) -> str:
        return absolute(self.link)


def wants_email(user) -> bool:
    return (
        bool(user.email)
        and user.is_active
        and (EmailPreference.mode_of(user) != EmailPreference.Mode.NONE)
    )


def letter(user, subject: str, intro: str, entries: list[Entry], outro: str = ""):
    """The message (not yet sent) to `user`."""
    context = {
        "user": user,
        "name": user.get_full_name() or user.username,
        "intro": intro,
        "entries": entries,
        "outro": outro,
        "portal_url": absolute(reverse("home")),
        "settings_url": absolute(reverse("notifications:settings")),
        "unsubscribe_url": unsubscribe_url(user),
        "site_name": SITE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=f"{subject} · {SITE_NAME}",
        body=render_to_string("notifications/email/letter.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("notifications/email/letter.html", context), "text/html"
    )
    return message


def notification_letter(notification: Notification):
    kind = notification.get_kind_display()
    return letter(
        notification.recipient,
        kind[:1].upper() + kind[1:],
        "На портале новое уведомление для вас:",
        [Entry(notification.text, notification.link)],
    )


# Sending notifications as they happen


def immediate_recipients_q(prefix: str = "recipient__") -> Q:
    """Users who want a letter for each notification (no preference saved means that)."""
    return Q(**{f"{prefix}email_preference__isnull": True}) | Q(
        **{f"{prefix}email_preference__mode": EmailPreference.Mode.IMMEDIATE}
    )


def send_immediately(notification_ids) -> int:
    """Send the letters of these notifications to recipients who want them at once; each is
    claimed (emailed_at) before it is sent, so a task run twice sends nothing twice. Returns
    the number of letters sent."""
    pending = (
        Notification.objects.filter(pk__in=list(notification_ids), emailed_at__isnull=True)
        .filter(immediate_recipients_q())
        .filter(recipient__is_active=True)
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("pk")
    )
    sent = 0
    with get_connection() as connection:
        for notification in pending:
            claimed = Notification.objects.filter(
                pk=notification.pk, emailed_at__isnull=True
            ).update(emailed_at=timezone.now())
            if not claimed:
                continue
            try:
                message = notification_letter(notification)
                message.connection = connection
                message.send()
            except Exception:
                # Unclaimed again: the recipient still sees it on the portal, and a digest
                # or a later run may carry it.
                Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
                logger.exception("notification %s: the letter was not sent", notification.pk)
                continue
            sent += 1
    return sent
