from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from parindex.accounts.models import User


def users_for(user: User | AnonymousUser) -> QuerySet[User]:
    """Admins see every account; unit heads see their unit's accounts; others themselves."""
    if not user.is_authenticated:
        return User.objects.none()
    qs = User.objects.select_related("unit")
    if user.is_province_admin:
        return qs
    if user.is_unit_head and user.unit_id:
        return qs.filter(unit_id=user.unit_id)
    return qs.filter(pk=user.pk)
