"""Serializers of the roadmaps API.

A plan reads as a whole (its sections with their items) and is written in parts: the plan's own
fields, then sections and items through their nested routes. Writes are validated by the
editor's own forms (roadmaps/forms.py), so the API accepts and refuses what the pages do, and
written by the editor's functions (roadmaps/editing.py): optimistic locking, renumbering,
deadlines parsed against the plan's period (the parsed fields are read-only), the same history
reasons; reports go through roadmaps/execution.py.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from orgs.models import Organization
from portal.api import Conflict, LinkField, VisiblePrimaryKeyField, form_errors
from portal.validators import (
    approval_date_problem,
    period_problem,
    validate_multiline,
    validate_single_line,
)
from roadmaps import editing
from roadmaps.access import can_edit, read_only_reason
from roadmaps.deadlines import Period
from roadmaps.execution_forms import EvidenceFilesForm, ExecutionReportForm
from roadmaps.forms import (
    ItemForm,
    PartyForm,
    RoadmapCreateForm,
    RoadmapEditForm,
    SectionForm,
    parse_period,
)
from roadmaps.glossary import (
    PARTY_FIELDS,
    new_party,
    responsible_directory,
    save_party,
)
from roadmaps.import_forms import ACCEPTED, FORMATS, MAX_BYTES, UNSUPPORTED
from roadmaps.models import (
    Direction,
    EvidenceFile,
    ExecutionReport,
    Item,
    ItemOccurrence,
    Party,
    Roadmap,
    RoadmapEvent,
    Section,
)
from roadmaps.occurrences import first_open

LOCK_VERSION_HELP = (
    "Версия записи для защиты от одновременной правки: передайте значение, полученное при "
    "чтении; если запись с тех пор изменили, ответ — 409. Без него сравнивается с версией на "
    "момент запроса."
)


def _refuse_stale(roadmap: Roadmap, user, what: str):
    """After a refused conditional save: 403 if the plan left the editable states, else 409."""
    roadmap.refresh_from_db(fields=["status"])
    reason = read_only_reason(user, roadmap)
    if reason:
        raise PermissionDenied(reason)
    raise Conflict(
        f"{what} изменил другой пользователь после того, как вы прочитали запись. Прочитайте "
        "заново и повторите изменение."
    )


def _validated_by(form) -> dict:
    """The cleaned data of a page's form, or a 400 in the page's words."""
    if not form.is_valid():
        raise serializers.ValidationError(form_errors(form))
    return dict(form.cleaned_data)


class DirectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Direction
        fields = ["id", "code", "name", "group", "position"]


# Items


class ResponsibleField(serializers.ListField):
    """The item's responsible parties, in order, by their names in the plan («ИМЦ», «ОО»)."""

    child = serializers.CharField(max_length=300, validators=[validate_single_line])

    def get_attribute(self, instance):
        links = getattr(instance, "responsible_links", None)
        if links is not None:  # ItemQuerySet.with_links()
            return [link.party_name for link in links]
        return [link.party.name for link in instance.itemresponsible_set.all()]


class DirectionCodesField(serializers.ManyRelatedField):
    """Direction codes, read from the list `ItemQuerySet.with_links()` leaves on the item when
    it is there (lists and pages), from the relation otherwise (an item just saved)."""

    def __init__(self, **kwargs):
        child = serializers.SlugRelatedField(slug_field="code", queryset=Direction.objects.all())
        super().__init__(child_relation=child, **kwargs)

    def get_attribute(self, instance):
        tags = getattr(instance, "direction_tags", None)
        return tags if tags is not None else super().get_attribute(instance)


class OccurrenceSerializer(serializers.ModelSerializer):
    """One due date of a periodic item, with its own execution status."""

    is_overdue = serializers.SerializerMethodField(
        help_text="Срок прошёл, а за этот период мероприятие не выполнено и не отменено."
    )

    class Meta:
        model = ItemOccurrence
        fields = ["id", "index", "label", "start", "due", "status", "is_overdue"]
        extra_kwargs = {
            "label": {"help_text": "За какой период: «I квартал 2025», «сентябрь 2024»."},
            "status": {"help_text": "Исполнение за период: по самому позднему отчёту за него."},
        }

    def get_is_overdue(self, occurrence) -> bool:
        return occurrence.is_overdue()


def _occurrence_json(occurrence: ItemOccurrence) -> dict:
    """What OccurrenceSerializer gives, written out for the national-scale list of items."""
    return {
        "id": occurrence.pk,
        "index": occurrence.index,
        "label": occurrence.label,
        "start": _iso(occurrence.start),
        "due": _iso(occurrence.due),
        "status": occurrence.status,
        "is_overdue": occurrence.is_overdue(),
    }


class ItemSerializer(serializers.ModelSerializer):
    deadline_text = serializers.CharField(
        max_length=500,
        validators=[validate_single_line],
        required=False,
        allow_blank=True,
        help_text="Сроки, как написано («Февраль-март», «до 15 октября 2024», «ежеквартально»); "
        "поля deadline_* вычисляются из текста относительно периода карты.",
    )
    deadline_warnings = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Замечания разбора срока."
    )
    responsible = ResponsibleField(
        required=False,
        help_text="Ответственные по порядку: обозначения, как в плане («ИМЦ», «ОО»). Новые "
        "обозначения добавляются в перечень ответственных карты.",
    )
    directions = DirectionCodesField(
        required=False, help_text="Коды направлений (см. /api/v1/directions/)."
    )
    is_overdue = serializers.SerializerMethodField(
        help_text="Срок окончания прошёл (у периодического мероприятия — срок одного из "
        "периодов), а мероприятие не выполнено и не отменено."
    )
    occurrences = OccurrenceSerializer(
        many=True,
        read_only=True,
        source="occurrence_rows",
        help_text="Сроки периодического мероприятия («ежеквартально» — четыре), каждый со своим "
        "исполнением; пустой список у мероприятия с одним сроком.",
    )
    lock_version = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, help_text=LOCK_VERSION_HELP
    )

    class Meta:
        model = Item
        fields = [
            "id",
            "key",
            "roadmap",
            "section",
            "number",
            "title",
            "deadline_text",
            "deadline_kind",
            "deadline_start",
            "deadline_end",
            "deadline_occurrences",
            "deadline_note",
            "deadline_warnings",
            "responsible",
            "responsible_text",
            "result",
            "directions",
            "status",
            "is_overdue",
            "occurrences",
            "source_item",
            "position",
            "lock_version",
        ]
        read_only_fields = [
            "key",
            "roadmap",
            "section",
            "deadline_kind",
            "deadline_start",
            "deadline_end",
            "deadline_occurrences",
            "deadline_note",
            "status",
            "source_item",
            "position",
        ]
        extra_kwargs = {"number": {"required": False}}

    def get_is_overdue(self, item) -> bool:
        return item.is_overdue()

    def _user(self):
        return self.context["request"].user

    # Written through the page's own form (ItemForm), so that the API accepts and refuses
    # exactly what the page does: responsible names with their spaces collapsed and repeats
    # dropped whatever their case, the same limits on every field. Fields left out keep their
    # values (PATCH) or start empty; the status is left to execution reports.
    def validate(self, attrs):
        item = self.instance
        if item is None:
            item = editing.new_item(attrs["section"])
            values = {"number": "", "title": "", "deadline_text": "", "result": ""}
            values.update(responsible=[], directions=[])
        else:
            values = {name: getattr(item, name) for name in ("number", "title", "result")}
            values.update(
                deadline_text=item.deadline_text,
                responsible=editing.responsible_names(item),
                directions=list(item.directions.all()),
            )
        values.update({name: value for name, value in attrs.items() if name in values})
        values["directions"] = [direction.pk for direction in values["directions"]]
        values["status"] = item.status
        if attrs.get("lock_version") is not None:
            values["lock_version"] = attrs["lock_version"]  # a stale write is a conflict
        cleaned = _validated_by(ItemForm(values, instance=item))
        del cleaned["status"], cleaned["lock_version"]
        for name in ("responsible_text", "lock_version", "section"):
            if name in attrs:
                cleaned[name] = attrs[name]
        return cleaned

    def update(self, item, validated_data):
        loaded_version = validated_data.pop("lock_version", None)
        if not editing.write_item(
            item, validated_data, user=self._user(), loaded_version=loaded_version
        ):
            _refuse_stale(item.roadmap, self._user(), "Мероприятие")
        return item


class _SectionOfPlanField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Section.objects.filter(roadmap=self.context["roadmap"])


class ItemCreateSerializer(ItemSerializer):
    section = _SectionOfPlanField(help_text="Раздел этой же дорожной карты (идентификатор).")

    class Meta(ItemSerializer.Meta):
        read_only_fields = [
            name for name in ItemSerializer.Meta.read_only_fields if name != "section"
        ]

    def create(self, validated_data):
        section = validated_data.pop("section")
        validated_data.pop("lock_version", None)
        if not validated_data.get("responsible_text"):
            validated_data.pop("responsible_text", None)
        return editing.add_item(section, validated_data, user=self._user())


class ItemAcrossPlansSerializer(ItemSerializer):
    """An item listed across plans: with the plan and its owner."""

    # Annotated by the viewset (ItemViewSet.scoped_queryset): no plan or owner object per row.
    roadmap_title = serializers.CharField(read_only=True)
    owner = serializers.IntegerField(
        source="owner_id", read_only=True, help_text="Организация, которая ведёт план."
    )
    owner_name = serializers.CharField(read_only=True)

    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "roadmap_title", "owner", "owner_name"]

    def to_representation(self, item):
        """What DRF's fields would build (tests/test_api_pagination.py compares the two for
        every field), written out: a page of /api/v1/items/ is the national-scale list, and
        the generic per-field calls cost 8 ms of its 50 (bench/README.md). The item comes
        from ItemViewSet's queryset: annotated and with its links."""
        return {
            "id": item.pk,
            "key": str(item.key),
            "roadmap": item.roadmap_id,
            "section": item.section_id,
            "number": item.number,
            "title": item.title,
            "deadline_text": item.deadline_text,
            "deadline_kind": item.deadline_kind,
            "deadline_start": _iso(item.deadline_start),
            "deadline_end": _iso(item.deadline_end),
            "deadline_occurrences": item.deadline_occurrences,
            "deadline_note": item.deadline_note,
            "deadline_warnings": [str(warning) for warning in item.deadline_warnings],
            "responsible": [link.party_name for link in item.responsible_links],
            "responsible_text": item.responsible_text,
            "result": item.result,
            "directions": [direction.code for direction in item.direction_tags],
            "status": item.status,
            "is_overdue": item.is_overdue(),
            "occurrences": [_occurrence_json(row) for row in item.occurrence_rows],
            "source_item": item.source_item_id,
            "position": item.position,
            "lock_version": item.lock_version,
            "roadmap_title": item.roadmap_title,
            "owner": item.owner_id,
            "owner_name": item.owner_name,
        }


def _iso(day):
    return day.isoformat() if day is not None else None


# Sections


class SectionSerializer(serializers.ModelSerializer):
    lock_version = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, help_text=LOCK_VERSION_HELP
    )

    class Meta:
        model = Section
        fields = ["id", "key", "roadmap", "parent", "number", "title", "position", "lock_version"]
        read_only_fields = ["key", "roadmap", "parent", "position"]
        extra_kwargs = {
            "number": {
                "required": False,
                "help_text": "Номер раздела; при смене переносится в номера его подразделов и "
                "мероприятий (2 → 3: 2.1 → 3.1).",
            }
        }

    # Written through the page's own form (SectionForm): fields left out keep their values.
    def validate(self, attrs):
        section = self.instance
        if section is None:
            section = Section(roadmap=self.context["roadmap"], parent=attrs.get("parent"))
        values = {"number": section.number, "title": section.title}
        values.update({name: value for name, value in attrs.items() if name in values})
        cleaned = _validated_by(SectionForm(values, instance=section))
        del cleaned["lock_version"]
        for name in ("lock_version", "parent"):
            if name in attrs:
                cleaned[name] = attrs[name]
        return cleaned

    def update(self, section, validated_data):
        user = self.context["request"].user
        loaded_version = validated_data.get("lock_version", section.lock_version)
        if not editing.save_section(
            section,
            number=validated_data["number"],
            title=validated_data["title"],
            user=user,
            loaded_version=loaded_version,
        ):
            _refuse_stale(section.roadmap, user, "Раздел")
        return section


class SectionCreateSerializer(SectionSerializer):
    parent = _SectionOfPlanField(
        required=False,
        allow_null=True,
        help_text="Родительский раздел этой же карты (для подразделов 2.1, 2.2) или null.",
    )

    class Meta(SectionSerializer.Meta):
        read_only_fields = ["key", "roadmap", "position"]

    def create(self, validated_data):
        return editing.add_section(
            self.context["roadmap"],
            parent=validated_data.get("parent"),
            number=validated_data["number"],
            title=validated_data["title"],
            user=self.context["request"].user,
        )


class SectionWithItemsSerializer(serializers.ModelSerializer):
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = Section
        fields = ["id", "key", "parent", "number", "title", "position", "items"]


# Plans


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["name", "full_name", "kind", "organization", "in_glossary"]


class RoadmapEventSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Кто сделал шаг (логин); null — пользователь удалён.",
    )

    self_approved = serializers.BooleanField(
        read_only=True,
        help_text="Утверждено автором: карту утвердил тот, кто направил её на согласование, "
        "потому что другого проверяющего не было.",
    )

    class Meta:
        model = RoadmapEvent
        fields = ["action", "comment", "user", "created", "self_approved"]


class RoadmapSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.short_name", read_only=True)
    level = serializers.ChoiceField(
        choices=Organization.Level.choices, read_only=True, help_text="Уровень владельца."
    )
    period_label = serializers.CharField(read_only=True, help_text="«2024 год», «2023/2024 …».")
    can_edit = serializers.SerializerMethodField(
        help_text="Может ли текущий пользователь изменять карту сейчас."
    )

    class Meta:
        model = Roadmap
        fields = [
            "id",
            "title",
            "owner",
            "owner_name",
            "level",
            "status",
            "period_start",
            "period_end",
            "period_label",
            "version",
            "lineage",
            "previous_version",
            "implements",
            "approval_kind",
            "approval_number",
            "approval_date",
            "approval_issuer",
            "approved_by_name",
            "approved_by_position",
            "approval_text",
            "can_edit",
            "lock_version",
            "created",
            "updated",
        ]
        read_only_fields = fields

    def get_can_edit(self, roadmap) -> bool:
        return can_edit(self.context["request"].user, roadmap)


class RoadmapDetailSerializer(RoadmapSerializer):
    sections = SectionWithItemsSerializer(many=True, read_only=True)
    parties = PartySerializer(many=True, read_only=True)
    events = RoadmapEventSerializer(many=True, read_only=True)

    class Meta(RoadmapSerializer.Meta):
        fields = [*RoadmapSerializer.Meta.fields, "sections", "parties", "events"]
        read_only_fields = fields


class _PeriodMixin:
    """The plan's header through the page's form: the title by the page's rules, the period
    from the two dates (the API takes any two dates; the page offers years around today)."""

    def _form(self, values, attrs):
        raise NotImplementedError

    def validate(self, attrs):
        start = attrs.get("period_start", getattr(self.instance, "period_start", None))
        end = attrs.get("period_end", getattr(self.instance, "period_end", None))
        problem = start and end and period_problem(start, end)
        if problem:
            raise serializers.ValidationError({"period_end": problem})
        period = Period(start, end)
        title = attrs.get("title", getattr(self.instance, "title", ""))
        form = self._form({"title": title, "period": str(period)}, attrs)
        form.fields["period"].choices = [*form.fields["period"].choices, (str(period), "")]
        cleaned = _validated_by(form)
        cleaned.pop("lock_version", None)
        cleaned.update({name: value for name, value in attrs.items() if name not in cleaned})
        return cleaned


class RoadmapCreateSerializer(_PeriodMixin, serializers.ModelSerializer):
    owner = VisiblePrimaryKeyField(
        Organization, help_text="Организация-владелец: её план (идентификатор)."
    )

    class Meta:
        model = Roadmap
        fields = ["owner", "title", "period_start", "period_end"]

    def _form(self, values, attrs):
        # Whose plan it may be is the viewset's check (403 with the reason), not the form's.
        owner = attrs["owner"]
        values["owner"] = owner.pk
        return RoadmapCreateForm(values, owners=Organization.objects.filter(pk=owner.pk))

    def validate(self, attrs):
        cleaned = super().validate(attrs)
        cleaned["owner"] = attrs["owner"]
        return cleaned

    def create(self, validated_data):
        return editing.create_roadmap(
            owner=validated_data["owner"],
            title=validated_data["title"],
            period=validated_data["period"],
            user=self.context["request"].user,
        )


class MoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(
        choices=[("up", "выше"), ("down", "ниже")],
        help_text="`up` — на место предыдущего, `down` — на место следующего.",
    )


class FromTemplateSerializer(serializers.Serializer):
    source = serializers.PrimaryKeyRelatedField(
        queryset=Roadmap.objects.none(),
        help_text="Утверждённая карта верхнего уровня, на основе которой строится новая "
        "(идентификатор): региональная — для муниципалитета и школы, муниципальная — для "
        "школы того же муниципалитета.",
    )
    owner = VisiblePrimaryKeyField(
        Organization, help_text="Организация, чья будет новая карта (идентификатор)."
    )
    title = serializers.CharField(
        max_length=1000, help_text="Наименование новой карты.", validators=[validate_multiline]
    )
    period = serializers.CharField(
        max_length=40,
        help_text="Период: год («2025»), учебный год («2025/2026») или даты "
        "(«2025-01-01..2025-12-31»).",
        validators=[validate_single_line],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from roadmaps.cascade import template_sources

        request = self.context.get("request")
        if request is not None:
            self.fields["source"].queryset = template_sources(request.user)

    def validate_period(self, text):
        return parse_period(text)


class RoadmapImportSerializer(serializers.Serializer):
    """A plan's document to import: the same checks as the upload page."""

    file = serializers.FileField(help_text=f"Документ плана: {FORMATS}, до 20 МБ.")
    owner = VisiblePrimaryKeyField(
        Organization, help_text="Организация, чей это план (идентификатор)."
    )
    title = serializers.CharField(
        max_length=1000,
        required=False,
        help_text="Наименование; по умолчанию — из документа.",
        validators=[validate_multiline],
    )
    period = serializers.CharField(
        max_length=40,
        required=False,
        help_text="Период: год («2024»), учебный год («2023/2024») или даты "
        "(«2024-01-01..2024-12-31»); по умолчанию — из документа.",
        validators=[validate_single_line],
    )
    dry_run = serializers.BooleanField(
        default=False,
        help_text="Только разобрать и показать, что будет загружено, ничего не сохраняя.",
    )

    def validate_file(self, uploaded):
        if not uploaded.name.lower().endswith(ACCEPTED):
            raise serializers.ValidationError(UNSUPPORTED)
        if uploaded.size > MAX_BYTES:
            raise serializers.ValidationError("Файл больше 20 МБ.")
        return uploaded

    def validate_period(self, text):
        return parse_period(text)


class ImportPreviewSerializer(serializers.Serializer):
    """What an import would save (`dry_run`)."""

    title = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    section_count = serializers.IntegerField()
    item_count = serializers.IntegerField()
    glossary_count = serializers.IntegerField(help_text="Обозначений и сокращений.")
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="Замечания разбора: сроки, которые прочитаны с оговорками или не прочитаны.",
    )


class PasteRowsSerializer(serializers.Serializer):
    """«Вставить строки»: the fields of the page's form (roadmaps/pasting.py PasteForm), which
    validates them."""

    text = serializers.CharField(
        trim_whitespace=False,
        validators=[validate_multiline],
        help_text="Строки таблицы, как их копируют Word и Excel: ячейки через табуляцию, строки "
        "через перевод строки. Первая строка может быть шапкой таблицы; без шапки столбцы "
        "читаются в порядке столбцов карты (`columns`).",
    )
    html = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        validators=[validate_multiline],
        help_text="Та же таблица как HTML из буфера обмена (text/html); если в нём есть "
        "таблица, строки берутся из неё.",
    )
    section = serializers.IntegerField(help_text="Раздел карты, в конец которого добавить.")
    dry_run = serializers.BooleanField(
        default=False,
        help_text="Только разобрать и показать, что будет добавлено, ничего не сохраняя.",
    )


class PastedRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        allow_null=True, help_text="Идентификатор мероприятия; null при `dry_run`."
    )
    number = serializers.CharField(help_text="Номер: как в блоке (`dry_run`) или присвоенный.")
    title = serializers.CharField()
    deadline_text = serializers.CharField()
    deadline_start = serializers.DateField(allow_null=True)
    deadline_end = serializers.DateField(allow_null=True)
    deadline_warnings = serializers.ListField(child=serializers.CharField())
    responsible = serializers.ListField(child=serializers.CharField())
    result = serializers.CharField()


class PasteResultSerializer(serializers.Serializer):
    section = serializers.IntegerField()
    item_count = serializers.IntegerField()
    items = PastedRowSerializer(many=True)
    warnings = serializers.ListField(
        child=serializers.CharField(), help_text="Замечания разбора блока."
    )


class RoadmapUpdateSerializer(_PeriodMixin, serializers.ModelSerializer):
    lock_version = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, help_text=LOCK_VERSION_HELP
    )

    class Meta:
        model = Roadmap
        fields = ["title", "period_start", "period_end", "lock_version"]

    def _form(self, values, attrs):
        values["lock_version"] = self.instance.lock_version
        return RoadmapEditForm(values, roadmap=self.instance)

    def update(self, roadmap, validated_data):
        user = self.context["request"].user
        if not editing.update_roadmap(
            roadmap,
            title=validated_data["title"],
            period=validated_data["period"],
            user=user,
            loaded_version=validated_data.get("lock_version", roadmap.lock_version),
        ):
            _refuse_stale(roadmap, user, "Дорожную карту")
        return roadmap


# Workflow


class ApproveSerializer(serializers.Serializer):
    kind = serializers.CharField(
        max_length=200,
        help_text="Вид документа: распоряжение, приказ, постановление…",
        validators=[validate_single_line],
    )
    number = serializers.CharField(
        max_length=100, help_text="Номер документа.", validators=[validate_single_line]
    )
    date = serializers.DateField(help_text="Дата документа.")
    name = serializers.CharField(
        max_length=200,
        help_text="Подписант: фамилия и инициалы.",
        validators=[validate_single_line],
    )
    position = serializers.CharField(
        max_length=500, help_text="Должность подписанта.", validators=[validate_single_line]
    )
    issuer = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="Кем издан (орган).",
        validators=[validate_single_line],
    )

    def validate_date(self, date):
        problem = approval_date_problem(date, timezone.localdate())
        if problem:
            raise serializers.ValidationError(problem)
        return date


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(
        help_text="Что нужно исправить; комментарий увидит автор.",
        max_length=5000,
        validators=[validate_multiline],
    )


# Execution


def _username(user) -> str | None:
    return user.username if user else None


class EvidenceFileSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Кто приложил файл (логин); null — пользователь удалён.",
    )
    url = serializers.SerializerMethodField(help_text="Адрес для скачивания файла через API.")

    class Meta:
        model = EvidenceFile
        fields = ["id", "name", "size", "uploaded_by", "created", "url"]
        read_only_fields = fields

    def get_url(self, evidence) -> str:
        report = evidence.report
        url = reverse(
            "api:item-report-file-download", args=[report.item_id, report.pk, evidence.pk]
        )
        return self.context["request"].build_absolute_uri(url)


class EvidenceUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(),
        allow_empty=False,
        write_only=True,
        help_text="Один или несколько файлов (multipart/form-data, поле `files` повторяется): "
        "PDF, DOCX, XLSX, ODT, JPEG или PNG до 10 МБ каждый.",
    )

    def validate_files(self, files):
        form = EvidenceFilesForm(files=MultiValueDict({"files": files}))
        if not form.is_valid():
            raise serializers.ValidationError(form.errors["files"])
        return form.cleaned_data["files"]


# A report is checked by the page's own form (ExecutionReportForm): the same limits, the same
# Russian messages; saving it (add_report / edit_report) refuses an empty report.
class ExecutionReportSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Кто внёс отчёт (логин); null — пользователь удалён.",
    )
    evidence_url = LinkField(
        max_length=1000,
        required=False,
        help_text="Ссылка на подтверждение (новость на сайте, документ) или null. Адрес "
        "отдаётся как URI: домен на кириллице — в punycode, прочие знаки — %-кодами.",
    )
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        write_only=True,
        help_text="Файлы-подтверждения (multipart/form-data, поле `files` повторяется): PDF, "
        "DOCX, XLSX, ODT, JPEG или PNG до 10 МБ каждый, всего не больше 10 на отчёт.",
    )
    evidence_file = serializers.FileField(
        required=False,
        write_only=True,
        help_text="Один файл-подтверждение; то же, что один файл в `files` (оставлено для "
        "прежних клиентов).",
    )
    evidence_files = EvidenceFileSerializer(
        source="files", many=True, read_only=True, help_text="Приложенные файлы."
    )
    occurrence = serializers.PrimaryKeyRelatedField(
        queryset=ItemOccurrence.objects.all(),
        required=False,
        allow_null=True,
        help_text="За какой период отчёт (идентификатор из `occurrences` мероприятия); только у "
        "периодического мероприятия. Не указан — самый ранний период, ещё не выполненный.",
        error_messages={"does_not_exist": "Такого периода у мероприятия нет."},
    )
    occurrence_label = serializers.CharField(
        source="occurrence.label",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Период отчёта («I квартал 2025») или null.",
    )
    edited_by = serializers.SerializerMethodField(help_text="Кто исправил отчёт (логин).")
    withdrawn_by = serializers.SerializerMethodField(help_text="Кто отозвал отчёт (логин).")

    class Meta:
        model = ExecutionReport
        fields = [
            "id",
            "item",
            "occurrence",
            "occurrence_label",
            "status",
            "date",
            "comment",
            "evidence_url",
            "files",
            "evidence_file",
            "evidence_files",
            "author",
            "created",
            "edited_at",
            "edited_by",
            "withdrawn_at",
            "withdrawn_by",
        ]
        read_only_fields = ["item", "author", "created", "edited_at", "withdrawn_at"]
        extra_kwargs = {
            "date": {"required": False, "help_text": "Дата исполнения; по умолчанию сегодня."},
            "withdrawn_at": {"help_text": "Когда отчёт отозван; null — отчёт учитывается."},
        }

    def get_edited_by(self, report) -> str | None:
        return _username(report.edited_by)

    def get_withdrawn_by(self, report) -> str | None:
        return _username(report.withdrawn_by)

    def validate(self, attrs):
        """Checked by the page's form (ExecutionReportForm), in its words. A periodic item's
        report is for one of the item's own periods, by default the earliest not done; a
        correction keeps its period; an item with one due date takes none."""
        report = self.instance
        item = report.item if report else self.context["item"]
        chosen = attrs.get("occurrence")
        if chosen is not None and report is not None:
            raise serializers.ValidationError(
                {"occurrence": "Период отчёта при исправлении не меняется."}
            )
        rows = item.occurrence_rows
        if chosen is not None and not rows:
            raise serializers.ValidationError(
                {"occurrence": "У мероприятия один срок: период указывать не нужно."}
            )
        if report is None:
            values = {"status": "", "date": timezone.localdate(), "comment": "", "evidence_url": ""}
        else:
            values = {
                "status": report.status,
                "date": report.date,
                "comment": report.comment,
                "evidence_url": report.evidence_url,
            }
        values.update({name: attrs[name] for name in values if name in attrs})
        files = list(attrs.get("files", []))
        if attrs.get("evidence_file"):
            files.append(attrs["evidence_file"])
        # A fresh instance: the form must not change the report before it is saved.
        if rows and report is None:
            values["occurrence"] = (chosen or first_open(rows)).pk
        form = ExecutionReportForm(
            values, MultiValueDict({"files": files}), item=item, correction=report is not None
        )
        return _validated_by(form)


# The glossary: the plan's responsible parties


# A string in the schema: the same choices as an enum in a second component would clash there
# with the other fields named `kind` (an ENUM_NAME_OVERRIDES entry would be needed).
@extend_schema_field(OpenApiTypes.STR)
class _PartyKindField(serializers.ChoiceField):
    pass


# A party of the plan as the page «Обозначения и ответственные» lists it. Written through the
# page's own form (PartyForm), so that the API accepts and refuses exactly what the page does:
# the name's spaces collapsed, no second party of the plan with the same name whatever the
# case, an organization only from the directory the page offers. (Comments, not docstrings:
# a serializer's docstring becomes its description in the Russian documentation.)
class GlossaryPartySerializer(serializers.ModelSerializer):
    kind = _PartyKindField(
        choices=Party.Kind.choices,
        required=False,
        help_text="Вид: `organization` — организация (по умолчанию), `category` — категория "
        "организаций, `role` — должность / роль, `person` — сотрудник.",
    )
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(),
        required=False,
        allow_null=True,
        help_text="Организация справочника (идентификатор) или null: органы региона и школы "
        "муниципалитета владельца карты, которые видит пользователь.",
    )
    organization_name = serializers.SerializerMethodField(
        help_text="Краткое наименование связанной организации справочника."
    )
    item_count = serializers.IntegerField(
        read_only=True, help_text="В скольких мероприятиях карты указан ответственным."
    )

    class Meta:
        model = Party
        fields = [
            "id",
            "roadmap",
            "name",
            "full_name",
            "kind",
            "organization",
            "organization_name",
            "in_glossary",
            "position",
            "item_count",
        ]
        read_only_fields = ["roadmap", "position"]
        extra_kwargs = {
            "name": {"help_text": "Обозначение (сокращение), как в плане: «ИМЦ», «ОО»."},
            "in_glossary": {
                "help_text": "Печатается в разделе «Обозначения и сокращения»; у нового "
                "обозначения по умолчанию — да, как на странице."
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roadmap, request = self.context.get("roadmap"), self.context.get("request")
        if roadmap is not None and request is not None:
            self.fields["organization"].queryset = responsible_directory(request.user, roadmap)

    def get_organization_name(self, party) -> str | None:
        return party.organization.short_name if party.organization_id else None

    def validate(self, attrs):
        party = self.instance if self.instance is not None else new_party(self.context["roadmap"])
        self._old_name = party.name
        # What the page's form would receive: fields left out keep their values (PATCH) or
        # start as on the page's empty form, where «в перечне сокращений» is checked.
        values = {name: getattr(party, name) for name in PARTY_FIELDS}
        if self.instance is None:
            values["in_glossary"] = True
        values.update(attrs)
        organization = values["organization"]
        values["organization"] = organization.pk if organization else ""
        form = PartyForm(values, instance=party, directory=self.fields["organization"].queryset)
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        self._form = form
        return form.cleaned_data

    def create(self, validated_data):
        return self._form.save()

    def update(self, party, validated_data):
        for name in PARTY_FIELDS:
            setattr(party, name, validated_data[name])
        save_party(party, old_name=self._old_name, user=self.context["request"].user)
        return party


# The history log


class HistoryChangeSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="Поле: «мероприятие», «сроки (как написано)»…")
    old = serializers.CharField(help_text="Прежнее значение, как на странице («—» — пусто).")
    new = serializers.CharField(help_text="Новое значение.")


class HistoryEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField(help_text="Когда сделано изменение.")
    user = serializers.CharField(
        help_text="Кто: имя пользователя или логин; «система» — изменение без пользователя."
    )
    kind = serializers.CharField(
        help_text="Что изменено: `roadmap` — сама карта, `section` — раздел, `item` — мероприятие."
    )
    object_id = serializers.IntegerField(help_text="Идентификатор карты, раздела или мероприятия.")
    action = serializers.CharField(help_text="«создано», «изменено» или «удалено».")
    label = serializers.CharField(help_text="Что это: «План (версия 2)», «Раздел 1 …».")
    changes = HistoryChangeSerializer(
        many=True, help_text="Изменённые поля с прежним и новым значением (у правки)."
    )
    reason = serializers.CharField(
        help_text="Причина, записанная с изменением («Период плана изменён на …»), или пусто."
    )


# The deadline preview


class DeadlinePreviewSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="Разобранный текст (не длиннее 500 знаков).")
    # A plain string: an enum here would clash in the schema with the parties' `kind`.
    kind = serializers.CharField(
        help_text="Вид срока, как `deadline_kind` мероприятия: `dates` — даты, `until` — до "
        "даты, `continuous` — в течение периода, `recurring` — периодически, `unscheduled` — "
        "без срока."
    )
    kind_label = serializers.CharField(help_text="Вид срока по-русски: «даты», «до даты»…")
    start = serializers.DateField(allow_null=True, help_text="Первый день срока или null.")
    end = serializers.DateField(allow_null=True, help_text="Последний день срока или null.")
    occurrences = serializers.IntegerField(
        allow_null=True, help_text="Сколько раз проводится (у периодических) или null."
    )
    note = serializers.CharField(help_text="Примечание в скобках из текста («(5 групп)»).")
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="Замечания: дата вне периода карты, непонятые слова.",
    )


# The roll-up of an item to the plans made from it


class RollupCountsSerializer(serializers.Serializer):
    item_count = serializers.IntegerField(help_text="Планов с этим мероприятием.")
    not_started_count = serializers.IntegerField(help_text="Не начато.")
    in_progress_count = serializers.IntegerField(help_text="Выполняется.")
    done_count = serializers.IntegerField(help_text="Выполнено.")
    cancelled_count = serializers.IntegerField(help_text="Отменено.")
    overdue_count = serializers.IntegerField(help_text="Просрочено.")


# One copy of the item in a plan made from its plan: a row of the roll-up page.
class RollupCopySerializer(serializers.ModelSerializer):
    roadmap_title = serializers.CharField(source="roadmap.title")
    roadmap_status = serializers.ChoiceField(
        source="roadmap.status", choices=Roadmap.Status.choices, help_text="Статус плана."
    )
    roadmap_period_label = serializers.CharField(
        source="roadmap.period_label", help_text="Период плана: «2024 год», «2023/2024 …»."
    )
    owner = serializers.IntegerField(source="roadmap.owner_id", help_text="Организация плана.")
    owner_name = serializers.CharField(source="roadmap.owner.short_name")
    municipality = serializers.IntegerField(source="roadmap.owner.municipality_id", allow_null=True)
    municipality_name = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField(
        help_text="Срок окончания прошёл, а мероприятие не выполнено и не отменено."
    )
    last_report_date = serializers.DateField(
        allow_null=True, help_text="Дата последнего отчёта (по любой версии плана) или null."
    )
    last_report_comment = serializers.CharField(
        allow_null=True, help_text="Что сделано — из последнего отчёта."
    )

    class Meta:
        model = Item
        fields = [
            "id",
            "number",
            "status",
            "is_overdue",
            "roadmap",
            "roadmap_title",
            "roadmap_status",
            "roadmap_period_label",
            "owner",
            "owner_name",
            "municipality",
            "municipality_name",
            "last_report_date",
            "last_report_comment",
        ]
        read_only_fields = fields

    def get_municipality_name(self, item) -> str | None:
        municipality = item.roadmap.owner.municipality
        return municipality.name if municipality else None

    def get_is_overdue(self, item) -> bool:
        return item.is_overdue(self.context["today"])


# The roll-up page as data: the counts, then one page of copies.
class RollupSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Копий всего.")
    next = serializers.URLField(allow_null=True, help_text="Следующая страница или null.")
    previous = serializers.URLField(allow_null=True, help_text="Предыдущая страница или null.")
    summary = RollupCountsSerializer(help_text="Копии по исполнению — по всем страницам.")
    results = RollupCopySerializer(many=True)


# A section or an item moved with the editor's arrows


class MoveResultSerializer(serializers.Serializer):
    moved = serializers.BooleanField(
        help_text="Переместился ли: первый вверх и последний вниз остаются на месте."
    )
    number = serializers.CharField(help_text="Номер после перемещения.")
    position = serializers.IntegerField(help_text="Место по порядку после перемещения.")


# The comparison of two versions of a plan (roadmaps.versions.PlanDiff), read from the diff


class VersionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", help_text="Версия карты (идентификатор).")
    version = serializers.IntegerField(help_text="Номер версии.")


class FieldChangeSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Поле: `title`, `number`, `deadline_text`…")
    label = serializers.CharField(help_text="Поле по-русски: «мероприятие», «сроки»…")
    old = serializers.CharField(help_text="Прежнее значение, как на странице сравнения.")
    new = serializers.CharField(help_text="Новое значение.")


class PartChangeSerializer(serializers.Serializer):
    change = serializers.CharField(
        source="kind", help_text="`added` — добавлено, `removed` — удалено, `changed` — изменено."
    )
    label = serializers.CharField(
        source="state.label", help_text="Что это: раздел или мероприятие с номером, обозначение."
    )
    fields = FieldChangeSerializer(many=True, help_text="Изменённые поля (у изменённого).")


class VersionCompareSerializer(serializers.Serializer):
    """`{"old": plan, "new": plan, "diff": PlanDiff}`."""

    old = VersionRefSerializer(help_text="Более ранняя версия.")
    new = VersionRefSerializer(help_text="Более поздняя версия.")
    items_added = serializers.IntegerField(source="diff.added", help_text="Мероприятий добавлено.")
    items_removed = serializers.IntegerField(source="diff.removed", help_text="Удалено.")
    items_changed = serializers.IntegerField(source="diff.changed", help_text="Изменено.")
    items_unchanged = serializers.IntegerField(
        source="diff.unchanged_items", help_text="Не изменилось."
    )
    plan = FieldChangeSerializer(
        many=True, source="diff.plan", help_text="Изменённые поля самой карты."
    )
    sections = PartChangeSerializer(many=True, source="diff.sections", help_text="Разделы.")
    items = PartChangeSerializer(many=True, source="diff.items", help_text="Мероприятия.")
    glossary = PartChangeSerializer(
        many=True, source="diff.glossary", help_text="Обозначения и сокращения."
    )
