"""Reads of the oversight app, the user first. The Sở Nội vụ admin, the council and the
leaders read everything; a unit's staff and head read their own unit's inspections,
findings, initiatives and targets; anyone else (appraisers) and other units get 404."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from parindex.cycles.models import Cycle, CycleUnit
from parindex.oversight.models import (
    Finding,
    FindingStatus,
    Initiative,
    InitiativeGoal,
    InitiativeLevel,
    InspectionPlan,
    InspectionRecord,
    PlannedInspection,
    TargetIndicator,
)
from parindex.units.models import Unit, UnitKind

#: Roles that read every unit's rows here.
READ_ALL = frozenset({"admin", "council", "leader"})


def reads_all(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", "") in READ_ALL)


def own_unit(user: Any) -> int | None:
    """The unit id of a unit user (staff or head), else None."""
    if getattr(user, "is_authenticated", False) and getattr(user, "is_unit_user", False):
        return getattr(user, "unit_id", None)
    return None


def require_reader(user: Any) -> None:
    """404 for anyone who reads nothing here (anonymous is sent to log in by the views)."""
    if not reads_all(user) and own_unit(user) is None:
        raise Http404


def _scoped[Q_: QuerySet[Any]](user: Any, qs: Q_, unit_field: str) -> Q_:
    if reads_all(user):
        return qs
    unit = own_unit(user)
    if unit is None:
        return qs.none()
    return qs.filter(**{unit_field: unit})


def _one(qs: QuerySet[Any], pk: int) -> Any:
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --------------------------------------------------------------------------- inspections


def plan_for(user: Any, cycle: Cycle) -> InspectionPlan | None:
    require_reader(user)
    return InspectionPlan.objects.filter(cycle=cycle).first()


def plan_get(user: Any, pk: int) -> InspectionPlan:
    require_reader(user)
    return _one(InspectionPlan.objects.select_related("cycle"), pk)


def entries_for(user: Any, plan: InspectionPlan) -> QuerySet[PlannedInspection]:
    qs = PlannedInspection.objects.filter(plan=plan).select_related("unit")
    return _scoped(user, qs, "unit_id").annotate(record_count=Count("records"))


def entry_get(user: Any, pk: int) -> PlannedInspection:
    qs = PlannedInspection.objects.select_related("unit", "plan__cycle")
    return _one(_scoped(user, qs, "unit_id"), pk)


def records_for(user: Any, plan: InspectionPlan) -> QuerySet[InspectionRecord]:
    qs = InspectionRecord.objects.filter(entry__plan=plan).select_related("entry__unit")
    return _scoped(user, qs, "entry__unit_id").annotate(finding_count=Count("findings"))


def record_get(user: Any, pk: int) -> InspectionRecord:
    qs = InspectionRecord.objects.select_related("entry__unit", "entry__plan__cycle")
    return _one(_scoped(user, qs, "entry__unit_id"), pk)


def findings_for(user: Any, plan: InspectionPlan) -> QuerySet[Finding]:
    qs = Finding.objects.filter(record__entry__plan=plan).select_related("unit", "record")
    return _scoped(user, qs, "unit_id")


def finding_get(user: Any, pk: int) -> Finding:
    qs = Finding.objects.select_related("unit", "record__entry__plan__cycle")
    return _one(_scoped(user, qs, "unit_id"), pk)


@dataclass
class KindCoverage:
    kind: str
    label: str
    total: int
    planned: int
    required: int

    @property
    def short(self) -> int:
        return max(0, self.required - self.planned)

    @property
    def share(self) -> Decimal | None:
        return None if not self.total else Decimal(self.planned * 100) / self.total


@dataclass
class Coverage:
    """How much of the cycle's units the plan covers, against its minimum share."""

    min_share: Decimal
    total: int
    planned: int
    inspected: int
    required: int
    by_kind: list[KindCoverage] = field(default_factory=list)

    @property
    def short(self) -> int:
        return max(0, self.required - self.planned)

    @property
    def share(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(self.planned * 100) / self.total).quantize(Decimal("0.01"))

    @property
    def kinds_short(self) -> list[KindCoverage]:
        return [k for k in self.by_kind if k.short]


def _required(total: int, share: Decimal) -> int:
    return math.ceil(Decimal(total) * share / 100)


def plan_coverage(plan: InspectionPlan) -> Coverage:
    """The plan's coverage of its cycle's units, overall and per unit kind (each kind
    should reach the share too). Province-wide numbers: the plan itself is public to
    every reader, only the rows below it are scoped."""
    kinds = dict(
        CycleUnit.objects.filter(cycle_id=plan.cycle_id).values_list("unit_id", "unit__kind")
    )
    entries = dict(PlannedInspection.objects.filter(plan=plan).values_list("unit_id", "pk"))
    inspected = (
        InspectionRecord.objects.filter(entry__plan=plan).values("entry__unit_id").distinct()
    )
    planned = [u for u in entries if u in kinds]
    total_by: Counter[str] = Counter(kinds.values())
    planned_by: Counter[str] = Counter(kinds[u] for u in planned)
    labels = dict(UnitKind.choices)
    share = plan.min_share
    by_kind = [
        KindCoverage(k, str(labels.get(k, k)), n, planned_by[k], _required(n, share))
        for k, n in sorted(total_by.items(), key=lambda kv: list(labels).index(kv[0]))
    ]
    return Coverage(
        min_share=share,
        total=len(kinds),
        planned=len(planned),
        inspected=inspected.count(),
        required=_required(len(kinds), share),
        by_kind=by_kind,
    )


def units_to_plan(plan: InspectionPlan) -> QuerySet[Unit]:
    """The cycle's units not yet in the plan (the admin's choice list)."""
    taken = PlannedInspection.objects.filter(plan=plan).values("unit_id")
    return (
        Unit.objects.filter(cycle_participations__cycle_id=plan.cycle_id)
        .exclude(pk__in=taken)
        .order_by("kind", "name")
    )


@dataclass
class FindingReport:
    """Seed 000's report: số vấn đề đã kiến nghị xử lý, số đã xử lý xong, số chưa xử lý
    (đang xử lý + chưa xử lý), lý do chưa xử lý; per unit and in total."""

    rows: list[dict[str, Any]]
    total: dict[str, Any]


def _counts(findings: list[Finding]) -> dict[str, Any]:
    by = Counter(f.status for f in findings)
    return {
        "recommended": len(findings),
        "resolved": by[FindingStatus.RESOLVED],
        "in_progress": by[FindingStatus.IN_PROGRESS],
        "unresolved": by[FindingStatus.UNRESOLVED],
        "open": by[FindingStatus.IN_PROGRESS] + by[FindingStatus.UNRESOLVED],
        "reasons": [f.reason for f in findings if f.status == FindingStatus.UNRESOLVED],
    }


def finding_report(user: Any, plan: InspectionPlan) -> FindingReport:
    findings = list(findings_for(user, plan).order_by("unit__name", "pk"))
    per_unit: dict[int, list[Finding]] = defaultdict(list)
    names: dict[int, Unit] = {}
    for f in findings:
        per_unit[f.unit_id].append(f)
        names[f.unit_id] = f.unit
    rows = [{"unit": names[u], **_counts(fs)} for u, fs in per_unit.items()]
    return FindingReport(rows=rows, total=_counts(findings))


# --------------------------------------------------------------------------- initiatives


def initiatives_for(user: Any, year: int | None = None) -> QuerySet[Initiative]:
    require_reader(user)
    qs = Initiative.objects.select_related("unit")
    if year is not None:
        qs = qs.filter(year=year)
    return _scoped(user, qs, "unit_id")


def initiative_get(user: Any, pk: int) -> Initiative:
    return _one(initiatives_for(user), pk)


def initiative_goal(year: int) -> InitiativeGoal:
    """The year's goals (unsaved defaults when the admin set none)."""
    return InitiativeGoal.objects.filter(year=year).first() or InitiativeGoal(year=year)


@dataclass
class InitiativeProgress:
    year: int
    goal: InitiativeGoal
    by_level: dict[str, int]
    departments: list[dict[str, Any]]

    @property
    def ministry(self) -> int:
        return self.by_level.get(InitiativeLevel.MINISTRY, 0)

    @property
    def ministry_met(self) -> bool:
        return self.ministry >= self.goal.ministry

    @property
    def missing(self) -> list[dict[str, Any]]:
        return [d for d in self.departments if not d["met"]]


def initiative_progress(user: Any, year: int) -> InitiativeProgress:
    """Progress against the year's goals: the count per recognised level (province-wide:
    the goals are the province's) and, per department (the user's own for a unit user),
    how many it registered."""
    require_reader(user)
    goal = initiative_goal(year)
    by_level = dict(
        Initiative.objects.filter(year=year).values_list("level").annotate(n=Count("pk"))
    )
    departments = _scoped(
        user, Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True), "pk"
    ).annotate(n=Count("initiatives", filter=Q(initiatives__year=year)))
    rows = [
        {"unit": u, "count": u.n, "met": u.n >= goal.per_department}
        for u in departments.order_by("name")
    ]
    return InitiativeProgress(year=year, goal=goal, by_level=by_level, departments=rows)


# --------------------------------------------------------------------------- targets


def targets_for(user: Any, cycle: Cycle) -> QuerySet[TargetIndicator]:
    """The cycle's register rows: all for the readers of everything; a unit user sees the
    rows about its unit and those it leads."""
    require_reader(user)
    qs = TargetIndicator.objects.filter(cycle=cycle).select_related(
        "unit", "lead_unit", "criterion"
    )
    if reads_all(user):
        return qs
    unit = own_unit(user)
    return qs.filter(Q(unit_id=unit) | Q(lead_unit_id=unit))


def target_get(user: Any, pk: int) -> TargetIndicator:
    require_reader(user)
    qs = TargetIndicator.objects.select_related("unit", "lead_unit", "criterion", "cycle")
    if not reads_all(user):
        unit = own_unit(user)
        qs = qs.filter(Q(unit_id=unit) | Q(lead_unit_id=unit))
    return _one(qs, pk)
