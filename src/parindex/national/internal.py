"""Lost points, what-if and rank bands (with survey sampling error) for a unit of an
internal cycle (issue 12 parts 2–4): the unit against the maximum, its group's average
and the best unit of its group, and among the other units of its group as the cycle's
results rank them.

Scope: the Sở Nội vụ admin, the council and the leaders see every unit; a unit's own staff
and head see their own unit's lost points and what-if; everyone else gets 404."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import Http404

from parindex.cycles.models import Cycle
from parindex.engine import aggregate as agg
from parindex.engine.compute import UnitResult as EngineResult
from parindex.engine.lost_points import LostRow, NodePoints, lost_points
from parindex.engine.rank_bands import RankBand, rank_bands
from parindex.engine.survey import area_interval
from parindex.frameworks.models import Framework
from parindex.frameworks.shape import FrameworkShape, framework_shape
from parindex.national.analysis import framework_nodes
from parindex.national.improve import LeafLine, Question, WhatIfPage, answer, micro
from parindex.national.selectors import LostLine, reads_national
from parindex.results.models import NodeResult, ResultSet, UnitResult
from parindex.results.selectors import lineage_ids, ranking, result_set_for
from parindex.results.services.recompute import counted_leaf_points
from parindex.surveys.selectors import LeafInterval, fed_intervals


@dataclass(slots=True)
class UnitContext:
    result_set: ResultSet
    me: UnitResult
    peers: list[UnitResult]
    shape: FrameworkShape
    #: unit id → leaf code → points (or NA), every peer.
    leaves: dict[int, dict[str, Decimal | agg._NAType]]


def _may_read(user: Any, unit_id: int) -> bool:
    if reads_national(user):
        return True
    return bool(getattr(user, "is_unit_user", False)) and user.unit_id == unit_id


def unit_context(user: Any, cycle: Cycle, unit_code: str = "") -> UnitContext:
    """The unit (default: the user's own) and its group's results; 404 outside scope."""
    rs = result_set_for(user, cycle)
    if rs is None:
        raise Http404("Chưa có kết quả.")
    results = ranking(rs)
    if not unit_code and getattr(user, "unit_id", None):
        me = next((r for r in results if r.unit_id == user.unit_id), None)
    else:
        me = next((r for r in results if r.unit.code == unit_code), None)
        if me is None and not unit_code and results:
            me = results[0]
    if me is None or not _may_read(user, me.unit_id):
        raise Http404("Không có kết quả của đơn vị.")
    fw = Framework.objects.filter(code=me.framework_code).first()
    if fw is None:
        raise Http404("Không có bộ tiêu chí.")
    peers = [
        r for r in results if r.group_id == me.group_id and r.framework_code == me.framework_code
    ]
    return UnitContext(
        rs, me, peers, framework_shape(fw), counted_leaf_points(cycle, {r.unit_id for r in peers})
    )


def _scores(ctx: UnitContext) -> dict[int, agg.UnitScore]:
    cf = ctx.shape.require_compiled()
    return {r.unit_id: agg.aggregate(cf, ctx.leaves.get(r.unit_id, {})) for r in ctx.peers}


@dataclass(slots=True)
class UnitLostPage:
    context: UnitContext
    lines: list[LostLine]


def unit_lost_page(user: Any, cycle: Cycle, unit_code: str = "") -> UnitLostPage:
    """Every area, criterion and leaf where the unit lost points, largest first, with its
    group's average and best on that node; nodes lost last year too are marked."""
    ctx = unit_context(user, cycle, unit_code)
    scores = _scores(ctx)
    nodes = framework_nodes(ctx.shape.engine_fw.nodes)
    mine = scores[ctx.me.unit_id]
    rows = lost_points(
        NodePoints(n.code, n.name, n.level, mine.nodes[n.code].max_points,
                   mine.nodes[n.code].points, n.source)
        for n in nodes
    )  # fmt: skip
    names = {r.unit_id: r.unit.name for r in ctx.peers}
    before = _lost_last_year(cycle, ctx.me.unit_id)
    lines = []
    for r in rows:
        values = [
            (s.nodes[r.code].points, uid)
            for uid, s in scores.items()
            if s.nodes[r.code].max_points is not None
        ]
        avg = sum((v for v, _ in values), Decimal(0)) / len(values) if values else None
        best = max(values, default=None, key=lambda vu: vu[0])
        lines.append(
            LostLine(
                r,
                avg,
                best[0] if best else None,
                names.get(best[1], "") if best else "",
                r.code in before,
            )
        )
    return UnitLostPage(ctx, lines)


def _lost_last_year(cycle: Cycle, unit_id: int) -> set[str]:
    """Codes of the areas and criteria the unit (or its predecessors) lost points on in
    the previous year's results."""
    rows = NodeResult.objects.filter(
        unit_result__unit_id__in=lineage_ids(unit_id),
        unit_result__result_set__cycle__year=cycle.year - 1,
    ).values_list("code", "points", "max_points")
    return {code for code, p, m in rows if m is not None and p < m}


def unit_lost_points(user: Any, cycle: Cycle, unit_code: str = "") -> list[LostRow]:
    """The unit's lost points (engine rows, largest first) — the internal counterpart of
    :func:`parindex.national.selectors.province_lost_points`."""
    return [line.row for line in unit_lost_page(user, cycle, unit_code).lines]


def unit_whatif(user: Any, cycle: Cycle, unit_code: str, question: Question) -> WhatIfPage:
    """The unit among the other units of its group (their current results)."""
    ctx = unit_context(user, cycle, unit_code)
    cf = ctx.shape.require_compiled()
    mine = ctx.leaves.get(ctx.me.unit_id, {})
    lines = [
        LeafLine(
            code,
            info.name,
            cf.leaf_max_decimal[cf.leaf_index[code]],
            None if mine.get(code) is agg.NA else mine.get(code),  # type: ignore[arg-type]
            mine.get(code) is not agg.NA,
        )
        for info in ctx.shape.leaves.values()
        for code in [info.code]
    ]
    others = [
        (micro(r.points), micro(r.max_points))
        for r in ctx.peers
        if r.unit_id != ctx.me.unit_id and r.max_points
    ]
    page = WhatIfPage(ctx.me.unit.code, ctx.me.unit.name, lines, len(others))
    page.answer, page.errors = answer(cf, mine, others, question, unit=ctx.me.unit.code)
    return page


@dataclass(slots=True)
class AreaInterval:
    """A unit's area whose points carry survey sampling error: its points, the interval
    and the fed leaves it comes from."""

    unit: str
    unit_name: str
    area: str
    area_name: str
    points: Decimal
    low: Decimal
    high: Decimal
    leaves: list[tuple[str, LeafInterval]]


@dataclass(slots=True)
class CycleBands:
    #: ``(band, unit name, group name)`` in ranking order
    rows: list[tuple[RankBand, str, str]]
    intervals: list[AreaInterval]
    #: whether the bands include the intervals
    survey_error: bool


def cycle_bands(
    user: Any,
    cycle: Cycle,
    *,
    draws: int,
    spread: float,
    seed: int,
    survey_error: bool | None = None,
) -> CycleBands:
    """Rank bands of every unit of the cycle within its group. With ``survey_error`` (by
    default: when any interval exists) the areas holding survey-fed leaves also draw their
    points within the sampling interval (:func:`fed_intervals`). Province-wide readers
    only (404 else)."""
    rs = result_set_for(user, cycle)
    if rs is None or not reads_national(user):
        raise Http404("Chưa có kết quả.")
    results = ranking(rs)
    areas: dict[int, dict[str, tuple[Decimal, Decimal | None]]] = defaultdict(dict)
    for ur, code, points, top in NodeResult.objects.filter(
        unit_result__result_set=rs, depth=1
    ).values_list("unit_result_id", "code", "points", "max_points"):
        areas[ur][code] = (points, top)
    by_fw: dict[str, list[UnitResult]] = defaultdict(list)
    for r in results:
        by_fw[r.framework_code].append(r)
    leaf_intervals = fed_intervals(user, cycle)
    runs = []
    for code, members in by_fw.items():
        fw = Framework.objects.filter(code=code).first()
        cf = framework_shape(fw).compiled if fw is not None else None
        if cf is not None:
            runs.append((cf, members, _area_intervals(cf, members, areas, leaf_intervals)))
    found = [iv for _, _, ivs in runs for iv in ivs]
    use = bool(found) if survey_error is None else survey_error
    out: list[tuple[RankBand, str, str]] = []
    for cf, members, ivs in runs:
        engine = [_engine_result(cf, r, areas[r.pk]) for r in members]
        names = {r.unit.code: (r.unit.name, r.group.name) for r in members}
        given = {(iv.unit, iv.area): (iv.low, iv.high) for iv in ivs} if use else None
        for b in rank_bands(cf, engine, draws=draws, spread=spread, seed=seed, intervals=given):
            out.append((b, *names[b.unit]))
    return CycleBands(out, found, use and bool(found))


def _area_intervals(
    cf: agg.CompiledFramework,
    members: list[UnitResult],
    areas: dict[int, dict[str, tuple[Decimal, Decimal | None]]],
    leaf_intervals: dict[tuple[str, str], LeafInterval],
) -> list[AreaInterval]:
    """The members' applicable areas holding survey-fed leaves, with their intervals."""
    area_of = {n.code: a for a in cf.framework.nodes for n in a.walk() if n.is_leaf}
    out = []
    for r in members:
        held: dict[str, list[tuple[str, LeafInterval]]] = defaultdict(list)
        for (unit, leaf), iv in leaf_intervals.items():
            if unit == r.unit.code and leaf in area_of:
                held[area_of[leaf].code].append((leaf, iv))
        for a in cf.framework.nodes:
            points, top = areas[r.pk].get(a.code, (Decimal(0), None))
            if a.code not in held or top is None:
                continue
            lines = held[a.code]
            low, high = area_interval(points, top, [(v.points, v.low, v.high) for _, v in lines])
            out.append(
                AreaInterval(r.unit.code, r.unit.name, a.code, a.name, points, low, high, lines)
            )
    return out


def _engine_result(
    cf: agg.CompiledFramework, r: UnitResult, areas: dict[str, tuple[Decimal, Decimal | None]]
) -> EngineResult:
    pts = tuple(micro(areas.get(c, (Decimal(0), None))[0]) for c in cf.area_codes)
    tops = tuple(
        None if (m := areas.get(c, (Decimal(0), None))[1]) is None else micro(m)
        for c in cf.area_codes
    )
    return EngineResult(
        r.unit.code,
        r.unit.name,
        str(r.group_id),
        micro(r.points),
        None if r.max_points is None else micro(r.max_points),
        cf.area_codes,
        pts,
        tops,
        rank=r.rank,
    )
