"""What the council page shows of each unit in a cycle, in a fixed number of queries:
its points per area in every column (self, round 1, round 2, final — the final column is
what approval sets), its rating with the conditions applied (from the cycle's results),
whether the appraisers marked it “đã thẩm định xong”, and the leaves that still block
approval. Presentation only: approval goes through ``council_decision_record``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from parindex.accounts.models import User
from parindex.assessments.models import Assessment, AssessmentStatus, LeafScore
from parindex.assessments.selectors import assessments_for
from parindex.cycles.models import Cycle
from parindex.engine import aggregate as agg
from parindex.engine.framework import EXTERNAL_SOURCES
from parindex.frameworks.shape import framework_shape
from parindex.results.models import UnitResult
from parindex.results.selectors import result_set_for
from parindex.web.tree import COLUMNS, _self_shown

S = AssessmentStatus


@dataclass
class AreaPoints:
    code: str
    name: str
    max_points: Decimal | None
    #: column → points (None: the column is not reached yet or cannot be computed).
    points: dict[str, Decimal | None]


@dataclass
class CouncilRow:
    assessment: Assessment
    areas: list[AreaPoints] = field(default_factory=list)
    totals: dict[str, Decimal | None] = field(default_factory=dict)
    result: UnitResult | None = None
    #: Codes of the applicable leaves with no points (approval is refused while any).
    missing: list[str] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        return self.assessment.status == S.ROUND2

    @property
    def done(self) -> bool:
        return self.assessment.appraisal_done_at is not None

    @property
    def reasons(self) -> list[str]:
        if self.result is None:
            return []
        return [str(c.get("reason", "")) for c in self.result.applied_conditions or []]


#: The statuses from which each column is shown.
REACHED = {
    "self": tuple(S.values),
    "round1": (S.ROUND1, S.RETURNED, S.EXPLAINED, S.ROUND2, S.APPROVED),
    "round2": (S.ROUND2, S.APPROVED),
    "final": (S.ROUND2, S.APPROVED),
}


def _leaf_value(score: LeafScore, source: str, column: str) -> Decimal | None:
    shown = _self_shown(score, source)
    if column == "self":
        return shown
    if source in EXTERNAL_SOURCES:
        return score.final_points
    r1 = score.round1_points if score.round1_points is not None else shown
    if column == "round1":
        return r1
    r2 = score.round2_points if score.round2_points is not None else r1
    if column == "round2":
        return r2
    return score.final_points if score.final_points is not None else r2


def _missing(score: LeafScore, source: str) -> bool:
    if score.not_applicable:
        return False
    if source == "self":
        return score.round2_points is None
    return source in EXTERNAL_SOURCES and score.final_points is None


def _node_points(score: agg.UnitScore | None, code: str) -> Decimal | None:
    if score is None or code not in score.nodes:
        return None
    return score.nodes[code].points


def council_board(user: User, cycle: Cycle) -> list[CouncilRow]:
    """Every assessment of ``cycle`` the user sees, with the council's figures."""
    assessments = list(
        assessments_for(user)
        .filter(cycle=cycle)
        .select_related("unit", "framework", "appraisal_done_by")
        .order_by("unit__group__position", "unit__name")
    )
    scores: dict[int, list[LeafScore]] = defaultdict(list)
    for s in (
        LeafScore.objects.filter(assessment__in=[a.pk for a in assessments])
        .select_related("criterion")
        .order_by("criterion__position")
    ):
        scores[s.assessment_id].append(s)
    rs = result_set_for(user, cycle)
    results = {} if rs is None else {r.unit_id: r for r in UnitResult.objects.filter(result_set=rs)}
    rows = []
    for a in assessments:
        row = CouncilRow(assessment=a, result=results.get(a.unit_id))
        shape = framework_shape(a.framework)
        mine = scores.get(a.pk, [])
        row.missing = [s.criterion.code for s in mine if _missing(s, s.criterion.source)]
        sums: dict[str, Any] = {}
        for column in COLUMNS:
            if a.status not in REACHED[column] or shape.compiled is None:
                sums[column] = None
                continue
            points: dict[str, Any] = {}
            for s in mine:
                value = (
                    agg.NA
                    if s.not_applicable
                    else _leaf_value(s, s.criterion.source or "self", column)
                )
                if value is not None:
                    points[s.criterion.code] = value
            try:
                sums[column] = agg.aggregate(shape.compiled, points)
            except ValueError:
                sums[column] = None
        row.totals = {c: None if u is None else u.points for c, u in sums.items()}
        for node in shape.engine_fw.nodes:
            row.areas.append(
                AreaPoints(
                    code=node.code,
                    name=node.name,
                    max_points=node.max_points,
                    points={
                        c: None
                        if u is None or node.code not in u.nodes
                        else u.nodes[node.code].points
                        for c, u in sums.items()
                    },
                )
            )
        rows.append(row)
    return rows
