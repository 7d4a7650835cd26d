"""Background dossier imports (django.tasks; the database queue run by ``parindex worker``)."""

from __future__ import annotations

from django.tasks import task

from parindex.jobs.leases import on_lost


@task
def run_import(job_id: int) -> str | None:
    """Run import job ``job_id`` (progress, counts and errors on the job record)."""
    # Function-level: parindex.dossiers.services imports this module (to enqueue the task).
    from parindex.dossiers.services import dossier_import_run

    job = dossier_import_run(job_id)
    return None if job is None else job.status


def _requeued(job_id: int) -> None:
    from parindex.dossiers.services import dossier_import_requeued

    dossier_import_requeued(job_id)


def _failed(reason: str, job_id: int) -> None:
    from parindex.dossiers.services import dossier_import_lost

    dossier_import_lost(job_id, reason)


# A worker killed mid-import (issue 9 part 2): the job goes back to the queue, or fails
# with the reason after the allowed attempts, instead of staying "Đang chạy" for good.
on_lost(run_import, requeued=_requeued, failed=_failed)
