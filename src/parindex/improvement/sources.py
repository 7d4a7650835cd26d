"""Where a draft plan's lost points come from. A source is a small function taking the
acting user (whose scope it respects: 404 outside it) and what it needs, and returning
:class:`parindex.engine.lost_points.LostRow` rows for :func:`plan_draft_generate`.

Implemented: :func:`internal_unit_lost` — one unit of an internal cycle, from the stored
results (``parindex.results`` node results, and the leaves' final points for criteria that
are leaves). The national results (``parindex.national``) are the next source."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from parindex.assessments.models import LeafScore
from parindex.cycles.models import Cycle
from parindex.engine.lost_points import LostRow, NodePoints, lost_points
from parindex.frameworks.models import Criterion
from parindex.results.models import NodeResult
from parindex.results.selectors import unit_result
from parindex.units.models import Unit

__all__ = ["internal_unit_lost", "source_label"]


def internal_unit_lost(user: Any, *, cycle: Cycle, unit: Unit) -> list[LostRow]:
    """The points ``unit`` lost in ``cycle`` per area, criterion and sub-criterion, largest
    first (the engine's :func:`lost_points`: N/A nodes left out)."""
    page = unit_result(user, cycle, unit)  # 404 outside the user's scope or without result
    framework_code = page.result.framework_code
    info = {
        pk: (code, name, source)
        for pk, code, name, source in Criterion.objects.filter(
            framework__code=framework_code
        ).values_list("pk", "code", "name", "source")
    }
    by_code = {code: (name, source) for code, name, source in info.values()}
    nodes = []
    for n in NodeResult.objects.filter(unit_result=page.result):
        name, source = by_code.get(n.code, ("", "self"))
        nodes.append(NodePoints(n.code, name, n.depth, n.max_points, n.points, source))
    # A leaf's points as the results use them (results.services.recompute): the final
    # points once set, else the latest appraised round, else the self points.
    leaves = LeafScore.objects.filter(assessment__cycle=cycle, assessment__unit=unit).values_list(
        "criterion_id",
        "criterion__depth",
        "criterion__max_points",
        "not_applicable",
        "final_points",
        "round2_points",
        "round1_points",
        "self_points",
    )
    for criterion_id, depth, max_points, na, *points in leaves:
        code, name, source = info.get(criterion_id, ("", "", "self"))
        if not code:
            continue
        got = next((p for p in points if p is not None), Decimal(0))
        maximum, got = (None, None) if na else (max_points, got)
        nodes.append(NodePoints(code, name, depth, maximum, got, source))
    return lost_points(nodes)


def source_label(cycle: Cycle, unit: Unit) -> str:
    return f"Kết quả {cycle.name} — {unit.name}"
