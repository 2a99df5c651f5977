import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.validators import validate_single_line


class CalendarFeedToken(models.Model):
    """A user's secret key to their calendar feeds, which calendar clients fetch without a login.

    The key works like a password and is kept like one: only its SHA-256 is stored, so a copy
    of the database or of a backup opens no feed. The user sees the key once, right after it is
    made; a user who lost it makes a new one, which also switches every old feed address off.
    A short prefix of the key finds the row; the hash is then compared in constant time.
    """

    PREFIX_LENGTH = 8
    # Calendar clients poll every few minutes; the time of use is written at most this often.
    TOUCH_EVERY = timedelta(minutes=15)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed_token",
        verbose_name="пользователь",
    )
    prefix = models.CharField(
        "начало ключа", max_length=PREFIX_LENGTH, db_index=True, validators=[validate_single_line]
    )
    token_hash = models.CharField(
        "SHA-256 ключа", max_length=64, unique=True, validators=[validate_single_line]
    )
    created = models.DateTimeField("создан", default=timezone.now)
    last_used = models.DateTimeField("последнее обращение", null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = "ключ календаря"
        verbose_name_plural = "ключи календаря"

    def __str__(self):
        return f"{self.user} · {self.prefix}…"

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user) -> str:
        """A new key for the user, replacing the old one; the only time the key is known."""
        token = secrets.token_urlsafe(32)
        cls.objects.update_or_create(
            user=user,
            defaults={
                "prefix": token[: cls.PREFIX_LENGTH],
                "token_hash": cls.digest(token),
                "created": timezone.now(),
                "last_used": None,
            },
        )
        return token

    @classmethod
    def find(cls, token: str):
        """The key's row if the key is current and its user active, else None."""
        if not token or len(token) > 100:
            return None
        digest = cls.digest(token)
        candidates = cls.objects.filter(
            prefix=token[: cls.PREFIX_LENGTH], user__is_active=True
        ).select_related("user")
        for candidate in candidates:
            if hmac.compare_digest(candidate.token_hash, digest):
                return candidate
        return None

    def matches(self, token: str) -> bool:
        return hmac.compare_digest(self.token_hash, self.digest(token))

    def touch(self) -> None:
        now = timezone.now()
        if self.last_used is None or now - self.last_used >= self.TOUCH_EVERY:
            type(self).objects.filter(pk=self.pk).update(last_used=now)
            self.last_used = now


def plan_file_path(instance, filename):
    """plans/<roadmap pk>/<name>: one folder per plan version, under the default storage."""
    return f"plans/{instance.roadmap_id}/{filename}"


class PlanFile(models.Model):
    """A file of an approved (or archived) plan version, made once and then served as stored.

    An approved version never changes through the portal, so its PDF (2–3 s of WeasyPrint for a
    150-item plan), Excel and Word files are made in the background when it is approved and
    downloads read them from storage (reports/stored.py). `source_key` says what the file was
    made from: the plan's lock_version and time of change, its owner's names and the code that
    draws it; a file whose key no longer matches is made again on the next download. Drafts
    and plans on review are drawn on every download and never stored.
    """

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel"
        DOCX = "docx", "Word"

    roadmap = models.ForeignKey(
        "roadmaps.Roadmap",
        on_delete=models.CASCADE,
        related_name="stored_files",
        verbose_name="дорожная карта",
    )
    format = models.CharField("формат", max_length=8, choices=Format.choices)
    file = models.FileField("файл", upload_to=plan_file_path, max_length=255)
    size = models.PositiveIntegerField("размер, байт")
    source_key = models.CharField(
        "ключ исходных данных", max_length=64, validators=[validate_single_line]
    )
    render_seconds = models.FloatField("время изготовления, с", default=0)
    created = models.DateTimeField("сформирован", default=timezone.now)

    class Meta:
        ordering = ["roadmap", "format"]
        verbose_name = "файл утверждённого плана"
        verbose_name_plural = "файлы утверждённых планов"
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "format"], name="plan_file_unique_format")
        ]

    def __str__(self):
        return f"{self.roadmap_id}.{self.format}"
