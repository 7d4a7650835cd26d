"""The one status vocabulary of the background jobs (exports, dossier imports): queued →
running → done, or rejected (the input had problems, nothing was written) or failed (an
error, with its message). The models use it as the ``status`` field's choices."""

from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang chạy"
    DONE = "done", "Hoàn thành"
    REJECTED = "rejected", "Bị từ chối (tệp có lỗi)"
    FAILED = "failed", "Lỗi"


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
