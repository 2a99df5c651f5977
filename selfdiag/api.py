"""The self-diagnosis API: methodologies, rounds, submissions with their answers, stored results
and deficits, the deficit map of a round (JSON, Excel, PDF) and the dynamics between two rounds.

Reading follows the models' `for_user` querysets: outside the scope is a 404. Writing mirrors
the pages of selfdiag/views.py and nothing more: whoever writes for a school starts its
questionnaire, saves answers and sends it (`Submission.submit`); the school's municipality or
region accepts it or returns it with a comment through one review action, as the result page
does (`ReviewForm`, `Submission.review`). Who may do that is asked of selfdiag/access.py
(its `require_*` helpers, whose reasons the pages show too); a state the model refuses is a
409. The region's operator opens a round with the page's form (`RoundForm`); the Excel template,
loading it back and the results workbook, the plan from deficits and the dynamics call the same
functions as their pages (selfdiag/views.py, selfdiag/analytics_views.py).
"""

from django.db.models import OuterRef, Prefetch
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, ViewSet

from orgs.models import Municipality, Organization
from portal import tasks
from portal.api import (
    AnyAccept,
    Conflict,
    OneObjectSchema,
    ScopedReadOnlyViewSet,
    ScopedViewSetMixin,
)
from portal.validators import parse_id
from reports.deficits import deficit_map_file
from roadmaps.models import WorkflowError
from selfdiag import excel
from selfdiag.access import (
    require_can_answer,
    require_can_plan,
    require_can_review,
    require_reviewer,
    require_round_manager,
    require_round_opener,
    schools_in_scope,
)
from selfdiag.analytics import report_filters
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
    DynamicsSerializer,
    MethodologyDetailSerializer,
    MethodologySerializer,
    PlanDeficitsSerializer,
    PlanFromDeficitsSerializer,
    PlanOutcomeSerializer,
    ReviewSerializer,
    RoundCreateSerializer,
    RoundImportPreviewSerializer,
    RoundImportResultSerializer,
    RoundImportSerializer,
    RoundSerializer,
    SubmissionCreateSerializer,
    SubmissionDetailSerializer,
    SubmissionSerializer,
)
from selfdiag.deficit_map import DeficitMap, deficit_map_for
from selfdiag.dynamics import CHANGE_LABELS, SAME_ROUND_PROBLEM, choose_dynamics
from selfdiag.forms import ReviewForm
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
from selfdiag.plans import (
    academic_year,
    add_deficits_to_plan,
    plan_deficits,
    plan_outcome_message,
    proposed_rows,
)
from selfdiag.querysets import count_of
from selfdiag.rounds import (
    import_message,
    open_round,
    parse_upload,
    results_file,
    template_file,
)

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


# Methodologies


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
    create=extend_schema(
        summary="Открыть раунд",
        description="Как страница «Новый раунд»: раунд субъекта РФ по методике, со сроками и "
        "школами — отмеченными, всеми школами муниципального образования или всего субъекта. "
        "Поля, которые не указаны, получают значения, которые предлагает страница. Открывает "
        "раунд региональный оператор своего субъекта РФ (администратор — любого); остальным — "
        "403. Ошибки — по полям, по-русски (400), и тогда ничего не создаётся. Изменить раунд "
        "после открытия нельзя (как и на страницах): только закрыть и открыть снова.",
        request=RoundCreateSerializer,
        responses={201: RoundSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    ),
)
class RoundViewSet(ScopedReadOnlyViewSet):
    not_found_message = "Раунд не найден или недоступен."
    filterset_class = RoundFilter
    search_fields = ["name"]
    ordering_fields = ["opens_on", "closes_on", "name", "status", "created"]

    def get_serializer_class(self):
        return {
            "create": RoundCreateSerializer,
            "import_results": RoundImportSerializer,
        }.get(self.action, RoundSerializer)

    def scoped_queryset(self, user):
        rounds = Round.objects.for_user(user).with_methodology()
        if self.action not in ("list", "retrieve", "create", "close", "reopen"):
            return rounds
        # As the page of rounds counts them: the schools of the user's scope only.
        return rounds.with_progress(Organization.objects.for_user(user))

    def _round_data(self, round_, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=round_.pk)
        context = self.get_serializer_context()
        return Response(RoundSerializer(fresh, context=context).data, status=status_code)

    def create(self, request, *args, **kwargs):
        regions = require_round_opener(request.user)
        context = {**self.get_serializer_context(), "regions": regions}
        serializer = RoundCreateSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        round_ = open_round(serializer.validated_data["form"], request.user)
        return self._round_data(round_, status.HTTP_201_CREATED)

    def _set_status(self, request, step):
        round_ = self.get_object()
        require_round_manager(request.user, round_)
        step(round_)
        return self._round_data(round_)

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

    # The Excel template, loading it back, the results workbook: the round page's buttons.

    @extend_schema(
        summary="Шаблон для загрузки ответов (Excel)",
        description="Тот же файл, что кнопка «Шаблон для загрузки (Excel)» на странице раунда: "
        "строка на каждую школу раунда, которую проверяет пользователь, столбец на каждый "
        "показатель, ответы — из выпадающих списков; уже сохранённые ответы вписаны. "
        "Региональный оператор и муниципальный координатор; остальным — 403.",
        responses={(200, excel.XLSX): OpenApiTypes.BINARY, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[], content_negotiation_class=AnyAccept)
    def template(self, request, pk=None):
        round_ = self.get_object()
        require_reviewer(request.user, round_)
        return template_file(request.user, round_)

    @extend_schema(
        summary="Результаты раунда (Excel)",
        description="Тот же файл, что кнопка «Выгрузить результаты (Excel)» на странице "
        "раунда: строка на каждую подсчитанную анкету школ области пользователя — уровни, "
        "баллы по направлениям, дефициты. Если школ раунда в области пользователя больше "
        f"{tasks.BACKGROUND_FROM_SCHOOLS}, страница готовит файл в фоне: тогда и здесь "
        "файла нет — 409 с указанием, где его сформировать (раздел «Задания»).",
        responses={
            (200, excel.XLSX): OpenApiTypes.BINARY,
            404: NOT_FOUND,
            409: OpenApiResponse(
                description="Раунд слишком велик для выгрузки в запросе: файл готовится в "
                "фоне со страницы раунда; причина — в поле detail."
            ),
        },
    )
    @action(detail=True, methods=["get"], filter_backends=[], content_negotiation_class=AnyAccept)
    def results(self, request, pk=None):
        round_ = self.get_object()
        if tasks.in_background(schools_in_scope(request.user, round_).count()):
            raise Conflict(
                f"Школ раунда в вашей области больше {tasks.BACKGROUND_FROM_SCHOOLS}: такой файл "
                "готовится в фоне. Сформируйте его кнопкой «Выгрузить результаты (Excel)» на "
                f"странице раунда ({reverse('selfdiag:round-detail', args=[round_.pk])}) и "
                f"скачайте в разделе «Задания» ({reverse('jobs:job-list')})."
            )
        return results_file(request.user, round_)

    @extend_schema(
        summary="Загрузить ответы из заполненного шаблона",
        description="Как страница «Загрузить результаты из Excel»: файл проверяется целиком; "
        "если хоть в одной строке ошибка (школа не из раунда или не ваша, ответа нет в списке, "
        "анкета уже принята), — 400 с ошибками по строкам в `errors`, и не сохраняется ничего. "
        "Иначе анкеты школ из файла сохраняются отправленными и подсчитываются. С "
        "`dry_run=true` ничего не сохраняется: ответ показывает, что будет загружено. "
        "Загружают региональный оператор и муниципальный координатор (свои школы); "
        "остальным — 403. Тело — multipart/form-data.",
        request={"multipart/form-data": RoundImportSerializer},
        responses={
            200: RoundImportResultSerializer,
            400: OpenApiResponse(
                description="Файл не прочитан (причина в `file`) или в строках ошибки "
                "(`errors`, и замечания в `warnings`). Ничего не сохранено."
            ),
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="import",
        url_name="import",
        filter_backends=[],
        parser_classes=[MultiPartParser],
    )
    def import_results(self, request, pk=None):
        round_ = self.get_object()
        require_reviewer(request.user, round_)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        uploaded = serializer.validated_data["file"]
        try:
            parsed = parse_upload(request.user, round_, uploaded.read(), uploaded.name)
        except excel.ResultsFileError as error:
            raise ValidationError({"file": [str(error)]}) from None
        if not parsed.ok:
            raise ValidationError(
                {
                    "file": ["Исправьте ошибки в файле: ничего не сохранено."],
                    "errors": parsed.errors,
                    "warnings": parsed.warnings,
                }
            )
        preview = {
            "school_count": len(parsed.rows),
            "answer_count": sum(len(row.answers) for row in parsed.rows),
            "rows": parsed.rows,
            "warnings": parsed.warnings,
        }
        if serializer.validated_data["dry_run"]:
            return Response(RoundImportPreviewSerializer(preview).data)
        try:
            created, updated = excel.save_results(parsed, round_, request.user)
        except excel.ResultsFileError as error:
            raise ValidationError({"file": [str(error)]}) from None
        outcome = {
            **preview,
            "created": created,
            "updated": updated,
            "detail": import_message(created, updated),
        }
        return Response(RoundImportResultSerializer(outcome).data)

    def _municipality(self, round_: Round) -> Municipality | None:
        value = self.request.query_params.get("municipality", "")
        if not value:
            return None
        pk = parse_id(value)
        if pk is None:
            raise serializers.ValidationError(
                {"municipality": ["Укажите идентификатор муниципального образования числом."]}
            )
        municipalities = Municipality.objects.for_user(self.request.user).filter(
            region_id=round_.region_id
        )
        municipality = municipalities.filter(pk=pk).first()
        if municipality is None:
            raise NotFound("Муниципальное образование не найдено или недоступно.")
        return municipality

    def _deficit_map(self) -> DeficitMap:
        round_ = self.get_object()
        return deficit_map_for(self.request.user, round_, self._municipality(round_))

    @extend_schema(
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
        return Response(DeficitMapSerializer(self._deficit_map()).data)

    @extend_schema(
        summary="Карта дефицитов в Excel",
        description="Тот же файл, что скачивается со страницы карты: лист «Карта дефицитов» "
        "с уровнями школ по направлениям, раскрашенными по уровню, и лист «Муниципалитеты» "
        "со сводками.",
        parameters=[MUNICIPALITY_PARAMETER],
        responses={(200, excel.XLSX): OpenApiTypes.BINARY, 404: NOT_FOUND},
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
        return deficit_map_file(self._deficit_map(), "xlsx").response()

    @extend_schema(
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
        return deficit_map_file(self._deficit_map(), "pdf").response()


# Submissions


def _with_contents(submissions):
    answers = Answer.objects.select_related("indicator", "option")
    results = DirectionResult.objects.select_related("direction").order_by("direction__position")
    return submissions.prefetch_related(
        Prefetch("answers", queryset=answers), Prefetch("direction_results", queryset=results)
    )


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
        require_can_answer(request.user, school)
        try:
            submission, created = Submission.start(round_, school)
        except SubmissionError as error:
            raise Conflict(str(error)) from None
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
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        submission = self.get_object()
        require_can_answer(request.user, submission.school)
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
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        submission = self.get_object()
        require_can_answer(request.user, submission.school)
        try:
            submission.submit(by=request.user)
        except SubmissionError as error:
            raise Conflict(str(error)) from None
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
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        submission = self.get_object()
        require_can_review(request.user, submission.school)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            submission.review(
                by=request.user,
                accept=serializer.validated_data["action"] == ReviewForm.ACCEPT,
                comment=serializer.validated_data["comment"],
            )
        except SubmissionError as error:
            raise Conflict(str(error)) from None
        return self._detail(submission)

    # From deficits to the school's plan: the result page's «План из дефицитов».

    def _plan_submission(self):
        submission = self.get_object()
        require_can_plan(self.request.user, submission.school)
        if not submission.is_scored:
            raise Conflict("Анкета ещё не подсчитана: дефициты появятся после её отправки.")
        return submission

    @extend_schema(
        methods=["GET"],
        summary="Дефициты для плана",
        description="Что показывает страница «План из дефицитов»: дефициты анкеты по порядку "
        "(сначала критические), у каждого — есть ли мероприятие по нему в текущем черновике "
        "плана школы; сам черновик (null — его нет) и период нового плана — учебный год "
        "раунда. Составляет план тот, кто ведёт школу; наблюдателю — 403. Анкета ещё не "
        "отправлена — 409.",
        responses={200: PlanDeficitsSerializer, **WRITE_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Добавить дефициты в план",
        description="Как кнопка на странице «План из дефицитов»: по каждому выбранному "
        "дефициту добавляется мероприятие «Устранить дефицит: …» в раздел «Устранение "
        "дефицитов по результатам самодиагностики», с указанными сроками, направлением "
        "дефицита и предложенными ответственными (школа и заместитель директора). `target`: "
        "`draft` — в текущий черновик школы, `new` — в новый черновик на учебный год раунда "
        "(01.09–31.08). Мероприятие, которое в черновике уже есть, второй раз не добавляется: "
        "такие дефициты перечислены в `already_in_plan`. Всё или ничего: код не из дефицитов "
        "анкеты — 400. Составляет план тот, кто ведёт школу; наблюдателю — 403. Анкета ещё не "
        "отправлена или черновик уже отправлен на согласование — 409.",
        request=PlanFromDeficitsSerializer,
        responses={200: PlanOutcomeSerializer, 400: BAD_REQUEST, **WRITE_ERRORS},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="plan-from-deficits",
        url_name="plan-from-deficits",
        filter_backends=[],
    )
    def plan_from_deficits(self, request, pk=None):
        submission = self._plan_submission()
        deficits, draft = plan_deficits(submission)
        period = academic_year(submission.round)
        if request.method == "GET":
            state = {
                "plan": draft,
                "year": period.start.year,
                "period": {"start": period.start, "end": period.end},
                "deficits": deficits,
            }
            return Response(PlanDeficitsSerializer(state).data)
        serializer = PlanFromDeficitsSerializer(
            data=request.data,
            context={
                "codes": [deficit.indicator_code for deficit in deficits],
                "draft": draft,
                "period_label": f"{period.start.year}/{period.end.year}",
            },
        )
        serializer.is_valid(raise_exception=True)
        chosen = set(serializer.validated_data["deficits"])
        picked = [deficit for deficit in deficits if deficit.indicator_code in chosen]
        rows = proposed_rows(picked, submission.school)
        for row in rows:
            row.deadline_text = serializer.validated_data["deadline_text"]
        target = serializer.validated_data["target"]
        try:
            outcome = add_deficits_to_plan(submission, rows, user=request.user, target=target)
        except WorkflowError as error:
            raise Conflict(str(error)) from None
        data = {
            "plan": outcome.roadmap,
            "plan_created": outcome.roadmap_created,
            "added": outcome.created,
            "already_in_plan": outcome.skipped,
            "detail": plan_outcome_message(outcome),
        }
        return Response(PlanOutcomeSerializer(data).data)


# Results and deficits: lists only. A row is read among its round's or school's rows, or in
# its submission (`direction_results` of /api/v1/submissions/{id}/).


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


# Dynamics between two rounds


class DynamicsViewSet(ScopedViewSetMixin, ViewSet):
    """One report at /api/v1/dynamics/: a list route without a list, pages or filters."""

    not_found_message = "Раунд или муниципальное образование не найдены или недоступны."
    schema = OneObjectSchema()
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="Динамика между раундами",
        description="Те же данные, что на странице «Динамика»: как изменились общий уровень "
        "и баллы школ области пользователя от раунда `before` к раунду `after` (вырос, не "
        "изменился, снизился), по направлениям, по муниципальным образованиям и итог. "
        "Учитываются школы с отправленной или принятой анкетой в обоих раундах; сколько "
        "школ есть только в одном — `only_before`, `only_after`. По умолчанию — два "
        "последних раунда с результатами одного субъекта РФ. Раунд или МО вне области — "
        "404; один и тот же раунд дважды — 400; двух раундов с результатами нет — 409. "
        "Без роли в проекте — 403.",
        parameters=[
            OpenApiParameter(
                "before",
                OpenApiTypes.INT,
                description="Первый раунд (идентификатор); по умолчанию — предыдущий раунд с "
                "результатами того же субъекта РФ.",
            ),
            OpenApiParameter(
                "after",
                OpenApiTypes.INT,
                description="Второй раунд (идентификатор); по умолчанию — последний раунд с "
                "результатами.",
            ),
            OpenApiParameter(
                "municipality",
                OpenApiTypes.INT,
                description="Муниципальное образование (идентификатор) субъекта РФ второго "
                "раунда: только его школы.",
            ),
            OpenApiParameter(
                "change",
                OpenApiTypes.STR,
                enum=list(CHANGE_LABELS),
                description="Только школы, у которых общий уровень: up — вырос, same — не "
                "изменился, down — снизился (сводки — по всем школам).",
            ),
        ],
        responses={
            200: DynamicsSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: OpenApiResponse(
                description="Нет двух раундов с результатами; причина — в поле detail."
            ),
        },
    )
    def list(self, request):
        change = request.query_params.get("change", "")
        if change and change not in CHANGE_LABELS:
            raise ValidationError(
                {"change": ["Укажите up (вырос), same (не изменился) или down (снизился)."]}
            )
        filters = report_filters(request.user, request.query_params, "after", "before")
        choice = choose_dynamics(request.user, filters)
        if choice.problem == SAME_ROUND_PROBLEM:
            raise ValidationError({"before": [choice.problem]})
        if choice.problem:
            raise Conflict(choice.problem)
        return Response(DynamicsSerializer(choice.dynamics, context={"change": change}).data)


# /api/v1/…: (prefix, viewset, basename) registered by portal/api_urls.py.
ROUTES = [
    ("methodologies", MethodologyViewSet, "methodology"),
    ("rounds", RoundViewSet, "round"),
    ("submissions", SubmissionViewSet, "submission"),
    ("direction-results", DirectionResultViewSet, "direction-result"),
    ("deficits", DeficitViewSet, "deficit"),
    ("dynamics", DynamicsViewSet, "dynamics"),
]
