from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect

from portal import russian
from portal.russian import QUESTIONNAIRES
from selfdiag.methodology import MethodologyError
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
)
from selfdiag.results import recompute


class MethodologyRejected(Exception):
    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(errors))


class RecomputeOnSave:
    """Editing a methodology's rows in the admin recomputes the stored results at once.

    If the edit leaves the methodology invalid (a direction with no indicator for every school,
    a critical indicator with no points), the whole change is rolled back and the reasons shown.
    """

    def methodology_of(self, obj) -> Methodology:
        raise NotImplementedError

    def _recompute(self, request, methodology):
        try:
            count = recompute(methodology)
        except MethodologyError as error:
            raise MethodologyRejected(error.errors) from None
        if count:
            messages.info(
                request, f"Результаты пересчитаны: {russian.count(count, QUESTIONNAIRES)}."
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._recompute(request, self.methodology_of(form.instance))

    def delete_model(self, request, obj):
        methodology = self.methodology_of(obj)
        super().delete_model(request, obj)
        self._recompute(request, methodology)

    def _guarded(self, request, view, *args, **kwargs):
        try:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except MethodologyRejected as rejected:
            messages.error(request, "Изменения не сохранены: методика стала бы некорректной.")
            for error in rejected.errors:
                messages.error(request, error)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        return self._guarded(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._guarded(request, super().delete_view, *args, **kwargs)

    def get_actions(self, request):
        # Bulk deletion would bypass the recomputation.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class DirectionInline(admin.TabularInline):
    model = MethodologyDirection
    extra = 0
    fields = [
        "position",
        "code",
        "name",
        "group",
        "roadmap_direction",
        "threshold_mode",
        "threshold_base",
        "threshold_medium",
        "threshold_high",
    ]
    show_change_link = True


@admin.register(Methodology)
class MethodologyAdmin(RecomputeOnSave, admin.ModelAdmin):
    list_display = ["version", "name", "is_demo", "loaded_at", "revision"]
    list_filter = ["is_demo"]
    search_fields = ["version", "name", "description"]
    readonly_fields = ["source_filename", "loaded_at", "revision", "source"]
    inlines = [DirectionInline]
    fieldsets = [
        (None, {"fields": ["version", "name", "description", "is_demo"]}),
        (
            "Общий уровень",
            {
                "fields": [
                    "threshold_mode",
                    ("threshold_base", "threshold_medium", "threshold_high"),
                    "critical_caps_overall",
                ]
            },
        ),
        (
            "Загрузка",
            {"fields": ["source_filename", "loaded_at", "revision", "source"]},
        ),
    ]

    def methodology_of(self, obj):
        return obj


@admin.register(MethodologyDirection)
class MethodologyDirectionAdmin(RecomputeOnSave, admin.ModelAdmin):
    list_display = ["name", "code", "group", "methodology", "position", "roadmap_direction"]
    list_filter = ["methodology", "group"]
    list_select_related = ["methodology", "roadmap_direction"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["methodology"]

    def methodology_of(self, obj):
        return obj.methodology


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0
    fields = ["position", "code", "label", "points"]


@admin.register(Indicator)
class IndicatorAdmin(RecomputeOnSave, admin.ModelAdmin):
    list_display = [
        "code",
        "short_wording",
        "direction",
        "critical",
        "applicability",
        "methodology",
    ]
    list_filter = ["methodology", "direction__code", "critical", "for_soo", "ovz_only"]
    list_select_related = ["direction", "methodology"]
    search_fields = ["code", "wording"]
    autocomplete_fields = ["methodology"]
    inlines = [OptionInline]
    fields = [
        "methodology",
        "direction",
        "code",
        "position",
        "wording",
        "critical",
        ("for_noo", "for_ooo", "for_soo"),
        "ovz_only",
    ]

    @admin.display(description="формулировка")
    def short_wording(self, obj):
        return obj.wording[:100]

    @admin.display(description="для кого")
    def applicability(self, obj):
        return obj.applicability_label

    def methodology_of(self, obj):
        return obj.methodology


@admin.register(Option)
class OptionAdmin(RecomputeOnSave, admin.ModelAdmin):
    list_display = ["label", "code", "points", "indicator"]
    list_filter = ["indicator__methodology"]
    list_select_related = ["indicator"]
    search_fields = ["label", "code", "indicator__code"]
    autocomplete_fields = ["indicator"]

    def methodology_of(self, obj):
        return obj.indicator.methodology


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "opens_on", "closes_on", "status", "methodology"]
    list_filter = ["status", "region", "methodology"]
    list_select_related = ["region", "methodology"]
    search_fields = ["name"]
    autocomplete_fields = ["region", "methodology", "schools"]
    readonly_fields = ["created_by", "created"]
    date_hierarchy = "closes_on"


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["indicator", "option", "answered_by", "answered_at"]
    readonly_fields = ["indicator", "option", "answered_by", "answered_at"]
    can_delete = False


class DirectionResultInline(admin.TabularInline):
    model = DirectionResult
    extra = 0
    fields = ["direction", "points", "max_points", "share", "level", "capped_by_critical"]
    readonly_fields = fields
    can_delete = False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["school", "round", "status", "level", "total_points", "submitted_at"]
    list_filter = ["status", "level", "round", "school__municipality"]
    list_select_related = ["school", "round"]
    search_fields = ["school__short_name", "school__name", "round__name"]
    autocomplete_fields = ["school", "round"]
    readonly_fields = [
        "submitted_at",
        "submitted_by",
        "reviewed_at",
        "reviewed_by",
        "total_points",
        "max_points",
        "share",
        "level",
        "capped_by_critical",
        "unanswered_count",
        "deficit_count",
        "scored_at",
    ]
    inlines = [DirectionResultInline, AnswerInline]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["submission", "indicator", "option", "answered_at"]
    list_filter = ["submission__round"]
    list_select_related = ["submission__school", "submission__round", "indicator", "option"]
    search_fields = ["submission__school__short_name", "indicator__code"]
    raw_id_fields = ["submission", "indicator", "option"]


@admin.register(DirectionResult)
class DirectionResultAdmin(admin.ModelAdmin):
    list_display = ["school", "round", "direction", "points", "max_points", "level"]
    list_filter = ["round", "direction_code", "level"]
    list_select_related = ["school", "round", "direction"]
    search_fields = ["school__short_name"]
    raw_id_fields = ["submission", "school", "round", "direction"]


@admin.register(Deficit)
class DeficitAdmin(admin.ModelAdmin):
    list_display = ["school", "round", "indicator_code", "direction_code", "points", "critical"]
    list_filter = ["round", "direction_code", "critical"]
    list_select_related = ["school", "round"]
    search_fields = ["school__short_name", "indicator_code"]
    raw_id_fields = ["submission", "school", "round", "indicator"]
