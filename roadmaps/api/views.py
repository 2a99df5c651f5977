"""Viewsets of the roadmaps API: plans and their workflow, history and deadline preview;
sections, items and parties (the glossary) of a plan; items across plans with their roll-up,
execution reports and the directions of the federal project."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from orgs.scope import get_scope
from portal import russian
from portal.api import (
    AnyAccept,
    Conflict,
    ScopedReadOnlyViewSet,
    ScopedViewSet,
    ScopedViewSetMixin,
    form_errors,
)
from portal.pagination import Pagination, UncountedPagination
from portal.russian import FILES_GENITIVE
from portal.validators import parse_id
from reports.downloads import DOCX_TYPE, XLSX_TYPE, plan_file
from roadmaps import editing, versions
from roadmaps.api.filters import ItemFilter, RoadmapFilter
from roadmaps.api.permissions import (
    READ_ONLY_MESSAGE,
    PlanAcceptsReports,
    PlanIsEditable,
    ReviewsPlan,
    WritesOwner,
)
from roadmaps.api.serializers import (
    ApproveSerializer,
    DeadlinePreviewSerializer,
    DirectionSerializer,
    EvidenceFileSerializer,
    EvidenceUploadSerializer,
    ExecutionReportSerializer,
    FromTemplateSerializer,
    GlossaryPartySerializer,
    HistoryEntrySerializer,
    ImportPreviewSerializer,
    ItemAcrossPlansSerializer,
    ItemCreateSerializer,
    ItemSerializer,
    MoveResultSerializer,
    MoveSerializer,
    PasteResultSerializer,
    PasteRowsSerializer,
    ReturnSerializer,
    RoadmapCreateSerializer,
    RoadmapDetailSerializer,
    RoadmapImportSerializer,
    RoadmapSerializer,
    RoadmapUpdateSerializer,
    RollupSerializer,
    SectionCreateSerializer,
    SectionSerializer,
    VersionCompareSerializer,
)
from roadmaps.cascade import create_from_template
from roadmaps.deadline_preview import MAX_LENGTH as DEADLINE_MAX_LENGTH
from roadmaps.deadline_preview import preview_deadline
from roadmaps.deadlines import parse_deadline
from roadmaps.execution import (
    MAX_EVIDENCE_FILES,
    add_evidence_files,
    add_report,
    edit_report,
    evidence_response,
    remove_evidence_file,
    reports_of,
    withdraw_report,
)
from roadmaps.glossary import PartyInUse, delete_party, parties_of
from roadmaps.history import log_entries, log_rows
from roadmaps.importers import DocumentError
from roadmaps.importing import check_parsed, read_document, save_parsed_roadmap
from roadmaps.models import (
    Direction,
    EvidenceFile,
    ExecutionReport,
    Item,
    Party,
    Roadmap,
    RoadmapEvent,
    Section,
    WorkflowError,
)
from roadmaps.rollup import rollup_of

FORBIDDEN = OpenApiResponse(
    description="Нет права на это действие (например, у наблюдателя) или карта в состоянии, "
    "в котором его не выполнить (утверждена, на согласовании); причина — в поле detail."
)
NOT_FOUND = OpenApiResponse(description="Объект вне области пользователя или не существует.")
CONFLICT = OpenApiResponse(
    description="Запись изменили после того, как вы её прочитали, или шаг согласования "
    "невозможен в текущем состоянии карты; причина — в поле detail."
)
WRITE_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}


def _with_contents(queryset):
    """A plan with everything its detail shows, in a fixed number of queries."""
    sections = Section.objects.prefetch_related(
        Prefetch("items", queryset=Item.objects.with_links())
    )
    return queryset.select_related("owner").prefetch_related(
        Prefetch("sections", queryset=sections),
        "parties",
        Prefetch("events", queryset=RoadmapEvent.objects.select_related("user")),
    )


def _parsed_sections(sections):
    for section in sections:
        yield section
        yield from _parsed_sections(section.sections)


def _workflow_step(step):
    try:
        return step()
    except WorkflowError as error:
        raise Conflict(str(error)) from None


# Plans


@extend_schema_view(
    list=extend_schema(
        summary="Дорожные карты",
        description="Карты организаций в области пользователя и утверждённые карты "
        "вышестоящих уровней, которые он реализует. Фильтры: статус, уровень "
        "(`region`, `municipality`, `school`), владелец, субъект РФ, муниципальное "
        "образование, год периода, только действующие версии; поиск по наименованию карты и "
        "владельца.",
    ),
    retrieve=extend_schema(
        summary="Дорожная карта целиком",
        description="Карта с разделами по порядку (у подраздела указан родитель), "
        "мероприятиями каждого раздела, ответственными и перечнем сокращений (`parties`) и "
        "историей согласования (`events`). Карта вне области пользователя — 404.",
    ),
    create=extend_schema(
        summary="Создать дорожную карту",
        description="Новая карта в статусе «черновик» для организации, в которой у "
        "пользователя есть право записи; наблюдателю — 403. Организация, которой "
        "пользователь не видит, — ошибка 400 в поле owner.",
        request=RoadmapCreateSerializer,
        responses={201: RoadmapDetailSerializer, 403: FORBIDDEN},
    ),
    update=extend_schema(
        summary="Изменить дорожную карту",
        description="Наименование и период черновика или карты, возвращённой на доработку. "
        "При смене периода сроки мероприятий разбираются заново. Утверждённую карту "
        "изменить нельзя (403): для изменений создаётся новая версия (`revise`).",
        request=RoadmapUpdateSerializer,
        responses={200: RoadmapDetailSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Изменить дорожную карту частично",
        description="Как PUT, но только переданные поля.",
        request=RoadmapUpdateSerializer,
        responses={200: RoadmapDetailSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Удалить дорожную карту",
        description="Удаляет черновик или возвращённую карту со всеми разделами и "
        "мероприятиями. Утверждённую или находящуюся на согласовании — нельзя (403).",
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class RoadmapViewSet(ScopedViewSet):
    permission_classes = [IsAuthenticated, WritesOwner, PlanIsEditable]
    filterset_class = RoadmapFilter
    search_fields = ["title", "owner__short_name"]
    ordering_fields = ["period_start", "period_end", "title", "status", "updated", "version"]

    def scoped_queryset(self, user):
        queryset = Roadmap.objects.for_user(user)
        if self.action == "retrieve":
            return _with_contents(queryset)
        return queryset.select_related("owner")

    def get_serializer_class(self):
        return {
            "list": RoadmapSerializer,
            "create": RoadmapCreateSerializer,
            "update": RoadmapUpdateSerializer,
            "partial_update": RoadmapUpdateSerializer,
            "approve": ApproveSerializer,
            "return_for_revision": ReturnSerializer,
        }.get(self.action, RoadmapDetailSerializer)

    def parent_roadmap(self):
        return None

    def roadmap_of(self, roadmap):
        return roadmap

    def _require_writes_for(self, owner) -> None:
        """A new plan (created, imported, built on a template) is for an organization the user
        writes for; a viewer's request is refused with the reason."""
        if not get_scope(self.request.user).covers(owner, write=True):
            raise PermissionDenied(READ_ONLY_MESSAGE)

    def _detail(self, roadmap, status_code=status.HTTP_200_OK):
        fresh = _with_contents(Roadmap.objects.for_user(self.request.user)).get(pk=roadmap.pk)
        context = self.get_serializer_context()
        return Response(RoadmapDetailSerializer(fresh, context=context).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self._require_writes_for(serializer.validated_data["owner"])
        roadmap = serializer.save()
        return self._detail(roadmap, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        roadmap = self.get_object()
        serializer = self.get_serializer(
            roadmap, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        return self._detail(serializer.save())

    # The approval workflow: the model methods check the state, access.py the role.

    @extend_schema(
        summary="Направить на согласование",
        description="Черновик или возвращённая карта уходит на согласование уровню выше; "
        "пока она на согласовании, её нельзя изменить. Карта в другом состоянии — 409.",
        request=None,
        responses={200: RoadmapDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, WritesOwner])
    def submit(self, request, pk=None):
        roadmap = self.get_object()
        _workflow_step(lambda: roadmap.submit(by=request.user))
        return self._detail(roadmap)

    @extend_schema(
        summary="Утвердить",
        description="Утверждение карты на согласовании документом (вид, номер, дата, "
        "подписант). Утверждает уровень выше: карту школы — муниципалитет или регион, "
        "карту муниципалитета — регион; иначе — 403. Прежняя утверждённая версия уходит в "
        "архив. Карта не на согласовании — 409. Тот, кто сам направил карту на согласование, "
        "утверждает её, только если другого проверяющего нет (других сотрудников с правом "
        "записи в проверяющей организации); иначе — 409 с их именами. Такое утверждение "
        "отмечается «утверждено автором».",
        responses={200: RoadmapDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, ReviewsPlan])
    def approve(self, request, pk=None):
        roadmap = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _workflow_step(lambda: roadmap.approve(by=request.user, **serializer.validated_data))
        return self._detail(roadmap)

    @extend_schema(
        summary="Вернуть на доработку",
        description="Карта на согласовании возвращается автору с комментарием, что "
        "исправить. Возвращает уровень выше; иначе — 403. Карта не на согласовании — 409.",
        responses={200: RoadmapDetailSerializer, **WRITE_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="return",
        url_name="return",
        permission_classes=[IsAuthenticated, ReviewsPlan],
    )
    def return_for_revision(self, request, pk=None):
        roadmap = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = serializer.validated_data["comment"]
        _workflow_step(lambda: roadmap.return_for_revision(by=request.user, comment=comment))
        return self._detail(roadmap)

    @extend_schema(
        summary="Актуализировать (новая версия)",
        description="Создаёт из утверждённой карты новую версию-черновик со всеми разделами "
        "и мероприятиями; утверждённая остаётся в силе до утверждения новой. Ответ — новая "
        "версия. Карта не утверждена или новая версия уже есть — 409.",
        request=None,
        responses={201: RoadmapDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, WritesOwner])
    def revise(self, request, pk=None):
        roadmap = self.get_object()
        new = _workflow_step(lambda: roadmap.revise(by=request.user))
        return self._detail(new, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Загрузить дорожную карту из документа",
        description="Документ плана (Word, Excel или текст, как на странице «Загрузить план») "
        "разбирается и сохраняется черновиком организации `owner` со всеми разделами, "
        "мероприятиями, сроками и обозначениями — целиком или никак. С `dry_run=true` ничего "
        "не сохраняется: ответ показывает, что будет загружено, и замечания разбора. Документ, "
        "который не прочитать, — 400 с причиной в поле `file`; организация, за которую "
        "пользователь не пишет, — 403. Тело — multipart/form-data.",
        request={"multipart/form-data": RoadmapImportSerializer},
        responses={
            201: RoadmapDetailSerializer,
            200: ImportPreviewSerializer,
            400: OpenApiResponse(description="Документ не прочитан или поля заполнены неверно."),
            403: FORBIDDEN,
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        permission_classes=[IsAuthenticated],
        parser_classes=[MultiPartParser],
        serializer_class=RoadmapImportSerializer,
    )
    def import_document(self, request):
        serializer = RoadmapImportSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        self._require_writes_for(data["owner"])
        uploaded = data["file"]
        try:
            parsed = read_document(uploaded, filename=uploaded.name)
            period = data.get("period") or parsed.deadline_period()
            check_parsed(parsed, period)
        except DocumentError as error:
            raise ValidationError({"file": [str(error)]}) from None
        if data["dry_run"]:
            items = list(parsed.all_items())
            warnings = list(parsed.warnings)
            for item in items:
                for warning in parse_deadline(item.deadline_text, period).warnings:
                    warnings.append(f"{item.number or '—'} «{item.deadline_text}»: {warning}")
            preview = {
                "title": data.get("title") or parsed.title,
                "period_start": period.start,
                "period_end": period.end,
                "section_count": sum(1 for _ in _parsed_sections(parsed.sections)),
                "item_count": len(items),
                "glossary_count": len(parsed.glossary),
                "warnings": warnings,
            }
            return Response(ImportPreviewSerializer(preview).data)
        roadmap = save_parsed_roadmap(
            parsed,
            owner=data["owner"],
            user=request.user,
            period=period,
            title=data.get("title"),
            filename=uploaded.name,
        )
        return self._detail(roadmap, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Вставить строки",
        description="Как кнопка «Вставить строки» на странице черновика: блок строк, "
        "скопированный из Word или Excel (ячейки через табуляцию или таблица HTML из буфера), "
        "разбирается тем же кодом, что «Загрузить план», — сроки, ответственные, замечания — и "
        "добавляется в конец раздела `section`, целиком или никак. Без шапки столбцы читаются в "
        "порядке столбцов карты. С `dry_run=true` ничего не сохраняется: ответ показывает "
        "строки с разобранными сроками. Блок, который не прочитать, — 400 с причиной в поле "
        "`text`; раздел не этой карты — 400 в поле `section`. Только для черновика или "
        "возвращённой карты: иначе — 403 с причиной; наблюдателю — 403.",
        request=PasteRowsSerializer,
        responses={
            201: PasteResultSerializer,
            200: PasteResultSerializer,
            400: OpenApiResponse(description="Блок не прочитан или поля заполнены неверно."),
            **WRITE_ERRORS,
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="paste-rows",
        url_name="paste-rows",
        serializer_class=PasteRowsSerializer,
    )
    def paste_rows(self, request, pk=None):
        from roadmaps.pasting import PasteForm, add_rows

        roadmap = self.get_object()
        serializer = PasteRowsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        form = PasteForm(
            {"text": data["text"], "html": data.get("html", ""), "section": data["section"]},
            roadmap=roadmap,
        )
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        section = form.cleaned_data["section"]
        if data["dry_run"]:
            rows = [
                {
                    "id": None,
                    "number": row["item"].number,
                    "title": row["item"].title,
                    "deadline_text": row["item"].deadline_text,
                    "deadline_start": row["deadline"].start,
                    "deadline_end": row["deadline"].end,
                    "deadline_warnings": list(row["deadline"].warnings),
                    "responsible": list(dict.fromkeys(row["item"].responsible)),
                    "result": row["item"].result,
                }
                for row in form.preview()
            ]
            code = status.HTTP_200_OK
        else:
            added = add_rows(section, form.items, user=request.user)
            rows = [
                {
                    "id": item.pk,
                    "number": item.number,
                    "title": item.title,
                    "deadline_text": item.deadline_text,
                    "deadline_start": item.deadline_start,
                    "deadline_end": item.deadline_end,
                    "deadline_warnings": list(item.deadline_warnings or []),
                    "responsible": list(dict.fromkeys(parsed.responsible)),
                    "result": item.result,
                }
                for item, parsed in zip(added, form.items, strict=True)
            ]
            code = status.HTTP_201_CREATED
        result = {
            "section": section.pk,
            "item_count": len(rows),
            "items": rows,
            "warnings": form.warnings,
        }
        return Response(PasteResultSerializer(result).data, status=code)

    @extend_schema(
        summary="Сравнить версии",
        description="Что изменилось между двумя версиями карты — как на странице «Сравнение "
        "версий»: поля самой карты, разделы, мероприятия и обозначения, добавленные, "
        "удалённые и изменённые, с прежним и новым значением каждого изменённого поля. "
        "`old` — идентификатор другой версии той же карты (по умолчанию — предыдущая); "
        "порядок версий не важен. Версия, которой нет среди версий этой карты или которая "
        "вне области, — 404.",
        parameters=[
            OpenApiParameter("old", int, description="Идентификатор версии, с которой сравнить.")
        ],
        responses={200: VersionCompareSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], permission_classes=[IsAuthenticated], filter_backends=[])
    def compare(self, request, pk=None):
        roadmap = self.get_object()
        value = request.query_params.get("old") or str(roadmap.previous_version_id or "")
        other = (
            Roadmap.objects.for_user(request.user)
            .filter(lineage=roadmap.lineage, pk=parse_id(value) or 0)
            .first()
        )
        if other is None:
            raise NotFound("Такой версии этой карты нет или она недоступна.")
        old, new = sorted([other, roadmap], key=lambda plan: plan.version)
        diff = versions.compare(versions.snapshot(old), versions.snapshot(new))
        return Response(VersionCompareSerializer({"old": old, "new": new, "diff": diff}).data)

    @extend_schema(
        summary="Создать карту на основе карты верхнего уровня",
        description="Как страница «План на основе плана верхнего уровня»: новый черновик "
        "организации `owner` со всеми разделами и мероприятиями утверждённой карты `source`; "
        "каждое скопированное мероприятие помнит своё исходное (`source_item`), и сводка "
        "исполнения по карте верхнего уровня видит копии. Основа — только утверждённая карта "
        "уровнем выше того же региона (и муниципалитета — для школы); иначе — 400 с причиной. "
        "Организация, за которую пользователь не пишет, — 403.",
        request=FromTemplateSerializer,
        responses={
            201: RoadmapDetailSerializer,
            400: OpenApiResponse(description="Основа не подходит или поля заполнены неверно."),
            403: FORBIDDEN,
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="from-template",
        url_name="from-template",
        permission_classes=[IsAuthenticated],
        serializer_class=FromTemplateSerializer,
    )
    def from_template(self, request):
        serializer = FromTemplateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        self._require_writes_for(data["owner"])
        try:
            roadmap = create_from_template(
                data["source"],
                owner=data["owner"],
                title=data["title"],
                period=data["period"],
                user=request.user,
            )
        except ValueError as error:
            raise ValidationError({"source": [str(error)]}) from None
        return self._detail(roadmap, status.HTTP_201_CREATED)

    # The plan's documents: the same files as the download buttons of the plan's page.

    @extend_schema(
        summary="Дорожная карта в PDF",
        description="Официальный вид карты для подписи: альбомный A4, блок утверждения, "
        "таблица с повторяющейся шапкой, «Обозначения и сокращения», нумерация страниц; "
        "на неутверждённой версии — отметка «ПРОЕКТ». Тот же файл, что на странице карты.",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[IsAuthenticated],
        content_negotiation_class=AnyAccept,
    )
    def pdf(self, request, pk=None):
        return plan_file(self.get_object(), "pdf")

    @extend_schema(
        summary="Дорожная карта в Excel",
        description="Карта в XLSX: те же столбцы, что в документе, и разобранные даты сроков; "
        "закреплённая шапка, объединённые строки разделов. Файл загружается обратно через "
        "импорт без потерь.",
        responses={(200, XLSX_TYPE): OpenApiTypes.BINARY, 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[IsAuthenticated],
        content_negotiation_class=AnyAccept,
    )
    def xlsx(self, request, pk=None):
        return plan_file(self.get_object(), "xlsx")

    @extend_schema(
        summary="Дорожная карта в Word",
        description="Карта в DOCX для подписи и правки: гриф справа вверху, столбцы и "
        "заголовки плана, шапка таблицы на каждой странице, разделы объединёнными строками, "
        "«Обозначения и сокращения», альбомный A4. Файл загружается обратно через импорт в ту "
        "же карту. Тот же файл, что на странице карты.",
        responses={(200, DOCX_TYPE): OpenApiTypes.BINARY, 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[IsAuthenticated],
        content_negotiation_class=AnyAccept,
    )
    def docx(self, request, pk=None):
        return plan_file(self.get_object(), "docx")

    # What the editor shows beside the plan.

    @extend_schema(
        summary="История изменений карты",
        description="Как страница «История изменений»: каждое изменение самой карты, её "
        "разделов и мероприятий — создание, правка, удаление, — сначала новые; кто и когда "
        "изменил, прежнее и новое значение каждого изменённого поля и записанная причина. "
        "Доступна всем, кто видит карту; карта вне области — 404.",
        responses={200: HistoryEntrySerializer(many=True), 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[IsAuthenticated],
        filter_backends=[],
        serializer_class=HistoryEntrySerializer,
    )
    def history(self, request, pk=None):
        roadmap = self.get_object()
        entries = self.paginate_queryset(log_entries(roadmap))
        rows = log_rows(roadmap, entries)
        return self.get_paginated_response(HistoryEntrySerializer(rows, many=True).data)

    @extend_schema(
        summary="Разобрать срок",
        description="Как подсказка под полем «Сроки» в редакторе: что значит срок, написанный "
        "текстом («Февраль-март», «до 15 октября 2024», «2 раза в год»), в периоде этой карты "
        "— вид срока, первый и последний день, число проведений, примечание и замечания "
        "(например, дата вне периода карты). Ничего не сохраняет; доступно всем, кто видит "
        "карту.",
        parameters=[
            OpenApiParameter(
                "text",
                str,
                description="Срок, как написано; длиннее 500 знаков — обрезается. Пусто — "
                "мероприятие без срока.",
            )
        ],
        responses={200: DeadlinePreviewSerializer, 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="deadline-preview",
        url_name="deadline-preview",
        permission_classes=[IsAuthenticated],
        filter_backends=[],
        serializer_class=DeadlinePreviewSerializer,
    )
    def deadline_preview(self, request, pk=None):
        roadmap = self.get_object()
        text = request.query_params.get("text", "")[:DEADLINE_MAX_LENGTH]
        return Response(DeadlinePreviewSerializer(preview_deadline(text, roadmap)).data)


class _PlanChildViewSet(ScopedViewSet):
    """What belongs to one plan: /api/v1/roadmaps/<roadmap_pk>/…/. Read by everyone who sees
    the plan, written by those who write for its owner while the plan is editable."""

    permission_classes = [IsAuthenticated, WritesOwner, PlanIsEditable]

    def parent_roadmap(self):
        if not hasattr(self, "_roadmap"):
            self._roadmap = get_object_or_404(
                Roadmap.objects.for_user(self.request.user).select_related("owner"),
                pk=self.kwargs["roadmap_pk"],
            )
        return self._roadmap

    def roadmap_of(self, obj):
        return self.parent_roadmap()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["roadmap"] = self.parent_roadmap()
        return context


class _PlanPartViewSet(_PlanChildViewSet):
    """Sections and items of one plan: numbered, moved with the editor's arrows."""

    # roadmaps.editing's operations on this kind of part, as the editor's pages call them.
    move_part = delete_part = None

    def perform_destroy(self, instance):
        # The sections or items after it move up a number, as in the editor.
        self.delete_part(instance)

    @extend_schema(
        summary="Переместить выше или ниже",
        description="Как стрелки ↑ и ↓ в редакторе: раздел меняется местами с соседним "
        "разделом того же уровня, мероприятие — с соседним мероприятием раздела; номера "
        "остаются по порядку (соседи обмениваются номерами). Первый вверх и последний вниз "
        "остаются на месте (`moved: false`). Правка — по тем же правилам, что изменение.",
        request=MoveSerializer,
        responses={200: MoveResultSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], serializer_class=MoveSerializer)
    def move(self, request, roadmap_pk=None, pk=None):
        obj = self.get_object()
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        moved = type(self).move_part(
            obj, -1 if serializer.validated_data["direction"] == "up" else 1
        )
        obj.refresh_from_db()
        result = {"moved": moved, "number": obj.number, "position": obj.position}
        return Response(MoveResultSerializer(result).data)


@extend_schema_view(
    list=extend_schema(
        summary="Разделы дорожной карты",
        description="Все разделы и подразделы карты по порядку документа; у подраздела "
        "указан родитель.",
    ),
    retrieve=extend_schema(summary="Раздел дорожной карты", description="Один раздел."),
    create=extend_schema(
        summary="Добавить раздел",
        description="Новый раздел в конце карты или подраздел (с `parent`) в конце "
        "родителя. Номер без указания — следующий по порядку («3», «2.4»). Только для "
        "черновика или возвращённой карты.",
        responses={201: SectionCreateSerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Изменить раздел",
        description="Наименование и номер; новый номер переносится в номера подразделов и "
        "мероприятий раздела.",
        responses={200: SectionSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Изменить раздел частично",
        description="Только переданные поля.",
        responses={200: SectionSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Удалить раздел",
        description="Удаляет раздел с подразделами и их мероприятиями; следующие разделы "
        "сдвигаются на номер вверх.",
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class SectionViewSet(_PlanPartViewSet):
    filter_backends = []
    move_part = staticmethod(editing.move_section)
    delete_part = staticmethod(editing.delete_section)

    def get_serializer_class(self):
        return SectionCreateSerializer if self.action == "create" else SectionSerializer

    def scoped_queryset(self, user):
        if getattr(self, "swagger_fake_view", False):
            return Section.objects.none()
        return Section.objects.filter(roadmap=self.parent_roadmap()).select_related("roadmap")


@extend_schema_view(
    list=extend_schema(
        summary="Мероприятия дорожной карты",
        description="Мероприятия одной карты по порядку разделов. Фильтры — как у /api/v1/items/.",
    ),
    retrieve=extend_schema(summary="Мероприятие дорожной карты", description="Одно мероприятие."),
    create=extend_schema(
        summary="Добавить мероприятие",
        description="Мероприятие в конец раздела карты; номер без указания — следующий в "
        "разделе. Сроки передаются текстом (`deadline_text`) и разбираются относительно "
        "периода карты; ответственные — списком обозначений. Исполнение (`status`) меняется "
        "отчётами об исполнении.",
        responses={201: ItemCreateSerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Изменить мероприятие",
        description="Полная замена полей мероприятия; сроки разбираются заново. "
        "С `lock_version` правка, сделанная кем-то после вашего чтения, не затирается: "
        "ответ 409.",
        responses={200: ItemSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Изменить мероприятие частично",
        description="Только переданные поля; сроки разбираются заново.",
        responses={200: ItemSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Удалить мероприятие",
        description="Удаляет мероприятие вместе с отчётами об исполнении; следующие "
        "мероприятия раздела сдвигаются на номер вверх.",
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class PlanItemViewSet(_PlanPartViewSet):
    filterset_class = ItemFilter
    move_part = staticmethod(editing.move_item)
    delete_part = staticmethod(editing.delete_item)
    search_fields = ["title", "result", "number"]
    ordering_fields = ["deadline_end", "deadline_start", "number", "status"]

    def get_serializer_class(self):
        return ItemCreateSerializer if self.action == "create" else ItemSerializer

    def scoped_queryset(self, user):
        if getattr(self, "swagger_fake_view", False):
            return Item.objects.none()
        items = Item.objects.for_user(user).filter(roadmap=self.parent_roadmap())
        return items.select_related("roadmap").with_links()


@extend_schema_view(
    list=extend_schema(
        summary="Обозначения и ответственные карты",
        description="Как страница «Обозначения и ответственные»: все, кто назван ответственным "
        "в мероприятиях карты, — сначала входящие в перечень сокращений, — с полным "
        "наименованием, видом, связанной организацией справочника и числом мероприятий, где "
        "каждый указан.",
    ),
    retrieve=extend_schema(
        summary="Обозначение карты", description="Одно обозначение (ответственный) карты."
    ),
    create=extend_schema(
        summary="Добавить обозначение",
        description="Новое обозначение в конце перечня карты — по тем же правилам, что на "
        "странице: лишние пробелы в обозначении убираются, второе такое же обозначение в карте "
        "(без учёта регистра) — 400; организация — только из справочника, который предлагает "
        "страница. Только для черновика или возвращённой карты: утверждённую, на согласовании "
        "или в архиве — 403 с причиной; наблюдателю — 403.",
        responses={201: GlossaryPartySerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Изменить обозначение",
        description="Обозначение, полное наименование, вид, организация справочника, "
        "включение в перечень сокращений. Новое обозначение переносится в текст "
        "«Ответственные» мероприятий, где оно указано (с записью в историю изменений).",
        responses={200: GlossaryPartySerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Изменить обозначение частично",
        description="Как PUT, но только переданные поля.",
        responses={200: GlossaryPartySerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Удалить обозначение",
        description="Удаляет обозначение из перечня карты. Обозначение, указанное "
        "ответственным в мероприятиях, не удаляется — 409 с числом таких мероприятий: сначала "
        "уберите его из них.",
        responses={204: None, **WRITE_ERRORS},
    ),
)
class PartyViewSet(_PlanChildViewSet):
    serializer_class = GlossaryPartySerializer
    filter_backends = []

    def scoped_queryset(self, user):
        if getattr(self, "swagger_fake_view", False):
            return Party.objects.none()
        return parties_of(self.parent_roadmap())

    def _fresh(self, party, status_code):
        """The party as the list shows it, with its item count."""
        fresh = parties_of(self.parent_roadmap()).get(pk=party.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._fresh(serializer.save(), status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        serializer = self.get_serializer(
            self.get_object(), data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        return self._fresh(serializer.save(), status.HTTP_200_OK)

    def perform_destroy(self, party):
        try:
            delete_party(party)
        except PartyInUse as error:
            raise Conflict(str(error)) from None


# Across plans


@extend_schema_view(
    list=extend_schema(
        summary="Мероприятия всех видимых карт",
        description="Мероприятия всех карт в области пользователя — для мониторинга "
        "исполнения и сводок. Фильтры: исполнение (`status`), просрочка (`overdue`), "
        "диапазон срока окончания (`deadline_end__gte`, `deadline_end__lte`), направление "
        "(`direction`), ответственный (`responsible`, часть обозначения), муниципальное "
        "образование, уровень, владелец, карта; поиск по тексту, номеру и результату. "
        "По умолчанию мероприятия идут картами (по идентификатору карты), внутри карты — "
        "в порядке добавления; порядок документа — в списке мероприятий самой карты. "
        "Общее число мероприятий не считается (в стране их сотни тысяч): следующая страница — "
        "по ссылке `next`, число по отборам — с `count=true`.",
    ),
    retrieve=extend_schema(
        summary="Мероприятие",
        description="Одно мероприятие с картой и её владельцем. Вне области — 404.",
    ),
)
class ItemViewSet(ScopedReadOnlyViewSet):
    serializer_class = ItemAcrossPlansSerializer
    filterset_class = ItemFilter
    search_fields = ["title", "result", "number"]
    ordering_fields = ["deadline_end", "deadline_start", "number", "status"]
    # Not Item.Meta.ordering (plan period, owner's name, version, section, position): that sorts
    # every item in the scope through three joins to show fifty. (roadmap, id) comes from the
    # index item_roadmap_id and stays stable between pages.
    ordering = ["roadmap_id", "id"]
    pagination_class = UncountedPagination

    def scoped_queryset(self, user):
        # Of the plan and its owner, only what a row shows, as values: Django builds no plan
        # and owner objects, a third of a page's cost in Python (bench/README.md).
        return (
            Item.objects.for_user(user)
            .annotate(
                roadmap_title=F("roadmap__title"),
                owner_id=F("roadmap__owner_id"),
                owner_name=F("roadmap__owner__short_name"),
            )
            .with_links()
        )

    @extend_schema(
        summary="Исполнение мероприятия в планах, созданных на основе карты",
        description="Как страница «Мероприятие в планах муниципалитетов и школ»: копии "
        "мероприятия в действующих версиях планов, созданных на основе его карты (и на основе "
        "таких планов — до школ), в пределах области пользователя. `summary` — копии по "
        "исполнению и просрочке (по всем страницам); `results` — страница копий по "
        "муниципалитетам и организациям: план, его статус и период, организация, номер, "
        "исполнение и последний отчёт (по любой версии плана). Мероприятие вне области — 404.",
        parameters=[
            OpenApiParameter("page", int, description="Номер страницы, с 1."),
            OpenApiParameter(
                "page_size", int, description="Копий на странице: по умолчанию 50, не более 200."
            ),
        ],
        responses={200: RollupSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[], serializer_class=RollupSerializer)
    def rollup(self, request, pk=None):
        item = self.get_object()
        today = timezone.localdate()
        found = rollup_of(request.user, item, today)
        # The API's own page size, whatever pagination the list of items uses.
        paginator = Pagination()
        page = paginator.paginate_queryset(found.copies, request, view=self)
        rollup = {
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "summary": found.counts,
            "results": page,
        }
        return Response(RollupSerializer(rollup, context={"today": today}).data)


def _domain_step(step):
    """Run a write of roadmaps.execution; its refusals (Django's ValidationError, in Russian)
    become a 400 in the API's shape."""
    try:
        return step()
    except DjangoValidationError as error:
        raise ValidationError({"non_field_errors": error.messages}) from None


CORRECTIONS = (
    "Исправить или отозвать отчёт, приложить к нему или удалить файлы может только его автор, "
    "пока карта утверждена и действует (иначе 403 с причиной)."
)


@extend_schema_view(
    list=extend_schema(
        summary="Отчёты об исполнении мероприятия",
        description="Отчёты по мероприятию, новые сверху, вместе с отчётами по этому же "
        "мероприятию в других версиях карты; отозванные — тоже, с `withdrawn_at`.",
    ),
    retrieve=extend_schema(summary="Отчёт об исполнении", description="Один отчёт."),
    create=extend_schema(
        summary="Отчитаться об исполнении",
        description="Новый отчёт: исполнение на дату (не позже сегодняшней), что сделано и "
        "подтверждение — ссылка (`evidence_url`) и/или файлы (`files`, multipart/form-data). "
        "Исполнение мероприятия становится таким, как в самом позднем по дате отчёте. У "
        "периодического мероприятия («ежеквартально») отчёт подаётся за период (`occurrence` "
        "из `occurrences` мероприятия; не указан — самый ранний невыполненный): период "
        "получает исполнение своего последнего отчёта, мероприятие выполнено, когда выполнены "
        "все периоды. Пустой отчёт (исполнение то же, нет ни комментария, ни подтверждения) — "
        "400. Отчитывается организация, которая ведёт карту (наблюдателю — 403); по карте в "
        "архиве отчёты не принимаются (403). Тело — multipart/form-data.",
        # One media type in the schema: client generators cannot offer a choice of bodies.
        # JSON (a report with a link only) is still read, as it was before v1 said so.
        request={"multipart/form-data": ExecutionReportSerializer},
        responses={201: ExecutionReportSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    update=extend_schema(
        summary="Исправить отчёт",
        description=f"{CORRECTIONS} Исполнение мероприятия пересчитывается.",
        request={"multipart/form-data": ExecutionReportSerializer},
        responses={200: ExecutionReportSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Исправить часть отчёта",
        description=f"{CORRECTIONS} Не переданные поля остаются прежними.",
        request={"multipart/form-data": ExecutionReportSerializer},
        responses={200: ExecutionReportSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    withdraw=extend_schema(
        summary="Отозвать отчёт",
        description=f"{CORRECTIONS} Отозванный отчёт остаётся в истории, но не учитывается: "
        "исполнение мероприятия берётся из самого позднего из остальных отчётов.",
        request=None,
        responses={200: ExecutionReportSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class ExecutionReportViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    serializer_class = ExecutionReportSerializer
    permission_classes = [IsAuthenticated, WritesOwner, PlanAcceptsReports]
    filter_backends = []
    # A report with a file is multipart/form-data; one with a link only may also be JSON.
    parser_classes = [JSONParser, MultiPartParser]
    not_found_message = "Отчёт не найден или недоступен."

    def parent_item(self):
        if not hasattr(self, "_item"):
            self._item = get_object_or_404(
                Item.objects.for_user(self.request.user).select_related("roadmap__owner"),
                pk=self.kwargs["item_pk"],
            )
        return self._item

    def parent_roadmap(self):
        return self.parent_item().roadmap

    def roadmap_of(self, report):
        return self.parent_roadmap()

    def scoped_queryset(self, user):
        if getattr(self, "swagger_fake_view", False):
            return ExecutionReport.objects.none()
        return (
            reports_of(self.parent_item())
            .select_related("author", "edited_by", "withdrawn_by", "item__roadmap__owner")
            .prefetch_related("files__report")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False) and "item_pk" in self.kwargs:
            context["item"] = self.parent_item()
        return context

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = _domain_step(
            lambda: add_report(self.parent_item(), author=self.request.user, **data)
        )

    def perform_update(self, serializer):
        report = serializer.instance
        data = dict(serializer.validated_data)
        serializer.instance = _domain_step(
            lambda: edit_report(report, by=self.request.user, **data)
        )

    @action(detail=True, methods=["post"], serializer_class=ExecutionReportSerializer)
    def withdraw(self, request, item_pk=None, pk=None):
        report = withdraw_report(self.get_object(), by=request.user)
        return Response(self.get_serializer(report).data)


@extend_schema_view(
    list=extend_schema(
        summary="Файлы-подтверждения отчёта",
        description="Файлы, приложенные к отчёту, в порядке загрузки.",
    ),
    create=extend_schema(
        summary="Приложить файлы к отчёту",
        description=f"Один или несколько файлов (multipart/form-data, поле `files`). "
        f"{CORRECTIONS} Каждый файл проверяется так же, как на странице; всего не больше "
        f"{russian.count(MAX_EVIDENCE_FILES, FILES_GENITIVE)} на отчёт.",
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceFileSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Удалить файл из отчёта",
        description=f"{CORRECTIONS} Удаление записывается в историю отчёта; последний файл "
        "отчёта без комментария и без смены исполнения удалить нельзя (400).",
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    download=extend_schema(
        summary="Скачать файл-подтверждение",
        description="Файл под тем именем, с которым его приложили. Вне области — 404.",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: NOT_FOUND},
    ),
)
class EvidenceFileViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    serializer_class = EvidenceFileSerializer
    permission_classes = [IsAuthenticated, WritesOwner, PlanAcceptsReports]
    parser_classes = [MultiPartParser]
    filter_backends = []
    pagination_class = None
    not_found_message = "Файл не найден или недоступен."

    def parent_report(self) -> ExecutionReport:
        if not hasattr(self, "_report"):
            item = get_object_or_404(
                Item.objects.for_user(self.request.user), pk=self.kwargs["item_pk"]
            )
            self._report = get_object_or_404(
                reports_of(item).select_related("item__roadmap__owner"),
                pk=self.kwargs["report_pk"],
            )
        return self._report

    def parent_roadmap(self):
        return self.parent_report().item.roadmap

    def roadmap_of(self, evidence):
        return self.parent_roadmap()

    def scoped_queryset(self, user):
        if getattr(self, "swagger_fake_view", False):
            return EvidenceFile.objects.none()
        report = self.parent_report()
        return EvidenceFile.objects.filter(report=report).select_related("uploaded_by", "report")

    def create(self, request, *args, **kwargs):
        upload = EvidenceUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        report = self.parent_report()
        files = upload.validated_data["files"]
        attached = _domain_step(lambda: add_evidence_files(report, files, by=request.user))
        data = self.get_serializer(attached, many=True).data
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, evidence):
        evidence.report = self.parent_report()
        _domain_step(lambda: remove_evidence_file(evidence, by=self.request.user))

    @action(detail=True, methods=["get"], content_negotiation_class=AnyAccept)
    def download(self, request, item_pk=None, report_pk=None, pk=None):
        return evidence_response(self.get_object())


# Reference data


@extend_schema_view(
    list=extend_schema(
        summary="Направления",
        description="Магистральные направления и ключевые условия федерального проекта в "
        "официальном порядке; коды используются в фильтре мероприятий `direction`.",
    ),
    retrieve=extend_schema(summary="Направление", description="Одно направление."),
)
class DirectionViewSet(ScopedReadOnlyViewSet):
    serializer_class = DirectionSerializer
    filter_backends = []

    def scoped_queryset(self, user):
        # The federal project's directions are the same for everyone.
        return Direction.objects.order_by("position")
