"""Writes of the initiatives register (sáng kiến): a unit registers its own, the admin any
unit's; the year's goals are the admin's."""

from __future__ import annotations

from datetime import date
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user, require_admin
from parindex.audit.services import record, save_created
from parindex.evidence.validation import validate_upload
from parindex.oversight.models import Initiative, InitiativeGoal, InitiativeLevel
from parindex.oversight.services._common import require_unit_actor, required
from parindex.units.models import Unit


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"year": "Năm phải là một số (ví dụ 2025)."}) from None
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "Năm phải trong khoảng 2000–2100."})
    return year


def initiative_register(
    *,
    unit: Unit,
    year: Any,
    title: str,
    summary: str = "",
    authors: str = "",
    level: str = InitiativeLevel.UNIT,
    recognised_on: date | None = None,
    decision: str = "",
    file: IO[bytes] | Any | None = None,
    file_name: str = "",
    actor: User | None,
) -> Initiative:
    """Register an initiative of ``unit``. A recognised level above the unit needs the
    decision number; an evidence file is checked as evidence uploads are."""
    require_unit_actor(actor, unit, "đăng ký sáng kiến")
    year = _year(year)
    title = required(title, "title", "Cần ghi tên sáng kiến.")
    if level not in InitiativeLevel.values:
        raise ValidationError({"level": "Cấp công nhận phải là: cấp đơn vị, cấp tỉnh hoặc cấp Bộ."})
    decision = (decision or "").strip()
    if level != InitiativeLevel.UNIT and not decision:
        raise ValidationError(
            {"decision": "Sáng kiến được công nhận cấp tỉnh hoặc cấp Bộ: cần ghi số quyết định."}
        )
    name = ""
    if file is not None:
        name = (file_name or getattr(file, "name", "") or "tep")[-120:]
        try:
            validate_upload(file, name=name)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from None
        file.seek(0)
    with transaction.atomic(durable=True):
        row = Initiative(
            unit=unit,
            year=year,
            title=title,
            summary=(summary or "").strip(),
            authors=(authors or "").strip(),
            level=level,
            recognised_on=recognised_on,
            decision=decision,
            file_name=name,
            created_by=actor_user(actor),
        )
        if file is not None:
            row.file.save(name, File(file), save=False)
        return save_created(
            row,
            actor=actor,
            action="initiative.register",
            after={"unit": unit.code, "year": year, "title": title, "level": level},
        )


def initiative_remove(*, initiative: Initiative, actor: User | None) -> None:
    """Take an initiative out of the register (its unit or the admin)."""
    require_unit_actor(actor, initiative.unit, "xoá sáng kiến")
    with transaction.atomic(durable=True):
        record(
            actor=actor,
            action="initiative.remove",
            obj=initiative,
            before={
                "unit": initiative.unit.code,
                "year": initiative.year,
                "title": initiative.title,
            },
        )
        stored = initiative.file.name
        initiative.delete()
        if stored:
            transaction.on_commit(lambda: initiative.file.storage.delete(stored))


def initiative_goal_set(
    *, year: Any, per_department: Any, ministry: Any, actor: User | None
) -> InitiativeGoal:
    """The year's goals: initiatives per department, initiatives recognised by the Ministry."""
    require_admin(actor, "đặt chỉ tiêu sáng kiến", system=True)
    year = _year(year)
    try:
        per, mini = int(per_department), int(ministry)
    except (TypeError, ValueError):
        raise ValidationError("Chỉ tiêu sáng kiến phải là số nguyên không âm.") from None
    if per < 0 or mini < 0 or per > 100 or mini > 1000:
        raise ValidationError("Chỉ tiêu sáng kiến phải là số nguyên không âm (tối đa 100 mỗi sở).")
    with transaction.atomic(durable=True):
        goal, _ = InitiativeGoal.objects.select_for_update().get_or_create(year=year)
        before = {"per_department": goal.per_department, "ministry": goal.ministry}
        goal.per_department, goal.ministry = per, mini
        goal.updated_by = actor_user(actor)
        goal.save()
        record(
            actor=actor,
            action="initiative.goal_set",
            obj=goal,
            before=before,
            after={"per_department": per, "ministry": mini},
        )
    return goal
