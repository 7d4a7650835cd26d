"""The council's approval (final points per leaf) and the admin's reopening."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user
from parindex.assessments.models import Assessment, CouncilDecision, FinalSource, LeafScore
from parindex.assessments.selectors import assessment_tree
from parindex.assessments.services._common import (
    _notify_unit,
    _num,
    _reloaded,
    assessment_move,
)
from parindex.audit.services import record
from parindex.cycles.models import Cycle
from parindex.cycles.services import require_unfrozen
from parindex.engine.framework import EXTERNAL_SOURCES
from parindex.workflow import ConcurrentChange, InvalidTransition

#: How the council's refusal names an external source.
SOURCE_NAMES = {"survey": "khảo sát", "sipas": "SIPAS", "statistic": "thống kê"}


def is_council(actor: User | None) -> bool:
    return bool(actor is not None and actor.is_active and actor.is_council)


def missing_leaves(a: Assessment) -> list[str]:
    """The applicable leaves that block approval, one Vietnamese line each: self-scored
    leaves without round-2 points, survey/SIPAS/statistic leaves without points (the admin
    enters them, or marks them N/A with a reason). Bonus and penalty leaves may stay
    empty (no adjustment)."""
    rows = (
        LeafScore.objects.filter(assessment_id=a.pk, not_applicable=False)
        .filter(
            Q(criterion__source="self", round2_points__isnull=True)
            | Q(criterion__source__in=sorted(EXTERNAL_SOURCES), final_points__isnull=True)
        )
        .order_by("criterion__position")
        .values_list("criterion__code", "criterion__source")
    )
    return [
        f"{code}: chưa có điểm thẩm định vòng 2."
        if source == "self"
        else f"{code}: chưa có điểm {SOURCE_NAMES.get(source, source)} "
        "(Sở Nội vụ nhập điểm hoặc đánh dấu không áp dụng, có lý do)."
        for code, source in rows
    ]


def _check_approvable(actor: User | None, a: Assessment) -> None:
    missing = missing_leaves(a)
    if missing:
        raise ValidationError(
            [f"Chưa thể phê duyệt {a.unit}: {len(missing)} tiêu chí chưa có điểm.", *missing]
        )


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


def council_approve(
    *, assessment: Assessment, actor: User | None, _in_decision: bool = False
) -> Assessment:
    """Approve: final points = round 2, else round 1, else self points; external leaves
    keep the points the admin set; N/A stays N/A. Refused, listing the leaves, while an
    applicable leaf has no points (:func:`missing_leaves`). ``_in_decision``: called by
    :func:`council_decision_record` inside its own transaction."""
    now = timezone.now()
    return assessment_move(
        assessment=assessment,
        service="council_approve",
        also=_check_approvable,
        actor=actor,
        changes={"approved_at": now, "approved_by": actor_user(actor)},
        then=_set_final_points,
        durable=not _in_decision,
    )


def council_decision_record(
    *,
    cycle: Cycle,
    decided_on: date | None,
    number: str,
    members: str,
    notes: str,
    assessments: Sequence[Assessment],
    actor: User | None,
) -> CouncilDecision:
    """The council's decision (date, number of the minutes or decision, members present,
    notes) and the approval of ``assessments`` by it, all or nothing: each approval goes
    through :func:`council_approve`; when any is refused, nothing is kept and the
    ValidationError lists every refused unit with its reasons."""
    if not is_council(actor):
        raise PermissionDenied("Chỉ Hội đồng thẩm định được ghi nhận quyết định phê duyệt.")
    number, members, notes = (number or "").strip(), (members or "").strip(), notes or ""
    errors: dict[str, list[str]] = {}
    if decided_on is None:
        errors["decided_on"] = ["Nhập ngày của biên bản/quyết định."]
    elif decided_on > timezone.localdate():
        errors["decided_on"] = ["Ngày quyết định không được sau hôm nay."]
    if not number:
        errors["number"] = ["Nhập số biên bản hoặc số quyết định."]
    if not members:
        errors["members"] = ["Nhập các thành viên Hội đồng dự họp."]
    if not assessments:
        errors["units"] = ["Chọn ít nhất một đơn vị để phê duyệt."]
    if any(a.cycle_id != cycle.pk for a in assessments):
        raise Http404("Không tìm thấy phiếu đánh giá trong kỳ này.")
    if errors or decided_on is None:
        raise ValidationError(errors)
    refused: list[str] = []
    with transaction.atomic(durable=True):
        for a in sorted(assessments, key=lambda x: x.unit.name):
            try:
                council_approve(assessment=a, actor=actor, _in_decision=True)
            except ValidationError as exc:
                refused.extend(exc.messages)
            except (InvalidTransition, ConcurrentChange, PermissionDenied) as exc:
                refused.append(f"{a.unit}: {exc}")
        if refused:
            transaction.set_rollback(True)
        else:
            decision = CouncilDecision.objects.create(
                cycle=cycle,
                decided_on=decided_on,
                number=number,
                members=members,
                notes=notes.strip(),
                by=actor_user(actor),
            )
            decision.units.set([a.unit_id for a in assessments])
            record(
                actor=actor,
                action="council.decision",
                obj=decision,
                after={
                    "decided_on": decided_on.isoformat() if decided_on else None,
                    "number": number,
                    "members": members,
                    "notes": notes.strip(),
                    "units": sorted(a.unit.code for a in assessments),
                },
                context={"cycle": cycle.pk},
            )
    if refused:
        raise ValidationError(
            ["Chưa phê duyệt đơn vị nào (phải phê duyệt được tất cả đơn vị đã chọn):", *refused]
        )
    return decision


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
