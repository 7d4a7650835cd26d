"""The unit's part: saving a self-scored leaf, submitting the assessment, withdrawing it."""

from __future__ import annotations

from typing import Any, NamedTuple, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user
from parindex.assessments import permissions as perm
from parindex.assessments.models import Assessment, LeafScore
from parindex.assessments.selectors import missing_of
from parindex.assessments.services._common import (
    S,
    _engine_rule,
    _points_in_range,
    _save_leaf,
    assessment_move,
)
from parindex.cycles.services import require_unfrozen
from parindex.prepared import Prepared


class ScoreInput(TypedDict, total=False):
    """What a save of a self-scored leaf may set (a key left out: unchanged)."""

    value: Any
    points: Any
    not_applicable: bool | None
    explanation: str | None


def score_set(
    *,
    score: LeafScore,
    expected_version: int,
    actor: User | None,
    **inputs: Unpack[ScoreInput],
) -> LeafScore:
    """Save the unit's input for one self-scored leaf. ``value`` is the rule input (tier
    label, percentage, count, "có"; decimal comma accepted) and gives the points through
    the engine; ``points`` is for manual leaves. In the explanation window (returned)
    only ``explanation`` may change."""
    with transaction.atomic(durable=True):
        # The leaf is read again with the lock (the autosave's own read), and the
        # version is compared on write.
        row = _LOCKED_BY_ID.first(score.pk, score.assessment_id)
        if row is None:
            raise LeafScore.DoesNotExist("LeafScore matching query does not exist.")
        caller = score._state.fields_cache.get("assessment")
        fresh, _memo = _score_write(row, expected_version, actor, inputs, caller)
        return fresh


class ScoreSaved(NamedTuple):
    """What :func:`score_set_by_id` read and wrote: the leaf as it was under the lock
    (``before``), as written (``saved``, the same object when nothing changed) and the
    deadlines the checks read (``deadlines``, for :func:`~parindex.assessments.
    permissions.remember_deadlines` of the answer's assessment)."""

    before: LeafScore
    saved: LeafScore
    deadlines: dict[Any, Any]


def score_set_by_id(
    *,
    assessment_id: int,
    score_id: int,
    expected_version: int,
    actor: User | None,
    **inputs: Unpack[ScoreInput],
) -> ScoreSaved:
    """:func:`score_set` of the leaf ``score_id`` of assessment ``assessment_id`` (the
    autosave): one locked read gives the leaf with its criterion and rule and the
    assessment with its cycle, unit and framework. 404 when the leaf is not one of that
    assessment, or the actor may not see it (the checks' own rule)."""
    with transaction.atomic(durable=True):
        row = _LOCKED_BY_ID.first(score_id, assessment_id)
        if row is None:
            raise Http404("Không tìm thấy điểm.")
        fresh, memo = _score_write(row, expected_version, actor, inputs, None)
    return ScoreSaved(row, fresh, memo)


# Compiled once (parindex.prepared): a save's one read, locking the assessment row only
# (SQLite's IMMEDIATE transactions already serialise). The deadline extension stays a
# query of its own: annotated here as a subquery it cost more CPU (compiling it) than the
# small query it saves.
_LOCKED_BY_ID = Prepared(
    lambda score_id, assessment_id: (
        LeafScore.objects.select_for_update(of=("assessment",))
        .select_related(
            "criterion__rule", "assessment__cycle", "assessment__unit", "assessment__framework"
        )
        .filter(pk=score_id, assessment_id=assessment_id)
        .order_by()
    )
)


def _score_write(
    row: LeafScore,
    expected_version: int,
    actor: User | None,
    inputs: ScoreInput,
    caller: Assessment | None,
) -> tuple[LeafScore, dict[Any, Any]]:
    """The checks and the write of :func:`score_set` on ``row``, read under the lock of its
    assessment (a concurrent submission, a compare-and-set on the assessment's status,
    then either waits for this save or is seen by it — a save never slips in after the
    unit head submitted. SQLite's IMMEDIATE transactions already serialise): the row
    written and the deadlines the checks read."""
    value, points = inputs.get("value"), inputs.get("points")
    not_applicable, explanation = inputs.get("not_applicable"), inputs.get("explanation")
    a = row.assessment
    require_unfrozen(a.cycle)
    # Checked afresh inside the transaction; the deadlines read here are then shared
    # with the caller's object of the same assessment (the page's answer reuses them).
    memo = perm.remember_deadlines(a)
    scoring = value is not None or points is not None or not_applicable is not None
    if scoring or a.status != S.RETURNED:
        perm.check_edit_self(actor, a, row)
    else:
        perm.check_explain(actor, a)
    del a._deadline_memo  # type: ignore[attr-defined]  # the returned row must not keep them
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
                pts = _points_in_range(row, given, field, rule)
                changes.update(self_value=str(text).strip(), self_points=pts)
                if not_applicable is None and row.not_applicable:
                    changes["not_applicable"] = False
    if explanation is not None:
        changes["explanation"] = explanation.strip()
    # Plain values only: the written row is built, not read back.
    fresh = _save_leaf(
        row=row,
        changes=changes,
        expected_version=expected_version,
        actor=actor,
        action="score.self",
        reread=False,
    )
    return fresh, memo


def _missing(assessment: Assessment) -> list[str]:
    """What keeps the assessment from being submitted, one message per leaf."""
    return [f"{m.code}: {m.reason}" for m in missing_of(assessment)]


def _check_submittable(actor: User | None, a: Assessment) -> None:
    problems = _missing(a)
    if problems:
        raise ValidationError(problems)


def assessment_submit(*, assessment: Assessment, actor: User | None) -> Assessment:
    """The unit head submits (draft → submitted), refused with one message per leaf that
    misses points or evidence/explanation."""
    return assessment_move(
        assessment=assessment,
        service="assessment_submit",
        also=_check_submittable,
        actor=actor,
        changes={"submitted_at": timezone.now(), "submitted_by": actor_user(actor)},
    )


def assessment_withdraw(*, assessment: Assessment, actor: User | None) -> Assessment:
    return assessment_move(
        assessment=assessment,
        service="assessment_withdraw",
        actor=actor,
        changes={"submitted_at": None, "submitted_by": None},
    )
