"""Self-diagnosis in the database: methodology versions, rounds, submissions and stored results.

The methodology rows mirror a validated document (selfdiag.methodology) so that the admin can
correct a wording or a point value and queries can join on indicators; `Methodology.as_plain()`
turns the rows back into the plain dataclasses that selfdiag.scoring works on.

Results of scoring are stored, not recomputed on every page: the submission keeps the totals,
`DirectionResult` one row per direction and `Deficit` one row per indicator below its maximum.
Both carry the round and the school as well, so the deficit map and the dynamics of a region are
single grouped queries.
"""

import threading
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import events
from orgs.models import Organization, Region
from portal.validators import validate_multiline, validate_single_line
from selfdiag import methodology as plain
from selfdiag.querysets import (
    DeficitQuerySet,
    DirectionResultQuerySet,
    MethodologyQuerySet,
    RoundQuerySet,
    SubmissionQuerySet,
)


class Level(models.TextChoices):
    BELOW_BASE = plain.BELOW_BASE, plain.LEVELS[plain.BELOW_BASE]
    BASE = plain.BASE, plain.LEVELS[plain.BASE]
    MEDIUM = plain.MEDIUM, plain.LEVELS[plain.MEDIUM]
    HIGH = plain.HIGH, plain.LEVELS[plain.HIGH]


class ThresholdMode(models.TextChoices):
    SHARE = plain.MODE_SHARE, "доля от максимума"
    POINTS = plain.MODE_POINTS, "баллы"


def _number(value: float) -> int | float:
    """Points as the plain module writes them: 2, not 2.0."""
    return int(value) if float(value).is_integer() else float(value)


class ThresholdFields(models.Model):
    """Thresholds of levels, shared by a methodology (overall) and each of its directions."""

    threshold_mode = models.CharField(
        "режим порогов", max_length=8, choices=ThresholdMode.choices, default=ThresholdMode.SHARE
    )
    threshold_base = models.FloatField("порог «базовый»")
    threshold_medium = models.FloatField("порог «средний»")
    threshold_high = models.FloatField("порог «высокий»")

    class Meta:
        abstract = True

    def thresholds_data(self) -> dict:
        return {
            "mode": self.threshold_mode,
            "base": _number(self.threshold_base),
            "medium": _number(self.threshold_medium),
            "high": _number(self.threshold_high),
        }

    def clean(self):
        values = (self.threshold_base, self.threshold_medium, self.threshold_high)
        if None in values:
            return
        if any(value < 0 for value in values):
            raise ValidationError("Пороги не могут быть отрицательными.")
        if self.threshold_mode == ThresholdMode.SHARE and any(value > 1 for value in values):
            raise ValidationError("В режиме «доля от максимума» пороги задаются от 0 до 1.")
        if not values[0] <= values[1] <= values[2]:
            raise ValidationError("Пороги должны расти: базовый ≤ средний ≤ высокий.")


# Plain methodologies built from rows, by (pk, revision). Every change of the rows gives a new
# revision, so a stale entry is never used, in this process or any other.
_PLAIN_CACHE: dict[tuple[int, int], plain.Methodology] = {}
_PLAIN_LOCK = threading.Lock()


class Methodology(ThresholdFields):
    """One version of the self-diagnosis methodology."""

    version = models.CharField(
        "код версии", max_length=64, unique=True, validators=[validate_single_line]
    )
    name = models.CharField("наименование", max_length=500, validators=[validate_single_line])
    description = models.TextField(
        "описание", blank=True, max_length=5000, validators=[validate_multiline]
    )
    is_demo = models.BooleanField(
        "демонстрационная", default=False, help_text="условные показатели для проверки портала"
    )
    critical_caps_overall = models.BooleanField(
        "критический показатель ограничивает общий уровень", default=True
    )
    source = models.JSONField("исходный документ (как загружен)", default=dict, editable=False)
    source_filename = models.CharField(
        "загружена из файла", max_length=255, blank=True, validators=[validate_single_line]
    )
    loaded_at = models.DateTimeField("загружена", default=timezone.now)
    # A new random value on every change of the rows: the key of the cached plain methodology.
    # Random rather than a counter, so a rolled-back change cannot leave a cached entry that a
    # later change would reuse.
    revision = models.UUIDField("редакция", default=uuid.uuid4, editable=False)

    objects = MethodologyQuerySet.as_manager()

    class Meta:
        ordering = ["-loaded_at", "version"]
        verbose_name = "методика самодиагностики"
        verbose_name_plural = "методики самодиагностики"

    def __str__(self):
        return f"{self.name} ({self.version})"

    def bump_revision(self) -> None:
        self.revision = uuid.uuid4()
        Methodology.objects.filter(pk=self.pk).update(revision=self.revision)

    def as_data(self) -> dict:
        """The rows as a methodology document, in the format selfdiag.methodology reads."""
        directions = list(self.directions.order_by("position", "pk"))
        indicators = list(
            Indicator.objects.filter(methodology=self)
            .select_related("direction")
            .prefetch_related("options")
            .order_by("direction__position", "position", "pk")
        )
        data = {
            "version": self.version,
            "name": self.name,
            "thresholds": self.thresholds_data(),
            "critical_caps_overall": self.critical_caps_overall,
            "directions": [
                {
                    "code": d.code,
                    "name": d.name,
                    "group": d.group,
                    "thresholds": d.thresholds_data(),
                }
                for d in directions
            ],
            "indicators": [indicator.as_data() for indicator in indicators],
        }
        if self.description.strip():
            data["description"] = self.description
        return data

    def as_plain(self) -> plain.Methodology:
        """The validated plain methodology, cached per revision.

        Raises MethodologyError when an edit in the admin left the rows inconsistent.
        """
        key = (self.pk, self.revision)
        cached = _PLAIN_CACHE.get(key)
        if cached is None:
            cached = plain.parse_methodology(self.as_data())
            with _PLAIN_LOCK:
                for stale in [k for k in _PLAIN_CACHE if k[0] == self.pk]:
                    _PLAIN_CACHE.pop(stale, None)
                _PLAIN_CACHE[key] = cached
        return cached


class MethodologyDirection(ThresholdFields):
    """A direction (or key condition) as one methodology version describes it."""

    class Group(models.TextChoices):
        DIRECTION = plain.GROUP_DIRECTION, plain.GROUPS[plain.GROUP_DIRECTION]
        CONDITION = plain.GROUP_CONDITION, plain.GROUPS[plain.GROUP_CONDITION]

    methodology = models.ForeignKey(
        Methodology, on_delete=models.CASCADE, related_name="directions", verbose_name="методика"
    )
    code = models.SlugField("код", max_length=32, validators=[validate_single_line])
    name = models.CharField("наименование", max_length=200, validators=[validate_single_line])
    group = models.CharField("группа", max_length=16, choices=Group.choices)
    position = models.PositiveSmallIntegerField("порядок", default=0)
    roadmap_direction = models.ForeignKey(
        "roadmaps.Direction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="направление дорожных карт",
        help_text="связывается по коду при загрузке методики",
    )

    class Meta:
        ordering = ["methodology", "position"]
        verbose_name = "направление методики"
        verbose_name_plural = "направления методики"
        constraints = [
            models.UniqueConstraint(
                fields=["methodology", "code"], name="selfdiag_direction_unique_code"
            )
        ]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    methodology = models.ForeignKey(
        Methodology, on_delete=models.CASCADE, related_name="indicators", verbose_name="методика"
    )
    direction = models.ForeignKey(
        MethodologyDirection,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name="направление",
    )
    code = models.CharField("код", max_length=32, validators=[validate_single_line])
    wording = models.TextField("формулировка", max_length=2000, validators=[validate_multiline])
    critical = models.BooleanField(
        "критический", default=False, help_text="ноль баллов ограничивает уровень направления"
    )
    for_noo = models.BooleanField("для НОО", default=False)
    for_ooo = models.BooleanField("для ООО", default=False)
    for_soo = models.BooleanField("для СОО", default=False)
    ovz_only = models.BooleanField("только при обучающихся с ОВЗ", default=False)
    position = models.PositiveSmallIntegerField("порядок в направлении", default=0)

    class Meta:
        ordering = ["methodology", "direction__position", "position"]
        verbose_name = "показатель"
        verbose_name_plural = "показатели"
        constraints = [
            models.UniqueConstraint(
                fields=["methodology", "code"], name="selfdiag_indicator_unique_code"
            )
        ]

    def __str__(self):
        return f"{self.code}. {self.wording[:80]}"

    @property
    def levels(self) -> list[str]:
        flags = (self.for_noo, self.for_ooo, self.for_soo)
        return [level for level, on in zip(plain.EDUCATION_LEVELS, flags, strict=True) if on]

    @property
    def applicability_label(self) -> str:
        parts = []
        if self.levels:
            parts.append(", ".join(self.levels))
        if self.ovz_only:
            parts.append("при обучающихся с ОВЗ")
        return "; ".join(parts) or "все школы"

    def as_data(self) -> dict:
        data = {
            "code": self.code,
            "direction": self.direction.code,
            "wording": self.wording,
            "options": [
                {"code": o.code, "label": o.label, "points": _number(o.points)}
                for o in sorted(self.options.all(), key=lambda o: (o.position, o.pk))
            ],
            "critical": self.critical,
        }
        if self.levels or self.ovz_only:
            data["applies_to"] = {"levels": self.levels, "ovz": True if self.ovz_only else None}
        return data

    def clean(self):
        if (
            self.direction_id
            and self.methodology_id
            and self.direction.methodology_id != self.methodology_id
        ):
            raise ValidationError({"direction": "Направление другой методики."})


class Option(models.Model):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="options", verbose_name="показатель"
    )
    code = models.CharField("код", max_length=32, validators=[validate_single_line])
    label = models.CharField("вариант ответа", max_length=300, validators=[validate_single_line])
    points = models.FloatField("баллы")
    position = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        ordering = ["indicator", "position"]
        verbose_name = "вариант ответа"
        verbose_name_plural = "варианты ответа"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "code"], name="selfdiag_option_unique"),
            models.CheckConstraint(condition=Q(points__gte=0), name="selfdiag_option_points"),
        ]

    def __str__(self):
        return self.label


class Round(models.Model):
    """A self-diagnosis campaign of a region: which schools answer, by which methodology, when."""

    class Status(models.TextChoices):
        OPEN = "open", "открыт"
        CLOSED = "closed", "закрыт"

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="selfdiag_rounds", verbose_name="субъект РФ"
    )
    name = models.CharField("наименование", max_length=300, validators=[validate_single_line])
    opens_on = models.DateField("начало")
    closes_on = models.DateField("окончание")
    methodology = models.ForeignKey(
        Methodology, on_delete=models.PROTECT, related_name="rounds", verbose_name="методика"
    )
    schools = models.ManyToManyField(
        Organization,
        related_name="selfdiag_rounds",
        limit_choices_to={"kind": Organization.Kind.SCHOOL},
        verbose_name="школы",
    )
    status = models.CharField(
        "статус", max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="создал",
    )
    created = models.DateTimeField("создан", auto_now_add=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-closes_on", "name"]
        verbose_name = "раунд самодиагностики"
        verbose_name_plural = "раунды самодиагностики"
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="selfdiag_round_unique_name"),
            models.CheckConstraint(
                condition=Q(opens_on__lte=F("closes_on")), name="selfdiag_round_dates_ordered"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def close(self) -> None:
        self.status = self.Status.CLOSED
        self.save(update_fields=["status"])

    def reopen(self) -> None:
        self.status = self.Status.OPEN
        self.save(update_fields=["status"])


class SubmissionError(Exception):
    """A workflow step that the submission's state does not allow; the message is for people."""


class Submission(models.Model):
    """One school's self-diagnosis in one round, with its stored result."""

    class Status(models.TextChoices):
        DRAFT = "draft", "заполняется"
        SUBMITTED = "submitted", "отправлена"
        RETURNED = "returned", "возвращена на доработку"
        ACCEPTED = "accepted", "принята"

    SCORED_STATUSES = (Status.SUBMITTED, Status.ACCEPTED)
    SUBMITTED_FIELDS = (
        "status",
        "submitted_at",
        "submitted_by",
        "profile_levels",
        "profile_has_ovz",
        "updated",
    )

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="submissions", verbose_name="раунд"
    )
    school = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="selfdiag_submissions",
        verbose_name="школа",
    )
    status = models.CharField(
        "статус", max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # The school's profile when it submitted: recomputing an old round must not change which
    # indicators it was asked because the directory changed since.
    profile_levels = models.JSONField("уровни образования при отправке", default=list)
    profile_has_ovz = models.BooleanField("обучающиеся с ОВЗ при отправке", default=False)

    submitted_at = models.DateTimeField("отправлена", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="отправил",
    )
    reviewed_at = models.DateTimeField("проверена", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="проверил",
    )
    review_comment = models.TextField(
        "комментарий проверяющего", blank=True, max_length=5000, validators=[validate_multiline]
    )

    # The stored result (empty until the first submission is scored).
    total_points = models.FloatField("баллы", null=True, blank=True)
    max_points = models.FloatField("максимум баллов", null=True, blank=True)
    share = models.FloatField("доля от максимума", null=True, blank=True)
    level = models.CharField("уровень", max_length=16, choices=Level.choices, blank=True)
    capped_by_critical = models.BooleanField(
        "уровень ограничен критическим показателем", default=False
    )
    unanswered_count = models.PositiveIntegerField("без ответа", default=0)
    deficit_count = models.PositiveIntegerField("дефицитов", default=0)
    scored_at = models.DateTimeField("подсчитано", null=True, blank=True)

    created = models.DateTimeField("создана", auto_now_add=True)
    updated = models.DateTimeField("изменена", auto_now=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["round", "school__municipality__name", "school__short_name"]
        verbose_name = "самодиагностика школы"
        verbose_name_plural = "самодиагностика школ"
        constraints = [
            models.UniqueConstraint(fields=["round", "school"], name="selfdiag_submission_unique")
        ]
        indexes = [
            models.Index(fields=["school", "status"], name="selfdiag_submission_school"),
        ]

    def __str__(self):
        return f"{self.school} — {self.round}"

    @property
    def is_editable(self) -> bool:
        """Answers can change: a draft while the round is open, or a returned submission."""
        if self.status == self.Status.RETURNED:
            return True
        return self.status == self.Status.DRAFT and self.round.is_open

    @property
    def is_scored(self) -> bool:
        return self.scored_at is not None

    def profile(self):
        from selfdiag.scoring import SchoolProfile

        if self.submitted_at is not None:
            return SchoolProfile(self.profile_levels, self.profile_has_ovz)
        return school_profile(self.school)

    def answers_by_code(self) -> dict[str, str]:
        # No ordering: Answer's default one joins five tables and costs more to plan than to run.
        return dict(self.answers.order_by().values_list("indicator__code", "option__code"))

    @classmethod
    @transaction.atomic
    def start(cls, round_: Round, school: Organization) -> tuple["Submission", bool]:
        """The school's questionnaire in the round, started as a draft when there is none yet
        (and the round is open); returns it and whether it was started now."""
        existing = cls.objects.filter(round=round_, school=school).first()
        if existing is not None:
            return existing, False
        if not round_.is_open:
            raise SubmissionError("Раунд закрыт: новую анкету не начать.")
        return cls.objects.get_or_create(round=round_, school=school)

    def _lock(self) -> None:
        """Re-read the status and the round's status under the row's lock, so that of two
        concurrent steps the second sees what the first wrote."""
        self.status, round_status = (
            Submission.objects.select_for_update(of=("self",))
            .filter(pk=self.pk)
            .values_list("status", "round__status")
            .get()
        )
        if Submission.round.is_cached(self):
            self.round.status = round_status

    def mark_submitted(self, *, by, at) -> None:
        """Set, unsaved, what sending the questionnaire writes (SUBMITTED_FIELDS), with the
        school's profile as it is now. `submit` and the Excel import (which saves many at once)
        both send this way."""
        self.status = self.Status.SUBMITTED
        self.submitted_at = at
        self.submitted_by = by
        self.profile_levels = list(self.school.education_levels)
        self.profile_has_ovz = self.school.has_ovz_pupils
        self.updated = at

    @transaction.atomic
    def submit(self, *, by) -> None:
        """Send the answers for review and store the result; unanswered questions count as 0."""
        self._lock()
        if self.status in self.SCORED_STATUSES:
            raise SubmissionError(
                f"Анкета уже {self.get_status_display()}: отправить её ещё раз нельзя."
            )
        if not self.is_editable:
            raise SubmissionError("Раунд закрыт: анкету больше не отправить.")
        self.mark_submitted(by=by, at=timezone.now())
        self.save(update_fields=self.SUBMITTED_FIELDS)
        from selfdiag.results import store_results

        store_results([self])
        self.refresh_from_db()
        events.submission_submitted(self, by)  # on commit: the school's reviewers are told

    @transaction.atomic
    def review(self, *, by, accept: bool, comment: str = "") -> None:
        """Accept a sent questionnaire, or return a sent or accepted one to the school with
        what to correct (then its answers can change again). A comment is optional when
        accepting; it replaces the previous one only when given."""
        comment = (comment or "").strip()
        if not accept and not comment:
            raise SubmissionError("Напишите, что нужно исправить.")
        self._lock()
        if accept and self.status != self.Status.SUBMITTED:
            raise SubmissionError(
                f"Принять можно только отправленную анкету; эта анкета {self.get_status_display()}."
            )
        if not accept and self.status not in self.SCORED_STATUSES:
            raise SubmissionError(
                f"Вернуть можно только отправленную или принятую анкету; эта анкета "
                f"{self.get_status_display()}."
            )
        self.status = self.Status.ACCEPTED if accept else self.Status.RETURNED
        self.reviewed_at = timezone.now()
        self.reviewed_by = by
        fields = ["status", "reviewed_at", "reviewed_by", "updated"]
        if comment:
            self.review_comment = comment
            fields.append("review_comment")
        self.save(update_fields=fields)
        events.submission_reviewed(self, by)  # on commit: the school's writers are told

    def accept(self, *, by, comment: str = "") -> None:
        self.review(by=by, accept=True, comment=comment)

    def return_for_correction(self, *, by, comment: str) -> None:
        self.review(by=by, accept=False, comment=comment)


def school_profile(school: Organization):
    from selfdiag.scoring import SchoolProfile

    return SchoolProfile(school.education_levels, school.has_ovz_pupils)


class Answer(models.Model):
    """One answer; each is its own row, so two open tabs saving different answers lose nothing."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="answers", verbose_name="анкета"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="answers", verbose_name="показатель"
    )
    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, related_name="answers", verbose_name="ответ"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ответил",
    )
    answered_at = models.DateTimeField("когда", auto_now=True)

    class Meta:
        ordering = ["submission", "indicator__direction__position", "indicator__position"]
        verbose_name = "ответ"
        verbose_name_plural = "ответы"
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "indicator"], name="selfdiag_answer_unique"
            )
        ]

    def __str__(self):
        return f"{self.indicator.code}: {self.option.label}"


class DirectionResult(models.Model):
    """A school's points and level in one direction of one round (stored on scoring)."""

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="direction_results",
        verbose_name="анкета",
    )
    # Denormalised from the submission: the deficit map groups by round and municipality.
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="+", verbose_name="раунд"
    )
    school = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name="школа"
    )
    direction = models.ForeignKey(
        MethodologyDirection,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name="направление",
    )
    direction_code = models.SlugField(
        "код направления", max_length=32, validators=[validate_single_line]
    )
    points = models.FloatField("баллы")
    max_points = models.FloatField("максимум")
    share = models.FloatField("доля")
    level = models.CharField("уровень", max_length=16, choices=Level.choices)
    capped_by_critical = models.BooleanField("ограничен критическим показателем", default=False)

    objects = DirectionResultQuerySet.as_manager()

    class Meta:
        ordering = ["submission", "direction__position"]
        verbose_name = "результат по направлению"
        verbose_name_plural = "результаты по направлениям"
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "direction_code"], name="selfdiag_direction_result_unique"
            )
        ]
        indexes = [
            models.Index(fields=["round", "direction_code", "level"], name="selfdiag_dirres_round"),
            models.Index(fields=["school", "direction_code"], name="selfdiag_dirres_school"),
        ]

    def __str__(self):
        return f"{self.direction_code}: {self.points:g} из {self.max_points:g}"


class Deficit(models.Model):
    """An applicable indicator where the school got less than the maximum (stored on scoring)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="deficits", verbose_name="анкета"
    )
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="+", verbose_name="раунд"
    )
    school = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name="школа"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="deficits", verbose_name="показатель"
    )
    indicator_code = models.CharField(
        "код показателя", max_length=32, validators=[validate_single_line]
    )
    direction_code = models.SlugField(
        "код направления", max_length=32, validators=[validate_single_line]
    )
    points = models.FloatField("баллы")
    max_points = models.FloatField("максимум")
    critical = models.BooleanField("критический", default=False)
    # Scoring order: critical deficits first, then by direction and indicator.
    position = models.PositiveSmallIntegerField("порядок", default=0)

    objects = DeficitQuerySet.as_manager()

    class Meta:
        ordering = ["submission", "position"]
        verbose_name = "дефицит"
        verbose_name_plural = "дефициты"
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "indicator_code"], name="selfdiag_deficit_unique"
            )
        ]
        indexes = [
            models.Index(fields=["round", "direction_code"], name="selfdiag_deficit_round"),
            models.Index(fields=["round", "indicator_code"], name="selfdiag_deficit_indicator"),
        ]

    def __str__(self):
        return f"{self.indicator_code}: {self.points:g} из {self.max_points:g}"
