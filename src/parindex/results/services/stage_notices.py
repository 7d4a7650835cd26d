"""Who is told when a cycle changes stage (a move, a publication, a reopen), and what:
one in-app notification (and e-mail) of kind ``cycle_stage`` after commit."""

from __future__ import annotations

from django.urls import reverse

from parindex import outbox
from parindex.accounts.models import Role, User
from parindex.assessments.models import AppraisalAssignment
from parindex.cycles.models import FROZEN_STAGES, Cycle, CycleStatus, CycleUnit
from parindex.notifications.models import NotificationKind

__all__ = ["CONCERNED", "stage_notify"]

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


def stage_notify(cycle: Cycle, old: str, new: str, reason: str) -> None:
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
