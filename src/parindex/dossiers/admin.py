from django.contrib import admin

from parindex.audit.admin import ReadOnlyAdmin
from parindex.dossiers.models import (
    Apology,
    CalendarDay,
    Dossier,
    DossierImport,
    OfficialThreshold,
    StatusMapping,
)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "uncertain")
    list_filter = ("kind", "uncertain")
    search_fields = ("name", "source")
    date_hierarchy = "date"


@admin.register(StatusMapping)
class StatusMappingAdmin(admin.ModelAdmin):
    list_display = ("source", "value", "code")
    list_filter = ("source", "code")
    search_fields = ("value",)


@admin.register(OfficialThreshold)
class OfficialThresholdAdmin(admin.ModelAdmin):
    list_display = ("year", "percent")


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ("code", "unit", "official", "status", "received_at", "due_at", "outcome")
    list_filter = ("outcome", "class_year", "channel", "status")
    search_fields = ("code", "official", "procedure")
    show_full_result_count = False


@admin.register(Apology)
class ApologyAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "sent_at", "new_due_at", "in_time", "reset_once")


@admin.register(DossierImport)
class DossierImportAdmin(ReadOnlyAdmin):
    list_display = ("pk", "file_name", "status", "rows", "created", "changed", "created_at")
    list_filter = ("status",)
