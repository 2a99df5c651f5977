"""Background jobs through the API: the user's own jobs, their progress, their files, and
starting one — the same jobs the pages start from a round, a deficit map or a plan.

A job is its user's, as on the pages: anyone else (an administrator too) gets a 404. Starting
a job asks what the page asks: the round or the plan must be in the user's scope (404
otherwise), and a deficit map may be narrowed to one of the user's municipalities of the
round's region. The job is created and enqueued by the starters of jobs/operations.py that
the pages call; the task worker runs it (portal/tasks.py).
"""

import django_filters
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from jobs.models import Job
from jobs.operations import (
    map_municipalities,
    start_deficit_map,
    start_plan_pdf,
    start_round_export,
)
from jobs.views import file_response
from portal.api import AnyAccept, Conflict, ScopedViewSetMixin
from reports.downloads import XLSX_TYPE
from roadmaps.access import get_roadmap_for_user
from selfdiag.access import get_round_for_user

MAX_ID = 2**63 - 1

NOT_FOUND = OpenApiResponse(description="Задание другого пользователя или не существует.")

# What each kind of job takes: (required, allowed) parameters.
PARAMETERS = {
    Job.Kind.ROUND_EXPORT: ({"round"}, {"round"}),
    Job.Kind.DEFICIT_MAP_XLSX: ({"round"}, {"round", "municipality"}),
    Job.Kind.DEFICIT_MAP_PDF: ({"round"}, {"round", "municipality"}),
    Job.Kind.PLAN_PDF: ({"roadmap"}, {"roadmap"}),
}


# Serializers


def _id_field(help_text):
    return serializers.IntegerField(
        required=False,
        allow_null=True,
        write_only=True,
        min_value=1,
        max_value=MAX_ID,
        help_text=help_text,
    )


# A job as it is read, and what starts one: its kind and the parameters of that kind. One
# serializer for both keeps the kinds one enum in the schema (JobKindEnum).
class JobSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(
        choices=Job.Kind.choices,
        help_text="Вид задания: round_export — результаты раунда в Excel (нужен `round`); "
        "deficit_map_xlsx и deficit_map_pdf — карта дефицитов раунда в Excel или PDF (нужен "
        "`round`, по желанию `municipality`); plan_pdf — план в PDF (нужен `roadmap`).",
    )
    round = _id_field("При запуске: раунд самодиагностики (идентификатор).")
    roadmap = _id_field("При запуске: дорожная карта (идентификатор).")
    municipality = _id_field(
        "При запуске карты дефицитов: муниципальное образование региона раунда "
        "(идентификатор) — карта только по нему. По умолчанию — вся область пользователя."
    )
    kind_display = serializers.CharField(
        source="get_kind_display", read_only=True, help_text="Вид задания словами."
    )
    status_display = serializers.CharField(
        source="get_status_display", read_only=True, help_text="Состояние словами."
    )
    is_finished = serializers.BooleanField(
        read_only=True, help_text="Задание завершено: готово или с ошибкой."
    )
    download_url = serializers.SerializerMethodField(
        help_text="Адрес файла готового задания; null, пока файла нет."
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "round",
            "roadmap",
            "municipality",
            "kind_display",
            "title",
            "params",
            "status",
            "status_display",
            "progress",
            "message",
            "is_finished",
            "result_name",
            "download_url",
            "created",
            "started",
            "finished",
        ]
        read_only_fields = [
            "title",
            "params",
            "status",
            "progress",
            "message",
            "result_name",
            "created",
            "started",
            "finished",
        ]
        extra_kwargs = {
            "params": {"help_text": "Параметры: раунд, план, муниципальное образование."},
            "progress": {"help_text": "Выполнено, % (100 — когда файл сохранён)."},
            "message": {"help_text": "Что делается сейчас или почему задание не выполнено."},
            "result_name": {"help_text": "Имя файла для скачивания."},
        }

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, job) -> str | None:
        if not job.has_file:
            return None
        url = reverse("api:job-download", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def validate(self, attrs):
        required, allowed = PARAMETERS[attrs["kind"]]
        label = Job.Kind(attrs["kind"]).label
        errors = {}
        for name in ("round", "roadmap", "municipality"):
            given = attrs.get(name) is not None
            if name in required and not given:
                errors[name] = [f"Обязательное поле для задания «{label}»."]
            elif given and name not in allowed:
                errors[name] = [f"Задание «{label}» не принимает это поле."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


# Filters


class JobFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Job.Kind.choices, label="Вид задания.")
    status = django_filters.ChoiceFilter(choices=Job.Status.choices, label="Состояние задания.")

    class Meta:
        model = Job
        fields = ["kind", "status"]


# Viewsets


def _found(lookup, message):
    """What a page's lookup finds, with a 404 that says in Russian what was not found."""
    try:
        return lookup()
    except Http404:
        raise NotFound(message) from None


def start(request, data) -> Job:
    """Start the job the request asks for, with the checks of the page that offers it."""
    kind = data["kind"]
    user = request.user
    if kind == Job.Kind.PLAN_PDF:
        roadmap, _ = _found(
            lambda: get_roadmap_for_user(request, data["roadmap"]),
            "Дорожная карта не найдена или недоступна.",
        )
        return start_plan_pdf(user, roadmap)
    round_ = _found(
        lambda: get_round_for_user(request, data["round"]),
        "Раунд самодиагностики не найден или недоступен.",
    )
    if kind == Job.Kind.ROUND_EXPORT:
        return start_round_export(user, round_)
    municipality = None
    if data.get("municipality") is not None:
        municipality = _found(
            lambda: get_object_or_404(map_municipalities(user, round_), pk=data["municipality"]),
            "Муниципальное образование не найдено в области пользователя в регионе раунда.",
        )
    return start_deficit_map(user, round_, kind, municipality)


def _no_file_reason(job: Job) -> str:
    if job.status == Job.Status.FAILED:
        return f"Задание завершилось с ошибкой, файла нет. {job.message}".strip()
    if not job.is_finished:
        return (
            f"Задание ещё не завершено ({job.get_status_display()}, {job.progress} %): "
            "файл будет доступен, когда оно выполнится."
        )
    return "У задания нет файла."


@extend_schema_view(
    list=extend_schema(
        summary="Мои задания",
        description="Фоновые задания пользователя, новые первыми, — как на странице "
        "«Фоновые задания»: выгрузки результатов раунда, карты дефицитов, PDF планов. Видны "
        "только свои задания (администратору тоже). Фильтры: вид (`kind`), состояние "
        "(`status`).",
    ),
    retrieve=extend_schema(
        summary="Задание",
        description="Одно задание с ходом выполнения: состояние, процент, сообщение; у "
        "готового — адрес файла (`download_url`). Запрашивайте раз в несколько секунд, пока "
        "`is_finished` не станет true. Задание другого пользователя — 404.",
        responses={200: JobSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Запустить задание",
        description="Ставит в очередь задание, которое страницы запускают кнопкой "
        "«Сформировать»: результаты раунда в Excel (`round_export`), карту дефицитов раунда "
        "в Excel или PDF (`deficit_map_xlsx`, `deficit_map_pdf`, по желанию для одного "
        "муниципального образования) или PDF плана (`plan_pdf`). Запустить может всякий, кто "
        "видит раунд или план; файл собирается по области того, кто запустил. Раунд, план "
        "или муниципальное образование вне области — 404. Ответ 202 — задание в очереди; "
        "его ход — по адресу задания.",
        responses={
            202: JobSerializer,
            400: OpenApiResponse(description="Не указан или лишний параметр вида задания."),
            404: OpenApiResponse(
                description="Раунд, план или муниципальное образование вне области "
                "пользователя или не существует."
            ),
        },
    ),
)
class JobViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    GenericViewSet,
):
    serializer_class = JobSerializer
    filterset_class = JobFilter
    search_fields = ["title"]
    ordering_fields = ["created", "finished", "kind", "status"]
    not_found_message = "Задание не найдено или принадлежит другому пользователю."

    def scoped_queryset(self, user):
        # A job is its user's only, as on the pages (an anonymous user has no pk: none).
        return Job.objects.filter(user_id=user.pk)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = start(request, serializer.validated_data)
        job.refresh_from_db()
        url = reverse("api:job-detail", args=[job.pk])
        return Response(
            self.get_serializer(job).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": request.build_absolute_uri(url)},
        )

    @extend_schema(
        summary="Файл задания",
        description="Файл готового задания — тот же, что по ссылке «Скачать» на его странице: "
        "книга Excel или PDF. Пока задание не выполнено или если оно завершилось с ошибкой — "
        "409 с причиной. Задание другого пользователя — 404.",
        responses={
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: NOT_FOUND,
            409: OpenApiResponse(description="Файла ещё нет или задание не выполнено."),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        content_negotiation_class=AnyAccept,
    )
    def download(self, request, pk=None):
        job = self.get_object()
        if not job.has_file:
            raise Conflict(_no_file_reason(job))
        return file_response(job)


# /api/v1/…: (prefix, viewset, basename) registered by portal/api_urls.py.
ROUTES = [
    ("jobs", JobViewSet, "job"),
]
