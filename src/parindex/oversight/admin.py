from django.contrib import admin

from parindex.oversight.models import (
    Finding,
    Initiative,
    InitiativeGoal,
    InspectionPlan,
    InspectionRecord,
    PlannedInspection,
    TargetIndicator,
)


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):
    list_display = ("title", "cycle", "min_share")


@admin.register(PlannedInspection)
class PlannedInspectionAdmin(admin.ModelAdmin):
    list_display = ("unit", "plan", "planned_on", "team")


@admin.register(InspectionRecord)
class InspectionRecordAdmin(admin.ModelAdmin):
    list_display = ("entry", "inspected_on", "team")


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("unit", "issue", "status")
    list_filter = ("status",)


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ("title", "unit", "year", "level")
    list_filter = ("year", "level")


@admin.register(InitiativeGoal)
class InitiativeGoalAdmin(admin.ModelAdmin):
    list_display = ("year", "per_department", "ministry")


@admin.register(TargetIndicator)
class TargetIndicatorAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "lead_unit", "target", "actual", "cycle")
    list_filter = ("kind",)
