from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet

from parindex.accounts.models import User
from parindex.audit.models import AuditEvent


def audit_events_for(user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """The audit trail is visible to province administrators only."""
    if not user.is_authenticated or not user.is_province_admin:
        return AuditEvent.objects.none()
    return AuditEvent.objects.select_related("actor")


def audit_events_of(user: User | AnonymousUser, obj: Model) -> QuerySet[AuditEvent]:
    return audit_events_for(user).filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
