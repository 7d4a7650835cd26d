"""Background recomputation requests: at most one pending task per cycle.

A change of one unit's inputs names the unit (``units=``): it is recorded as a
:class:`~parindex.results.models.DirtyUnit` and the task recomputes only the dirty units
and re-ranks their groups (:mod:`.incremental`). Any other change asks for the full
recompute (``RecomputeRequest.full``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone

from parindex.cycles.models import Cycle
from parindex.jobs.leases import is_stale, lease_seconds, status_is_stale, task_status_of
from parindex.outbox import after_commit
from parindex.prepared import Prepared, insert_rows
from parindex.results.models import DirtyUnit, RecomputeRequest
from parindex.results.tasks import recompute_cycle

__all__ = ["recompute_resume_stale", "request_recompute"]


def request_recompute(cycle: Cycle | int, *, units: Iterable[int] | None = None) -> None:
    """Ask for a background recompute of ``cycle`` once the current transaction commits:
    of the ``units`` (ids) whose inputs changed, or of the whole cycle when ``units`` is
    ``None``. At most one task is pending per cycle (compare-and-set on
    ``RecomputeRequest``); dirty units coalesce until it runs. A pending flag whose task
    will never run (the process died before enqueueing, or the task was lost) does not
    block: the request enqueues again."""
    cycle_id = cycle if isinstance(cycle, int) else cycle.pk
    unit_ids = None if units is None else sorted(set(units))
    if unit_ids == []:
        return
    if unit_ids is None:
        after_commit(lambda: _enqueue_recompute(cycle_id, None))
        return
    # The dirty units are data of the change: written in its transaction (rolled back
    # with it, and one commit less per autosave than a row of its own afterwards); only
    # the task waits for the commit (recorded already: ``[]``).
    _mark_dirty(cycle_id, unit_ids)
    after_commit(lambda: _enqueue_recompute(cycle_id, []))


def _mark_dirty(cycle_id: int, unit_ids: list[int]) -> None:
    insert_rows(
        DirtyUnit,
        [{"cycle_id": cycle_id, "unit_id": u} for u in unit_ids],
        ignore_conflicts=True,
    )


def _pending_is_stale(req: RecomputeRequest) -> bool:
    if req.task_id is not None:
        if hasattr(req, "task_status"):  # read with the row (_REQUEST)
            return status_is_stale(req.task_id, req.task_status)
        return is_stale(req.task_id)
    # Flag set but no task recorded: the enqueue did not happen (or is under way, hence
    # the grace of one lease).
    cutoff = timezone.now() - timedelta(seconds=lease_seconds())
    return req.requested_at is None or req.requested_at < cutoff


def _enqueue_recompute(cycle_id: int, unit_ids: list[int] | None = None) -> bool:
    if unit_ids is None:
        RecomputeRequest.objects.get_or_create(cycle_id=cycle_id)
        RecomputeRequest.objects.filter(cycle_id=cycle_id, full=False).update(full=True)
    elif unit_ids:
        _mark_dirty(cycle_id, unit_ids)
    now = timezone.now()
    # The request row is read first: while a recompute is pending (a burst of saves, the
    # deadline rush) that read and its task's status are all it takes — one query less
    # than a failed compare-and-set followed by the read. A clear flag is then set by
    # compare-and-set (one caller wins); a missing row is created on the cycle's first
    # request.
    req = _REQUEST.first(cycle_id)
    if req is None:
        req, _ = RecomputeRequest.objects.get_or_create(cycle_id=cycle_id)
    if req.pending:
        if not _pending_is_stale(req):
            return False  # one is already pending: it will see this change
        # Take over the stale flag (compare-and-set on what was read: one caller wins).
        taken = RecomputeRequest.objects.filter(
            cycle_id=cycle_id, pending=True, task_id=req.task_id, requested_at=req.requested_at
        ).update(requested_at=now, task_id=None)
        if taken != 1:
            return False
    else:
        flipped = RecomputeRequest.objects.filter(cycle_id=cycle_id, pending=False).update(
            pending=True, requested_at=now, task_id=None
        )
        if flipped != 1:
            return False  # another request set the flag meanwhile: its task sees this change
    result = recompute_cycle.enqueue(cycle_id)
    task_id = _uuid_or_none(result.id)
    if task_id is not None:
        RecomputeRequest.objects.filter(cycle_id=cycle_id, pending=True, task_id=None).update(
            task_id=task_id
        )
    return True


# Compiled once (parindex.prepared), with its task's status: every save asks for a
# recompute, and while one is pending this read is all it takes.
_REQUEST = Prepared(
    lambda cycle_id: (
        RecomputeRequest.objects.filter(cycle_id=cycle_id)
        .annotate(task_status=task_status_of("task_id"))
        .order_by("pk")[:1]
    )
)


def _uuid_or_none(value: object) -> uuid.UUID | None:
    """The task's id when it is a row of the database backend (a UUID). Other backends
    (Django's immediate and dummy ones, in tests and benchmarks) give random strings: the
    flag then goes stale by its age alone (:func:`_pending_is_stale`)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def recompute_resume_stale() -> int:
    """Enqueue again every pending request whose task will never run (worker sweep); its
    dirty units stay recorded (none recorded means a full recompute)."""
    resumed = 0
    for req in RecomputeRequest.objects.filter(pending=True):
        if _pending_is_stale(req) and _enqueue_recompute(req.cycle_id, []):
            resumed += 1
    return resumed


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
