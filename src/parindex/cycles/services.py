"""Writes for cycles: create a cycle with its frameworks and participants; move it
through its stages by compare-and-set."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user, require_admin
from parindex.audit.services import record
from parindex.cycles.models import (
    CYCLE_TRANSITIONS,
    DEADLINE_STAGES,
    FROZEN_STAGES,
    Cycle,
    CycleFramework,
    CycleStatus,
    CycleUnit,
)
from parindex.frameworks.models import Framework
from parindex.units.models import Unit, UnitGroup
from parindex.workflow import ConcurrentChange, InvalidTransition, compare_and_set

__all__ = [
    "FROZEN_MESSAGE",
    "ConcurrentChange",
    "InvalidTransition",
    "check_transition",
    "cycle_create",
    "cycle_transition",
    "require_unfrozen",
]

FROZEN_MESSAGE = "Kỳ đánh giá đã phê duyệt/công bố: cần mở lại (có lý do) trước khi thay đổi."


def require_unfrozen(cycle: Cycle) -> None:
    """The one guard of frozen results: on an approved or published cycle scores, metrics
    and the rating configuration change only after "Mở lại kỳ" with a reason."""
    if cycle.status in FROZEN_STAGES:
        raise ValidationError(FROZEN_MESSAGE, code="frozen")


def cycle_create(
    *,
    year: int,
    name: str,
    frameworks: Mapping[UnitGroup, Framework],
    units: Iterable[Unit],
    actor: User | None,
    deadlines: Mapping[str, datetime] | None = None,
) -> Cycle:
    """A new cycle (status draft). ``frameworks`` maps each unit group to the framework
    its units are scored with; every unit must be in one of those groups. Plain ``atomic``:
    :func:`~parindex.assessments.services.cycle_open` and the demo loader call it inside
    their own transaction."""
    units = list(units)
    deadlines = dict(deadlines or {})
    errors: list[str] = []
    for stage in deadlines:
        if stage not in DEADLINE_STAGES:
            errors.append(f"Không có hạn cho giai đoạn “{stage}”.")
    group_ids = {g.pk for g in frameworks}
    for unit in units:
        if unit.group_id is None:
            errors.append(f"Đơn vị “{unit}” chưa thuộc nhóm nào.")
        elif unit.group_id not in group_ids:
            errors.append(f"Nhóm “{unit.group}” của đơn vị “{unit}” chưa được chọn bộ tiêu chí.")
    for group, fw in frameworks.items():
        if not fw.is_complete:
            errors.append(
                f"Bộ tiêu chí “{fw.code}” cho nhóm “{group}” chưa đầy đủ (còn điểm tối đa "
                "chưa rõ); hãy nhập bảng chính thức trước."
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        cycle = Cycle(
            year=year,
            name=name,
            created_by=actor_user(actor),
            **{f"{stage}_deadline": when for stage, when in deadlines.items()},
        )
        cycle.full_clean()
        cycle.save()
        CycleFramework.objects.bulk_create(
            [CycleFramework(cycle=cycle, group=g, framework=fw) for g, fw in frameworks.items()]
        )
        CycleUnit.objects.bulk_create(
            # every unit's group was checked above
            [CycleUnit(cycle=cycle, unit=u, group_id=u.group_id) for u in units]  # type: ignore[misc]
        )
        record(
            actor=actor,
            action="cycle.create",
            obj=cycle,
            after={
                "year": year,
                "name": name,
                "frameworks": {g.code: fw.code for g, fw in frameworks.items()},
                "units": len(units),
                "deadlines": {k: v.isoformat() for k, v in deadlines.items()},
            },
        )
    return cycle


def check_transition(old: str, to: str) -> None:
    """Raise :class:`InvalidTransition` unless ``CYCLE_TRANSITIONS`` allows ``old`` → ``to``."""
    if to not in CYCLE_TRANSITIONS.get(old, ()):
        raise InvalidTransition(
            f"Không thể chuyển kỳ đánh giá từ “{CycleStatus(old).label}” sang "
            f"“{CycleStatus(to).label if to in CycleStatus.values else to}”."
        )


def cycle_transition(
    *, cycle: Cycle, to: str, actor: User | None, reason: str = "", audit: str = "cycle.transition"
) -> Cycle:
    """The one way a cycle changes stage: from the status it was read with to ``to``, along
    ``CYCLE_TRANSITIONS``. Locks the row, compare-and-sets the status and writes the audit
    row (action ``audit``: publication records ``cycle.publish``). Raises
    :class:`InvalidTransition` when the table does not allow it and
    :class:`ConcurrentChange` when someone else changed the status meanwhile.

    Plain ``atomic``: :func:`~parindex.assessments.services.cycle_open`, the demo loader
    and the publication call it inside their own transaction."""
    require_admin(actor, "chuyển giai đoạn kỳ đánh giá", system=True)
    old = cycle.status
    check_transition(old, to)
    with transaction.atomic():
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
        compare_and_set(Cycle, pk=cycle.pk, field="status", old=old, new=to)
        record(
            actor=actor,
            action=audit,
            obj=cycle,
            field="status",
            before=old,
            after=to,
            reason=reason,
        )
    cycle.status = to
    return cycle
