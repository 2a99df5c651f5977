from django.contrib import admin

from reports.models import CalendarFeedToken


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    """Keys can be looked at and deleted (which switches the feeds off), never read or made."""

    list_display = ["user", "prefix", "created", "last_used"]
    search_fields = ["user__username", "prefix"]
    readonly_fields = ["user", "prefix", "token_hash", "created", "last_used"]

    def has_add_permission(self, request):
        return False
