"""Reads of the improvement app, the user first.

* The matrix and the plans are the province's: the province-wide roles (admin, appraisers,
  council, leaders) read them; only the admin sees a draft plan.
* A unit's staff and head read the matrix rows and the tasks (of approved plans) where their
  unit leads or partners ("Tiêu chí của tôi"); anything else is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Model, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from parindex.accounts.permissions import is_admin
from parindex.evidence.models import EvidenceDocument
from parindex.frameworks.models import Criterion, Framework
from parindex.improvement.models import (
    ImprovementPlan,
    PlanStatus,
    PlanTask,
    ResponsibilityRow,
    TaskEvidence,
    WorkStatus,
)


def province_wide(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(
        getattr(user, "sees_all_units", False)
    )


def _unit_id(user: Any) -> int | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_unit_user", False):
        return None
    return getattr(user, "unit_id", None)


def _led_or_partnered[M: Model](user: Any, qs: QuerySet[M]) -> QuerySet[M]:
    """All of ``qs`` for a province-wide reader; for a unit's users the rows their unit
    leads or is a partner of; nothing for anyone else."""
    if province_wide(user):
        return qs
    unit_id = _unit_id(user)
    if unit_id is None:
        return qs.none()
    return qs.filter(Q(lead_unit_id=unit_id) | Q(partner_units=unit_id)).distinct()


def require_reader(user: Any) -> None:
    """The whole matrix, the plans, the dashboard and the exports: province-wide roles."""
    if not province_wide(user):
        raise Http404


# --------------------------------------------------------------------------- matrix


def matrix_rows(user: Any, year: int) -> QuerySet[ResponsibilityRow]:
    qs = (
        ResponsibilityRow.objects.filter(year=year)
        .select_related("criterion", "lead_unit", "framework")
        .prefetch_related("partner_units")
        .order_by("criterion__framework_id", "criterion__position")
    )
    return _led_or_partnered(user, qs)


def matrix_row_get(user: Any, pk: int) -> ResponsibilityRow:
    row = ResponsibilityRow.objects.filter(pk=pk).values_list("year", flat=True).first()
    if row is None:
        raise Http404
    found = matrix_rows(user, row).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def matrix_years() -> list[int]:
    return sorted(
        set(ResponsibilityRow.objects.values_list("year", flat=True).distinct()), reverse=True
    )


def lead_for(year: int, criterion: Criterion) -> ResponsibilityRow | None:
    """The matrix row that answers for ``criterion`` in ``year``: its own row, else the
    nearest ancestor's (an area given as a whole, seed 001 §III)."""
    chain: list[int] = []
    node: Criterion | None = criterion
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    rows = {
        r.criterion_id: r
        for r in ResponsibilityRow.objects.filter(year=year, criterion_id__in=chain)
        .select_related("lead_unit")
        .prefetch_related("partner_units")
    }
    return next((rows[pk] for pk in chain if pk in rows), None)


def framework_total(framework: Framework) -> Decimal | None:
    if framework.total is not None:
        return framework.total
    top = Criterion.objects.filter(framework=framework, parent__isnull=True).exclude(
        source__in=("bonus", "penalty")
    )
    found: Decimal | None = top.aggregate(s=Sum("max_points"))["s"]
    return found


def framework_criteria(framework: Framework) -> QuerySet[Criterion]:
    return Criterion.objects.filter(framework=framework).order_by("position")


# --------------------------------------------------------------------------- plans


def plans_for(user: Any) -> QuerySet[ImprovementPlan]:
    qs = ImprovementPlan.objects.select_related("framework")
    if is_admin(user):
        return qs
    if province_wide(user):
        return qs.filter(status=PlanStatus.APPROVED)
    return qs.none()


def plan_get(user: Any, pk: int) -> ImprovementPlan:
    found = plans_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def admin_plan_get(user: Any, pk: int) -> ImprovementPlan:
    if not is_admin(user):
        raise Http404
    return plan_get(user, pk)


def plan_tasks(plan: ImprovementPlan) -> QuerySet[PlanTask]:
    return (
        PlanTask.objects.filter(plan=plan)
        .select_related("criterion", "lead_unit")
        .prefetch_related("partner_units")
        .order_by("position", "pk")
    )


def plan_targets(plan: ImprovementPlan) -> list[Any]:
    return list(plan.targets.select_related("criterion").order_by("criterion__position"))


def tasks_for(user: Any) -> QuerySet[PlanTask]:
    """Tasks the user may read: every task for the admin; tasks of approved plans for the
    province-wide readers; a unit's tasks (lead or partner) of approved plans for its users."""
    qs = PlanTask.objects.select_related("plan", "criterion", "lead_unit").prefetch_related(
        "partner_units"
    )
    if is_admin(user):
        return qs
    return _led_or_partnered(user, qs.filter(plan__status=PlanStatus.APPROVED))


def task_get(user: Any, pk: int) -> PlanTask:
    found = tasks_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def task_document_get(user: Any, task_pk: int, document_pk: int) -> EvidenceDocument:
    """An evidence document attached to a task the user may read (lead and partner units
    alike: a partner prepares its part from the lead's files); 404 otherwise."""
    task = task_get(user, task_pk)
    link = (
        TaskEvidence.objects.filter(task=task, document_id=document_pk)
        .select_related("document")
        .first()
    )
    if link is None:
        raise Http404
    return link.document


def is_overdue(task: PlanTask, today: dt.date | None = None) -> bool:
    return task.status != WorkStatus.DONE and task.deadline < (today or timezone.localdate())


# --------------------------------------------------------------------------- dashboard


@dataclass
class Tally:
    label: str
    total: int = 0
    done: int = 0
    doing: int = 0
    todo: int = 0
    overdue: int = 0

    @property
    def percent_done(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Dashboard:
    overall: Tally
    by_area: list[Tally]
    by_unit: list[Tally]
    overdue: list[PlanTask]


def dashboard(user: Any, plan: ImprovementPlan, today: dt.date | None = None) -> Dashboard:
    """Tasks by status and overdue, per area (the task's criterion's area) and per lead
    unit, with the share done. A fixed number of queries whatever the number of tasks."""
    require_reader(user)
    today = today or timezone.localdate()
    tasks = list(plan_tasks(plan))
    parent_of = criterion_parents(plan)
    areas = {
        c.pk: c
        for c in Criterion.objects.filter(framework_id=plan.framework_id, depth=1).only(
            "pk", "code", "name", "position"
        )
    }

    overall = Tally("Toàn bộ kế hoạch")
    by_area: dict[str, Tally] = {}
    by_unit: dict[str, Tally] = {}
    order: Counter[str] = Counter()
    overdue: list[PlanTask] = []
    for t in tasks:
        root = area_of(parent_of, t.criterion_id)
        area = None if root is None else areas.get(root)
        a_label = f"{area.code}. {area.name}" if area else "Nhiệm vụ chung"
        order[a_label] = area.position if area else 10**6
        late = is_overdue(t, today)
        if late:
            overdue.append(t)
        for tally in (
            overall,
            by_area.setdefault(a_label, Tally(a_label)),
            by_unit.setdefault(t.lead_unit.name, Tally(t.lead_unit.name)),
        ):
            tally.total += 1
            setattr(tally, t.status, getattr(tally, t.status) + 1)
            tally.overdue += late
    return Dashboard(
        overall,
        sorted(by_area.values(), key=lambda x: order[x.label]),
        sorted(by_unit.values(), key=lambda x: x.label),
        sorted(overdue, key=lambda t: t.deadline),
    )


def criterion_parents(plan: ImprovementPlan) -> dict[int, int | None]:
    return dict(
        Criterion.objects.filter(framework_id=plan.framework_id).values_list("pk", "parent_id")
    )


def area_of(parent_of: dict[int, int | None], pk: int | None) -> int | None:
    """The area (top node) above criterion ``pk``."""
    while pk is not None and parent_of.get(pk) is not None:
        pk = parent_of[pk]
    return pk


def tasks_by_area(plan: ImprovementPlan) -> dict[int | None, list[PlanTask]]:
    """The plan's tasks grouped by the pk of their criterion's area (``None``: general)."""
    parent_of = criterion_parents(plan)
    out: dict[int | None, list[PlanTask]] = defaultdict(list)
    for t in plan_tasks(plan):
        out[area_of(parent_of, t.criterion_id)].append(t)
    return out
