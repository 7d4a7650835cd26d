from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from parindex.accounts.models import User
from parindex.audit.models import AuditEvent


def audit_events_for(user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """The audit trail is visible to province administrators only."""
    if not user.is_authenticated or not user.is_province_admin:
        return AuditEvent.objects.none()
    return AuditEvent.objects.select_related("actor")
