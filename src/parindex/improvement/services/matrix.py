"""The responsibility matrix: assign a criterion (admin), report its progress (lead unit),
copy last year's matrix (admin)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user, require_admin
from parindex.audit.services import record
from parindex.frameworks.models import Criterion, Framework
from parindex.improvement.models import ResponsibilityRow, WorkStatus
from parindex.improvement.permissions import require_reporter
from parindex.improvement.services.common import (
    check_criterion,
    check_status,
    check_year,
    partners_without,
    text,
    unit_names,
)
from parindex.units.models import Unit

__all__ = ["CopyNeedsConfirm", "matrix_copy", "matrix_row_progress", "matrix_row_save"]


class CopyNeedsConfirm(ValidationError):
    """The target year already has rows: copying would replace them."""


def _state(row: ResponsibilityRow) -> dict[str, object]:
    return {
        "criterion": row.criterion.code,
        "lead_unit": row.lead_unit.name,
        "partner_units": unit_names(row.partner_units.all()),
        "lead_evidence": row.lead_evidence,
        "partner_evidence": row.partner_evidence,
        "status": row.status,
    }


def matrix_row_save(
    *,
    year: int,
    framework: Framework,
    criterion: Criterion | None,
    lead_unit: Unit | None,
    partner_units: Iterable[Unit] = (),
    lead_evidence: str = "",
    partner_evidence: str = "",
    actor: User | None,
) -> ResponsibilityRow:
    """Give ``criterion`` of ``year`` to ``lead_unit`` with partners (a new row, or the
    criterion's row of that year changed)."""
    require_admin(actor, "phân công tiêu chí", system=True)
    check_year(year)
    problems: dict[str, str] = {}
    if criterion is None:
        problems["criterion"] = "Cần chọn tiêu chí."
    if lead_unit is None:
        problems["lead_unit"] = "Cần chọn đơn vị chủ trì."
    if problems:
        raise ValidationError(problems)
    assert criterion is not None and lead_unit is not None
    check_criterion(framework, criterion)
    partners = partners_without(lead_unit, partner_units)
    with transaction.atomic(durable=True):
        row = (
            ResponsibilityRow.objects.select_for_update()
            .filter(year=year, criterion=criterion)
            .first()
        )
        before = None if row is None else _state(row)
        if row is None:
            row = ResponsibilityRow(year=year, framework=framework, criterion=criterion)
        row.lead_unit = lead_unit
        row.lead_evidence = text(lead_evidence)
        row.partner_evidence = text(partner_evidence)
        row.updated_by = actor_user(actor)
        row.save()
        row.partner_units.set(partners)
        record(
            actor=actor,
            action="improvement.matrix_save",
            obj=row,
            before=before,
            after=_state(row),
            context={"year": year},
        )
    return row


def matrix_row_progress(
    *, row: ResponsibilityRow, status: str, note: str, actor: User | None
) -> ResponsibilityRow:
    """The lead unit (or the admin) reports how far the criterion's evidence is."""
    require_reporter(actor, row.lead_unit_id)
    check_status(status)
    with transaction.atomic(durable=True):
        locked = ResponsibilityRow.objects.select_for_update().get(pk=row.pk)
        before = {"status": locked.status, "note": locked.note}
        locked.status = status
        locked.note = text(note)
        locked.updated_by = actor_user(actor)
        locked.save(update_fields=["status", "note", "updated_by", "updated_at"])
        record(
            actor=actor,
            action="improvement.matrix_progress",
            obj=locked,
            before=before,
            after={"status": locked.status, "note": locked.note},
        )
    return locked


def matrix_copy(*, from_year: int, to_year: int, confirm: bool = False, actor: User | None) -> int:
    """Copy ``from_year``'s matrix into ``to_year`` in one step (statuses start again at
    "chưa thực hiện"). Refuses (:class:`CopyNeedsConfirm`) when ``to_year`` already has rows,
    unless ``confirm``: then they are replaced. Returns the number of rows copied."""
    require_admin(actor, "sao chép ma trận phân công", system=True)
    check_year(from_year)
    check_year(to_year)
    if from_year == to_year:
        raise ValidationError("Năm nguồn và năm đích phải khác nhau.")
    with transaction.atomic(durable=True):
        source = list(
            ResponsibilityRow.objects.filter(year=from_year).prefetch_related("partner_units")
        )
        if not source:
            raise ValidationError(f"Năm {from_year} chưa có ma trận phân công để sao chép.")
        existing = ResponsibilityRow.objects.select_for_update().filter(year=to_year)
        replaced = existing.count()
        if replaced and not confirm:
            raise CopyNeedsConfirm(
                f"Năm {to_year} đã có {replaced} dòng phân công. Đánh dấu “Thay thế” để "
                f"thay bằng ma trận năm {from_year}."
            )
        existing.delete()
        created = ResponsibilityRow.objects.bulk_create(
            [
                ResponsibilityRow(
                    year=to_year,
                    framework_id=r.framework_id,
                    criterion_id=r.criterion_id,
                    lead_unit_id=r.lead_unit_id,
                    lead_evidence=r.lead_evidence,
                    partner_evidence=r.partner_evidence,
                    status=WorkStatus.TODO,
                    updated_by=actor_user(actor),
                )
                for r in source
            ]
        )
        through = ResponsibilityRow.partner_units.through
        through.objects.bulk_create(
            [
                through(responsibilityrow_id=new.pk, unit_id=u.pk)
                for old, new in zip(source, created, strict=True)
                for u in old.partner_units.all()
            ]
        )
        record(
            actor=actor,
            action="improvement.matrix_copy",
            obj=None,
            after={"rows": len(created), "replaced": replaced},
            context={"from_year": from_year, "to_year": to_year},
        )
    return len(created)
