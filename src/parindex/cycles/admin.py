from __future__ import annotations

from django.contrib import admin

from parindex.cycles.models import Cycle, CycleFramework, CycleUnit


class CycleFrameworkInline(admin.TabularInline):
    model = CycleFramework
    extra = 0
    autocomplete_fields = ("framework",)


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "status", "self_assessment_deadline", "created_at")
    list_filter = ("status", "year")
    search_fields = ("name",)
    # The stage moves only through the app's stage page (audited, checked, notified).
    readonly_fields = ("status", "created_at", "created_by")
    inlines = (CycleFrameworkInline,)


@admin.register(CycleFramework)
class CycleFrameworkAdmin(admin.ModelAdmin):
    list_display = ("cycle", "group", "framework")
    list_filter = ("cycle", "group")
    list_select_related = ("cycle", "group", "framework")


@admin.register(CycleUnit)
class CycleUnitAdmin(admin.ModelAdmin):
    list_display = ("cycle", "unit", "group")
    list_filter = ("cycle", "group")
    search_fields = ("unit__name", "unit__code")
    autocomplete_fields = ("unit",)
    list_select_related = ("cycle", "unit", "group")
