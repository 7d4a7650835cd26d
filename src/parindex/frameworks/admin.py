from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from parindex.frameworks.models import Criterion, Framework, ScoringRule


class CriterionInline(admin.TabularInline):
    """The tree under its framework, in document order, indented by depth."""

    model = Criterion
    fk_name = "framework"
    extra = 0
    fields = ("indented", "max_points", "source", "depth", "position")
    readonly_fields = ("indented",)
    ordering = ("position",)
    show_change_link = True
    can_delete = False

    @admin.display(description="tiêu chí")
    def indented(self, obj: Criterion) -> str:
        return format_html(
            '<span style="padding-left:{}em">{} {}</span>',
            (obj.depth - 1) * 1.5,
            obj.code,
            obj.name[:120],
        )


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "year",
        "total",
        "status",
        "is_sample",
        "imported_from",
        "created_at",
    )
    list_filter = ("status", "is_sample", "year")
    search_fields = ("code", "name", "decision")
    readonly_fields = ("created_at", "created_by", "issues")
    inlines = (CriterionInline,)


class ScoringRuleInline(admin.StackedInline):
    model = ScoringRule
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "framework", "depth", "max_points", "source")
    list_filter = ("framework", "depth", "source")
    search_fields = ("code", "name", "guidance")
    list_select_related = ("framework",)
    autocomplete_fields = ("parent",)
    ordering = ("framework", "position")
    inlines = (ScoringRuleInline,)


@admin.register(ScoringRule)
class ScoringRuleAdmin(admin.ModelAdmin):
    list_display = ("criterion", "type")
    list_filter = ("type", "criterion__framework")
    search_fields = ("criterion__code", "criterion__name")
    list_select_related = ("criterion",)
