"""Writes of the reports app (keyword-only, audited) and the file builders.

* :func:`export_request` — queue an export job (the task is enqueued on commit);
* :func:`export_build` — build a file now and return its bytes (``user`` None = the public:
  published cycles only);
* :func:`report_template_upload` — replace the Word template (validated).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from parindex.accounts.models import User
from parindex.accounts.permissions import is_admin
from parindex.audit.services import record
from parindex.cycles.models import Cycle
from parindex.formats.archive import ArchiveRefused, inspect_zip
from parindex.jobs.leases import LOST_REASON, enqueue_or_fail, lease_seconds, progress_point
from parindex.jobs.status import JobStatus
from parindex.outbox import after_commit
from parindex.reports import tabular, xlsx
from parindex.reports.data import collect
from parindex.reports.document import (
    REQUIRED_VARIABLES,
    build_docx,
    build_pdf,
    template_variables,
)
from parindex.reports.models import ExportJob, ExportKind, ReportTemplate
from parindex.reports.tasks import run_export
from parindex.results.selectors import result_set_for

Progress = Callable[[int, str], None]

#: Roles that may request exports and download their files (plus superusers).
EXPORT_ROLES = frozenset({"admin", "council", "leader"})
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024


def can_export(user: User | AnonymousUser | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in EXPORT_ROLES)
    )


def can_manage_templates(user: User | AnonymousUser | None) -> bool:
    return is_admin(user)


def file_name(cycle: Cycle, kind: str) -> str:
    stem = {
        ExportKind.XLSX: "ket-qua-chi-so-cchc",
        ExportKind.DOCX: "bao-cao-ket-qua-chi-so-cchc",
        ExportKind.PDF: "bao-cao-ket-qua-chi-so-cchc",
        ExportKind.CSV: "ket-qua",
        ExportKind.JSON: "ket-qua",
    }[ExportKind(kind)]
    return f"{stem}-{cycle.year}.{kind}"


def export_build(
    cycle: Cycle, kind: str, user: User | None = None, progress: Progress | None = None
) -> bytes:
    """Build the ``kind`` export of ``cycle`` and return the file's bytes.

    ``user`` None = the public page: only a **published** cycle (``Http404`` otherwise).
    ``ValidationError`` for an unknown kind or a cycle without results."""
    if kind not in ExportKind.values:
        raise ValidationError(f"Loại tệp “{kind}” không được hỗ trợ.")
    report = progress or (lambda pct, msg: None)
    report(1, "Đang đọc kết quả")
    try:
        data = collect(cycle, user, with_leaves=kind in (ExportKind.XLSX, ExportKind.DOCX, "pdf"))
    except ValidationError:
        if user is None:
            raise Http404("Kỳ đánh giá chưa công bố kết quả.") from None
        raise
    if kind == ExportKind.XLSX:
        return xlsx.build_xlsx(data, report)
    if kind == ExportKind.DOCX:
        return build_docx(data, report)
    if kind == ExportKind.PDF:
        return build_pdf(data, report)
    if kind == ExportKind.CSV:
        return tabular.csv_text(data).encode("utf-8")
    return (json.dumps(tabular.json_rows(data), ensure_ascii=False, indent=1) + "\n").encode(
        "utf-8"
    )


def export_request(*, cycle: Cycle, kind: str, actor: User | None) -> ExportJob:
    """Queue an export of ``cycle`` as ``kind`` for ``actor`` (admin, council, leader).
    The background task :func:`parindex.reports.tasks.run_export` starts on commit."""
    if not can_export(actor):
        raise Http404
    if kind not in ExportKind.values:
        raise ValidationError(f"Loại tệp “{kind}” không được hỗ trợ.")
    if result_set_for(actor, cycle) is None:
        raise ValidationError("Kỳ đánh giá chưa có kết quả để xuất.")
    with transaction.atomic(durable=True):
        job = ExportJob.objects.create(cycle=cycle, kind=kind, requested_by=actor)
        record(
            actor=actor,
            action="reports.export_request",
            obj=job,
            after={"cycle": cycle.pk, "kind": kind},
        )
        after_commit(lambda: enqueue_or_fail(run_export, ExportJob, job.pk))
    return job


def export_requeued(job_id: int) -> None:
    """The job's worker died mid-run and its task will run again: back to the queue (the
    next run starts from scratch; a half-written file was never attached to the job)."""
    ExportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.QUEUED,
        progress=0,
        message="Tiến trình xử lý bị dừng đột ngột; đang chờ chạy lại.",
    )


def export_lost(job_id: int, reason: str) -> None:
    """The job's task was given up after its workers kept dying: failed, with why."""
    ExportJob.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.FAILED, message=reason[:2000], finished_at=timezone.now()
    )


def export_fail_orphans() -> int:
    """Fail the queued or running jobs (older than a lease) that no task will ever run —
    the process died between the commit and the enqueue — so that the page stops polling
    and offers "Thử lại"."""
    cutoff = timezone.now() - dt.timedelta(seconds=lease_seconds())
    failed = 0
    active = ExportJob.objects.filter(
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING], created_at__lt=cutoff
    )
    for job_id in active.values_list("pk", flat=True):
        live = DBTaskResult.objects.filter(
            task_path=run_export.module_path,
            args_kwargs__args__0=job_id,
            status__in=["READY", "RUNNING"],
        ).exists()
        if not live:
            export_lost(job_id, LOST_REASON.format(attempts=1))
            failed += 1
    return failed


def export_run(job_id: int) -> ExportJob | None:
    """Run a queued job (the task's body): compare-and-set queued → running, build the
    file reporting progress, store it; any error marks the job failed with its message."""
    started = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=started, progress=1, message="Đang bắt đầu"
    )
    if claimed != 1:
        return ExportJob.objects.filter(pk=job_id).first()  # already taken or gone
    job = ExportJob.objects.select_related("cycle", "requested_by").get(pk=job_id)
    last = [0]

    def progress(pct: int, message: str) -> None:
        if last[0] == 0:
            progress_point()
        pct = max(1, min(int(pct), 99))
        if pct <= last[0] and message == "":
            return
        last[0] = pct
        ExportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            progress=pct, message=message[:500]
        )

    try:
        data = export_build(job.cycle, job.kind, user=job.requested_by, progress=progress)
        job.file.save(file_name(job.cycle, job.kind), ContentFile(data), save=False)
    except Exception as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        ExportJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            message=f"Lỗi: {message or exc.__class__.__name__}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    ExportJob.objects.filter(pk=job_id).update(
        status=JobStatus.DONE,
        progress=100,
        file=job.file.name,
        size=len(data),
        message=f"Hoàn thành ({len(data):,} byte)".replace(",", "."),
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def report_template_upload(*, file: Any, actor: User | None, name: str = "") -> ReportTemplate:
    """Replace the Word template with an uploaded .docx (admin only). Refused unless it is a
    real DOCX whose Jinja tags parse and use the required placeholders."""
    if not can_manage_templates(actor):
        raise Http404
    size = getattr(file, "size", None)
    if size is not None and size > MAX_TEMPLATE_BYTES:
        raise ValidationError("Tệp mẫu quá lớn (tối đa 10 MB).")
    if not str(getattr(file, "name", "")).lower().endswith(".docx"):
        raise ValidationError("Mẫu báo cáo phải là tệp Word .docx.")
    try:
        file.seek(0)
        inspect_zip(file)  # the real expanded size, before docxtpl inflates anything
    except ArchiveRefused as exc:
        if exc.code == "zip_bomb":
            raise ValidationError(f"Tệp mẫu bị từ chối: {exc}.") from exc
        raise ValidationError(f"Tệp không phải là tài liệu Word .docx hợp lệ ({exc}).") from exc
    try:
        variables = template_variables(file)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    missing = sorted(REQUIRED_VARIABLES - variables)
    if missing:
        raise ValidationError(
            "Mẫu thiếu các biến bắt buộc: "
            + ", ".join(f"{{{{ {v} }}}}" for v in missing)
            + " (xem docs/reports.md)."
        )
    file.seek(0)
    with transaction.atomic(durable=True):
        ReportTemplate.objects.filter(is_active=True).update(is_active=False)
        tpl = ReportTemplate(
            name=name or str(getattr(file, "name", "mau.docx"))[:200],
            variables=sorted(variables),
            uploaded_by=actor,
        )
        tpl.file.save("mau.docx", file, save=False)
        tpl.save()
        record(actor=actor, action="reports.template_upload", obj=tpl, after={"name": tpl.name})
    return tpl


def report_template_reset(*, actor: User | None) -> int:
    """Go back to the shipped (or configured) template: deactivate uploaded ones."""
    if not can_manage_templates(actor):
        raise Http404
    with transaction.atomic(durable=True):
        n = ReportTemplate.objects.filter(is_active=True).update(is_active=False)
        record(actor=actor, action="reports.template_reset", obj=None, after={"deactivated": n})
    return n
