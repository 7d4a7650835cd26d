from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from parindex.audit.models import AuditEvent


def audit_events_for(user: Any) -> QuerySet[AuditEvent]:
    """The audit trail is visible to province administrators only."""
    if not getattr(user, "is_authenticated", False) or not user.is_province_admin:
        return AuditEvent.objects.none()
    return AuditEvent.objects.select_related("actor")


def audit_events_of(user: Any, obj: Model) -> QuerySet[AuditEvent]:
    return audit_events_for(user).filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
