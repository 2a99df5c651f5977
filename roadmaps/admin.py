from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from roadmaps.models import (
    Direction,
    EvidenceFile,
    ExecutionReport,
    Item,
    ItemResponsible,
    Party,
    Roadmap,
    RoadmapEvent,
    Section,
)


def mark_changed(plans) -> None:
    """The plans were changed here, outside their editor: their time of change moves, so that
    the stored files of an approved version are made again (reports/stored.py)."""
    Roadmap.objects.filter(pk__in=plans).update(updated=timezone.now())


class ChangesPlan:
    """An admin page of a plan's part (section, item, party): saving or deleting one marks its
    plan changed."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        mark_changed([obj.roadmap_id])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        mark_changed([form.instance.roadmap_id])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        mark_changed([obj.roadmap_id])

    def delete_queryset(self, request, queryset):
        plans = set(queryset.values_list("roadmap_id", flat=True))
        super().delete_queryset(request, queryset)
        mark_changed(plans)


@admin.register(Direction)
class DirectionAdmin(admin.ModelAdmin):
    list_display = ["position", "name", "code", "group"]
    list_display_links = ["name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Plans print their items' directions by name.
        mark_changed(Item.objects.filter(directions=obj).values("roadmap_id"))


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["position", "number", "title", "parent"]
    show_change_link = True


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0
    fields = ["name", "full_name", "kind", "organization", "in_glossary"]
    autocomplete_fields = ["organization"]


class EventInline(admin.TabularInline):
    model = RoadmapEvent
    extra = 0
    readonly_fields = ["action", "comment", "user", "created"]
    can_delete = False


@admin.register(Roadmap)
class RoadmapAdmin(SimpleHistoryAdmin):
    list_display = ["title", "owner", "period_start", "period_end", "status", "version"]
    list_filter = ["status", "owner__kind", "owner__region"]
    list_select_related = ["owner"]
    search_fields = ["title", "owner__short_name", "approval_number"]
    autocomplete_fields = ["owner", "implements", "previous_version"]
    readonly_fields = ["lineage", "created_by", "updated_by", "created", "updated"]
    inlines = [SectionInline, PartyInline, EventInline]


@admin.register(Section)
class SectionAdmin(ChangesPlan, SimpleHistoryAdmin):
    list_display = ["__str__", "roadmap"]
    list_select_related = ["roadmap"]
    search_fields = ["title", "roadmap__title"]
    autocomplete_fields = ["roadmap", "parent"]


class ResponsibleInline(admin.TabularInline):
    model = ItemResponsible
    extra = 0
    autocomplete_fields = ["party"]


class ReportInline(admin.TabularInline):
    model = ExecutionReport
    extra = 0
    fields = ["status", "date", "comment", "evidence_url", "author", "withdrawn_at"]
    readonly_fields = ["withdrawn_at"]
    autocomplete_fields = ["author"]


@admin.register(Item)
class ItemAdmin(ChangesPlan, SimpleHistoryAdmin):
    list_display = ["number", "short_title", "deadline_text", "deadline_end", "status", "roadmap"]
    list_filter = ["status", "deadline_kind", "directions", "roadmap__owner__region"]
    list_select_related = ["roadmap", "section"]
    search_fields = ["title", "number", "deadline_text", "responsible_text", "result"]
    autocomplete_fields = ["roadmap", "section", "source_item"]
    filter_horizontal = ["directions"]
    inlines = [ResponsibleInline, ReportInline]

    @admin.display(description="мероприятие")
    def short_title(self, item):
        return item.title[:100]


@admin.register(Party)
class PartyAdmin(ChangesPlan, admin.ModelAdmin):
    list_display = ["name", "full_name", "kind", "in_glossary", "roadmap"]
    list_filter = ["kind", "in_glossary"]
    list_select_related = ["roadmap"]
    search_fields = ["name", "full_name"]
    autocomplete_fields = ["roadmap", "organization"]


class EvidenceFileInline(admin.TabularInline):
    model = EvidenceFile
    extra = 0
    fields = ["file", "name", "size", "uploaded_by", "created"]
    readonly_fields = ["size", "created"]
    autocomplete_fields = ["uploaded_by"]


@admin.register(ExecutionReport)
class ExecutionReportAdmin(SimpleHistoryAdmin):
    list_display = ["item", "status", "date", "author", "withdrawn_at"]
    list_filter = ["status"]
    inlines = [EvidenceFileInline]
    readonly_fields = ["edited_at", "edited_by", "withdrawn_at", "withdrawn_by"]
    list_select_related = ["item", "author"]
    search_fields = ["comment", "item__title"]
    autocomplete_fields = ["item", "author"]
    date_hierarchy = "date"
