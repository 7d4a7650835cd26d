"""Export jobs (visible records with progress, netbox-style) and replaceable Word templates.

Files live under ``MEDIA_ROOT/exports`` and ``MEDIA_ROOT/report-templates`` — outside the
web root; they are served only by the permission-checked views of this app.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.db import models

from parindex.fields import creation_time, cycle_ref, moment, user_ref
from parindex.jobs.status import JobStatus


class ExportKind(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    DOCX = "docx", "Word (.docx)"
    PDF = "pdf", "PDF"
    CSV = "csv", "CSV"
    JSON = "json", "JSON"


CONTENT_TYPES = {
    ExportKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ExportKind.PDF: "application/pdf",
    ExportKind.CSV: "text/csv; charset=utf-8",
    ExportKind.JSON: "application/json",
}


def export_upload_to(instance: ExportJob, filename: str) -> str:
    ext = PurePosixPath(filename).suffix.lower()
    return f"exports/{instance.cycle_id}/{uuid.uuid4().hex}{ext}"


def template_upload_to(instance: ReportTemplate, filename: str) -> str:
    return f"report-templates/{uuid.uuid4().hex}.docx"


class ExportJob(models.Model):
    """One export of a cycle's results: who asked, how far it got, the file it made."""

    cycle = cycle_ref()
    kind = models.CharField("loại tệp", max_length=10, choices=ExportKind.choices)
    status = models.CharField(
        "tình trạng", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    message = models.TextField("thông báo", blank=True)
    file = models.FileField("tệp", upload_to=export_upload_to, max_length=300, blank=True)
    size = models.PositiveBigIntegerField("dung lượng (byte)", default=0)
    requested_by = user_ref("người yêu cầu")
    created_at = creation_time("yêu cầu lúc")
    started_at = moment("bắt đầu lúc")
    finished_at = moment("xong lúc")

    class Meta:
        verbose_name = verbose_name_plural = "lượt xuất báo cáo"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100), name="exportjob_progress"
            ),
        ]

    def __str__(self) -> str:
        return f"Xuất {self.kind} kỳ {self.cycle_id} ({self.get_status_display()})"

    @property
    def active(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)


class ReportTemplate(models.Model):
    """A .docx template uploaded by the admin; the newest active one replaces the shipped
    template (validated on upload: a real DOCX with the required placeholders)."""

    name = models.CharField("tên mẫu", max_length=200)
    file = models.FileField("tệp mẫu .docx", upload_to=template_upload_to, max_length=300)
    is_active = models.BooleanField("đang dùng", default=True)
    variables = models.JSONField("biến trong mẫu", default=list, blank=True)
    uploaded_by = user_ref("người tải lên")
    uploaded_at = creation_time("tải lên lúc")

    class Meta:
        verbose_name = verbose_name_plural = "mẫu báo cáo Word"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.name
