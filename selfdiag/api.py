"""The self-diagnosis API: methodologies, rounds, submissions with their answers, stored results
and deficits, and the deficit map of a round (JSON, Excel, PDF).

Reading follows the models' `for_user` querysets: outside the scope is a 404. Writing mirrors
the pages of selfdiag/views.py and nothing more: whoever writes for a school starts its
questionnaire, saves answers and sends it (`Submission.submit`); the school's municipality or
region accepts it or returns it with a comment through one review action, as the result page
does (`ReviewForm`, `Submission.accept`, `Submission.return_for_correction`). Who may do that
is asked of selfdiag/access.py, with the words the pages use; a state the model refuses is a
409.
"""

from django.db import transaction
from django.db.models import OuterRef, Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from orgs.models import Municipality
from orgs.scope import get_scope
from portal.api import AnyAccept, Conflict, ScopedReadOnlyViewSet, ScopedViewSetMixin
from reports.deficits import (
    DeficitMap,
    Tally,
    deficit_map_file,
    deficit_map_for,
)
from selfdiag.access import can_manage_round, can_review, can_write_school
from selfdiag.answering import InvalidAnswers, save_answers
from selfdiag.api_filters import (
    DeficitFilter,
    DirectionResultFilter,
    MethodologyFilter,
    RoundFilter,
    SubmissionFilter,
)
from selfdiag.api_serializers import (
    AnswersSerializer,
    DeficitMapSerializer,
    DeficitSerializer,
    DirectionResultSerializer,
    MethodologyDetailSerializer,
    MethodologySerializer,
    ReviewSerializer,
    RoundSerializer,
    SubmissionCreateSerializer,
    SubmissionDetailSerializer,
    SubmissionSerializer,
)
from selfdiag.excel import XLSX
from selfdiag.forms import ReviewForm
from selfdiag.methodology import LEVELS
from selfdiag.models import (
    Answer,
    Deficit,
    DirectionResult,
    Indicator,
    Methodology,
    MethodologyDirection,
    Option,
    Round,
    Submission,
    SubmissionError,
)
from selfdiag.querysets import count_of

TAG = "Самодиагностика"
TAG_RESULTS = "Результаты и дефициты"

# The pages' words (selfdiag/views.py).
READ_ONLY_MESSAGE = "У вас есть доступ к этой анкете только для чтения."
REVIEWERS_MESSAGE = "Проверяет анкету региональный оператор или муниципальный координатор."

FORBIDDEN = OpenApiResponse(
    description="Нет права на это действие (например, у наблюдателя); причина — в поле detail."
)
NOT_FOUND = OpenApiResponse(description="Объект вне области пользователя или не существует.")
CONFLICT = OpenApiResponse(
    description="Анкета в состоянии, в котором шаг невозможен (уже отправлена, раунд закрыт, "
    "принять можно только отправленную); причина — в поле detail."
)
WRITE_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}
BAD_REQUEST = OpenApiResponse(
    description="Неверные данные запроса; что не так — по полям, по-русски. Ничего не изменено."
)

MUNICIPALITY_PARAMETER = OpenApiParameter(
    "municipality",
    OpenApiTypes.INT,
    description="Муниципальное образование (идентификатор): карта только его школ. "
    "Муниципальное образование вне области пользователя или другого региона — 404.",
)


# Permissions: reading is decided by the scoped queryset; these answer «may this user write».


class WritesSchool(BasePermission):
    """A writing membership covers the submission's school (a viewer's does not)."""

    message = READ_ONLY_MESSAGE

    def has_object_permission(self, request, view, obj):
        return can_write_school(request.user, obj.school)


class ReviewsSchool(BasePermission):
    """The school's municipality or region reviews its self-diagnosis."""

    message = REVIEWERS_MESSAGE

    def has_object_permission(self, request, view, obj):
        return can_review(request.user, obj.school)


# Methodologies


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=extend_schema(
        summary="Методики самодиагностики",
        description="Версии методики, по которым проходят раунды: пороги общего уровня и "
        "число показателей. Методики — открытые документы: их видит любой участник проекта. "
        "Поиск по наименованию и коду версии.",
    ),
    retrieve=extend_schema(
        summary="Методика целиком",
        description="Методика с направлениями и ключевыми условиями по порядку, их порогами, "
        "показателями (критические отмечены, указано, каким школам задаются) и вариантами "
        "ответа с баллами.",
    ),
)
class MethodologyViewSet(ScopedReadOnlyViewSet):
    not_found_message = "Методика не найдена."
    filterset_class = MethodologyFilter
    search_fields = ["name", "version"]
    ordering_fields = ["loaded_at", "version", "name"]

    def get_serializer_class(self):
        return MethodologyDetailSerializer if self.action == "retrieve" else MethodologySerializer

    def scoped_queryset(self, user):
        indicators = Indicator.objects.filter(methodology_id=OuterRef("pk"))
        methodologies = (
            Methodology.objects.for_user(user)
            .defer("source")
            .annotate(indicator_count=count_of(indicators, "methodology_id"))
        )
        if self.action != "retrieve":
            return methodologies
        options = Option.objects.order_by("position", "pk")
        indicators = Indicator.objects.order_by("position", "pk").prefetch_related(
            Prefetch("options", queryset=options)
        )
        directions = MethodologyDirection.objects.order_by("position", "pk").prefetch_related(
            Prefetch("indicators", queryset=indicators)
        )
        return methodologies.prefetch_related(Prefetch("directions", queryset=directions))


# Rounds and the deficit map


def _tally_data(tally: Tally) -> dict:
    return {
        "counts": dict(tally.counts),
        "total": tally.total,
        "below_base_share": tally.below_base_share,
        "mean_share": tally.mean_share,
    }


def deficit_map_data(dmap: DeficitMap) -> dict:
    """The map as JSON (DeficitMapSerializer describes it): the numbers of the page."""
    codes = [direction.code for direction in dmap.directions]

    def area(row):
        return {
            "id": row.pk,
            "name": row.name,
            "schools": row.schools,
            "reported": row.reported,
            "overall": _tally_data(row.overall),
            "directions": {
                code: _tally_data(tally) for code, tally in zip(codes, row.directions, strict=True)
            },
        }

    municipality = dmap.municipality
    return {
        "round": {"id": dmap.round.pk, "name": dmap.round.name},
        "municipality": municipality and {"id": municipality.pk, "name": municipality.name},
        "levels": dict(LEVELS),
        "directions": [{"code": d.code, "name": d.name, "group": d.group} for d in dmap.directions],
        "schools": [
            {
                "id": row.pk,
                "name": row.name,
                "municipality": row.municipality_id,
                "municipality_name": row.municipality_name,
                "level": row.level,
                "cells": {
                    code: cell
                    and {
                        "level": cell.level,
                        "points": cell.points,
                        "max_points": cell.max_points,
                        "share": cell.share,
                        "capped": cell.capped,
                    }
                    for code, cell in zip(codes, row.cells, strict=True)
                },
            }
            for row in dmap.schools
        ],
        "areas": [area(row) for row in dmap.areas],
        "total": area(dmap.total),
    }


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=extend_schema(
        summary="Раунды самодиагностики",
        description="Раунды, которые видит пользователь: раунды своего региона и раунды, в "
        "которые включены школы его области. У каждого — число школ раунда в области "
        "пользователя и сколько из них отправили анкету. Фильтры: статус, методика, субъект "
        "РФ, год, даты начала и окончания; поиск по наименованию.",
    ),
    retrieve=extend_schema(
        summary="Раунд самодиагностики",
        description="Один раунд. Раунд другого региона, в котором нет школ области "
        "пользователя, — 404.",
    ),
)
class RoundViewSet(ScopedReadOnlyViewSet):
    not_found_message = "Раунд не найден или недоступен."
    serializer_class = RoundSerializer
    filterset_class = RoundFilter
    search_fields = ["name"]
    ordering_fields = ["opens_on", "closes_on", "name", "status", "created"]

    def scoped_queryset(self, user):
        rounds = Round.objects.for_user(user).select_related("region", "methodology")
        if self.action not in ("list", "retrieve", "close", "reopen"):
            return rounds
        # As the page of rounds counts them: the schools of the user's scope only.
        included = Round.schools.through.objects.filter(round_id=OuterRef("pk")).filter(
            get_scope(user).organization_q("organization__")
        )
        done = Submission.objects.for_user(user).filter(
            round_id=OuterRef("pk"), status__in=Submission.SCORED_STATUSES
        )
        return rounds.annotate(
            school_count=count_of(included, "round_id"), done_count=count_of(done, "round_id")
        )

    def _set_status(self, request, step):
        round_ = self.get_object()
        if not can_manage_round(request.user, round_):
            raise PermissionDenied("Закрыть или открыть раунд может региональный оператор.")
        step(round_)
        return Response(self.get_serializer(self.get_queryset().get(pk=round_.pk)).data)

    @extend_schema(
        summary="Закрыть раунд",
        description="Как кнопка «Закрыть раунд» на странице раунда: черновики анкет больше не "
        "правятся, отправленные можно принять или вернуть. Закрывает и открывает раунд "
        "региональный оператор его субъекта РФ; остальным — 403.",
        request=None,
        responses={200: RoundSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request, pk=None):
        return self._set_status(request, Round.close)

    @extend_schema(
        summary="Открыть раунд снова",
        description="Закрытый раунд снова принимает ответы. Только региональный оператор его "
        "субъекта РФ; остальным — 403.",
        request=None,
        responses={200: RoundSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reopen(self, request, pk=None):
        return self._set_status(request, Round.reopen)

    def _municipality(self, round_: Round) -> Municipality | None:
        value = self.request.query_params.get("municipality", "")
        if not value:
            return None
        if not value.isdigit():
            raise serializers.ValidationError(
                {"municipality": ["Укажите идентификатор муниципального образования числом."]}
            )
        municipalities = Municipality.objects.for_user(self.request.user).filter(
            region_id=round_.region_id
        )
        municipality = municipalities.filter(pk=int(value)).first()
        if municipality is None:
            raise NotFound("Муниципальное образование не найдено или недоступно.")
        return municipality

    def _deficit_map(self) -> DeficitMap:
        round_ = self.get_object()
        return deficit_map_for(self.request.user, round_, self._municipality(round_))

    @extend_schema(
        tags=[TAG_RESULTS],
        summary="Карта дефицитов раунда",
        description="Те же данные, что на странице «Карта дефицитов»: школы раунда в области "
        "пользователя (по муниципальным образованиям) × направления, в каждой ячейке — "
        "уровень, баллы и доля от максимума; сводки по муниципальным образованиям и итог: "
        "сколько школ на каждом уровне, доля ниже базового, средняя доля баллов. "
        "Учитываются только отправленные и принятые анкеты.",
        parameters=[MUNICIPALITY_PARAMETER],
        responses={200: DeficitMapSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], url_path="deficit-map", filter_backends=[])
    def deficit_map(self, request, pk=None):
        return Response(deficit_map_data(self._deficit_map()))

    @extend_schema(
        tags=[TAG_RESULTS],
        summary="Карта дефицитов в Excel",
        description="Тот же файл, что скачивается со страницы карты: лист «Карта дефицитов» "
        "с уровнями школ по направлениям, раскрашенными по уровню, и лист «Муниципалитеты» "
        "со сводками.",
        parameters=[MUNICIPALITY_PARAMETER],
        responses={(200, XLSX): OpenApiTypes.BINARY, 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="deficit-map/xlsx",
        url_name="deficit-map-xlsx",
        filter_backends=[],
        content_negotiation_class=AnyAccept,
    )
    def deficit_map_xlsx(self, request, pk=None):
        return deficit_map_file(self._deficit_map(), "xlsx")

    @extend_schema(
        tags=[TAG_RESULTS],
        summary="Карта дефицитов в PDF",
        description="Тот же PDF, что скачивается со страницы карты: легенда, сводки по "
        "муниципальным образованиям и таблица школ по направлениям.",
        parameters=[MUNICIPALITY_PARAMETER],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="deficit-map/pdf",
        url_name="deficit-map-pdf",
        filter_backends=[],
        content_negotiation_class=AnyAccept,
    )
    def deficit_map_pdf(self, request, pk=None):
        return deficit_map_file(self._deficit_map(), "pdf")


# Submissions


def _with_contents(submissions):
    answers = Answer.objects.select_related("indicator", "option")
    results = DirectionResult.objects.select_related("direction").order_by("direction__position")
    return submissions.prefetch_related(
        Prefetch("answers", queryset=answers), Prefetch("direction_results", queryset=results)
    )


def _workflow_step(step):
    try:
        return step()
    except SubmissionError as error:
        raise Conflict(str(error)) from None


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=extend_schema(
        summary="Анкеты самодиагностики",
        description="Анкеты школ в области пользователя с сохранённым результатом (общий "
        "уровень, баллы, число дефицитов). Школа видит только свою анкету. Фильтры: раунд, "
        "школа, муниципальное образование, статус, уровень; поиск по наименованию школы.",
    ),
    retrieve=extend_schema(
        summary="Анкета самодиагностики",
        description="Анкета с ответами по кодам показателей (код варианта, текст и баллы), "
        "результатами по направлениям и тем, что пользователь может с ней сделать "
        "(`can_edit`, `can_review`). Анкета школы вне области — 404.",
    ),
    create=extend_schema(
        summary="Начать анкету",
        description="Черновик анкеты школы в раунде — как при первом ответе на странице "
        "анкеты. Если анкета уже есть, она и возвращается (200). Начать может тот, кто ведёт "
        "школу (школьный координатор, муниципалитет, регион); наблюдателю — 403. Школа не "
        "из раунда или вне области — 400; раунд закрыт — 409.",
        request=SubmissionCreateSerializer,
        responses={
            201: SubmissionDetailSerializer,
            200: SubmissionDetailSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            409: CONFLICT,
        },
    ),
)
class SubmissionViewSet(ScopedReadOnlyViewSet):
    not_found_message = "Анкета не найдена или недоступна."
    filterset_class = SubmissionFilter
    search_fields = ["school__short_name", "school__name"]
    ordering_fields = ["updated", "submitted_at", "total_points", "share", "school__short_name"]

    def get_serializer_class(self):
        return {
            "list": SubmissionSerializer,
            "create": SubmissionCreateSerializer,
            "answers": AnswersSerializer,
            "review": ReviewSerializer,
        }.get(self.action, SubmissionDetailSerializer)

    def scoped_queryset(self, user):
        submissions = Submission.objects.for_user(user).select_related(
            "round__methodology", "school__municipality"
        )
        return _with_contents(submissions) if self.action == "retrieve" else submissions

    def _detail(self, submission, status_code=status.HTTP_200_OK):
        fresh = _with_contents(self.scoped_queryset(self.request.user)).get(pk=submission.pk)
        context = self.get_serializer_context()
        return Response(SubmissionDetailSerializer(fresh, context=context).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        round_ = serializer.validated_data["round"]
        school = serializer.validated_data["school"]
        if not can_write_school(request.user, school):
            raise PermissionDenied(READ_ONLY_MESSAGE)
        with transaction.atomic():
            existing = Submission.objects.filter(round=round_, school=school).first()
            if existing is not None:
                return self._detail(existing)
            if not round_.is_open:
                raise Conflict("Раунд закрыт: новую анкету не начать.")
            submission, created = Submission.objects.get_or_create(round=round_, school=school)
        return self._detail(submission, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary="Сохранить ответы",
        description="Сохраняет ответы анкеты — как выбор варианта на странице анкеты, но "
        "сразу несколько: код показателя → код варианта (см. методику раунда). Задаются только "
        "вопросы, которые относятся к школе (по уровням образования и ОВЗ). Если хоть один "
        "ответ неверен — 400 с причиной по каждому коду, и не сохраняется ничего. Отвечает тот, "
        "кто ведёт школу; наблюдателю — 403. Анкета отправлена или раунд закрыт — 409.",
        responses={200: SubmissionDetailSerializer, 400: BAD_REQUEST, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, WritesSchool])
    def answers(self, request, pk=None):
        submission = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            save_answers(
                submission.round,
                submission.school,
                serializer.validated_data["answers"],
                by=request.user,
            )
        except InvalidAnswers as error:
            raise serializers.ValidationError({"answers": error.errors}) from None
        except SubmissionError as error:
            raise Conflict(str(error)) from None
        return self._detail(submission)

    @extend_schema(
        summary="Отправить анкету на проверку",
        description="Анкета уходит на проверку и подсчитывается: баллы, уровни по "
        "направлениям и общий, дефициты. Вопросы без ответа засчитываются как 0 баллов "
        "(их число — в `unanswered_count`). Отправляет тот, кто ведёт школу; наблюдателю — "
        "403. Анкета уже отправлена или раунд закрыт — 409.",
        request=None,
        responses={200: SubmissionDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, WritesSchool])
    def submit(self, request, pk=None):
        submission = self.get_object()
        with transaction.atomic():
            locked = (
                Submission.objects.select_for_update()
                .select_related("school")
                .get(pk=submission.pk)
            )
            locked.round = submission.round
            _workflow_step(lambda: locked.submit(by=request.user))
        return self._detail(submission)

    @extend_schema(
        summary="Проверить анкету: принять или вернуть",
        description="То же, что кнопки «Принять» и «Вернуть на доработку» на странице "
        "результата. `action`: `accept` — принять отправленную анкету (комментарий по "
        "желанию), `return` — вернуть отправленную или принятую анкету школе с комментарием, "
        "что исправить (без комментария — 400); школа снова может менять ответы. Проверяют "
        "региональный оператор и муниципальный координатор школы; остальным — 403. Анкета в "
        "состоянии, в котором шаг невозможен, — 409.",
        responses={200: SubmissionDetailSerializer, 400: BAD_REQUEST, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, ReviewsSchool])
    def review(self, request, pk=None):
        submission = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = serializer.validated_data["comment"].strip()
        with transaction.atomic():
            if serializer.validated_data["action"] == ReviewForm.ACCEPT:
                _workflow_step(lambda: submission.accept(by=request.user))
                if comment:
                    submission.review_comment = comment
                    submission.save(update_fields=["review_comment"])
            else:
                _workflow_step(
                    lambda: submission.return_for_correction(by=request.user, comment=comment)
                )
        return self._detail(submission)


# Results and deficits: lists only. A row is read among its round's or school's rows, or in
# its submission (`direction_results` of /api/v1/submissions/{id}/).


@extend_schema(tags=[TAG_RESULTS])
@extend_schema_view(
    list=extend_schema(
        summary="Результаты школ по направлениям",
        description="Баллы, доля от максимума и уровень каждой школы по каждому направлению "
        "— из отправленных и принятых анкет (возвращённые на доработку не учитываются). "
        "Фильтры: раунд, школа, муниципальное образование, анкета, код направления, уровень, "
        "ограничение критическим показателем.",
    ),
)
class DirectionResultViewSet(ScopedViewSetMixin, mixins.ListModelMixin, GenericViewSet):
    serializer_class = DirectionResultSerializer
    filterset_class = DirectionResultFilter
    search_fields = ["school__short_name"]
    ordering_fields = ["points", "share", "level", "direction_code", "school__short_name"]

    def scoped_queryset(self, user):
        return (
            DirectionResult.objects.for_user(user)
            .counted()
            .select_related("direction", "school__municipality")
        )


@extend_schema(tags=[TAG_RESULTS])
@extend_schema_view(
    list=extend_schema(
        summary="Дефициты",
        description="Показатели, по которым школа набрала меньше максимума, — из "
        "отправленных и принятых анкет; внутри анкеты сначала критические. Фильтры: раунд, "
        "школа, муниципальное образование, анкета, код направления, код показателя, "
        "критичность.",
    ),
)
class DeficitViewSet(ScopedViewSetMixin, mixins.ListModelMixin, GenericViewSet):
    serializer_class = DeficitSerializer
    filterset_class = DeficitFilter
    search_fields = ["school__short_name", "indicator__wording"]
    ordering_fields = ["points", "critical", "indicator_code", "direction_code"]

    def scoped_queryset(self, user):
        return (
            Deficit.objects.for_user(user)
            .counted()
            .select_related("indicator", "school__municipality")
        )


# /api/v1/…: (prefix, viewset, basename) registered by portal/api_urls.py.
ROUTES = [
    ("methodologies", MethodologyViewSet, "methodology"),
    ("rounds", RoundViewSet, "round"),
    ("submissions", SubmissionViewSet, "submission"),
    ("direction-results", DirectionResultViewSet, "direction-result"),
    ("deficits", DeficitViewSet, "deficit"),
]
