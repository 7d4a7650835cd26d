"""Publication of a cycle's final results (approved → published)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from parindex.accounts.models import User
from parindex.accounts.permissions import require_admin
from parindex.assessments.models import Assessment, AssessmentStatus
from parindex.cycles.models import Cycle, CycleStatus, CycleUnit
from parindex.cycles.services import cycle_transition
from parindex.results.models import ResultSet, ResultStatus
from parindex.results.services.recompute import results_recompute

__all__ = ["cycle_publish"]


def cycle_publish(*, cycle: Cycle, actor: User | None) -> Cycle:
    """Publish a final cycle (approved → published, through the cycle's transition table).
    Refused while a participating unit's assessment is not approved (they are listed) or
    the results are not final."""
    require_admin(actor, "công bố kết quả")
    errors: list[str] = []
    if cycle.status != CycleStatus.APPROVED:
        errors.append(
            f"Chỉ công bố được kỳ đã phê duyệt; kỳ này đang ở giai đoạn "
            f"“{CycleStatus(cycle.status).label}”."
        )
    approved = set(
        Assessment.objects.filter(cycle=cycle, status=AssessmentStatus.APPROVED).values_list(
            "unit_id", flat=True
        )
    )
    pending = [
        name
        for unit_id, name in CycleUnit.objects.filter(cycle=cycle)
        .order_by("unit__name")
        .values_list("unit_id", "unit__name")
        if unit_id not in approved
    ]
    if pending:
        errors.append(
            f"Còn {len(pending)} đơn vị chưa được Hội đồng phê duyệt kết quả: "
            + ", ".join(pending)
            + "."
        )
    rs = ResultSet.objects.filter(cycle=cycle).only("status").first()
    if not errors and (rs is None or rs.status != ResultStatus.FINAL):
        rs = results_recompute(cycle=cycle, actor=actor)  # the council stage just ended
    if rs is None or rs.status != ResultStatus.FINAL:
        errors.append("Kết quả của kỳ chưa được tính chính thức; hãy tính lại kết quả trước.")
    if errors:
        raise ValidationError(errors)
    return cycle_transition(
        cycle=cycle, to=CycleStatus.PUBLISHED, actor=actor, audit="cycle.publish"
    )
