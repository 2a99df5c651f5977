from django.contrib import admin

from notifications.models import EmailPreference, Notification, SentReminder


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "created", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "text"]
    raw_id_fields = ["recipient"]


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "mode", "updated"]
    list_filter = ["mode"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "key", "day", "created"]
    list_filter = ["kind", "day"]
    search_fields = ["recipient__username"]
    raw_id_fields = ["recipient"]
