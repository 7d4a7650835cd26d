from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from parindex.assessments.models import (
    AppraisalAssignment,
    Assessment,
    Comment,
    CouncilDecision,
    DeadlineExtension,
    ExplanationRequest,
    LeafScore,
)
from parindex.audit.admin import ReadOnlyAdmin


class LeafScoreInline(admin.TabularInline):
    model = LeafScore
    extra = 0
    fields = (
        "criterion",
        "self_value",
        "self_points",
        "round1_points",
        "round2_points",
        "final_points",
        "not_applicable",
        "version",
    )
    readonly_fields = ("criterion", "version")
    can_delete = False
    ordering = ("criterion__position",)

    def has_add_permission(self, request: HttpRequest, obj: Assessment | None = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("unit", "cycle", "framework", "status", "version", "submitted_at")
    list_filter = ("cycle", "status", "unit__group")
    search_fields = ("unit__name", "unit__code")
    list_select_related = ("unit", "cycle", "framework")
    readonly_fields = ("created_at", "updated_at")
    autocomplete_fields = ("unit",)
    inlines = (LeafScoreInline,)


@admin.register(LeafScore)
class LeafScoreAdmin(admin.ModelAdmin):
    list_display = (
        "assessment",
        "criterion",
        "self_points",
        "round1_points",
        "round2_points",
        "final_points",
        "not_applicable",
        "updated_at",
    )
    list_filter = ("assessment__cycle", "not_applicable")
    search_fields = ("assessment__unit__name", "criterion__code")
    list_select_related = ("assessment__unit", "assessment__cycle", "criterion")
    readonly_fields = ("updated_at", "updated_by")
    raw_id_fields = ("assessment", "criterion")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("score", "round", "author", "created_at")
    list_filter = ("round", "score__assessment__cycle")
    search_fields = ("text", "score__criterion__code", "score__assessment__unit__name")
    list_select_related = ("score__assessment__unit", "score__assessment__cycle", "author")
    raw_id_fields = ("score", "author")
    readonly_fields = ("created_at",)


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(admin.ModelAdmin):
    list_display = ("unit", "cycle", "stage", "until", "granted_by", "granted_at")
    list_filter = ("cycle", "stage")
    search_fields = ("unit__name", "unit__code", "reason")
    list_select_related = ("unit", "cycle", "granted_by")
    autocomplete_fields = ("unit",)
    readonly_fields = ("granted_at",)


@admin.register(AppraisalAssignment)
class AppraisalAssignmentAdmin(admin.ModelAdmin):
    list_display = ("appraiser", "cycle", "created_at")
    list_filter = ("cycle",)
    search_fields = ("appraiser__username", "appraiser__full_name")
    list_select_related = ("appraiser", "cycle")
    filter_horizontal = ("units",)
    readonly_fields = ("created_at", "created_by")


@admin.register(CouncilDecision)
class CouncilDecisionAdmin(ReadOnlyAdmin):
    list_display = ("number", "decided_on", "cycle", "by", "created_at")
    list_filter = ("cycle",)
    search_fields = ("number", "members")


@admin.register(ExplanationRequest)
class ExplanationRequestAdmin(ReadOnlyAdmin):
    list_display = ("assessment", "score", "requested_by", "requested_at", "answered_at")
    list_filter = ("assessment__cycle",)
    list_select_related = ("assessment__unit", "assessment__cycle", "score__criterion")
