"""Writes of the inspections part: the year's plan and its units, inspection records,
findings with their recommendations, and their resolution. Admin-only services start with
:func:`require_admin`; a finding's resolution may also be updated by its unit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user, require_admin
from parindex.audit.services import record, save_created
from parindex.cycles.models import Cycle, CycleUnit
from parindex.oversight.models import (
    DEFAULT_MIN_SHARE,
    Finding,
    FindingStatus,
    InspectionPlan,
    InspectionRecord,
    PlannedInspection,
)
from parindex.oversight.services._common import require_unit_actor, required
from parindex.units.models import Unit


def _share(value: Any) -> Decimal:
    share = DEFAULT_MIN_SHARE if value is None or value == "" else Decimal(str(value))
    if not Decimal(0) < share <= Decimal(100):
        raise ValidationError({"min_share": "Tỷ lệ tối thiểu phải lớn hơn 0 và không quá 100%."})
    return share


def inspection_plan_save(
    *,
    cycle: Cycle,
    title: str,
    min_share: Any = None,
    decision: str = "",
    actor: User | None,
) -> InspectionPlan:
    """Create or update the cycle's inspection plan (one per cycle)."""
    require_admin(actor, "lập kế hoạch kiểm tra CCHC", system=True)
    title = required(title, "title", "Cần đặt tên kế hoạch kiểm tra.")
    share = _share(min_share)
    with transaction.atomic(durable=True):
        plan = InspectionPlan.objects.select_for_update().filter(cycle=cycle).first()
        after = {"title": title, "min_share": str(share), "decision": decision.strip()}
        if plan is None:
            plan = InspectionPlan(
                cycle=cycle,
                title=title,
                min_share=share,
                decision=decision.strip(),
                created_by=actor_user(actor),
            )
            return save_created(plan, actor=actor, action="inspection.plan_create", after=after)
        before = {"title": plan.title, "min_share": str(plan.min_share), "decision": plan.decision}
        plan.title, plan.min_share, plan.decision = title, share, decision.strip()
        plan.full_clean()
        plan.save()
        record(actor=actor, action="inspection.plan_update", obj=plan, before=before, after=after)
    return plan


def planned_inspection_add(
    *,
    plan: InspectionPlan,
    unit: Unit,
    planned_on: date | None,
    team: str,
    note: str = "",
    actor: User | None,
) -> PlannedInspection:
    """Put ``unit`` in the plan. A unit that does not take part in the plan's cycle is
    refused: the coverage is a share of the cycle's units."""
    require_admin(actor, "lập kế hoạch kiểm tra CCHC", system=True)
    if not CycleUnit.objects.filter(cycle_id=plan.cycle_id, unit=unit).exists():
        raise ValidationError(
            {
                "unit": f"Đơn vị “{unit.name}” không tham gia kỳ đánh giá “{plan.cycle.name}”: "
                "chỉ đưa vào kế hoạch kiểm tra các đơn vị của kỳ."
            }
        )
    if planned_on is None:
        raise ValidationError({"planned_on": "Cần nhập ngày kiểm tra dự kiến."})
    team = required(team, "team", "Cần ghi đoàn kiểm tra.")
    taken = ValidationError({"unit": f"Đơn vị “{unit.name}” đã có trong kế hoạch kiểm tra."})
    if PlannedInspection.objects.filter(plan=plan, unit=unit).exists():
        raise taken
    try:
        with transaction.atomic(durable=True):
            entry = PlannedInspection(
                plan=plan, unit=unit, planned_on=planned_on, team=team, note=note.strip()
            )
            return save_created(
                entry,
                actor=actor,
                action="inspection.plan_add",
                after={"unit": unit.code, "planned_on": planned_on.isoformat(), "team": team},
            )
    except IntegrityError:  # added by someone else meanwhile
        raise taken from None


def planned_inspection_remove(*, entry: PlannedInspection, actor: User | None) -> None:
    """Take a unit out of the plan (refused once an inspection was recorded there)."""
    require_admin(actor, "lập kế hoạch kiểm tra CCHC", system=True)
    with transaction.atomic(durable=True):
        if InspectionRecord.objects.filter(entry=entry).exists():
            raise ValidationError(
                f"Đã có biên bản kiểm tra tại {entry.unit.name}: không bỏ khỏi kế hoạch được."
            )
        record(
            actor=actor,
            action="inspection.plan_remove",
            obj=entry,
            before={"unit": entry.unit.code, "planned_on": entry.planned_on.isoformat()},
        )
        entry.delete()


def inspection_record_create(
    *,
    entry: PlannedInspection,
    inspected_on: date | None,
    team: str,
    content: str,
    actor: User | None,
) -> InspectionRecord:
    """Record an inspection carried out at a planned unit."""
    require_admin(actor, "ghi biên bản kiểm tra", system=True)
    inspected_on, team, content = _record_fields(inspected_on, team, content)
    with transaction.atomic(durable=True):
        row = InspectionRecord(
            entry=entry,
            inspected_on=inspected_on,
            team=team,
            content=content,
            created_by=actor_user(actor),
        )
        return save_created(
            row,
            actor=actor,
            action="inspection.record_create",
            after={"unit": entry.unit.code, "inspected_on": inspected_on.isoformat()},
        )


def _record_fields(inspected_on: date | None, team: str, content: str) -> tuple[date, str, str]:
    if inspected_on is None:
        raise ValidationError({"inspected_on": "Cần nhập ngày kiểm tra."})
    team = required(team, "team", "Cần ghi đoàn kiểm tra.")
    return inspected_on, team, required(content, "content", "Cần ghi nội dung kiểm tra.")


def inspection_record_correct(
    *,
    record_row: InspectionRecord,
    inspected_on: date | None,
    team: str,
    content: str,
    actor: User | None,
) -> InspectionRecord:
    """Correct a recorded inspection (date, team, content); the old text stays in the audit."""
    require_admin(actor, "sửa biên bản kiểm tra", system=True)
    inspected_on, team, content = _record_fields(inspected_on, team, content)
    with transaction.atomic(durable=True):
        row = InspectionRecord.objects.select_for_update().get(pk=record_row.pk)
        before = _record_state(row)
        row.inspected_on, row.team, row.content = inspected_on, team, content
        row.full_clean()
        row.save(update_fields=["inspected_on", "team", "content"])
        record(
            actor=actor,
            action="inspection.record_correct",
            obj=row,
            before=before,
            after=_record_state(row),
        )
    return row


def _record_state(row: InspectionRecord) -> dict[str, str]:
    return {"inspected_on": row.inspected_on.isoformat(), "team": row.team, "content": row.content}


def _status(status: str, reason: str) -> tuple[str, str]:
    if status not in FindingStatus.values:
        raise ValidationError(
            {"status": "Kết quả xử lý phải là: đã xử lý, đang xử lý hoặc chưa xử lý."}
        )
    reason = (reason or "").strip()
    if status == FindingStatus.UNRESOLVED and not reason:
        raise ValidationError({"reason": "Kiến nghị chưa xử lý: cần nêu lý do chưa xử lý."})
    return status, reason


def finding_create(
    *,
    record_row: InspectionRecord,
    issue: str,
    recommendation: str,
    due_on: date | None = None,
    status: str = FindingStatus.IN_PROGRESS,
    reason: str = "",
    actor: User | None,
) -> Finding:
    """A problem found by the inspection and the recommendation made to the unit."""
    require_admin(actor, "ghi kiến nghị sau kiểm tra", system=True)
    issue, recommendation = _finding_fields(issue, recommendation)
    status, reason = _status(status, reason)
    with transaction.atomic(durable=True):
        row = Finding(
            record=record_row,
            unit_id=record_row.entry.unit_id,
            issue=issue,
            recommendation=recommendation,
            due_on=due_on,
            status=status,
            reason=reason,
            updated_by=actor_user(actor),
        )
        return save_created(
            row,
            actor=actor,
            action="inspection.finding_create",
            after={"issue": issue, "recommendation": recommendation, "status": status},
        )


def _finding_fields(issue: str, recommendation: str) -> tuple[str, str]:
    issue = required(issue, "issue", "Cần ghi vấn đề phát hiện.")
    return issue, required(recommendation, "recommendation", "Cần ghi nội dung kiến nghị.")


def finding_correct(
    *,
    finding: Finding,
    issue: str,
    recommendation: str,
    due_on: date | None,
    actor: User | None,
) -> Finding:
    """Correct a finding's problem, recommendation or due date (its resolution is the
    unit's: :func:`finding_resolve`)."""
    require_admin(actor, "sửa kiến nghị sau kiểm tra", system=True)
    issue, recommendation = _finding_fields(issue, recommendation)
    with transaction.atomic(durable=True):
        row = Finding.objects.select_for_update().get(pk=finding.pk)
        before = _finding_state(row)
        row.issue, row.recommendation, row.due_on = issue, recommendation, due_on
        row.updated_by = actor_user(actor)
        row.full_clean()
        row.save()
        record(
            actor=actor,
            action="inspection.finding_correct",
            obj=row,
            before=before,
            after=_finding_state(row),
        )
    return row


def _finding_state(row: Finding) -> dict[str, str | None]:
    due = row.due_on.isoformat() if row.due_on else None
    return {"issue": row.issue, "recommendation": row.recommendation, "due_on": due}


def finding_resolve(
    *, finding: Finding, status: str, reason: str = "", note: str = "", actor: User | None
) -> Finding:
    """The unit (or the admin) reports how far the recommendation has been dealt with:
    đã xử lý, đang xử lý, or chưa xử lý with the reason (required)."""
    require_unit_actor(actor, finding.unit, "cập nhật kết quả xử lý kiến nghị")
    status, reason = _status(status, reason)
    with transaction.atomic(durable=True):
        row = Finding.objects.select_for_update().get(pk=finding.pk)
        before = {"status": row.status, "reason": row.reason, "note": row.resolution_note}
        row.status = status
        row.reason = reason if status != FindingStatus.RESOLVED else ""
        row.resolution_note = (note or "").strip()
        row.updated_by = actor_user(actor)
        row.full_clean()
        row.save()
        record(
            actor=actor,
            action="inspection.finding_resolve",
            obj=row,
            before=before,
            after={"status": row.status, "reason": row.reason, "note": row.resolution_note},
            reason=row.reason,
        )
    return row
