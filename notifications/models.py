"""Notifications of a user, how they want them by e-mail, and the log of reminders sent.

A notification is written once for each recipient by `notifications.notify` (on commit of the
write that caused it); the page, the header's counter and the API read them. E-mail follows the
recipient's `EmailPreference` (none means «immediately»).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from portal.validators import validate_multiline, validate_single_line


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_user(self, user):
        """A user's own notifications (an anonymous user has none)."""
        return self.filter(recipient_id=user.pk) if user.is_authenticated else self.none()

    def unread_first(self):
        return self.order_by(models.F("read_at").desc(nulls_first=True), "-created", "-pk")

    def mark_read(self) -> int:
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    class Kind(models.TextChoices):
        PLAN_SUBMITTED = "plan_submitted", "план направлен на согласование"
        PLAN_APPROVED = "plan_approved", "план утверждён"
        PLAN_RETURNED = "plan_returned", "план возвращён на доработку"
        SUBMISSION_SUBMITTED = "submission_submitted", "анкета самодиагностики отправлена"
        SUBMISSION_ACCEPTED = "submission_accepted", "анкета самодиагностики принята"
        SUBMISSION_RETURNED = "submission_returned", "анкета самодиагностики возвращена"
        ROUND_OPENED = "round_opened", "открыт раунд самодиагностики"
        ROUND_CLOSING = "round_closing", "раунд самодиагностики скоро закроется"
        ITEM_ASSIGNED = "item_assigned", "организации поручено мероприятие"
        JOB_FINISHED = "job_finished", "фоновое задание завершено"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="получатель",
    )
    kind = models.CharField("вид", max_length=32, choices=Kind.choices)
    text = models.TextField("текст", max_length=6000, validators=[validate_multiline])
    link = models.CharField("ссылка", max_length=500, blank=True, validators=[validate_single_line])
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, verbose_name="тип объекта"
    )
    object_id = models.PositiveBigIntegerField("объект", null=True, blank=True)
    obj = GenericForeignKey("content_type", "object_id")
    created = models.DateTimeField("создано", default=timezone.now)
    read_at = models.DateTimeField("прочитано", null=True, blank=True)
    # When the notification went out by e-mail (immediately or in a digest); null: not yet.
    emailed_at = models.DateTimeField("отправлено письмом", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = "уведомление"
        verbose_name_plural = "уведомления"
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created"], name="notification_inbox"),
            models.Index(fields=["content_type", "object_id"], name="notification_object"),
        ]

    def __str__(self):
        return f"{self.recipient} — {self.get_kind_display()}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailPreference(models.Model):
    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", "сразу — письмо на каждое уведомление"
        DIGEST = "digest", "раз в день — сводка непрочитанных уведомлений"
        NONE = "none", "не присылать писем"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_preference",
        verbose_name="пользователь",
    )
    mode = models.CharField(
        "письма об уведомлениях", max_length=16, choices=Mode.choices, default=Mode.IMMEDIATE
    )
    updated = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        verbose_name = "настройка писем"
        verbose_name_plural = "настройки писем"

    def __str__(self):
        return f"{self.user}: {self.get_mode_display()}"

    @classmethod
    def mode_of(cls, user) -> str:
        return cls.objects.filter(user=user).values_list("mode", flat=True).first() or (
            cls.Mode.IMMEDIATE
        )

    @classmethod
    def set_mode(cls, user, mode: str) -> None:
        cls.objects.update_or_create(user=user, defaults={"mode": mode})


class SentReminder(models.Model):
    """One reminder to one user: the row is inserted before the letter is sent, in the same
    transaction as the claim, so a second run of `send_reminders` the same day sends nothing
    twice (the unique constraint refuses the second row)."""

    class Kind(models.TextChoices):
        DEADLINES = "deadlines", "сроки мероприятий организации"
        ROUND_CLOSING = "round_closing", "анкета не отправлена, раунд закрывается"
        DIGEST = "digest", "сводка уведомлений за день"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="получатель",
    )
    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    # What the reminder is about: "org:<id>", "round:<id>:school:<id>", "" for the digest.
    key = models.CharField("о чём", max_length=64, blank=True, validators=[validate_single_line])
    day = models.DateField("день")
    created = models.DateTimeField("отправлено", default=timezone.now)

    class Meta:
        ordering = ["-day", "recipient"]
        verbose_name = "отправленное напоминание"
        verbose_name_plural = "отправленные напоминания"
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key", "day"], name="sent_reminder_once_a_day"
            )
        ]

    def __str__(self):
        return f"{self.recipient} — {self.get_kind_display()} ({self.day:%d.%m.%Y})"
