from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from parindex.cycles.models import Cycle, CycleStatus, CycleUnit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from parindex.accounts.models import User


def cycles_for(user: User | AnonymousUser) -> QuerySet[Cycle]:
    """Province-wide roles see every cycle; unit users see the cycles their unit takes part
    in, once they are past the draft stage."""
    if not user.is_authenticated:
        return Cycle.objects.none()
    if user.sees_all_units:
        return Cycle.objects.all()
    if not user.unit_id:
        return Cycle.objects.none()
    return (
        Cycle.objects.filter(participants__unit_id=user.unit_id)
        .exclude(status=CycleStatus.DRAFT)
        .distinct()
    )


def cycle_get(user: User | AnonymousUser, pk: int) -> Cycle:
    return get_object_or_404(cycles_for(user), pk=pk)


def current_cycle(user: User | AnonymousUser) -> Cycle | None:
    """The most recent cycle the user can see that is not yet published, else the latest."""
    qs = cycles_for(user)
    return (
        qs.exclude(status=CycleStatus.PUBLISHED).order_by("-year", "-id").first()
        or qs.order_by("-year", "-id").first()
    )


def participants_of(user: User | AnonymousUser, cycle: Cycle) -> QuerySet[CycleUnit]:
    qs = CycleUnit.objects.filter(cycle=cycle).select_related("unit", "group")
    if not user.is_authenticated:
        return qs.none()
    if user.sees_all_units:
        return qs
    return qs.filter(unit_id=user.unit_id) if user.unit_id else qs.none()
