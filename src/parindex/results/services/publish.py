"""Publication of a cycle's final results (approved → published), each one kept as a
:class:`~parindex.results.models.Publication` with its public files."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user, require_admin
from parindex.assessments.models import Assessment, AssessmentStatus
from parindex.cycles.models import Cycle, CycleStatus, CycleUnit
from parindex.cycles.services import cycle_transition
from parindex.formats.results import public_ranking_csv
from parindex.results import selectors as rsel
from parindex.results.models import Publication, ResultSet, ResultStatus
from parindex.results.services.recompute import results_recompute
from parindex.results.services.stage_notices import stage_notify

__all__ = ["cycle_publish", "ranking_csv"]


def ranking_csv(rs: Any) -> str:
    """The public ranking as CSV text (with a BOM so spreadsheet programs read the
    diacritics), dot decimals: group, rank, unit, index, rating, index change, rank change."""
    q = Decimal(1).scaleb(-rs.decimals)
    return public_ranking_csv(
        [
            [
                r.group.name,
                r.rank or "",
                r.unit.code,
                r.unit.name,
                "" if r.index is None else r.index.quantize(q),
                r.rating,
                "" if r.index_change is None else r.index_change.quantize(q),
                "" if r.rank_change is None else r.rank_change,
            ]
            for r in rsel.ranking(rs)
        ]
    )


def cycle_publish(*, cycle: Cycle, actor: User | None, reason: str = "") -> Cycle:
    """Publish a final cycle (approved → published, through the cycle's transition table)
    and keep this publication (number, who, when, reason, the public CSV) as a version.
    Refused while a participating unit's assessment is not approved (they are listed) or
    the results are not final. Everyone concerned is notified after commit. Plain
    ``atomic``: the recompute before it has its own transaction."""
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
    rs = ResultSet.objects.filter(cycle=cycle).first()
    if not errors and (rs is None or rs.status != ResultStatus.FINAL):
        rs = results_recompute(cycle=cycle, actor=actor)  # the council stage just ended
    if rs is None or rs.status != ResultStatus.FINAL:
        errors.append("Kết quả của kỳ chưa được tính chính thức; hãy tính lại kết quả trước.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        number = Publication.objects.filter(cycle=cycle).count() + 1
        Publication.objects.create(
            cycle=cycle,
            number=number,
            published_by=actor_user(actor),
            reason=(reason or "").strip(),
            csv=ranking_csv(rs),
        )
        cycle_transition(
            cycle=cycle,
            to=CycleStatus.PUBLISHED,
            actor=actor,
            reason=(reason or "").strip(),
            audit="cycle.publish",
        )
        stage_notify(cycle, CycleStatus.APPROVED, CycleStatus.PUBLISHED, reason)
    return cycle
