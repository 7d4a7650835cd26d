"""The Sở Nội vụ's stage control: move a cycle forward (refused while something blocks the
next stage: :func:`parindex.cycles.stage_checks.stage_blockers`), back one stage, or reopen
an approved/published cycle, with a reason; publication goes through
:func:`~parindex.results.services.publish.cycle_publish`. Every move is
:func:`parindex.cycles.services.cycle_transition` (lock, table, compare-and-set, audit) and
notifies the people concerned after commit. The page, the API and the demo call this."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from parindex import outbox
from parindex.accounts.models import Role, User
from parindex.accounts.permissions import require_admin
from parindex.assessments.models import AppraisalAssignment
from parindex.cycles.models import FROZEN_STAGES, Cycle, CycleStatus, CycleUnit
from parindex.cycles.services import check_transition, cycle_transition
from parindex.cycles.stage_checks import blocker_messages, is_forward, stage_blockers
from parindex.notifications.models import NotificationKind
from parindex.results.services.publish import cycle_publish

__all__ = ["cycle_stage_move"]

C = CycleStatus

UNITS, APPRAISERS, COUNCIL, LEADERS = "units", "appraisers", "council", "leaders"
EVERYONE = (UNITS, APPRAISERS, COUNCIL, LEADERS)

#: Who is concerned when a cycle enters or leaves each stage.
CONCERNED: dict[str, tuple[str, ...]] = {
    C.DRAFT: (),
    C.SELF_ASSESSMENT: (UNITS,),
    C.APPRAISAL_ROUND1: (APPRAISERS,),
    C.EXPLANATION: (UNITS, APPRAISERS),
    C.APPRAISAL_ROUND2: (APPRAISERS,),
    C.COUNCIL: (COUNCIL,),
    C.APPROVED: EVERYONE,
    C.PUBLISHED: EVERYONE,
}


def _people(cycle: Cycle, groups: set[str]) -> list[User]:
    active = User.objects.filter(is_active=True)
    found: dict[int, User] = {}
    if UNITS in groups:
        unit_ids = CycleUnit.objects.filter(cycle=cycle).values("unit_id")
        for u in active.filter(unit_id__in=unit_ids, role__in=(Role.UNIT_STAFF, Role.UNIT_HEAD)):
            found[u.pk] = u
    if APPRAISERS in groups:
        ids = AppraisalAssignment.objects.filter(cycle=cycle).values("appraiser_id")
        for u in active.filter(pk__in=ids):
            found[u.pk] = u
    roles = [r for g, r in ((COUNCIL, Role.COUNCIL), (LEADERS, Role.LEADER)) if g in groups]
    for u in active.filter(role__in=roles):
        found[u.pk] = u
    return list(found.values())


def _notify(cycle: Cycle, old: str, new: str, reason: str) -> None:
    reopened = old in FROZEN_STAGES and new not in FROZEN_STAGES
    label = C(new).label
    title = (
        f"{cycle}: mở lại kỳ đánh giá (giai đoạn “{label}”)"
        if reopened
        else f"{cycle}: chuyển sang giai đoạn “{label}”"
    )
    body = f"Sở Nội vụ chuyển kỳ đánh giá từ “{C(old).label}” sang “{label}”."
    if reason:
        body += f" Lý do: {reason}"
    groups = set(CONCERNED.get(old, ())) | set(CONCERNED.get(new, ()))
    if reopened:
        groups = set(EVERYONE)
    outbox.notify_after_commit(
        users=_people(cycle, groups),
        kind=NotificationKind.CYCLE_STAGE,
        title=title,
        body=body,
        url=reverse("cycle_detail", args=[cycle.pk]),
    )


def cycle_stage_move(*, cycle: Cycle, to: str, actor: User | None, reason: str = "") -> Cycle:
    """Move ``cycle`` to the stage ``to`` (the next one, or back one: then the reason is
    required). Raises ``ValidationError`` listing what blocks a forward move (nothing
    changes), :class:`~parindex.workflow.InvalidTransition` when the table does not allow
    the move and :class:`~parindex.workflow.ConcurrentChange` when someone moved it first."""
    require_admin(actor, "chuyển giai đoạn kỳ đánh giá")
    reason = (reason or "").strip()
    if to not in C.values:
        raise ValidationError({"to": f"Không có giai đoạn “{to}”."})
    old = cycle.status
    check_transition(old, to)
    forward = is_forward(old, to)
    if not forward and not reason:
        raise ValidationError(
            {"reason": "Nhập lý do khi đưa kỳ đánh giá về giai đoạn trước hoặc mở lại kỳ."}
        )
    blockers = stage_blockers(cycle, to)
    if blockers:
        raise ValidationError(
            [f"Chưa chuyển được sang “{C(to).label}”: {m}" for m in blocker_messages(blockers)],
            code="blocked",
        )
    if to == C.PUBLISHED:
        cycle_publish(cycle=cycle, actor=actor, reason=reason)
        _notify(cycle, old, to, reason)  # after the publication's commit: sent at once
        return cycle
    with transaction.atomic(durable=True):
        reopened = old in FROZEN_STAGES and to not in FROZEN_STAGES
        cycle_transition(
            cycle=cycle,
            to=to,
            actor=actor,
            reason=reason,
            audit="cycle.reopen" if reopened else "cycle.transition",
        )
        _notify(cycle, old, to, reason)
    return cycle
