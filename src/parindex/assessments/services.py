"""Writes for the annual cycle (docs/workflow.md): self-assessment, submission, appraisal
rounds, explanation, council approval, external points, deadlines and assignments.

Every service is keyword-only with the actor last, runs in one durable transaction
(plain ``atomic`` where a caller legitimately nests it, said at the service), re-checks the
actor's permission inside it (:mod:`parindex.assessments.permissions`), writes its audit
row in the same transaction (``context`` carries ``assessment`` and ``score`` ids so
:func:`~parindex.assessments.selectors.audit_of` finds it) and sends notifications only on
commit. Every state change goes through :func:`assessment_move`, along
``ASSESSMENT_FLOW``.
"""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, DecimalField, F, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from parindex import outbox
from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user, require_admin
from parindex.assessments import permissions as perm
from parindex.assessments.models import (
    AppraisalAssignment,
    Assessment,
    AssessmentStatus,
    Comment,
    CommentRound,
    DeadlineExtension,
    FinalSource,
    LeafScore,
    transition_for,
)
from parindex.assessments.selectors import assessment_tree, missing_of
from parindex.audit.services import record
from parindex.cycles.models import DEADLINE_STAGES, Cycle, CycleStatus, CycleUnit
from parindex.cycles.services import cycle_create, cycle_transition
from parindex.engine.framework import ADJUSTMENT_SOURCES, EXTERNAL_SOURCES
from parindex.engine.framework import Rule as EngineRule
from parindex.engine.rules import RuleInputError, points_for
from parindex.formats.errors import FormatError, Problem
from parindex.frameworks import codec
from parindex.frameworks.models import Criterion
from parindex.results.services import request_recompute
from parindex.workflow import ConcurrentChange, InvalidTransition, compare_and_set

__all__ = [
    "ConcurrentChange",
    "InvalidTransition",
    "StaleScore",
    "adjustment_set",
    "appraisal_round2_start",
    "appraisal_set",
    "appraisal_start",
    "assessment_move",
    "assessment_reopen",
    "assessment_resubmit",
    "assessment_return",
    "assessment_submit",
    "assessment_withdraw",
    "assessments_open",
    "assignment_set",
    "comment_add",
    "council_approve",
    "cycle_open",
    "deadline_extend",
    "external_points_import",
    "external_points_set",
    "score_set",
]

S = AssessmentStatus
NA_TOKENS = frozenset({"na", "n/a", "kad", "không áp dụng"})


class StaleScore(Exception):
    """Someone saved the leaf after the user read it. ``current`` is the fresh row."""

    def __init__(self, current: LeafScore) -> None:
        self.current = current
        who = current.updated_by or "người khác"
        when = timezone.localtime(current.updated_at).strftime("%H:%M:%S ngày %d/%m/%Y")
        super().__init__(
            f"Tiêu chí {current.criterion.code} đã được {who} cập nhật lúc {when} thành "
            f"{_shown(current)}. Giá trị của bạn chưa được lưu; hãy xem lại rồi lưu lại."
        )


def _shown(score: LeafScore) -> str:
    if score.not_applicable:
        return "“không áp dụng”"
    parts = []
    if score.self_points is not None:
        parts.append(f"{_num(score.self_points)} điểm tự chấm")
    if score.self_value and score.self_value != _num(score.self_points):
        parts.append(f"giá trị “{score.self_value}”")
    for n in (1, 2):
        p = getattr(score, f"round{n}_points")
        if p is not None:
            parts.append(f"{_num(p)} điểm thẩm định vòng {n}")
    if score.final_points is not None and score.criterion.source in EXTERNAL_SOURCES:
        parts.append(f"{_num(score.final_points)} điểm")
    return ", ".join(parts) or "để trống"


def _num(d: Decimal | None) -> str:
    if d is None:
        return ""
    n = d.normalize()
    return f"{n:f}".replace(".", ",")


def _ctx(assessment: Assessment | int, score: LeafScore | None = None, **more: Any) -> dict:
    ctx: dict[str, Any] = {
        "assessment": assessment if isinstance(assessment, int) else assessment.pk
    }
    if score is not None:
        ctx["score"] = score.pk
        ctx["code"] = score.criterion.code
    ctx.update(more)
    return ctx


def _unit_users(unit_ids: Iterable[int]) -> list[User]:
    return list(
        User.objects.filter(
            unit_id__in=list(unit_ids), is_active=True, role__in=("unit_staff", "unit_head")
        )
    )


def _assessment_url(assessment: Assessment) -> str:
    return reverse("assessment_detail", args=[assessment.pk])


def _locked(assessment: Assessment) -> Assessment:
    """Lock the assessment row (``SELECT … FOR UPDATE``; SQLite's IMMEDIATE transactions
    already serialise) and re-read it. The status kept is the one the caller read
    (``assessment.status``): the checks and the compare-and-set judge what the user saw."""
    fresh = (
        Assessment.objects.select_for_update().select_related("cycle", "unit").get(pk=assessment.pk)
    )
    fresh.status = assessment.status
    return fresh


def _fresh_score(score: LeafScore) -> LeafScore:
    return LeafScore.objects.select_related(
        "criterion__rule", "assessment__cycle", "assessment__unit", "updated_by"
    ).get(pk=score.pk)


def _engine_rule(score: LeafScore) -> EngineRule | None:
    crit = score.criterion
    try:
        rule = crit.rule
    except type(crit).rule.RelatedObjectDoesNotExist:
        return None
    return EngineRule(type=rule.type, params=codec.decode(rule.params))


def _max_of(score: LeafScore) -> Decimal | None:
    """The leaf's maximum without the column's trailing zeros (1.5, not 1.500)."""
    m = score.criterion.max_points
    return None if m is None else Decimal(f"{m.normalize():f}")


def _points_in_range(score: LeafScore, value: Any, field: str) -> Decimal:
    """``value`` (number or text, decimal comma allowed) as points within the leaf's max."""
    maximum = _max_of(score)
    if maximum is None:
        raise ValidationError({field: "Tiêu chí chưa có điểm tối đa."})
    try:
        pts = points_for(None, maximum, value)
    except RuleInputError as exc:
        raise ValidationError({field: f"Tiêu chí {score.criterion.code}: {exc}."}) from exc
    if pts != pts.quantize(Decimal("0.001")):
        raise ValidationError({field: "Điểm chỉ được có tối đa 3 chữ số thập phân."})
    return pts


def _versioned_update(
    *,
    score: LeafScore,
    expected_version: int,
    changes: dict[str, Any],
    actor: User | None,
    reread: bool = True,
) -> LeafScore:
    """Write ``changes`` if the row is still at ``expected_version``; else StaleScore.
    ``reread=False`` (plain values only): the written row is built from ``score`` and
    ``changes`` instead of being read back — the UPDATE matched the version that ``score``
    was read at, so nothing else changed."""
    if score.version != expected_version:
        raise StaleScore(current=score)
    now = timezone.now()
    user = actor_user(actor)
    count = LeafScore.objects.filter(pk=score.pk, version=expected_version).update(
        **changes,
        version=F("version") + 1,
        updated_by=user,
        updated_at=now,
    )
    if count != 1:
        raise StaleScore(current=_fresh_score(score))
    if reread:
        return _fresh_score(score)
    fresh = copy.copy(score)
    fresh._state = copy.copy(score._state)
    fresh._state.fields_cache = dict(score._state.fields_cache)
    for name, value in changes.items():
        f = LeafScore._meta.get_field(name)
        if value is not None and isinstance(f, DecimalField):
            # As the database gives it back: quantized to the column's decimal places.
            value = Decimal(value).quantize(Decimal(1).scaleb(-f.decimal_places))
        setattr(fresh, name, value)
    fresh.version = expected_version + 1
    fresh.updated_by = user
    fresh.updated_at = now
    return fresh


def _audit_score(
    *,
    actor: User | None,
    action: str,
    before: LeafScore,
    changes: Mapping[str, Any],
    reason: str = "",
) -> None:
    record(
        actor=actor,
        action=action,
        obj=before,
        field=",".join(changes),
        before={k: getattr(before, k) for k in changes},
        after=dict(changes),
        reason=reason,
        context=_ctx(before.assessment_id, before),
    )


# ---------------------------------------------------------------- opening


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


# ---------------------------------------------------------------- self-assessment


def score_set(
    *,
    score: LeafScore,
    expected_version: int,
    actor: User | None,
    value: Any = None,
    points: Any = None,
    not_applicable: bool | None = None,
    explanation: str | None = None,
) -> LeafScore:
    """Save the unit's input for one self-scored leaf. ``value`` is the rule input (tier
    label, percentage, count, "có"; decimal comma accepted) and gives the points through
    the engine; ``points`` is for manual leaves. In the explanation window (returned)
    only ``explanation`` may change."""
    with transaction.atomic(durable=True):
        # Lock the assessment row first: a concurrent submission (a compare-and-set on its
        # status) then either waits for this save or is seen by it — a save never slips in
        # after the unit head submitted. (SQLite's IMMEDIATE transactions already serialise.)
        Assessment.objects.select_for_update().filter(pk=score.assessment_id).first()
        row = _fresh_score(score)
        a = row.assessment
        # Checked afresh inside the transaction; the deadlines read here are then shared
        # with the caller's object of the same assessment (the page's answer reuses them).
        memo = perm.remember_deadlines(a)
        scoring = value is not None or points is not None or not_applicable is not None
        if scoring or a.status != S.RETURNED:
            perm.check_edit_self(actor, a, row)
        else:
            perm.check_explain(actor, a)
        del a._deadline_memo  # the returned row must not keep them
        caller = score._state.fields_cache.get("assessment")
        if caller is not None and caller.pk == a.pk and hasattr(caller, "_deadline_memo"):
            caller._deadline_memo.update(memo)
        changes: dict[str, Any] = {}
        if not_applicable is not None:
            changes["not_applicable"] = bool(not_applicable)
            if not_applicable:
                changes["self_points"] = None
                changes["self_value"] = ""
        if not changes.get("not_applicable"):
            rule = _engine_rule(row)
            manual = rule is None or rule.type == "manual"
            if points is not None and not manual:
                raise ValidationError(
                    {
                        "points": f"Tiêu chí {row.criterion.code} tính điểm theo cách chấm; "
                        "hãy nhập giá trị, không nhập điểm."
                    }
                )
            given = points if points is not None else value
            field = "points" if points is not None else "value"
            if given is not None:
                text = ("có" if given else "không") if isinstance(given, bool) else str(given)
                if str(text).strip() == "":
                    changes.update(self_value="", self_points=None)
                else:
                    maximum = _max_of(row)
                    if maximum is None:
                        raise ValidationError({field: "Tiêu chí chưa có điểm tối đa."})
                    try:
                        pts = points_for(rule, maximum, given)
                    except RuleInputError as exc:
                        raise ValidationError(
                            {field: f"Tiêu chí {row.criterion.code}: {exc}."}
                        ) from exc
                    if pts != pts.quantize(Decimal("0.001")):
                        raise ValidationError(
                            {field: "Điểm chỉ được có tối đa 3 chữ số thập phân."}
                        )
                    changes.update(self_value=str(text).strip(), self_points=pts)
                    if not_applicable is None and row.not_applicable:
                        changes["not_applicable"] = False
        if explanation is not None:
            changes["explanation"] = explanation.strip()
        changes = {k: v for k, v in changes.items() if getattr(row, k) != v}
        if not changes:
            if row.version != expected_version:
                raise StaleScore(current=row)
            return row
        fresh = _versioned_update(
            score=row,
            expected_version=expected_version,
            changes=changes,
            actor=actor,
            reread=False,
        )
        _audit_score(actor=actor, action="score.self", before=row, changes=changes)
        _results_stale(row.assessment.cycle_id)
    return fresh


def _missing(assessment: Assessment) -> list[str]:
    """What keeps the assessment from being submitted, one message per leaf."""
    return [f"{m.code}: {m.reason}" for m in missing_of(assessment)]


def _results_stale(cycle_id: int) -> None:
    """Every change of points or status changes the cycle's results: ask for a debounced
    background recompute once this transaction commits."""
    request_recompute(cycle_id)


def _reloaded(a: Assessment) -> Assessment:
    return Assessment.objects.select_related("cycle", "unit", "framework").get(pk=a.pk)


Check = Callable[[User | None, Assessment], None]


def assessment_move(
    *,
    assessment: Assessment,
    service: str,
    check: Check,
    actor: User | None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    context: Mapping[str, Any] | None = None,
    then: Callable[[Assessment], Mapping[str, Any] | None] | None = None,
) -> Assessment:
    """The one way an assessment changes state: along the row of ``service`` in
    ``ASSESSMENT_FLOW`` that starts at the status the caller read.

    In one durable transaction: lock the assessment row (a concurrent save then waits, or
    is seen by the check), run ``check`` (the permission check, which reads the same table,
    plus the service's own conditions), compare-and-set the status with ``changes``, run
    ``then`` (the change's other writes; it may return more audit context), write the
    audit row and ask for a results recompute on commit."""
    with transaction.atomic(durable=True):
        a = _locked(assessment)
        check(actor, a)
        move = transition_for(service, a.status)
        if move is None:  # every check reads the table; this catches one that forgot
            raise InvalidTransition(
                f"Phiếu đang ở trạng thái “{S(a.status).label}”: không thể {service}."
            )
        compare_and_set(
            Assessment,
            pk=a.pk,
            field="status",
            old=move.frm,
            new=move.to,
            version=F("version") + 1,
            updated_at=timezone.now(),
            **(changes or {}),
        )
        more = then(a) if then is not None else None
        record(
            actor=actor,
            action=move.audit,
            obj=a,
            field="status",
            before=move.frm,
            after=move.to,
            reason=reason,
            context=_ctx(a, **{**(context or {}), **(more or {})}),
        )
        _results_stale(a.cycle_id)
    return _reloaded(a)


def _check_submittable(actor: User | None, a: Assessment) -> None:
    perm.check_submit(actor, a)
    problems = _missing(a)
    if problems:
        raise ValidationError(problems)


def assessment_submit(*, assessment: Assessment, actor: User | None) -> Assessment:
    """The unit head submits (draft → submitted), refused with one message per leaf that
    misses points or evidence/explanation."""
    return assessment_move(
        assessment=assessment,
        service="assessment_submit",
        check=_check_submittable,
        actor=actor,
        changes={"submitted_at": timezone.now(), "submitted_by": actor_user(actor)},
    )


def assessment_withdraw(*, assessment: Assessment, actor: User | None) -> Assessment:
    return assessment_move(
        assessment=assessment,
        service="assessment_withdraw",
        check=perm.check_withdraw,
        actor=actor,
        changes={"submitted_at": None, "submitted_by": None},
    )


# ---------------------------------------------------------------- appraisal


def appraisal_start(*, assessment: Assessment, actor: User | None) -> Assessment:
    return assessment_move(
        assessment=assessment,
        service="appraisal_start",
        check=perm.check_start_appraisal,
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
        changes = {f"round{round}_points": pts, f"round{round}_reason": reason}
        changes = {k: v for k, v in changes.items() if getattr(row, k) != v}
        if not changes:
            if row.version != expected_version:
                raise StaleScore(current=row)
            return row
        fresh = _versioned_update(
            score=row, expected_version=expected_version, changes=changes, actor=actor
        )
        _audit_score(
            actor=actor, action=f"score.round{round}", before=row, changes=changes, reason=reason
        )
        _results_stale(row.assessment.cycle_id)
    return fresh


def adjustment_set(*, score: LeafScore, points: Any, reason: str, actor: User | None) -> LeafScore:
    """Bonus or penalty points (within the leaf's maximum, its cap), with a reason, in
    the current appraisal round."""
    with transaction.atomic(durable=True):
        row = _fresh_score(score)
        a = row.assessment
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
        changes = {f"round{n}_points": pts, "adjustment_reason": reason}
        changes = {k: v for k, v in changes.items() if getattr(row, k) != v}
        if not changes:
            return row
        fresh = _versioned_update(
            score=row, expected_version=row.version, changes=changes, actor=actor
        )
        _audit_score(
            actor=actor, action="score.adjustment", before=row, changes=changes, reason=reason
        )
        _results_stale(row.assessment.cycle_id)
    return fresh


def comment_add(*, score: LeafScore, text: str, actor: User | None) -> Comment:
    text = (text or "").strip()
    with transaction.atomic(durable=True):
        row = _fresh_score(score)
        a = row.assessment
        perm.check_comment(actor, a, row)
        if not text:
            raise ValidationError({"text": "Nội dung ý kiến không được để trống."})
        rnd = {
            S.ROUND1: CommentRound.ROUND1,
            S.RETURNED: CommentRound.ROUND1,
            S.EXPLAINED: CommentRound.ROUND1,
            S.ROUND2: CommentRound.ROUND2,
        }.get(a.status, CommentRound.SELF)
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
        perm.check_return(user, a)
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
        outbox.notify_after_commit(
            users=_unit_users([a.unit_id]),
            kind="returned",
            title=f"{a.cycle}: phiếu được trả lại để giải trình",
            body=f"{message}\nHạn giải trình: {timezone.localtime(deadline):%H:%M ngày %d/%m/%Y}.",
            url=_assessment_url(a),
        )

    return assessment_move(
        assessment=assessment,
        service="assessment_return",
        check=check,
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
        check=perm.check_resubmit,
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
        check=perm.check_start_round2,
        actor=actor,
        then=_round2_from_round1,
    )


def _check_approvable(actor: User | None, a: Assessment) -> None:
    perm.check_approve(actor, a)
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
    tree = assessment_tree(_reloaded(a))
    outbox.notify_after_commit(
        users=_unit_users([a.unit_id]),
        kind="approved",
        title=f"{a.cycle}: kết quả đã được phê duyệt",
        body=f"Hội đồng thẩm định đã phê duyệt kết quả của {a.unit}: "
        f"{_num(tree.final.points)} điểm.",
        url=_assessment_url(a),
    )
    return {"final_points": str(tree.final.points)}


def council_approve(*, assessment: Assessment, actor: User | None) -> Assessment:
    """Approve: final points = round 2, else round 1, else self points; external leaves
    keep the points the admin set; N/A stays N/A."""
    now = timezone.now()
    return assessment_move(
        assessment=assessment,
        service="council_approve",
        check=_check_approvable,
        actor=actor,
        changes={"approved_at": now, "approved_by": actor_user(actor)},
        then=_set_final_points,
    )


def assessment_reopen(*, assessment: Assessment, reason: str, actor: User | None) -> Assessment:
    reason = (reason or "").strip()

    def check(user: User | None, a: Assessment) -> None:
        perm.check_reopen(user, a)
        if not reason:
            raise ValidationError({"reason": "Cần nêu lý do mở lại kết quả đã phê duyệt."})

    return assessment_move(
        assessment=assessment,
        service="assessment_reopen",
        check=check,
        actor=actor,
        reason=reason,
        changes={"approved_at": None, "approved_by": None},
    )


# ---------------------------------------------------------------- external points


def _parse_external(score: LeafScore, points: Any, field: str) -> tuple[Decimal | None, bool]:
    """(points, not_applicable) from a number, "NA" or ``None`` (clears)."""
    if points is None or str(points).strip() == "":
        return None, False
    if isinstance(points, str) and points.strip().lower() in NA_TOKENS:
        return None, True
    return _points_in_range(score, points, field), False


def external_points_set(
    *, score: LeafScore, points: Any, note: str, actor: User | None
) -> LeafScore:
    """Survey, SIPAS or statistic points entered by the admin (``"NA"`` = not
    applicable, ``None`` clears); they are the leaf's final points."""
    with transaction.atomic(durable=True):
        row = _fresh_score(score)
        perm.check_set_external(actor, row.assessment, row)
        pts, na = _parse_external(row, points, "points")
        changes = _external_changes(row, pts, na, note)
        if not changes:
            return row
        fresh = _versioned_update(
            score=row, expected_version=row.version, changes=changes, actor=actor
        )
        _audit_score(actor=actor, action="score.external", before=row, changes=changes)
        _results_stale(row.assessment.cycle_id)
    return fresh


def _external_changes(row: LeafScore, pts: Decimal | None, na: bool, note: str) -> dict[str, Any]:
    changes = {
        "final_points": pts,
        "not_applicable": na,
        "final_source": FinalSource.EXTERNAL if (pts is not None or na) else "",
        "external_note": (note or "").strip(),
    }
    return {k: v for k, v in changes.items() if getattr(row, k) != v}


def external_points_import(
    *,
    cycle: Cycle,
    actor: User | None,
    file_path: str | Path | None = None,
    text: str | None = None,
) -> dict[str, int]:
    """Import CSV ``unit,code,points`` (unit code, leaf code, points with dot or decimal
    comma, or NA). Every bad row is reported in one :class:`FormatError`; nothing is
    imported unless every row is good."""
    if (file_path is None) == (text is None):
        raise ValueError("external_points_import needs exactly one of file_path or text")
    require_admin(actor, "nhập điểm khảo sát, SIPAS, thống kê", system=True)
    if file_path is not None:
        name = Path(file_path).name
        raw = Path(file_path).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatError([Problem(name, None, None, "tệp không phải UTF-8")]) from exc
    else:
        name = "dữ liệu nhập"
    assert text is not None
    note = f"Nhập từ {name}"
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    problems: list[Problem] = []
    start = 1
    if rows and [c.strip().lower() for c in rows[0][:3]] == ["unit", "code", "points"]:
        start = 2
    elif rows and rows[0] and rows[0][0].strip().lower() in ("unit", "đơn vị", "don_vi"):
        problems.append(Problem(name, 1, None, "tiêu đề phải là unit,code,points"))
        start = 2
    body = [(i, r) for i, r in enumerate(rows[start - 1 :], start) if any(c.strip() for c in r)]
    if not body and not problems:
        problems.append(Problem(name, None, None, "tệp không có dòng dữ liệu nào"))
    scores = {
        (s.assessment.unit.code, s.criterion.code): s
        for s in LeafScore.objects.filter(assessment__cycle=cycle).select_related(
            "criterion", "assessment__unit", "updated_by"
        )
    }
    units = set(CycleUnit.objects.filter(cycle=cycle).values_list("unit__code", flat=True))
    seen: dict[tuple[str, str], int] = {}
    planned: list[tuple[LeafScore, dict[str, Any]]] = []
    for line, r in body:
        if len(r) != 3:
            problems.append(
                Problem(name, line, None, f"cần đúng 3 cột unit,code,points, có {len(r)} cột")
            )
            continue
        unit, code, points = (c.strip() for c in r)
        if unit not in units:
            problems.append(
                Problem(name, line, "unit", f"đơn vị “{unit}” không tham gia kỳ đánh giá này")
            )
            continue
        row = scores.get((unit, code))
        if row is None:
            problems.append(
                Problem(
                    name,
                    line,
                    "code",
                    f"không có tiêu chí lá “{code}” trong bộ tiêu chí của đơn vị “{unit}”",
                )
            )
            continue
        if row.criterion.source not in EXTERNAL_SOURCES:
            problems.append(
                Problem(
                    name,
                    line,
                    "code",
                    f"tiêu chí {code} không lấy điểm từ nguồn bên "
                    f"ngoài (nguồn: {row.criterion.source})",
                )
            )
            continue
        if (unit, code) in seen:
            problems.append(Problem(name, line, "code", f"trùng với dòng {seen[(unit, code)]}"))
            continue
        seen[(unit, code)] = line
        if row.assessment.status == S.APPROVED:
            problems.append(
                Problem(name, line, "unit", f"kết quả của đơn vị “{unit}” đã được phê duyệt")
            )
            continue
        try:
            pts, na = _parse_external(row, points, "points")
        except ValidationError as exc:
            reason = "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
            problems.append(Problem(name, line, "points", reason))
            continue
        if pts is None and not na:
            problems.append(Problem(name, line, "points", "thiếu điểm (ghi NA nếu không áp dụng)"))
            continue
        planned.append((row, _external_changes(row, pts, na, note)))
    if problems:
        raise FormatError(problems)
    changed = 0
    with transaction.atomic(durable=True):
        for row, changes in planned:
            if not changes:
                continue
            _versioned_update(score=row, expected_version=row.version, changes=changes, actor=actor)
            _audit_score(actor=actor, action="score.external", before=row, changes=changes)
            changed += 1
        if changed:
            _results_stale(cycle.pk)
        record(
            actor=actor,
            action="score.external_import",
            obj=cycle,
            after={"rows": len(planned), "changed": changed},
            context={"cycle": cycle.pk, "file": name},
        )
    return {"rows": len(planned), "changed": changed, "unchanged": len(planned) - changed}


# ---------------------------------------------------------------- deadlines and teams


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
