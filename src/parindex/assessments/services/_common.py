"""What every stage of the assessment services shares: the optimistic lock on a leaf
(:class:`StaleScore`, :func:`_versioned_update`), the audit rows, the recompute request and
:func:`assessment_move`, the one way an assessment changes state.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField, F
from django.urls import reverse
from django.utils import timezone

from parindex import outbox
from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user
from parindex.assessments import permissions as perm
from parindex.assessments.models import Assessment, AssessmentStatus, LeafScore, transition_for
from parindex.audit.services import record, record_row
from parindex.engine.framework import EXTERNAL_SOURCES
from parindex.engine.framework import Rule as EngineRule
from parindex.engine.rules import RuleInputError, points_for
from parindex.fields import POINT_DECIMAL_PLACES
from parindex.formats.numbers import vn_number
from parindex.frameworks.selectors import criterion_rule
from parindex.prepared import update_row
from parindex.results.services import request_recompute
from parindex.workflow import InvalidTransition, compare_and_set

S = AssessmentStatus


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
    return vn_number(d)


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


def _notify_unit(assessment: Assessment, *, kind: str, title: str, body: str) -> None:
    """Tell the unit's users about ``assessment`` (on commit), with a link to it."""
    outbox.notify_after_commit(
        users=_unit_users([assessment.unit_id]),
        kind=kind,
        title=title,
        body=body,
        url=_assessment_url(assessment),
    )


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
    return criterion_rule(score.criterion)


def _max_of(score: LeafScore) -> Decimal | None:
    """The leaf's maximum without the column's trailing zeros (1.5, not 1.500)."""
    m = score.criterion.max_points
    return None if m is None else Decimal(f"{m.normalize():f}")


def _points_in_range(
    score: LeafScore, value: Any, field: str, rule: EngineRule | None = None
) -> Decimal:
    """``value`` (number or text, decimal comma allowed; with ``rule``, the rule's input)
    as points within the leaf's max."""
    maximum = _max_of(score)
    if maximum is None:
        raise ValidationError({field: "Tiêu chí chưa có điểm tối đa."})
    try:
        pts = points_for(rule, maximum, value)
    except RuleInputError as exc:
        raise ValidationError({field: f"Tiêu chí {score.criterion.code}: {exc}."}) from exc
    if pts != round(pts, POINT_DECIMAL_PLACES):
        raise ValidationError(
            {field: f"Điểm chỉ được có tối đa {POINT_DECIMAL_PLACES} chữ số thập phân."}
        )
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
    # One statement built from the columns (parindex.prepared): the queryset's update()
    # cost more CPU compiling than running.
    count = update_row(
        LeafScore,
        {**changes, "updated_by": user, "updated_at": now},
        {"id": score.pk, "version": expected_version},
        increment="version",
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
    record_row(
        actor=actor,
        action=action,
        obj=before,
        field=",".join(changes),
        before={k: getattr(before, k) for k in changes},
        after=dict(changes),
        reason=reason,
        context=_ctx(before.assessment_id, before),
    )


def _save_leaf(
    *,
    row: LeafScore,
    changes: Mapping[str, Any],
    expected_version: int,
    actor: User | None,
    action: str,
    reason: str = "",
    reread: bool = True,
) -> LeafScore:
    """Write what ``changes`` really changes on the leaf (optimistic lock at
    ``expected_version``), audit it as ``action`` and ask for a recompute. When nothing
    changes: the row as it is, or :class:`StaleScore` if the user read an older version."""
    changes = {k: v for k, v in changes.items() if getattr(row, k) != v}
    if not changes:
        if row.version != expected_version:
            raise StaleScore(current=row)
        return row
    fresh = _versioned_update(
        score=row, expected_version=expected_version, changes=changes, actor=actor, reread=reread
    )
    _audit_score(actor=actor, action=action, before=row, changes=changes, reason=reason)
    _results_stale(row.assessment.cycle_id, row.assessment.unit_id)
    return fresh


def _results_stale(cycle_id: int, *unit_ids: int) -> None:
    """Every change of points or status changes the cycle's results: ask for a debounced
    background recompute of the units once this transaction commits."""
    request_recompute(cycle_id, units=unit_ids)


def _reloaded(a: Assessment) -> Assessment:
    return Assessment.objects.select_related("cycle", "unit", "framework").get(pk=a.pk)


Check = Callable[[User | None, Assessment], None]


def assessment_move(
    *,
    assessment: Assessment,
    service: str,
    actor: User | None,
    also: Check | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    context: Mapping[str, Any] | None = None,
    then: Callable[[Assessment], Mapping[str, Any] | None] | None = None,
    durable: bool = True,
) -> Assessment:
    """The one way an assessment changes state: along the row of ``service`` in
    ``ASSESSMENT_FLOW`` that starts at the status the caller read.

    In one durable transaction: lock the assessment row (a concurrent save then waits, or
    is seen by the check), run the service's permission check
    (:func:`~parindex.assessments.permissions.check_move`, whose status condition reads the
    same table), then ``also`` (the service's own conditions: missing leaves, a reason…),
    compare-and-set the status with ``changes``, run ``then`` (the change's other writes;
    it may return more audit context), write the audit row and ask for a results recompute
    on commit. ``durable=False`` only for a caller that moves several assessments in its
    own all-or-nothing transaction (the council's decision): each move is then a
    savepoint."""
    with transaction.atomic(durable=durable):
        a = _locked(assessment)
        perm.check_move(actor, a, service)
        if also is not None:
            also(actor, a)
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
        _results_stale(a.cycle_id, a.unit_id)
    return _reloaded(a)
