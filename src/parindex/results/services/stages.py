"""The Sở Nội vụ's stage control: move a cycle forward (refused while something blocks the
next stage: :func:`parindex.cycles.stage_checks.stage_blockers`), back one stage, or reopen
an approved/published cycle, with a reason; publication goes through
:func:`~parindex.results.services.publish.cycle_publish`. Every move is
:func:`parindex.cycles.services.cycle_transition` (lock, table, compare-and-set, audit) and
notifies the people concerned after commit. The page, the API and the demo call this."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.accounts.models import User
from parindex.accounts.permissions import require_admin
from parindex.cycles.models import FROZEN_STAGES, Cycle, CycleStatus
from parindex.cycles.services import check_transition, cycle_transition
from parindex.cycles.stage_checks import blocker_messages, is_forward, stage_blockers
from parindex.results.services.publish import cycle_publish
from parindex.results.services.stage_notices import stage_notify

__all__ = ["cycle_stage_move"]

C = CycleStatus


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
        return cycle_publish(cycle=cycle, actor=actor, reason=reason)
    with transaction.atomic(durable=True):
        reopened = old in FROZEN_STAGES and to not in FROZEN_STAGES
        cycle_transition(
            cycle=cycle,
            to=to,
            actor=actor,
            reason=reason,
            audit="cycle.reopen" if reopened else "cycle.transition",
        )
        stage_notify(cycle, old, to, reason)
    return cycle
