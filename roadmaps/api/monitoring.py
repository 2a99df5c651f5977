"""The monitoring of execution in the API: the page «Мониторинг исполнения» as data, its list of
plans and its справка in PDF.

The plans are those the page counts, selected by roadmaps/monitoring.py from the page's own
filter form (`MonitoringFilterForm`); the numbers come from the same queryset methods
(`progress_totals`, `progress_by_municipality`, `with_progress`) and the справка from the same
functions as the page's download (`roadmaps.monitoring.spravka_for`, drawn by
`reports.monitoring.spravka_file`). Only an invalid filter is treated differently: the page shows
the form's errors and counts its default plans, the API answers 400 with those errors, so that a
client never reads numbers for filters it did not ask for.
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, ViewSet

from orgs.models import Organization
from portal.api import AnyAccept, OneObjectSchema, ScopedViewSetMixin, form_errors
from reports.monitoring import spravka_file
from roadmaps.execution import progress_bar
from roadmaps.models import Roadmap
from roadmaps.monitoring import (
    FORBIDDEN_MESSAGE,
    MonitoredPlans,
    can_monitor,
    filter_caption,
    monitored_plans,
    plans_with_progress,
    spravka_for,
)

OVERDUE_LIST = "/api/v1/items/?overdue=true&in_force=true&own=true&roadmap_status=approved"
OVERDUE_TEXT = (
    f"Просроченные мероприятия страницы мониторинга — {OVERDUE_LIST}: действующие версии "
    "утверждённых планов, за которые отвечает пользователь; одного плана — с `roadmap=<id>`, "
    "одного МО — с `municipality=<id>`."
)

FILTER_PARAMETERS = [
    OpenApiParameter(
        "level",
        OpenApiTypes.STR,
        enum=Organization.Level.values,
        description="Уровень владельца плана: region — региональный, municipality — "
        "муниципальный, school — школьный; без параметра — все уровни.",
    ),
    OpenApiParameter(
        "municipality",
        OpenApiTypes.INT,
        description="Муниципальное образование (идентификатор): планы его органов управления "
        "образованием и его школ. Только из области пользователя; иначе — 400.",
    ),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=["", *Roadmap.Status.values],
        description="Статус плана. Без параметра — approved (утверждённые), как открывается "
        "страница; пустое значение (`status=`) — любой статус.",
    ),
    OpenApiParameter(
        "year",
        OpenApiTypes.INT,
        description="Год от 2000 до 2100: планы, период которых захватывает этот год "
        "(учебный 2023/2024 — и 2023, и 2024).",
    ),
]
FILTERS_TEXT = (
    "Фильтры — те же, что на странице, с теми же проверками: `level`, `municipality`, `status` "
    "(по умолчанию — утверждённые планы, а пока утверждённых нет — планы в любом статусе), "
    "`year`. Неверный фильтр — 400 с сообщениями формы "
    "страницы по полям (страница в этом случае показывает ошибку и считает планы по умолчанию; "
    "API не отвечает числами по фильтрам, которых клиент не просил). Пользователь без роли "
    "в проекте — 403."
)
FORBIDDEN = OpenApiResponse(
    description=f"Пользователь без роли в проекте: «{FORBIDDEN_MESSAGE}» в поле detail."
)
BAD_FILTERS = OpenApiResponse(
    description="Неверный фильтр; что не так — по полям, по-русски, как на странице."
)


class MonitorsPlans(BasePermission):
    message = FORBIDDEN_MESSAGE

    def has_permission(self, request, view):
        return can_monitor(request.user)


# Serializers


class MonitoringCountsSerializer(serializers.Serializer):
    item_count = serializers.IntegerField(help_text="Мероприятий всего.")
    done_count = serializers.IntegerField(help_text="Выполнено.")
    in_progress_count = serializers.IntegerField(help_text="Выполняется.")
    not_started_count = serializers.IntegerField(help_text="Не начато.")
    cancelled_count = serializers.IntegerField(help_text="Отменено.")
    overdue_count = serializers.IntegerField(
        help_text="Просрочено: срок окончания прошёл, а мероприятие не выполнено и не отменено "
        "(среди выполняемых и не начатых)."
    )
    done_percent = serializers.SerializerMethodField(
        help_text="Доля выполненных, целые проценты (как на полосе исполнения страницы)."
    )

    def get_done_percent(self, counts) -> int:
        return progress_bar(counts)["percent"]


class MonitoringTotalsSerializer(MonitoringCountsSerializer):
    plan_count = serializers.IntegerField(help_text="Планов.")


class MonitoringMunicipalitySerializer(MonitoringTotalsSerializer):
    id = serializers.IntegerField(source="municipality_id", help_text="Муниципальное образование.")
    name = serializers.CharField(source="municipality_name")


class MonitoringFiltersSerializer(serializers.Serializer):
    level = serializers.CharField(help_text="Уровень или пустая строка — все уровни.")
    municipality = serializers.IntegerField(
        allow_null=True, help_text="Муниципальное образование или null — все."
    )
    status = serializers.CharField(help_text="Статус планов или пустая строка — любой.")
    year = serializers.IntegerField(allow_null=True, help_text="Год или null — любой.")


class MonitoringSerializer(serializers.Serializer):
    filters = MonitoringFiltersSerializer(help_text="Фильтры, по которым посчитано.")
    today = serializers.DateField(help_text="Дата, на которую считается просрочка.")
    totals = MonitoringTotalsSerializer(help_text="Итог по всем отобранным планам.")
    municipalities = MonitoringMunicipalitySerializer(
        many=True,
        help_text="По муниципальным образованиям: планы органов управления и школ вместе; "
        "региональные планы сюда не входят (они есть в итоге).",
    )


class MonitoringPlanSerializer(MonitoringCountsSerializer, serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.short_name")
    municipality = serializers.IntegerField(
        source="owner.municipality_id", allow_null=True, help_text="МО владельца или null."
    )
    municipality_name = serializers.SerializerMethodField()
    level = serializers.ChoiceField(
        choices=Organization.Level.choices, help_text="Уровень владельца."
    )
    period_label = serializers.CharField(help_text="«2024 год», «2023/2024 …».")

    class Meta:
        model = Roadmap
        fields = [
            "id",
            "title",
            "owner",
            "owner_name",
            "municipality",
            "municipality_name",
            "level",
            "status",
            "period_start",
            "period_end",
            "period_label",
            "version",
            "item_count",
            "done_count",
            "in_progress_count",
            "not_started_count",
            "cancelled_count",
            "overdue_count",
            "done_percent",
        ]
        read_only_fields = fields

    def get_municipality_name(self, roadmap) -> str | None:
        municipality = roadmap.owner.municipality
        return municipality.name if municipality else None


# Viewsets


class _SelectsPlans:
    permission_classes = [IsAuthenticated, MonitorsPlans]
    filter_backends = []

    def selected(self) -> MonitoredPlans:
        """The plans of the query's filters, or 400 with the form's errors."""
        selected = monitored_plans(self.request.user, self.request.query_params)
        if not selected.form.is_valid():
            raise ValidationError(form_errors(selected.form))
        return selected


class MonitoringViewSet(_SelectsPlans, ScopedViewSetMixin, ViewSet):
    """/api/v1/monitoring/: the page's figures; /api/v1/monitoring/pdf/: its справка."""

    schema = OneObjectSchema()
    pagination_class = None

    @extend_schema(
        summary="Мониторинг исполнения",
        description="Те же числа, что на странице «Мониторинг исполнения»: действующие версии "
        "планов организаций, за которые отвечает пользователь (оператор и наблюдатель — "
        "региона, муниципальный координатор — МО и его школ, школа — свои, администратор "
        "портала — все; вышестоящие планы, "
        "которые организация только реализует, не входят). `totals` — мероприятия всех "
        "отобранных планов по исполнению и просрочка на `today`; `municipalities` — то же по "
        "муниципальным образованиям. Сами планы с их числами — постранично в "
        "/api/v1/monitoring/plans/, справка в PDF — /api/v1/monitoring/pdf/. "
        + OVERDUE_TEXT
        + " "
        + FILTERS_TEXT,
        parameters=FILTER_PARAMETERS,
        responses={200: MonitoringSerializer, 400: BAD_FILTERS, 403: FORBIDDEN},
    )
    def list(self, request):
        selected = self.selected()
        today = timezone.localdate()
        data = selected.form.cleaned_data
        municipality = data.get("municipality")
        body = {
            "filters": {
                "level": data.get("level") or "",
                "municipality": municipality.pk if municipality else None,
                "status": selected.status,
                "year": data.get("year"),
            },
            "today": today,
            "totals": selected.plans.progress_totals(today),
            "municipalities": list(selected.plans.progress_by_municipality(today)),
        }
        return Response(MonitoringSerializer(body).data)

    @extend_schema(
        summary="Справка о ходе реализации дорожных карт (PDF)",
        description="Тот же файл, что кнопка «Справка (PDF)» на странице мониторинга: "
        "«Информационно-аналитическая справка о ходе реализации дорожных карт» — текст с "
        "числами, таблица по уровням и муниципальным образованиям, диаграмма и перечень "
        "просроченных мероприятий, по тем же планам, что /api/v1/monitoring/. " + FILTERS_TEXT,
        parameters=FILTER_PARAMETERS,
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            400: BAD_FILTERS,
            403: FORBIDDEN,
        },
    )
    @action(detail=False, methods=["get"], content_negotiation_class=AnyAccept)
    def pdf(self, request):
        selected = self.selected()
        spravka = spravka_for(request.user, selected, timezone.localdate())
        return spravka_file(spravka, filters=filter_caption(selected.form)).response()


class MonitoringPlanViewSet(
    _SelectsPlans, ScopedViewSetMixin, mixins.ListModelMixin, GenericViewSet
):
    serializer_class = MonitoringPlanSerializer

    def scoped_queryset(self, user):
        if getattr(self, "swagger_fake_view", False):
            return Roadmap.objects.none()
        return plans_with_progress(self.selected().plans, timezone.localdate())

    @extend_schema(
        summary="Планы в мониторинге исполнения",
        description="Список планов страницы «Мониторинг исполнения»: действующие версии планов "
        "организаций, за которые отвечает пользователь, с владельцем, его муниципальным "
        "образованием, периодом, статусом и числами мероприятий по исполнению и просрочке. "
        "Порядок — как на странице: региональные планы, затем по муниципальным образованиям, "
        "внутри — по виду и названию организации. Сводка — /api/v1/monitoring/. "
        + OVERDUE_TEXT
        + " "
        + FILTERS_TEXT,
        parameters=FILTER_PARAMETERS,
        responses={200: MonitoringPlanSerializer, 400: BAD_FILTERS, 403: FORBIDDEN},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
