from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from parindex.audit.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the app's services (audited): the admin site only shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail cannot be edited through the application."""

    list_display = ("at", "actor", "action", "object_type", "object_repr", "field", "reason")
    list_filter = ("action", "object_type", "at")
    search_fields = ("object_repr", "object_id", "reason", "actor__username", "action")
    date_hierarchy = "at"
    list_select_related = ("actor",)
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
