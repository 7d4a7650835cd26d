"""Background recomputation (django.tasks; the database queue run by ``parindex worker``)."""

from __future__ import annotations

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from parindex.cycles.models import Cycle
from parindex.jobs.leases import on_lost, progress_point
from parindex.results.models import RecomputeRequest


@task
def recompute_cycle(cycle_id: int) -> int | None:
    """Recompute the results of cycle ``cycle_id``; returns the result set id.

    The pending flag and the dirty units are cleared *before* computing, so a change
    committed while this runs asks for another run instead of being lost. Only the dirty
    units are rescored (their groups re-ranked) unless a full recompute was asked for. A
    run killed midway is run again by the next worker (its lease expires,
    :mod:`parindex.jobs.leases`): its dirty units are gone by then, so that run is a full
    recompute, which is idempotent.
    """
    # Inside the function: the services enqueue this task (import cycle).
    from parindex.results.services import results_recompute, results_recompute_units
    from parindex.results.services.background import mark_full, take_dirty

    RecomputeRequest.objects.filter(cycle_id=cycle_id).update(
        pending=False, started_at=timezone.now(), finished_at=None
    )
    full, units = take_dirty(cycle_id)
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        return None
    progress_point()
    try:
        if full:
            rs = results_recompute(cycle=cycle, actor=None)
        else:
            rs = results_recompute_units(cycle=cycle, unit_ids=units, actor=None)
    except Exception as exc:
        mark_full(cycle_id)
        with transaction.atomic():
            RecomputeRequest.objects.filter(cycle_id=cycle_id).update(
                finished_at=timezone.now(), last_error=str(exc)[:2000]
            )
        raise
    RecomputeRequest.objects.filter(cycle_id=cycle_id).update(
        finished_at=timezone.now(), last_error=""
    )
    return rs.pk


def _failed(reason: str, cycle_id: int) -> None:
    """The task was given up (its workers kept dying): show why to the admin. ``pending``
    is already false (cleared when the run started), so "Tính lại" enqueues again."""
    RecomputeRequest.objects.filter(cycle_id=cycle_id).update(
        finished_at=timezone.now(), last_error=reason[:2000]
    )


def _resume() -> None:
    from parindex.results.services.background import recompute_resume_stale

    recompute_resume_stale()


on_lost(recompute_cycle, failed=_failed, resume=_resume)
