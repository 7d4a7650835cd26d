"""The appraisal team's part: round 1, return for explanation (and the unit's
resubmission), round 2, appraised and bonus/penalty points, comments.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from parindex.assessments.models import (
    Assessment,
    Comment,
    CommentRound,
    ExplanationRequest,
    LeafScore,
)
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


def _requested_leaves(
    actor: User | None, a: Assessment, leaves: Mapping[str, str]
) -> list[tuple[LeafScore, str]]:
    """The ticked leaves as (leaf, message), checked: at least one, each a leaf of the
    assessment the actor appraises, each with a message."""
    if not leaves:
        raise ValidationError({"leaves": "Chọn ít nhất một tiêu chí cần giải trình."})
    rows = {
        s.criterion.code: s
        for s in LeafScore.objects.filter(assessment_id=a.pk, criterion__code__in=list(leaves))
        .select_related("criterion")
        .order_by("criterion__position")
    }
    errors: list[str] = []
    picked: list[tuple[LeafScore, str]] = []
    for code, text in leaves.items():
        row = rows.get(code)
        if row is None:
            errors.append(f"Không có tiêu chí lá “{code}” trong phiếu này.")
            continue
        if not perm.can_appraise_code(actor, a, code):
            errors.append(f"Tiêu chí {code} không thuộc phần bạn được phân công thẩm định.")
            continue
        if not (text or "").strip():
            errors.append(f"Tiêu chí {code}: cần nêu nội dung yêu cầu giải trình.")
            continue
        picked.append((row, text.strip()))
    if errors:
        raise ValidationError({"leaves": errors})
    return sorted(picked, key=lambda p: p[0].criterion.position)


def assessment_return(
    *,
    assessment: Assessment,
    deadline: datetime | None,
    actor: User | None,
    leaves: Mapping[str, str] | None = None,
    message: str = "",
) -> Assessment:
    """Return for explanation: ``leaves`` maps each ticked leaf's code to its message (at
    least one); ``message`` is an optional note for the whole assessment. One
    :class:`ExplanationRequest` per leaf; the unit sees exactly those leaves."""
    message = (message or "").strip()
    picked: list[tuple[LeafScore, str]] = []

    def check(user: User | None, a: Assessment) -> None:
        errors: dict[str, Any] = {}
        try:
            picked.extend(_requested_leaves(user, a, leaves or {}))
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if deadline is None:
            errors["deadline"] = "Cần đặt hạn giải trình."
        elif deadline <= timezone.now():
            errors["deadline"] = "Hạn giải trình phải sau thời điểm hiện tại."
        if errors:
            raise ValidationError(errors)

    def then(a: Assessment) -> dict[str, Any]:
        user = actor_user(actor)
        ExplanationRequest.objects.filter(assessment_id=a.pk).delete()  # a new round of asks
        ExplanationRequest.objects.bulk_create(
            ExplanationRequest(assessment_id=a.pk, score=row, message=text, requested_by=user)
            for row, text in picked
        )
        listed = "\n".join(f"- {row.criterion.code}: {text}" for row, text in picked)
        when = timezone.localtime(deadline) if deadline else None
        _notify_unit(
            a,
            kind="returned",
            title=f"{a.cycle}: phiếu được trả lại để giải trình",
            body=(f"{message}\n" if message else "")
            + f"Các tiêu chí cần giải trình:\n{listed}\n"
            + (f"Hạn giải trình: {when:%H:%M ngày %d/%m/%Y}." if when else ""),
        )
        return {"leaves": {row.criterion.code: text for row, text in picked}}

    summary = message or "; ".join(f"{c}: {t}" for c, t in (leaves or {}).items())
    return assessment_move(
        assessment=assessment,
        service="assessment_return",
        also=check,
        actor=actor,
        changes={
            "returned_at": timezone.now(),
            "return_message": summary,
            "explanation_due": deadline,
            "appraisal_done_at": None,
            "appraisal_done_by": None,
        },
        reason=summary,
        context={"deadline": deadline.isoformat() if deadline else None},
        then=then,
    )


def explanation_answer(*, score: LeafScore, answer: str, actor: User | None) -> ExplanationRequest:
    """The unit's answer to the request for explanation on leaf ``score`` (while
    returned, before the explanation deadline); audited."""
    answer = (answer or "").strip()
    with transaction.atomic(durable=True):
        row = _fresh_score(score)
        a = row.assessment
        perm.check_explain(actor, a)
        req = (
            ExplanationRequest.objects.select_for_update()
            .filter(score_id=row.pk)
            .select_related("score__criterion")
            .order_by("-id")
            .first()
        )
        if req is None:
            raise ValidationError(
                f"Tiêu chí {row.criterion.code} không có yêu cầu giải trình của tổ thẩm định."
            )
        if not answer:
            raise ValidationError({"answer": "Nhập nội dung giải trình."})
        before = req.answer
        req.answer = answer
        req.answered_by = actor_user(actor)
        req.answered_at = timezone.now()
        req.save(update_fields=["answer", "answered_by", "answered_at"])
        record(
            actor=actor,
            action="explanation.answer",
            obj=req,
            field="answer",
            before=before,
            after=answer,
            context=_ctx(a, req.score),
        )
    return req


def appraisal_done_set(*, assessment: Assessment, done: bool, actor: User | None) -> Assessment:
    """Mark (or unmark) the unit as “đã thẩm định xong”: appraisers assigned to the unit
    or the admin, during appraisal, until the council approves; audited."""
    with transaction.atomic(durable=True):
        a = (
            Assessment.objects.select_for_update()
            .select_related("cycle", "unit")
            .get(pk=assessment.pk)
        )
        perm.check_appraisal_done(actor, a)
        before = a.appraisal_done_at is not None
        if before != done:
            a.appraisal_done_at = timezone.now() if done else None
            a.appraisal_done_by = actor_user(actor) if done else None
            a.save(update_fields=["appraisal_done_at", "appraisal_done_by"])
            record(
                actor=actor,
                action="appraisal.done" if done else "appraisal.undone",
                obj=a,
                field="appraisal_done_at",
                before=before,
                after=done,
                context=_ctx(a),
            )
    return a


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
