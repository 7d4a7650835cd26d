"""Background recomputation requests: at most one pending task per cycle."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from parindex.cycles.models import Cycle
from parindex.jobs.leases import is_stale, lease_seconds
from parindex.outbox import after_commit
from parindex.results.models import RecomputeRequest
from parindex.results.tasks import recompute_cycle

__all__ = ["recompute_resume_stale", "request_recompute"]


def request_recompute(cycle: Cycle | int) -> None:
    """Ask for a background recompute of ``cycle`` once the current transaction commits;
    at most one task is pending per cycle (compare-and-set on ``RecomputeRequest``). A
    pending flag whose task will never run (the process died before enqueueing, or the
    task was lost) does not block: the request enqueues again."""
    cycle_id = cycle if isinstance(cycle, int) else cycle.pk
    after_commit(lambda: _enqueue_recompute(cycle_id))


def _pending_is_stale(req: RecomputeRequest) -> bool:
    if req.task_id is not None:
        return is_stale(req.task_id)
    # Flag set but no task recorded: the enqueue did not happen (or is under way, hence
    # the grace of one lease).
    cutoff = timezone.now() - timedelta(seconds=lease_seconds())
    return req.requested_at is None or req.requested_at < cutoff


def _enqueue_recompute(cycle_id: int) -> bool:
    req, _ = RecomputeRequest.objects.get_or_create(cycle_id=cycle_id)
    now = timezone.now()
    flipped = RecomputeRequest.objects.filter(cycle_id=cycle_id, pending=False).update(
        pending=True, requested_at=now, task_id=None
    )
    if flipped != 1:
        req.refresh_from_db()
        if not req.pending or not _pending_is_stale(req):
            return False  # one is already pending: it will see this change
        # Take over the stale flag (compare-and-set on what was read: one caller wins).
        taken = RecomputeRequest.objects.filter(
            cycle_id=cycle_id, pending=True, task_id=req.task_id, requested_at=req.requested_at
        ).update(requested_at=now, task_id=None)
        if taken != 1:
            return False
    result = recompute_cycle.enqueue(cycle_id)
    RecomputeRequest.objects.filter(cycle_id=cycle_id, pending=True, task_id=None).update(
        task_id=result.id
    )
    return True


def recompute_resume_stale() -> int:
    """Enqueue again every pending request whose task will never run (worker sweep)."""
    resumed = 0
    for req in RecomputeRequest.objects.filter(pending=True):
        if _pending_is_stale(req) and _enqueue_recompute(req.cycle_id):
            resumed += 1
    return resumed
