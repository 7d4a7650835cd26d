"""Opening a cycle: the cycle, one assessment per unit, the move to self-assessment and
the units' notice, all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from parindex import outbox
from parindex.accounts.models import User
from parindex.accounts.permissions import require_admin
from parindex.assessments.models import Assessment, LeafScore
from parindex.assessments.services._common import _unit_users
from parindex.audit.services import record
from parindex.cycles.models import Cycle, CycleStatus
from parindex.cycles.services import cycle_create, cycle_transition


def assessments_open(*, cycle: Cycle, actor: User | None) -> dict[str, int]:
    """One assessment per participating unit (with an empty score row per leaf criterion
    of the unit group's framework). Idempotent: existing assessments are kept. Plain
    ``atomic``: :func:`cycle_open` and the demo loader call it inside their transaction."""
    if cycle.status not in (CycleStatus.DRAFT, CycleStatus.SELF_ASSESSMENT):
        raise ValidationError(
            "Chỉ mở phiếu tự chấm khi kỳ đánh giá đang chuẩn bị hoặc đang tự đánh giá."
        )
    fw_by_group = {
        link.group_id: link.framework for link in cycle.framework_links.select_related("framework")
    }
    with transaction.atomic():
        done = set(Assessment.objects.filter(cycle=cycle).values_list("unit_id", flat=True))
        missing = [p for p in cycle.participants.all() if p.unit_id not in done]
        problems = [
            f"Nhóm của đơn vị mã {p.unit_id} chưa có bộ tiêu chí."
            for p in missing
            if p.group_id not in fw_by_group
        ]
        if problems:
            raise ValidationError(problems)
        new = [
            Assessment(cycle=cycle, unit_id=p.unit_id, framework=fw_by_group[p.group_id])
            for p in missing
        ]
        Assessment.objects.bulk_create(new)
        if any(a.pk is None for a in new):
            by_unit = dict(Assessment.objects.filter(cycle=cycle).values_list("unit_id", "pk"))
            for a in new:
                a.pk = by_unit[a.unit_id]
        leaves: dict[int, list[int]] = {}
        for fw in {f.pk: f for f in fw_by_group.values()}.values():
            leaves[fw.pk] = list(
                fw.criteria.filter(children__isnull=True).values_list("pk", flat=True)
            )
        scores = [
            LeafScore(assessment_id=a.pk, criterion_id=c)
            for a in new
            for c in leaves[a.framework_id]
        ]
        LeafScore.objects.bulk_create(scores, batch_size=1000)
        stats = {"opened": len(new), "existing": len(done), "scores": len(scores)}
        if new:  # nothing changed, nothing to record
            record(
                actor=actor,
                action="assessments.open",
                obj=cycle,
                after=stats,
                context={"cycle": cycle.pk},
            )
    return stats


def cycle_open(
    *,
    year: int,
    name: str,
    frameworks: Mapping[Any, Any],
    units: Iterable[Any],
    deadlines: Mapping[str, datetime] | None,
    actor: User | None,
) -> Cycle:
    """Create the cycle, open one assessment per unit, move it to self-assessment and
    tell the units' users, all or nothing."""
    require_admin(actor, "mở kỳ đánh giá", system=True)
    units = list(units)
    with transaction.atomic(durable=True):
        cycle = cycle_create(
            year=year,
            name=name,
            frameworks=frameworks,
            units=units,
            deadlines=deadlines,
            actor=actor,
        )
        assessments_open(cycle=cycle, actor=actor)
        cycle_transition(cycle=cycle, to=CycleStatus.SELF_ASSESSMENT, actor=actor)
        when = cycle.self_assessment_deadline
        due = f" Hạn tự đánh giá: {timezone.localtime(when):%H:%M ngày %d/%m/%Y}." if when else ""
        outbox.notify_after_commit(
            users=_unit_users(u.pk for u in units),
            kind="cycle_opened",
            title=f"Mở {name}",
            body=f"Sở Nội vụ đã mở {name}; đơn vị bắt đầu tự đánh giá, chấm điểm.{due}",
            url="",
        )
    return cycle
