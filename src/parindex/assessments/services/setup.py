"""Set-up by the Sở Nội vụ admin: a unit's deadline extension, the appraisal team's
assignments.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user, require_admin
from parindex.assessments.models import AppraisalAssignment, Assessment, DeadlineExtension
from parindex.audit.services import record
from parindex.cycles.models import DEADLINE_STAGES, Cycle, CycleUnit
from parindex.frameworks.models import Criterion


def deadline_extend(
    *, cycle: Cycle, unit: Any, stage: str, until: datetime, reason: str, actor: User | None
) -> DeadlineExtension:
    """Grant (or change) one unit's extension for a stage, with a recorded reason."""
    require_admin(actor, "gia hạn", system=True)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if stage not in DEADLINE_STAGES:
        errors["stage"] = f"Giai đoạn “{stage}” không có hạn."
    if not reason:
        errors["reason"] = "Cần nêu lý do gia hạn."
    if until is None:
        errors["until"] = "Cần chọn thời hạn mới."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        if not CycleUnit.objects.filter(cycle=cycle, unit=unit).exists():
            raise ValidationError({"unit": f"Đơn vị “{unit}” không tham gia kỳ đánh giá này."})
        old = DeadlineExtension.objects.filter(cycle=cycle, unit=unit, stage=stage).first()
        before = old.until if old else cycle.deadline_for(stage)
        ext, _ = DeadlineExtension.objects.update_or_create(
            cycle=cycle,
            unit=unit,
            stage=stage,
            defaults={"until": until, "reason": reason, "granted_by": actor_user(actor)},
        )
        a_pk = (
            Assessment.objects.filter(cycle=cycle, unit=unit).values_list("pk", flat=True).first()
        )
        record(
            actor=actor,
            action="deadline.extend",
            obj=ext,
            field=f"{stage}_deadline",
            before=before,
            after=until,
            reason=reason,
            context={"cycle": cycle.pk, "unit": unit.pk, "stage": stage}
            | ({"assessment": a_pk} if a_pk else {}),
        )
    return ext


def assignment_set(
    *,
    cycle: Cycle,
    appraiser: Any,
    units: Iterable[Any],
    criteria_codes: Iterable[str],
    actor: User | None,
) -> AppraisalAssignment:
    """Set what ``appraiser`` appraises in ``cycle``: units (empty = every participating
    unit) × area/criterion code prefixes (empty = every criterion). Replaces the previous
    assignment of that appraiser in that cycle. Plain ``atomic``: the demo loader calls it
    inside its transaction."""
    require_admin(actor, "phân công thẩm định", system=True)
    units = list(units)
    codes = sorted({str(c).strip() for c in criteria_codes if str(c).strip()})
    errors: list[str] = []
    if not getattr(appraiser, "is_appraiser", False):
        errors.append(f"“{appraiser}” không phải thành viên tổ thẩm định.")
    participating = set(CycleUnit.objects.filter(cycle=cycle).values_list("unit_id", flat=True))
    errors += [
        f"Đơn vị “{u}” không tham gia kỳ đánh giá này." for u in units if u.pk not in participating
    ]
    known = set(
        Criterion.objects.filter(framework__cycle_links__cycle=cycle).values_list("code", flat=True)
    )
    errors += [
        f"Không có lĩnh vực/tiêu chí mã “{c}” trong bộ tiêu chí của kỳ."
        for c in codes
        if c not in known
    ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        old = (
            AppraisalAssignment.objects.filter(cycle=cycle, appraiser=appraiser)
            .prefetch_related("units")
            .first()
        )
        before = (
            {"units": sorted(u.code for u in old.units.all()), "criteria_codes": old.criteria_codes}
            if old
            else None
        )
        if old is None:
            assignment = AppraisalAssignment.objects.create(
                cycle=cycle, appraiser=appraiser, criteria_codes=codes, created_by=actor_user(actor)
            )
        else:
            assignment = old
            assignment.criteria_codes = codes
            assignment.save(update_fields=["criteria_codes"])
        assignment.units.set(units)
        record(
            actor=actor,
            action="assignment.set",
            obj=assignment,
            before=before,
            after={"units": sorted(u.code for u in units), "criteria_codes": codes},
            context={"cycle": cycle.pk, "appraiser": appraiser.pk},
        )
    return assignment
