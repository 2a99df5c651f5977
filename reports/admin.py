from django.contrib import admin
from django.template.defaultfilters import filesizeformat

from reports import stored
from reports.models import CalendarFeedToken, PlanFile


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    """Keys can be looked at and deleted (which switches the feeds off), never read or made."""

    list_display = ["user", "prefix", "created", "last_used"]
    search_fields = ["user__username", "prefix"]
    readonly_fields = ["user", "prefix", "token_hash", "created", "last_used"]

    def has_add_permission(self, request):
        return False


@admin.register(PlanFile)
class PlanFileAdmin(admin.ModelAdmin):
    """The stored files of approved plans: looked at, opened, deleted (the next download or
    `manage.py store_plan_files` makes a deleted one again); never written by hand."""

    list_display = ["roadmap", "format", "file_size", "render_seconds", "created", "is_fresh"]
    list_filter = ["format", "roadmap__status"]
    list_select_related = ["roadmap__owner"]
    search_fields = ["roadmap__title", "roadmap__owner__short_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="размер")
    def file_size(self, row):
        return filesizeformat(row.size)

    @admin.display(description="актуален", boolean=True)
    def is_fresh(self, row):
        return stored.keeps(row.roadmap) and row.source_key == stored.source_key(row.roadmap)
