"""The lease of a running django_tasks_db task (the queue's table has no heartbeat column)."""

from __future__ import annotations

from django.db import models
from django_tasks_db.models import DBTaskResult


class TaskLease(models.Model):
    """The claim of one running task: the worker holding it and until when. The worker
    renews ``lease_until`` every few seconds; once it has passed, the task is stale and
    :func:`parindex.jobs.leases.reclaim_stale` requeues or fails it. The number of
    attempts is the task's own ``worker_ids`` list (one entry per claim)."""

    task = models.OneToOneField(
        DBTaskResult,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="parindex_lease",
        verbose_name="tác vụ",
    )
    worker_id = models.CharField("tiến trình xử lý", max_length=64)
    lease_until = models.DateTimeField("giữ đến")

    class Meta:
        verbose_name = verbose_name_plural = "quyền giữ tác vụ"
        indexes = [models.Index(fields=["lease_until"], name="tasklease_until")]

    def __str__(self) -> str:
        return f"{self.task_id} ({self.worker_id}) đến {self.lease_until:%H:%M:%S}"
