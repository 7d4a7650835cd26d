from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from parindex.notifications.models import Notification


def notifications_for(user: Any) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_get(user: Any, pk: int) -> Notification:
    return get_object_or_404(notifications_for(user), pk=pk)


def unread_count(user: Any) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()
