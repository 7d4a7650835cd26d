"""The improvement app in the Django admin: read-only (every change goes through the
services, with its audit row)."""

from django.contrib import admin

from parindex.audit.admin import ReadOnlyAdmin
from parindex.improvement.models import (
    ImprovementPlan,
    PlanTarget,
    PlanTask,
    ReminderSent,
    ResponsibilityRow,
    TaskEvidence,
    TaskNote,
)


@admin.register(ResponsibilityRow)
class ResponsibilityRowAdmin(ReadOnlyAdmin):
    list_display = ("year", "criterion", "lead_unit", "status", "updated_at")
    list_filter = ("year", "status")
    search_fields = ("criterion__code", "criterion__name", "lead_unit__name")


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(ReadOnlyAdmin):
    list_display = ("year", "title", "status", "target_points", "target_rank", "approved_at")
    list_filter = ("status",)


@admin.register(PlanTarget)
class PlanTargetAdmin(ReadOnlyAdmin):
    list_display = ("plan", "criterion", "baseline_points", "target_points", "target_rank")


@admin.register(PlanTask)
class PlanTaskAdmin(ReadOnlyAdmin):
    list_display = ("title", "plan", "lead_unit", "deadline", "status", "progress")
    list_filter = ("status", "plan")
    search_fields = ("title", "lead_unit__name")


@admin.register(TaskNote)
class TaskNoteAdmin(ReadOnlyAdmin):
    list_display = ("task", "created_at", "author", "status", "progress")


@admin.register(TaskEvidence)
class TaskEvidenceAdmin(ReadOnlyAdmin):
    list_display = ("task", "document", "added_at", "added_by")


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    list_display = ("task", "kind", "deadline", "sent_at")
    list_filter = ("kind",)
