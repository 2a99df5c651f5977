"""Serializers of the self-diagnosis API: the methodology as published, rounds, submissions with
their answers and stored results, deficits, and the shape of the deficit map.

Levels and statuses go out as codes with a Russian label beside them (`level`, `level_label`).
"""

from functools import cached_property

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orgs.models import Organization
from portal.api import VisiblePrimaryKeyField, form_errors
from portal.validators import validate_multiline, validate_single_line
from selfdiag.access import can_answer, can_review
from selfdiag.dynamics import CHANGE_LABELS
from selfdiag.forms import (
    DeficitPlanForm,
    PlanTargetForm,
    ResultsUploadForm,
    ReviewForm,
    RoundForm,
)
from selfdiag.methodology import LEVELS
from selfdiag.models import (
    Deficit,
    DirectionResult,
    Indicator,
    Methodology,
    MethodologyDirection,
    Option,
    Round,
    Submission,
    ThresholdMode,
)
from selfdiag.plans import DEFAULT_DEADLINE

LEVEL_HELP = (
    "Уровень: below_base — ниже базового, base — базовый, medium — средний, high — высокий; "
    "пустая строка — результата нет."
)
CHANGE_HELP = "Изменение уровня: up — вырос, same — не изменился, down — снизился."
STATUS_HELP = (
    "Статус анкеты: draft — заполняется, submitted — отправлена, returned — возвращена на "
    "доработку, accepted — принята."
)


class LevelField(serializers.CharField):
    """A level code. A plain string in the schema: «level» is already the name of the
    organizations' level enum there, and a second choice set under that name would need an
    override in the settings."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", LEVEL_HELP)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)


def level_label_field():
    return serializers.CharField(
        source="get_level_display",
        read_only=True,
        help_text="Уровень по-русски: «ниже базового», «базовый», «средний», «высокий».",
    )


class ThresholdsSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(
        source="threshold_mode",
        choices=ThresholdMode.choices,
        help_text="share — доли от максимума (0–1), points — баллы.",
    )
    base = serializers.FloatField(source="threshold_base", help_text="Порог «базовый».")
    medium = serializers.FloatField(source="threshold_medium", help_text="Порог «средний».")
    high = serializers.FloatField(source="threshold_high", help_text="Порог «высокий».")


# Methodologies


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Option
        fields = ["code", "label", "points"]


class IndicatorSerializer(serializers.ModelSerializer):
    levels = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Уровни образования (НОО, ООО, СОО), для которых показатель задаётся; "
        "пусто — для всех школ.",
    )
    applicability = serializers.CharField(
        source="applicability_label", read_only=True, help_text="Кому задаётся, по-русски."
    )
    options = OptionSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "wording",
            "critical",
            "levels",
            "ovz_only",
            "applicability",
            "options",
        ]


class MethodologyDirectionSerializer(serializers.ModelSerializer):
    thresholds = ThresholdsSerializer(source="*", read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = MethodologyDirection
        fields = ["id", "code", "name", "group", "position", "thresholds", "indicators"]


class MethodologySerializer(serializers.ModelSerializer):
    thresholds = ThresholdsSerializer(
        source="*", read_only=True, help_text="Пороги общего уровня школы."
    )
    indicator_count = serializers.IntegerField(read_only=True, help_text="Число показателей.")

    class Meta:
        model = Methodology
        fields = [
            "id",
            "version",
            "name",
            "description",
            "is_demo",
            "critical_caps_overall",
            "thresholds",
            "indicator_count",
            "loaded_at",
        ]


class MethodologyDetailSerializer(MethodologySerializer):
    directions = MethodologyDirectionSerializer(many=True, read_only=True)

    class Meta(MethodologySerializer.Meta):
        fields = [*MethodologySerializer.Meta.fields, "directions"]


# Rounds


class RoundSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    methodology_version = serializers.CharField(source="methodology.version", read_only=True)
    school_count = serializers.IntegerField(
        source="school_total", read_only=True, help_text="Школ раунда в области пользователя."
    )
    done_count = serializers.IntegerField(
        source="done",
        read_only=True,
        help_text="Из них отправили анкету или она принята.",
    )

    class Meta:
        model = Round
        fields = [
            "id",
            "name",
            "region",
            "region_name",
            "methodology",
            "methodology_version",
            "opens_on",
            "closes_on",
            "status",
            "school_count",
            "done_count",
            "created",
        ]


# Submissions


class AnswerValueSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="Код выбранного варианта ответа.")
    label = serializers.CharField(help_text="Вариант ответа, как в анкете.")
    points = serializers.FloatField(help_text="Баллы за этот вариант.")


class SubmissionDirectionSerializer(serializers.ModelSerializer):
    direction = serializers.CharField(source="direction_code", help_text="Код направления.")
    direction_name = serializers.CharField(source="direction.name")
    level = LevelField()
    level_label = level_label_field()

    class Meta:
        model = DirectionResult
        fields = [
            "direction",
            "direction_name",
            "points",
            "max_points",
            "share",
            "level",
            "level_label",
            "capped_by_critical",
        ]


class SubmissionSerializer(serializers.ModelSerializer):
    round_name = serializers.CharField(source="round.name", read_only=True)
    school_name = serializers.CharField(source="school.short_name", read_only=True)
    municipality = serializers.IntegerField(
        source="school.municipality_id", read_only=True, help_text="Муниципальное образование."
    )
    municipality_name = serializers.CharField(
        source="school.municipality.name", read_only=True, default=""
    )
    # A plain string, as LevelField: an enum shared by the list and the detail components under
    # the name «status», which the plans' enums use too, would need an override in the settings.
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    level = LevelField(help_text="Общий уровень школы. " + LEVEL_HELP)
    level_label = level_label_field()

    class Meta:
        model = Submission
        fields = [
            "id",
            "round",
            "round_name",
            "school",
            "school_name",
            "municipality",
            "municipality_name",
            "status",
            "status_label",
            "level",
            "level_label",
            "total_points",
            "max_points",
            "share",
            "capped_by_critical",
            "unanswered_count",
            "deficit_count",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "scored_at",
            "updated",
        ]
        read_only_fields = fields


class SubmissionDetailSerializer(SubmissionSerializer):
    answers = serializers.SerializerMethodField(
        help_text="Сохранённые ответы по кодам показателей: код варианта, его текст и баллы."
    )
    direction_results = SubmissionDirectionSerializer(
        many=True,
        read_only=True,
        help_text="Баллы и уровни по направлениям (после отправки; у черновика — пусто).",
    )
    can_edit = serializers.SerializerMethodField(
        help_text="Может ли пользователь сейчас менять ответы и отправить анкету."
    )
    can_review = serializers.SerializerMethodField(
        help_text="Может ли пользователь принять анкету или вернуть её на доработку."
    )

    class Meta(SubmissionSerializer.Meta):
        fields = [
            *SubmissionSerializer.Meta.fields,
            "answers",
            "direction_results",
            "can_edit",
            "can_review",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=AnswerValueSerializer()))
    def get_answers(self, submission):
        return {
            answer.indicator.code: {
                "value": answer.option.code,
                "label": answer.option.label,
                "points": answer.option.points,
            }
            for answer in submission.answers.all()
        }

    def get_can_edit(self, submission) -> bool:
        user = self.context["request"].user
        return can_answer(user, submission.round, submission.school, submission)

    def get_can_review(self, submission) -> bool:
        return can_review(self.context["request"].user, submission.school)


class SubmissionCreateSerializer(serializers.ModelSerializer):
    round = VisiblePrimaryKeyField(Round, help_text="Раунд (идентификатор).")
    school = VisiblePrimaryKeyField(Organization, help_text="Школа (идентификатор).")

    class Meta:
        model = Submission
        fields = ["round", "school"]
        # An existing questionnaire is returned, not refused (see the viewset's create).
        validators = []

    def validate(self, attrs):
        round_, school = attrs["round"], attrs["school"]
        if not round_.schools.filter(pk=school.pk).exists():
            raise serializers.ValidationError({"school": "Школа не участвует в этом раунде."})
        return attrs


class AnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.CharField(max_length=32, validators=[validate_single_line]),
        allow_empty=False,
        error_messages={
            "empty": "Укажите хотя бы один ответ.",
            "not_a_dict": "Ожидается объект: код показателя → код варианта ответа.",
        },
        help_text="Ответы: код показателя → код варианта ответа, например "
        '{"Z1": "yes", "Z2": "partly"}. Сохраняются все сразу или ни один.',
    )


class ReviewSerializer(serializers.Serializer):
    """The review form of the result page (selfdiag.forms.ReviewForm), whose rules and words
    it applies."""

    action = serializers.CharField(
        help_text="accept — принять анкету, return — вернуть на доработку.",
        validators=[validate_single_line],
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Комментарий для школы: при возврате обязателен (что исправить), при "
        "приёме — по желанию.",
        max_length=5000,
        validators=[validate_multiline],
    )

    def validate(self, attrs):
        form = ReviewForm(attrs)
        if not form.is_valid():
            raise serializers.ValidationError(
                {field: list(errors) for field, errors in form.errors.items()}
            )
        return form.cleaned_data


# Results and deficits


class _SchoolResultSerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.short_name", read_only=True)
    municipality = serializers.IntegerField(
        source="school.municipality_id", read_only=True, help_text="Муниципальное образование."
    )
    municipality_name = serializers.CharField(
        source="school.municipality.name", read_only=True, default=""
    )


class DirectionResultSerializer(_SchoolResultSerializer):
    direction = serializers.CharField(
        source="direction_code", read_only=True, help_text="Код направления методики."
    )
    direction_name = serializers.CharField(source="direction.name", read_only=True)
    level = LevelField()
    level_label = level_label_field()

    class Meta:
        model = DirectionResult
        fields = [
            "id",
            "submission",
            "round",
            "school",
            "school_name",
            "municipality",
            "municipality_name",
            "direction",
            "direction_name",
            "points",
            "max_points",
            "share",
            "level",
            "level_label",
            "capped_by_critical",
        ]
        read_only_fields = fields


class DeficitSerializer(_SchoolResultSerializer):
    direction = serializers.CharField(
        source="direction_code", read_only=True, help_text="Код направления методики."
    )
    indicator = serializers.CharField(
        source="indicator_code", read_only=True, help_text="Код показателя."
    )
    indicator_wording = serializers.CharField(source="indicator.wording", read_only=True)

    class Meta:
        model = Deficit
        fields = [
            "id",
            "submission",
            "round",
            "school",
            "school_name",
            "municipality",
            "municipality_name",
            "direction",
            "indicator",
            "indicator_wording",
            "points",
            "max_points",
            "critical",
            "position",
        ]
        read_only_fields = fields


# The deficit map (reports.deficits.DeficitMap) as the API gives it: read from the map itself,
# so that the body is what the schema describes.


class _ByDirection(serializers.DictField):
    """A row's values in the order of the report's directions, as code → value. The root
    serializer (the map, the dynamics) lists the codes once."""

    def get_attribute(self, row):
        values = super().get_attribute(row)
        return dict(zip(self.root.direction_codes, values, strict=True))


class _Constant(serializers.DictField):
    """The same dictionary in every report (the levels' or the changes' names)."""

    def __init__(self, value, **kwargs):
        self.value = value
        super().__init__(child=serializers.CharField(), **kwargs)

    def get_attribute(self, instance):
        return dict(self.value)


class MapRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MapDirectionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField(help_text="direction — направление, condition — условие.")


class MapCellSerializer(serializers.Serializer):
    level = serializers.CharField(help_text=LEVEL_HELP)
    points = serializers.FloatField()
    max_points = serializers.FloatField()
    share = serializers.FloatField(help_text="Доля от максимума, 0–1.")
    capped = serializers.BooleanField(help_text="Уровень ограничен критическим показателем.")


class MapSchoolSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    municipality = serializers.IntegerField(source="municipality_id")
    municipality_name = serializers.CharField()
    level = serializers.CharField(help_text="Общий уровень. " + LEVEL_HELP)
    cells = _ByDirection(
        child=MapCellSerializer(allow_null=True),
        help_text="Код направления → результат школы; null — результата нет.",
    )


class MapTallySerializer(serializers.Serializer):
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Код уровня → число школ."
    )
    total = serializers.IntegerField(help_text="Школ с результатом.")
    below_base_share = serializers.FloatField(
        allow_null=True, help_text="Доля школ ниже базового, 0–1; null — результатов нет."
    )
    mean_share = serializers.FloatField(
        allow_null=True, help_text="Средняя доля баллов от максимума; null — нет данных."
    )


class MapAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", allow_null=True, help_text="null у строки «Итого».")
    name = serializers.CharField()
    schools = serializers.IntegerField(help_text="Школ в карте.")
    reported = serializers.IntegerField(help_text="Из них с результатом.")
    overall = MapTallySerializer(help_text="По общему уровню.")
    directions = _ByDirection(
        child=MapTallySerializer(), help_text="Код направления → распределение по уровням."
    )


class DeficitMapSerializer(serializers.Serializer):
    round = MapRefSerializer()
    municipality = MapRefSerializer(allow_null=True, help_text="Выбранное МО или null.")
    levels = _Constant(dict(LEVELS), help_text="Коды уровней по возрастанию → по-русски.")
    directions = MapDirectionSerializer(many=True)
    schools = MapSchoolSerializer(many=True)
    areas = MapAreaSerializer(many=True, help_text="Муниципальные образования.")
    total = MapAreaSerializer(help_text="Итого по карте.")

    @cached_property
    def direction_codes(self) -> list[str]:
        return [direction.code for direction in self.instance.directions]


# Opening a round: the page's form (selfdiag.forms.RoundForm) decides, with its words.

MAX_ID = 2**31 - 1


class RoundCreateSerializer(serializers.Serializer):
    """A new round, checked by the form of the page «Новый раунд»; what is left out takes the
    value the page offers. `context["regions"]`: the regions the user may open rounds in."""

    region = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Субъект РФ (идентификатор). Можно не указывать, если пользователь открывает "
        "раунды в одном субъекте.",
    )
    name = serializers.CharField(
        required=False,
        max_length=300,
        help_text="Наименование, в субъекте РФ — своё у каждого раунда; по умолчанию — "
        "«Самодиагностика — весна 2025» по текущей дате.",
        validators=[validate_single_line],
    )
    opens_on = serializers.DateField(required=False, help_text="Начало; по умолчанию — сегодня.")
    closes_on = serializers.DateField(
        required=False, help_text="Окончание, не раньше начала; по умолчанию — через 30 дней."
    )
    methodology = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Методика (идентификатор); по умолчанию — последняя загруженная настоящая.",
    )
    municipality = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="Только школы этого муниципального образования (идентификатор); без него — "
        "школы всего субъекта РФ.",
    )
    schools = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=100_000,
        help_text="Школы раунда (идентификаторы). Пусто — все школы субъекта РФ или "
        "выбранного муниципального образования.",
    )

    def validate(self, attrs):
        regions = self.context["regions"]
        offered = RoundForm(regions=regions).initial
        data = {**offered, **{key: value for key, value in attrs.items() if value is not None}}
        form = RoundForm(data, regions=regions)
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        return {"form": form}


# Loading answers from the filled template: the page's checks (selfdiag.forms.ResultsUploadForm,
# selfdiag.excel.parse_results).


class RoundImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="Заполненный шаблон раунда (.xlsx, до 10 МБ) — тот, что отдаёт "
        "/api/v1/rounds/{id}/template/."
    )
    dry_run = serializers.BooleanField(
        default=False,
        help_text="Только проверить файл и показать, что будет загружено, ничего не сохраняя.",
    )

    def validate_file(self, uploaded):
        form = ResultsUploadForm(data={}, files={"file": uploaded})
        if not form.is_valid():
            raise serializers.ValidationError(list(form.errors["file"]))
        return form.cleaned_data["file"]


class ImportRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Номер строки в файле.")
    school = serializers.IntegerField(source="school.pk", help_text="Школа (идентификатор).")
    school_name = serializers.CharField(source="school.short_name")
    municipality_name = serializers.CharField(source="school.municipality.name", default="")
    answer_count = serializers.SerializerMethodField(help_text="Ответов, которые будут учтены.")
    ignored = serializers.IntegerField(
        help_text="Ответов на показатели, которые к школе не относятся: не учитываются."
    )
    existing_status = serializers.CharField(
        help_text="Статус анкеты школы до загрузки; пустая строка — анкеты не было. " + STATUS_HELP
    )
    existing_status_label = serializers.CharField(help_text="Он же по-русски.")

    def get_answer_count(self, row) -> int:
        return len(row.answers)


class RoundImportPreviewSerializer(serializers.Serializer):
    """What loading the file would save (`dry_run`)."""

    school_count = serializers.IntegerField(help_text="Школ с ответами в файле.")
    answer_count = serializers.IntegerField(help_text="Ответов, всего.")
    rows = ImportRowSerializer(many=True)
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="Замечания: пропущенные столбцы и строки, ответы не к школе.",
    )


class RoundImportResultSerializer(RoundImportPreviewSerializer):
    created = serializers.IntegerField(help_text="Новых анкет.")
    updated = serializers.IntegerField(help_text="Обновлено анкет (ответы заменены).")
    detail = serializers.CharField(help_text="Итог по-русски, как на странице.")


# From deficits to the school's plan: the page's form (selfdiag.forms.DeficitPlanForm).


class PlanFromDeficitsSerializer(serializers.Serializer):
    """`context["codes"]`: the codes of the submission's deficits."""

    deficits = serializers.ListField(
        child=serializers.CharField(max_length=32, validators=[validate_single_line]),
        help_text="Коды показателей-дефицитов, по которым нужны мероприятия, например "
        '["Z1", "S2"]. Те, что уже есть в плане, не добавляются второй раз.',
    )
    deadline_text = serializers.CharField(
        required=False,
        default=DEFAULT_DEADLINE,
        help_text="Сроки, как в плане: «в течение учебного года», «до 1 сентября», «2 квартал»; "
        "читаются для периода выбранного плана.",
        max_length=500,
        validators=[validate_single_line],
    )
    target = serializers.CharField(
        required=False,
        max_length=16,
        validators=[validate_single_line],
        help_text="Куда добавить: `draft` — текущий черновик школы (по умолчанию, если он "
        "есть), `new` — новый план на учебный год раунда (по умолчанию, если черновика нет).",
    )

    def validate(self, attrs):
        codes = self.context["codes"]
        form = DeficitPlanForm(attrs, choices=[(code, code) for code in codes])
        target_form = PlanTargetForm(
            {"target": attrs.get("target") or ""},
            draft=self.context["draft"],
            period_label=self.context["period_label"],
        )
        if not attrs.get("target"):
            target_form = PlanTargetForm(
                {"target": target_form.fields["target"].initial},
                draft=self.context["draft"],
                period_label=self.context["period_label"],
            )
        if not (form.is_valid() & target_form.is_valid()):
            raise serializers.ValidationError({**form_errors(form), **form_errors(target_form)})
        return {**form.cleaned_data, **target_form.cleaned_data}


class PlanRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    status = serializers.CharField(help_text="Статус плана (draft — черновик и т. д.).")
    version = serializers.IntegerField()


class PlanDeficitSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator_code", help_text="Код показателя.")
    wording = serializers.CharField(source="indicator.wording")
    direction = serializers.CharField(source="direction_code", help_text="Код направления.")
    direction_name = serializers.CharField(source="indicator.direction.name")
    critical = serializers.BooleanField()
    points = serializers.FloatField()
    max_points = serializers.FloatField()
    in_plan = serializers.BooleanField(
        help_text="Мероприятие по нему уже есть в текущем черновике."
    )


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class PlanDeficitsSerializer(serializers.Serializer):
    plan = PlanRefSerializer(
        allow_null=True,
        help_text="Текущий черновик плана школы, который можно дополнить (`target: draft`); "
        "null — черновика нет.",
    )
    year = serializers.IntegerField(help_text="Первый год учебного года раунда.")
    period = PeriodSerializer(
        help_text="Период нового плана (`target: new`): учебный год раунда, 01.09–31.08."
    )
    deficits = PlanDeficitSerializer(many=True)


class AddedItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    title = serializers.CharField()
    indicator = serializers.CharField(help_text="Код показателя-дефицита.")
    deadline_text = serializers.CharField()
    deadline_start = serializers.DateField(allow_null=True)
    deadline_end = serializers.DateField(allow_null=True)


class PlanOutcomeSerializer(serializers.Serializer):
    plan = PlanRefSerializer(help_text="План, в который добавлены мероприятия.")
    plan_created = serializers.BooleanField(help_text="План создан сейчас черновиком.")
    added = AddedItemSerializer(many=True, help_text="Добавленные мероприятия.")
    already_in_plan = serializers.ListField(
        child=serializers.CharField(),
        help_text="Коды выбранных дефицитов, мероприятия по которым в плане уже были.",
    )
    detail = serializers.CharField(help_text="Итог по-русски, как на странице.")


# Dynamics between two rounds (reports.dynamics.Dynamics) as the API gives it, read from the
# dynamics itself. The context holds `change`, the filter of the schools' list.


class ShiftSerializer(serializers.Serializer):
    before = serializers.CharField(help_text="Уровень в первом раунде. " + LEVEL_HELP)
    after = serializers.CharField(help_text="Уровень во втором раунде.")
    delta = serializers.FloatField(help_text="Изменение баллов.")
    change = serializers.CharField(help_text=CHANGE_HELP)


def _change_tally_fields():
    """counts, total, mean_delta of a ChangeTally and its mean."""
    return (
        serializers.DictField(
            source="tally.counts",
            child=serializers.IntegerField(),
            help_text="up / same / down → число школ.",
        ),
        serializers.IntegerField(
            source="tally.total", help_text="Школ с результатом в обоих раундах."
        ),
        serializers.FloatField(
            allow_null=True, help_text="Среднее изменение баллов; null — школ нет."
        ),
    )


class DynamicsDirectionSerializer(serializers.Serializer):
    code = serializers.CharField(source="direction.code")
    name = serializers.CharField(source="direction.name")
    group = serializers.CharField(
        source="direction.group", help_text="direction — направление, condition — условие."
    )
    counts, total, mean_delta = _change_tally_fields()


class DynamicsAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", allow_null=True, help_text="null у строки «Итого».")
    name = serializers.CharField()
    counts, total, mean_delta = _change_tally_fields()


class DynamicsSchoolSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    municipality = serializers.IntegerField(source="municipality_id")
    municipality_name = serializers.CharField()
    overall = ShiftSerializer(help_text="Общий уровень и баллы.")
    directions = _ByDirection(
        child=ShiftSerializer(allow_null=True),
        help_text="Код направления → изменение; null — нет результата в одном из раундов.",
    )


class _ChangeFilter(serializers.CharField):
    def get_attribute(self, dynamics):
        return self.context.get("change", "")


class _ChangedSchools(serializers.ListField):
    def get_attribute(self, dynamics):
        return dynamics.schools_changed(self.context.get("change", ""))


class DynamicsSerializer(serializers.Serializer):
    before = MapRefSerializer(help_text="Первый (более ранний) раунд.")
    after = MapRefSerializer(help_text="Второй раунд.")
    municipality = MapRefSerializer(allow_null=True, help_text="Выбранное МО или null.")
    change = _ChangeFilter(help_text="Фильтр списка школ (up, same, down) или пусто.")
    levels = _Constant(dict(LEVELS), help_text="Коды уровней.")
    changes = _Constant(dict(CHANGE_LABELS), help_text="up / same / down → по-русски.")
    directions = DynamicsDirectionSerializer(many=True)
    schools = _ChangedSchools(
        child=DynamicsSchoolSerializer(), help_text="Школы с результатом в обоих."
    )
    areas = DynamicsAreaSerializer(many=True, help_text="Муниципальные образования.")
    total = DynamicsAreaSerializer(help_text="Итого.")
    only_before = serializers.IntegerField(help_text="Школ с результатом только в первом.")
    only_after = serializers.IntegerField(help_text="Школ с результатом только во втором.")

    @cached_property
    def direction_codes(self) -> list[str]:
        return [summary.direction.code for summary in self.instance.directions]
