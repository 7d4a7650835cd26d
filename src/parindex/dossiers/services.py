"""Writes of the dossiers app (keyword-only, audited, one transaction each).

* :func:`dossier_import_request` — store an uploaded file and queue its import job (the
  task starts on commit, :mod:`parindex.dossiers.tasks`);
* :func:`dossier_import_run` — the job's body: pass 1 (read, check, classify, progress on
  the job row), then pass 2 (upsert) in one durable transaction with its audit row;
* :func:`dossier_import_file` — the same import of a file on disk (``parindex dossiers
  import FILE``, ``actor=None``);
* :func:`late_rates_feed` — the late rate per unit becomes the cycle's
  ``late_dossier_rate`` metric (source "hồ sơ");
* :func:`calendar_load` — (re)load the shipped or given calendar tables.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from parindex.accounts.models import User
from parindex.accounts.permissions import require_admin
from parindex.audit.services import record
from parindex.cycles.models import Cycle, CycleUnit
from parindex.dossiers.models import (
    SOURCES,
    CalendarDay,
    DossierImport,
    StatusMapping,
)
from parindex.dossiers.tasks import run_import
from parindex.engine.dossier_codes import Period
from parindex.formats.cells import safe_cell
from parindex.formats.errors import Problem
from parindex.formats.folding import fold
from parindex.jobs.leases import enqueue_or_fail
from parindex.jobs.status import JobStatus
from parindex.outbox import after_commit
from parindex.results.models import MetricSource

if TYPE_CHECKING:
    from parindex.dossiers.bulk import Progress
    from parindex.dossiers.importing import Staged

ERROR_HEADER = ("loai", "dong", "cot", "ly_do")


def error_report(problems: list[Problem], flags: list[Problem]) -> bytes:
    """The row-level report of a file: ``loai,dong,cot,ly_do`` (lỗi / cảnh báo), UTF-8 with
    a BOM so that Excel opens it with the diacritics."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(ERROR_HEADER)
    for kind, items in (("lỗi", problems), ("cảnh báo", flags)):
        for p in items:
            w.writerow([kind, p.line or "", safe_cell(p.column or ""), safe_cell(p.reason)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def dossier_import_request(*, file: Any, source: str, actor: User | None) -> DossierImport:
    """Store the uploaded dossier file and queue its import (Sở Nội vụ only)."""
    require_admin(actor, "nhập hồ sơ thủ tục hành chính")
    name = Path(str(getattr(file, "name", "") or "ho-so.csv")).name
    if not getattr(file, "size", 0):
        raise ValidationError("Tệp rỗng: chọn tệp xuất từ hệ thống một cửa.")
    with transaction.atomic(durable=True):
        job = DossierImport(file_name=name[:300], source=source or "dvcqg", requested_by=actor)
        job.file.save(name, file, save=False)
        job.save()
        record(actor=actor, action="dossiers.import_request", obj=job, after={"file": name})
        after_commit(lambda: enqueue_or_fail(run_import, DossierImport, job.pk))
    return job


def dossier_import_run(job_id: int) -> DossierImport | None:
    """Run a queued import job (compare-and-set queued → running); see the module doc."""
    claimed = DossierImport.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), progress=1, message="Đang đọc tệp"
    )
    if claimed != 1:
        return DossierImport.objects.filter(pk=job_id).first()
    job = DossierImport.objects.select_related("requested_by").get(pk=job_id)
    try:
        _run(job, Path(job.file.path), job.requested_by)
    except Exception as exc:
        DossierImport.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            message=f"Lỗi: {exc or exc.__class__.__name__}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    job.refresh_from_db()
    return job


def dossier_import_requeued(job_id: int) -> None:
    """The import's worker died mid-run and its task will run again: back to the queue.
    Nothing was half-written (pass 2 is one transaction); the next run stages again."""
    DossierImport.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.QUEUED,
        progress=0,
        message="Tiến trình xử lý bị dừng đột ngột; đang chờ chạy lại.",
    )


def dossier_import_lost(job_id: int, reason: str) -> None:
    """The import's task was given up after its workers kept dying: failed, with why."""
    DossierImport.objects.filter(
        pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).update(status=JobStatus.FAILED, message=reason[:2000], finished_at=timezone.now())


def dossier_import_file(
    *, path: str | Path, source: str = "dvcqg", actor: User | None
) -> DossierImport:
    """Import a file on disk now (the CLI): the same two passes, recorded as a job."""
    if actor is not None:
        require_admin(actor, "nhập hồ sơ thủ tục hành chính")
    job = DossierImport.objects.create(
        file_name=Path(path).name[:300],
        source=source,
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        requested_by=actor,
    )
    _run(job, Path(path), actor)
    job.refresh_from_db()
    return job


def _progress(job_id: int) -> Progress:
    last = [0]

    def report(pct: int, message: str) -> None:
        pct = max(1, min(int(pct), 99))
        if pct <= last[0]:
            return
        last[0] = pct
        DossierImport.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            progress=pct, message=message[:500]
        )

    return report


def _run(job: DossierImport, path: Path, actor: User | None) -> None:
    # Polars and numpy load with the first import, not with the web app
    from parindex.dossiers.bulk import bulk_mode
    from parindex.dossiers.importing import stage_file, write_staged

    progress = _progress(job.pk)
    staged = stage_file(path, source=job.source, progress=progress)
    try:
        if staged.problems:
            _reject(job, staged)
            return
        now = timezone.now()
        with bulk_mode(), transaction.atomic(durable=True):
            counts = write_staged(staged, job_id=job.pk, now=now, progress=progress)
            done = DossierImport.objects.filter(pk=job.pk)
            done.update(
                status=JobStatus.DONE,
                progress=100,
                rows=staged.rows,
                warnings=len(staged.flags),
                finished_at=now,
                message=_summary(staged.rows, counts),
                **counts,
            )
            record(
                actor=actor,
                action="dossiers.import",
                obj=job,
                after={**counts, "rows": staged.rows, "warnings": len(staged.flags)},
                context={"file": job.file_name},
            )
    finally:
        staged.cleanup()
    if staged.flags:
        report = error_report([], staged.flags)
        job.error_report.save(f"{job.pk}.csv", ContentFile(report), save=False)
        DossierImport.objects.filter(pk=job.pk).update(error_report=job.error_report.name)


def _summary(rows: int, counts: dict[str, int]) -> str:
    def n(x: int) -> str:
        return f"{x:,}".replace(",", ".")

    return (
        f"{n(rows)} dòng: {n(counts['created'])} hồ sơ mới, {n(counts['changed'])} cập nhật, "
        f"{n(counts['unchanged'])} không đổi"
    )


def _reject(job: DossierImport, staged: Staged) -> None:
    """A file with problems imports nothing; its report lists every problem with its row."""
    job.error_report.save(
        f"{job.pk}.csv", ContentFile(error_report(staged.problems, staged.flags)), save=False
    )
    first = "; ".join(str(p) for p in staged.problems[:3])
    DossierImport.objects.filter(pk=job.pk).update(
        status=JobStatus.REJECTED,
        progress=100,
        rows=staged.rows,
        problems=len(staged.problems),
        warnings=len(staged.flags),
        error_report=job.error_report.name,
        finished_at=timezone.now(),
        message=(
            f"Tệp có {len(staged.problems)} lỗi, không nhập hồ sơ nào. Sửa tệp rồi nhập lại. "
            f"{first}"
        )[:2000],
    )


def late_rates_feed(*, cycle: Cycle, actor: User | None) -> dict[str, Any]:
    """The late rate of each participating unit, computed from its dossiers for the
    cycle's year, becomes its ``late_dossier_rate`` rating metric (source "hồ sơ").
    Units without counted dossiers are left as they are. Returns ``{unit code: rate}``."""
    from parindex.dossiers.selectors import metrics_rows  # selectors import the models only
    from parindex.results.services.metrics import metrics_set

    require_admin(actor, "lấy tỷ lệ trễ hạn từ hồ sơ")
    units = {
        cu.unit_id: cu.unit for cu in CycleUnit.objects.filter(cycle=cycle).select_related("unit")
    }
    rows = metrics_rows(actor, Period.year(cycle.year), "unit", units=list(units))
    values = [
        (units[r["key"]], "late_dossier_rate", r["late_rate"])
        for r in rows
        if r["key"] in units and r["late_rate"] is not None
    ]
    metrics_set(cycle=cycle, values=values, actor=actor, source=MetricSource.DOSSIERS)
    return {u.code: v for u, _, v in values}


def _measures_on_time(name: str) -> bool:
    """A statistic leaf about dossiers handled on time ("Tỷ lệ hồ sơ TTHC được giải quyết
    đúng hạn", "... đúng hạn" in the name with "hồ sơ")."""
    folded = fold(name)
    return "dung han" in folded and "ho so" in folded and "tre" not in folded


def on_time_points_feed(*, cycle: Cycle, actor: User | None) -> dict[str, Any]:
    """The framework's statistic leaves that measure on-time handling get their points from
    each unit's on-time rate of the cycle's year (the leaf's own rule turns the rate into
    points), through the external points service; the leaf's note names the source.
    Returns ``{"leaves": codes, "rows": n}``."""
    from parindex.assessments.models import LeafScore
    from parindex.assessments.services import external_points_import
    from parindex.assessments.services._common import _engine_rule, _max_of
    from parindex.dossiers.selectors import metrics_rows
    from parindex.engine.rules import RuleInputError, points_for
    from parindex.formats.scores import PointRow

    require_admin(actor, "lấy điểm tỷ lệ đúng hạn từ hồ sơ")
    scores = [
        sc
        for sc in LeafScore.objects.filter(
            assessment__cycle=cycle, criterion__source="statistic"
        ).select_related("criterion__rule", "assessment__unit")
        if _measures_on_time(sc.criterion.name)
    ]
    if not scores:
        return {"leaves": [], "rows": 0}
    rates = {
        r["key"]: r["on_time_rate"]
        for r in metrics_rows(actor, Period.year(cycle.year), "unit")
        if r["on_time_rate"] is not None
    }
    rows = []
    for line, sc in enumerate(scores, 1):
        rate = rates.get(sc.assessment.unit_id)
        maximum = _max_of(sc)
        if rate is None or maximum is None:
            continue
        try:
            points = points_for(_engine_rule(sc), maximum, rate)
        except RuleInputError:
            continue
        rows.append(PointRow(line, sc.assessment.unit.code, sc.criterion.code, points, False))
    if rows:
        external_points_import(
            cycle=cycle, rows=rows, source=f"hồ sơ TTHC năm {cycle.year}", actor=actor
        )
    return {"leaves": sorted({sc.criterion.code for sc in scores}), "rows": len(rows)}


def dossier_feeds(*, cycle: Cycle, actor: User | None) -> dict[str, Any]:
    """Both feeds of the cycle from the dossiers: the ``late_dossier_rate`` metric per unit
    and the on-time statistic leaves (two services, each in its own transaction)."""
    return {
        "rates": late_rates_feed(cycle=cycle, actor=actor),
        **on_time_points_feed(cycle=cycle, actor=actor),
    }


def calendar_load(*, paths: list[str | Path] | None = None, actor: User | None) -> int:
    """(Re)load calendar tables (the shipped 2024–2026 ones by default) into the editable
    days; a date already stored is replaced. Returns the number of days written."""
    from parindex.dossiers.calendar import calendar_rows, load_days  # numpy: not at web start

    if actor is not None:
        require_admin(actor, "nhập lịch làm việc")
    rows = calendar_rows(paths)
    with transaction.atomic(durable=True):
        n = load_days(CalendarDay, rows)
        record(actor=actor, action="dossiers.calendar_load", obj=None, after={"days": n})
    return n


# -- status mappings (Sở Nội vụ) ----------------------------------------------------------


def _mapping_clean(
    *, source: str, value: str, code: Any, exclude: int | None
) -> tuple[str, str, int]:
    """The checked ``(source, value, code)`` of a mapping, or every problem at once."""
    errors: dict[str, str] = {}
    source = (source or "").strip()
    value = " ".join((value or "").split())
    if source not in dict(SOURCES):
        errors["source"] = "Chọn hệ thống nguồn trong danh sách."
    if not value:
        errors["value"] = "Nhập giá trị trạng thái như trong tệp xuất."
    elif len(value) > 200:
        errors["value"] = "Giá trị trạng thái dài quá 200 ký tự."
    try:
        number = int(str(code).strip())
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 10:
        errors["code"] = "Mã trạng thái quốc gia phải là số nguyên từ 1 đến 10."
    if value and "source" not in errors:
        folded = fold(value)
        others = StatusMapping.objects.filter(source=source)
        if exclude is not None:
            others = others.exclude(pk=exclude)
        for other in others:
            if fold(other.value) == folded:
                errors["value"] = (
                    f"Hệ thống {source} đã có giá trị “{other.value}” (→ mã {other.code}); "
                    "sửa dòng đó thay vì thêm dòng trùng."
                )
                break
    if errors:
        raise ValidationError(errors)
    return source, value, number


def status_mapping_create(
    *, source: str, value: str, code: Any, actor: User | None
) -> StatusMapping:
    """Add a source's status value → national code (1–10); refused when the value (without
    diacritics and case) is already mapped for that source."""
    require_admin(actor, "sửa bảng chuyển trạng thái hồ sơ", system=True)
    with transaction.atomic(durable=True):
        source, value, number = _mapping_clean(source=source, value=value, code=code, exclude=None)
        mapping = StatusMapping.objects.create(source=source, value=value, code=number)
        record(
            actor=actor,
            action="dossiers.status_mapping_create",
            obj=mapping,
            after=_mapping_dict(mapping),
        )
    return mapping


def status_mapping_update(
    *, mapping: StatusMapping, source: str, value: str, code: Any, actor: User | None
) -> StatusMapping:
    require_admin(actor, "sửa bảng chuyển trạng thái hồ sơ", system=True)
    with transaction.atomic(durable=True):
        row = StatusMapping.objects.select_for_update().get(pk=mapping.pk)
        before = _mapping_dict(row)
        row.source, row.value, row.code = _mapping_clean(
            source=source, value=value, code=code, exclude=row.pk
        )
        row.save()
        record(
            actor=actor,
            action="dossiers.status_mapping_update",
            obj=row,
            before=before,
            after=_mapping_dict(row),
        )
    return row


def status_mapping_delete(*, mapping: StatusMapping, actor: User | None) -> None:
    require_admin(actor, "sửa bảng chuyển trạng thái hồ sơ", system=True)
    with transaction.atomic(durable=True):
        before = _mapping_dict(mapping)
        record(actor=actor, action="dossiers.status_mapping_delete", obj=mapping, before=before)
        StatusMapping.objects.filter(pk=mapping.pk).delete()


def _mapping_dict(m: StatusMapping) -> dict[str, Any]:
    return {"source": m.source, "value": m.value, "code": m.code}
