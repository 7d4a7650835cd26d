"""The appraisal team's part: round 1, return for explanation (and the unit's
resubmission), round 2, appraised and bonus/penalty points, comments.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user
from parindex.assessments import permissions as perm
from parindex.assessments.models import Assessment, Comment, CommentRound, LeafScore
from parindex.assessments.services._common import (
    S,
    _ctx,
    _fresh_score,
    _notify_unit,
    _num,
    _points_in_range,
    _save_leaf,
    assessment_move,
)
from parindex.audit.services import record
from parindex.cycles.services import require_unfrozen
from parindex.engine.framework import ADJUSTMENT_SOURCES, EXTERNAL_SOURCES


def appraisal_start(*, assessment: Assessment, actor: User | None) -> Assessment:
    return assessment_move(
        assessment=assessment,
        service="appraisal_start",
        actor=actor,
    )


def appraisal_set(
    *,
    score: LeafScore,
    round: int,
    points: Any,
    reason: str,
    expected_version: int,
    actor: User | None,
) -> LeafScore:
    """Round 1 or 2 points for a self-scored leaf; ``points=None`` clears them. A reason is
    required when the points differ from the self points."""
    if round not in (1, 2):
        raise ValidationError({"round": "Vòng thẩm định phải là 1 hoặc 2."})
    with transaction.atomic(durable=True):
        row = _fresh_score(score)
        a = row.assessment
        require_unfrozen(a.cycle)
        perm.check_appraise(actor, a, row)
        needed = S.ROUND1 if round == 1 else S.ROUND2
        if a.status != needed:
            raise ValidationError(
                f"Phiếu đang ở trạng thái “{S(a.status).label}”: không chấm điểm thẩm định "
                f"vòng {round}."
            )
        src = row.criterion.source
        if src in EXTERNAL_SOURCES:
            raise ValidationError(
                f"Tiêu chí {row.criterion.code} lấy điểm từ nguồn bên ngoài ({src}); "
                "Sở Nội vụ nhập điểm này."
            )
        if src in ADJUSTMENT_SOURCES:
            raise ValidationError(
                f"Tiêu chí {row.criterion.code} là điểm thưởng/điểm trừ: chấm bằng "
                "chức năng điểm thưởng/trừ, kèm lý do."
            )
        reason = (reason or "").strip()
        pts = (
            None
            if points is None or str(points).strip() == ""
            else _points_in_range(row, points, "points")
        )
        if pts is not None and pts != row.self_points and not reason:
            raise ValidationError(
                {
                    "reason": f"Tiêu chí {row.criterion.code}: cần nêu lý do khi điểm thẩm định "
                    f"({_num(pts)}) khác điểm tự chấm ({_num(row.self_points) or 'trống'})."
                }
            )
        return _save_leaf(
            row=row,
            changes={f"round{round}_points": pts, f"round{round}_reason": reason},
            expected_version=expected_version,
            actor=actor,
            action=f"score.round{round}",
            reason=reason,
        )


def adjustment_set(*, score: LeafScore, points: Any, reason: str, actor: User | None) -> LeafScore:
    """Bonus or penalty points (within the leaf's maximum, its cap), with a reason, in
    the current appraisal round."""
    with transaction.atomic(durable=True):
        row = _fresh_score(score)
        a = row.assessment
        require_unfrozen(a.cycle)
        perm.check_adjust(actor, a, row)
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": "Cần nêu lý do cho điểm thưởng/điểm trừ."})
        pts = (
            None
            if points is None or str(points).strip() == ""
            else _points_in_range(row, points, "points")
        )
        n = 1 if a.status == S.ROUND1 else 2
        return _save_leaf(
            row=row,
            changes={f"round{n}_points": pts, "adjustment_reason": reason},
            expected_version=row.version,
            actor=actor,
            action="score.adjustment",
            reason=reason,
        )


def comment_add(*, score: LeafScore, text: str, actor: User | None) -> Comment:
    text = (text or "").strip()
    with transaction.atomic(durable=True):
        row = _fresh_score(score)
        a = row.assessment
        perm.check_comment(actor, a, row)
        if not text:
            raise ValidationError({"text": "Nội dung ý kiến không được để trống."})
        rounds: dict[str, CommentRound] = {
            S.ROUND1: CommentRound.ROUND1,
            S.RETURNED: CommentRound.ROUND1,
            S.EXPLAINED: CommentRound.ROUND1,
            S.ROUND2: CommentRound.ROUND2,
        }
        rnd = rounds.get(a.status, CommentRound.SELF)
        comment = Comment.objects.create(score=row, author=actor_user(actor), round=rnd, text=text)
        record(
            actor=actor,
            action="comment.add",
            obj=comment,
            after={"round": int(rnd), "text": text},
            context=_ctx(a, row),
        )
    return comment


def assessment_return(
    *, assessment: Assessment, deadline: datetime, message: str, actor: User | None
) -> Assessment:
    message = (message or "").strip()

    def check(user: User | None, a: Assessment) -> None:
        errors: dict[str, str] = {}
        if not message:
            errors["message"] = "Cần nêu nội dung yêu cầu đơn vị giải trình, bổ sung."
        if deadline is None:
            errors["deadline"] = "Cần đặt hạn giải trình."
        elif deadline <= timezone.now():
            errors["deadline"] = "Hạn giải trình phải sau thời điểm hiện tại."
        if errors:
            raise ValidationError(errors)

    def notify(a: Assessment) -> None:
        _notify_unit(
            a,
            kind="returned",
            title=f"{a.cycle}: phiếu được trả lại để giải trình",
            body=f"{message}\nHạn giải trình: {timezone.localtime(deadline):%H:%M ngày %d/%m/%Y}.",
        )

    return assessment_move(
        assessment=assessment,
        service="assessment_return",
        also=check,
        actor=actor,
        changes={
            "returned_at": timezone.now(),
            "return_message": message,
            "explanation_due": deadline,
        },
        reason=message,
        context={"deadline": deadline.isoformat() if deadline else None},
        then=notify,
    )


def assessment_resubmit(*, assessment: Assessment, actor: User | None) -> Assessment:
    return assessment_move(
        assessment=assessment,
        service="assessment_resubmit",
        actor=actor,
        changes={"explained_at": timezone.now()},
    )


def _round2_from_round1(a: Assessment) -> None:
    LeafScore.objects.filter(
        assessment_id=a.pk,
        round2_points__isnull=True,
        criterion__source__in=["self", *sorted(ADJUSTMENT_SOURCES)],
    ).update(
        round2_points=Coalesce("round1_points", "self_points"),
        round2_reason=F("round1_reason"),
        version=F("version") + 1,
    )


def appraisal_round2_start(*, assessment: Assessment, actor: User | None) -> Assessment:
    """Round 2 starts from round 1: every appraised leaf without round-2 points gets its
    round-1 points (else its self points) and reason."""
    return assessment_move(
        assessment=assessment,
        service="appraisal_round2_start",
        actor=actor,
        then=_round2_from_round1,
    )
