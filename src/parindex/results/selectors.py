"""Reads of the results app for pages, exports and the public page (docs/results.md).

Every selector runs a fixed number of queries whatever the number of units (pinned in
``results/tests/test_selectors.py``). Who sees what:

* province-wide roles (admin, appraiser, council, leader) see every result set, provisional
  or final;
* unit users see their own unit's page, and the ranking once the results are final;
* anyone (the public page, no login) sees the results of a **published** cycle.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from parindex.accounts.models import User
from parindex.assessments.models import Assessment, LeafScore
from parindex.cycles.models import Cycle, CycleStatus
from parindex.engine.accountability import AccountabilityRule, accountability, rating_history
from parindex.engine.lost_points import LostRow, NodePoints, loss, lost_points
from parindex.engine.rating import Condition, RatingScheme
from parindex.formats.rating import read_rating
from parindex.frameworks.models import Criterion
from parindex.results.models import (
    KNOWN_METRICS,
    NodeResult,
    RatingConfig,
    ResultSet,
    ResultStatus,
    UnitMetric,
    UnitResult,
)
from parindex.units.models import Unit, UnitLineage

__all__ = [
    "DEFAULT_ACCOUNTABILITY",
    "AccountabilityRow",
    "CriterionPage",
    "CriterionRow",
    "LostPoints",
    "Overview",
    "TrendPoint",
    "UnitPage",
    "accountability_report",
    "criterion_results",
    "default_rating",
    "known_metrics",
    "lineage_ids",
    "province_overview",
    "ranking",
    "rating_config_for",
    "result_set_for",
    "scheme_of",
    "unit_result",
]


DEFAULT_RATING_PATH = Path(__file__).resolve().parent.parent / "data" / "rating" / "default.yaml"

#: Seed 002 (Khánh Hòa): heads of units rated Trung bình two years in a row or Yếu once.
DEFAULT_ACCOUNTABILITY: dict[str, Any] = {
    "consecutive": {"class": "Trung bình", "years": 2},
    "once": ["Yếu"],
    "head_not_good_at_or_below": "Trung bình",
}


# --------------------------------------------------------------------------- rating config


def default_rating() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Classes and conditions of ``data/rating/default.yaml`` as JSON-ready lists."""
    return scheme_json(read_rating(DEFAULT_RATING_PATH))


def scheme_json(scheme: RatingScheme) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    classes = [{"name": n, "min": str(m)} for n, m in scheme.classes]
    conditions = [
        {"metric": c.metric, "op": c.op, "value": str(c.value), "cap": c.cap, "reason": c.reason}
        for c in scheme.conditions
    ]
    return classes, conditions


def rating_config_for(cycle: Cycle) -> RatingConfig:
    """The cycle's rating configuration: the stored one, else the shipped default as an
    unsaved row (the row is created by ``rating_config_set``, the first change)."""
    config = RatingConfig.objects.filter(cycle=cycle).first()
    if config is not None:
        return config
    classes, conditions = default_rating()
    return RatingConfig(
        cycle=cycle,
        classes=classes,
        conditions=conditions,
        accountability=dict(DEFAULT_ACCOUNTABILITY),
    )


def scheme_of(config: RatingConfig) -> RatingScheme:
    """The engine's rating scheme for a stored configuration."""
    return RatingScheme(
        classes=tuple((c["name"], Decimal(str(c["min"]))) for c in config.classes),
        conditions=tuple(
            Condition(
                metric=c["metric"],
                op=c["op"],
                value=Decimal(str(c["value"])),
                cap=c["cap"],
                reason=c.get("reason", ""),
            )
            for c in config.conditions
        ),
    )


def known_metrics(cycle: Cycle) -> set[str]:
    """Metric names a condition may use: the built-in ones and any entered for the cycle."""
    present = UnitMetric.objects.filter(cycle=cycle).values_list("metric", flat=True).distinct()
    return set(KNOWN_METRICS) | set(present)


# --------------------------------------------------------------------------- scope


def _province_wide(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(
        getattr(user, "sees_all_units", False)
        or getattr(user, "is_superuser", False)
        or getattr(user, "role", "") in ("admin", "appraiser", "council", "leader")
    )


def result_set_for(user: Any, cycle: Cycle) -> ResultSet | None:
    """The cycle's result set if ``user`` may see it (see the module docstring), else
    ``None`` (not computed yet, or not visible). One query."""
    rs = ResultSet.objects.filter(cycle_id=cycle.pk).select_related("cycle").first()
    return _visible(user, rs)


def _visible(user: Any, rs: ResultSet | None) -> ResultSet | None:
    if rs is None:
        return None
    if rs.cycle.status == CycleStatus.PUBLISHED or _province_wide(user):
        return rs
    if getattr(user, "is_authenticated", False) and rs.status == ResultStatus.FINAL:
        return rs
    return None


def ranking(result_set: ResultSet, group: Any = None) -> list[UnitResult]:
    """Unit results in group order then rank (ties share a rank), with ``unit`` and
    ``group`` loaded; ``group`` (a UnitGroup or its id) limits to one group. One query."""
    qs = result_set.units.select_related("unit", "group", "previous_unit").order_by(
        "group__position", "group__name", "rank", "unit__name"
    )
    if group is not None:
        qs = qs.filter(group_id=getattr(group, "pk", group))
    return list(qs)


# --------------------------------------------------------------------------- unit page


#: A node of the unit page's lost points (the engine's row: code, name, level/depth, max,
#: points, lost).
LostPoints = LostRow


@dataclass(slots=True)
class TrendPoint:
    year: int
    cycle_id: int
    unit_name: str
    index: Decimal | None
    rank: int | None
    rating: str
    status: str


@dataclass(slots=True)
class UnitPage:
    """Everything the unit page shows. ``areas``/``criteria`` are NodeResults (depth 1 /
    deeper) in document order, each with ``name`` set; ``group_average[code]`` and
    ``best[code]`` = (unit name, index) per area for the radar; ``lost`` largest first."""

    result_set: ResultSet
    result: UnitResult
    areas: list[NodeResult]
    criteria: list[NodeResult]
    group_average: dict[str, Decimal | None]
    best: dict[str, tuple[str, Decimal | None]]
    lost: list[LostPoints]
    trend: list[TrendPoint]


def _visible_unit(user: Any, unit: Unit, rs: ResultSet) -> bool:
    if rs.cycle.status == CycleStatus.PUBLISHED or _province_wide(user):
        return True
    return bool(getattr(user, "is_authenticated", False)) and user.unit_id == unit.pk


def lineage_ids(unit_id: int) -> list[int]:
    """``unit_id`` and every unit that became it (nearest first). One query."""
    back: dict[int, list[int]] = defaultdict(list)
    for pred, succ in UnitLineage.objects.values_list("predecessor_id", "successor_id"):
        back[succ].append(pred)
    return [unit_id, *predecessors(unit_id, back)]


def predecessors(unit_id: int, back: Mapping[int, Sequence[int]]) -> list[int]:
    """Every unit that became ``unit_id``, nearest first (breadth first over ``back``:
    successor → its predecessors)."""
    out: list[int] = []
    frontier, seen = [unit_id], {unit_id}
    while frontier:
        nxt = []
        for u in frontier:
            for p in back.get(u, ()):
                if p not in seen:
                    seen.add(p)
                    nxt.append(p)
        out += nxt
        frontier = nxt
    return out


def unit_result(user: Any, cycle: Cycle, unit: Unit) -> UnitPage:
    """The unit page (radar, lost points, trend); 404 outside the user's scope or when
    the unit has no result. Seven queries."""
    rs = ResultSet.objects.filter(cycle_id=cycle.pk).select_related("cycle").first()
    if rs is None or not _visible_unit(user, unit, rs):
        raise Http404("Không có kết quả.")
    result = (
        rs.units.select_related("unit", "group", "previous_unit").filter(unit_id=unit.pk).first()
    )
    if result is None:
        raise Http404("Không có kết quả.")
    nodes = list(NodeResult.objects.filter(unit_result=result).order_by("position"))
    name_source = {
        code: (name, source)
        for code, name, source in Criterion.objects.filter(
            framework__code=result.framework_code, code__in=[n.code for n in nodes]
        ).values_list("code", "name", "source")
    }
    names = {code: name for code, (name, _) in name_source.items()}
    for n in nodes:
        n.name = names.get(n.code, "")
    areas = [n for n in nodes if n.depth == 1]
    criteria = [n for n in nodes if n.depth > 1]
    peers = NodeResult.objects.filter(
        unit_result__result_set=rs, unit_result__group_id=result.group_id, depth=1
    ).values_list("code", "index", "unit_result__unit__name")
    sums: dict[str, list[Decimal]] = defaultdict(list)
    best: dict[str, tuple[str, Decimal | None]] = {}
    for code, index, name in peers:
        if index is None:
            continue
        sums[code].append(index)
        top = best.get(code)
        if top is None or (top[1] is not None and index > top[1]):
            best[code] = (name, index)
    average = {
        a.code: (sum(sums[a.code], Decimal(0)) / len(sums[a.code]) if sums.get(a.code) else None)
        for a in areas
    }
    lost = lost_points(
        NodePoints(n.code, name, n.depth, n.max_points, n.points, source)
        for n in criteria
        for name, source in [name_source.get(n.code, ("", "self"))]
    )
    ids = lineage_ids(unit.pk)
    history = (
        UnitResult.objects.filter(unit_id__in=ids, result_set__cycle__year__lte=cycle.year)
        .select_related("result_set__cycle", "unit")
        .order_by("result_set__cycle__year", "result_set__cycle_id")
    )
    trend = [
        TrendPoint(
            h.result_set.cycle.year,
            h.result_set.cycle_id,
            h.unit.name,
            h.index,
            h.rank,
            h.rating,
            h.result_set.status,
        )
        for h in history
        if h.unit_id == unit.pk or h.result_set.cycle_id != cycle.pk
    ]
    return UnitPage(rs, result, areas, criteria, average, best, lost, trend)


# --------------------------------------------------------------------------- criterion page


@dataclass(slots=True)
class CriterionRow:
    """One unit on one criterion; ``reasons`` = [(leaf code, round 1 reason, round 2
    reason)] where the appraisers gave one."""

    unit: Unit
    group_name: str
    points: Decimal | None
    max_points: Decimal | None
    index: Decimal | None
    lost: Decimal | None
    reasons: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(slots=True)
class CriterionPage:
    code: str
    name: str
    max_points: Decimal | None
    rows: list[CriterionRow]  # most points lost first


def criterion_results(user: Any, cycle: Cycle, code: str) -> CriterionPage:
    """Every unit's points on criterion ``code`` (an area, criterion or leaf) and the
    appraisers' reasons on the leaves below it; 404 when ``user`` may not see the
    cycle's results. Four queries."""
    rs = _visible(user, ResultSet.objects.filter(cycle_id=cycle.pk).select_related("cycle").first())
    if rs is None:
        raise Http404("Chưa có kết quả.")
    crit = (
        Criterion.objects.filter(framework__assessments__cycle=cycle, code=code)
        .values("name", "max_points", "source")
        .first()
    )
    if crit is None:
        raise Http404("Không có tiêu chí này.")
    units = {ur.pk: ur for ur in rs.units.select_related("unit", "group").order_by("unit__name")}
    node_by_unit = {
        n.unit_result_id: n
        for n in NodeResult.objects.filter(unit_result__result_set=rs, code=code)
    }
    leaves = LeafScore.objects.filter(assessment__cycle=cycle, criterion__code__startswith=code)
    reasons: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    leaf_points: dict[int, tuple[Decimal | None, Decimal | None, bool]] = {}
    for unit_id, ccode, r1, r2, final, pts2, pts1, selfp, na, leaf_max in leaves.values_list(
        "assessment__unit_id",
        "criterion__code",
        "round1_reason",
        "round2_reason",
        "final_points",
        "round2_points",
        "round1_points",
        "self_points",
        "not_applicable",
        "criterion__max_points",
    ):
        if ccode != code and not ccode.startswith(f"{code}."):
            continue
        if r1 or r2:
            reasons[unit_id].append((ccode, r1, r2))
        if ccode == code:
            value = next((v for v in (final, pts2, pts1, selfp) if v is not None), None)
            leaf_points[unit_id] = (value, leaf_max, na)
    rows = []
    for ur in units.values():
        node = node_by_unit.get(ur.pk)
        pts: Decimal | None
        mx: Decimal | None
        idx: Decimal | None
        if node is not None:
            pts, mx, idx = node.points, node.max_points, node.index
        elif ur.unit_id in leaf_points:
            value, its_max, na = leaf_points[ur.unit_id]
            pts, mx = (None, None) if na else (value or Decimal(0), its_max)
            idx = None if not mx or pts is None else pts * 100 / mx
        else:
            pts = mx = idx = None
        lost = loss(mx, pts, crit["source"])
        rows.append(
            CriterionRow(
                ur.unit,
                ur.group.name,
                pts,
                mx,
                idx,
                lost,
                sorted(reasons.get(ur.unit_id, [])),
            )
        )
    rows.sort(key=lambda r: (-(r.lost or 0), r.unit.name))
    return CriterionPage(code, crit["name"], crit["max_points"], rows)


# --------------------------------------------------------------------------- overview


@dataclass(slots=True)
class Overview:
    """Province overview. ``distribution`` = [(bin label, count)] by 10 points of index;
    ``classes`` = [(class, count)] in the configured order; ``heat`` = {"areas": [codes],
    "rows": [(unit name, [area index | None …])]}; ``changes`` = [(unit name, index change,
    rank change)]; ``overdue``/``missing_points``/``missing_metrics`` = counts."""

    result_set: ResultSet
    ranking: list[UnitResult]
    distribution: list[tuple[str, int]]
    classes: list[tuple[str, int]]
    heat: dict[str, Any]
    changes: list[tuple[str, Decimal | None, int | None]]
    overdue: int
    missing_points: int
    missing_metrics: int


def province_overview(user: Any, cycle: Cycle) -> Overview:
    """Ranking, distributions, heat map, changes and data gaps of a cycle; 404 when
    ``user`` may not see its results. Five queries."""
    rs = _visible(user, ResultSet.objects.filter(cycle_id=cycle.pk).select_related("cycle").first())
    if rs is None:
        raise Http404("Chưa có kết quả.")
    rows = ranking(rs)
    bins: Counter[int] = Counter()
    for r in rows:
        if r.index is not None:
            bins[min(int(r.index // 10), 9)] += 1
    distribution = [(f"{10 * b}–{10 * b + 10}", bins.get(b, 0)) for b in range(10)]
    config = RatingConfig.objects.filter(cycle_id=cycle.pk).values_list("classes", flat=True)
    order = [c["name"] for c in (config.first() or [])]
    counts = Counter(r.rating for r in rows if r.rating)
    classes = [(n, counts.get(n, 0)) for n in order] + [
        (n, k) for n, k in counts.items() if n not in order
    ]
    areas: list[str] = []
    cells: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    for ur_id, code, index in (
        NodeResult.objects.filter(unit_result__result_set=rs, depth=1)
        .order_by("position")
        .values_list("unit_result_id", "code", "index")
    ):
        if code not in areas:
            areas.append(code)
        cells[ur_id][code] = index
    heat = {
        "areas": areas,
        "rows": [(r.unit.name, [cells[r.pk].get(a) for a in areas]) for r in rows],
    }
    changes = [(r.unit.name, r.index_change, r.rank_change) for r in rows]
    now = timezone.now()
    deadline = cycle.self_assessment_deadline
    overdue = 0
    if deadline is not None and now > deadline:
        overdue = Assessment.objects.filter(cycle=cycle, status="draft").count()
    return Overview(
        rs,
        rows,
        distribution,
        classes,
        heat,
        changes,
        overdue,
        sum(1 for r in rows if r.missing_leaves),
        sum(1 for r in rows if r.missing_metrics),
    )


# --------------------------------------------------------------------------- accountability


@dataclass(slots=True)
class AccountabilityRow:
    unit: Unit
    rating: str
    heads: list[Any]  # users with role unit_head of the unit
    reasons: list[str]
    history: list[tuple[int, str]]  # (year, rating) this year first, following lineage


def accountability_report(user: Any, cycle: Cycle) -> list[AccountabilityRow]:
    """Units (and their heads) caught by the cycle's accountability rule (seed 002; the
    rule itself is :func:`parindex.engine.accountability.accountability`), for the admin,
    the council and leaders (404 for anyone else). Previous years follow the lineage (a
    unit formed by a merger inherits its predecessor's rating only when the recompute
    compared it with that predecessor). Four queries."""
    if not _reads_accountability(user):
        raise Http404("Không có báo cáo này.")
    rs = ResultSet.objects.filter(cycle_id=cycle.pk).first()
    if rs is None:
        return []
    cfg: Mapping[str, Any] = (
        RatingConfig.objects.filter(cycle_id=cycle.pk).values("classes", "accountability").first()
        or {}
    )
    rule = AccountabilityRule.from_config(cfg.get("accountability") or DEFAULT_ACCOUNTABILITY)
    order = [c["name"] for c in cfg.get("classes") or []]
    current = list(rs.units.select_related("unit").order_by("unit__name"))
    # Past results of every unit by year, following the recompute's comparison links.
    past: dict[int, dict[int, tuple[str, int | None]]] = defaultdict(dict)
    for unit_id, year, rating, prev_unit in UnitResult.objects.filter(
        result_set__status=ResultStatus.FINAL, result_set__cycle__year__lt=cycle.year
    ).values_list("unit_id", "result_set__cycle__year", "rating", "previous_unit_id"):
        past[unit_id][year] = (rating, prev_unit)
    flagged: list[tuple[UnitResult, list[str], list[tuple[int, str]]]] = []
    for ur in current:
        history = rating_history(cycle.year, ur.rating, ur.previous_unit_id, past)
        reasons = accountability(history, rule, order)
        if reasons:
            flagged.append((ur, reasons, history))
    heads = defaultdict(list)
    for u in User.objects.filter(
        role="unit_head", is_active=True, unit_id__in=[ur.unit_id for ur, _, _ in flagged]
    ).order_by("full_name", "username"):
        heads[u.unit_id].append(u)
    return [
        AccountabilityRow(ur.unit, ur.rating, heads.get(ur.unit_id, []), reasons, history)
        for ur, reasons, history in flagged
    ]


def _reads_accountability(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_province_admin or user.is_leader or user.is_council)
    )


def group_has_missing_points(result_set: ResultSet, group_id: int) -> bool:
    """Whether some unit of the group still has leaves without points in this result set
    (then a provisional rank change is not shown, see ``results.explain``)."""
    return (
        UnitResult.objects.filter(result_set=result_set, group_id=group_id)
        .exclude(missing_leaves=[])
        .exists()
    )


def scoped_results(user: Any) -> QuerySet[ResultSet]:
    """Result sets the user may list (province-wide: all; others: published cycles)."""
    qs = ResultSet.objects.select_related("cycle").order_by("-cycle__year")
    if _province_wide(user):
        return qs
    return qs.filter(cycle__status=CycleStatus.PUBLISHED)
