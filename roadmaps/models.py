import datetime
import re
import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

from notifications import events
from orgs.models import Organization
from portal.validators import validate_multiline, validate_single_line
from roadmaps import grif
from roadmaps.deadlines import Period
from roadmaps.layout import validate_columns
from roadmaps.querysets import ItemQuerySet, RoadmapQuerySet


class WorkflowError(Exception):
    """A workflow step asked of a plan in the wrong state; the message is shown to the user."""


def _copy(instance, **overrides):
    """An unsaved copy of a row with every concrete field but the primary key."""
    values = {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key
    }
    values.update(overrides)
    return type(instance)(**values)


def _claim_version(instance, loaded_version: int, **conditions) -> bool:
    """Bump lock_version if the row still carries the one the form was loaded with.

    One conditional UPDATE: of two concurrent saves only one matches the WHERE clause, on
    PostgreSQL (the second waits for the row lock, then re-checks the WHERE on the new row) and
    on SQLite (one writer at a time) alike. Conditions must be on the row's own columns: a
    condition through a join becomes a subquery that PostgreSQL does not re-check.
    """
    claimed = (
        type(instance)
        ._default_manager.filter(pk=instance.pk, lock_version=loaded_version, **conditions)
        .update(lock_version=F("lock_version") + 1)
    )
    if claimed:
        instance.lock_version = loaded_version + 1
    return bool(claimed)


def bump_versions(model, pks) -> None:
    """Mark rows as changed for the forms open on them: any change a form does not make itself
    (a move, a renumbering, a report's status, a party's new name) makes those forms stale, so
    that saving one shows the conflict instead of undoing the change. One UPDATE that adds to
    whatever the row carries, so two concurrent bumps both count."""
    pks = [pk for pk in pks if pk is not None]
    if pks:
        model._default_manager.filter(pk__in=pks).update(lock_version=F("lock_version") + 1)


def _save_claimed(instance, loaded_version: int, update_fields: list[str]) -> bool:
    """Save an item's or a section's fields unless the row changed after `loaded_version` was
    read or its plan is no longer editable.

    The plan's row is locked first (a workflow step waits for the save, or the save sees the
    plan frozen), the version is claimed with a conditional UPDATE on the row's own columns,
    then the fields are written with save() in the same transaction so that
    django-simple-history records who changed what. False (and nothing written) otherwise.
    """
    with transaction.atomic():
        editable = list(
            Roadmap.objects.select_for_update()
            .filter(pk=instance.roadmap_id, status__in=Roadmap.EDITABLE_STATUSES)
            .values_list("pk", flat=True)
        )
        if not editable or not _claim_version(instance, loaded_version):
            return False
        instance.save(update_fields=update_fields)
    return True


_LAST_NUMBER = re.compile(r"(\d+)(\D*)$")


def next_number(previous: str, prefix: str = "") -> str:
    """The number after `previous` in its own style: «1.7.» → «1.8.», «3» → «4»."""
    match = _LAST_NUMBER.search(previous or "")
    if match:
        start, end = match.span(1)
        return f"{previous[:start]}{int(match[1]) + 1}{previous[end:]}"
    stem = prefix.strip().rstrip(".")
    return f"{stem}.1" if stem else "1"


def replace_number_prefix(number: str, old: str, new: str) -> str:
    """Renumber a descendant when its section's number changes: «1.2.» under «1.» → «3.2.»."""
    old_stem, new_stem = old.strip().rstrip("."), new.strip().rstrip(".")
    if not old_stem or old_stem == new_stem:
        return number
    if number == old:
        return new
    if number.startswith(old_stem + "."):
        return new_stem + number[len(old_stem) :]
    return number


class Direction(models.Model):
    """A магистральное направление or ключевое условие of the federal project."""

    class Group(models.TextChoices):
        DIRECTION = "direction", "магистральное направление"
        CONDITION = "condition", "ключевое условие"

    code = models.SlugField("код", max_length=32, unique=True, validators=[validate_single_line])
    name = models.CharField(
        "наименование", max_length=100, unique=True, validators=[validate_single_line]
    )
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
    title = models.CharField("наименование", max_length=1000, validators=[validate_multiline])
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

    approval_kind = models.CharField(
        "вид документа об утверждении",
        max_length=200,
        blank=True,
        validators=[validate_single_line],
    )
    approval_number = models.CharField(
        "номер документа", max_length=100, blank=True, validators=[validate_single_line]
    )
    approval_date = models.DateField("дата документа", null=True, blank=True)
    approval_issuer = models.CharField(
        "кем утверждён (орган)", max_length=500, blank=True, validators=[validate_single_line]
    )
    approved_by_name = models.CharField(
        "подписант", max_length=200, blank=True, validators=[validate_single_line]
    )
    approved_by_position = models.CharField(
        "должность подписанта", max_length=500, blank=True, validators=[validate_single_line]
    )
    approval_text = models.TextField(
        "гриф утверждения как в документе",
        blank=True,
        max_length=2000,
        validators=[validate_multiline],
    )

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
    source_filename = models.CharField(
        "импортирован из файла", max_length=255, blank=True, validators=[validate_single_line]
    )
    columns = models.JSONField(
        "столбцы таблицы",
        default=list,
        blank=True,
        validators=[validate_columns],
        help_text="Столбцы, их порядок и заголовки, как в загруженном документе; пусто — "
        "стандартный набор.",
    )
    number_dots = models.BooleanField("номера с точкой на конце («1.1.»)", default=False)
    lock_version = models.PositiveIntegerField(default=0, editable=False)
    # Bumped (roadmaps/row_cache.py, on every saved or deleted item, section, party, responsible,
    # direction link, occurrence or report of the plan): part of the cached table's key.
    content_stamp = models.PositiveIntegerField(default=0, editable=False)

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
    history = HistoricalRecords(excluded_fields=["lock_version", "updated", "content_stamp"])

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
    def level_label(self) -> str:
        return Organization.Level(self.owner.level).label

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def period(self) -> Period:
        """The plan's period, against which its deadlines are read."""
        return Period(self.period_start, self.period_end)

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

    @property
    def approval_caption(self) -> str:
        """«распоряжением комитета … от 26.09.2023 № 3.12-1331-р» (roadmaps/grif.py)."""
        return grif.caption(self)

    # Workflow: draft → review → approved, or review → returned → review …; approved → a new
    # draft version (revise). Each step locks the row, checks the state it is really in, and
    # writes a RoadmapEvent. Who may take a step is decided in roadmaps/access.py.

    def _lock_in(self, allowed, message: str) -> None:
        status, lock_version = (
            type(self)
            .objects.select_for_update()
            .filter(pk=self.pk)
            .values_list("status", "lock_version")
            .get()
        )
        if status not in allowed:
            raise WorkflowError(message)
        self.status, self.lock_version = status, lock_version

    def _step(
        self, status, *, by, action, comment="", fields=(), self_approved=False
    ) -> "RoadmapEvent":
        self.status = status
        self.updated_by = by
        self.lock_version += 1
        self._history_user = by
        self._change_reason = RoadmapEvent.Action(action).label + (
            " — утверждено автором" if self_approved else ""
        )
        self.save(update_fields=["status", "updated_by", "updated", "lock_version", *fields])
        event = RoadmapEvent.objects.create(
            roadmap=self, action=action, user=by, comment=comment, self_approved=self_approved
        )
        events.roadmap_event(event)  # on commit: reviewers or the owner's writers are told
        return event

    @transaction.atomic
    def submit(self, *, by) -> "RoadmapEvent":
        """Send the plan to the level above for approval."""
        self._lock_in(
            self.EDITABLE_STATUSES,
            "Направить на согласование можно черновик или план, возвращённый на доработку; "
            f"этот план {self.get_status_display()}.",
        )
        return self._step(self.Status.REVIEW, by=by, action=RoadmapEvent.Action.SUBMITTED)

    @transaction.atomic
    def return_for_revision(self, *, by, comment: str) -> "RoadmapEvent":
        comment = (comment or "").strip()
        if not comment:
            raise WorkflowError("Напишите, что нужно исправить: комментарий увидит автор плана.")
        self._lock_in(
            (self.Status.REVIEW,),
            f"Вернуть на доработку можно только план на согласовании; этот план "
            f"{self.get_status_display()}.",
        )
        return self._step(
            self.Status.RETURNED, by=by, action=RoadmapEvent.Action.RETURNED, comment=comment
        )

    def _check_approver(self, by) -> bool:
        """Whether `by` approves a plan they sent for approval themselves («утверждено
        автором»); refused while someone else could review it.

        The author is whoever last sent the plan for approval. Another reviewer is another
        person with a writing membership in the reviewing organization (roadmaps/review.py
        `reviewers_for`): for a regional body's own plan, another regional operator of that
        body. When there is none, the author may approve, and the event says so. Portal
        administrators may always approve a plan they did not send.
        """
        from orgs.reviewers import person_name
        from roadmaps.review import author_and_others

        by_author, others = author_and_others(self, by)
        if others:
            names = ", ".join(person_name(user) for user in others)
            raise WorkflowError(
                "Вы сами направили этот план на согласование: утвердить его должен другой "
                f"проверяющий ({names}) или администратор портала."
            )
        return by_author

    @transaction.atomic
    def approve(
        self,
        *,
        by,
        kind: str,
        number: str,
        date: datetime.date,
        name: str,
        position: str,
        issuer: str = "",
    ) -> "RoadmapEvent":
        """Approve by a document; the previous approved version, if any, goes to the archive."""
        missing = [
            label
            for label, value in (
                ("вид документа", kind),
                ("номер", number),
                ("дата", date),
                ("подписант", name),
                ("должность подписанта", position),
            )
            if not value or (isinstance(value, str) and not value.strip())
        ]
        if missing:
            raise WorkflowError(f"Для утверждения укажите: {', '.join(missing)}.")
        self._lock_in(
            (self.Status.REVIEW,),
            f"Утвердить можно только план на согласовании; этот план {self.get_status_display()}.",
        )
        by_author = self._check_approver(by)
        self.approval_kind = kind.strip()
        self.approval_number = number.strip()
        self.approval_date = date
        self.approval_issuer = issuer.strip()
        self.approved_by_name = name.strip()
        self.approved_by_position = position.strip()
        # The caption as written in an imported document no longer describes this approval.
        self.approval_text = ""
        event = self._step(
            self.Status.APPROVED,
            by=by,
            action=RoadmapEvent.Action.APPROVED,
            comment=self.approval_caption,
            self_approved=by_author,
            fields=[
                "approval_kind",
                "approval_number",
                "approval_date",
                "approval_issuer",
                "approved_by_name",
                "approved_by_position",
                "approval_text",
            ],
        )
        changed = [self]
        previous = self.previous_version
        if previous is not None:
            try:
                previous._lock_in((self.Status.APPROVED,), "")
            except WorkflowError:
                pass  # already archived: nothing to do
            else:
                previous._step(
                    self.Status.ARCHIVED,
                    by=by,
                    action=RoadmapEvent.Action.ARCHIVED,
                    comment=f"Утверждена версия {self.version}.",
                )
                changed.append(previous)
        from reports.stored import store_after_commit  # reports draws these models

        store_after_commit(*changed)  # the files of the versions, made once in the background
        return event

    @transaction.atomic
    def revise(self, *, by) -> "Roadmap":
        """«Актуализировать»: a new draft version, a deep copy of this approved plan.

        This version stays approved (it is the one in force) until the new one is approved;
        then it goes to the archive. Sections and items keep their `key`, which is how
        versions are compared.
        """
        self._lock_in(
            (self.Status.APPROVED,),
            "Актуализировать можно только утверждённый план; этот план "
            f"{self.get_status_display()}.",
        )
        following = type(self).objects.filter(previous_version=self).first()
        if following is not None:
            raise WorkflowError(
                f"Новая версия этого плана уже создана (версия {following.version}); "
                "продолжайте работу в ней."
            )
        new = Roadmap(
            owner_id=self.owner_id,
            title=self.title,
            period_start=self.period_start,
            period_end=self.period_end,
            implements_id=self.implements_id,
            lineage=self.lineage,
            version=self.version + 1,
            previous_version=self,
            source_filename=self.source_filename,
            columns=self.columns,
            number_dots=self.number_dots,
            created_by=by,
            updated_by=by,
        )
        new._history_user = by
        reason = f"Версия {new.version} на основе версии {self.version}"
        new._change_reason = reason
        new.save()

        parties = list(self.parties.all())
        party_copies = [_copy(party, roadmap_id=new.pk) for party in parties]
        Party.objects.bulk_create(party_copies)
        party_ids = {old.pk: copy.pk for old, copy in zip(parties, party_copies, strict=True)}

        # Parents before their subsections, one bulk insert per depth.
        section_ids: dict[int, int] = {}
        remaining = list(self.sections.all())
        while remaining:
            ready = [s for s in remaining if s.parent_id is None or s.parent_id in section_ids]
            if not ready:
                raise WorkflowError("Разделы плана ссылаются друг на друга по кругу.")
            copies = [
                _copy(s, roadmap_id=new.pk, parent_id=section_ids.get(s.parent_id)) for s in ready
            ]
            bulk_create_with_history(copies, Section, default_user=by, default_change_reason=reason)
            section_ids.update({old.pk: copy.pk for old, copy in zip(ready, copies, strict=True)})
            ready_ids = {s.pk for s in ready}
            remaining = [s for s in remaining if s.pk not in ready_ids]

        items = list(self.items.all())
        item_copies = [
            _copy(
                item,
                roadmap_id=new.pk,
                section_id=section_ids[item.section_id],
                lock_version=0,
            )
            for item in items
        ]
        bulk_create_with_history(item_copies, Item, default_user=by, default_change_reason=reason)
        item_ids = {old.pk: copy.pk for old, copy in zip(items, item_copies, strict=True)}
        ItemResponsible.objects.bulk_create(
            ItemResponsible(
                item_id=item_ids[link.item_id],
                party_id=party_ids[link.party_id],
                position=link.position,
            )
            for link in ItemResponsible.objects.filter(item__roadmap=self)
        )
        Through = Item.directions.through
        Through.objects.bulk_create(
            Through(item_id=item_ids[link.item_id], direction_id=link.direction_id)
            for link in Through.objects.filter(item__roadmap=self)
        )
        from roadmaps.occurrences import copy_occurrences  # it builds on these models

        copy_occurrences(item_ids)
        RoadmapEvent.objects.create(
            roadmap=new,
            action=RoadmapEvent.Action.REVISED,
            user=by,
            comment=f"Создана на основе утверждённой версии {self.version}.",
        )
        RoadmapEvent.objects.create(
            roadmap=self,
            action=RoadmapEvent.Action.REVISED,
            user=by,
            comment=f"Создана новая версия {new.version}; эта остаётся в силе до её утверждения.",
        )
        return new

    def save_if_unchanged(self, loaded_version: int, update_fields: list[str]) -> bool:
        """Save unless someone saved the plan after `loaded_version` was read, or froze it."""
        with transaction.atomic():
            if not _claim_version(self, loaded_version, status__in=self.EDITABLE_STATUSES):
                return False
            self.save(update_fields=[*update_fields, "updated"])
        return True

    # Sections are kept in pre-order (a section, then its subsections) so that anything
    # reading them by `position` alone sees the document's order.
    def renumber_section_positions(self) -> None:
        sections = list(self.sections.order_by("position", "pk"))
        children: dict[int | None, list[Section]] = {}
        for section in sections:
            children.setdefault(section.parent_id, []).append(section)
        ordered: list[Section] = []

        def walk(parent_id):
            for section in children.get(parent_id, []):
                ordered.append(section)
                walk(section.pk)

        walk(None)
        for position, section in enumerate(ordered):
            if section.position != position:
                section.position = position
                section.save(update_fields=["position"])


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
    number = models.CharField("номер", max_length=20, blank=True, validators=[validate_single_line])
    title = models.CharField("наименование", max_length=1000, validators=[validate_multiline])
    position = models.PositiveIntegerField("порядок", default=0)
    lock_version = models.PositiveIntegerField(default=0, editable=False)
    # The same section in every version of a plan: copies keep it, comparison matches on it.
    key = models.UUIDField("ключ", default=uuid.uuid4, editable=False, db_index=True)

    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        ordering = ["roadmap", "position"]
        verbose_name = "раздел"
        verbose_name_plural = "разделы"
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "key"], name="section_unique_key")
        ]

    def __str__(self):
        return f"{self.number} {self.title}".strip()

    def siblings(self):
        return self.roadmap.sections.filter(parent_id=self.parent_id).order_by("position", "pk")

    def save_if_unchanged(self, loaded_version: int, update_fields: list[str]) -> bool:
        """Save unless someone changed the section after `loaded_version` was read."""
        return _save_claimed(self, loaded_version, update_fields)

    def renumber(self, number: str) -> None:
        """Give the section a new number and carry it into its subsections and items; every
        row renumbered gets a new lock_version."""
        old = self.number
        self.number = number
        self.save(update_fields=["number"])
        descendants = [self]
        for section in descendants:
            for child in section.subsections.all():
                child.number = replace_number_prefix(child.number, old, number)
                child.save(update_fields=["number"])
                descendants.append(child)
        bump_versions(Section, [section.pk for section in descendants])
        renumbered = []
        for item in Item.objects.filter(section__in=descendants):
            new_number = replace_number_prefix(item.number, old, number)
            if new_number != item.number:
                item.number = new_number
                item.save(update_fields=["number"])
                renumbered.append(item.pk)
        bump_versions(Item, renumbered)
        self.lock_version = Section.objects.values_list("lock_version", flat=True).get(pk=self.pk)

    @transaction.atomic
    def move(self, step: int) -> bool:
        """Move up (-1) or down (+1) among its siblings; numbers stay in sequence."""
        self.roadmap.renumber_section_positions()
        siblings = list(self.siblings())
        index = next(i for i, s in enumerate(siblings) if s.pk == self.pk)
        other_index = index + step
        if not 0 <= other_index < len(siblings):
            return False
        # Fresh rows: the positions were just normalised.
        moved, other = siblings[index], siblings[other_index]
        mine, theirs = moved.number, other.number
        moved.position, other.position = other.position, moved.position
        moved.save(update_fields=["position"])
        other.save(update_fields=["position"])
        moved.renumber(theirs)
        other.renumber(mine)
        self.position, self.number = moved.position, moved.number
        self.roadmap.renumber_section_positions()
        self.lock_version = Section.objects.values_list("lock_version", flat=True).get(pk=self.pk)
        return True

    @transaction.atomic
    def delete_and_renumber(self) -> None:
        """Delete with its subsections and items; the sections after it move up a number."""
        siblings = list(self.siblings())
        index = next(i for i, s in enumerate(siblings) if s.pk == self.pk)
        numbers = [s.number for s in siblings]
        roadmap = self.roadmap
        self.delete()
        for section, number in zip(siblings[index + 1 :], numbers[index:], strict=False):
            section.renumber(number)
        roadmap.renumber_section_positions()


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
    name = models.CharField("обозначение", max_length=300, validators=[validate_single_line])
    full_name = models.CharField(
        "полное наименование", max_length=1000, blank=True, validators=[validate_single_line]
    )
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
    number = models.CharField("номер", max_length=20, blank=True, validators=[validate_single_line])
    title = models.TextField("мероприятие", max_length=2000, validators=[validate_multiline])
    deadline_text = models.CharField(
        "сроки (как написано)", max_length=500, blank=True, validators=[validate_single_line]
    )
    deadline_kind = models.CharField(
        "вид срока", max_length=16, choices=DeadlineKind.choices, default=DeadlineKind.UNSCHEDULED
    )
    deadline_start = models.DateField("начало срока", null=True, blank=True)
    deadline_end = models.DateField("окончание срока", null=True, blank=True, db_index=True)
    deadline_occurrences = models.PositiveIntegerField("число проведений", null=True, blank=True)
    deadline_note = models.CharField(
        "примечание к сроку", max_length=500, blank=True, validators=[validate_single_line]
    )
    deadline_warnings = models.JSONField("предупреждения разбора срока", default=list, blank=True)
    # A periodic item's earliest due date still waiting for its work: its first occurrence
    # neither done nor cancelled (null when all are, and for an item without occurrences). A
    # column, so that «overdue» stays a comparison on the item's row (querysets._overdue_q).
    # Kept by roadmaps/occurrences.py whenever a deadline or an occurrence's status changes.
    next_due = models.DateField("ближайший срок", null=True, blank=True, db_index=True)
    responsible = models.ManyToManyField(
        Party, through="ItemResponsible", related_name="items", verbose_name="ответственные"
    )
    responsible_text = models.TextField(
        "ответственные (как написано)", blank=True, max_length=2000, validators=[validate_multiline]
    )
    result = models.TextField(
        "ожидаемый результат", blank=True, max_length=2000, validators=[validate_multiline]
    )
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
    # The same item in every version of a plan: copies keep it, comparison matches on it.
    key = models.UUIDField("ключ", default=uuid.uuid4, editable=False, db_index=True)

    objects = ItemQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version", "next_due"])

    class Meta:
        ordering = ["roadmap", "section__position", "position"]
        verbose_name = "мероприятие"
        verbose_name_plural = "мероприятия"
        indexes = [
            models.Index(fields=["status", "deadline_end"], name="item_status_deadline"),
            # The API's list of items across plans reads pages in this order.
            models.Index(fields=["roadmap", "id"], name="item_roadmap_id"),
        ]
        constraints = [models.UniqueConstraint(fields=["roadmap", "key"], name="item_unique_key")]

    def __str__(self):
        return f"{self.number} {self.title[:80]}".strip()

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """The same rule as ItemQuerySet.overdue(): a due date passed with the work open."""
        due = self.overdue_since
        return (
            due is not None
            and due < (today or timezone.localdate())
            and self.status not in (self.Status.DONE, self.Status.CANCELLED)
        )

    @property
    def overdue_since(self) -> datetime.date | None:
        """The earliest due date that counts for overdue: a periodic item's first open
        occurrence's, or the end of the deadline, whichever comes first."""
        dates = [day for day in (self.next_due, self.deadline_end) if day is not None]
        return min(dates, default=None)

    def apply_deadline(self, deadline) -> None:
        """Copy a parsed `roadmaps.deadlines.Deadline` into the item's fields."""
        self.deadline_text = deadline.text
        self.deadline_kind = str(deadline.kind)
        self.deadline_start = deadline.start
        self.deadline_end = deadline.end
        self.deadline_occurrences = deadline.occurrences
        self.deadline_note = deadline.note
        self.deadline_warnings = list(deadline.warnings)

    @property
    def occurrence_rows(self) -> list:
        """The occurrences in order: the list ItemQuerySet.with_occurrences() prefetched, or a
        query for an item loaded alone."""
        rows = getattr(self, "occurrence_list", None)
        if rows is None:
            rows = self.occurrence_list = list(self.occurrences.order_by("index"))
        return rows

    @property
    def first_open_occurrence(self):
        """The earliest occurrence neither done nor cancelled (None for an item without)."""
        closed = (self.Status.DONE, self.Status.CANCELLED)
        return next((row for row in self.occurrence_rows if row.status not in closed), None)

    @property
    def deadline_summary(self) -> dict:
        """The parsed deadline in the shape the templates show (as for a fresh parse)."""
        return {
            "text": self.deadline_text,
            "kind": self.deadline_kind,
            "kind_label": self.get_deadline_kind_display(),
            "start": self.deadline_start,
            "end": self.deadline_end,
            "occurrences": self.deadline_occurrences,
            "note": self.deadline_note,
            "warnings": self.deadline_warnings,
        }

    DEADLINE_FIELDS = (
        "deadline_text",
        "deadline_kind",
        "deadline_start",
        "deadline_end",
        "deadline_occurrences",
        "deadline_note",
        "deadline_warnings",
    )

    def save_if_unchanged(self, loaded_version: int, update_fields: list[str]) -> bool:
        """Save unless someone changed the item after `loaded_version` was read (see
        `_save_claimed`); False on a stale version or a plan no longer editable."""
        return _save_claimed(self, loaded_version, update_fields)

    def siblings(self):
        return Item.objects.filter(section_id=self.section_id).order_by("position", "pk")

    @transaction.atomic
    def move(self, step: int) -> bool:
        """Move up (-1) or down (+1) within its section, trading numbers with the neighbour."""
        siblings = list(self.siblings())
        index = next(i for i, item in enumerate(siblings) if item.pk == self.pk)
        other_index = index + step
        if not 0 <= other_index < len(siblings):
            return False
        other = siblings[other_index]
        if self.position == other.position:
            # Equal positions (old data) cannot be swapped: spread the section out first.
            for position, sibling in enumerate(siblings):
                sibling.position = position
            self.position, other.position = other_index, index
            for sibling in siblings:
                if sibling not in (self, other):
                    sibling.save(update_fields=["position"])
        else:
            self.position, other.position = other.position, self.position
        self.number, other.number = other.number, self.number
        self.save(update_fields=["position", "number"])
        other.save(update_fields=["position", "number"])
        bump_versions(Item, [self.pk, other.pk])
        self.lock_version = Item.objects.values_list("lock_version", flat=True).get(pk=self.pk)
        return True

    @transaction.atomic
    def delete_and_renumber(self) -> None:
        """Delete the item; the items after it in the section move up a number."""
        siblings = list(self.siblings())
        index = next(i for i, item in enumerate(siblings) if item.pk == self.pk)
        numbers = [item.number for item in siblings]
        self.delete()
        renumbered = []
        for item, number in zip(siblings[index + 1 :], numbers[index:], strict=False):
            if item.number != number:
                item.number = number
                item.save(update_fields=["number"])
                renumbered.append(item.pk)
        bump_versions(Item, renumbered)


class ItemOccurrence(models.Model):
    """One due date of a periodic item («I квартал 2025», due 25.03.2025), reported on by
    itself. Written from the item's deadline by roadmaps/occurrences.py; its status follows the
    newest report filed for it (on any version of the plan: versions match by label)."""

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="occurrences", verbose_name="мероприятие"
    )
    index = models.PositiveSmallIntegerField("порядковый номер")
    label = models.CharField("за период", max_length=100, validators=[validate_single_line])
    start = models.DateField("начало")
    due = models.DateField("срок")
    status = models.CharField(
        "исполнение", max_length=16, choices=Item.Status.choices, default=Item.Status.NOT_STARTED
    )

    class Meta:
        ordering = ["item", "index"]
        verbose_name = "срок периодического мероприятия"
        verbose_name_plural = "сроки периодических мероприятий"
        constraints = [
            models.UniqueConstraint(fields=["item", "label"], name="occurrence_unique_label")
        ]
        indexes = [models.Index(fields=["item", "due"], name="occurrence_item_due")]

    def __str__(self):
        return f"{self.label} (до {self.due:%d.%m.%Y})"

    @property
    def short_label(self) -> str:
        """«I кв. 2025», «I полуг. 2024/2025»: for the compact line on the plan's page."""
        return self.label.replace("квартал", "кв.").replace("полугодие", "полуг.")

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.due < today and self.status not in (Item.Status.DONE, Item.Status.CANCELLED)


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
    comment = models.TextField(
        "комментарий", blank=True, max_length=5000, validators=[validate_multiline]
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="пользователь",
    )
    created = models.DateTimeField("когда", default=timezone.now)
    # An approval by the user who sent the plan, allowed only when nobody else could review it
    # (Roadmap._check_approver): shown as «утверждено автором», never silently.
    self_approved = models.BooleanField("утверждено автором", default=False)

    class Meta:
        ordering = ["roadmap", "created"]
        verbose_name = "событие согласования"
        verbose_name_plural = "события согласования"

    def __str__(self):
        return f"{self.get_action_display()} — {self.created:%d.%m.%Y}"


def evidence_upload_to(instance, filename):
    return f"evidence/{instance.report.item.roadmap_id}/{uuid.uuid4().hex}/{filename}"


class ExecutionReport(models.Model):
    """What was done on an item: status on a date, a comment and evidence.

    Its author may correct it or withdraw it while the plan is in force; a withdrawn report
    stays in the item's history but no longer counts. Every change is in `history`.
    """

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="reports", verbose_name="мероприятие"
    )
    # «за I квартал 2025»: the occurrence of a periodic item the report is on; null otherwise.
    occurrence = models.ForeignKey(
        ItemOccurrence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name="за период",
    )
    status = models.CharField("исполнение", max_length=16, choices=Item.Status.choices)
    date = models.DateField("дата", default=timezone.localdate)
    comment = models.TextField(
        "комментарий", blank=True, max_length=5000, validators=[validate_multiline]
    )
    evidence_url = models.URLField(
        "ссылка на подтверждение", max_length=1000, blank=True, validators=[validate_single_line]
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="автор",
    )
    created = models.DateTimeField("внесено", auto_now_add=True)
    edited_at = models.DateTimeField("исправлено", null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кем исправлено",
    )
    withdrawn_at = models.DateTimeField("отозван", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кем отозван",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "-date", "-created"]
        verbose_name = "отчёт об исполнении"
        verbose_name_plural = "отчёты об исполнении"

    def __str__(self):
        return f"{self.get_status_display()} на {self.date:%d.%m.%Y}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class EvidenceFile(models.Model):
    """One file attached to a report as evidence; removing it is recorded in `history`."""

    report = models.ForeignKey(
        ExecutionReport,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name="отчёт об исполнении",
    )
    file = models.FileField(
        "файл", upload_to=evidence_upload_to, max_length=500, validators=[validate_single_line]
    )
    name = models.CharField("имя файла", max_length=255, validators=[validate_single_line])
    size = models.PositiveBigIntegerField("размер, байт", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто приложил",
    )
    created = models.DateTimeField("приложен", default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "created", "pk"]
        verbose_name = "файл-подтверждение"
        verbose_name_plural = "файлы-подтверждения"

    def __str__(self):
        return self.name
