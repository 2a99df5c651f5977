from django.contrib import admin
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


@admin.register(Direction)
class DirectionAdmin(admin.ModelAdmin):
    list_display = ["position", "name", "code", "group"]
    list_display_links = ["name"]


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
class SectionAdmin(SimpleHistoryAdmin):
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
class ItemAdmin(SimpleHistoryAdmin):
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
class PartyAdmin(admin.ModelAdmin):
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
