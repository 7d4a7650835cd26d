"""The Sở Nội vụ's stage page of a cycle: its stage, what blocks the next one (counts,
names, links), and the moves forward, back one stage, publication and "Mở lại kỳ" — all
through :func:`parindex.results.services.cycle_stage_move`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.models import User
from parindex.audit.selectors import audit_events_for
from parindex.cycles.models import FROZEN_STAGES, Cycle, CycleStatus
from parindex.cycles.selectors import cycle_get
from parindex.cycles.stage_checks import STAGE_ORDER, next_stage, previous_stage, stage_blockers
from parindex.results import services as rsvc
from parindex.results.models import Publication
from parindex.web.helpers import admin_cycle, error_messages
from parindex.workflow import ConcurrentChange, InvalidTransition


@login_required
def cycle_stage(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user, cycle = admin_cycle(request, pk)
    errors: list[str] = []
    if request.method == "POST":
        to = request.POST.get("to", "")
        seen = request.POST.get("from", "")
        if seen in CycleStatus.values:
            # The stage the admin saw: the compare-and-set refuses a move someone else
            # already made (ConcurrentChange) instead of moving again.
            cycle.status = seen
        try:
            rsvc.cycle_stage_move(
                cycle=cycle, to=to, reason=request.POST.get("reason", ""), actor=user
            )
        except (ValidationError, InvalidTransition, ConcurrentChange) as exc:
            errors = error_messages(exc)
            cycle = cycle_get(user, pk)  # show the stage it is really in
        else:
            messages.success(
                request, f"Đã chuyển kỳ đánh giá sang giai đoạn “{CycleStatus(to).label}”."
            )
            return redirect("cycle_stage", pk=cycle.pk)
    nxt, prev = next_stage(cycle.status), previous_stage(cycle.status)
    return render(
        request,
        "web/admin/stage.html",
        {
            "nav": "stage",
            "cycle": cycle,
            "stages": [(s, CycleStatus(s).label) for s in STAGE_ORDER],
            "next": nxt,
            "next_label": CycleStatus(nxt).label if nxt else "",
            "blockers": stage_blockers(cycle, nxt) if nxt else [],
            "prev": prev,
            "prev_label": CycleStatus(prev).label if prev else "",
            "frozen": cycle.status in FROZEN_STAGES,
            "publications": Publication.objects.filter(cycle=cycle)
            .select_related("published_by")
            .defer("csv", "pdf")
            .order_by("-number"),
            "moves": stage_moves(user, cycle),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def stage_moves(user: User, cycle: Cycle) -> list[dict[str, Any]]:
    """The cycle's stage moves, newest first (who, when, from → to, reason): the audit rows
    of its status, read-only, so a reopen after publication is visible with its reason."""
    label: dict[str, str] = {str(value): str(text) for value, text in CycleStatus.choices}
    events = audit_events_for(user).filter(
        object_type=Cycle._meta.label_lower, object_id=str(cycle.pk), field="status"
    )
    return [
        {
            "at": e.at,
            "actor": e.actor,
            "action": e.action,
            "before": label.get(str(e.before), e.before or "—"),
            "after": label.get(str(e.after), e.after or "—"),
            "reason": e.reason,
        }
        for e in events
    ]
