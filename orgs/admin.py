from django.contrib import admin

from orgs.models import Membership, Municipality, Organization, Region


class MunicipalityInline(admin.TabularInline):
    model = Municipality
    extra = 0
    fields = ["name", "kind", "oktmo"]
    show_change_link = True


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    inlines = [MunicipalityInline]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind", "region"]
    list_select_related = ["region"]
    search_fields = ["name", "oktmo"]
    autocomplete_fields = ["region"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["short_name", "kind", "municipality", "region", "inn", "in_project_since"]
    list_filter = ["kind", "teaches_soo", "has_ovz_pupils", "region"]
    list_select_related = ["region", "municipality"]
    search_fields = ["short_name", "name", "inn", "address"]
    autocomplete_fields = ["region", "municipality"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["kind", "short_name", "name", "region", "municipality"]}),
        (
            "Школа",
            {
                "fields": [
                    "inn",
                    "address",
                    ("teaches_noo", "teaches_ooo", "teaches_soo"),
                    "has_ovz_pupils",
                    "in_project_since",
                ]
            },
        ),
    ]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created"]
    list_filter = ["role", "organization__region"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__last_name", "organization__short_name"]
    autocomplete_fields = ["user", "organization"]
