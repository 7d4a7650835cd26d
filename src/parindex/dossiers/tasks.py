"""Background dossier imports (django.tasks; the database queue run by ``parindex worker``)."""

from __future__ import annotations

from django.tasks import task


@task
def run_import(job_id: int) -> str | None:
    """Run import job ``job_id`` (progress, counts and errors on the job record)."""
    # Function-level: parindex.dossiers.services imports this module (to enqueue the task).
    from parindex.dossiers.services import dossier_import_run

    job = dossier_import_run(job_id)
    return None if job is None else job.status
