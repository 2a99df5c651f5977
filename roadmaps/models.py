import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from orgs.models import Organization
from roadmaps.querysets import ItemQuerySet, RoadmapQuerySet


class Direction(models.Model):
    """A магистральное направление or ключевое условие of the federal project."""

    class Group(models.TextChoices):
        DIRECTION = "direction", "магистральное направление"
        CONDITION = "condition", "ключевое условие"

    code = models.SlugField("код", max_length=32, unique=True)
    name = models.CharField("наименование", max_length=100, unique=True)
    group = models.CharField("группа", max_length=16, choices=Group.choices)
    position = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = "направление"
        verbose_name_plural = "направления"

    def __str__(self):
        return self.name


class Roadmap(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "черновик"
        REVIEW = "review", "на согласовании"
        RETURNED = "returned", "возвращена на доработку"
        APPROVED = "approved", "утверждена"
        ARCHIVED = "archived", "в архиве"

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    owner = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="roadmaps", verbose_name="владелец"
    )
    title = models.CharField("наименование", max_length=1000)
    period_start = models.DateField("начало периода")
    period_end = models.DateField("конец периода")
    status = models.CharField(
        "статус", max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    implements = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="implementations",
        verbose_name="реализует план",
    )

    approval_kind = models.CharField("вид документа об утверждении", max_length=200, blank=True)
    approval_number = models.CharField("номер документа", max_length=100, blank=True)
    approval_date = models.DateField("дата документа", null=True, blank=True)
    approval_issuer = models.CharField("кем утверждён (орган)", max_length=500, blank=True)
    approved_by_name = models.CharField("подписант", max_length=200, blank=True)
    approved_by_position = models.CharField("должность подписанта", max_length=500, blank=True)
    approval_text = models.TextField("гриф утверждения как в документе", blank=True)

    # Versions: «актуализация» copies an approved plan into a new draft of the same lineage.
    lineage = models.UUIDField("линия версий", default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveSmallIntegerField("версия", default=1)
    previous_version = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name="предыдущая версия",
    )
    source_filename = models.CharField("импортирован из файла", max_length=255, blank=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="создал",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="изменил",
    )
    created = models.DateTimeField("создана", auto_now_add=True)
    updated = models.DateTimeField("изменена", auto_now=True)

    objects = RoadmapQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version", "updated"])

    class Meta:
        ordering = ["-period_start", "owner__short_name", "-version"]
        verbose_name = "дорожная карта"
        verbose_name_plural = "дорожные карты"
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="roadmap_unique_version"),
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="roadmap_period_ordered",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def level(self) -> str:
        return self.owner.level

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def period_label(self) -> str:
        start, end = self.period_start, self.period_end
        if (start.month, start.day, end.month, end.day) == (
            1,
            1,
            12,
            31,
        ) and start.year == end.year:
            return f"{start.year} год"
        if (start.month, start.day, end.month, end.day) == (9, 1, 8, 31) and (
            end.year == start.year + 1
        ):
            return f"{start.year}/{end.year} учебный год"
        return f"{start:%d.%m.%Y} – {end:%d.%m.%Y}"


class Section(models.Model):
    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, related_name="sections", verbose_name="дорожная карта"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subsections",
        verbose_name="родительский раздел",
    )
    number = models.CharField("номер", max_length=20, blank=True)
    title = models.CharField("наименование", max_length=1000)
    position = models.PositiveIntegerField("порядок", default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["roadmap", "position"]
        verbose_name = "раздел"
        verbose_name_plural = "разделы"

    def __str__(self):
        return f"{self.number} {self.title}".strip()


class Party(models.Model):
    """Who can answer for an item: an organization, a category, a role or a person.

    Entries with a full name form the plan's glossary («Обозначения и сокращения»).
    """

    class Kind(models.TextChoices):
        ORGANIZATION = "organization", "организация"
        CATEGORY = "category", "категория организаций"
        ROLE = "role", "должность / роль"
        PERSON = "person", "сотрудник"

    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, related_name="parties", verbose_name="дорожная карта"
    )
    name = models.CharField("обозначение", max_length=300)
    full_name = models.CharField("полное наименование", max_length=1000, blank=True)
    kind = models.CharField("вид", max_length=16, choices=Kind.choices, default=Kind.ORGANIZATION)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="организация справочника",
    )
    in_glossary = models.BooleanField("в перечне сокращений", default=False)
    position = models.PositiveIntegerField("порядок", default=0)

    class Meta:
        ordering = ["roadmap", "position", "name"]
        verbose_name = "ответственный"
        verbose_name_plural = "ответственные и сокращения"
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "name"], name="party_unique_name")
        ]

    def __str__(self):
        return self.name


class Item(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "не начато"
        IN_PROGRESS = "in_progress", "выполняется"
        DONE = "done", "выполнено"
        CANCELLED = "cancelled", "отменено"

    class DeadlineKind(models.TextChoices):
        DATES = "dates", "даты"
        UNTIL = "until", "до даты"
        CONTINUOUS = "continuous", "в течение периода"
        RECURRING = "recurring", "периодически"
        UNSCHEDULED = "unscheduled", "без срока"

    # The roadmap is stored on the item too: plans are queried by their items across sections.
    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, related_name="items", verbose_name="дорожная карта"
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="items", verbose_name="раздел"
    )
    number = models.CharField("номер", max_length=20, blank=True)
    title = models.TextField("мероприятие")
    deadline_text = models.CharField("сроки (как написано)", max_length=500, blank=True)
    deadline_kind = models.CharField(
        "вид срока", max_length=16, choices=DeadlineKind.choices, default=DeadlineKind.UNSCHEDULED
    )
    deadline_start = models.DateField("начало срока", null=True, blank=True)
    deadline_end = models.DateField("окончание срока", null=True, blank=True, db_index=True)
    deadline_occurrences = models.PositiveIntegerField("число проведений", null=True, blank=True)
    deadline_note = models.CharField("примечание к сроку", max_length=500, blank=True)
    deadline_warnings = models.JSONField("предупреждения разбора срока", default=list, blank=True)
    responsible = models.ManyToManyField(
        Party, through="ItemResponsible", related_name="items", verbose_name="ответственные"
    )
    responsible_text = models.TextField("ответственные (как написано)", blank=True)
    result = models.TextField("ожидаемый результат", blank=True)
    directions = models.ManyToManyField(
        Direction, related_name="items", blank=True, verbose_name="направления"
    )
    source_item = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name="мероприятие плана верхнего уровня",
    )
    status = models.CharField(
        "исполнение", max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    position = models.PositiveIntegerField("порядок", default=0)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ItemQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        ordering = ["roadmap", "section__position", "position"]
        verbose_name = "мероприятие"
        verbose_name_plural = "мероприятия"
        indexes = [
            models.Index(fields=["status", "deadline_end"], name="item_status_deadline"),
        ]

    def __str__(self):
        return f"{self.number} {self.title[:80]}".strip()

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.deadline_end is not None
            and self.deadline_end < today
            and self.status not in (self.Status.DONE, self.Status.CANCELLED)
        )

    def apply_deadline(self, deadline) -> None:
        """Copy a parsed `roadmaps.deadlines.Deadline` into the item's fields."""
        self.deadline_text = deadline.text
        self.deadline_kind = str(deadline.kind)
        self.deadline_start = deadline.start
        self.deadline_end = deadline.end
        self.deadline_occurrences = deadline.occurrences
        self.deadline_note = deadline.note
        self.deadline_warnings = list(deadline.warnings)


class ItemResponsible(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, verbose_name="мероприятие")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, verbose_name="ответственный")
    position = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        ordering = ["item", "position"]
        verbose_name = "ответственный за мероприятие"
        verbose_name_plural = "ответственные за мероприятие"
        constraints = [
            models.UniqueConstraint(fields=["item", "party"], name="item_responsible_unique")
        ]

    def __str__(self):
        return f"{self.item_id}: {self.party}"


class RoadmapEvent(models.Model):
    """A step of the approval workflow, with the reviewer's comment."""

    class Action(models.TextChoices):
        CREATED = "created", "создана"
        IMPORTED = "imported", "импортирована"
        SUBMITTED = "submitted", "направлена на согласование"
        RETURNED = "returned", "возвращена на доработку"
        APPROVED = "approved", "утверждена"
        REVISED = "revised", "актуализирована (новая версия)"
        ARCHIVED = "archived", "перенесена в архив"

    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, related_name="events", verbose_name="дорожная карта"
    )
    action = models.CharField("действие", max_length=16, choices=Action.choices)
    comment = models.TextField("комментарий", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="пользователь",
    )
    created = models.DateTimeField("когда", default=timezone.now)

    class Meta:
        ordering = ["roadmap", "created"]
        verbose_name = "событие согласования"
        verbose_name_plural = "события согласования"

    def __str__(self):
        return f"{self.get_action_display()} — {self.created:%d.%m.%Y}"


def evidence_upload_to(instance, filename):
    return f"evidence/{instance.item.roadmap_id}/{uuid.uuid4().hex}/{filename}"


class ExecutionReport(models.Model):
    """What was done on an item: status on a date, a comment and evidence."""

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="reports", verbose_name="мероприятие"
    )
    status = models.CharField("исполнение", max_length=16, choices=Item.Status.choices)
    date = models.DateField("дата", default=timezone.localdate)
    comment = models.TextField("комментарий", blank=True)
    evidence_url = models.URLField("ссылка на подтверждение", max_length=1000, blank=True)
    evidence_file = models.FileField(
        "файл-подтверждение", upload_to=evidence_upload_to, blank=True, max_length=500
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="автор",
    )
    created = models.DateTimeField("внесено", auto_now_add=True)

    class Meta:
        ordering = ["item", "-date", "-created"]
        verbose_name = "отчёт об исполнении"
        verbose_name_plural = "отчёты об исполнении"

    def __str__(self):
        return f"{self.get_status_display()} на {self.date:%d.%m.%Y}"
