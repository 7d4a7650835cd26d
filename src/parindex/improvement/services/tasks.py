"""The plan's tasks: the admin adds and edits them; the lead unit reports progress (a note
in the history each time) and adds evidence files (checked like every evidence upload,
kept in the lead unit's evidence library)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user, is_admin, require_admin
from parindex.audit.services import record
from parindex.evidence.models import EvidenceDocument
from parindex.evidence.services import document_upload
from parindex.frameworks.models import Criterion
from parindex.improvement.models import (
    ImprovementPlan,
    PlanTask,
    TaskEvidence,
    TaskNote,
    WorkStatus,
)
from parindex.improvement.permissions import require_reporter
from parindex.improvement.services.common import (
    check_criterion,
    check_status,
    partners_without,
    text,
    unit_names,
)
from parindex.units.models import Unit

__all__ = ["task_evidence_add", "task_progress", "task_save"]


def _state(task: PlanTask) -> dict[str, Any]:
    return {
        "title": task.title,
        "criterion": task.criterion.code if task.criterion_id else None,
        "lead_unit": task.lead_unit.name,
        "partner_units": unit_names(task.partner_units.all()),
        "deadline": task.deadline.isoformat(),
        "status": task.status,
        "progress": task.progress,
    }


def task_save(
    *,
    plan: ImprovementPlan,
    title: str,
    lead_unit: Unit | None,
    deadline: dt.date | None,
    criterion: Criterion | None = None,
    partner_units: Iterable[Unit] = (),
    description: str = "",
    task: PlanTask | None = None,
    actor: User | None,
) -> PlanTask:
    """Add a task to ``plan`` (or change ``task``). A task without a lead unit or a deadline
    is refused, every missing field named, and nothing is saved."""
    require_admin(actor, "giao nhiệm vụ", system=True)
    problems: dict[str, str] = {}
    if not text(title):
        problems["title"] = "Cần nhập tên nhiệm vụ."
    if lead_unit is None:
        problems["lead_unit"] = "Nhiệm vụ cần có đơn vị chủ trì."
    if deadline is None:
        problems["deadline"] = "Nhiệm vụ cần có thời hạn hoàn thành (ngày/tháng/năm)."
    if problems:
        raise ValidationError(problems)
    check_criterion(plan.framework, criterion)
    if task is not None and task.plan_id != plan.pk:
        raise ValidationError("Nhiệm vụ không thuộc kế hoạch này.")
    partners = partners_without(lead_unit, partner_units)
    with transaction.atomic(durable=True):
        before = None
        if task is None:
            task = PlanTask(plan=plan, position=PlanTask.objects.filter(plan=plan).count() + 1)
        else:
            task = PlanTask.objects.select_for_update().get(pk=task.pk)
            before = _state(task)
        task.title = text(title, 500)
        task.description = text(description)
        task.criterion = criterion
        task.lead_unit = lead_unit  # type: ignore[assignment]
        task.deadline = deadline  # type: ignore[assignment]
        task.updated_by = actor_user(actor)
        task.save()
        task.partner_units.set(partners)
        record(
            actor=actor,
            action="improvement.task_save",
            obj=task,
            before=before,
            after=_state(task),
            context={"plan": plan.pk},
        )
    return task


def _progress(value: Any) -> int:
    try:
        out = int(str(value).strip().rstrip("%"))
    except ValueError:
        raise ValidationError({"progress": f"Tiến độ “{value}” không phải là số."}) from None
    if not 0 <= out <= 100:
        raise ValidationError({"progress": "Tiến độ phải từ 0 đến 100%."})
    return out


def task_progress(
    *, task: PlanTask, status: str, progress: Any, note: str = "", actor: User | None
) -> PlanTask:
    """The lead unit (or the admin) reports the task's status and progress; each report is
    a note in the task's history. "Hoàn thành" means 100%."""
    require_reporter(actor, task.lead_unit_id)
    check_status(status)
    pct = _progress(progress)
    if status == WorkStatus.DONE:
        pct = 100
    elif pct == 100:
        status = WorkStatus.DONE
    with transaction.atomic(durable=True):
        locked = PlanTask.objects.select_for_update().get(pk=task.pk)
        before = {"status": locked.status, "progress": locked.progress}
        locked.status, locked.progress = status, pct
        locked.updated_by = actor_user(actor)
        locked.save(update_fields=["status", "progress", "updated_by", "updated_at"])
        TaskNote.objects.create(
            task=locked,
            text=text(note) or f"Cập nhật: {locked.get_status_display()}, {pct}%.",
            status=status,
            progress=pct,
            author=actor_user(actor),
        )
        record(
            actor=actor,
            action="improvement.task_progress",
            obj=locked,
            before=before,
            after={"status": status, "progress": pct, "note": text(note)},
        )
    return locked


def task_evidence_add(
    *, task: PlanTask, file: Any, title: str = "", actor: User | None
) -> EvidenceDocument:
    """Attach an evidence file to the task: validated by the evidence app's upload checks
    (:func:`parindex.evidence.services.document_upload`) and filed in the lead unit's
    library, so the unit's other evidence pages see it too."""
    require_reporter(actor, task.lead_unit_id)
    if file is None:
        raise ValidationError({"file": "Cần chọn tệp tài liệu kiểm chứng."})
    with transaction.atomic(durable=True):
        doc = document_upload(
            unit=task.lead_unit,
            file=file,
            title=title,
            # the admin files it into the lead unit's library as the system would
            actor=None if is_admin(actor) else actor,
            year=task.plan.year,
        )
        link = TaskEvidence.objects.create(task=task, document=doc, added_by=actor_user(actor))
        record(
            actor=actor,
            action="improvement.task_evidence",
            obj=link,
            after={"document": doc.title, "file": doc.original_name},
            context={"task": task.pk},
        )
    return doc
