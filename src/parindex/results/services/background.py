"""Background recomputation requests: at most one pending task per cycle."""

from __future__ import annotations

from django.utils import timezone

from parindex.cycles.models import Cycle
from parindex.outbox import after_commit
from parindex.results.models import RecomputeRequest
from parindex.results.tasks import recompute_cycle

__all__ = ["request_recompute"]


def request_recompute(cycle: Cycle | int) -> None:
    """Ask for a background recompute of ``cycle`` once the current transaction commits;
    at most one task is pending per cycle (compare-and-set on ``RecomputeRequest``)."""
    cycle_id = cycle if isinstance(cycle, int) else cycle.pk
    after_commit(lambda: _enqueue_recompute(cycle_id))


def _enqueue_recompute(cycle_id: int) -> bool:
    RecomputeRequest.objects.get_or_create(cycle_id=cycle_id)
    flipped = RecomputeRequest.objects.filter(cycle_id=cycle_id, pending=False).update(
        pending=True, requested_at=timezone.now()
    )
    if flipped != 1:
        return False  # one is already pending: it will see this change
    recompute_cycle.enqueue(cycle_id)
    return True
