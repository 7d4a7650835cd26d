"""Background exports (django.tasks; the database queue run by ``parindex worker``)."""

from __future__ import annotations

from django.tasks import task

from parindex.jobs.leases import on_lost


@task
def run_export(job_id: int) -> str | None:
    """Build the file of export job ``job_id`` (progress and errors on the job record);
    returns the stored file's name."""
    # Function-level: parindex.reports.services imports this module (to enqueue the task).
    from parindex.reports.services import export_run

    job = export_run(job_id)
    return job.file.name if job is not None and job.file else None


def _requeued(job_id: int) -> None:
    from parindex.reports.services import export_requeued

    export_requeued(job_id)


def _failed(reason: str, job_id: int) -> None:
    from parindex.reports.services import export_lost

    export_lost(job_id, reason)


def _resume() -> None:
    from parindex.reports.services import export_fail_orphans

    export_fail_orphans()


on_lost(run_export, requeued=_requeued, failed=_failed, resume=_resume)
