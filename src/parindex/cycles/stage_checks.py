"""What blocks a cycle's next stage: the one table of checks per target stage, read by the
stage page, the stage service (:func:`parindex.results.services.stages.cycle_stage_move`)
and the API. Each check counts the units (or leaves) still in the way and names them.

This module reads the assessments (``cycles`` ← ``assessments``): it is imported by the
layers above, never by ``cycles.models`` or ``cycles.services``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse

from parindex.assessments.models import Assessment, AssessmentStatus, LeafScore
from parindex.cycles.models import CYCLE_TRANSITIONS, Cycle, CycleStatus
from parindex.engine.framework import EXTERNAL_SOURCES

__all__ = [
    "STAGE_ORDER",
    "Blocker",
    "blocker_messages",
    "is_forward",
    "next_stage",
    "previous_stage",
    "stage_blockers",
]

S = AssessmentStatus
C = CycleStatus

#: The stages in their order (forward = one step later in this list).
STAGE_ORDER: tuple[str, ...] = tuple(C.values)

#: How many names a blocker lists before "…".
SHOWN = 20


@dataclass(frozen=True)
class Blocker:
    """One reason a stage cannot open yet: ``count`` units or leaves, their names and a
    link to the page where they are dealt with."""

    code: str
    label: str
    count: int
    items: tuple[str, ...] = field(default=())
    url: str = ""

    @property
    def message(self) -> str:
        shown = ", ".join(self.items[:SHOWN]) + (" …" if len(self.items) > SHOWN else "")
        return f"{self.label}: {self.count}" + (f" ({shown})." if shown else ".")


Check = Callable[[Cycle], Blocker | None]


def _units_in(code: str, label: str, statuses: tuple[str, ...], page: str) -> Check:
    """A check: the units whose assessment is still in one of ``statuses``."""

    def check(cycle: Cycle) -> Blocker | None:
        names = tuple(
            Assessment.objects.filter(cycle=cycle, status__in=statuses)
            .order_by("unit__name")
            .values_list("unit__name", flat=True)
        )
        url = reverse(page, args=[cycle.pk])
        return Blocker(code, label, len(names), names, url) if names else None

    return check


_not_submitted = _units_in(
    "not_submitted", "Đơn vị chưa gửi phiếu tự chấm", (S.DRAFT,), "cycle_progress"
)
_not_appraised = _units_in(
    "not_appraised",
    "Đơn vị chưa được thẩm định vòng 1",
    (S.DRAFT, S.SUBMITTED),
    "appraisal_home",
)
_not_answered = _units_in(
    "not_answered",
    "Đơn vị được trả lại nhưng chưa gửi giải trình",
    (S.RETURNED,),
    "cycle_progress",
)
_not_round2 = _units_in(
    "not_round2",
    "Đơn vị chưa được thẩm định vòng 2",
    (S.DRAFT, S.SUBMITTED, S.ROUND1, S.RETURNED, S.EXPLAINED),
    "appraisal_home",
)
_not_approved = _units_in(
    "not_approved",
    "Đơn vị chưa được Hội đồng phê duyệt",
    tuple(s for s in S.values if s != S.APPROVED),
    "council_list",
)


def _external_missing(cycle: Cycle) -> Blocker | None:
    rows: QuerySet[LeafScore] = LeafScore.objects.filter(
        assessment__cycle=cycle,
        criterion__source__in=sorted(EXTERNAL_SOURCES),
        final_points__isnull=True,
        not_applicable=False,
    ).order_by("assessment__unit__name", "criterion__code")
    items = tuple(
        f"{u} {c}" for u, c in rows.values_list("assessment__unit__name", "criterion__code")
    )
    if not items:
        return None
    return Blocker(
        "external_missing",
        "Tiêu chí khảo sát/SIPAS/thống kê còn thiếu điểm",
        len(items),
        items,
        reverse("cycle_external", args=[cycle.pk]),
    )


#: The checks that must pass before a cycle enters each stage (going forward). Going back
#: one stage is never blocked. The publication's own conditions (results final) are checked
#: by :func:`parindex.results.services.cycle_publish` as well.
STAGE_CHECKS: dict[str, tuple[Check, ...]] = {
    C.DRAFT: (),
    C.SELF_ASSESSMENT: (),
    C.APPRAISAL_ROUND1: (_not_submitted,),
    C.EXPLANATION: (_not_appraised,),
    C.APPRAISAL_ROUND2: (_not_appraised, _not_answered),
    C.COUNCIL: (_not_round2, _external_missing),
    C.APPROVED: (_not_approved, _external_missing),
    C.PUBLISHED: (_not_approved,),
}


def stage_blockers(cycle: Cycle, to: str) -> list[Blocker]:
    """What blocks moving ``cycle`` forward to ``to`` (empty: nothing). Going back is
    never blocked."""
    if not is_forward(cycle.status, to):
        return []
    return [b for check in STAGE_CHECKS.get(to, ()) if (b := check(cycle)) is not None]


def blocker_messages(blockers: list[Blocker]) -> list[str]:
    return [b.message for b in blockers]


def is_forward(frm: str, to: str) -> bool:
    return (
        frm in STAGE_ORDER and to in STAGE_ORDER and STAGE_ORDER.index(to) > STAGE_ORDER.index(frm)
    )


def next_stage(status: str) -> str | None:
    return next((t for t in CYCLE_TRANSITIONS.get(status, ()) if is_forward(status, t)), None)


def previous_stage(status: str) -> str | None:
    return next((t for t in CYCLE_TRANSITIONS.get(status, ()) if not is_forward(status, t)), None)
