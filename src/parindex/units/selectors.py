from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from parindex.accounts.models import User
from parindex.units.models import Unit, UnitGroup, UnitLineage, predecessors, successors


def units_for(user: User | AnonymousUser) -> QuerySet[Unit]:
    """Province-wide roles see every unit; unit staff and heads see their own unit."""
    if not user.is_authenticated:
        return Unit.objects.none()
    qs = Unit.objects.select_related("group", "parent")
    if user.sees_all_units:
        return qs
    if user.unit_id:
        return qs.filter(pk=user.unit_id)
    return qs.none()


def unit_get(user: User | AnonymousUser, code: str) -> Unit:
    """The unit with ``code`` if the user may see it, else 404."""
    return get_object_or_404(units_for(user), code=code)


def unit_groups_for(user: User | AnonymousUser) -> QuerySet[UnitGroup]:
    if not user.is_authenticated:
        return UnitGroup.objects.none()
    if user.sees_all_units:
        return UnitGroup.objects.all()
    if user.unit_id is None:  # an inactive or unit-less account: no group of its own
        return UnitGroup.objects.none()
    return UnitGroup.objects.filter(units__pk=user.unit_id).distinct()


def lineage_for(user: User | AnonymousUser) -> QuerySet[UnitLineage]:
    visible = units_for(user)
    return UnitLineage.objects.select_related("predecessor", "successor").filter(
        successor__in=visible
    ) | UnitLineage.objects.select_related("predecessor", "successor").filter(
        predecessor__in=visible
    )


__all__ = ["lineage_for", "predecessors", "successors", "unit_get", "unit_groups_for", "units_for"]
