"""Claim with lease: the one implementation behind recomputation and exports.

django_tasks_db claims a task by setting it RUNNING (``started_at``, one more entry in
``worker_ids``) and nothing else: a worker killed with SIGKILL leaves it RUNNING for good.
Here the worker (:class:`parindex.jobs.worker.LeasedWorker`) takes a :class:`TaskLease`
when it starts a task and renews it from a heartbeat thread. :func:`reclaim_stale`, run by
every worker on start and periodically, finds RUNNING tasks whose lease has passed (or
that never got one and started longer than a lease ago) and either puts them back to READY
— the next worker runs them again — or, after ``PARINDEX_JOB_MAX_ATTEMPTS`` claims, marks
them FAILED with :data:`LOST_REASON`.

The apps keep their own records (the export job, the recompute flag) consistent through
hooks registered with :func:`on_lost`: ``requeued(*args)`` when the task will run again,
``failed(reason, *args)`` when it will not, and ``resume()`` — called on every sweep — for
records that a killed process left waiting for a task that will never come.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model, OuterRef, Q, Subquery
from django.tasks import Task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from parindex.jobs.models import TaskLease

logger = logging.getLogger("parindex.jobs")

__all__ = [
    "LOST_REASON",
    "WorkerLost",
    "enqueue_or_fail",
    "is_stale",
    "lease_renew",
    "lease_seconds",
    "lease_take",
    "max_attempts",
    "on_lost",
    "progress_point",
    "reclaim_stale",
    "status_is_stale",
    "still_ours",
    "task_status_of",
]


class WorkerLost(Exception):
    """Recorded as the exception of a task failed because its workers kept dying."""


#: What the user sees on a job given up after its worker was killed ``{attempts}`` times.
LOST_REASON = (
    "Tiến trình xử lý bị dừng đột ngột {attempts} lần trong khi đang chạy việc này "
    "(máy chủ tác vụ nền bị tắt hoặc khởi động lại), nên hệ thống đã ngừng thử. "
    "Bấm “Thử lại” để chạy lại."
)


@dataclass(frozen=True)
class _Hooks:
    requeued: Callable[..., None] | None
    failed: Callable[..., None] | None
    resume: Callable[[], None] | None


_HOOKS: dict[str, _Hooks] = {}


def on_lost(
    task: Task,
    *,
    requeued: Callable[..., None] | None = None,
    failed: Callable[..., None] | None = None,
    resume: Callable[[], None] | None = None,
) -> None:
    """Register the app's hooks for ``task`` (called by the app's ``tasks`` module)."""
    _HOOKS[task.module_path] = _Hooks(requeued=requeued, failed=failed, resume=resume)


def enqueue_or_fail(task: Task, job_model: type[Model], job_id: int) -> None:
    """Enqueue ``task(job_id)`` for a job row with ``status``/``message``/``finished_at``
    (exports, dossier imports). When the queue is down, say so on the job instead of
    hiding it: a queued job no task will run is failed with the reason."""
    try:
        task.enqueue(job_id)
    except Exception as exc:
        job_model._default_manager.filter(pk=job_id, status="queued").update(
            status="failed",
            message=f"Không đưa được vào hàng đợi: {exc}"[:2000],
            finished_at=timezone.now(),
        )


def lease_seconds() -> int:
    return max(1, int(settings.PARINDEX_JOB_LEASE_SECONDS))


def max_attempts() -> int:
    return max(1, int(settings.PARINDEX_JOB_MAX_ATTEMPTS))


def _lease() -> timedelta:
    return timedelta(seconds=lease_seconds())


def lease_take(task_id: Any, worker_id: str) -> None:
    """Take (or take over) the lease of a task this worker has just claimed."""
    TaskLease.objects.update_or_create(
        task_id=task_id,
        defaults={"worker_id": worker_id, "lease_until": timezone.now() + _lease()},
    )


def lease_renew(task_id: Any, worker_id: str) -> bool:
    """Extend this worker's lease of ``task_id``; False when it was lost meanwhile."""
    return (
        TaskLease.objects.filter(task_id=task_id, worker_id=worker_id).update(
            lease_until=timezone.now() + _lease()
        )
        == 1
    )


def still_ours(task_id: Any, worker_id: str) -> bool:
    """True while ``task_id`` is RUNNING under this worker's claim (its last worker id)."""
    row = DBTaskResult.objects.filter(pk=task_id, status="RUNNING").values_list(
        "worker_ids", flat=True
    )
    ids = row.first() or []
    return bool(ids) and ids[-1] == worker_id


def lease_release(task_id: Any) -> None:
    TaskLease.objects.filter(task_id=task_id).delete()


def _stale_q(now: datetime) -> Q:
    return Q(parindex_lease__lease_until__lt=now) | Q(
        parindex_lease__isnull=True, started_at__lt=now - _lease()
    )


def is_stale(task_id: Any) -> bool:
    """True when ``task_id`` will not finish on its own: gone, finished, or RUNNING with
    an expired claim. A READY task, or one running under a live lease, is not stale."""
    row = DBTaskResult.objects.filter(pk=task_id).values_list("status", flat=True).first()
    return status_is_stale(task_id, row)


def task_status_of(ref: str) -> Subquery:
    """The status of the task whose id is the column ``ref`` (for an ``annotate()``; none
    when the task row is gone), to give :func:`status_is_stale` without a query."""
    rows = DBTaskResult.objects.filter(pk=OuterRef(ref)).order_by().values("status")[:1]
    return Subquery(rows)


def status_is_stale(task_id: Any, row: str | None) -> bool:
    """:func:`is_stale` of the task whose status was read as ``row`` (``None``: gone)."""
    if row is None or row not in ("READY", "RUNNING"):
        return True
    if row == "READY":
        return False
    return DBTaskResult.objects.filter(pk=task_id).filter(_stale_q(timezone.now())).exists()


def _discover() -> None:
    """Import every app's ``tasks`` module, so that their hooks are registered."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")


def reclaim_stale() -> dict[str, int]:
    """Requeue or fail every RUNNING task whose claim has expired, then let the apps
    resume their waiting records. Safe to run from several workers at once: each change is
    a compare-and-set on the claim that was seen (``started_at``)."""
    _discover()
    now = timezone.now()
    counts = {"requeued": 0, "failed": 0}
    stale = list(
        DBTaskResult.objects.running()
        .filter(_stale_q(now))
        .values_list("pk", "started_at", "worker_ids", "task_path", "args_kwargs")
    )
    for pk, started_at, worker_ids, task_path, args_kwargs in stale:
        attempts = len(worker_ids or [])
        hooks = _HOOKS.get(task_path)
        args = list((args_kwargs or {}).get("args") or [])
        with transaction.atomic():
            claim = DBTaskResult.objects.filter(pk=pk, status="RUNNING", started_at=started_at)
            if attempts < max_attempts():
                if claim.update(status="READY", started_at=None) != 1:
                    continue  # another worker got there first
                TaskLease.objects.filter(task_id=pk).delete()
                if hooks and hooks.requeued:
                    hooks.requeued(*args)
                counts["requeued"] += 1
                logger.warning("task %s (%s) lost its worker: requeued", pk, task_path)
            else:
                reason = LOST_REASON.format(attempts=attempts)
                if (
                    claim.update(
                        status="FAILED",
                        finished_at=now,
                        exception_class_path=f"{__name__}.WorkerLost",
                        traceback=f"{__name__}.WorkerLost: {reason}",
                        return_value=None,
                    )
                    != 1
                ):
                    continue
                TaskLease.objects.filter(task_id=pk).delete()
                if hooks and hooks.failed:
                    hooks.failed(reason, *args)
                counts["failed"] += 1
                logger.error(
                    "task %s (%s) lost its worker %d times: failed", pk, task_path, attempts
                )
    for hooks in list(_HOOKS.values()):
        if hooks.resume:
            hooks.resume()
    return counts


def progress_point() -> None:
    """A point where a task reports progress. Tests make the first one slow
    (``PARINDEX_JOB_TEST_DELAY``) to kill the worker there; production never sleeps."""
    delay = int(getattr(settings, "PARINDEX_JOB_TEST_DELAY", 0) or 0)
    if delay > 0:
        time.sleep(delay)
