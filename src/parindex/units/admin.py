from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from parindex.units.models import DivisionDataset, Unit, UnitGroup, UnitLineage


@admin.register(UnitGroup)
class UnitGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "position")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    ordering = ("position", "name")


class _LineageInline(admin.TabularInline):
    model = UnitLineage
    extra = 0


class SuccessorInline(_LineageInline):
    fk_name = "predecessor"
    autocomplete_fields = ("successor",)
    verbose_name = "đơn vị sau"
    verbose_name_plural = "trở thành (đơn vị sau)"


class PredecessorInline(_LineageInline):
    fk_name = "successor"
    autocomplete_fields = ("predecessor",)
    verbose_name = "đơn vị trước"
    verbose_name_plural = "hình thành từ (đơn vị trước)"


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "division_type",
        "group",
        "parent",
        "official_code",
        "is_active",
    )
    list_filter = ("kind", "group", "division_type", "is_active")
    search_fields = ("code", "name", "short_name", "official_code")
    autocomplete_fields = ("parent",)
    list_select_related = ("group", "parent")
    inlines = (PredecessorInline, SuccessorInline)


@admin.register(UnitLineage)
class UnitLineageAdmin(admin.ModelAdmin):
    list_display = ("predecessor", "successor", "kind", "effective", "note")
    list_filter = ("kind", "effective")
    search_fields = ("predecessor__name", "successor__name", "note")
    autocomplete_fields = ("predecessor", "successor")
    list_select_related = ("predecessor", "successor")


@admin.register(DivisionDataset)
class DivisionDatasetAdmin(admin.ModelAdmin):
    list_display = (
        "loaded_at",
        "source",
        "package_version",
        "data_version",
        "province_filter",
        "province_count",
        "commune_count",
    )
    list_filter = ("source", "data_version")
    readonly_fields = [f.name for f in DivisionDataset._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: DivisionDataset | None = None
    ) -> bool:
        return False
