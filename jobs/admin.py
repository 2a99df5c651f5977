from django.contrib import admin

from jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "kind", "status", "progress", "created", "finished"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "user__username"]
    readonly_fields = ["task_id", "created", "started", "finished"]
