"""The council's approval (final points per leaf) and the admin's reopening."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user
from parindex.assessments.models import Assessment, FinalSource, LeafScore
from parindex.assessments.selectors import assessment_tree
from parindex.assessments.services._common import (
    _notify_unit,
    _num,
    _reloaded,
    assessment_move,
)
from parindex.cycles.services import require_unfrozen
from parindex.engine.framework import EXTERNAL_SOURCES


def _check_approvable(actor: User | None, a: Assessment) -> None:
    unappraised = list(
        LeafScore.objects.filter(
            assessment_id=a.pk,
            criterion__source="self",
            not_applicable=False,
            round2_points__isnull=True,
        )
        .order_by("criterion__position")
        .values_list("criterion__code", flat=True)
    )
    if unappraised:
        raise ValidationError([f"{code}: chưa có điểm thẩm định vòng 2." for code in unappraised])


def _set_final_points(a: Assessment) -> dict[str, str]:
    """Final points of the internal leaves, then the unit's notice; the total goes to the
    audit row."""
    internal = LeafScore.objects.filter(assessment_id=a.pk).exclude(
        criterion__source__in=sorted(EXTERNAL_SOURCES)
    )
    internal.filter(not_applicable=True).update(
        final_points=None, final_source="", version=F("version") + 1
    )
    internal.filter(not_applicable=False).update(
        final_points=Coalesce("round2_points", "round1_points", "self_points"),
        final_source=Case(
            When(round2_points__isnull=False, then=Value(FinalSource.ROUND2)),
            When(round1_points__isnull=False, then=Value(FinalSource.ROUND1)),
            When(self_points__isnull=False, then=Value(FinalSource.SELF)),
            default=Value(""),
        ),
        version=F("version") + 1,
    )
    final = assessment_tree(_reloaded(a)).final
    points = final.points if final is not None else None
    _notify_unit(
        a,
        kind="approved",
        title=f"{a.cycle}: kết quả đã được phê duyệt",
        body=f"Hội đồng thẩm định đã phê duyệt kết quả của {a.unit}: {_num(points)} điểm.",
    )
    return {"final_points": str(points)}


def council_approve(*, assessment: Assessment, actor: User | None) -> Assessment:
    """Approve: final points = round 2, else round 1, else self points; external leaves
    keep the points the admin set; N/A stays N/A."""
    now = timezone.now()
    return assessment_move(
        assessment=assessment,
        service="council_approve",
        also=_check_approvable,
        actor=actor,
        changes={"approved_at": now, "approved_by": actor_user(actor)},
        then=_set_final_points,
    )


def assessment_reopen(*, assessment: Assessment, reason: str, actor: User | None) -> Assessment:
    reason = (reason or "").strip()

    def check(user: User | None, a: Assessment) -> None:
        # A unit of an approved/published cycle reopens only once the cycle is reopened:
        # otherwise its results would silently become provisional again.
        require_unfrozen(a.cycle)
        if not reason:
            raise ValidationError({"reason": "Cần nêu lý do mở lại kết quả đã phê duyệt."})

    return assessment_move(
        assessment=assessment,
        service="assessment_reopen",
        also=check,
        actor=actor,
        reason=reason,
        changes={"approved_at": None, "approved_by": None},
    )
