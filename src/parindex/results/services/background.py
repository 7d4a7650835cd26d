"""Background recomputation requests: at most one pending task per cycle.

A change of one unit's inputs names the unit (``units=``): it is recorded as a
:class:`~parindex.results.models.DirtyUnit` and the task recomputes only the dirty units
and re-ranks their groups (:mod:`.incremental`). Any other change asks for the full
recompute (``RecomputeRequest.full``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from parindex.cycles.models import Cycle
from parindex.outbox import after_commit
from parindex.results.models import DirtyUnit, RecomputeRequest
from parindex.results.tasks import recompute_cycle

__all__ = ["request_recompute"]


def request_recompute(cycle: Cycle | int, *, units: Iterable[int] | None = None) -> None:
    """Ask for a background recompute of ``cycle`` once the current transaction commits:
    of the ``units`` (ids) whose inputs changed, or of the whole cycle when ``units`` is
    ``None``. At most one task is pending per cycle (compare-and-set on
    ``RecomputeRequest``); dirty units coalesce until it runs."""
    cycle_id = cycle if isinstance(cycle, int) else cycle.pk
    unit_ids = None if units is None else sorted(set(units))
    if unit_ids == []:
        return
    after_commit(lambda: _enqueue_recompute(cycle_id, unit_ids))


def _enqueue_recompute(cycle_id: int, unit_ids: list[int] | None = None) -> bool:
    RecomputeRequest.objects.get_or_create(cycle_id=cycle_id)
    if unit_ids is None:
        RecomputeRequest.objects.filter(cycle_id=cycle_id, full=False).update(full=True)
    else:
        DirtyUnit.objects.bulk_create(
            [DirtyUnit(cycle_id=cycle_id, unit_id=u) for u in unit_ids], ignore_conflicts=True
        )
    flipped = RecomputeRequest.objects.filter(cycle_id=cycle_id, pending=False).update(
        pending=True, requested_at=timezone.now()
    )
    if flipped != 1:
        return False  # one is already pending: it will see this change
    recompute_cycle.enqueue(cycle_id)
    return True


def take_dirty(cycle_id: int) -> tuple[bool, set[int]]:
    """For the task, once the pending flag is cleared: whether a full recompute was asked
    for, and the dirty units, both cleared now (a change committed from here on asks for
    another run, so none is lost). Nothing recorded (a request from before dirty units
    were kept) means a full recompute."""
    full = RecomputeRequest.objects.filter(cycle_id=cycle_id, full=True).update(full=False) > 0
    rows = list(DirtyUnit.objects.filter(cycle_id=cycle_id).values_list("pk", "unit_id"))
    if rows:
        DirtyUnit.objects.filter(pk__in=[pk for pk, _u in rows]).delete()
    units = {u for _pk, u in rows}
    return full or not units, units


def mark_full(cycle_id: int) -> None:
    """A failed run: the next one recomputes everything (its dirty units are gone)."""
    RecomputeRequest.objects.filter(cycle_id=cycle_id).update(full=True)
